/* openrouter-c: the client struct, for the files that run calls on it
 * (client.c, request.c, call.c, outcome.c). Runtime-private; not installed.
 * The client owns a transport (http.h); the transport never sees the
 * client. */
#ifndef OPENROUTER_CLIENT_IMPL_H
#define OPENROUTER_CLIENT_IMPL_H

#include "http.h"

/* The buffers one call builds its request in and receives into. A client
 * keeps one set, lent to one blocking call at a time and reused across
 * calls so a call does not allocate them again; each non-blocking call has
 * its own (async.c). Each is wiped when the call ends, up to the most it
 * held in the call (or_buf_wipe), so a retry's longer earlier body goes
 * too. */
typedef struct or_call_bufs {
    or_buf url;                  /* the request URL */
    or_buf param_text;           /* one parameter's text */
    or_buf request_body;         /* encoded JSON */
    or_buf response_body;        /* becomes the call's or_http_response.body */
} or_call_bufs;

/* Wipes and frees the four buffers. */
void or_call_bufs_free(or_call_bufs *b);

struct openrouter_client {
    char *api_key;               /* wiped on free */
    size_t api_key_len;
    char *base_url;              /* normalised, no trailing '/' */
    size_t base_url_len;
    char *ca_file, *ca_dir;      /* options' copies, lent to http.settings */
    char *proxy;                 /* the option's copy (may hold a password): wiped on free */
    int strict_decoding;         /* options.strict_decoding or strict_required_fields */
    openrouter_retry_policy retry;
    openrouter_clock clock;      /* caller's; NULL members = real ones */
    uint64_t rng_state;          /* xorshift64* for the real random_unit */
    openrouter_trace_fn trace;
    void *trace_ctx;
    openrouter_log_fn log;
    void *log_ctx;
    openrouter_log_level log_level;
    int global_ref;              /* holds one openrouter_global_init() */

    or_http http;                /* one curl handle, reused: keep-alive, TLS reuse */
    struct curl_slist *headers;  /* default headers (request.c), built once, lent to http */
    or_call_bufs bufs;           /* for blocking calls, see above */
};

/* Clock helpers: the injected clock's function or the real one. */
int64_t or_clock_now_ms(openrouter_client *c);
void or_clock_sleep_ms(openrouter_client *c, long ms);
double or_clock_random_unit(openrouter_client *c);

#endif
