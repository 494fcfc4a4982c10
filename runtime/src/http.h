/* openrouter-c: the transport. One libcurl easy handle and what a transfer
 * returns. It knows nothing of clients or calls: the client owns one
 * or_http, and each transfer's result comes back as an or_http_response
 * the caller owns. Runtime-private; not installed. */
#ifndef OPENROUTER_HTTP_H
#define OPENROUTER_HTTP_H

#include <curl/curl.h>

#include "internal.h"

/* Captured response header values; longer values are cut (and then fail to
 * parse, which is what a bogus header deserves). */
#define OR_HEADER_VALUE_MAX 128

/* Where a 2xx body goes instead of the response buffer: a stream's
 * events (stream.c) or a binary body (openrouter_call_sink). A 2xx whose
 * Content-Type starts with `media_type` (any 2xx when NULL) is handed to
 * write() (or_http_response.streamed says it happened). Any other answer
 * is buffered as usual, so an error is read like any error body. */
typedef struct or_http_sink {
    const char *media_type;        /* e.g. "text/event-stream"; NULL: any */
    /* The next bytes; 0 to go on, non-zero aborts the transfer
     * (CURLE_WRITE_ERROR, or_http_response.sink_stopped). */
    int (*write)(void *ctx, const char *bytes, size_t n);
    /* NULL, or called by libcurl's progress meter (about once a second
     * when idle, from the first byte sent); non-zero aborts the transfer
     * (CURLE_ABORTED_BY_CALLBACK). */
    int (*tick)(void *ctx);
    void *ctx;
    /* Nonzero: the response size limit bounds what write() is given (a
     * body); zero: no limit (a stream, whose events have their own). */
    int limited;
} or_http_sink;

typedef struct or_http_request {
    const char *method;            /* "GET", "POST", "PATCH", "DELETE", ... */
    const char *url;
    const char *body;              /* NULL: no body */
    size_t body_len;
    struct curl_slist *headers;    /* full list to send; NULL: the default list */
    long timeout_ms;
    /* Nonzero: open a new connection for this transfer. Used for requests
     * that must not be repeated: libcurl silently re-sends a request whose
     * reused keep-alive connection died before any response byte, which
     * for a POST could create a key twice. */
    int fresh_connect;
    /* Non-NULL: a 2xx goes to the sink (see or_http_sink); unless the
     * sink is `limited` the response size limit does not apply to what
     * goes to it. timeout_ms 0 means no limit. */
    const or_http_sink *sink;
    /* The call's cancel token (NULL: none): while it is set, libcurl's
     * progress callback aborts the transfer once it is cancelled
     * (CURLE_ABORTED_BY_CALLBACK). */
    const openrouter_cancel_token *cancel;
    curl_mime *mime;               /* a multipart/form-data body instead of `body` */
} or_http_request;

/* One transfer's result. `body` is the caller's buffer: each transfer
 * resets and fills it, nothing here frees or wipes it. */
typedef struct or_http_response {
    CURLcode curl_code;            /* CURLE_OUT_OF_MEMORY also when the body could not grow */
    long status;                   /* 0 when no response */
    int nothing_sent;              /* the server cannot have seen the request */
    int too_large;                 /* body exceeded max_response_bytes */
    int streamed;                  /* the body went to the request's sink */
    size_t sunk;                   /* bytes handed to the request's sink */
    int sink_stopped;              /* the sink asked to stop */
    or_buf body;
    char retry_after[OR_HEADER_VALUE_MAX];
    char retry_after_ms[OR_HEADER_VALUE_MAX];
    char content_type[OR_HEADER_VALUE_MAX];
    /* The request id (see openrouter_error.request_id): the value of the
     * most preferred header seen, and that header's lower-case name. */
    char request_id[OR_HEADER_VALUE_MAX];
    const char *request_id_header; /* NULL: none seen */
    char error_detail[CURL_ERROR_SIZE]; /* libcurl's words when curl_code != CURLE_OK */
} or_http_response;

typedef struct or_http {
    CURL *curl;                    /* reused: keep-alive, TLS session reuse */
    or_transport_settings settings;
    struct curl_slist *default_headers; /* borrowed from the owner, outlives the handle */
    char errbuf[CURL_ERROR_SIZE];
    or_http_response *receiving;   /* the response the callbacks fill */
    const openrouter_cancel_token *cancel; /* the transfer's, for the progress callback */
    int oom;                       /* the write callback could not grow the body */
    const or_http_sink *sink;      /* the transfer's, or NULL */
    int body_started;              /* the write callback chose sink or buffer */

    /* What the handle was last set to, so options that did not change since
     * the previous transfer are not set again. */
    int plain_get;                 /* HTTPGET set, no CUSTOMREQUEST */
    struct curl_slist *set_headers;
    long set_timeout_ms;
    int set_fresh_connect;
    int set_streaming;             /* an unlimited sink: no size limit */
    int set_progress;              /* NOPROGRESS is 0: a cancel token or a stream's sink is watched */
} or_http;

/* Creates the handle and sets every option that never changes (the one
 * setup path every easy handle goes through: TLS, CAs, proxy, limits,
 * callbacks); the default headers and the strings in `settings` are
 * borrowed and must outlive `t`. `t` must stay where it is (the handle
 * points back to it, see or_http_of). Call or_http_cleanup() after a
 * failure too. */
int or_http_init(or_http *t, const or_transport_settings *settings, struct curl_slist *default_headers,
                 openrouter_error *error);
void or_http_cleanup(or_http *t);

/* One transfer in three steps, so a non-blocking driver (curl multi) can
 * run the middle one itself: or_http_prepare() sets the handle up for
 * `req` and points the callbacks at `res` (CURLE_OK or why not);
 * or_http_finish() completes `res` from the transfer's CURLcode and drops
 * the handle's pointers to the request. Both `req` and `res` must live
 * until or_http_finish(). or_http_perform() does all three, blocking. */
CURLcode or_http_prepare(or_http *t, const or_http_request *req, or_http_response *res);
void or_http_finish(or_http *t, const or_http_request *req, CURLcode rc, or_http_response *res);
void or_http_perform(or_http *t, const or_http_request *req, or_http_response *res);
/* The or_http whose handle `h` is (curl multi reports handles). */
or_http *or_http_of(CURL *h);

/* Frees a curl_slist after wiping every string in it. */
void or_slist_free_wiped(struct curl_slist *list);

/* The libcurl write callback; `userdata` is the or_http (exposed for a unit
 * test of the limit). */
size_t or_http_write_cb(char *ptr, size_t size, size_t nmemb, void *userdata);

#endif
