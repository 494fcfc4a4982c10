/* openrouter-c: declarations shared by the runtime's own files. Not installed. */
#ifndef OPENROUTER_INTERNAL_H
#define OPENROUTER_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "openrouter/client.h"
#include "openrouter/descriptor.h"
#include "openrouter/error.h"
#include "openrouter/types.h"

#if defined(__GNUC__) || defined(__clang__)
#define OR_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define OR_PRINTF(a, b)
#endif

/* ---- allocation: every runtime allocation goes through these, so tests can
 * fail the Nth one (see openrouter_test_set_alloc_fail in alloc.c). */
void *or_malloc(size_t n);
void *or_calloc(size_t count, size_t n);
void *or_realloc(void *p, size_t n);
void or_free(void *p);
char *or_strdup(const char *s);
char *or_strndup(const char *s, size_t n);
/* Zeroes memory in a way the compiler may not drop. */
void or_wipe(void *p, size_t n);

/* ---- errors (error.c) */
/* Sets kind and message (printf-style) and returns `kind`. NULL-safe on
 * `error`. Never pass secrets in the format arguments. */
int or_error_set(openrouter_error *error, openrouter_status kind, const char *fmt, ...) OR_PRINTF(3, 4);
/* Same, recording the JSON path or parameter name in error->field. */
int or_error_set_field(openrouter_error *error, openrouter_status kind, const char *field,
                       const char *fmt, ...) OR_PRINTF(4, 5);
/* Parses an API error body into error->api_*; keeps a bounded snippet of
 * bodies that are not a JSON error. Returns 0, or OPENROUTER_ENOMEM. */
int or_error_parse_body(openrouter_error *error, const char *body, size_t len);

/* ---- growable byte buffer (buf.c) */
typedef struct or_buf {
    char *data;   /* always NUL-terminated when non-NULL */
    size_t len;
    size_t cap;
} or_buf;
#define OR_BUF_INIT {NULL, 0, 0}
int or_buf_reserve(or_buf *b, size_t extra);          /* 0 or -1 on OOM */
int or_buf_append(or_buf *b, const void *p, size_t n); /* 0 or -1 */
int or_buf_puts(or_buf *b, const char *s);
int or_buf_printf(or_buf *b, const char *fmt, ...) OR_PRINTF(2, 3);
void or_buf_reset(or_buf *b);                          /* len = 0, keeps memory */
void or_buf_free(or_buf *b);                           /* wipes, then frees */
/* Appends `s` (length n) as a JSON string literal with quotes and escapes.
 * Returns 0, -1 on OOM, -2 if `s` is not valid UTF-8. */
int or_buf_json_string(or_buf *b, const char *s, size_t n);

/* ---- UTF-8 (codec.c) */
int or_utf8_valid(const char *s, size_t n);

/* ---- JSON codec over the descriptor tables (codec.c) */
#define OR_DEFAULT_MAX_DEPTH 64

typedef struct or_decode_options {
    int strict_required;  /* missing required field is an error */
    int max_depth;        /* nesting limit; 0 = OR_DEFAULT_MAX_DEPTH */
} or_decode_options;

/* Strict parse of a whole buffer: one JSON value, nothing but whitespace
 * after it, depth-limited, strings valid UTF-8. */
int or_json_parse(const char *json, size_t len, int max_depth, json_object **out,
                  openrouter_error *error);

int or_model_decode(const openrouter_object_desc *desc, const char *json, size_t len,
                    const or_decode_options *options, void **out, openrouter_error *error);

/* Validates then appends the model's JSON encoding to `out`. */
int or_model_encode(const openrouter_object_desc *desc, const void *model, or_buf *out,
                    openrouter_error *error);

/* Validates one scalar/enum parameter slot (min/max, UTF-8, no CR/LF for
 * headers) and formats it as text into `out` (reset first). Returns
 * OPENROUTER_OK, or OPENROUTER_EINVAL naming `name`, or OR_PARAM_ABSENT
 * (positive) when an optional query/header slot is ABSENT or NULL: leave
 * the parameter out. For path params `slot` points at the `char *` member. */
#define OR_PARAM_ABSENT 1
int or_param_to_text(const openrouter_param_desc *param, const void *slot, or_buf *out,
                     openrouter_error *error);

/* Formats a double the shortest way that round-trips ("75", "0.1"),
 * locale-independently. Returns the length, or -1 (NaN/Inf, too small). */
int or_format_double(double v, char *buf, size_t size);

/* ---- datetime.c */
/* Parses an HTTP date (IMF-fixdate, RFC 850 or asctime) into Unix seconds.
 * Returns 0, or -1 if invalid. */
int or_http_date_parse(const char *s, int64_t *unix_s);

/* ---- alloc.c test hook */
long openrouter_test_set_alloc_fail(long nth);


/* ---- client, transport, retries and calls (client.c, http.c, retry.c,
 * call.c). The client struct itself is in http.h (runtime-private). */

/* The transport settings a client applied to its curl handle, kept so tests
 * can assert them (libcurl cannot read most options back). */
typedef struct or_transport_settings {
    long nosignal;              /* CURLOPT_NOSIGNAL: 1 */
    long ssl_verify_peer;       /* CURLOPT_SSL_VERIFYPEER: 1 */
    long ssl_verify_host;       /* CURLOPT_SSL_VERIFYHOST: 2 */
    long follow_location;       /* CURLOPT_FOLLOWLOCATION: 0 */
    long tcp_keepalive;         /* CURLOPT_TCP_KEEPALIVE: 1 */
    long connect_timeout_ms;    /* CURLOPT_CONNECTTIMEOUT_MS */
    long timeout_ms;            /* CURLOPT_TIMEOUT_MS (per call may differ) */
    const char *protocols;      /* "https" or "http,https" */
    const char *redir_protocols;
    const char *accept_encoding; /* "" = every encoding curl supports */
    size_t max_response_bytes;  /* also CURLOPT_MAXFILESIZE_LARGE */
    int http_allowed;           /* plain http accepted for base_url */
} or_transport_settings;

const or_transport_settings *or_client_settings(const openrouter_client *client);
/* The client's CURL * (as void *), e.g. for curl_easy_getinfo in tests. */
void *or_client_curl_handle(openrouter_client *client);
/* The client's normalised base URL (no trailing '/'). */
const char *or_client_base_url(const openrouter_client *client);

/* retry.c: pure retry decisions. `transport_kind` is OPENROUTER_OK when an
 * HTTP response was received (then `http_status` applies), else
 * OPENROUTER_ETIMEOUT or OPENROUTER_ETRANSPORT. `nothing_sent` is nonzero
 * when the request cannot have reached the server (connect/resolve failure,
 * zero request bytes written). Returns 1 to retry, 0 not to. */
int or_retry_should(const openrouter_retry_policy *policy, int idempotent, long http_status,
                    int transport_kind, int nothing_sent);
/* Whether a failed attempt of a NON-idempotent operation may have been
 * acted on by the server (5xx, timeout or transport failure after sending).
 * Always 0 for idempotent operations, whose retries are harmless. */
int or_retry_may_have_been_processed(int idempotent, long http_status, int transport_kind,
                                     int nothing_sent);
/* Whether a failed transfer with this CURLcode is worth retrying at all
 * (certificate problems, bad URLs, our own size abort are not). */
int or_retry_curl_code_retryable(int curl_code);
/* Why or_retry_next_delay() stopped. */
#define OR_RETRY_GO 0                /* retry after the returned delay */
#define OR_RETRY_STOP_ATTEMPTS 1     /* max_attempts reached */
#define OR_RETRY_STOP_ELAPSED 2      /* elapsed + delay > max_elapsed_ms */
#define OR_RETRY_STOP_RETRY_AFTER 3  /* server asked for > max_retry_after_ms */
/* Given `attempts_made` (>= 1), the server's wait (-1 if none), the time
 * since the first attempt began and a uniform `unit` in [0, 1): returns the
 * delay before the next attempt and sets *stop = OR_RETRY_GO, or returns -1
 * and sets *stop to the reason. */
long or_retry_next_delay(const openrouter_retry_policy *policy, int attempts_made,
                         long retry_after_ms, int64_t elapsed_ms, double unit, int *stop);
/* Checks a retry policy; EINVAL naming `what`.field on failure. */
int or_retry_policy_check(const openrouter_retry_policy *policy, const char *what,
                          openrouter_error *error);
/* Parses a retry-after-ms value (non-negative number of ms, fraction
 * dropped). Returns ms or -1. */
long or_parse_retry_after_ms(const char *value);

/* call.c: replaces every occurrence of `secret` in every string of the
 * error (message, field, api_code, api_message, api_metadata, body_snippet)
 * with "[REDACTED]". */
void or_error_redact(openrouter_error *error, const char *secret);
/* Same for a buffer, in place (may reallocate). Returns 0 or -1 on OOM (then
 * occurrences are overwritten with '*' instead). */
int or_buf_redact(or_buf *b, const char *secret);

#endif
