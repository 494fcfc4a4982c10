/* openrouter-c: request parameters as text (call.c puts them into the
 * path, the query line and headers): validation against the parameter's
 * table entry, then formatting. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static int has_control(const char *s, int allow_tab)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p < 0x20 && !(allow_tab && *p == '\t')) || *p == 0x7f)
            return 1;
    return 0;
}

int or_param_to_text(const openrouter_param_desc *param, const void *slot, or_buf *out,
                     openrouter_error *error)
{
    if (!param || !slot || !out)
        return or_error_set(error, OPENROUTER_EINVAL, "parameter: invalid arguments");
    or_buf_reset(out);
    const char *name = param->name ? param->name : "?";
    or_path p = {NULL, name, 0};
    or_limits lim = {param->flags, param->min_length, param->max_length, param->minimum, param->maximum};
    int rc;

    if (param->location == OPENROUTER_PARAM_PATH || !param->type) {
        const char *s = *(const char *const *)slot;
        if (!s || !*s)
            return or_path_error(error, OPENROUTER_EINVAL, &p, "path parameter is missing or empty");
        if ((rc = or_check_string(error, &p, &lim, s)) != 0)
            return rc;
        if (has_control(s, 0))
            return or_path_error(error, OPENROUTER_EINVAL, &p, "contains a control character");
        if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
            return or_path_error(error, OPENROUTER_EINVAL, &p, "must not be \".\" or \"..\"");
        /* One path segment, sent exactly: no separators (some proxies
         * decode %2F / %5C back into them) and no "%XX" triplet (already
         * encoded input would be encoded twice; this covers "%00"). */
        if (strpbrk(s, "/\\"))
            return or_path_error(error, OPENROUTER_EINVAL, &p, "must not contain \"/\" or \"\\\"");
        for (const char *q = strchr(s, '%'); q; q = strchr(q + 1, '%'))
            if (isxdigit((unsigned char)q[1]) && isxdigit((unsigned char)q[2]))
                return or_path_error(error, OPENROUTER_EINVAL, &p, "must not contain a percent-encoded triplet (%%XX)");
        return or_buf_puts(out, s) == 0 ? OPENROUTER_OK : or_error_set(error, OPENROUTER_ENOMEM, "out of memory");
    }

    const openrouter_type_desc *t = param->type;
    openrouter_presence st = *(const openrouter_presence *)slot;
    if (st != OPENROUTER_PRESENT) {
        if (st != OPENROUTER_ABSENT && st != OPENROUTER_NULL)
            return or_path_error(error, OPENROUTER_EINVAL, &p, "invalid presence state %d", (int)st);
        if (param->flags & OPENROUTER_F_REQUIRED)
            return or_path_error(error, OPENROUTER_EINVAL, &p, "required parameter missing");
        return OR_PARAM_ABSENT;
    }
    char num[40];
    const char *text = NULL;
    switch (t->kind) {
    case OPENROUTER_KIND_BOOL:
        text = ((const openrouter_bool *)slot)->value ? "true" : "false";
        break;
    case OPENROUTER_KIND_INT32:
    case OPENROUTER_KIND_INT64: {
        int64_t v = t->kind == OPENROUTER_KIND_INT32 ? ((const openrouter_int32 *)slot)->value
                                                     : ((const openrouter_int64 *)slot)->value;
        if ((rc = or_check_range(error, &p, &lim, (double)v)) != 0)
            return rc;
        snprintf(num, sizeof num, "%lld", (long long)v);
        text = num;
        break;
    }
    case OPENROUTER_KIND_NUMBER: {
        double v = ((const openrouter_number *)slot)->value;
        if (!isfinite(v))
            return or_path_error(error, OPENROUTER_EINVAL, &p, "not a finite number");
        if ((rc = or_check_range(error, &p, &lim, v)) != 0)
            return rc;
        if (or_format_double(v, num, sizeof num) < 0)
            return or_path_error(error, OPENROUTER_EINVAL, &p, "cannot format number");
        text = num;
        break;
    }
    case OPENROUTER_KIND_STRING:
    case OPENROUTER_KIND_DATETIME:
        text = ((const openrouter_string *)slot)->value;
        if ((rc = or_check_string(error, &p, &lim, text)) != 0)
            return rc;
        if (t->kind == OPENROUTER_KIND_DATETIME && (rc = or_check_datetime(error, &p, param->flags, text)) != 0)
            return rc;
        break;
    case OPENROUTER_KIND_ENUM:
        if (!(text = or_enum_text(error, &p, t, (const openrouter_enum_value *)slot)))
            return OPENROUTER_EINVAL;
        break;
    default:
        return or_path_error(error, OPENROUTER_EINVAL, &p, "unsupported parameter kind %d", (int)t->kind);
    }
    if (param->location == OPENROUTER_PARAM_HEADER && has_control(text, 0))
        return or_path_error(error, OPENROUTER_EINVAL, &p, "header value contains a control character");
    return or_buf_puts(out, text) == 0 ? OPENROUTER_OK : or_error_set(error, OPENROUTER_ENOMEM, "out of memory");
}
