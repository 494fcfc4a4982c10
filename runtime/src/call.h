/* openrouter-c: one call in progress, and the steps it goes through.
 * Runtime-private; not installed.
 *
 *   or_call_start        the two steps before any I/O:
 *     or_call_begin        checks the arguments and options (call.c)
 *     or_request_build     URL, headers and body, all validated (request.c)
 *   per attempt:
 *     or_attempt_begin     counts it, trace and log before (call.c)
 *     transfer             or_http_perform, or prepare/finish around curl multi (http.c)
 *     or_attempt_end       the three steps after it:
 *       or_attempt_classify  what the finished transfer means (call.c)
 *       or_attempt_decide    retry after how long, or stop (call.c)
 *       or_attempt_report    trace and log after (call.c)
 *     the wait before the next attempt, cut short by the call's cancel token
 *   or_call_finish       the two steps at the end:
 *     or_outcome_finish    decodes the success body or fills the error (outcome.c)
 *     or_call_end          releases, wipes, redacts and logs (call.c)
 *
 * openrouter_call() runs them in a blocking loop (call.c); async.c runs
 * the same steps from an event loop over curl multi, its waits as timers. */
#ifndef OPENROUTER_CALL_H
#define OPENROUTER_CALL_H

#include "client_impl.h"

typedef struct or_call {
    /* What was asked (or_call_begin). */
    openrouter_client *c;
    or_call_bufs *bufs;           /* the client's, or a non-blocking call's own */
    const openrouter_operation_desc *op;
    const char *opid;             /* for messages: operationId, else the path */
    const void *request;
    const openrouter_retry_policy *policy;
    long timeout_ms;
    int timeout_given;            /* options->timeout_ms was set */
    long idle_timeout_ms;         /* options->stream_idle_timeout_ms (0: none given) */
    struct or_stream *stream;     /* a streaming call's events (stream.c), else NULL */
    int streaming;                /* a stream call: Accept asks for text/event-stream */
    char **raw_body;              /* options->raw_body (version >= 2), else NULL */
    size_t *raw_body_len;
    const openrouter_header *headers; /* options->headers (version >= 3), checked by request.c */
    size_t header_count;
    const openrouter_cancel_token *cancel; /* options->cancel (version >= 3), else NULL */
    openrouter_body_sink body_sink; /* openrouter_call_sink's; write NULL otherwise */
    or_http_sink sink;            /* the transport's side of body_sink */
    curl_mime *mime;              /* a multipart/form-data body (multipart.c), freed with the request */

    /* The request (request.c). */
    or_http_request req;          /* url in bufs->url, body in bufs->request_body */
    const char *trace_url;        /* the URL as traces and logs show it; NULL without hooks */
    char *trace_url_owned;        /* a redacted copy of the URL (or_free) */
    struct curl_slist *extra;     /* per-call headers, wiped on free */
    struct curl_slist *linked_tail; /* extra's last node, linked to the defaults */

    /* The attempts (call.c). */
    or_http_response res;         /* the last transfer's; body lent by bufs */
    int attempts;                 /* requests made */
    int64_t start_ms;             /* when the first attempt began */
    int64_t attempt_start_ms;     /* when the last one began (0 without hooks after the first) */
    int kind;                     /* openrouter_status of the last attempt */
    int retryable;                /* the last attempt's failure may be retried */
    int stop;                     /* OR_RETRY_*: why there is no next attempt */
    long retry_after;             /* the server's wait in ms, -1 if none */
    long delay;                   /* before the next attempt; -1: none */
    long status;                  /* last HTTP status answered, 0 if none */
    int processed;                /* some attempt may have been acted on (cancel reports it) */
    int cancelled;                /* OR_CANCELLED_*: the caller (or the call's token) stopped the call */
} or_call;

#define OR_CANCELLED_TRANSFER 1   /* a transfer was aborted (kind ECANCELED) */
#define OR_CANCELLED_WAIT 2       /* queued or waiting to retry (kind: the last attempt's) */

/* call.c */
/* Checks the arguments and options and fills `x`; OPENROUTER_OK or the
 * error. On success the call holds `bufs` (NULL: the client's) until
 * or_call_end. */
int or_call_begin(or_call *x, openrouter_client *client, or_call_bufs *bufs, const openrouter_operation_desc *op,
                  const void *request, void **out, const openrouter_call_options *options,
                  openrouter_error *error);
void or_attempt_begin(or_call *x);
/* Classifies the finished transfer, decides and reports: returns the delay
 * before the next attempt, or -1 when the call is over. */
long or_attempt_end(or_call *x);
void or_attempt_classify(or_call *x);
/* The delay before the next attempt (x->delay), or -1 to stop (x->stop). */
long or_attempt_decide(or_call *x);
void or_attempt_report(or_call *x, long duration_ms);
/* Frees what the request holds, wipes the call's buffers, frees *out and
 * redacts `error` when rc failed, and logs the outcome. */
void or_call_end(or_call *x, int rc, void **out, openrouter_error *error);
/* or_call_begin and or_request_build (for a stream when `streaming`). On
 * failure nothing is held any more and the failure is logged (when there
 * is a client). */
int or_call_start(or_call *x, openrouter_client *client, or_call_bufs *bufs, const openrouter_operation_desc *op,
                  const void *request, void **out, const openrouter_call_options *options, int streaming,
                  openrouter_error *error);
/* or_outcome_finish and or_call_end: the call's status, *out on success. */
int or_call_finish(or_call *x, void **out, openrouter_error *error);

/* request.c */
/* Everything validated and built before any network I/O: x->req, the
 * per-call headers, the encoded body, the URL as traces show it. */
int or_request_build(or_call *x, openrouter_error *error);
/* Frees the per-call headers, the traced URL copy and a multipart body. */
void or_request_release(or_call *x);

/* multipart.c */
/* The body model as a multipart/form-data body in x->mime and x->req.mime,
 * checked before anything is sent. */
int or_multipart_build(or_call *x, openrouter_error *error);

/* outcome.c */
/* The last attempt decides: decodes the success body into *out, or fills
 * `error` from the HTTP error or the transport failure. */
int or_outcome_finish(or_call *x, void **out, openrouter_error *error);
/* Releases a result or_outcome_finish stored: a model, or an
 * openrouter_bytes for a body that is not JSON. */
void or_outcome_free(const or_call *x, void *out);
/* INFO on success; on failure WARN for the caller's doing (EINVAL, 4xx, ECANCELED),
 * ERROR otherwise. `error` is already redacted. */
void or_outcome_log(const or_call *x, int rc, const openrouter_error *error);

#endif
