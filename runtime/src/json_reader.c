/* openrouter-c: a strict, single-pass JSON reader over (text, length).
 *
 * The decoder pulls values from it and writes them straight into model
 * structs (decode.c), so no tree of a typed document is ever built; the
 * json-c trees of untyped values are built from it too (json_tree.c).
 * The reader never allocates, never recurses and never reads past the
 * given length; the text need not be NUL-terminated.
 *
 * Grammar (RFC 8259, nothing more): exactly one value, optionally
 * surrounded by space, \t, \n and \r. No comments, single quotes, NaN,
 * Infinity, leading '+', leading zeros, "1." or ".5"; strings hold no raw
 * control character (U+0000..U+001F), only the escapes \" \\ \/ \b \f \n
 * \r \t \uXXXX, UTF-16 surrogates only as a high-low pair of \u escapes,
 * and valid UTF-8 (no overlongs, no encoded surrogates, nothing above
 * U+10FFFF). A raw NUL byte anywhere is an error of its own.
 *
 * Depth counts nested values the way json-c did, the innermost scalar
 * included: in [[1]] the number is at depth 3, so [[1]] needs
 * max_depth >= 3 and [[]] needs 2. max_depth is capped at OR_JR_MAX_DEPTH.
 *
 * Errors: the first one, in document order, is kept in the reader (kind
 * and offset) and or_jr_error() turns it into the message. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "swar.h"

/* ======================================================================
 * Byte classes and helpers
 * ====================================================================== */

static const unsigned char jr_space[256] = {[' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1};

static inline size_t jr_skip_ws(const unsigned char *s, size_t i, size_t n)
{
    while (i < n && jr_space[s[i]])
        i++;
    return i;
}

static inline int jr_digit(unsigned c)
{
    return c - '0' < 10u;
}

/* ======================================================================
 * Errors
 * ====================================================================== */

/* Records the first error; returns -1 so callers can `return jr_fail(...)`. */
static int jr_fail(or_jr *r, int kind, size_t at, const char *why)
{
    if (!r->err) {
        r->err = kind;
        r->err_pos = at;
        r->err_why = why;
    }
    return -1;
}

static int jr_truncated(or_jr *r)
{
    return jr_fail(r, OR_JR_E_TRUNCATED, r->n, NULL);
}

/* An unexpected byte at `at`: a NUL byte gets its own message. */
static int jr_bad(or_jr *r, size_t at, const char *why)
{
    if (r->s[at] == '\0')
        return jr_fail(r, OR_JR_E_NUL, at, NULL);
    return jr_fail(r, OR_JR_E_SYNTAX, at, why);
}

int or_jr_error(const or_jr *r, openrouter_error *error)
{
    switch (r->err) {
    case OR_JR_E_EMPTY:
        return or_error_set_field(error, OPENROUTER_EDECODE, "", "empty JSON document");
    case OR_JR_E_TRUNCATED:
        return or_error_set_field(error, OPENROUTER_EDECODE, "", "truncated JSON at offset %zu", r->err_pos);
    case OR_JR_E_DEPTH:
        return or_error_set_field(error, OPENROUTER_EDECODE, "", "JSON nested deeper than %d levels at offset %zu",
                                  r->max_depth, r->err_pos);
    case OR_JR_E_NUL:
        return or_error_set_field(error, OPENROUTER_EDECODE, "", "NUL byte in JSON at offset %zu", r->err_pos);
    case OR_JR_E_TRAILING:
        return or_error_set_field(error, OPENROUTER_EDECODE, "", "trailing data after JSON at offset %zu",
                                  r->err_pos);
    default:
        return or_error_set_field(error, OPENROUTER_EDECODE, "", "invalid JSON at offset %zu: %s", r->err_pos,
                                  r->err_why ? r->err_why : "syntax error");
    }
}

/* ======================================================================
 * Reader
 * ====================================================================== */

void or_jr_init(or_jr *r, const char *s, size_t n, int max_depth)
{
    r->s = s ? s : "";
    r->n = s ? n : 0;
    r->pos = 0;
    r->depth = 0;
    if (max_depth <= 0)
        max_depth = OR_DEFAULT_MAX_DEPTH;
    r->max_depth = max_depth > OR_JR_MAX_DEPTH ? OR_JR_MAX_DEPTH : max_depth;
    r->err = 0;
    r->err_pos = 0;
    r->err_why = NULL;
}

static const unsigned char jr_start[256] = {
    ['{'] = OR_JT_OBJECT, ['['] = OR_JT_ARRAY, ['"'] = OR_JT_STRING, ['-'] = OR_JT_NUMBER,
    ['0'] = OR_JT_NUMBER, ['1'] = OR_JT_NUMBER, ['2'] = OR_JT_NUMBER, ['3'] = OR_JT_NUMBER,
    ['4'] = OR_JT_NUMBER, ['5'] = OR_JT_NUMBER, ['6'] = OR_JT_NUMBER, ['7'] = OR_JT_NUMBER,
    ['8'] = OR_JT_NUMBER, ['9'] = OR_JT_NUMBER, ['t'] = OR_JT_TRUE, ['f'] = OR_JT_FALSE, ['n'] = OR_JT_NULL,
};

/* The start of a value at s[i] (whitespace skipped), one level below the
 * `depth` containers that are open. */
static or_jtok jr_value_start(or_jr *r, size_t i, int depth)
{
    if (i >= r->n)
        return depth == 0 && r->pos == 0 ? (jr_fail(r, OR_JR_E_EMPTY, i, NULL), OR_JT_ERROR)
                                         : (jr_truncated(r), OR_JT_ERROR);
    unsigned char c = (unsigned char)r->s[i];
    or_jtok t = (or_jtok)jr_start[c];
    if (t == OR_JT_ERROR) {
        jr_bad(r, i, c == 'N' || c == 'I' ? "NaN and Infinity are not JSON" : "unexpected character");
        return OR_JT_ERROR;
    }
    if (depth >= r->max_depth) {
        jr_fail(r, OR_JR_E_DEPTH, i, NULL);
        return OR_JT_ERROR;
    }
    return t;
}

or_jtok or_jr_peek(or_jr *r)
{
    size_t i = jr_skip_ws((const unsigned char *)r->s, r->pos, r->n);
    or_jtok t = jr_value_start(r, i, r->depth);
    r->pos = i;
    return t;
}

void or_jr_begin(or_jr *r)
{
    r->pos++;
    r->depth++;
}

int or_jr_item(or_jr *r, size_t index)
{
    const unsigned char *s = (const unsigned char *)r->s;
    size_t i = jr_skip_ws(s, r->pos, r->n);
    if (i >= r->n)
        return jr_truncated(r);
    if (s[i] == ']') {
        r->pos = i + 1;
        r->depth--;
        return 0;
    }
    if (index > 0) {
        if (s[i] != ',')
            return jr_bad(r, i, "expected ',' or ']'");
        i++;
    }
    r->pos = i;
    return 1;
}

static int jr_scan_string(or_jr *r, size_t i, size_t *close, int *escaped);

int or_jr_member(or_jr *r, size_t index, or_jr_str *key)
{
    const unsigned char *s = (const unsigned char *)r->s;
    size_t n = r->n;
    size_t i = jr_skip_ws(s, r->pos, n);
    if (i >= n)
        return jr_truncated(r);
    if (s[i] == '}') {
        r->pos = i + 1;
        r->depth--;
        return 0;
    }
    if (index > 0) {
        if (s[i] != ',')
            return jr_bad(r, i, "expected ',' or '}'");
        i = jr_skip_ws(s, i + 1, n);
        if (i >= n)
            return jr_truncated(r);
    }
    if (s[i] != '"')
        return jr_bad(r, i, "expected a string key");
    size_t close;
    int esc;
    if (jr_scan_string(r, i + 1, &close, &esc) != 0)
        return -1;
    key->start = i + 1;
    key->len = close - (i + 1);
    key->escaped = esc;
    i = jr_skip_ws(s, close + 1, n);
    if (i >= n)
        return jr_truncated(r);
    if (s[i] != ':')
        return jr_bad(r, i, "expected ':'");
    r->pos = i + 1;
    return 1;
}

int or_jr_end(or_jr *r)
{
    size_t i = jr_skip_ws((const unsigned char *)r->s, r->pos, r->n);
    if (i < r->n) {
        if (r->s[i] == '\0')
            return jr_fail(r, OR_JR_E_NUL, i, NULL);
        return jr_fail(r, OR_JR_E_TRAILING, i, NULL);
    }
    r->pos = i;
    return 0;
}

/* ======================================================================
 * Literals
 * ====================================================================== */

int or_jr_literal(or_jr *r, or_jtok t)
{
    static const char *const words[] = {[OR_JT_TRUE] = "true", [OR_JT_FALSE] = "false", [OR_JT_NULL] = "null"};
    const char *w = words[t];
    size_t len = t == OR_JT_FALSE ? 5 : 4;
    size_t i = r->pos;
    for (size_t k = 1; k < len; k++) {
        if (i + k >= r->n)
            return jr_truncated(r);
        if (r->s[i + k] != w[k])
            return jr_bad(r, i + k, "unexpected character");
    }
    r->pos = i + len;
    return 0;
}

/* ======================================================================
 * Strings
 * ====================================================================== */

/* Value of four hex digits at s[i..]: 0 and *v, -1 if one is not a hex
 * digit, -2 if the text ends first. */
static int jr_hex4(const unsigned char *s, size_t i, size_t n, unsigned *v)
{
    unsigned x = 0;
    for (size_t k = 0; k < 4; k++) {
        if (i + k >= n)
            return -2;
        unsigned c = s[i + k], d;
        if (c - '0' < 10u)
            d = c - '0';
        else if ((c | 0x20) - 'a' < 6u)
            d = (c | 0x20) - 'a' + 10;
        else
            return -1;
        x = x << 4 | d;
    }
    *v = x;
    return 0;
}

/* Checks the escape at s[i] == '\\'; returns its length, or 0 with the
 * error recorded. */
static size_t jr_escape(or_jr *r, size_t i)
{
    const unsigned char *s = (const unsigned char *)r->s;
    size_t n = r->n;
    if (i + 1 >= n)
        return (size_t)(jr_truncated(r), 0);
    switch (s[i + 1]) {
    case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
        return 2;
    case 'u': {
        unsigned u, lo;
        int h = jr_hex4(s, i + 2, n, &u);
        if (h == -2)
            return (size_t)(jr_truncated(r), 0);
        if (h < 0)
            return (size_t)(jr_bad(r, i, "invalid \\u escape"), 0);
        if (u < 0xD800 || u > 0xDFFF)
            return 6;
        if (u >= 0xDC00)
            return (size_t)(jr_fail(r, OR_JR_E_SYNTAX, i, "lone UTF-16 surrogate escape"), 0);
        /* a high surrogate: a low one must follow */
        if (i + 6 >= n || (s[i + 6] == '\\' && i + 7 >= n))
            return (size_t)(jr_truncated(r), 0);
        if (s[i + 6] != '\\' || s[i + 7] != 'u')
            return (size_t)(jr_fail(r, OR_JR_E_SYNTAX, i, "lone UTF-16 surrogate escape"), 0);
        h = jr_hex4(s, i + 8, n, &lo);
        if (h == -2)
            return (size_t)(jr_truncated(r), 0);
        if (h < 0)
            return (size_t)(jr_bad(r, i + 6, "invalid \\u escape"), 0);
        if (lo < 0xDC00 || lo > 0xDFFF)
            return (size_t)(jr_fail(r, OR_JR_E_SYNTAX, i, "lone UTF-16 surrogate escape"), 0);
        return 12;
    }
    default:
        return (size_t)(jr_bad(r, i, "invalid escape"), 0);
    }
}

/* Scans a string whose contents start at s[i] (just after the opening
 * quote), validating it; *close is the offset of the closing quote. */
static int jr_scan_string(or_jr *r, size_t i, size_t *close, int *escaped)
{
    const unsigned char *s = (const unsigned char *)r->s;
    size_t n = r->n;
    int esc = 0;
    for (;;) {
        while (i + 8 <= n) {
            uint64_t m = or_swar_string_special(or_swar_load8(s + i));
            if (m) {
                i += OR_SWAR_FIRST(m);
                break;
            }
            i += 8;
        }
        if (i >= n)
            return jr_truncated(r);
        unsigned c = s[i];
        if (c == '"') {
            *close = i;
            *escaped = esc;
            return 0;
        }
        if (c == '\\') {
            size_t k = jr_escape(r, i);
            if (!k)
                return -1;
            esc = 1;
            i += k;
        } else if (c < 0x20) {
            return jr_bad(r, i, "control character in string");
        } else if (c < 0x80) {
            i++;
        } else {
            size_t k = or_utf8_seq(s + i, n - i);
            if (!k) {
                size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
                if (c >= 0xC2 && c < 0xF5 && n - i < need) {
                    /* cut short by the end of the text, if what is there fits */
                    size_t j = i + 1;
                    while (j < n && (s[j] & 0xC0) == 0x80)
                        j++;
                    if (j == n)
                        return jr_truncated(r);
                }
                return jr_fail(r, OR_JR_E_SYNTAX, i, "invalid UTF-8");
            }
            i += k;
        }
    }
}

int or_jr_string(or_jr *r, or_jr_str *out)
{
    size_t close;
    int esc;
    if (jr_scan_string(r, r->pos + 1, &close, &esc) != 0)
        return -1;
    out->start = r->pos + 1;
    out->len = close - out->start;
    out->escaped = esc;
    r->pos = close + 1;
    return 0;
}

static inline size_t jr_put_utf8(char *d, unsigned cp)
{
    if (cp < 0x80) {
        d[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        d[0] = (char)(0xC0 | cp >> 6);
        d[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        d[0] = (char)(0xE0 | cp >> 12);
        d[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        d[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    d[0] = (char)(0xF0 | cp >> 18);
    d[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    d[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    d[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static unsigned jr_hexval(const unsigned char *p)
{
    unsigned v = 0;
    jr_hex4(p, 0, 4, &v);
    return v;
}

size_t or_jr_unescape(const char *src, size_t len, char *dst)
{
    const unsigned char *s = (const unsigned char *)src;
    size_t i = 0, o = 0;
    while (i < len) {
        const unsigned char *bs = memchr(s + i, '\\', len - i);
        size_t run = bs ? (size_t)(bs - (s + i)) : len - i;
        memcpy(dst + o, s + i, run);
        o += run;
        i += run;
        if (!bs)
            break;
        unsigned char e = s[i + 1];
        i += 2;
        switch (e) {
        case 'b': dst[o++] = '\b'; break;
        case 'f': dst[o++] = '\f'; break;
        case 'n': dst[o++] = '\n'; break;
        case 'r': dst[o++] = '\r'; break;
        case 't': dst[o++] = '\t'; break;
        case 'u': {
            unsigned cp = jr_hexval(s + i);
            i += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) { /* validated: a low surrogate follows */
                unsigned lo = jr_hexval(s + i + 2);
                i += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            o += jr_put_utf8(dst + o, cp);
            break;
        }
        default: dst[o++] = (char)e; break; /* " \ / */
        }
    }
    return o;
}

/* ======================================================================
 * Numbers
 * ====================================================================== */

#define JR_MANT_DIGITS 19 /* decimal digits that always fit in a uint64_t */
#define JR_EXP_CAP 100000000 /* |exponent| saturates here: far beyond any double */

int or_jr_number(or_jr *r, or_jr_num *num)
{
    const unsigned char *s = (const unsigned char *)r->s;
    size_t n = r->n, i = r->pos, start = i;
    uint64_t mant = 0;
    int64_t nsig = 0, exp10 = 0;
    int inexact = 0, is_int = 1, neg = 0;
    if (s[i] == '-') {
        neg = 1;
        if (++i >= n)
            return jr_truncated(r);
    }
    if (s[i] == '0') {
        i++;
    } else if ((unsigned)s[i] - '1' < 9u) {
        for (; i < n && jr_digit(s[i]); i++) {
            if (nsig < JR_MANT_DIGITS) {
                mant = mant * 10 + (s[i] - '0');
                nsig++;
            } else {
                exp10++;
                inexact |= s[i] != '0';
                nsig++;
            }
        }
    } else {
        return jr_bad(r, s[i] == 'I' ? i : start,
                      s[i] == 'I' ? "NaN and Infinity are not JSON" : "invalid number");
    }
    if (i < n && s[i] == '.') {
        is_int = 0;
        if (++i >= n)
            return jr_truncated(r);
        if (!jr_digit(s[i]))
            return jr_bad(r, start, "invalid number");
        for (; i < n && jr_digit(s[i]); i++) {
            if (nsig < JR_MANT_DIGITS) {
                mant = mant * 10 + (s[i] - '0');
                exp10--;
                if (mant)
                    nsig++;
            } else {
                inexact |= s[i] != '0';
                nsig++;
            }
        }
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        is_int = 0;
        int eneg = 0;
        if (++i >= n)
            return jr_truncated(r);
        if (s[i] == '+' || s[i] == '-') {
            eneg = s[i] == '-';
            if (++i >= n)
                return jr_truncated(r);
        }
        if (!jr_digit(s[i]))
            return jr_bad(r, start, "invalid number");
        int64_t e = 0;
        for (; i < n && jr_digit(s[i]); i++)
            if (e < JR_EXP_CAP)
                e = e * 10 + (s[i] - '0');
        exp10 += eneg ? -e : e;
    }
    if (i < n && (jr_digit(s[i]) || s[i] == '.' || s[i] == 'e' || s[i] == 'E' || s[i] == '+' || s[i] == '-'))
        return jr_bad(r, start, "invalid number"); /* "01", "1.5.2", "1e5e" */
    num->start = start;
    num->len = i - start;
    num->neg = neg;
    num->is_int = is_int;
    num->mant = mant;
    num->nsig = nsig;
    num->exp10 = exp10;
    num->inexact = inexact;
    r->pos = i;
    return 0;
}

/* Magnitude of an integer literal (no fraction, no exponent); 0, or 1 if
 * it does not fit in 64 bits. */
static int jr_u64(const char *text, const or_jr_num *num, uint64_t *out)
{
    const char *p = text + num->start + num->neg, *end = text + num->start + num->len;
    uint64_t u = 0;
    for (; p < end; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (u > (UINT64_MAX - d) / 10)
            return 1;
        u = u * 10 + d;
    }
    *out = u;
    return 0;
}

int or_jr_num_int(const or_jr *r, const or_jr_num *num, int64_t lo, int64_t hi, int64_t *out)
{
    uint64_t mag;
    if (num->is_int) {
        if (jr_u64(r->s, num, &mag) != 0)
            return OR_JR_NUM_RANGE;
    } else if (num->inexact) {
        /* 20 or more significant digits: a whole number that long is
         * above 2^63, anything else has a fraction. */
        return num->exp10 > 0 ? OR_JR_NUM_RANGE : OR_JR_NUM_FRACTION;
    } else {
        mag = num->mant;
        int64_t e = num->exp10;
        if (mag == 0) {
            e = 0;
        }
        while (e < 0 && mag % 10 == 0) {
            mag /= 10;
            e++;
        }
        if (e < 0)
            return OR_JR_NUM_FRACTION;
        for (; e > 0; e--) {
            if (mag > UINT64_MAX / 10)
                return OR_JR_NUM_RANGE;
            mag *= 10;
        }
    }
    if (num->neg) {
        /* -mag >= lo, without overflowing for lo = INT64_MIN */
        uint64_t lim = lo < 0 ? (uint64_t)(-(lo + 1)) + 1 : 0;
        if (mag > lim)
            return OR_JR_NUM_RANGE;
        int64_t v = mag == 0 ? 0 : -(int64_t)(mag - 1) - 1;
        if (v > hi)
            return OR_JR_NUM_RANGE;
        *out = v;
        return 0;
    }
    if (hi < 0 || mag > (uint64_t)hi || (int64_t)mag < lo)
        return OR_JR_NUM_RANGE;
    *out = (int64_t)mag;
    return 0;
}

static const double jr_pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                  1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

int or_jr_num_double(const or_jr *r, const or_jr_num *num, double *out)
{
    if (num->is_int) {
        /* Integer literals keep the range the json-c based decoder gave
         * them: -(2^63-1) .. 2^64-2 (json-c saturated anything beyond to
         * INT64_MIN / UINT64_MAX). "-0" is 0. */
        uint64_t mag;
        if (jr_u64(r->s, num, &mag) != 0)
            return OR_JR_NUM_RANGE;
        if (num->neg) {
            if (mag > (uint64_t)INT64_MAX)
                return OR_JR_NUM_RANGE;
            *out = (double)-(int64_t)mag;
        } else {
            if (mag == UINT64_MAX)
                return OR_JR_NUM_RANGE;
            *out = (double)mag;
        }
        return 0;
    }
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
    /* Exact fast path (Clinger): an integer below 2^53 times or divided by
     * an exactly representable power of ten rounds once, correctly. */
    if (!num->inexact && num->mant <= ((uint64_t)1 << 53) && num->exp10 >= -22 && num->exp10 <= 22) {
        double d = (double)num->mant;
        d = num->exp10 < 0 ? d / jr_pow10[-num->exp10] : d * jr_pow10[num->exp10];
        *out = num->neg ? -d : d;
        return 0;
    }
#endif
    /* Everything else goes to strtod, rewritten without a decimal point
     * ("12.5e3" -> "125e2"), so the locale's decimal separator, whatever
     * the host application set it to, does not matter. */
    char local[96];
    size_t cap = num->len + 32;
    char *buf = cap <= sizeof local ? local : or_malloc(cap);
    if (!buf)
        return OR_JR_NUM_NOMEM;
    const char *p = r->s + num->start, *end = p + num->len;
    size_t o = 0;
    int64_t frac = 0, e = 0;
    if (*p == '-')
        buf[o++] = *p++;
    for (; p < end && jr_digit((unsigned char)*p); p++)
        buf[o++] = *p;
    if (p < end && *p == '.')
        for (p++; p < end && jr_digit((unsigned char)*p); p++, frac++)
            buf[o++] = *p;
    if (p < end && (*p == 'e' || *p == 'E')) {
        int eneg = 0;
        p++;
        if (*p == '+' || *p == '-')
            eneg = *p++ == '-';
        for (; p < end && jr_digit((unsigned char)*p); p++)
            if (e < JR_EXP_CAP)
                e = e * 10 + (*p - '0');
        if (eneg)
            e = -e;
    }
    snprintf(buf + o, cap - o, "e%lld", (long long)(e - frac));
    double d = strtod(buf, NULL);
    if (buf != local)
        or_free(buf);
    if (!isfinite(d))
        return OR_JR_NUM_RANGE;
    *out = d;
    return 0;
}

/* ======================================================================
 * Skipping and the array pre-scan
 * ====================================================================== */

int or_jr_skip(or_jr *r)
{
    const unsigned char *s = (const unsigned char *)r->s;
    size_t n = r->n, i = r->pos;
    int base = r->depth, depth = base;
    /* bit k of `objects`: the container opened at depth base + k + 1 is an
     * object; deeper than 64 levels below base, `stack` keeps them. */
    uint64_t stack[OR_JR_MAX_DEPTH / 64];
    or_jtok t;

value:
    i = jr_skip_ws(s, i, n);
    if ((t = jr_value_start(r, i, depth)) == OR_JT_ERROR)
        return -1;
    switch (t) {
    case OR_JT_STRING: {
        size_t close;
        int esc;
        if (jr_scan_string(r, i + 1, &close, &esc) != 0)
            return -1;
        i = close + 1;
        break;
    }
    case OR_JT_NUMBER: {
        or_jr_num num;
        r->pos = i;
        if (or_jr_number(r, &num) != 0)
            return -1;
        i = r->pos;
        break;
    }
    case OR_JT_TRUE:
    case OR_JT_FALSE:
    case OR_JT_NULL:
        r->pos = i;
        if (or_jr_literal(r, t) != 0)
            return -1;
        i = r->pos;
        break;
    case OR_JT_ARRAY:
    case OR_JT_OBJECT: {
        int k = depth - base; /* < OR_JR_MAX_DEPTH: jr_value_start checked */
        if (t == OR_JT_OBJECT)
            stack[k >> 6] |= (uint64_t)1 << (k & 63);
        else
            stack[k >> 6] &= ~((uint64_t)1 << (k & 63));
        depth++;
        i = jr_skip_ws(s, i + 1, n);
        if (i >= n)
            return jr_truncated(r);
        if (s[i] == (t == OR_JT_OBJECT ? '}' : ']')) {
            i++;
            depth--;
            break;
        }
        if (t == OR_JT_ARRAY)
            goto value;
        goto key;
    }
    default:
        return -1;
    }

    /* after a value */
    for (;;) {
        if (depth == base) {
            r->pos = i;
            return 0;
        }
        int k = depth - base - 1;
        int in_object = (int)(stack[k >> 6] >> (k & 63) & 1);
        i = jr_skip_ws(s, i, n);
        if (i >= n)
            return jr_truncated(r);
        if (s[i] == ',') {
            i = jr_skip_ws(s, i + 1, n);
            if (in_object)
                goto key;
            goto value;
        }
        if (s[i] != (in_object ? '}' : ']'))
            return jr_bad(r, i, in_object ? "expected ',' or '}'" : "expected ',' or ']'");
        i++;
        depth--;
    }

key:
    if (i >= n)
        return jr_truncated(r);
    if (s[i] != '"')
        return jr_bad(r, i, "expected a string key");
    {
        size_t close;
        int esc;
        if (jr_scan_string(r, i + 1, &close, &esc) != 0)
            return -1;
        i = jr_skip_ws(s, close + 1, n);
    }
    if (i >= n)
        return jr_truncated(r);
    if (s[i] != ':')
        return jr_bad(r, i, "expected ':'");
    i++;
    goto value;
}

static const unsigned char jr_struct[256] = {
    ['"'] = 1, ['['] = 2, ['{'] = 2, [']'] = 3, ['}'] = 3, [','] = 4,
};

size_t or_jr_count_items(const or_jr *r)
{
    /* r->pos is just after '[' or '{'. Not a validation: it trusts the
     * brackets and quotes, and the decoder, which validates everything,
     * never reads more items than this counted. */
    const unsigned char *s = (const unsigned char *)r->s;
    size_t n = r->n, i = jr_skip_ws(s, r->pos, n);
    if (i >= n || s[i] == ']' || s[i] == '}')
        return 0;
    size_t items = 1, depth = 0;
    while (i < n) {
        switch (jr_struct[s[i]]) {
        case 0:
            i++;
            continue;
        case 1: /* a string: find its closing quote */
            i++;
            for (;;) {
                while (i + 8 <= n) {
                    uint64_t m = or_swar_quote_or_backslash(or_swar_load8(s + i));
                    if (m) {
                        i += OR_SWAR_FIRST(m);
                        break;
                    }
                    i += 8;
                }
                if (i >= n)
                    return items;
                if (s[i] == '"') {
                    i++;
                    break;
                }
                i += s[i] == '\\' ? 2 : 1;
            }
            continue;
        case 2:
            depth++;
            i++;
            continue;
        case 3:
            if (depth == 0)
                return items;
            depth--;
            i++;
            continue;
        default:
            items += depth == 0;
            i++;
            continue;
        }
    }
    return items;
}

/* ======================================================================
 * Compact copy
 * ====================================================================== */

size_t or_jr_compact(const char *src, size_t len, char *dst)
{
    size_t o = 0, i = 0;
    while (i < len) {
        char c = src[i];
        if (c == '"') {
            size_t j = i + 1;
            while (j < len && src[j] != '"')
                j += src[j] == '\\' ? 2 : 1;
            j = j < len ? j + 1 : len;
            memcpy(dst + o, src + i, j - i);
            o += j - i;
            i = j;
        } else {
            if (!jr_space[(unsigned char)c])
                dst[o++] = c;
            i++;
        }
    }
    return o;
}

int or_jr_validate(or_jr *r)
{
    if (or_jr_skip(r) != 0)
        return -1;
    return or_jr_end(r);
}
