/* openrouter-c: the client, its options, retries and per-call options.
 *
 * Threading: a client holds one libcurl handle and is NOT safe to use from
 * two threads at once. Use one client per thread (they are cheap), or
 * serialise calls on a shared client yourself. Different clients may be
 * created, used and freed concurrently from any threads. What a call returns
 * belongs to the caller and may move between threads. Callbacks run on the
 * calling thread. openrouter_global_init()/cleanup() are thread-safe and
 * reference counted; still call openrouter_global_init() once before
 * starting threads (see there). openrouter_cancel() is meant for another
 * thread (or a signal handler) while a call runs: see
 * openrouter_cancel_token. */
#ifndef OPENROUTER_CLIENT_H
#define OPENROUTER_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "openrouter/alloc.h"
#include "openrouter/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define OPENROUTER_DEFAULT_BASE_URL "https://openrouter.ai/api/v1" /* base_url when NULL */
#define OPENROUTER_DEFAULT_CONNECT_TIMEOUT_MS 10000L /* connect_timeout_ms when 0 */
#define OPENROUTER_DEFAULT_TIMEOUT_MS 60000L /* timeout_ms when 0: a whole request */
#define OPENROUTER_DEFAULT_MAX_RESPONSE_BYTES ((size_t)16 * 1024 * 1024) /* max_response_bytes when 0 */

/* Retries use exponential backoff with full jitter:
 *   delay(n) = uniform(0, min(max_delay_ms, initial_delay_ms * multiplier^(n-1)))
 * for the n-th retry. A Retry-After (or retry-after-ms) from the server is
 * used instead when present; if it exceeds max_retry_after_ms the call
 * gives up at once and reports it in openrouter_error.retry_after_ms.
 *
 * What is retried: for idempotent operations (GET, PUT, DELETE and those
 * the spec marks, such as PATCH /keys/{hash}), HTTP 408, 429, 5xx,
 * timeouts and connection failures. For operations that are not
 * idempotent (POST create), only failures where the server cannot have
 * acted: a connection that was never opened (nothing was sent) and HTTP
 * 429. Set retry_non_idempotent to also retry those after a 5xx, a timeout
 * or a reset: this can create a key twice. */
typedef struct openrouter_retry_policy {
    unsigned int version;      /* OPENROUTER_RETRY_POLICY_VERSION */
    int max_attempts;          /* total requests, first included; 1 = no retry */
    long initial_delay_ms;     /* backoff cap before the first retry */
    long max_delay_ms;         /* cap of one backoff delay */
    double multiplier;         /* growth of the cap per retry (>= 1) */
    long max_elapsed_ms;       /* no retry starts after this much time */
    long max_retry_after_ms;   /* longest server-requested wait honoured */
    int retry_non_idempotent;  /* opt-in, see above */
} openrouter_retry_policy;

#define OPENROUTER_RETRY_POLICY_VERSION 1 /* current version of openrouter_retry_policy */
/* Defaults: 3 attempts, 500 ms x 2^n capped at 30 s, 60 s in all, Retry-After
 * honoured up to 60 s, POST not retried after it may have been acted on. */
#define OPENROUTER_RETRY_POLICY_INIT {OPENROUTER_RETRY_POLICY_VERSION, 3, 500L, 30000L, 2.0, 60000L, 60000L, 0}

/* Injectable time and randomness, so retry timing can be tested exactly.
 * now_ms: a monotonic clock in milliseconds. sleep_ms: waits. random_unit:
 * returns a uniform double in [0, 1). NULL members use the real ones. */
typedef struct openrouter_clock {
    int64_t (*now_ms)(void *ctx);         /* monotonic milliseconds */
    void (*sleep_ms)(void *ctx, long ms); /* waits `ms` milliseconds */
    double (*random_unit)(void *ctx);     /* uniform in [0, 1) */
    void *ctx;                            /* passed to the three functions */
} openrouter_clock;

/* Called before each attempt and after each response, for logging and
 * metrics. `url` never contains credentials; headers are not passed. */
typedef struct openrouter_trace_event {
    const char *operation_id; /* the spec's operationId */
    const char *method;  /* "GET", "POST", ... */
    const char *url;     /* full URL with query, the API key redacted */
    int attempt;         /* 1-based */
    long http_status;    /* 0 before the response or on transport errors */
    long duration_ms;    /* 0 before the response */
    int result;          /* openrouter_status of this attempt (after only) */
    long delay_ms;       /* wait before the next attempt, -1 if none */
} openrouter_trace_event;
/* Receives trace events: `before` is 1 before an attempt is sent, 0 after
 * its response (or transport failure). `event` is valid during the call. */
typedef void (*openrouter_trace_fn)(void *ctx, int before, const openrouter_trace_event *event);

/* Severity of a log message. */
typedef enum openrouter_log_level {
    OPENROUTER_LOG_DEBUG = 0, /* every attempt and response */
    OPENROUTER_LOG_INFO = 1,  /* one line per completed call */
    OPENROUTER_LOG_WARN = 2,  /* retries; calls failing with EINVAL, a 4xx or ECANCELED */
    OPENROUTER_LOG_ERROR = 3  /* calls failing otherwise (transport, 5xx, decode) */
} openrouter_log_level;

/* Receives one line of text (no trailing newline), valid during the call
 * only. Messages name the operation, method, URL, status, attempt and
 * timing; they never contain the API key (redacted), the Authorization
 * header, or request or response bodies. */
typedef void (*openrouter_log_fn)(void *ctx, openrouter_log_level level, const char *message);

/* An extra request header, e.g. {"traceparent", "00-4bf9...-01"}. The
 * name must be an RFC 9110 token; the value must hold no control
 * character (tab included), as for every header this library sends.
 * Refused (OPENROUTER_EINVAL, before anything is sent): Authorization and
 * Proxy-Authorization (the key comes from api_key), the headers HTTP
 * itself controls (Host, Content-Length, Content-Type, Transfer-Encoding,
 * Connection, Expect, TE, Trailer, Upgrade), and those an option or a
 * request parameter sets (Accept, User-Agent, HTTP-Referer, X-Title,
 * X-OpenRouter-Title, X-OpenRouter-Categories, an operation's header
 * parameters), and a name twice in one list. Like every header, values are
 * never logged or traced, and the library's copies are wiped when freed. */
typedef struct openrouter_header {
    const char *name;  /* e.g. "traceparent" */
    const char *value; /* "" sends the header with an empty value */
} openrouter_header;

/* ---- Cancelling a call from another thread ------------------------------
 * A token any number of calls can watch (openrouter_call_options.cancel;
 * for a paged walk, openrouter_pagination_options.call):
 *
 *   openrouter_cancel_token *stop = NULL;
 *   openrouter_cancel_token_new(&stop);
 *   call.cancel = stop;                  ... and in another thread:
 *   openrouter_cancel(stop);
 *
 * A watching call then returns OPENROUTER_ECANCELED: at once when it has
 * not sent anything yet; from a transfer in progress within about a second
 * (libcurl's progress callback; the connection is closed, and whether a
 * request already sent was acted on is in request_may_have_been_processed);
 * and at once from the wait between retries. With an injected clock
 * (openrouter_clock.sleep_ms) the library cannot interrupt your sleep_ms:
 * it checks the token before calling it and as soon as it returns, so a
 * sleep_ms that should end early can poll openrouter_cancel_requested(). */
typedef struct openrouter_cancel_token openrouter_cancel_token;

/* A new token, not cancelled. OPENROUTER_OK, EINVAL (out NULL), ENOMEM or
 * ETRANSPORT (no pipe could be made: it holds two descriptors). */
int openrouter_cancel_token_new(openrouter_cancel_token **out);
/* Cancels every call watching the token, now and later, until reset.
 * Safe from any thread and from a signal handler (an atomic store and a
 * write() to a pipe); NULL-safe. */
void openrouter_cancel(openrouter_cancel_token *token);
/* Nonzero once openrouter_cancel() was called (and not reset since). */
int openrouter_cancel_requested(const openrouter_cancel_token *token);
/* Makes the token usable again; not while a call watches it. */
void openrouter_cancel_token_reset(openrouter_cancel_token *token);
/* Releases the token (NULL-safe); no call may still watch it. */
void openrouter_cancel_token_free(openrouter_cancel_token *token);

/* Everything a client is created with; start from
 * OPENROUTER_CLIENT_OPTIONS_INIT. Copied by openrouter_client_new(). */
typedef struct openrouter_client_options {
    unsigned int version;           /* OPENROUTER_CLIENT_OPTIONS_VERSION */
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
    openrouter_retry_policy retry;  /* all zero: OPENROUTER_RETRY_POLICY_INIT */
    /* Plain http:// is accepted only for loopback hosts unless this is set. */
    int allow_insecure_http;
    /* The older name of strict_decoding (below): nonzero turns it on. */
    int strict_required_fields;
    const openrouter_clock *clock;  /* NULL: real clock; copied */
    openrouter_trace_fn trace;      /* optional */
    void *trace_ctx;                /* passed to `trace` */
    openrouter_log_fn log;          /* optional, see openrouter_log_fn */
    void *log_ctx;                  /* passed to `log` */
    openrouter_log_level log_level; /* least severe level passed to `log` */

    /* Since version 2. Trust: the server's certificate is always verified
     * (and its name checked); these replace the system's CA store with
     * your own, e.g. for a TLS-inspecting corporate proxy. Both may be set.
     * They apply to an https:// proxy too. Checked (readable) when the
     * client is created. */
    const char *ca_bundle_file;     /* PEM file of CA certificates; NULL: system */
    const char *ca_directory;       /* directory of hashed CA certificates (`openssl rehash`) */
    /* The proxy, as libcurl takes it: "http://host:3128",
     * "https://user:password@host", "socks5h://host:1080"; copied and
     * wiped on free (it may hold a password), never logged. NULL (the
     * default): from the environment as curl does it (https_proxy or
     * HTTPS_PROXY for https:// base URLs, http_proxy for http://, then
     * all_proxy / ALL_PROXY; no_proxy / NO_PROXY lists hosts that bypass
     * it), except that a loopback base URL is never sent to a proxy.
     * OPENROUTER_NO_PROXY (""): no proxy at all, whatever the environment
     * says. A proxy given here is used for the base URL whatever no_proxy
     * says. */
    const char *proxy;
    /* Appended to the User-Agent after a space, e.g. "my-app/1.2":
     * "openrouter-c/0.1.0 my-app/1.2" (or user_agent's value instead of
     * the library's). */
    const char *user_agent_suffix;
    /* Extra headers sent on every request (see openrouter_header);
     * copied. A call's own headers (openrouter_call_options.headers) with
     * the same name replace these for that call. */
    const openrouter_header *headers;
    size_t header_count;            /* entries in `headers` */

    /* Since version 3. Nonzero: the first response value that breaks the
     * description (a bad date-time, a value outside its limits, null where
     * not allowed, a required member missing, a union value no variant
     * matches, an optional one of the wrong type, one its C type cannot
     * hold) fails the call with OPENROUTER_EDECODE naming it. Default (0):
     * the call succeeds and the model keeps what it can, each such value
     * recorded as a warning: see openrouter_model_warnings() in
     * openrouter/types.h. */
    int strict_decoding;
} openrouter_client_options;

/* openrouter_client_options.proxy: use no proxy, ignore the environment. */
#define OPENROUTER_NO_PROXY ""

/* Current version of openrouter_client_options; versions 1 and 2 (without
 * the members marked "since version 2" / "since version 3") are still
 * accepted. */
#define OPENROUTER_CLIENT_OPTIONS_VERSION 3
/* Defaults: the public base URL, default timeouts and retry policy, no
 * hooks, log level INFO, the system's CAs, the environment's proxy,
 * lenient decoding. */
#define OPENROUTER_CLIENT_OPTIONS_INIT                                                     \
    {OPENROUTER_CLIENT_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0,       \
     OPENROUTER_RETRY_POLICY_INIT, 0, 0, NULL, NULL, NULL, NULL, NULL, OPENROUTER_LOG_INFO, \
     NULL, NULL, NULL, NULL, NULL, 0, 0}

/* Per-call overrides; pass NULL for the client's settings. */
typedef struct openrouter_call_options {
    unsigned int version;                 /* OPENROUTER_CALL_OPTIONS_VERSION (1 still accepted) */
    const openrouter_retry_policy *retry; /* NULL: the client's policy */
    long timeout_ms;                      /* 0: the client's */
    /* Since version 2. When raw_body is non-NULL, a successful call also
     * stores a copy of the response body exactly as received (NUL-terminated;
     * "" when there was none) in *raw_body, and its length in *raw_body_len
     * (if non-NULL), e.g. to pass the API's JSON through unchanged. Release
     * it with openrouter_buffer_free(), which wipes it: a create's body holds
     * the new key's secret. On failure *raw_body is NULL. */
    char **raw_body;
    size_t *raw_body_len;                 /* optional: length of *raw_body */
    /* Since version 3. Extra headers for this call (see openrouter_header),
     * e.g. a W3C traceparent; they replace client headers of the same name. */
    const openrouter_header *headers;
    size_t header_count;                  /* entries in `headers` */
    /* Since version 3. Cancels the call when openrouter_cancel() is called
     * on it (see openrouter_cancel_token); NULL: not cancellable. */
    openrouter_cancel_token *cancel;
    /* Since version 4, streaming calls only (openrouter/stream.h): the
     * longest wait for the next event, a comment or keep-alive restarting
     * it; 0: the client's timeout_ms. A stream's timeout_ms above limits
     * the whole stream, and 0 there means no limit. */
    long stream_idle_timeout_ms;
} openrouter_call_options;

/* Versions 1 (without raw_body), 2 (without headers and cancel) and 3
 * (without stream_idle_timeout_ms) are still accepted. */
#define OPENROUTER_CALL_OPTIONS_VERSION 4
/* Defaults: the client's policy and timeout, no raw body, no extra
 * headers, not cancellable, the client's timeout between stream events. */
#define OPENROUTER_CALL_OPTIONS_INIT {OPENROUTER_CALL_OPTIONS_VERSION, NULL, 0, NULL, NULL, NULL, 0, NULL, 0}

/* A client: one API key, one reused connection, its settings. Opaque. */
typedef struct openrouter_client openrouter_client;

/* Initialises libcurl's global state (with the allocator of
 * openrouter_set_allocator() and wrappers that wipe libcurl's memory, unless
 * the program initialised libcurl first). Reference counted and thread-safe
 * (a mutex); every client also holds a reference of its own, so libcurl
 * stays initialised while any client exists. Call it once at program start
 * anyway: libcurl's global init must not race with other libcurl users in
 * the process, which this library cannot lock out. Returns OPENROUTER_OK or
 * OPENROUTER_ETRANSPORT. */
int openrouter_global_init(void);
/* Releases one openrouter_global_init() reference (an unmatched call does
 * nothing); libcurl is cleaned up when no reference and no client is left. */
void openrouter_global_cleanup(void);

/* Creates a client. Options are validated and copied; the caller may free
 * them afterwards. On failure *out is NULL and nothing is allocated. */
int openrouter_client_new(openrouter_client **out, const openrouter_client_options *options,
                          openrouter_error *error);

/* openrouter_client_new() with the key, and the base URL, from the
 * environment where `options` (NULL: OPENROUTER_CLIENT_OPTIONS_INIT) leaves
 * them NULL: OPENROUTER_API_KEY (required: EINVAL naming it when unset or
 * empty) and OPENROUTER_BASE_URL (unset or empty: the default). The
 * variables are read once, here (getenv: not while another thread calls
 * setenv). */
int openrouter_client_new_from_env(openrouter_client **out, const openrouter_client_options *options,
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

/* Library version: major. */
#define OPENROUTER_VERSION_MAJOR 0
/* Library version: minor. */
#define OPENROUTER_VERSION_MINOR 1
/* Library version: patch. */
#define OPENROUTER_VERSION_PATCH 0
/* Library version as "MAJOR.MINOR.PATCH". */
#define OPENROUTER_VERSION_STRING "0.1.0"
/* The version of the library linked in, e.g. "0.1.0". */
const char *openrouter_version(void);

#ifdef __cplusplus
}
#endif
#endif
