/* openrouter-c: the rules a value's description sets: length and range
 * constraints, UTF-8, RFC 3339 date-times, and the text of an enum. The
 * or_*_violation functions say what is wrong; the encoder and parameter
 * formatting turn that into EINVAL before sending (or_check_*), the
 * decoder into a warning or, in strict mode, EDECODE. Messages name the
 * constraint, never the value (it may be a secret). */
#include <stdio.h>
#include <string.h>

#include "internal.h"

const or_limits or_no_limits = {0, -1, -1, 0, 0};

int or_length_violation(const or_limits *lim, int64_t n, const char *unit, char *why, size_t size)
{
    if (lim->min_length >= 0 && n < lim->min_length)
        snprintf(why, size, "%lld %s, below the minimum of %lld", (long long)n, unit, (long long)lim->min_length);
    else if (lim->max_length >= 0 && n > lim->max_length)
        snprintf(why, size, "%lld %s, above the maximum of %lld", (long long)n, unit, (long long)lim->max_length);
    else
        return 0;
    return 1;
}

int or_range_violation(const or_limits *lim, double v, char *why, size_t size)
{
    char num[32];
    int below = (lim->flags & OPENROUTER_F_HAS_MINIMUM) && v < lim->minimum;
    if (!below && !((lim->flags & OPENROUTER_F_HAS_MAXIMUM) && v > lim->maximum))
        return 0;
    double bound = below ? lim->minimum : lim->maximum;
    if (or_format_double(bound, num, sizeof num) < 0)
        snprintf(num, sizeof num, "%g", bound);
    snprintf(why, size, "must be %s %s", below ? ">=" : "<=", num);
    return 1;
}

int or_check_length(openrouter_error *error, const or_path *p, const or_limits *lim, int64_t n,
                    const char *unit)
{
    char why[128];
    return or_length_violation(lim, n, unit, why, sizeof why) ? or_path_error(error, OPENROUTER_EINVAL, p, "%s", why)
                                                               : 0;
}

int or_check_range(openrouter_error *error, const or_path *p, const or_limits *lim, double v)
{
    char why[64];
    return or_range_violation(lim, v, why, sizeof why) ? or_path_error(error, OPENROUTER_EINVAL, p, "%s", why) : 0;
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

const char *or_datetime_violation(unsigned flags, const char *s)
{
    int offset = 0;
    if (openrouter_datetime_parse(s, NULL, &offset) != 0)
        return "invalid date-time (expected RFC 3339)";
    if (flags & OPENROUTER_F_UTC_ONLY) {
        size_t n = strlen(s);
        if (offset != 0 || n == 0 || s[n - 1] != 'Z')
            return "must be a UTC time ending in Z";
    }
    return NULL;
}

int or_check_datetime(openrouter_error *error, const or_path *p, unsigned flags, const char *s)
{
    const char *why = or_datetime_violation(flags, s);
    return why ? or_path_error(error, OPENROUTER_EINVAL, p, "%s", why) : 0;
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
