/* openrouter-c: the checks a value passes before it is sent, shared by the
 * encoder (request bodies) and parameter formatting: length and range
 * constraints, UTF-8, RFC 3339 date-times, and the text of an enum.
 * Messages name the field and its constraint, never the value (it may be a
 * secret). */
#include <stdio.h>
#include <string.h>

#include "internal.h"

const or_limits or_no_limits = {0, -1, -1, 0, 0};

int or_check_length(openrouter_error *error, const or_path *p, const or_limits *lim, int64_t n,
                    const char *unit)
{
    if (lim->min_length >= 0 && n < lim->min_length)
        return or_path_error(error, OPENROUTER_EINVAL, p, "%lld %s, below the minimum of %lld", (long long)n,
                             unit, (long long)lim->min_length);
    if (lim->max_length >= 0 && n > lim->max_length)
        return or_path_error(error, OPENROUTER_EINVAL, p, "%lld %s, above the maximum of %lld", (long long)n,
                             unit, (long long)lim->max_length);
    return 0;
}

int or_check_range(openrouter_error *error, const or_path *p, const or_limits *lim, double v)
{
    char num[32];
    if ((lim->flags & OPENROUTER_F_HAS_MINIMUM) && v < lim->minimum) {
        if (or_format_double(lim->minimum, num, sizeof num) < 0)
            snprintf(num, sizeof num, "%g", lim->minimum);
        return or_path_error(error, OPENROUTER_EINVAL, p, "must be >= %s", num);
    }
    if ((lim->flags & OPENROUTER_F_HAS_MAXIMUM) && v > lim->maximum) {
        if (or_format_double(lim->maximum, num, sizeof num) < 0)
            snprintf(num, sizeof num, "%g", lim->maximum);
        return or_path_error(error, OPENROUTER_EINVAL, p, "must be <= %s", num);
    }
    return 0;
}

int or_check_string(openrouter_error *error, const or_path *p, const or_limits *lim, const char *s)
{
    if (!s)
        return or_path_error(error, OPENROUTER_EINVAL, p, "value is NULL");
    int64_t n = or_utf8_length(s, strlen(s));
    if (n < 0)
        return or_path_error(error, OPENROUTER_EINVAL, p, "not valid UTF-8");
    return or_check_length(error, p, lim, n, "characters");
}

int or_check_datetime(openrouter_error *error, const or_path *p, unsigned flags, const char *s)
{
    int offset = 0;
    if (openrouter_datetime_parse(s, NULL, &offset) != 0)
        return or_path_error(error, OPENROUTER_EINVAL, p, "invalid date-time (expected RFC 3339)");
    if (flags & OPENROUTER_F_UTC_ONLY) {
        size_t n = strlen(s);
        if (offset != 0 || n == 0 || s[n - 1] != 'Z')
            return or_path_error(error, OPENROUTER_EINVAL, p, "must be a UTC time ending in Z");
    }
    return 0;
}

const char *or_enum_text(openrouter_error *error, const or_path *p, const openrouter_type_desc *t,
                         const openrouter_enum_value *ev)
{
    const openrouter_enum_desc *ed = t->enumeration;
    if (ev->value > 0 && ed && (size_t)ev->value <= ed->count)
        return ed->values[ev->value - 1];
    if (ev->value == 0 && ev->text) {
        if (!or_utf8_valid(ev->text, strlen(ev->text))) {
            or_path_error(error, OPENROUTER_EINVAL, p, "not valid UTF-8");
            return NULL;
        }
        return ev->text;
    }
    if (ev->value == 0)
        or_path_error(error, OPENROUTER_EINVAL, p, "enum value not set (value 0 and no text)");
    else
        or_path_error(error, OPENROUTER_EINVAL, p, "invalid value %d for enum %s", ev->value,
                      ed && ed->name ? ed->name : "?");
    return NULL;
}
