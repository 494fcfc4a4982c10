/* openrouter-c: the client struct and the one-transfer transport layer
 * (client.c, http.c, call.c). Runtime-private; not installed. */
#ifndef OPENROUTER_HTTP_H
#define OPENROUTER_HTTP_H

#include <curl/curl.h>

#include "internal.h"

/* Captured response header values; longer values are cut (and then fail to
 * parse, which is what a bogus header deserves). */
#define OR_HEADER_VALUE_MAX 128

struct openrouter_client {
    char *api_key;               /* wiped on free */
    size_t api_key_len;
    char *base_url;              /* normalised, no trailing '/' */
    size_t base_url_len;
    int strict_required;
    openrouter_retry_policy retry;
    openrouter_clock clock;      /* caller's; NULL members = real ones */
    uint64_t rng_state;          /* xorshift64* for the real random_unit */
    openrouter_trace_fn trace;
    void *trace_ctx;
    openrouter_log_fn log;
    void *log_ctx;
    openrouter_log_level log_level;
    int global_ref;              /* holds one openrouter_global_init() */

    CURL *curl;                  /* one handle, reused: keep-alive, TLS reuse */
    struct curl_slist *headers;  /* default headers, built once */
    or_transport_settings settings;
    char errbuf[CURL_ERROR_SIZE];

    /* What the handle was last set to by or_http_perform, so options that
     * did not change since the previous transfer are not set again. */
    int plain_get;               /* HTTPGET set, no CUSTOMREQUEST */
    struct curl_slist *set_headers;
    long set_timeout_ms;
    int set_fresh_connect;

    /* Per-call buffers, reused across calls (wiped after each call). */
    or_buf url;                  /* the request URL */
    or_buf param_text;           /* one parameter's text */

    /* Per-transfer state, reset before every attempt. */
    or_buf response;             /* body, reused across calls */
    or_buf request_body;         /* encoded JSON, wiped after each call */
    int too_large;               /* write callback hit max_response_bytes */
    int oom;                     /* write callback could not grow the buffer */
    char retry_after[OR_HEADER_VALUE_MAX];
    char retry_after_ms[OR_HEADER_VALUE_MAX];
    char content_type[OR_HEADER_VALUE_MAX];
};

/* Clock helpers: the injected clock's function or the real one. */
int64_t or_clock_now_ms(openrouter_client *c);
void or_clock_sleep_ms(openrouter_client *c, long ms);
double or_clock_random_unit(openrouter_client *c);

/* http.c */
int or_http_setup(openrouter_client *c, const openrouter_client_options *options,
                  openrouter_error *error);
void or_http_teardown(openrouter_client *c);

typedef struct or_http_request {
    const char *method;            /* "GET", "POST", "PATCH", "DELETE", ... */
    const char *url;
    const char *body;              /* NULL: no body */
    size_t body_len;
    struct curl_slist *headers;    /* full list to send */
    long timeout_ms;
    /* Nonzero: open a new connection for this transfer. Used for requests
     * that must not be repeated: libcurl silently re-sends a request whose
     * reused keep-alive connection died before any response byte, which
     * for a POST could create a key twice. */
    int fresh_connect;
} or_http_request;

typedef struct or_http_result {
    CURLcode curl_code;
    long status;                   /* 0 when no response */
    int nothing_sent;              /* the server cannot have seen the request */
    int too_large;                 /* body exceeded max_response_bytes */
    long duration_ms;
} or_http_result;

/* One transfer. The body lands in c->response, headers in c->retry_after,
 * c->retry_after_ms, c->content_type. */
void or_http_perform(openrouter_client *c, const or_http_request *req, or_http_result *res);

/* Frees a curl_slist after wiping every string in it. */
void or_slist_free_wiped(struct curl_slist *list);

/* The libcurl write callback (exposed for a unit test of the limit). */
size_t or_http_write_cb(char *ptr, size_t size, size_t nmemb, void *userdata);

#endif
