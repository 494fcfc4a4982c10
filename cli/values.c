/* openrouter-keys: a key field's value rules (see values.h). */
#define _POSIX_C_SOURCE 200809L
#include "values.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int value_is_none(const char *v) { return strcmp(v, "none") == 0 || strcmp(v, "null") == 0; }

const char *value_limit(const char *v, openrouter_number *out)
{
    if (value_is_none(v)) {
        OPENROUTER_SET_NULL(*out);
        return NULL;
    }
    char *end = NULL;
    errno = 0;
    double d = strtod(v, &end);
    if (!*v || *end || errno || !isfinite(d))
        return "a number of US dollars or 'none'";
    *out = OPENROUTER_NUMBER(d);
    return NULL;
}

const char *value_limit_reset(const char *v, openrouter_limit_reset_value *out)
{
    memset(out, 0, sizeof *out);
    if (value_is_none(v)) {
        OPENROUTER_SET_NULL(*out);
        return NULL;
    }
    static const openrouter_limit_reset values[] = {OPENROUTER_LIMIT_RESET_DAILY, OPENROUTER_LIMIT_RESET_WEEKLY,
                                                    OPENROUTER_LIMIT_RESET_MONTHLY};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
        if (strcmp(v, openrouter_limit_reset_name(values[i])) == 0) {
            out->state = OPENROUTER_PRESENT;
            out->value = values[i];
            return NULL;
        }
    return "daily, weekly, monthly or none";
}

const char *value_bool(const char *v, openrouter_bool *out)
{
    if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
        return "true or false";
    *out = OPENROUTER_BOOL(strcmp(v, "true") == 0);
    return NULL;
}

const char *value_expires_at(const char *v, openrouter_datetime *out)
{
    if (value_is_none(v)) {
        OPENROUTER_SET_NULL(*out);
        return NULL;
    }
    if (openrouter_datetime_parse(v, NULL, NULL) != 0)
        return "an RFC 3339 time in UTC such as 2027-12-31T23:59:59Z, or 'none'";
    *out = OPENROUTER_DATETIME(v);
    return NULL;
}

/* "30d", "12h", "1d12h": whole numbers, each with a unit, added up. */
static int parse_duration(const char *v, long long *seconds)
{
    static const struct { char unit; long long seconds; } units[] = {
        {'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}, {'w', 7 * 86400}};
    const long long max = 100LL * 366 * 86400; /* a century is plenty */
    long long total = 0;
    const char *p = v;
    do {
        long long n = 0;
        if (*p < '0' || *p > '9')
            return -1;
        for (; *p >= '0' && *p <= '9'; p++)
            if ((n = n * 10 + (*p - '0')) > max)
                return -1;
        size_t u = 0;
        while (u < sizeof units / sizeof units[0] && units[u].unit != *p)
            u++;
        if (u == sizeof units / sizeof units[0])
            return -1;
        p++;
        if ((total += n * units[u].seconds) > max)
            return -1;
    } while (*p);
    *seconds = total;
    return total > 0 ? 0 : -1;
}

const char *value_expires_in(const char *v, openrouter_datetime_text *when, openrouter_datetime *out)
{
    long long seconds;
    if (parse_duration(v, &seconds) != 0)
        return "a duration such as 30d, 12h or 1d12h (units s, m, h, d, w; at most a century)";
    *when = openrouter_datetime_from_now(seconds);
    if (!when->text[0])
        return "a duration whose end can be represented";
    *out = OPENROUTER_DATETIME(when->text);
    return NULL;
}

void value_string_or_null(const char *v, openrouter_string *out)
{
    if (value_is_none(v))
        OPENROUTER_SET_NULL(*out);
    else
        *out = OPENROUTER_STRING(v);
}
