/* openrouter-c: the client, its options, retries and per-call options.
 *
 * Threading: a client holds one libcurl handle and is NOT safe to use from
 * two threads at once. Use one client per thread (they are cheap), or
 * serialise calls on a shared client yourself. Call openrouter_global_init()
 * once before starting threads. */
#ifndef OPENROUTER_CLIENT_H
#define OPENROUTER_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "openrouter/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define OPENROUTER_DEFAULT_BASE_URL "https://openrouter.ai/api/v1"
#define OPENROUTER_DEFAULT_CONNECT_TIMEOUT_MS 10000L
#define OPENROUTER_DEFAULT_TIMEOUT_MS 60000L
#define OPENROUTER_DEFAULT_MAX_RESPONSE_BYTES ((size_t)16 * 1024 * 1024)

/* Retries use exponential backoff with full jitter:
 *   delay(n) = uniform(0, min(max_delay_ms, initial_delay_ms * multiplier^(n-1)))
 * for the n-th retry. A Retry-After (or retry-after-ms) from the server is
 * used instead when present; if it exceeds max_retry_after_ms the call
 * gives up at once and reports it in openrouter_error.retry_after_ms.
 *
 * What is retried: for idempotent operations (GET, PATCH, DELETE), HTTP
 * 408, 429, 5xx, timeouts and connection failures. For operations that are
 * not idempotent (POST create), only failures where the server cannot have
 * acted: a connection that was never opened (nothing was sent) and HTTP
 * 429. Set retry_non_idempotent to also retry those after a 5xx, a timeout
 * or a reset: this can create a key twice. */
typedef struct openrouter_retry_policy {
    unsigned int version;
    int max_attempts;          /* total requests, first included; 1 = no retry */
    long initial_delay_ms;
    long max_delay_ms;         /* cap of one backoff delay */
    double multiplier;
    long max_elapsed_ms;       /* no retry starts after this much time */
    long max_retry_after_ms;   /* longest server-requested wait honoured */
    int retry_non_idempotent;  /* opt-in, see above */
} openrouter_retry_policy;

#define OPENROUTER_RETRY_POLICY_VERSION 1
#define OPENROUTER_RETRY_POLICY_INIT {OPENROUTER_RETRY_POLICY_VERSION, 3, 500L, 30000L, 2.0, 60000L, 60000L, 0}

/* Injectable time and randomness, so retry timing can be tested exactly.
 * now_ms: a monotonic clock in milliseconds. sleep_ms: waits. random_unit:
 * returns a uniform double in [0, 1). NULL members use the real ones. */
typedef struct openrouter_clock {
    int64_t (*now_ms)(void *ctx);
    void (*sleep_ms)(void *ctx, long ms);
    double (*random_unit)(void *ctx);
    void *ctx;
} openrouter_clock;

/* Called before each attempt and after each response, for logging and
 * metrics. `url` never contains credentials; headers are not passed. */
typedef struct openrouter_trace_event {
    const char *operation_id;
    const char *method;
    const char *url;
    int attempt;         /* 1-based */
    long http_status;    /* 0 before the response or on transport errors */
    long duration_ms;    /* 0 before the response */
    int result;          /* openrouter_status of this attempt (after only) */
    long delay_ms;       /* wait before the next attempt, -1 if none */
} openrouter_trace_event;
typedef void (*openrouter_trace_fn)(void *ctx, int before, const openrouter_trace_event *event);

typedef struct openrouter_client_options {
    unsigned int version;
    const char *api_key;            /* required; copied, wiped on free */
    const char *base_url;           /* NULL: OPENROUTER_DEFAULT_BASE_URL */
    /* App attribution, sent on every request when set. */
    const char *http_referer;       /* HTTP-Referer: your app's URL */
    const char *app_title;          /* X-OpenRouter-Title and X-Title */
    const char *app_categories;     /* X-OpenRouter-Categories, "a,b" */
    const char *user_agent;         /* NULL: "openrouter-c/<version>" */
    long connect_timeout_ms;        /* 0: default; must be > 0 otherwise */
    long timeout_ms;                /* whole request; 0: default */
    size_t max_response_bytes;      /* 0: default (16 MiB) */
    openrouter_retry_policy retry;
    /* Plain http:// is accepted only for loopback hosts unless this is set. */
    int allow_insecure_http;
    /* Nonzero: a response missing a field the spec marks required is a
     * decode error naming it. Default: reported as OPENROUTER_ABSENT. */
    int strict_required_fields;
    const openrouter_clock *clock;  /* NULL: real clock; copied */
    openrouter_trace_fn trace;      /* optional */
    void *trace_ctx;
} openrouter_client_options;

#define OPENROUTER_CLIENT_OPTIONS_VERSION 1
#define OPENROUTER_CLIENT_OPTIONS_INIT                                                     \
    {OPENROUTER_CLIENT_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0,       \
     OPENROUTER_RETRY_POLICY_INIT, 0, 0, NULL, NULL, NULL}

/* Per-call overrides; pass NULL for the client's settings. */
typedef struct openrouter_call_options {
    unsigned int version;
    const openrouter_retry_policy *retry; /* NULL: the client's policy */
    long timeout_ms;                      /* 0: the client's */
} openrouter_call_options;

#define OPENROUTER_CALL_OPTIONS_VERSION 1
#define OPENROUTER_CALL_OPTIONS_INIT {OPENROUTER_CALL_OPTIONS_VERSION, NULL, 0}

typedef struct openrouter_client openrouter_client;

/* Initialises libcurl's global state. Call once at program start, before
 * any thread creates a client; openrouter_client_new() calls it too, which
 * is only safe while the program is single-threaded. Reference counted. */
int openrouter_global_init(void);
void openrouter_global_cleanup(void);

/* Creates a client. Options are validated and copied; the caller may free
 * them afterwards. On failure *out is NULL and nothing is allocated. */
int openrouter_client_new(openrouter_client **out, const openrouter_client_options *options,
                          openrouter_error *error);

/* Frees the client and wipes the API key from memory. NULL-safe. */
void openrouter_client_free(openrouter_client *client);

/* ---- Retry timing, exposed as pure functions for testing ---------------- */

/* Delay before retry number `retry` (1 = first retry) with full jitter, given
 * `unit` uniform in [0, 1). */
long openrouter_backoff_delay_ms(const openrouter_retry_policy *policy, int retry, double unit);

/* Parses a Retry-After value (delta seconds or an HTTP date) relative to
 * `now_unix_s`. Returns milliseconds to wait (>= 0), or -1 if unparseable. */
long openrouter_parse_retry_after(const char *value, int64_t now_unix_s);

/* Library version. */
#define OPENROUTER_VERSION_MAJOR 0
#define OPENROUTER_VERSION_MINOR 1
#define OPENROUTER_VERSION_PATCH 0
#define OPENROUTER_VERSION_STRING "0.1.0"
const char *openrouter_version(void);

#ifdef __cplusplus
}
#endif
#endif
