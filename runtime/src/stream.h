/* openrouter-c: a streaming call's events (openrouter/stream.h), between
 * the transport and the caller's callback. Runtime-private; not installed.
 *
 * The transport hands a 2xx text/event-stream body to or_stream's sink
 * (http.h, or_http_sink) instead of the response buffer; the SSE parser
 * (sse.h) cuts it into events; each event's fields become the operation's
 * event model (decoded by the tables, like any response), handed to the
 * caller and freed. The sink's tick enforces the idle limit between events.
 * The call's steps (call.h) consult the stream when an attempt ends
 * (or_stream_classify) and at the end (or_stream_outcome). */
#ifndef OPENROUTER_STREAM_IMPL_H
#define OPENROUTER_STREAM_IMPL_H

#include "call.h"
#include "openrouter/stream.h"
#include "sse.h"

/* Why a stream stopped before its end. */
enum or_stream_stop {
    OR_STREAM_RUNNING = 0,
    OR_STREAM_CANCEL,       /* the caller's callback returned non-zero */
    OR_STREAM_ERROR_EVENT,  /* the server sent an error event (detail) */
    OR_STREAM_FAILED,       /* an event could not be decoded, or too large (detail) */
    OR_STREAM_IDLE          /* nothing for idle_ms */
};

typedef struct or_stream {
    const openrouter_stream_desc *desc;
    openrouter_client *c;
    const char *opid;
    openrouter_stream_thunk_fn thunk;
    void (*fn)(void);
    void *user;
    /* Which event fields the model declares, found once. */
    int has_data, data_is_text, has_event, has_id;
    or_http_sink sink;
    or_sse sse;
    or_buf doc;             /* the event as a JSON object, reused */
    long idle_ms;           /* the longest wait for an event or comment */
    int64_t last_ms;        /* when the attempt began, or the last event or comment */
    size_t events;          /* delivered to the caller (this call) */
    size_t passed_over;     /* events of an unknown type */
    int ended;              /* the sentinel arrived */
    int stop;               /* enum or_stream_stop */
    openrouter_error detail; /* the error event's or decode failure's detail */
} or_stream;

/* The checks before a stream starts (no request is built yet): `op` has a
 * stream, a callback is given, no raw_body is asked for. */
int or_stream_check(const openrouter_operation_desc *op, openrouter_stream_thunk_fn thunk, void (*fn)(void),
                    const openrouter_call_options *options, openrouter_error *error);
/* Ties `s` to the started call `x` (or_call_start succeeded): the
 * request's sink and limits. Allocates nothing. */
void or_stream_attach(or_stream *s, or_call *x, openrouter_stream_thunk_fn thunk, void (*fn)(void), void *user);
/* Before each attempt: a fresh parser and idle timer. */
void or_stream_attempt_begin(or_stream *s);
/* The idle limit passed (the stream then stops as OR_STREAM_IDLE): 1, else
 * 0. libcurl's progress callback asks during a blocking transfer; the
 * non-blocking handle asks at every drive step, and wakes up for it at
 * or_stream_idle_deadline() (INT64_MAX: the stream has ended). */
int or_stream_idle_expired(or_stream *s);
int64_t or_stream_idle_deadline(const or_stream *s);
/* Classifies an attempt the stream decides (a started stream, or the idle
 * limit before it): returns 1 when it did, 0 for the ordinary rules. */
int or_stream_classify(or_call *x);
/* Whether the stream decides the call's outcome: its last attempt
 * answered 2xx (streamed, or not the stream's media type). */
int or_stream_decides(const or_call *x);
/* That outcome: OPENROUTER_OK or the status, `error` filled. */
int or_stream_outcome(or_call *x, openrouter_error *error);
/* Wipes and frees what the stream holds. */
void or_stream_release(or_stream *s);

#endif
