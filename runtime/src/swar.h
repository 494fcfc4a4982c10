/* openrouter-c: word-at-a-time byte tests shared by the JSON scanners
 * (json_reader.c, text.c). Not installed. */
#ifndef OPENROUTER_SWAR_H
#define OPENROUTER_SWAR_H

#include <stdint.h>
#include <string.h>

#define OR_SWAR_ONES 0x0101010101010101ull
#define OR_SWAR_HIGHS 0x8080808080808080ull

static inline uint64_t or_swar_load8(const unsigned char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

/* Bit 7 of each byte of the result is set for bytes of w that are < 0x20,
 * '"', '\\' or >= 0x80. The lowest set bit is always exact (borrows only
 * spoil bytes above a true hit), so on little-endian machines its index
 * finds the first such byte. */
static inline uint64_t or_swar_string_special(uint64_t w)
{
    uint64_t q = w ^ (OR_SWAR_ONES * '"');
    uint64_t b = w ^ (OR_SWAR_ONES * '\\');
    uint64_t lt = (w - OR_SWAR_ONES * 0x20) & ~w;
    uint64_t zq = (q - OR_SWAR_ONES) & ~q;
    uint64_t zb = (b - OR_SWAR_ONES) & ~b;
    return (lt | zq | zb | w) & OR_SWAR_HIGHS;
}

/* Same for '"' and '\\' only. */
static inline uint64_t or_swar_quote_or_backslash(uint64_t w)
{
    uint64_t q = w ^ (OR_SWAR_ONES * '"');
    uint64_t b = w ^ (OR_SWAR_ONES * '\\');
    return (((q - OR_SWAR_ONES) & ~q) | ((b - OR_SWAR_ONES) & ~b)) & OR_SWAR_HIGHS;
}

/* Index of the first flagged byte; 0 where that cannot be computed, in
 * which case the caller's byte loop finds the hit. */
#if (defined(__GNUC__) || defined(__clang__)) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define OR_SWAR_FIRST(m) ((size_t)__builtin_ctzll(m) >> 3)
#else
#define OR_SWAR_FIRST(m) ((size_t)0)
#endif

#endif
