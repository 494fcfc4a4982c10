/* openrouter-c: a growable byte buffer, always NUL-terminated. */
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* After every write: the high-water mark or_buf_wipe covers. */
static void note_len(or_buf *b)
{
    if (b->len > b->high)
        b->high = b->len;
}

int or_buf_reserve(or_buf *b, size_t extra)
{
    if (extra > SIZE_MAX - b->len - 1)
        return -1;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    /* Not realloc: the old block may hold a secret (a request body, a
     * created key's response) and must be wiped before it is released. */
    char *p = or_malloc(cap);
    if (!p)
        return -1;
    if (b->data) {
        memcpy(p, b->data, b->len + 1);
        or_wipe(b->data, b->cap);
        or_free(b->data);
    }
    b->data = p;
    b->cap = cap;
    return 0;
}

int or_buf_append(or_buf *b, const void *p, size_t n)
{
    if (or_buf_reserve(b, n) != 0)
        return -1;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    note_len(b);
    return 0;
}

int or_buf_puts(or_buf *b, const char *s)
{
    return or_buf_append(b, s, strlen(s));
}

int or_buf_printf(or_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || or_buf_reserve(b, (size_t)n) != 0)
        return -1;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    note_len(b);
    return 0;
}

void or_buf_reset(or_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void or_buf_free(or_buf *b)
{
    /* Buffers carry request bodies and responses that may hold secrets. */
    or_wipe(b->data, b->cap);
    or_free(b->data);
    b->data = NULL;
    b->len = b->cap = b->high = 0;
}

void or_buf_wipe(or_buf *b)
{
    note_len(b);
    if (b->data)
        or_wipe(b->data, b->high < b->cap ? b->high + 1 : b->cap); /* + its NUL */
    b->high = 0;
    or_buf_reset(b);
}

int or_buf_json_string(or_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    if (!or_utf8_valid(s, n))
        return -2;
    /* Worst case every byte becomes \u00XX. */
    if (n > (SIZE_MAX - 2) / 6 || or_buf_reserve(b, n * 6 + 2) != 0)
        return -1;
    char *out = b->data + b->len;
    *out++ = '"';
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': *out++ = '\\'; *out++ = '"'; break;
        case '\\': *out++ = '\\'; *out++ = '\\'; break;
        case '\n': *out++ = '\\'; *out++ = 'n'; break;
        case '\r': *out++ = '\\'; *out++ = 'r'; break;
        case '\t': *out++ = '\\'; *out++ = 't'; break;
        case '\b': *out++ = '\\'; *out++ = 'b'; break;
        case '\f': *out++ = '\\'; *out++ = 'f'; break;
        default:
            if (c < 0x20) {
                *out++ = '\\'; *out++ = 'u'; *out++ = '0'; *out++ = '0';
                *out++ = hex[c >> 4]; *out++ = hex[c & 15];
            } else {
                *out++ = (char)c;
            }
        }
    }
    *out++ = '"';
    b->len = (size_t)(out - b->data);
    b->data[b->len] = '\0';
    note_len(b);
    return 0;
}
