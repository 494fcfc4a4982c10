/* openrouter-c: declarations shared by the runtime's own files. Not installed. */
#ifndef OPENROUTER_INTERNAL_H
#define OPENROUTER_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "openrouter/client.h"
#include "openrouter/descriptor.h"
#include "openrouter/error.h"
#include "openrouter/types.h"

#include "slots.h"
#include "text.h"

#if defined(__GNUC__) || defined(__clang__)
#define OR_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define OR_PRINTF(a, b)
#endif

/* ---- allocation (alloc.c): every runtime allocation goes through these and
 * the allocator in force (openrouter_set_allocator), so tests can fail the
 * Nth one with an allocator of their own (tests/support/fail_alloc.c). */
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
/* Puts "prefix: " (an operation's name) in front of a message another
 * module wrote, unless it is there already. Allocates nothing (it also runs
 * while reporting ENOMEM). */
void or_error_prefix(openrouter_error *error, const char *prefix);
/* Appends `s` to dst (size `size`, `*used` bytes filled so far), cut short
 * if it does not fit; dst stays NUL-terminated. */
void or_append_cut(char *dst, size_t size, size_t *used, const char *s);
/* Copies the parts of an API error body into error->api_* (each may be
 * NULL; code_number is stored when code is not), redacting key-shaped
 * text. 0, or OPENROUTER_ENOMEM. */
int or_error_set_api(openrouter_error *error, const char *code, long code_number, const char *message,
                     const char *metadata);
/* Keeps a printable, bounded, redacted copy of a body that was not a JSON
 * error in error->body_snippet. 0, or OPENROUTER_ENOMEM. */
int or_error_set_snippet(openrouter_error *error, const char *body, size_t len);

/* ---- API error bodies (error_body.c) */
/* Parses an API error body into error->api_*; keeps a bounded snippet of
 * bodies that are not a JSON error. Returns 0, or OPENROUTER_ENOMEM. */
int or_error_parse_body(openrouter_error *error, const char *body, size_t len);
/* A stream event's data: 1 when it is an error object ({"error": {...}},
 * a mid-stream error), its detail then in `error`; 0 when not; or ENOMEM. */
int or_error_parse_event(openrouter_error *error, const char *data, size_t len);
/* The runtime's error envelope {"error": {"code", "message", "metadata"}}
 * and its detail ("code" widened to any JSON value). */
extern const openrouter_object_desc or_error_envelope_desc;
extern const openrouter_object_desc or_error_detail_desc;

/* ---- non-JSON bodies (bytes.c) */
/* A new openrouter_bytes holding a copy of data[0..len) and content_type.
 * OPENROUTER_OK or OPENROUTER_ENOMEM. */
int or_bytes_new(const char *data, size_t len, const char *content_type, openrouter_bytes **out);

/* ---- growable byte buffer (buf.c) */
typedef struct or_buf {
    char *data;   /* always NUL-terminated when non-NULL */
    size_t len;
    size_t cap;
    size_t high;  /* the most bytes held since the last or_buf_wipe */
} or_buf;
#define OR_BUF_INIT {NULL, 0, 0, 0}
int or_buf_reserve(or_buf *b, size_t extra);          /* 0 or -1 on OOM */
int or_buf_append(or_buf *b, const void *p, size_t n); /* 0 or -1 */
int or_buf_puts(or_buf *b, const char *s);
int or_buf_printf(or_buf *b, const char *fmt, ...) OR_PRINTF(2, 3);
void or_buf_reset(or_buf *b);                          /* len = 0, keeps memory */
void or_buf_free(or_buf *b);                           /* wipes, then frees */
/* Wipes every byte held since the last wipe (up to the high-water mark, so
 * a longer earlier content goes too), then resets; keeps the memory for
 * reuse. Only for buffers written through these functions. */
void or_buf_wipe(or_buf *b);
/* Appends `s` (length n) as a JSON string literal with quotes and escapes.
 * Returns 0, -1 on OOM, -2 if `s` is not valid UTF-8. */
int or_buf_json_string(or_buf *b, const char *s, size_t n);

/* ---- text and number formatting: text.h (text.c) */

/* ---- json_reader.c: strict single-pass JSON reader (RFC 8259) over
 * (text, length); never allocates (except a long number's copy), never
 * recurses, never reads past the length. or_model_decode() pulls values
 * from it straight into model structs. See the file comment for the
 * grammar and the depth rule ([[1]] is 3 deep). */

/* Nesting limit of decoding and trees when none is given. */
#define OR_DEFAULT_MAX_DEPTH 64

/* Hard cap on max_depth (the reader's skip stack is sized for it). */
#define OR_JR_MAX_DEPTH 4096

typedef enum or_jtok {
    OR_JT_ERROR = 0, /* the reader holds the error */
    OR_JT_OBJECT,
    OR_JT_ARRAY,
    OR_JT_STRING,
    OR_JT_NUMBER,
    OR_JT_TRUE,
    OR_JT_FALSE,
    OR_JT_NULL
} or_jtok;

/* Error kinds (or_jr.err) */
#define OR_JR_E_SYNTAX 1    /* "invalid JSON at offset N: why" */
#define OR_JR_E_TRUNCATED 2 /* "truncated JSON at offset N" (N = length) */
#define OR_JR_E_DEPTH 3     /* "JSON nested deeper than D levels at offset N" */
#define OR_JR_E_NUL 4       /* "NUL byte in JSON at offset N" */
#define OR_JR_E_TRAILING 5  /* "trailing data after JSON at offset N" */
#define OR_JR_E_EMPTY 6     /* "empty JSON document" */

typedef struct or_jr {
    const char *s;
    size_t n;
    size_t pos;        /* next byte to read */
    int depth;         /* containers open */
    int max_depth;     /* 1..OR_JR_MAX_DEPTH */
    int err;           /* first error: OR_JR_E_*, 0 = none */
    size_t err_pos;
    const char *err_why;
} or_jr;

/* A string's raw contents (between the quotes): s[start .. start+len). */
typedef struct or_jr_str {
    size_t start, len;
    int escaped;       /* contains a backslash escape: or_jr_unescape it */
} or_jr_str;

/* A number literal, validated. value = mant * 10^exp10 when !inexact. */
typedef struct or_jr_num {
    size_t start, len;
    int neg;
    int is_int;        /* no fraction, no exponent */
    int inexact;       /* nonzero digits beyond the first 19 were dropped */
    uint64_t mant;     /* first (up to) 19 significant digits */
    int64_t nsig;      /* significant digits in the literal */
    int64_t exp10;
} or_jr_num;

/* max_depth <= 0: OR_DEFAULT_MAX_DEPTH; capped at OR_JR_MAX_DEPTH. */
void or_jr_init(or_jr *r, const char *s, size_t n, int max_depth);
/* Skips whitespace to the next value and says what it is, checking the
 * depth limit; consumes nothing. OR_JT_ERROR: at the end of the text
 * ("empty JSON document" before the first value, else truncated), a byte
 * that cannot start a value, or too deep. */
or_jtok or_jr_peek(or_jr *r);
/* After peeking OR_JT_OBJECT/OR_JT_ARRAY: consumes the bracket. */
void or_jr_begin(or_jr *r);
/* Inside an array: 1 if item number `index` (0-based) follows (the comma
 * before it consumed), 0 after consuming ']', -1 on error. */
int or_jr_item(or_jr *r, size_t index);
/* Inside an object: 1 with member number `index`'s key read and ':'
 * consumed (the value is next), 0 after consuming '}', -1 on error. */
int or_jr_member(or_jr *r, size_t index, or_jr_str *key);
/* After peeking OR_JT_STRING / OR_JT_NUMBER / a literal: reads it, 0 or -1. */
int or_jr_string(or_jr *r, or_jr_str *out);
int or_jr_number(or_jr *r, or_jr_num *num);
int or_jr_literal(or_jr *r, or_jtok t);
/* Skips (and validates) the next value, whatever it is. 0 or -1. */
int or_jr_skip(or_jr *r);
/* Just after or_jr_begin(): the number of items (members) of that array
 * (object), counted by a quick scan that trusts the text; exact when it is
 * valid JSON, never below what the reader will then accept. */
size_t or_jr_count_items(const or_jr *r);
/* After the top-level value: only whitespace may follow. 0 or -1. */
int or_jr_end(or_jr *r);
/* A whole document from a fresh reader: one value, then only whitespace. */
int or_jr_validate(or_jr *r);
/* Sets `error` (EDECODE, empty field) from the reader's error; returns
 * OPENROUTER_EDECODE. */
int or_jr_error(const or_jr *r, openrouter_error *error);

/* Decodes the validated contents of an escaped string into dst (room for
 * `len` bytes is enough); returns the decoded length. May contain NULs
 * (from \u0000); not NUL-terminated. */
size_t or_jr_unescape(const char *src, size_t len, char *dst);
/* Copies a validated JSON value, dropping whitespace outside strings;
 * returns the length written (at most len). */
size_t or_jr_compact(const char *src, size_t len, char *dst);

/* Number conversions. Integers are checked from the literal text, exactly
 * (no rounding through double, no saturation): 5, 5.0, 5e0 and 0.5e1 are
 * 5; 0.5 is a fraction. Doubles: correctly rounded (exact fast path, else
 * strtod on a locale-neutral rewrite of the literal), never infinite;
 * integer literals keep the old decoder's range, -(2^63-1) .. 2^64-2. */
#define OR_JR_NUM_RANGE 1
#define OR_JR_NUM_FRACTION 2
#define OR_JR_NUM_NOMEM 3
int or_jr_num_int(const or_jr *r, const or_jr_num *num, int64_t lo, int64_t hi, int64_t *out);
int or_jr_num_double(const or_jr *r, const or_jr_num *num, double *out);

/* ---- json-c trees of untyped JSON (json_tree.c) */
struct json_object;
/* Validates a whole buffer with the reader (one value, nothing but
 * whitespace after it, depth-limited, strings valid UTF-8), then builds
 * its json-c tree (JSON null: *out NULL). max_depth <= 0:
 * OR_DEFAULT_MAX_DEPTH. See json_tree.c for what json-c cannot hold. */
int or_json_parse(const char *json, size_t len, int max_depth, struct json_object **out,
                  openrouter_error *error);
/* Wipes every string and key of a tree, then json_object_put()s it
 * (json-c frees without wiping). */
void or_json_put_wiped(struct json_object *root);

/* ---- field paths (path.c) and constraints checked when sending
 * (constraints.c), shared by encode.c and request.c */
/* One step of a path; the text ("data[3].limit") is built only when an
 * error is reported. */
typedef struct or_path {
    const struct or_path *up;
    const char *name; /* NULL: array index */
    size_t index;
} or_path;
/* Writes the path's text ("" for none), cut to fit; returns its length. */
size_t or_path_text(const or_path *p, char *buf, size_t size);
/* Reports "<path>: <message>" with error->field = path; returns `kind`. */
int or_path_error(openrouter_error *error, openrouter_status kind, const or_path *p, const char *fmt, ...)
    OR_PRINTF(4, 5);

/* Constraints of a field or parameter; items of arrays and maps have none. */
typedef struct or_limits {
    unsigned flags;
    int64_t min_length, max_length;
    double minimum, maximum;
} or_limits;
extern const or_limits or_no_limits;
/* The rules alone: 0 when the value keeps them, else 1 with `why` (a
 * message naming the constraint, never the value) filled. */
int or_length_violation(const or_limits *lim, int64_t n, const char *unit, char *why, size_t size);
int or_range_violation(const or_limits *lim, double v, char *why, size_t size);
/* NULL for a valid RFC 3339 date-time (UTC, ending in Z, with
 * OPENROUTER_F_UTC_ONLY in `flags`), else why not. */
const char *or_datetime_violation(unsigned flags, const char *s);
/* Each returns 0 or OPENROUTER_EINVAL with the path in the error. */
int or_check_length(openrouter_error *error, const or_path *p, const or_limits *lim, int64_t n,
                    const char *unit);
int or_check_range(openrouter_error *error, const or_path *p, const or_limits *lim, double v);
/* Present (non-NULL), valid UTF-8, length in code points. */
int or_check_string(openrouter_error *error, const or_path *p, const or_limits *lim, const char *s);
/* RFC 3339; with OPENROUTER_F_UTC_ONLY in `flags`, ending in Z. */
int or_check_datetime(openrouter_error *error, const or_path *p, unsigned flags, const char *s);
/* Text of an enum slot to send, or NULL with the error set. */
const char *or_enum_text(openrouter_error *error, const or_path *p, const openrouter_type_desc *t,
                         const openrouter_enum_value *ev);

/* ---- models: ownership (ownership.c; arenas in arena.h, arena.c) */
/* Records `model` (the first allocation of its arena) as live, so
 * openrouter_model_free() accepts it. 0, or -1 on OOM. */
int or_model_register(void *model, const openrouter_object_desc *desc);
/* Aborts with a message naming `fn` (like a bad free) unless `model` is a
 * live model the library returned. */
void or_model_check_live(const char *fn, const void *model);
/* Building models from pieces (pager.c). or_model_new: a zeroed, live
 * model of `desc` in a new arena, released by openrouter_model_free();
 * NULL on OOM. or_model_alloc: n zeroed bytes in that model's arena (the
 * model must come from the library). */
void *or_model_new(const openrouter_object_desc *desc);
void *or_model_alloc(void *model, size_t n);

/* ---- models: warnings (warnings.c; the kinds in openrouter/types.h) */
/* The warnings of a decode, collected before they are stored with the
 * model (paths and messages already in its arena). */
typedef struct or_warnings {
    openrouter_warning *items; /* allocator block */
    size_t count, cap;
    size_t dropped;            /* past OPENROUTER_MAX_WARNINGS: counted only */
} or_warnings;
#define OR_WARNINGS_INIT {NULL, 0, 0, 0}
/* Records one (path and message copied into the arena of `model`). 0, or
 * -1 on OOM. */
int or_warnings_add(or_warnings *w, void *model, openrouter_warning_kind kind, const char *path,
                    const char *message);
/* Stores the list with the model (a TRUNCATED one last when some were
 * dropped) and releases it either way. 0, or -1 on OOM. */
int or_warnings_attach(or_warnings *w, void *model);
void or_warnings_release(or_warnings *w);
/* A model's warnings, without the registry check (the library's own). */
const openrouter_warning *or_model_warnings_of(const void *model, size_t *count);

/* ---- models: decoding (decode.c) */
/* Three ways to read a response (see the file comment of decode.c):
 * default: values that break the description are kept or left absent and
 * recorded as warnings; strict: the first is an EDECODE error; lenient
 * (error bodies): such values and required members of the wrong type are
 * dropped silently. */
typedef struct or_decode_options {
    int strict;           /* the first value that breaks the description is an error */
    int max_depth;        /* nesting limit; 0 = OR_DEFAULT_MAX_DEPTH; at most OR_JR_MAX_DEPTH */
    int lenient;          /* nothing but malformed JSON fails; no warnings */
    int request;          /* read as a request body: write-only fields read, read-only ones skipped */
} or_decode_options;

int or_model_decode(const openrouter_object_desc *desc, const char *json, size_t len,
                    const or_decode_options *options, void **out, openrouter_error *error);

/* ---- unions (union.c; the rules are in descriptor.h) */
/* The variant (1..n_variants) the value the reader is at belongs to, read
 * ahead from a copy of `r` (r itself is untouched); 0 when none matches or
 * the text is invalid there (the decode that follows reports it);
 * OR_UNION_NOMEM when memory ran out. `tok` is what or_jr_peek(r) returned. */
#define OR_UNION_NOMEM SIZE_MAX
size_t or_union_select(const openrouter_union_desc *ud, const or_jr *r, or_jtok tok);
/* Before encoding the union model at `u`: its kind must name a variant or
 * be 0 (*variant NULL: send raw). For a discriminated object variant, its
 * discriminator member, when present, must hold one of the variant's tags;
 * when absent, *tag is the tag encoding writes in its place. 0 or EINVAL. */
int or_union_encode_check(const openrouter_union_desc *ud, const char *u, const or_path *p,
                          const openrouter_union_variant **variant, const char **tag, openrouter_error *error);
/* Whether an integer literal would select another variant than a number
 * variant (so encoding writes the number variant's integral values with
 * ".0"). */
int or_union_has_integer(const openrouter_union_desc *ud);

/* ---- models: encoding (encode.c) */
/* Validates then appends the model's JSON encoding to `out`. */
int or_model_encode(const openrouter_object_desc *desc, const void *model, or_buf *out,
                    openrouter_error *error);

/* ---- models: equality and copies (equal_copy.c) */
/* Copies the slot `src` of type `t` into `dst` (any memory, slot_size
 * bytes) with every string, array and map it reaches duplicated into the
 * arena of `model` (from the library); 0, or -1 on OOM (then `dst` is
 * garbage: drop it). */
int or_model_copy_slot(void *model, const openrouter_type_desc *t, void *dst, const void *src);

/* ---- datetime.c */
/* Parses an HTTP date (IMF-fixdate, RFC 850 or asctime) into Unix seconds.
 * Returns 0, or -1 if invalid. */
int or_http_date_parse(const char *s, int64_t *unix_s);

/* ---- alloc.c: the injectable allocator and libcurl's wiping wrappers */
/* Nonzero if `a` is complete and of the right version. */
int or_allocator_valid(const openrouter_allocator *a);
/* Makes `a` (NULL: malloc/realloc/free) the allocator in force. Only while
 * the library is not initialised (see openrouter_set_allocator). */
void or_alloc_install(const openrouter_allocator *a);
/* curl_global_init_mem() with wrappers that allocate through the current
 * allocator and wipe every libcurl block before freeing it. 0 or -1. */
int or_curl_global_init(void);

/* ---- client, transport, retries and calls (client.c, http.c, retry.c,
 * request.c, call.c, outcome.c). The client struct is in client_impl.h, the
 * transport in http.h, a call's steps in call.h. */

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
    long pipewait;              /* CURLOPT_PIPEWAIT: 1 on non-blocking https calls' handles (async_handle.c) */
    int http_allowed;           /* plain http accepted for base_url */
    /* Owned by the client (the proxy string is wiped on free). */
    const char *ca_file;        /* CURLOPT_CAINFO (and PROXY_CAINFO); NULL: libcurl's default */
    const char *ca_dir;         /* CURLOPT_CAPATH (and PROXY_CAPATH); NULL: libcurl's default */
    /* CURLOPT_PROXY: NULL leaves libcurl reading the environment; ""
     * means no proxy. When set (even ""), CURLOPT_NOPROXY is "" so that
     * no_proxy in the environment cannot overrule it. */
    const char *proxy;
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

/* cancel.c: waits up to `ms` milliseconds, returning early (1) as soon
 * as the token is cancelled; 0 after the whole wait. */
int or_cancel_wait(const openrouter_cancel_token *token, long ms);

/* client.c: formats a message and passes it to the client's log callback when
 * one is set and `level` >= its log_level, with the API key redacted. Never
 * pass bodies or secrets in the arguments. */
void or_log(openrouter_client *client, openrouter_log_level level, const char *fmt, ...) OR_PRINTF(3, 4);

#endif
