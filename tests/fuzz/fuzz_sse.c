/* libFuzzer target: the Server-Sent-Events parser (runtime/src/sse.c).
 *
 * Input: 3 header bytes, then the stream.
 *   byte 0: < 0x80: the default event limit; else a limit of 1..128 bytes
 *   byte 1: bits 0-1: the event callback number 1..3 that cancels (0: none);
 *           bits 2-7 and byte 2: where to cut the stream in two
 * The stream is parsed whole, in two pieces at that cut, and byte at a
 * time: the events, comments, result, error message and end-of-stream
 * answer must be identical (abort otherwise), everything delivered must be
 * valid UTF-8, and the result one of the documented values. With the
 * default limit the outcome must also equal that of reference(), a plain
 * transcription of the standard over the whole input. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../support/sse_log.h"
#include "internal.h"

#define CANCEL_RC 1234

typedef struct outcome {
    sse_log log;
    int rc, truncated;
    openrouter_error err;
} outcome;

static void parse(const char *s, size_t n, const size_t *cuts, size_t ncuts, size_t max, int stop_at,
                  outcome *o)
{
    memset(o, 0, sizeof *o);
    o->err = (openrouter_error)OPENROUTER_ERROR_INIT;
    o->log.stop_at = stop_at;
    o->log.stop_rc = CANCEL_RC;
    o->rc = sse_log_run(s, n, cuts, ncuts, max, &o->log, &o->err, &o->truncated);
}

static void same(const outcome *a, const outcome *b)
{
    if (a->rc != b->rc || a->truncated != b->truncated || a->log.len != b->log.len ||
        (a->log.len && memcmp(a->log.text, b->log.text, a->log.len) != 0) ||
        strcmp(a->err.message, b->err.message) != 0)
        abort();
}

static void release(outcome *o)
{
    sse_log_free(&o->log);
    openrouter_error_clear(&o->err);
}

/* ---- the reference: the standard's steps, literally, on the whole input ---- */

/* WHATWG UTF-8 decode with replacement, by maximal subparts. `out` has room
 * for 3 bytes per input byte. */
static size_t ref_decode(const unsigned char *s, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        unsigned c = s[i], lo = 0x80, hi = 0xBF;
        size_t need = c >= 0xC2 && c <= 0xDF   ? 1
                      : c >= 0xE0 && c <= 0xEF ? 2
                      : c >= 0xF0 && c <= 0xF4 ? 3
                                               : 0;
        lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : lo;
        hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : hi;
        size_t k = 1;
        while (need && k <= need && i + k < n && s[i + k] >= lo && s[i + k] <= hi) {
            lo = 0x80, hi = 0xBF;
            k++;
        }
        if (c < 0x80 || (need && k == need + 1))
            memcpy(out + o, s + i, k), o += k;
        else
            memcpy(out + o, "\xEF\xBF\xBD", 3), o += 3;
        i += k; /* the byte that broke a sequence is read again */
    }
    return o;
}

typedef struct ref_state {
    char *data, *type, *id;
    size_t data_len, type_len, id_len;
} ref_state;

static int ref_dispatch(ref_state *r, sse_log *log)
{
    if (!r->data_len) {
        r->type_len = 0;
        return 0;
    }
    r->data_len--; /* the last "\n" */
    r->data[r->data_len] = r->type[r->type_len] = r->id[r->id_len] = '\0';
    or_sse_event ev = {r->type_len ? r->type : "message", r->type_len ? r->type_len : 7,
                       r->data, r->data_len, r->id, r->id_len};
    r->data_len = r->type_len = 0;
    return sse_log_event(log, &ev);
}

static int ref_line(ref_state *r, char *line, size_t len, sse_log *log, int *field_seen)
{
    if (!len) {
        *field_seen = 0;
        return ref_dispatch(r, log);
    }
    if (line[0] == ':') {
        char keep = line[len];
        line[len] = '\0';
        int rc = sse_log_comment(log, line + 1, len - 1);
        line[len] = keep;
        return rc;
    }
    *field_seen = 1;
    char *colon = memchr(line, ':', len);
    size_t name_len = colon ? (size_t)(colon - line) : len;
    char *value = colon ? colon + 1 : line + len;
    size_t value_len = len - (size_t)(value - line);
    if (value_len && value[0] == ' ')
        value++, value_len--;
    if (name_len == 4 && !memcmp(line, "data", 4)) {
        memcpy(r->data + r->data_len, value, value_len);
        r->data_len += value_len;
        r->data[r->data_len++] = '\n';
    } else if (name_len == 5 && !memcmp(line, "event", 5)) {
        memcpy(r->type, value, value_len);
        r->type_len = value_len;
    } else if (name_len == 2 && !memcmp(line, "id", 2) && !memchr(value, '\0', value_len)) {
        memcpy(r->id, value, value_len);
        r->id_len = value_len;
    }
    return 0;
}

static void reference(const char *s, size_t n, int stop_at, outcome *o)
{
    memset(o, 0, sizeof *o);
    o->err = (openrouter_error)OPENROUTER_ERROR_INIT;
    o->log.stop_at = stop_at;
    o->log.stop_rc = CANCEL_RC;
    char *text = malloc(3 * n + 1), *bufs = malloc(3 * (3 * n + 2));
    if (!text || !bufs)
        abort();
    size_t len = ref_decode((const unsigned char *)s, n, text), at = 0, room = 3 * n + 2;
    ref_state r = {bufs, bufs + room, bufs + 2 * room, 0, 0, 0};
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
        at = 3;
    int field_seen = 0;
    while (!o->rc) {
        size_t end = at;
        while (end < len && text[end] != '\r' && text[end] != '\n')
            end++;
        if (end == len) {
            o->truncated = end > at || field_seen; /* an unfinished line or event */
            break;
        }
        o->rc = ref_line(&r, text + at, end - at, &o->log, &field_seen);
        at = end + 1 + (text[end] == '\r' && end + 1 < len && text[end + 1] == '\n');
    }
    if (o->rc)
        o->truncated = -1;
    free(text);
    free(bufs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    size_t max = data[0] < 0x80 ? 0 : (size_t)(data[0] & 0x7F) + 1;
    int stop_at = data[1] & 3;
    const char *s = (const char *)data + 3;
    size_t n = size - 3;
    size_t cut = ((size_t)(data[1] >> 2) | (size_t)data[2] << 6) % (n + 1);

    outcome whole, two, bytes;
    parse(s, n, NULL, 0, max, stop_at, &whole);
    parse(s, n, &cut, 1, max, stop_at, &two);
    size_t *each = malloc((n ? n : 1) * sizeof *each);
    if (!each)
        abort();
    for (size_t i = 0; i + 1 < n; i++)
        each[i] = i + 1;
    parse(s, n, each, n ? n - 1 : 0, max, stop_at, &bytes);
    free(each);

    same(&whole, &two);
    same(&whole, &bytes);
    if (!max) {
        outcome ref;
        reference(s, n, stop_at, &ref);
        same(&whole, &ref);
        release(&ref);
    }
    if (whole.log.len && !or_utf8_valid(whole.log.text, whole.log.len))
        abort();
    switch (whole.rc) {
    case 0:
        if (whole.truncated != 0 && whole.truncated != 1)
            abort();
        break;
    case CANCEL_RC:
        if (whole.log.events != stop_at || whole.err.kind != OPENROUTER_OK)
            abort();
        break;
    case OPENROUTER_EDECODE:
        if (!strstr(whole.err.message, "limit of"))
            abort();
        break;
    default:
        abort(); /* no allocation fails here, so never ENOMEM */
    }
    release(&whole);
    release(&two);
    release(&bytes);
    return 0;
}
