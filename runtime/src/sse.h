/* openrouter-c: incremental Server-Sent-Events parser. Not installed.
 *
 * Interprets a text/event-stream body as the WHATWG HTML standard says
 * ("server-sent events", interpreting an event stream), fed bytes as they
 * arrive, cut anywhere. It knows nothing of the transport (hiredis style):
 * the stream layer feeds it and decides what the events mean, so `[DONE]`
 * and JSON are not its business.
 *
 *  - The bytes are decoded as UTF-8 with replacement: every invalid or
 *    cut-off sequence becomes U+FFFD, so everything delivered is valid
 *    UTF-8 (it may contain U+0000). One leading BOM is dropped.
 *  - Lines end with LF, CRLF or CR (a CRLF split between two feeds is one
 *    line end). A line starting with ':' is a comment: on_comment gets its
 *    text after the ':' (so the transport can reset its idle timer).
 *  - `field: value` (one space after the colon dropped) or a bare `field`
 *    (empty value). `data` lines are joined with "\n"; `event` sets the
 *    type; `id` sets the last event id unless it contains U+0000; `retry`
 *    (ASCII digits only) sets the reconnection time; other fields are
 *    ignored.
 *  - A blank line dispatches the event, if it had at least one `data` line.
 *  - An unfinished event at the end of the stream is dropped, as the
 *    standard says; or_sse_finish() tells whether that happened.
 *  - Limits: an event's data plus its type may hold max_event_bytes; a
 *    longer one is an error, as is an id, retry, comment or ignored field's
 *    value longer than that. Memory stays bounded whatever the server sends.
 *
 * Buffers grow to the largest event seen and are reused: no allocation per
 * event once warm. or_sse_free() wipes them. */
#ifndef OPENROUTER_SSE_H
#define OPENROUTER_SSE_H

#include <stddef.h>
#include <stdint.h>

#include "internal.h"

/* max_event_bytes when the options say 0. */
#define OR_SSE_DEFAULT_MAX_EVENT_BYTES OPENROUTER_DEFAULT_MAX_RESPONSE_BYTES

/* One dispatched event. The strings are NUL-terminated and valid only
 * during the callback; the lengths count any U+0000 inside. */
typedef struct or_sse_event {
    const char *type;  /* the `event` field, or "message" when none */
    size_t type_len;
    const char *data;  /* the `data` lines joined with "\n" */
    size_t data_len;
    const char *id;    /* the last event id in force ("" when none): an id
                          persists until the server sends another */
    size_t id_len;
} or_sse_event;

/* Return 0 to go on; anything else stops the parser, and or_sse_feed()
 * returns that value (a caller's cancel, or the stream layer's own error). */
typedef int (*or_sse_event_fn)(void *ctx, const or_sse_event *event);
/* `text`: the comment line after its ':' (NUL-terminated, valid UTF-8). */
typedef int (*or_sse_comment_fn)(void *ctx, const char *text, size_t len);

typedef struct or_sse_options {
    size_t max_event_bytes;       /* 0: OR_SSE_DEFAULT_MAX_EVENT_BYTES */
    or_sse_event_fn on_event;     /* NULL: events are parsed and dropped */
    or_sse_comment_fn on_comment; /* optional */
    void *ctx;                    /* passed to both callbacks */
} or_sse_options;

/* The parser's state; embed it anywhere, touch it only through the
 * functions below. */
typedef struct or_sse {
    or_sse_options opt;
    or_buf data, type, id, id_next, text; /* text: the comment being read */
    int state;              /* SSE_LINE_START, ... (sse.c) */
    int field;              /* SSE_F_DATA, ...: where the value goes */
    char name[8];           /* the field name, as far as it can matter */
    size_t name_len;        /* bytes of the name seen (may exceed name) */
    size_t value_len;       /* bytes of the current non-data value */
    size_t data_lines;      /* `data` lines in the current event */
    int id_has_nul;
    int retry_ok;           /* the retry value so far is digits only */
    uint64_t retry_value;
    int64_t retry_ms;       /* -1 until the server sets it */
    int after_cr;           /* an LF now is the second half of a CRLF */
    int at_start;           /* nothing decoded yet: a BOM would be dropped */
    int mid_event;          /* a field line since the last blank line */
    unsigned char u8[4];    /* the UTF-8 sequence being completed */
    unsigned char u8_len, u8_need, u8_lower, u8_upper;
    int stopped;            /* nonzero: the value feed returned */
} or_sse;

/* Ready to parse a stream. Allocates nothing (buffers grow on first use). */
void or_sse_init(or_sse *p, const or_sse_options *options);

/* Parses `n` more bytes, calling back for every comment and complete event.
 * Returns 0; or a callback's non-zero value; or the parser's own failure,
 * OPENROUTER_EDECODE (something over max_event_bytes, the limit in the
 * message) or OPENROUTER_ENOMEM, with `error` filled. After a non-zero
 * return the parser is stopped: later calls return the same value and do
 * nothing else. Do not call it from its own callbacks. */
int or_sse_feed(or_sse *p, const char *bytes, size_t n, openrouter_error *error);

/* The stream ended (connection closed in order). Returns 1 when it ended in
 * the middle of an event or a line (that event is dropped: the stream was
 * cut short), 0 when it ended between events. Calls no callback. */
int or_sse_finish(or_sse *p);

/* The reconnection time the server set with `retry`, in ms, or -1. */
int64_t or_sse_retry_ms(const or_sse *p);

/* Back to the state of a fresh stream (options kept, memory kept). */
void or_sse_reset(or_sse *p);

/* Wipes and frees the buffers. NULL-safe; the parser may be reset and
 * reused afterwards. */
void or_sse_free(or_sse *p);

#endif
