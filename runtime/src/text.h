/* openrouter-c: text and number helpers (text.c), shared by the reader,
 * the codec and the buffers. Private; included through internal.h. */
#ifndef OPENROUTER_TEXT_H
#define OPENROUTER_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* Length of the valid UTF-8 sequence at p (p[0] >= 0x80, `avail` bytes
 * readable), or 0 if it is invalid: overlong, surrogate, above U+10FFFF
 * or cut short. Inline: the reader calls it for every non-ASCII
 * character of every string. */
static inline size_t or_utf8_seq(const unsigned char *p, size_t avail)
{
    unsigned c = p[0];
    if (c < 0xC2)
        return 0;
    if (c < 0xE0)
        return avail >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c < 0xF0) {
        if (avail < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
            return 0;
        if (c == 0xE0 && p[1] < 0xA0)
            return 0; /* overlong */
        if (c == 0xED && p[1] > 0x9F)
            return 0; /* UTF-16 surrogate */
        return 3;
    }
    if (c < 0xF5) {
        if (avail < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
            return 0;
        if (c == 0xF0 && p[1] < 0x90)
            return 0; /* overlong */
        if (c == 0xF4 && p[1] > 0x8F)
            return 0; /* above U+10FFFF */
        return 4;
    }
    return 0;
}

/* Nonzero if s[0..n) is valid UTF-8 (NUL bytes allowed). NULL is valid
 * only with n == 0. */
int or_utf8_valid(const char *s, size_t n);

/* Code points in s[0..n), or -1 if it is not valid UTF-8. */
int64_t or_utf8_length(const char *s, size_t n);

/* Formats a double the shortest way that round-trips ("75", "0.1"),
 * locale-independently. Returns the length, or -1 (NaN/Inf, too small). */
int or_format_double(double v, char *buf, size_t size);

#endif
