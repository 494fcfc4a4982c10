/* openrouter-c: the one JSON codec, driven by the descriptor tables.
 *
 * Decoding: one pass over the text with the strict reader of
 * json_reader.c (no json-c tree), writing every value straight into an
 * ARENA that belongs to the model: blocks of up to 60 KiB (one for a
 * typical response; a large array gets a block of its own, sized exactly
 * from a pre-scan), all wiped and released together by
 * openrouter_model_free(), which finds the arena header just before the
 * model. Any failure midway frees everything. Encoding writes compact
 * JSON straight into an or_buf, validating as it goes; on any error the
 * partial output is wiped and dropped. or_json_parse (json-c, strict) is
 * kept for the error-body parser and for checking JSON-kind values when
 * encoding.
 *
 * Decisions a caller may care about:
 *  - Decoding is liberal: unknown members are ignored; a member that is
 *    JSON null but not declared nullable still decodes as OPENROUTER_NULL
 *    (servers send null for optional fields more often than specs admit),
 *    unless or_decode_options.strict_required is set, which also makes a
 *    missing required field an error. Length and min/max constraints are
 *    checked when encoding, not when decoding.
 *  - Integer range: INT64 fields accept [-(2^63-1), 2^63-1] (-2^63 stays
 *    refused, as when json-c saturated to it). Integers are checked from
 *    the literal's digits, exactly: 5.0, 1e3 and 0.5e1 are accepted when
 *    in range; 0.5 and 1e-400 have a fraction; nothing is rounded through
 *    a double or clamped.
 *  - NUMBER: correctly rounded, never infinite (1e400 is "out of range",
 *    1e-400 is 0); an integer literal must lie in -(2^63-1) .. 2^64-2, the
 *    range the json-c based decoder could hold ("-0" is 0, "-0.0" is -0.0).
 *  - JSON-kind members keep the value as received, with the whitespace
 *    outside strings removed (escapes, number spellings and duplicate
 *    members are not rewritten).
 *  - Duplicate members: the last one wins, but each must decode; a map
 *    entry keeps the position of its key's first occurrence. A map key
 *    holding \u0000 is refused (a C string cannot hold it).
 *  - String min_length/max_length count Unicode code points (as JSON
 *    Schema does); array and map constraints count items.
 *  - Error messages and error->field name fields, types and lengths, never
 *    string values (they may be secrets). Paths look like "data[3].limit";
 *    map entries appear as "metadata.key". Encoding paths start at the
 *    model ("external.api_key"); call.c may prefix "body.".
 *  - A JSON value -0.0 is written as 0.
 *  - Depth limits (or_json_parse's and the decoder's max_depth) count
 *    nested values as json-c does, the innermost scalar included: [[1]] is
 *    3 deep, [[]] is 2.
 *  - When a document is both invalid JSON and wrong for the model, the
 *    JSON error is reported. */
#include <ctype.h>
#include <math.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/printbuf.h>

#include "internal.h"
#include "swar.h"

/* Tokens up to this long never make json-c's token buffer reallocate. */
#define OR_TOKEN_BUF_MAX ((size_t)64 * 1024)

/* Slot layouts shared by every generated array and map (see descriptor.h). */
typedef struct or_array_slot {
    openrouter_presence state;
    void *items;
    size_t count;
} or_array_slot;

typedef struct or_map_slot {
    openrouter_presence state;
    void *entries;
    size_t count;
} or_map_slot;

typedef struct or_object_slot {
    openrouter_presence state;
} or_object_slot;

/* ======================================================================
 * UTF-8
 * ====================================================================== */

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

/* Code points in valid UTF-8, or -1 if invalid. */
static int64_t utf8_length(const char *s, size_t n)
{
    if (!or_utf8_valid(s, n))
        return -1;
    int64_t count = 0;
    for (size_t i = 0; i < n; i++)
        count += ((unsigned char)s[i] & 0xC0) != 0x80;
    return count;
}

/* ======================================================================
 * Numbers
 * ====================================================================== */

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

/* ======================================================================
 * Strict JSON parsing
 * ====================================================================== */

/* What may follow outside strings, once json-c has accepted the text. */
enum { SC_BAD = 0, SC_SKIP, SC_STRING, SC_NUMBER, SC_NANINF };
static const unsigned char scan_class[256] = {
    /* everything not listed is SC_BAD (0) */
    [' '] = SC_SKIP, ['\t'] = SC_SKIP, ['\n'] = SC_SKIP, ['\r'] = SC_SKIP,
    ['{'] = SC_SKIP, ['}'] = SC_SKIP, ['['] = SC_SKIP, [']'] = SC_SKIP, [','] = SC_SKIP, [':'] = SC_SKIP,
    ['t'] = SC_SKIP, ['r'] = SC_SKIP, ['u'] = SC_SKIP, ['e'] = SC_SKIP, /* true */
    ['f'] = SC_SKIP, ['a'] = SC_SKIP, ['l'] = SC_SKIP, ['s'] = SC_SKIP, ['n'] = SC_SKIP, /* false null */
    ['"'] = SC_STRING,
    ['-'] = SC_NUMBER, ['0'] = SC_NUMBER, ['1'] = SC_NUMBER, ['2'] = SC_NUMBER, ['3'] = SC_NUMBER,
    ['4'] = SC_NUMBER, ['5'] = SC_NUMBER, ['6'] = SC_NUMBER, ['7'] = SC_NUMBER, ['8'] = SC_NUMBER,
    ['9'] = SC_NUMBER,
    ['N'] = SC_NANINF, ['I'] = SC_NANINF,
};

static inline int is_digit(unsigned char c)
{
    return (unsigned)(c - '0') < 10;
}

/* The value of the 4 hex digits at p (json-c validated them), or 0. */
static unsigned escape_u16(const unsigned char *p)
{
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        unsigned c = p[k];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= c - '0';
        else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
            v |= (c | 0x20) - 'a' + 10;
        else
            return 0;
    }
    return v;
}

/* Checks what json-c lets through in strict mode, over the text it parsed:
 * raw control characters in strings, strict UTF-8 (no overlongs,
 * surrogates or code points above U+10FFFF; no lone surrogate escapes such
 * as "\\ud800", which json-c would turn into U+FFFD), NaN/Infinity, numbers such as
 * "1.", "-.5" or "01" inside containers, single quotes and whitespace
 * other than the four JSON allows. Returns 0, or -1 with *bad and *why. */
static int json_scan(const char *text, size_t n, size_t *bad, const char **why)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    while (i < n) {
        switch (scan_class[s[i]]) {
        case SC_SKIP:
            i++;
            continue;
        case SC_STRING:
            i++;
            for (;;) {
                while (n - i >= 8) {
                    uint64_t m = or_swar_string_special(or_swar_load8(s + i));
                    if (m) {
                        i += OR_SWAR_FIRST(m);
                        break;
                    }
                    i += 8;
                }
                if (i >= n)
                    return 0;
                unsigned c = s[i];
                if (c == '"') {
                    i++;
                    break;
                }
                if (c == '\\') {
                    /* json-c checked the escape, but turns a lone UTF-16
                     * surrogate into U+FFFD: refuse it instead of
                     * silently changing the text. */
                    unsigned u = i + 6 <= n && s[i + 1] == 'u' ? escape_u16(s + i + 2) : 0;
                    if (u >= 0xDC00 && u <= 0xDFFF) {
                        *bad = i;
                        *why = "lone UTF-16 surrogate escape";
                        return -1;
                    }
                    if (u >= 0xD800 && u <= 0xDBFF) {
                        unsigned lo = i + 12 <= n && s[i + 6] == '\\' && s[i + 7] == 'u'
                                          ? escape_u16(s + i + 8) : 0;
                        if (!(lo >= 0xDC00 && lo <= 0xDFFF)) {
                            *bad = i;
                            *why = "lone UTF-16 surrogate escape";
                            return -1;
                        }
                        i += 12;
                        continue;
                    }
                    i += 2;
                } else if (c < 0x20) {
                    *bad = i;
                    *why = "control character in string";
                    return -1;
                } else if (c < 0x80) {
                    i++;
                } else {
                    size_t k = or_utf8_seq(s + i, n - i);
                    if (!k) {
                        *bad = i;
                        *why = "invalid UTF-8";
                        return -1;
                    }
                    i += k;
                }
            }
            continue;
        case SC_NUMBER: {
            size_t start = i;
            if (s[i] == '-')
                i++;
            if (i < n && s[i] == '0')
                i++;
            else if (i < n && s[i] >= '1' && s[i] <= '9')
                while (++i < n && is_digit(s[i]))
                    ;
            else
                goto bad_number;
            if (i < n && s[i] == '.') {
                if (!(++i < n && is_digit(s[i])))
                    goto bad_number;
                while (++i < n && is_digit(s[i]))
                    ;
            }
            if (i < n && (s[i] == 'e' || s[i] == 'E')) {
                if (++i < n && (s[i] == '+' || s[i] == '-'))
                    i++;
                if (!(i < n && is_digit(s[i])))
                    goto bad_number;
                while (++i < n && is_digit(s[i]))
                    ;
            }
            if (i < n && (is_digit(s[i]) || s[i] == '.'))
                goto bad_number; /* "01", "1.5.2" */
            continue;
        bad_number:
            *bad = start;
            *why = "invalid number";
            return -1;
        }
        case SC_NANINF:
            *bad = i;
            *why = "NaN and Infinity are not JSON";
            return -1;
        default:
            *bad = i;
            *why = "unexpected character";
            return -1;
        }
    }
    return 0;
}

static int is_json_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Zeroes every string and object key of a parsed tree, then releases it.
 * json-c frees without wiping, and a response may hold a created key's
 * secret. json_object_get_string() returns const char *, but json-c keeps
 * string values in writable memory it owns (inline in the object in 0.14+),
 * and lh_table_free() does not hash keys again while freeing them. */
static void wipe_tree(json_object *v, int depth)
{
    if (!v || depth > 4 * OR_DEFAULT_MAX_DEPTH)
        return;
    switch (json_object_get_type(v)) {
    case json_type_string:
        or_wipe((char *)json_object_get_string(v), (size_t)json_object_get_string_len(v));
        break;
    case json_type_array: {
        size_t n = json_object_array_length(v);
        for (size_t i = 0; i < n; i++)
            wipe_tree(json_object_array_get_idx(v, i), depth + 1);
        break;
    }
    case json_type_object: {
        for (struct lh_entry *e = lh_table_head(json_object_get_object(v)); e; e = lh_entry_next(e)) {
            wipe_tree((json_object *)lh_entry_v(e), depth + 1);
            if (!lh_entry_k_is_constant(e))
                or_wipe((char *)lh_entry_k(e), strlen((const char *)lh_entry_k(e)));
        }
        break;
    }
    default:
        break;
    }
}

void or_json_put_wiped(json_object *root)
{
    if (!root)
        return;
    wipe_tree(root, 0);
    json_object_put(root);
}

int or_json_parse(const char *json, size_t len, int max_depth, json_object **out,
                  openrouter_error *error)
{
    if (out)
        *out = NULL;
    if (!out || (!json && len))
        return or_error_set(error, OPENROUTER_EINVAL, "or_json_parse: invalid arguments");
    if (max_depth <= 0)
        max_depth = OR_DEFAULT_MAX_DEPTH;
    if (len > (size_t)INT32_MAX - 1)
        return or_error_set(error, OPENROUTER_EDECODE, "JSON too large (%zu bytes)", len);
    size_t k = 0;
    while (k < len && is_json_space(json[k]))
        k++;
    if (k == len)
        return or_error_set(error, OPENROUTER_EDECODE, "empty JSON document");
    const char *nul = memchr(json, '\0', len);
    if (nul)
        return or_error_set(error, OPENROUTER_EDECODE, "NUL byte in JSON at offset %zu",
                            (size_t)(nul - json));

    struct json_tokener *tok = json_tokener_new_ex(max_depth);
    if (!tok)
        return or_error_set(error, OPENROUTER_ENOMEM, "out of memory");
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_ALLOW_TRAILING_CHARS);
    /* json-c accumulates every string token in tok->pb, grows it with
     * realloc and frees it unwiped. Sized up front, no token shorter than
     * OR_TOKEN_BUF_MAX (a secret) is ever left behind in a block released
     * by realloc, and the buffer is wiped before json_tokener_free. */
    if (tok->pb) {
        size_t presize = len + 1 < OR_TOKEN_BUF_MAX ? len + 1 : OR_TOKEN_BUF_MAX;
        if (printbuf_memset(tok->pb, 0, 0, (int)presize) < 0) {
            json_tokener_free(tok);
            return or_error_set(error, OPENROUTER_ENOMEM, "out of memory");
        }
        printbuf_reset(tok->pb);
    }
    json_object *root = json_tokener_parse_ex(tok, json, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t end = json_tokener_get_parse_end(tok);
    if (jerr == json_tokener_continue) {
        /* All input consumed without a complete value: a bare number at
         * the very end needs a terminator to finish; anything else is cut. */
        root = json_tokener_parse_ex(tok, "", 1);
        jerr = json_tokener_get_error(tok);
        end = len;
    }
    if (tok->pb && tok->pb->buf)
        or_wipe(tok->pb->buf, (size_t)tok->pb->size);
    json_tokener_free(tok);
    if (jerr != json_tokener_success) {
        if (root)
            or_json_put_wiped(root);
        if (jerr == json_tokener_continue || jerr == json_tokener_error_parse_eof)
            return or_error_set(error, OPENROUTER_EDECODE, "truncated JSON at offset %zu", end);
        if (jerr == json_tokener_error_depth)
            return or_error_set(error, OPENROUTER_EDECODE,
                                "JSON nested deeper than %d levels at offset %zu", max_depth, end);
        return or_error_set(error, OPENROUTER_EDECODE, "invalid JSON at offset %zu: %s", end,
                            json_tokener_error_desc(jerr));
    }
    for (size_t i = end; i < len; i++) {
        if (!is_json_space(json[i])) {
            or_json_put_wiped(root);
            return or_error_set(error, OPENROUTER_EDECODE, "trailing data after JSON at offset %zu", i);
        }
    }
    size_t bad = 0;
    const char *why = NULL;
    if (json_scan(json, end, &bad, &why) != 0) {
        or_json_put_wiped(root);
        return or_error_set(error, OPENROUTER_EDECODE, "invalid JSON at offset %zu: %s", bad, why);
    }
    *out = root;
    return OPENROUTER_OK;
}

/* ======================================================================
 * Field paths, built only when an error is reported
 * ====================================================================== */

static size_t path_write(const or_path *p, char *buf, size_t size, size_t pos)
{
    if (!p)
        return pos;
    pos = path_write(p->up, buf, size, pos);
    if (pos >= size)
        return pos;
    int n;
    if (p->name)
        n = snprintf(buf + pos, size - pos, "%s%s", pos ? "." : "", p->name);
    else
        n = snprintf(buf + pos, size - pos, "[%zu]", p->index);
    return n < 0 ? size : pos + (size_t)n;
}

static void path_format(const or_path *p, char *buf, size_t size)
{
    buf[0] = '\0';
    path_write(p, buf, size, 0);
}

/* Reports "<path>: <message>" with error->field = path. */
static int path_error(openrouter_error *error, openrouter_status kind, const or_path *p,
                      const char *fmt, ...) OR_PRINTF(4, 5);
static int path_error(openrouter_error *error, openrouter_status kind, const or_path *p,
                      const char *fmt, ...)
{
    if (!error)
        return kind;
    char path[sizeof error->field];
    char msg[OPENROUTER_ERROR_MESSAGE_SIZE];
    path_format(p, path, sizeof path);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (path[0])
        return or_error_set_field(error, kind, path, "%s: %s", path, msg);
    return or_error_set_field(error, kind, "", "%s", msg);
}

/* ======================================================================
 * Arena
 * ====================================================================== */

#define OR_ARENA_MAGIC 0x6f72414eu /* "orAN" */
#define OR_ALIGN (alignof(max_align_t))
#define OR_ROUND(n) (((n) + OR_ALIGN - 1) & ~(size_t)(OR_ALIGN - 1))
/* Regular blocks stay below glibc's FASTBIN_CONSOLIDATION_THRESHOLD (64 KiB):
 * freeing a bigger block makes free() consolidate every small chunk json-c
 * just released, which costs more than a few extra mallocs. Requests that
 * do not fit (a large array) get a block of their own. */
#define OR_BLOCK_MAX ((size_t)60 * 1024)
#define OR_BLOCK_MIN ((size_t)1024)

typedef struct or_chunk {
    struct or_chunk *next;
    size_t used; /* bytes used after the header, for wiping */
} or_chunk;

/* Lives at the start of the first block; the model follows it. */
typedef struct or_arena {
    unsigned magic;
    or_chunk *chunks;   /* further blocks, newest first */
    or_chunk *current;  /* block `cur` points into; NULL: the first block */
    char *cur, *end;    /* free space in the current block */
    size_t first_used;  /* bytes of the first block in use, once left */
    size_t next_cap;    /* size of the next regular block */
} or_arena;

#define OR_ARENA_HDR OR_ROUND(sizeof(or_arena))
#define OR_CHUNK_HDR OR_ROUND(sizeof(or_chunk))

static or_arena *arena_new(size_t cap)
{
    or_arena *a = or_malloc(cap);
    if (!a)
        return NULL;
    a->magic = OR_ARENA_MAGIC;
    a->chunks = NULL;
    a->current = NULL;
    a->cur = (char *)a + OR_ARENA_HDR;
    a->end = (char *)a + cap;
    a->first_used = 0;
    a->next_cap = cap < OR_BLOCK_MAX / 2 ? cap * 2 : OR_BLOCK_MAX;
    return a;
}

/* Wipes every byte handed out, then frees every block. */
static void arena_free(or_arena *a)
{
    if (!a)
        return;
    if (a->current)
        a->current->used = (size_t)(a->cur - ((char *)a->current + OR_CHUNK_HDR));
    else
        a->first_used = (size_t)(a->cur - (char *)a);
    or_chunk *c = a->chunks;
    while (c) {
        or_chunk *next = c->next;
        or_wipe((char *)c + OR_CHUNK_HDR, c->used);
        or_free(c);
        c = next;
    }
    or_wipe(a, a->first_used);
    or_free(a);
}

static void *arena_grow(or_arena *a, size_t n, size_t align)
{
    if (n > SIZE_MAX / 2)
        return NULL;
    size_t need = OR_CHUNK_HDR + n + align;
    int dedicated = need > a->next_cap;
    size_t cap = dedicated ? need : a->next_cap;
    or_chunk *c = or_malloc(cap);
    if (!c)
        return NULL;
    c->next = a->chunks;
    a->chunks = c;
    char *data = (char *)c + OR_CHUNK_HDR;
    uintptr_t p = ((uintptr_t)data + (align - 1)) & ~(uintptr_t)(align - 1);
    if (dedicated) {
        /* The current block keeps serving small requests. */
        c->used = (size_t)((char *)p + n - data);
        return (void *)p;
    }
    if (a->current)
        a->current->used = (size_t)(a->cur - ((char *)a->current + OR_CHUNK_HDR));
    else
        a->first_used = (size_t)(a->cur - (char *)a);
    c->used = 0;
    a->current = c;
    a->cur = (char *)p + n;
    a->end = (char *)c + cap;
    if (a->next_cap < OR_BLOCK_MAX)
        a->next_cap = a->next_cap < OR_BLOCK_MAX / 2 ? a->next_cap * 2 : OR_BLOCK_MAX;
    return (void *)p;
}

static inline void *arena_alloc(or_arena *a, size_t n, size_t align)
{
    uintptr_t p = ((uintptr_t)a->cur + (align - 1)) & ~(uintptr_t)(align - 1);
    if (p <= (uintptr_t)a->end && n <= (uintptr_t)a->end - p) {
        a->cur = (char *)p + n;
        return (void *)p;
    }
    return arena_grow(a, n, align);
}

static inline void *arena_zalloc(or_arena *a, size_t n)
{
    void *p = arena_alloc(a, n, OR_ALIGN);
    if (p)
        memset(p, 0, n);
    return p;
}

static inline char *arena_strndup(or_arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1, 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

void openrouter_model_free(void *model)
{
    if (!model)
        return;
    or_arena *a = (or_arena *)((char *)model - OR_ARENA_HDR);
    if (a->magic != OR_ARENA_MAGIC)
        return; /* not a model this library returned: leave it alone */
    a->magic = 0;
    arena_free(a);
}

void openrouter_buffer_free(char *buf)
{
    if (!buf)
        return;
    or_wipe(buf, strlen(buf));
    or_free(buf);
}

/* ======================================================================
 * Slot helpers
 * ====================================================================== */

/* OBJECT slots are { openrouter_presence state; T value; } except array
 * items and map values, which are the bare struct (slot_size equals the
 * struct's size); the value is the slot's last slot_size - object->size
 * bytes (see descriptor.h). */
static inline int object_is_bare(const openrouter_type_desc *t)
{
    return t->slot_size <= t->object->size;
}

static inline size_t object_value_offset(const openrouter_type_desc *t)
{
    return t->slot_size - t->object->size;
}

static inline int has_state(const openrouter_type_desc *t)
{
    return !(t->kind == OPENROUTER_KIND_OBJECT && object_is_bare(t));
}

static inline openrouter_presence slot_state(const openrouter_type_desc *t, const void *slot)
{
    return has_state(t) ? *(const openrouter_presence *)slot : OPENROUTER_PRESENT;
}

static const char *kind_expects(openrouter_kind k)
{
    switch (k) {
    case OPENROUTER_KIND_STRING:
    case OPENROUTER_KIND_DATETIME:
    case OPENROUTER_KIND_ENUM: return "string";
    case OPENROUTER_KIND_BOOL: return "boolean";
    case OPENROUTER_KIND_INT32:
    case OPENROUTER_KIND_INT64: return "integer";
    case OPENROUTER_KIND_NUMBER: return "number";
    case OPENROUTER_KIND_OBJECT:
    case OPENROUTER_KIND_MAP: return "object";
    case OPENROUTER_KIND_ARRAY: return "array";
    case OPENROUTER_KIND_JSON: return "JSON value";
    }
    return "?";
}

static const char *tok_label(or_jtok t)
{
    switch (t) {
    case OR_JT_NULL: return "null";
    case OR_JT_TRUE:
    case OR_JT_FALSE: return "boolean";
    case OR_JT_NUMBER: return "number";
    case OR_JT_OBJECT: return "object";
    case OR_JT_ARRAY: return "array";
    case OR_JT_STRING: return "string";
    case OR_JT_ERROR: break;
    }
    return "?";
}

/* ======================================================================
 * Decoding: a single pass over the text with the strict reader of
 * json_reader.c, writing every value straight into the model's arena.
 *
 *  - Members are matched against the object's field table (in table
 *    order from the field after the last match, so the usual
 *    server-ordered object costs one comparison per member). Unknown and
 *    write-only members are skipped, but still validated.
 *  - Arrays and maps are counted first by a quick pre-scan of their text,
 *    so their items are allocated once, at their exact size.
 *  - Strings without escapes are copied as they are; escaped ones are
 *    decoded into the arena.
 *  - JSON-kind members keep the value as received, whitespace outside
 *    strings removed (escapes and number spellings are not rewritten).
 *  - Duplicate members: the last one wins (as json-c did), but every
 *    occurrence must decode; for maps, the entry keeps its first position.
 *  - When a document is both invalid JSON and wrong for the model, the
 *    JSON error is reported (as when json-c parsed first): a model error
 *    is only reported after the whole text validated.
 * ====================================================================== */

typedef struct or_dec {
    or_arena *arena;
    or_jr *r;
    int strict;
    openrouter_error *error;
} or_dec;

/* Internal result: the reader holds a JSON syntax error. */
#define OR_DEC_SYNTAX 1

static int dec_object(or_dec *d, const openrouter_object_desc *od, char *base, const or_path *p);

static int dec_nomem(or_dec *d)
{
    return or_error_set(d->error, OPENROUTER_ENOMEM, "out of memory");
}

static int dec_type_error(or_dec *d, const or_path *p, const openrouter_type_desc *t, or_jtok got)
{
    return path_error(d->error, OPENROUTER_EDECODE, p, "expected %s, got %s", kind_expects(t->kind),
                      tok_label(got));
}

/* Reads the string the reader is at into the arena, NUL-terminated. */
static int dec_string(or_dec *d, const or_path *p, char **out, size_t *len_out)
{
    or_jr_str js;
    if (or_jr_string(d->r, &js) != 0)
        return OR_DEC_SYNTAX;
    const char *raw = d->r->s + js.start;
    char *copy = arena_alloc(d->arena, js.len + 1, 1);
    if (!copy)
        return dec_nomem(d);
    size_t n = js.len;
    if (js.escaped) {
        n = or_jr_unescape(raw, js.len, copy);
        if (memchr(copy, '\0', n))
            return path_error(d->error, OPENROUTER_EDECODE, p, "string contains a NUL character");
        if (d->arena->cur == copy + js.len + 1)
            d->arena->cur = copy + n + 1;
    } else {
        memcpy(copy, raw, n);
    }
    copy[n] = '\0';
    *out = copy;
    if (len_out)
        *len_out = n;
    return 0;
}

static int dec_integer(or_dec *d, const or_path *p, or_jtok tok, int64_t lo, int64_t hi, int64_t *out)
{
    if (tok != OR_JT_NUMBER)
        return path_error(d->error, OPENROUTER_EDECODE, p, "expected integer, got %s", tok_label(tok));
    or_jr_num num;
    if (or_jr_number(d->r, &num) != 0)
        return OR_DEC_SYNTAX;
    switch (or_jr_num_int(d->r, &num, lo, hi, out)) {
    case 0:
        return 0;
    case OR_JR_NUM_FRACTION:
        return path_error(d->error, OPENROUTER_EDECODE, p, "expected integer, got number with a fraction");
    default:
        return path_error(d->error, OPENROUTER_EDECODE, p, "integer out of range");
    }
}

/* Map entries with the same key: the last value wins, at the position of
 * the first (what json-c's object did). Finds them through a temporary
 * hash index, so a hostile map with many keys stays linear. Returns 0 or
 * ENOMEM. */
static int dec_map_dedupe(or_dec *d, const openrouter_type_desc *t, or_map_slot *m)
{
    size_t n = m->count;
    if (n < 2)
        return 0;
    size_t cap = 4;
    while (cap < n * 2)
        cap *= 2;
    size_t *index = or_calloc(cap, sizeof *index); /* entry number + 1; 0 = empty */
    if (!index)
        return dec_nomem(d);
    char *entries = m->entries;
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        char *e = entries + i * t->entry_size;
        const unsigned char *k = *(unsigned char **)e;
        size_t h = 1469598103934665603u;
        for (const unsigned char *q = k; *q; q++)
            h = (h ^ *q) * 1099511628211u;
        size_t slot = h & (cap - 1);
        for (;;) {
            if (!index[slot]) {
                /* a new key: moves down over the dropped duplicates */
                char *dst = entries + kept * t->entry_size;
                if (dst != e)
                    memcpy(dst, e, t->entry_size);
                index[slot] = ++kept;
                break;
            }
            char *prev = entries + (index[slot] - 1) * t->entry_size;
            if (strcmp(*(char **)prev, (const char *)k) == 0) {
                memcpy(prev + t->map_value_offset, e + t->map_value_offset, t->entry_size - t->map_value_offset);
                break;
            }
            slot = (slot + 1) & (cap - 1);
        }
    }
    or_free(index);
    if (kept < n)
        memset(entries + kept * t->entry_size, 0, (n - kept) * t->entry_size);
    m->count = kept;
    return 0;
}

/* Decodes the next value of the text into `slot` of type t. */
static int dec_value(or_dec *d, const openrouter_type_desc *t, unsigned flags, char *slot, const or_path *p)
{
    or_jr *r = d->r;
    or_jtok tok = or_jr_peek(r);
    int rc;
    if (tok == OR_JT_ERROR)
        return OR_DEC_SYNTAX;
    if (tok == OR_JT_NULL) {
        if (or_jr_literal(r, tok) != 0)
            return OR_DEC_SYNTAX;
        if (d->strict && !(flags & OPENROUTER_F_NULLABLE))
            return path_error(d->error, OPENROUTER_EDECODE, p, "null not allowed");
        if (has_state(t))
            *(openrouter_presence *)slot = OPENROUTER_NULL;
        /* A bare object item cannot say null: it stays all-absent. */
        return 0;
    }
    switch (t->kind) {
    case OPENROUTER_KIND_STRING:
    case OPENROUTER_KIND_DATETIME: {
        if (tok != OR_JT_STRING)
            return dec_type_error(d, p, t, tok);
        openrouter_string *s = (openrouter_string *)slot;
        if ((rc = dec_string(d, p, &s->value, NULL)) != 0)
            return rc;
        if (t->kind == OPENROUTER_KIND_DATETIME && openrouter_datetime_parse(s->value, NULL, NULL) != 0)
            return path_error(d->error, OPENROUTER_EDECODE, p, "invalid date-time (expected RFC 3339)");
        s->state = OPENROUTER_PRESENT;
        return 0;
    }
    case OPENROUTER_KIND_BOOL:
        if (tok != OR_JT_TRUE && tok != OR_JT_FALSE)
            return dec_type_error(d, p, t, tok);
        if (or_jr_literal(r, tok) != 0)
            return OR_DEC_SYNTAX;
        ((openrouter_bool *)slot)->value = tok == OR_JT_TRUE;
        ((openrouter_bool *)slot)->state = OPENROUTER_PRESENT;
        return 0;
    case OPENROUTER_KIND_INT32: {
        int64_t x;
        if ((rc = dec_integer(d, p, tok, INT32_MIN, INT32_MAX, &x)) != 0)
            return rc;
        ((openrouter_int32 *)slot)->value = (int32_t)x;
        ((openrouter_int32 *)slot)->state = OPENROUTER_PRESENT;
        return 0;
    }
    case OPENROUTER_KIND_INT64: {
        /* -(2^63-1) .. 2^63-1: the range json-c could tell apart (see the
         * file comment); kept. */
        int64_t x;
        if ((rc = dec_integer(d, p, tok, -INT64_MAX, INT64_MAX, &x)) != 0)
            return rc;
        ((openrouter_int64 *)slot)->value = x;
        ((openrouter_int64 *)slot)->state = OPENROUTER_PRESENT;
        return 0;
    }
    case OPENROUTER_KIND_NUMBER: {
        if (tok != OR_JT_NUMBER)
            return dec_type_error(d, p, t, tok);
        or_jr_num num;
        double f;
        if (or_jr_number(r, &num) != 0)
            return OR_DEC_SYNTAX;
        switch (or_jr_num_double(r, &num, &f)) {
        case 0:
            break;
        case OR_JR_NUM_NOMEM:
            return dec_nomem(d);
        default:
            return path_error(d->error, OPENROUTER_EDECODE, p, "number out of range");
        }
        ((openrouter_number *)slot)->value = f;
        ((openrouter_number *)slot)->state = OPENROUTER_PRESENT;
        return 0;
    }
    case OPENROUTER_KIND_ENUM: {
        if (tok != OR_JT_STRING)
            return dec_type_error(d, p, t, tok);
        openrouter_enum_value *e = (openrouter_enum_value *)slot;
        size_t n;
        if ((rc = dec_string(d, p, &e->text, &n)) != 0)
            return rc;
        e->value = 0; /* unknown to this version: keep the text */
        const openrouter_enum_desc *ed = t->enumeration;
        for (size_t i = 0; ed && i < ed->count; i++) {
            const char *c = ed->values[i];
            if (c[0] == e->text[0] && strcmp(c, e->text) == 0) {
                e->value = (int)(i + 1);
                break;
            }
        }
        e->state = OPENROUTER_PRESENT;
        return 0;
    }
    case OPENROUTER_KIND_JSON: {
        size_t start = r->pos;
        if (or_jr_skip(r) != 0)
            return OR_DEC_SYNTAX;
        size_t n = r->pos - start;
        openrouter_json *j = (openrouter_json *)slot;
        char *text = arena_alloc(d->arena, n + 1, 1);
        if (!text)
            return dec_nomem(d);
        size_t m = or_jr_compact(r->s + start, n, text);
        text[m] = '\0';
        if (d->arena->cur == text + n + 1)
            d->arena->cur = text + m + 1;
        j->value = text;
        j->state = OPENROUTER_PRESENT;
        return 0;
    }
    case OPENROUTER_KIND_OBJECT:
        if (tok != OR_JT_OBJECT)
            return dec_type_error(d, p, t, tok);
        if (!object_is_bare(t)) {
            *(openrouter_presence *)slot = OPENROUTER_PRESENT;
            slot += object_value_offset(t);
        }
        or_jr_begin(r);
        return dec_object(d, t->object, slot, p);
    case OPENROUTER_KIND_ARRAY: {
        if (tok != OR_JT_ARRAY)
            return dec_type_error(d, p, t, tok);
        or_array_slot *a = (or_array_slot *)slot;
        const openrouter_type_desc *it = t->item;
        or_jr_begin(r);
        size_t n = or_jr_count_items(r);
        char *items = NULL;
        if (n) {
            if (n > SIZE_MAX / it->slot_size || !(items = arena_zalloc(d->arena, n * it->slot_size)))
                return dec_nomem(d);
        }
        a->state = OPENROUTER_PRESENT;
        a->items = items;
        a->count = 0;
        for (size_t i = 0;; i++) {
            int more = or_jr_item(r, i);
            if (more < 0)
                return OR_DEC_SYNTAX;
            if (!more)
                break;
            or_path ip = {p, NULL, i};
            if (i >= n) /* only invalid JSON gets here: it fails validation */
                return path_error(d->error, OPENROUTER_EDECODE, &ip, "more items than the array holds");
            a->count = i + 1;
            if ((rc = dec_value(d, it, t->item_flags, items + i * it->slot_size, &ip)) != 0)
                return rc;
        }
        if (!a->count)
            a->items = NULL;
        return 0;
    }
    case OPENROUTER_KIND_MAP: {
        if (tok != OR_JT_OBJECT)
            return dec_type_error(d, p, t, tok);
        or_map_slot *m = (or_map_slot *)slot;
        or_jr_begin(r);
        size_t n = or_jr_count_items(r);
        char *entries = NULL;
        if (n) {
            if (n > SIZE_MAX / t->entry_size || !(entries = arena_zalloc(d->arena, n * t->entry_size)))
                return dec_nomem(d);
        }
        m->state = OPENROUTER_PRESENT;
        m->entries = entries;
        m->count = 0;
        for (size_t i = 0;; i++) {
            or_jr_str key;
            int more = or_jr_member(r, i, &key);
            if (more < 0)
                return OR_DEC_SYNTAX;
            if (!more)
                break;
            or_path ip = {p, NULL, i};
            if (i >= n)
                return path_error(d->error, OPENROUTER_EDECODE, &ip, "more entries than the map holds");
            char *entry = entries + i * t->entry_size;
            char *kcopy = arena_alloc(d->arena, key.len + 1, 1);
            if (!kcopy)
                return dec_nomem(d);
            size_t kn = key.len;
            if (key.escaped)
                kn = or_jr_unescape(r->s + key.start, key.len, kcopy);
            else
                memcpy(kcopy, r->s + key.start, kn);
            kcopy[kn] = '\0';
            if (memchr(kcopy, '\0', kn))
                return path_error(d->error, OPENROUTER_EDECODE, &ip, "map key contains a NUL character");
            *(char **)entry = kcopy;
            m->count = i + 1;
            or_path kp = {p, kcopy, 0};
            if ((rc = dec_value(d, t->item, t->item_flags, entry + t->map_value_offset, &kp)) != 0)
                return rc;
        }
        if (!m->count)
            m->entries = NULL;
        return dec_map_dedupe(d, t, m);
    }
    }
    return path_error(d->error, OPENROUTER_EDECODE, p, "unsupported kind %d in descriptor", (int)t->kind);
}

/* The field named by `key` (raw text of length n, no escapes), searching
 * from *hint; NULL if none. */
static const openrouter_field_desc *find_field(const openrouter_object_desc *od, const char *key, size_t n,
                                               size_t *hint)
{
    size_t count = od->n_fields, i = *hint;
    for (size_t tried = 0; tried < count; tried++, i = i + 1 == count ? 0 : i + 1) {
        const char *name = od->fields[i].json_name;
        if (name[0] != (n ? key[0] : '\0'))
            continue;
        size_t k = 0;
        while (k < n && name[k] && name[k] == key[k])
            k++;
        if (k == n && name[n] == '\0') {
            *hint = i + 1 == count ? 0 : i + 1;
            return &od->fields[i];
        }
    }
    return NULL;
}

/* Decodes the members of the object the reader has just entered. */
static int dec_object(or_dec *d, const openrouter_object_desc *od, char *base, const or_path *p)
{
    or_jr *r = d->r;
    size_t hint = 0;
    char keybuf[128];
    for (size_t i = 0;; i++) {
        or_jr_str key;
        int more = or_jr_member(r, i, &key);
        if (more < 0)
            return OR_DEC_SYNTAX;
        if (!more)
            break;
        const char *k = r->s + key.start;
        size_t kn = key.len;
        const openrouter_field_desc *f = NULL;
        if (!key.escaped) {
            f = find_field(od, k, kn, &hint);
        } else if (kn <= sizeof keybuf) {
            /* "\u0068ash" is "hash"; a key that needs more room than
             * keybuf names no field of a generated model. */
            kn = or_jr_unescape(k, kn, keybuf);
            f = find_field(od, keybuf, kn, &hint);
        }
        if (!f || (f->flags & OPENROUTER_F_WRITE_ONLY)) {
            if (or_jr_skip(r) != 0)
                return OR_DEC_SYNTAX;
            continue;
        }
        char *slot = base + f->offset;
        if (!has_state(f->type) || *(openrouter_presence *)slot != OPENROUTER_ABSENT)
            memset(slot, 0, f->type->slot_size); /* a duplicate member: the last one wins */
        or_path fp = {p, f->json_name, 0};
        int rc = dec_value(d, f->type, f->flags, slot, &fp);
        if (rc)
            return rc;
    }
    if (d->strict) {
        const openrouter_field_desc *f = od->fields;
        for (size_t i = 0; i < od->n_fields; i++, f++) {
            if ((f->flags & (OPENROUTER_F_REQUIRED | OPENROUTER_F_WRITE_ONLY)) == OPENROUTER_F_REQUIRED &&
                slot_state(f->type, base + f->offset) == OPENROUTER_ABSENT) {
                or_path fp = {p, f->json_name, 0};
                return path_error(d->error, OPENROUTER_EDECODE, &fp, "required field missing");
            }
        }
    }
    return 0;
}

int or_model_decode(const openrouter_object_desc *desc, const char *json, size_t len,
                    const or_decode_options *options, void **out, openrouter_error *error)
{
    if (out)
        *out = NULL;
    if (!desc || !out || (!json && len) || desc->size > SIZE_MAX / 4)
        return or_error_set(error, OPENROUTER_EINVAL, "decode: invalid arguments");
    int max_depth = options ? options->max_depth : 0;
    or_jr r;
    or_jr_init(&r, json, len, max_depth);
    or_jtok tok = or_jr_peek(&r);
    if (tok == OR_JT_ERROR)
        return or_jr_error(&r, error);
    if (tok != OR_JT_OBJECT) {
        if (or_jr_validate(&r) != 0)
            return or_jr_error(&r, error);
        return or_error_set_field(error, OPENROUTER_EDECODE, "", "expected a JSON object for %s, got %s",
                                  desc->name ? desc->name : "model", tok_label(tok));
    }
    /* Decoded models are usually about as big as their JSON: the first
     * block is sized from it (within OR_BLOCK_MIN..OR_BLOCK_MAX, and always
     * big enough for the model itself); large arrays get blocks of their
     * own, so the arena ends up close to the model's actual size. */
    size_t cap = len + len / 2;
    if (cap < OR_BLOCK_MIN)
        cap = OR_BLOCK_MIN;
    if (cap > OR_BLOCK_MAX)
        cap = OR_BLOCK_MAX;
    if (cap < OR_ARENA_HDR + OR_ROUND(desc->size) + 256)
        cap = OR_ARENA_HDR + OR_ROUND(desc->size) + 256;
    or_arena *arena = arena_new(cap);
    if (!arena)
        return or_error_set(error, OPENROUTER_ENOMEM, "out of memory");
    /* The model is the first allocation, right after the header. */
    char *model = arena_zalloc(arena, desc->size);
    or_dec d = {arena, &r, options ? options->strict_required : 0, error};
    or_jr_begin(&r);
    int rc = dec_object(&d, desc, model, NULL);
    if (rc == 0 && or_jr_end(&r) != 0)
        rc = OR_DEC_SYNTAX;
    if (rc) {
        arena_free(arena);
        if (rc == OR_DEC_SYNTAX)
            return or_jr_error(&r, error);
        if (rc == OPENROUTER_EDECODE) {
            /* Invalid JSON is reported as such, wherever the model went
             * wrong first. */
            or_jr check;
            or_jr_init(&check, json, len, max_depth);
            if (or_jr_validate(&check) != 0)
                return or_jr_error(&check, error);
        }
        return rc;
    }
    *out = model;
    return OPENROUTER_OK;
}

int openrouter_model_decode(const openrouter_object_desc *desc, const char *json, size_t len,
                            void **out, openrouter_error *error)
{
    or_decode_options options = {0, 0};
    return or_model_decode(desc, json, len, &options, out, error);
}

/* ======================================================================
 * Encoding
 * ====================================================================== */

typedef struct or_enc {
    or_buf *b;
    openrouter_error *error;
} or_enc;

static const or_limits no_limits = {0, -1, -1, 0, 0};

static int enc_nomem(or_enc *e)
{
    return or_error_set(e->error, OPENROUTER_ENOMEM, "out of memory");
}

static int check_length(openrouter_error *error, const or_path *p, const or_limits *lim, int64_t n,
                        const char *unit)
{
    if (lim->min_length >= 0 && n < lim->min_length)
        return path_error(error, OPENROUTER_EINVAL, p, "%lld %s, below the minimum of %lld", (long long)n,
                          unit, (long long)lim->min_length);
    if (lim->max_length >= 0 && n > lim->max_length)
        return path_error(error, OPENROUTER_EINVAL, p, "%lld %s, above the maximum of %lld", (long long)n,
                          unit, (long long)lim->max_length);
    return 0;
}

int or_check_range(openrouter_error *error, const or_path *p, const or_limits *lim, double v)
{
    char num[32];
    if ((lim->flags & OPENROUTER_F_HAS_MINIMUM) && v < lim->minimum) {
        if (or_format_double(lim->minimum, num, sizeof num) < 0)
            snprintf(num, sizeof num, "%g", lim->minimum);
        return path_error(error, OPENROUTER_EINVAL, p, "must be >= %s", num);
    }
    if ((lim->flags & OPENROUTER_F_HAS_MAXIMUM) && v > lim->maximum) {
        if (or_format_double(lim->maximum, num, sizeof num) < 0)
            snprintf(num, sizeof num, "%g", lim->maximum);
        return path_error(error, OPENROUTER_EINVAL, p, "must be <= %s", num);
    }
    return 0;
}

/* Checks a string value: present, valid UTF-8, length in code points. */
int or_check_string(openrouter_error *error, const or_path *p, const or_limits *lim, const char *s)
{
    if (!s)
        return path_error(error, OPENROUTER_EINVAL, p, "value is NULL");
    int64_t n = utf8_length(s, strlen(s));
    if (n < 0)
        return path_error(error, OPENROUTER_EINVAL, p, "not valid UTF-8");
    return check_length(error, p, lim, n, "characters");
}

int or_check_datetime(openrouter_error *error, const or_path *p, unsigned flags, const char *s)
{
    int offset = 0;
    if (openrouter_datetime_parse(s, NULL, &offset) != 0)
        return path_error(error, OPENROUTER_EINVAL, p, "invalid date-time (expected RFC 3339)");
    if (flags & OPENROUTER_F_UTC_ONLY) {
        size_t n = strlen(s);
        if (offset != 0 || n == 0 || s[n - 1] != 'Z')
            return path_error(error, OPENROUTER_EINVAL, p, "must be a UTC time ending in Z");
    }
    return 0;
}

/* Text of an enum slot to send, or NULL with the error set. */
const char *or_enum_text(openrouter_error *error, const or_path *p, const openrouter_type_desc *t,
                         const openrouter_enum_value *ev)
{
    const openrouter_enum_desc *ed = t->enumeration;
    if (ev->value > 0 && ed && (size_t)ev->value <= ed->count)
        return ed->values[ev->value - 1];
    if (ev->value == 0 && ev->text) {
        if (!or_utf8_valid(ev->text, strlen(ev->text))) {
            path_error(error, OPENROUTER_EINVAL, p, "not valid UTF-8");
            return NULL;
        }
        return ev->text;
    }
    if (ev->value == 0)
        path_error(error, OPENROUTER_EINVAL, p, "enum value not set (value 0 and no text)");
    else
        path_error(error, OPENROUTER_EINVAL, p, "invalid value %d for enum %s", ev->value,
                   ed && ed->name ? ed->name : "?");
    return NULL;
}

static int enc_append(or_enc *e, const char *s, size_t n)
{
    return or_buf_append(e->b, s, n) == 0 ? 0 : enc_nomem(e);
}

static int enc_json_string(or_enc *e, const or_path *p, const char *s, size_t n)
{
    int r = or_buf_json_string(e->b, s, n);
    if (r == -2)
        return path_error(e->error, OPENROUTER_EINVAL, p, "not valid UTF-8");
    return r == 0 ? 0 : enc_nomem(e);
}

static int enc_object(or_enc *e, const openrouter_object_desc *od, const char *base, const or_path *p,
                      int depth);

/* Encodes a slot whose state is PRESENT (or a bare object). */
static int enc_present(or_enc *e, const openrouter_type_desc *t, const or_limits *lim, const char *slot,
                       const or_path *p, int depth)
{
    char num[40];
    int rc;
    switch (t->kind) {
    case OPENROUTER_KIND_STRING: {
        const char *s = ((const openrouter_string *)slot)->value;
        if ((rc = or_check_string(e->error, p, lim, s)) != 0)
            return rc;
        return enc_json_string(e, p, s, strlen(s));
    }
    case OPENROUTER_KIND_DATETIME: {
        const char *s = ((const openrouter_string *)slot)->value;
        if ((rc = or_check_string(e->error, p, lim, s)) != 0 ||
            (rc = or_check_datetime(e->error, p, lim->flags, s)) != 0)
            return rc;
        return enc_json_string(e, p, s, strlen(s));
    }
    case OPENROUTER_KIND_BOOL:
        return ((const openrouter_bool *)slot)->value ? enc_append(e, "true", 4) : enc_append(e, "false", 5);
    case OPENROUTER_KIND_INT32:
    case OPENROUTER_KIND_INT64: {
        int64_t v = t->kind == OPENROUTER_KIND_INT32 ? ((const openrouter_int32 *)slot)->value
                                                     : ((const openrouter_int64 *)slot)->value;
        if ((rc = or_check_range(e->error, p, lim, (double)v)) != 0)
            return rc;
        int n = snprintf(num, sizeof num, "%lld", (long long)v);
        return enc_append(e, num, (size_t)n);
    }
    case OPENROUTER_KIND_NUMBER: {
        double v = ((const openrouter_number *)slot)->value;
        if (!isfinite(v))
            return path_error(e->error, OPENROUTER_EINVAL, p, "not a finite number");
        if ((rc = or_check_range(e->error, p, lim, v)) != 0)
            return rc;
        int n = or_format_double(v, num, sizeof num);
        if (n < 0)
            return path_error(e->error, OPENROUTER_EINVAL, p, "cannot format number");
        return enc_append(e, num, (size_t)n);
    }
    case OPENROUTER_KIND_ENUM: {
        const char *s = or_enum_text(e->error, p, t, (const openrouter_enum_value *)slot);
        if (!s)
            return OPENROUTER_EINVAL;
        return enc_json_string(e, p, s, strlen(s));
    }
    case OPENROUTER_KIND_JSON: {
        const char *s = ((const openrouter_json *)slot)->value;
        if (!s)
            return path_error(e->error, OPENROUTER_EINVAL, p, "value is NULL");
        size_t n = strlen(s);
        json_object *tmp = NULL;
        openrouter_error scratch = OPENROUTER_ERROR_INIT;
        rc = or_json_parse(s, n, OR_DEFAULT_MAX_DEPTH, &tmp, &scratch);
        if (tmp)
            or_json_put_wiped(tmp);
        if (rc) {
            rc = path_error(e->error, rc == OPENROUTER_ENOMEM ? OPENROUTER_ENOMEM : OPENROUTER_EINVAL, p,
                            "invalid JSON value: %s", scratch.message);
            openrouter_error_clear(&scratch);
            return rc;
        }
        return enc_append(e, s, n);
    }
    case OPENROUTER_KIND_OBJECT:
        if (!object_is_bare(t))
            slot += object_value_offset(t);
        return enc_object(e, t->object, slot, p, depth + 1);
    case OPENROUTER_KIND_ARRAY: {
        const or_array_slot *a = (const or_array_slot *)slot;
        if (a->count && !a->items)
            return path_error(e->error, OPENROUTER_EINVAL, p, "items is NULL but count is %zu", a->count);
        if ((rc = check_length(e->error, p, lim, (int64_t)a->count, "items")) != 0)
            return rc;
        if (depth >= OR_DEFAULT_MAX_DEPTH)
            return path_error(e->error, OPENROUTER_EINVAL, p, "nested too deeply");
        const openrouter_type_desc *it = t->item;
        if ((rc = enc_append(e, "[", 1)) != 0)
            return rc;
        for (size_t i = 0; i < a->count; i++) {
            or_path ip = {p, NULL, i};
            const char *islot = (const char *)a->items + i * it->slot_size;
            if (i && (rc = enc_append(e, ",", 1)) != 0)
                return rc;
            openrouter_presence st = slot_state(it, islot);
            if (st == OPENROUTER_PRESENT) {
                rc = enc_present(e, it, &no_limits, islot, &ip, depth + 1);
            } else if (st == OPENROUTER_NULL) {
                rc = (t->item_flags & OPENROUTER_F_NULLABLE)
                         ? enc_append(e, "null", 4)
                         : path_error(e->error, OPENROUTER_EINVAL, &ip, "null not allowed");
            } else {
                rc = path_error(e->error, OPENROUTER_EINVAL, &ip, "array item not set (state %s)",
                                st == OPENROUTER_ABSENT ? "ABSENT" : "invalid");
            }
            if (rc)
                return rc;
        }
        return enc_append(e, "]", 1);
    }
    case OPENROUTER_KIND_MAP: {
        const or_map_slot *m = (const or_map_slot *)slot;
        if (m->count && !m->entries)
            return path_error(e->error, OPENROUTER_EINVAL, p, "entries is NULL but count is %zu", m->count);
        if ((rc = check_length(e->error, p, lim, (int64_t)m->count, "entries")) != 0)
            return rc;
        if (depth >= OR_DEFAULT_MAX_DEPTH)
            return path_error(e->error, OPENROUTER_EINVAL, p, "nested too deeply");
        const openrouter_type_desc *it = t->item;
        if ((rc = enc_append(e, "{", 1)) != 0)
            return rc;
        for (size_t i = 0; i < m->count; i++) {
            const char *entry = (const char *)m->entries + i * t->entry_size;
            const char *key = *(char *const *)entry;
            const char *vslot = entry + t->map_value_offset;
            or_path ip = {p, NULL, i};
            if (!key)
                return path_error(e->error, OPENROUTER_EINVAL, &ip, "map key is NULL");
            size_t kn = strlen(key);
            if (!or_utf8_valid(key, kn))
                return path_error(e->error, OPENROUTER_EINVAL, &ip, "map key is not valid UTF-8");
            or_path kp = {p, key, 0};
            if ((i && (rc = enc_append(e, ",", 1)) != 0) || (rc = enc_json_string(e, &kp, key, kn)) != 0 ||
                (rc = enc_append(e, ":", 1)) != 0)
                return rc;
            openrouter_presence st = slot_state(it, vslot);
            if (st == OPENROUTER_PRESENT) {
                rc = enc_present(e, it, &no_limits, vslot, &kp, depth + 1);
            } else if (st == OPENROUTER_NULL) {
                rc = (t->item_flags & OPENROUTER_F_NULLABLE)
                         ? enc_append(e, "null", 4)
                         : path_error(e->error, OPENROUTER_EINVAL, &kp, "null not allowed");
            } else {
                rc = path_error(e->error, OPENROUTER_EINVAL, &kp, "map value not set");
            }
            if (rc)
                return rc;
        }
        return enc_append(e, "}", 1);
    }
    }
    return path_error(e->error, OPENROUTER_EINVAL, p, "unsupported kind %d in descriptor", (int)t->kind);
}

static int enc_object(or_enc *e, const openrouter_object_desc *od, const char *base, const or_path *p,
                      int depth)
{
    if (depth > OR_DEFAULT_MAX_DEPTH)
        return path_error(e->error, OPENROUTER_EINVAL, p, "nested too deeply");
    int rc = enc_append(e, "{", 1);
    int first = 1;
    if (rc)
        return rc;
    const openrouter_field_desc *f = od->fields;
    for (size_t i = 0; i < od->n_fields; i++, f++) {
        if (f->flags & OPENROUTER_F_READ_ONLY)
            continue;
        const char *slot = base + f->offset;
        or_path fp = {p, f->json_name, 0};
        openrouter_presence st = slot_state(f->type, slot);
        if (st == OPENROUTER_ABSENT) {
            if (f->flags & OPENROUTER_F_REQUIRED)
                return path_error(e->error, OPENROUTER_EINVAL, &fp, "required field missing");
            continue;
        }
        if (st != OPENROUTER_NULL && st != OPENROUTER_PRESENT)
            return path_error(e->error, OPENROUTER_EINVAL, &fp, "invalid presence state %d", (int)st);
        if (st == OPENROUTER_NULL && !(f->flags & OPENROUTER_F_NULLABLE))
            return path_error(e->error, OPENROUTER_EINVAL, &fp, "null not allowed");
        if (!first && (rc = enc_append(e, ",", 1)) != 0)
            return rc;
        first = 0;
        if ((rc = enc_json_string(e, &fp, f->json_name, strlen(f->json_name))) != 0 ||
            (rc = enc_append(e, ":", 1)) != 0)
            return rc;
        if (st == OPENROUTER_NULL) {
            rc = enc_append(e, "null", 4);
        } else {
            or_limits lim = {f->flags, f->min_length, f->max_length, f->minimum, f->maximum};
            rc = enc_present(e, f->type, &lim, slot, &fp, depth);
        }
        if (rc)
            return rc;
    }
    return enc_append(e, "}", 1);
}

int or_model_encode(const openrouter_object_desc *desc, const void *model, or_buf *out,
                    openrouter_error *error)
{
    if (!desc || !model || !out)
        return or_error_set(error, OPENROUTER_EINVAL, "encode: invalid arguments");
    size_t start = out->len;
    or_enc e = {out, error};
    int rc = enc_object(&e, desc, model, NULL, 0);
    if (rc && out->data) {
        /* Drop (and wipe) the partial output. */
        or_wipe(out->data + start, out->len - start);
        out->len = start;
        out->data[start] = '\0';
    }
    return rc;
}

int openrouter_model_encode(const openrouter_object_desc *desc, const void *model, char **json_out,
                            size_t *len_out, openrouter_error *error)
{
    if (json_out)
        *json_out = NULL;
    if (len_out)
        *len_out = 0;
    if (!json_out)
        return or_error_set(error, OPENROUTER_EINVAL, "encode: json_out is NULL");
    or_buf b = OR_BUF_INIT;
    int rc = or_model_encode(desc, model, &b, error);
    if (rc) {
        or_buf_free(&b);
        return rc;
    }
    *json_out = b.data;
    if (len_out)
        *len_out = b.len;
    return OPENROUTER_OK;
}

/* ======================================================================
 * Equality
 * ====================================================================== */

static int eq_object(const openrouter_object_desc *od, const char *a, const char *b);

static int eq_str(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

static int eq_value(const openrouter_type_desc *t, const char *a, const char *b)
{
    openrouter_presence sa = slot_state(t, a), sb = slot_state(t, b);
    if (sa != sb)
        return 0;
    if (sa != OPENROUTER_PRESENT)
        return 1;
    switch (t->kind) {
    case OPENROUTER_KIND_STRING:
    case OPENROUTER_KIND_DATETIME:
        return eq_str(((const openrouter_string *)a)->value, ((const openrouter_string *)b)->value);
    case OPENROUTER_KIND_JSON:
        return eq_str(((const openrouter_json *)a)->value, ((const openrouter_json *)b)->value);
    case OPENROUTER_KIND_BOOL:
        return !((const openrouter_bool *)a)->value == !((const openrouter_bool *)b)->value;
    case OPENROUTER_KIND_INT32:
        return ((const openrouter_int32 *)a)->value == ((const openrouter_int32 *)b)->value;
    case OPENROUTER_KIND_INT64:
        return ((const openrouter_int64 *)a)->value == ((const openrouter_int64 *)b)->value;
    case OPENROUTER_KIND_NUMBER:
        return ((const openrouter_number *)a)->value == ((const openrouter_number *)b)->value;
    case OPENROUTER_KIND_ENUM: {
        const openrouter_enum_value *x = (const openrouter_enum_value *)a, *y = (const openrouter_enum_value *)b;
        if (x->value != y->value)
            return 0;
        return x->value != 0 || eq_str(x->text, y->text);
    }
    case OPENROUTER_KIND_OBJECT: {
        size_t off = object_is_bare(t) ? 0 : object_value_offset(t);
        return eq_object(t->object, a + off, b + off);
    }
    case OPENROUTER_KIND_ARRAY: {
        const or_array_slot *x = (const or_array_slot *)a, *y = (const or_array_slot *)b;
        if (x->count != y->count)
            return 0;
        for (size_t i = 0; i < x->count; i++)
            if (!eq_value(t->item, (const char *)x->items + i * t->item->slot_size,
                          (const char *)y->items + i * t->item->slot_size))
                return 0;
        return 1;
    }
    case OPENROUTER_KIND_MAP: {
        /* Entries compare in order. */
        const or_map_slot *x = (const or_map_slot *)a, *y = (const or_map_slot *)b;
        if (x->count != y->count)
            return 0;
        for (size_t i = 0; i < x->count; i++) {
            const char *ea = (const char *)x->entries + i * t->entry_size;
            const char *eb = (const char *)y->entries + i * t->entry_size;
            if (!eq_str(*(char *const *)ea, *(char *const *)eb) ||
                !eq_value(t->item, ea + t->map_value_offset, eb + t->map_value_offset))
                return 0;
        }
        return 1;
    }
    }
    return 0;
}

static int eq_object(const openrouter_object_desc *od, const char *a, const char *b)
{
    for (size_t i = 0; i < od->n_fields; i++) {
        const openrouter_field_desc *f = &od->fields[i];
        if (!eq_value(f->type, a + f->offset, b + f->offset))
            return 0;
    }
    return 1;
}

int openrouter_model_equal(const openrouter_object_desc *desc, const void *a, const void *b)
{
    if (!a || !b)
        return a == b;
    if (!desc)
        return 0;
    return eq_object(desc, a, b);
}

/* ======================================================================
 * Building models outside the decoder (pager.c): a new, empty model in
 * its own arena, and deep copies of slots into a model's arena, so a model
 * put together from several responses is still freed (and wiped) at once
 * by openrouter_model_free().
 * ====================================================================== */

void *or_model_new(const openrouter_object_desc *desc)
{
    if (!desc || desc->size > SIZE_MAX / 4)
        return NULL;
    size_t cap = OR_ARENA_HDR + OR_ROUND(desc->size) + 256;
    if (cap < OR_BLOCK_MIN)
        cap = OR_BLOCK_MIN;
    or_arena *a = arena_new(cap);
    if (!a)
        return NULL;
    return arena_zalloc(a, desc->size); /* the first allocation: right after the header */
}

static or_arena *model_arena(void *model)
{
    return (or_arena *)((char *)model - OR_ARENA_HDR);
}

void *or_model_alloc(void *model, size_t n)
{
    if (!model || n == 0 || model_arena(model)->magic != OR_ARENA_MAGIC)
        return NULL;
    return arena_zalloc(model_arena(model), n);
}

static int copy_object(or_arena *a, const openrouter_object_desc *od, char *dst, const char *src);

static int copy_text(or_arena *a, char **dst, const char *src)
{
    if (!src)
        return 0;
    *dst = arena_strndup(a, src, strlen(src));
    return *dst ? 0 : -1;
}

/* `dst` holds a byte copy of `src`: replace every pointer in it with a copy
 * of what it points at, allocated in `a`. */
static int copy_value(or_arena *a, const openrouter_type_desc *t, char *dst, const char *src)
{
    switch (t->kind) {
    case OPENROUTER_KIND_STRING:
    case OPENROUTER_KIND_DATETIME:
        return copy_text(a, &((openrouter_string *)dst)->value, ((const openrouter_string *)src)->value);
    case OPENROUTER_KIND_JSON:
        return copy_text(a, &((openrouter_json *)dst)->value, ((const openrouter_json *)src)->value);
    case OPENROUTER_KIND_ENUM:
        return copy_text(a, &((openrouter_enum_value *)dst)->text, ((const openrouter_enum_value *)src)->text);
    case OPENROUTER_KIND_BOOL:
    case OPENROUTER_KIND_INT32:
    case OPENROUTER_KIND_INT64:
    case OPENROUTER_KIND_NUMBER:
        return 0;
    case OPENROUTER_KIND_OBJECT: {
        size_t off = object_is_bare(t) ? 0 : object_value_offset(t);
        return copy_object(a, t->object, dst + off, src + off);
    }
    case OPENROUTER_KIND_ARRAY: {
        or_array_slot *d = (or_array_slot *)dst;
        const or_array_slot *s = (const or_array_slot *)src;
        size_t sz = t->item->slot_size;
        d->items = NULL;
        if (!s->items || !s->count) {
            d->count = 0;
            return 0;
        }
        if (s->count > SIZE_MAX / sz || !(d->items = arena_alloc(a, s->count * sz, OR_ALIGN)))
            return -1;
        memcpy(d->items, s->items, s->count * sz);
        for (size_t i = 0; i < s->count; i++)
            if (copy_value(a, t->item, (char *)d->items + i * sz, (const char *)s->items + i * sz) != 0)
                return -1;
        return 0;
    }
    case OPENROUTER_KIND_MAP: {
        or_map_slot *d = (or_map_slot *)dst;
        const or_map_slot *s = (const or_map_slot *)src;
        size_t sz = t->entry_size;
        d->entries = NULL;
        if (!s->entries || !s->count) {
            d->count = 0;
            return 0;
        }
        if (s->count > SIZE_MAX / sz || !(d->entries = arena_alloc(a, s->count * sz, OR_ALIGN)))
            return -1;
        memcpy(d->entries, s->entries, s->count * sz);
        for (size_t i = 0; i < s->count; i++) {
            char *de = (char *)d->entries + i * sz;
            const char *se = (const char *)s->entries + i * sz;
            if (copy_text(a, (char **)de, *(char *const *)se) != 0 ||
                copy_value(a, t->item, de + t->map_value_offset, se + t->map_value_offset) != 0)
                return -1;
        }
        return 0;
    }
    }
    return -1;
}

static int copy_object(or_arena *a, const openrouter_object_desc *od, char *dst, const char *src)
{
    for (size_t i = 0; i < od->n_fields; i++) {
        const openrouter_field_desc *f = &od->fields[i];
        if (copy_value(a, f->type, dst + f->offset, src + f->offset) != 0)
            return -1;
    }
    return 0;
}

int or_model_copy_slot(void *model, const openrouter_type_desc *t, void *dst, const void *src)
{
    if (!model || !t || !dst || !src || model_arena(model)->magic != OR_ARENA_MAGIC)
        return -1;
    memcpy(dst, src, t->slot_size);
    return copy_value(model_arena(model), t, dst, src);
}
