/* openrouter-c: text and number formatting: UTF-8 validity and length,
 * and the shortest round-tripping, locale-independent text of a double. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swar.h"
#include "text.h"

int or_utf8_valid(const char *s, size_t n)
{
    if (!s)
        return n == 0;
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        if ((size_t)(end - p) >= 8 && !(or_swar_load8(p) & OR_SWAR_HIGHS)) {
            p += 8;
            continue;
        }
        if (*p < 0x80) {
            p++;
            continue;
        }
        size_t k = or_utf8_seq(p, (size_t)(end - p));
        if (!k)
            return 0;
        p += k;
    }
    return 1;
}

int64_t or_utf8_length(const char *s, size_t n)
{
    if (!or_utf8_valid(s, n))
        return -1;
    int64_t count = 0;
    for (size_t i = 0; i < n; i++)
        count += ((unsigned char)s[i] & 0xC0) != 0x80;
    return count;
}

/* Makes snprintf output locale-independent: whatever the locale's decimal
 * point is, it becomes '.', and exponents lose '+' and leading zeros. */
static int normalize_number(const char *in, char *buf, size_t size)
{
    char out[64];
    size_t o = 0;
    int in_exp = 0, exp_digits = 0;
    for (const char *p = in; *p; p++) {
        char c = *p;
        if (o + 2 >= sizeof out)
            return -1;
        if (c >= '0' && c <= '9') {
            if (in_exp && !exp_digits && c == '0' && p[1] >= '0' && p[1] <= '9')
                continue;
            if (in_exp)
                exp_digits = 1;
            out[o++] = c;
        } else if (c == '-') {
            out[o++] = c;
        } else if (c == '+') {
            /* only in exponents; dropped */
        } else if (c == 'e' || c == 'E') {
            in_exp = 1;
            out[o++] = 'e';
        } else {
            /* the decimal point, possibly several bytes in some locale */
            if (o == 0 || out[o - 1] != '.')
                out[o++] = '.';
        }
    }
    out[o] = '\0';
    if (o + 1 > size)
        return -1;
    memcpy(buf, out, o + 1);
    return (int)o;
}

int or_format_double(double v, char *buf, size_t size)
{
    if (!buf || size == 0 || !isfinite(v))
        return -1;
    char tmp[64];
    if (v == 0) {
        snprintf(tmp, sizeof tmp, "0"); /* -0.0 too */
    } else if (fabs(v) < 1e15 && v == floor(v)) {
        snprintf(tmp, sizeof tmp, "%.0f", v);
    } else {
        int prec;
        for (prec = 15; prec <= 17; prec++) {
            snprintf(tmp, sizeof tmp, "%.*g", prec, v);
            /* strtod reads the same locale snprintf wrote. */
            if (strtod(tmp, NULL) == v)
                break;
        }
    }
    return normalize_number(tmp, buf, size);
}
