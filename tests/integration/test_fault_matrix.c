/* The fault matrix: every injected fault against every one of the six
 * operations, each pair with a stated outcome that is asserted (status
 * kind, HTTP status, attempts, the waits requested from the injected clock,
 * whether a create may have been processed, what the server ended up
 * holding, message / field / API details).
 *
 * The same table produces docs/FAULT_MATRIX.md:
 *     test_fault_matrix --markdown > docs/FAULT_MATRIX.md
 * and a test checks the committed file matches it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <json-c/json.h>

#include <openrouter/openrouter.h>

#include "async_test.h"
#include "odd_bodies.h"
#include "stub_server.h"
#include "test_util.h"

static stub_server srv;
static int closed_port;   /* bound, never listening: connection refused */
static int closed_fd = -1;

/* The injected clock: moves only when waited on, records every wait. */
static or_test_clock tc;

/* ---- the table ------------------------------------------------------------ */

enum { OP_LIST, OP_CREATE, OP_GET, OP_UPDATE, OP_DELETE, OP_CURRENT, N_OPS };
static const char *const op_names[N_OPS] = {"listKeys", "createKey", "getKey",
                                             "updateKey", "deleteKey", "getCurrentKeyMetadata"};

/* CL_STRICT: the older strict_required_fields; CL_STRICT_DECODING: strict_decoding. */
enum client_kind { CL_DEFAULT, CL_STRICT, CL_SMALL_LIMIT, CL_REFUSED, CL_STRICT_DECODING };
#define SMALL_LIMIT 65536

/* What the server holds afterwards, relative to the one fixture key. */
enum effect { EF_NONE, EF_STORED, EF_DELETED };

#define W_DATE (-2L) /* a wait of about 3 s, from an HTTP-date Retry-After */

typedef struct outcome {
    int rc;               /* openrouter_status */
    long status;          /* error.http_status (0: no response) */
    int attempts;
    long w1, w2;          /* waits before retries 1 and 2; 0 = none */
    int processed;        /* error.request_may_have_been_processed */
    int effect;           /* enum effect */
    const char *field;    /* error.field, when not NULL */
    /* On success: the warnings on the model (openrouter_model_warnings),
     * the first one's path and kind, and what the odd value became. */
    int warnings;
    const char *warn;
    int warn_kind;
    const char *holds;
} outcome;

/* Outcome shorthands. OKn: success after n attempts. */
#define OK1 {OPENROUTER_OK, 0, 1, 0, 0, 0, EF_NONE, NULL, 0, NULL, 0, NULL}
#define OK1_STORED {OPENROUTER_OK, 0, 1, 0, 0, 0, EF_STORED, NULL, 0, NULL, 0, NULL}
#define OK1_DELETED {OPENROUTER_OK, 0, 1, 0, 0, 0, EF_DELETED, NULL, 0, NULL, 0, NULL}
#define OK2(w) {OPENROUTER_OK, 0, 2, w, 0, 0, EF_NONE, NULL, 0, NULL, 0, NULL}
#define OK2_STORED(w) {OPENROUTER_OK, 0, 2, w, 0, 0, EF_STORED, NULL, 0, NULL, 0, NULL}
#define OK2_DELETED(w) {OPENROUTER_OK, 0, 2, w, 0, 0, EF_DELETED, NULL, 0, NULL, 0, NULL}
/* Failed after three attempts with the default backoff (jitter 0.5). */
#define HTTP3(s) {OPENROUTER_EHTTP, s, 3, 250, 500, 0, EF_NONE, NULL, 0, NULL, 0, NULL}
#define HTTP1(s) {OPENROUTER_EHTTP, s, 1, 0, 0, 0, EF_NONE, NULL, 0, NULL, 0, NULL}
#define HTTP1_PROC(s) {OPENROUTER_EHTTP, s, 1, 0, 0, 1, EF_NONE, NULL, 0, NULL, 0, NULL}
#define DECODE(op, f) {OPENROUTER_EDECODE, op_ok_status_##op, 1, 0, 0, 0, EF_NONE, f, 0, NULL, 0, NULL}
/* One odd value: a warning at `path` of `kind`, or none. */
#define MARKED(effect, path, kind, holds) \
    {OPENROUTER_OK, 0, 1, 0, 0, 0, effect, NULL, 1, path, OPENROUTER_WARNING_##kind, holds}
#define UNMARKED(effect, holds) {OPENROUTER_OK, 0, 1, 0, 0, 0, effect, NULL, 0, NULL, 0, holds}
/* The same mark in every key-holding body: key 37 of the page, else data. */
#define ODD_ROW(kind, holds)                                                                                    \
    {MARKED(EF_NONE, "data[37].expires_at", kind, holds), MARKED(EF_STORED, "data.expires_at", kind, holds),    \
     MARKED(EF_NONE, "data.expires_at", kind, holds), MARKED(EF_NONE, "data.expires_at", kind, holds),          \
     UNMARKED(EF_DELETED, "no key in the body"), MARKED(EF_NONE, "data.expires_at", kind, holds)}
#define MISSING(effect, n, first) \
    {OPENROUTER_OK, 0, 1, 0, 0, 0, effect, NULL, n, first, OPENROUTER_WARNING_MISSING, "absent"}
#define KEPT_ROW(holds)                                                                                  \
    {UNMARKED(EF_NONE, holds), UNMARKED(EF_STORED, holds), UNMARKED(EF_NONE, holds), UNMARKED(EF_NONE, holds), \
     UNMARKED(EF_DELETED, "no key in the body"), UNMARKED(EF_NONE, holds)}
#define op_ok_status_L 200
#define op_ok_status_C 201
/* Same fault, same outcome for the five idempotent operations; createKey
 * separately. */
#define O(...) {__VA_ARGS__, 0, NULL, 0, NULL}
#define ROW(idem, create) {idem, create, idem, idem, idem, idem}
/* As ROW, but deleteKey differs (the first attempt already deleted). */
#define ROW_D(idem, create, del) {idem, create, idem, idem, del, idem}

typedef struct fault_row {
    const char *name;         /* shown in the doc */
    const char *fault;        /* one fault object; "%s" gets the row's argument */
    int times;                /* copies queued */
    int client;               /* enum client_kind */
    int short_timeout;        /* per-call timeout below the injected delay */
    int arg;                  /* which argument fills "%s": see fault_arg() */
    const char *message;      /* substring of error.message on failure */
    outcome out[N_OPS];
} fault_row;


/* ARG_ODD + an enum odd_value: the bodies of odd_bodies.h. */
enum { ARG_NONE, ARG_DELAY, ARG_HTTP_DATE, ARG_WRONG_TYPES, ARG_MISSING_FIELDS, ARG_BAD_UTF8, ARG_ODD };

/* The enum odd_value of a row about one odd value, else 0. */
static int row_odd(const fault_row *r)
{
    return r->arg > ARG_ODD ? r->arg - ARG_ODD : 0;
}

static const fault_row rows[] = {
    {"HTTP 500 on every attempt", "{\"status\":500}", 3, CL_DEFAULT, 0, ARG_NONE, "HTTP 500",
     ROW(HTTP3(500), HTTP1_PROC(500))},
    {"HTTP 503 once, then normal", "{\"status\":503}", 1, CL_DEFAULT, 0, ARG_NONE, "HTTP 503",
     ROW_D(OK2(250), HTTP1_PROC(503), OK2_DELETED(250))},
    {"HTTP 500 once, sent after the operation was performed", "{\"status\":500,\"apply_then\":true}", 1,
     CL_DEFAULT, 0, ARG_NONE, "HTTP",
     ROW_D(OK2(250), O(OPENROUTER_EHTTP, 500, 1, 0, 0, 1, EF_STORED, NULL),
           O(OPENROUTER_EHTTP, 404, 2, 250, 0, 0, EF_DELETED, NULL))},
    {"HTML error page with 502 on every attempt", "{\"html_502\":true}", 3, CL_DEFAULT, 0, ARG_NONE,
     "HTTP 502", ROW(HTTP3(502), HTTP1_PROC(502))},
    {"HTTP 408 on every attempt", "{\"status\":408}", 3, CL_DEFAULT, 0, ARG_NONE, "HTTP 408",
     ROW(HTTP3(408), HTTP1(408))},
    {"HTTP 429 without Retry-After on every attempt", "{\"status\":429}", 3, CL_DEFAULT, 0, ARG_NONE,
     "HTTP 429", ROW(HTTP3(429), HTTP3(429))},
    {"HTTP 429 with `Retry-After: 2` once", "{\"status\":429,\"headers\":{\"Retry-After\":\"2\"}}", 1,
     CL_DEFAULT, 0, ARG_NONE, NULL, ROW_D(OK2(2000), OK2_STORED(2000), OK2_DELETED(2000))},
    {"HTTP 429 with Retry-After as an HTTP date 3 s ahead, once",
     "{\"status\":429,\"headers\":{\"Retry-After\":\"%s\"}}", 1, CL_DEFAULT, 0, ARG_HTTP_DATE, NULL,
     ROW_D(OK2(W_DATE), OK2_STORED(W_DATE), OK2_DELETED(W_DATE))},
    {"HTTP 429 with `retry-after-ms: 1500` (and `Retry-After: 9`) once",
     "{\"status\":429,\"headers\":{\"retry-after-ms\":\"1500\",\"Retry-After\":\"9\"}}", 1, CL_DEFAULT, 0,
     ARG_NONE, NULL, ROW_D(OK2(1500), OK2_STORED(1500), OK2_DELETED(1500))},
    {"HTTP 429 with `Retry-After: 120`, over the 60 s cap",
     "{\"status\":429,\"headers\":{\"Retry-After\":\"120\"}}", 1, CL_DEFAULT, 0, ARG_NONE,
     "more than max_retry_after_ms", ROW(HTTP1(429), HTTP1(429))},
    {"HTTP 400 with a string `error.code`",
     "{\"status\":400,\"body\":{\"error\":{\"code\":\"invalid_request\",\"message\":\"Bad field\"}}}", 1,
     CL_DEFAULT, 0, ARG_NONE, "HTTP 400: Bad field", ROW(HTTP1(400), HTTP1(400))},
    {"HTTP 401", "{\"status\":401}", 1, CL_DEFAULT, 0, ARG_NONE, "HTTP 401", ROW(HTTP1(401), HTTP1(401))},
    {"HTTP 403", "{\"status\":403}", 1, CL_DEFAULT, 0, ARG_NONE, "HTTP 403", ROW(HTTP1(403), HTTP1(403))},
    {"HTTP 404", "{\"status\":404}", 1, CL_DEFAULT, 0, ARG_NONE, "HTTP 404", ROW(HTTP1(404), HTTP1(404))},
    {"Response delayed past the per-call timeout, once (operation performed)", "{\"delay_ms\":%s}", 1,
     CL_DEFAULT, 1, ARG_DELAY, "timed out",
     ROW_D(OK2(250), O(OPENROUTER_ETIMEOUT, 0, 1, 0, 0, 1, EF_STORED, NULL),
           O(OPENROUTER_EHTTP, 404, 2, 250, 0, 0, EF_DELETED, NULL))},
    {"Connection closed before the response, once (operation not performed)",
     "{\"close_before_response\":true}", 1, CL_DEFAULT, 0, ARG_NONE, "transport error",
     ROW_D(OK2(250), O(OPENROUTER_ETRANSPORT, 0, 1, 0, 0, 1, EF_NONE, NULL), OK2_DELETED(250))},
    {"Connection closed before the response, once, after the operation was performed",
     "{\"close_before_response\":true,\"apply_then\":true}", 1, CL_DEFAULT, 0, ARG_NONE, "transport error",
     ROW_D(OK2(250), O(OPENROUTER_ETRANSPORT, 0, 1, 0, 0, 1, EF_STORED, NULL),
           O(OPENROUTER_EHTTP, 404, 2, 250, 0, 0, EF_DELETED, NULL))},
    {"Connection closed mid-body, once", "{\"close_mid_body\":true}", 1, CL_DEFAULT, 0, ARG_NONE,
     "transport error",
     ROW_D(OK2(250), O(OPENROUTER_ETRANSPORT, 0, 1, 0, 0, 1, EF_STORED, NULL),
           O(OPENROUTER_EHTTP, 404, 2, 250, 0, 0, EF_DELETED, NULL))},
    {"Connection refused (nothing listening)", NULL, 0, CL_REFUSED, 0, ARG_NONE, "transport error",
     ROW(O(OPENROUTER_ETRANSPORT, 0, 3, 250, 500, 0, EF_NONE, NULL),
         O(OPENROUTER_ETRANSPORT, 0, 3, 250, 500, 0, EF_NONE, NULL))},
    {"Truncated body (Content-Length matches the cut)", "{\"truncate_body\":true}", 1, CL_DEFAULT, 0,
     ARG_NONE, "truncated JSON",
     ROW_D(DECODE(L, NULL), O(OPENROUTER_EDECODE, 201, 1, 0, 0, 1, EF_STORED, NULL),
           O(OPENROUTER_EDECODE, 200, 1, 0, 0, 0, EF_DELETED, NULL))},
    {"Malformed JSON", "{\"body_override\":\"{\\\"data\\\": [1, 2,, ]}\"}", 1, CL_DEFAULT, 0, ARG_NONE,
     "invalid JSON",
     ROW_D(DECODE(L, NULL), O(OPENROUTER_EDECODE, 201, 1, 0, 0, 1, EF_STORED, NULL),
           O(OPENROUTER_EDECODE, 200, 1, 0, 0, 0, EF_DELETED, NULL))},
    {"Trailing garbage after the JSON", "{\"body_override\":\"{} x\"}", 1, CL_DEFAULT, 0, ARG_NONE,
     "trailing data",
     ROW_D(DECODE(L, NULL), O(OPENROUTER_EDECODE, 201, 1, 0, 0, 1, EF_STORED, NULL),
           O(OPENROUTER_EDECODE, 200, 1, 0, 0, 0, EF_DELETED, NULL))},
    {"Invalid UTF-8 inside a string", "{\"body_override_b64\":\"%s\"}", 1, CL_DEFAULT, 0, ARG_BAD_UTF8,
     "UTF-8",
     ROW_D(DECODE(L, NULL), O(OPENROUTER_EDECODE, 201, 1, 0, 0, 1, EF_STORED, NULL),
           O(OPENROUTER_EDECODE, 200, 1, 0, 0, 0, EF_DELETED, NULL))},
    {"Wrong types", "{\"body_override\":%s}", 1, CL_DEFAULT, 0, ARG_WRONG_TYPES, "expected",
     {DECODE(L, "data"), O(OPENROUTER_EDECODE, 201, 1, 0, 0, 1, EF_STORED, "key"), DECODE(L, "data.limit"),
      DECODE(L, "data.limit"), O(OPENROUTER_EDECODE, 200, 1, 0, 0, 0, EF_DELETED, "deleted"),
      DECODE(L, "data.limit")}},
    {"Missing required fields (default: reported as absent)", "{\"body_override\":%s}", 1, CL_DEFAULT, 0,
     ARG_MISSING_FIELDS, NULL,
     {MISSING(EF_NONE, 19, "data[0].hash"), MISSING(EF_STORED, 20, "data.hash"), MISSING(EF_NONE, 19, "data.hash"),
      MISSING(EF_NONE, 19, "data.hash"), MISSING(EF_DELETED, 1, "deleted"), MISSING(EF_NONE, 17, "data.limit")}},
    {"Missing required fields (`strict_required_fields`)", "{\"body_override\":%s}", 1, CL_STRICT, 0,
     ARG_MISSING_FIELDS, "missing",
     {DECODE(L, "data[0].hash"), O(OPENROUTER_EDECODE, 201, 1, 0, 0, 1, EF_STORED, "data.hash"),
      DECODE(L, "data.hash"), DECODE(L, "data.hash"),
      O(OPENROUTER_EDECODE, 200, 1, 0, 0, 0, EF_DELETED, "deleted"), DECODE(L, "data.limit")}},
    {"Huge body (200 kB against a 64 KiB `max_response_bytes`)", "{\"huge_body_bytes\":200000}", 1,
     CL_SMALL_LIMIT, 0, ARG_NONE, "exceeds limit of 65536 bytes",
     ROW_D(O(OPENROUTER_ETRANSPORT, 200, 1, 0, 0, 0, EF_NONE, NULL),
           O(OPENROUTER_ETRANSPORT, 201, 1, 0, 0, 1, EF_STORED, NULL),
           O(OPENROUTER_ETRANSPORT, 200, 1, 0, 0, 0, EF_DELETED, NULL))},
    {"Deep nesting (10,000 levels)", "{\"deep_nesting\":10000}", 1, CL_DEFAULT, 0, ARG_NONE,
     "nested deeper than 64",
     ROW_D(DECODE(L, NULL), O(OPENROUTER_EDECODE, 201, 1, 0, 0, 1, EF_STORED, NULL),
           O(OPENROUTER_EDECODE, 200, 1, 0, 0, 0, EF_DELETED, NULL))},
    {"Wrong Content-Type (`text/html` on success)", "{\"headers\":{\"Content-Type\":\"text/html\"}}", 1,
     CL_DEFAULT, 0, ARG_NONE, "Content-Type",
     ROW_D(DECODE(L, NULL), O(OPENROUTER_EDECODE, 201, 1, 0, 0, 1, EF_STORED, NULL),
           O(OPENROUTER_EDECODE, 200, 1, 0, 0, 0, EF_DELETED, NULL))},
    {"Empty body on success", "{\"body_override\":\"\"}", 1, CL_DEFAULT, 0, ARG_NONE, "empty response body",
     ROW_D(DECODE(L, NULL), O(OPENROUTER_EDECODE, 201, 1, 0, 0, 1, EF_STORED, NULL),
           O(OPENROUTER_EDECODE, 200, 1, 0, 0, 0, EF_DELETED, NULL))},
    /* One bad item costs one item: listKeys gets a page of 100 keys of
     * which key 37 holds the odd value, the others one key (odd_bodies.h). */
    {"One key's `expires_at` is not a date-time", "{\"body_override\":%s}", 1, CL_DEFAULT, 0, ARG_ODD + ODD_DATETIME, NULL,
     ODD_ROW(FORMAT, "kept as received")},
    {"One key's `usage` is negative", "{\"body_override\":%s}", 1, CL_DEFAULT, 0, ARG_ODD + ODD_NEGATIVE_USAGE, NULL,
     KEPT_ROW("-5 kept (upstream sets no minimum)")},
    {"One key's `limit_reset` is a period this version does not know", "{\"body_override\":%s}", 1, CL_DEFAULT,
     0, ARG_ODD + ODD_UNKNOWN_RESET, NULL, KEPT_ROW("text kept, constant 0 (an open enum)")},
    {"One key's optional `expires_at` has the wrong JSON type (a number)", "{\"body_override\":%s}", 1,
     CL_DEFAULT, 0, ARG_ODD + ODD_WRONG_TYPE, NULL, ODD_ROW(TYPE, "left absent")},
    {"One key's `expires_at` is not a date-time (`strict_decoding`)", "{\"body_override\":%s}", 1,
     CL_STRICT_DECODING, 0, ARG_ODD + ODD_DATETIME, "invalid date-time",
     {DECODE(L, "data[37].expires_at"), O(OPENROUTER_EDECODE, 201, 1, 0, 0, 1, EF_STORED, "data.expires_at"),
      DECODE(L, "data.expires_at"), DECODE(L, "data.expires_at"), UNMARKED(EF_DELETED, "no key in the body"),
      DECODE(L, "data.expires_at")}},
};
#define N_ROWS (sizeof rows / sizeof rows[0])

/* Bodies per operation for the "wrong types" and "missing fields" rows. */
static const char *const wrong_types[N_OPS] = {
    "{\"data\":{\"hash\":\"x\"}}",
    "{\"data\":{\"hash\":\"h\",\"name\":\"n\"},\"key\":42}",
    "{\"data\":{\"hash\":\"h\",\"limit\":\"lots\"}}",
    "{\"data\":{\"hash\":\"h\",\"limit\":\"lots\"}}",
    "{\"deleted\":\"yes\"}",
    "{\"data\":{\"limit\":\"lots\"}}",
};
static const char *const missing_fields[N_OPS] = {
    "{\"data\":[{\"name\":\"n\"}]}",
    "{\"data\":{\"name\":\"n\"}}",
    "{\"data\":{\"name\":\"n\"}}",
    "{\"data\":{\"name\":\"n\"}}",
    "{}",
    "{\"data\":{\"label\":\"l\"}}",
};

/* The per-call timeout and the server delay of the timeout row. */
static long call_timeout_ms(void) { return or_test_under_valgrind() ? 2000 : 400; }
static long server_delay_ms(void) { return or_test_under_valgrind() ? 3500 : 1200; }

/* Returns a JSON string literal holding `s` (malloc'd). */
static char *json_quote(const char *s)
{
    json_object *o = json_object_new_string(s);
    char *q = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    json_object_put(o);
    return q;
}

static const enum odd_shape odd_shapes[N_OPS] = {ODD_PAGE, ODD_CREATED, ODD_KEY, ODD_KEY, ODD_DELETED, ODD_CURRENT};

/* The row's argument for operation `op` (malloc'd). */
static char *fault_arg(const fault_row *r, int op)
{
    char buf[512] = "";
    size_t size = sizeof buf;
    switch (r->arg) {
    case ARG_DELAY:
        snprintf(buf, size, "%ld", server_delay_ms());
        break;
    case ARG_HTTP_DATE: {
        time_t t = time(NULL) + 3;
        struct tm tm;
        gmtime_r(&t, &tm);
        static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
        static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
        snprintf(buf, size, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday], tm.tm_mday,
                 months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
        break;
    }
    case ARG_WRONG_TYPES:
    case ARG_MISSING_FIELDS: {
        char *q = json_quote(r->arg == ARG_WRONG_TYPES ? wrong_types[op] : missing_fields[op]);
        snprintf(buf, size, "%s", q);
        free(q);
        break;
    }
    case ARG_BAD_UTF8:
        /* base64 of {"data":null,"x":"\xc3\x28"}: a lead byte without its
         * continuation, in a field nobody reads. */
        snprintf(buf, size, "%s", "eyJkYXRhIjpudWxsLCJ4IjoiwygifQ==");
        break;
    case ARG_ODD + ODD_DATETIME:
    case ARG_ODD + ODD_NEGATIVE_USAGE:
    case ARG_ODD + ODD_UNKNOWN_RESET:
    case ARG_ODD + ODD_WRONG_TYPE: {
        char *body = odd_body(odd_shapes[op], (enum odd_value)row_odd(r));
        char *q = body ? json_quote(body) : NULL;
        free(body);
        return q;
    }
    default:
        break;
    }
    return strdup(buf);
}

/* {"faults":[...]}: the row's fault `times` times (malloc'd). */
static char *faults_doc(const fault_row *r, int op)
{
    char *arg = fault_arg(r, op);
    size_t one_size = strlen(r->fault) + (arg ? strlen(arg) : 0) + 1;
    size_t size = 16 + (size_t)r->times * (one_size + 1);
    char *one = malloc(one_size), *all = malloc(size);
    if (arg && one && all) {
        snprintf(one, one_size, r->fault, arg);
        size_t n = (size_t)snprintf(all, size, "{\"faults\":[");
        for (int i = 0; i < r->times; i++)
            n += (size_t)snprintf(all + n, size - n, "%s%s", i ? "," : "", one);
        snprintf(all + n, size - n, "]}");
    } else {
        free(all);
        all = NULL;
    }
    free(arg);
    free(one);
    return all;
}

/* ---- running one pair ----------------------------------------------------- */

#define FIXTURE_HASH "fm-fixture-hash"

static openrouter_client *make_client(int kind)
{
    openrouter_client_options o = OPENROUTER_CLIENT_OPTIONS_INIT;
    char url[128];
    o.api_key = STUB_MANAGEMENT_KEY;
    o.base_url = srv.base_url;
    o.clock = &tc.clock;
    if (kind == CL_STRICT)
        o.strict_required_fields = 1;
    if (kind == CL_STRICT_DECODING)
        o.strict_decoding = 1;
    if (kind == CL_SMALL_LIMIT)
        o.max_response_bytes = SMALL_LIMIT;
    if (kind == CL_REFUSED) {
        snprintf(url, sizeof url, "http://127.0.0.1:%d/api/v1", closed_port);
        o.base_url = url;
    }
    openrouter_client *c = NULL;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    int rc = openrouter_client_new(&c, &o, &err);
    CU_ASSERT_EQUAL_FATAL(rc, OPENROUTER_OK);
    openrouter_error_clear(&err);
    return c;
}

/* How a pair is run: the blocking call, or the non-blocking one driven by
 * openrouter_async_run() or by a poll() loop in socket mode. */
enum mode { MODE_BLOCKING, MODE_RUN, MODE_SOCKET, N_MODES };
static const char *const mode_names[N_MODES] = {"blocking", "non-blocking (run)", "non-blocking (socket)"};

typedef union op_requests {
    openrouter_create_key_request create;
    openrouter_get_key_request get;
    openrouter_update_key_request update;
    openrouter_delete_key_request del;
} op_requests;

/* The table and request of operation `op` (the request lives in *r). */
static const openrouter_operation_desc *op_request(int op, op_requests *r, const void **req)
{
    memset(r, 0, sizeof *r);
    *req = r;
    switch (op) {
    case OP_CREATE:
        r->create.body.name = OPENROUTER_STRING("matrix");
        return &openrouter_create_key_operation;
    case OP_GET:
        r->get.hash = FIXTURE_HASH;
        return &openrouter_get_key_operation;
    case OP_UPDATE:
        r->update.hash = FIXTURE_HASH;
        r->update.body.limit = OPENROUTER_NUMBER(5);
        return &openrouter_update_key_operation;
    case OP_DELETE:
        r->del.hash = FIXTURE_HASH;
        return &openrouter_delete_key_operation;
    case OP_LIST:
        *req = NULL;
        return &openrouter_list_keys_operation;
    default:
        *req = NULL;
        return &openrouter_get_current_key_metadata_operation;
    }
}

/* One call on a handle of its own, driven until it completed. */
static int run_async(openrouter_client *c, int mode, const openrouter_operation_desc *op, const void *req,
                     const openrouter_call_options *co, openrouter_error *err, void **out)
{
    or_test_loop loop;
    or_test_loop_init(&loop);
    or_test_loop_use_clock(&loop, &tc);
    openrouter_async_options o = OPENROUTER_ASYNC_OPTIONS_INIT;
    if (mode == MODE_SOCKET)
        o = or_test_loop_options(&loop);
    openrouter_async *a = NULL;
    CU_ASSERT_EQUAL_FATAL(openrouter_async_new(&a, c, &o, err), OPENROUTER_OK);
    or_test_done d = OR_TEST_DONE_INIT;
    int rc = openrouter_async_start(a, op, req, co, or_test_done_fn, &d, NULL, err);
    if (rc == OPENROUTER_OK) {
        CU_ASSERT_EQUAL(d.calls, 0); /* never inside start */
        int left = mode == MODE_RUN ? openrouter_async_run(a, 60000) : or_test_loop_run(&loop, a, 60000);
        CU_ASSERT_EQUAL(left, 0);
        CU_ASSERT_EQUAL(d.calls, 1);
        rc = d.rc;
        *out = d.result;
        *err = d.err;
    }
    openrouter_async_free(a);
    return rc;
}

/* Runs operation `op`; *out gets the model (the caller frees it). */
static int run_op(openrouter_client *c, int mode, int op, const openrouter_call_options *co, openrouter_error *err,
                  void **out)
{
    op_requests r;
    const void *req = NULL;
    const openrouter_operation_desc *desc = op_request(op, &r, &req);
    *out = NULL;
    return mode == MODE_BLOCKING ? openrouter_call(c, desc, req, out, co, err)
                                 : run_async(c, mode, desc, req, co, err, out);
}

/* ---- what an odd value became ------------------------------------------------ */

/* The odd value of a key or current key `k` became what odd_bodies.h and
 * the row say: kept as received, kept, text kept, or left absent. */
#define CHECK_ODD(k, odd)                                                                                  \
    do {                                                                                                   \
        switch (odd) {                                                                                     \
        case ODD_DATETIME:                                                                                 \
            CU_ASSERT((k)->expires_at.state == OPENROUTER_PRESENT &&                                       \
                      strcmp((k)->expires_at.value, "next tuesday") == 0);                                 \
            break;                                                                                         \
        case ODD_NEGATIVE_USAGE:                                                                           \
            CU_ASSERT((k)->usage.state == OPENROUTER_PRESENT && (k)->usage.value == -5);                   \
            break;                                                                                         \
        case ODD_UNKNOWN_RESET:                                                                            \
            CU_ASSERT((k)->limit_reset.state == OPENROUTER_PRESENT && (k)->limit_reset.value == 0 &&       \
                      strcmp((k)->limit_reset.text, "fortnightly") == 0);                                  \
            break;                                                                                         \
        default:                                                                                           \
            CU_ASSERT_EQUAL((k)->expires_at.state, OPENROUTER_ABSENT);                                     \
        }                                                                                                  \
        CU_ASSERT((k)->limit.state == OPENROUTER_PRESENT && (k)->limit.value == 10); /* the rest is there */ \
    } while (0)

/* Every key of the page decoded; key ODD_INDEX holds the odd value. */
static void check_odd_page(const openrouter_key_list *page, int odd)
{
    CU_ASSERT_EQUAL_FATAL(page->data.count, ODD_PAGE_SIZE);
    for (size_t i = 0; i < page->data.count; i++) {
        const openrouter_key *k = &page->data.items[i];
        char hash[32];
        snprintf(hash, sizeof hash, "odd-%03zu", i);
        CU_ASSERT(k->hash.state == OPENROUTER_PRESENT && strcmp(k->hash.value, hash) == 0);
        if (i == ODD_INDEX)
            CHECK_ODD(k, odd);
        else
            CU_ASSERT(k->expires_at.state == OPENROUTER_PRESENT && k->usage.value == 1.5 &&
                      k->limit_reset.value == OPENROUTER_LIMIT_RESET_MONTHLY);
    }
}

static void check_odd(int op, const void *out, int odd)
{
    switch (op) {
    case OP_LIST: check_odd_page(out, odd); break;
    case OP_CREATE: CHECK_ODD(&((const openrouter_created_key *)out)->data.value, odd); break;
    case OP_GET:
    case OP_UPDATE: CHECK_ODD(&((const openrouter_key_response *)out)->data.value, odd); break;
    case OP_CURRENT: CHECK_ODD(&((const openrouter_current_key_response *)out)->data.value, odd); break;
    default: break;
    }
}

/* The model's warnings are the ones the outcome states. */
static void check_warnings(const outcome *e, const void *out)
{
    size_t n = 0;
    const openrouter_warning *w = openrouter_model_warnings(out, &n);
    CU_ASSERT_EQUAL(n, (size_t)e->warnings);
    if (e->warn && n) {
        CU_ASSERT_STRING_EQUAL(w[0].path, e->warn);
        CU_ASSERT_EQUAL((int)w[0].kind, e->warn_kind);
    }
    if (n != (size_t)e->warnings || (e->warn && n && strcmp(w[0].path, e->warn) != 0))
        fprintf(stderr, "\n  %zu warnings, the first %s (%s)\n", n, n ? w[0].path : "-",
                n ? openrouter_warning_kind_name(w[0].kind) : "-");
}

static int pairs_run, pairs_failed;

static void run_pair(const fault_row *r, int op, int mode)
{
    const outcome *e = &r->out[op];
    unsigned failures_before = CU_get_number_of_failures();
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 0), 0);
    CU_ASSERT_EQUAL_FATAL(stub_add_key(&srv, "{\"hash\":\"" FIXTURE_HASH "\",\"name\":\"fixture\"}", NULL, 0), 0);
    if (r->fault) {
        char *all = faults_doc(r, op);
        CU_ASSERT_PTR_NOT_NULL_FATAL(all);
        int added = stub_add_faults(&srv, all);
        free(all);
        CU_ASSERT_EQUAL_FATAL(added, 0);
    }
    or_test_clock_init(&tc);
    openrouter_client *c = make_client(r->client);
    openrouter_call_options co = OPENROUTER_CALL_OPTIONS_INIT;
    if (r->short_timeout)
        co.timeout_ms = call_timeout_ms();
    openrouter_error err = OPENROUTER_ERROR_INIT;
    void *out = NULL;
    int rc = run_op(c, mode, op, &co, &err, &out);
    int got_out = out != NULL;
    if (out) {
        check_warnings(e, out);
        if (row_odd(r))
            check_odd(op, out, row_odd(r));
    }
    openrouter_model_free(out);

    CU_ASSERT_EQUAL(rc, e->rc);
    CU_ASSERT_EQUAL(err.kind, e->rc);
    CU_ASSERT_EQUAL(err.attempts, e->attempts);
    CU_ASSERT_EQUAL(got_out, e->rc == OPENROUTER_OK);
    /* Waits asked of the injected clock, one per retry. */
    CU_ASSERT_EQUAL(tc.n_waits, e->attempts - 1);
    long want[2] = {e->w1, e->w2};
    for (int i = 0; i < tc.n_waits && i < 2; i++) {
        if (want[i] == W_DATE) {
            CU_ASSERT(tc.waits[i] >= 2000 && tc.waits[i] <= 4000);
        } else {
            CU_ASSERT_EQUAL(tc.waits[i], want[i]);
        }
    }
    if (e->rc != OPENROUTER_OK) {
        CU_ASSERT_EQUAL(err.http_status, e->status);
        CU_ASSERT_EQUAL(err.request_may_have_been_processed, e->processed);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, op_names[op]));
        CU_ASSERT_PTR_NULL(strstr(err.message, STUB_MANAGEMENT_KEY));
        if (r->message && e->status != 404)
            CU_ASSERT_PTR_NOT_NULL(strstr(err.message, r->message));
        if (e->field)
            CU_ASSERT_STRING_EQUAL(err.field, e->field);
        if (e->rc == OPENROUTER_ETRANSPORT || e->rc == OPENROUTER_ETIMEOUT)
            CU_ASSERT_NOT_EQUAL(err.curl_code, 0);
    }
    /* Row-specific details. */
    if (strstr(r->name, "string `error.code`")) {
        CU_ASSERT(err.api_code && strcmp(err.api_code, "invalid_request") == 0);
        CU_ASSERT_EQUAL(err.api_code_number, 0);
        CU_ASSERT(err.api_message && strcmp(err.api_message, "Bad field") == 0);
    }
    if (strstr(r->name, "HTML error page")) {
        CU_ASSERT_PTR_NULL(err.api_message);
        CU_ASSERT(err.body_snippet && strstr(err.body_snippet, "<html"));
    }
    if (strstr(r->name, "over the 60 s cap"))
        CU_ASSERT_EQUAL(err.retry_after_ms, 120000);
    if (e->rc == OPENROUTER_EHTTP && (e->status == 500 || e->status == 401))
        CU_ASSERT(err.api_message && strcmp(err.api_message, "Injected fault") == 0);

    /* Every attempt reached the server (none when nothing listened). */
    long reqs = stub_stat(&srv, "requests");
    CU_ASSERT_EQUAL(reqs, r->client == CL_REFUSED ? 0 : e->attempts);
    int keys = stub_count_keys(&srv);
    int want_keys = 1 + (e->effect == EF_STORED) - (e->effect == EF_DELETED);
    CU_ASSERT_EQUAL(keys, want_keys);

    pairs_run++;
    if (CU_get_number_of_failures() != failures_before) {
        pairs_failed++;
        fprintf(stderr, "\n  FAILED pair (%s): [%s] x %s: rc=%s status=%ld attempts=%d waits=%d(%ld,%ld) "
                        "processed=%d requests=%ld keys=%d field=\"%s\" message=\"%s\"\n",
                mode_names[mode], r->name, op_names[op], openrouter_status_name(rc), err.http_status, err.attempts,
                tc.n_waits, tc.n_waits > 0 ? tc.waits[0] : -1L, tc.n_waits > 1 ? tc.waits[1] : -1L,
                err.request_may_have_been_processed, reqs, keys, err.field, err.message);
    }
    openrouter_error_clear(&err);
    openrouter_client_free(c);
}

static void run_matrix(int mode)
{
    pairs_run = pairs_failed = 0;
    for (size_t i = 0; i < N_ROWS; i++)
        for (int op = 0; op < N_OPS; op++)
            run_pair(&rows[i], op, mode);
    fprintf(stderr, "\n  fault matrix, %s: %zu faults x %d operations = %d pairs, %d failed\n", mode_names[mode],
            N_ROWS, N_OPS, pairs_run, pairs_failed);
    CU_ASSERT_EQUAL(pairs_run, (int)(N_ROWS * N_OPS));
}

static void test_matrix(void)
{
    run_matrix(MODE_BLOCKING);
}

/* The same table through the non-blocking interface: the same outcomes,
 * waits (as timers on the same injected clock) and server effects. */
static void test_matrix_run_mode(void)
{
    run_matrix(MODE_RUN);
}

static void test_matrix_socket_mode(void)
{
    run_matrix(MODE_SOCKET);
}

/* ---- the document ---------------------------------------------------------- */

static void cell(char *buf, size_t size, const fault_row *r, int op)
{
    const outcome *e = &r->out[op];
    size_t n = 0;
#define PUT(...) (n += (size_t)snprintf(buf + n, n < size ? size - n : 0, __VA_ARGS__))
    if (e->rc == OPENROUTER_OK)
        PUT("OK");
    else if (e->rc == OPENROUTER_EHTTP)
        PUT("EHTTP %ld", e->status);
    else {
        PUT("%s", openrouter_status_name(e->rc) + strlen("OPENROUTER_"));
        if (e->status)
            PUT(" (HTTP %ld)", e->status);
    }
    if (e->field)
        PUT(" `%s`", e->field);
    PUT(", %d attempt%s", e->attempts, e->attempts == 1 ? "" : "s");
    if (e->attempts > 1) {
        PUT(", waits ");
        if (e->w1 == W_DATE)
            PUT("~3 s");
        else
            PUT("%ld", e->w1);
        if (e->attempts > 2)
            PUT("+%ld", e->w2);
        if (e->w1 != W_DATE)
            PUT(" ms");
    }
    if (e->processed)
        PUT(", may have been processed");
    if (e->effect == EF_STORED)
        PUT(", key stored");
    else if (e->effect == EF_DELETED)
        PUT(", key deleted");
    if (e->warnings == 1)
        PUT(", warning `%s` (%s)", e->warn, openrouter_warning_kind_name((openrouter_warning_kind)e->warn_kind));
    else if (e->warnings)
        PUT(", %d warnings, the first `%s` (%s)", e->warnings, e->warn,
            openrouter_warning_kind_name((openrouter_warning_kind)e->warn_kind));
    if (e->rc == OPENROUTER_OK && e->holds)
        PUT(": %s", e->holds);
#undef PUT
}

static char *markdown(void)
{
    size_t cap = 1 << 16, n = 0;
    char *md = malloc(cap);
    if (!md)
        return NULL;
#define MD(...) (n += (size_t)snprintf(md + n, n < cap ? cap - n : 0, __VA_ARGS__))
    MD("# Fault matrix\n\n"
       "Every fault the stand-in server (`tests/server/openrouter_stub.py`) can inject, against every one of\n"
       "the six operations, with the outcome `tests/integration/test_fault_matrix.c` asserts for each pair.\n"
       "Generated from the test's table: `test_fault_matrix --markdown > docs/FAULT_MATRIX.md` (a test\n"
       "checks this file matches).\n\n"
       "%zu faults x %d operations = %zu pairs. The client uses the default retry policy (3 attempts,\n"
       "backoff 500 ms x 2^n with full jitter, `Retry-After` honoured up to 60 s) and an injected clock\n"
       "whose random draw is 0.5, so the first backoff wait is 250 ms and the second 500 ms; waits are the\n"
       "ones the client asked the clock for. Each pair also checks the number of requests the server saw\n"
       "(= attempts, none when refused), what the server holds afterwards, that `*out` is set exactly on\n"
       "success, and that the error message names the operation and never holds the key. Every pair runs\n"
       "three times, with the same outcome: the blocking call, and the non-blocking one (`*_start`,\n"
       "`openrouter/async.h`) driven by `openrouter_async_run()` and by a `poll()` loop in socket mode,\n"
       "its waits then timers on the same injected clock.\n\n"
       "- `createKey` (POST) is retried only where the server cannot have created anything: HTTP 429 and a\n"
       "  connection that never opened. After a 5xx, a timeout or a reset it fails at once with\n"
       "  `request_may_have_been_processed` set, so the caller can reconcile (list keys by name).\n"
       "- \"key stored\" / \"key deleted\": the server performed the operation although the client may\n"
       "  report a failure. A retried `deleteKey` whose first attempt already deleted the key ends in 404.\n"
       "- Field names are `openrouter_error.field`; HTTP status in decode and size errors is the status of\n"
       "  the response that could not be used.\n"
       "- Warnings are `openrouter_model_warnings()` of a successful call (none unless stated): a value\n"
       "  that breaks the description is kept or left absent, the call succeeds, the rest of the\n"
       "  response is there. In the rows about one key, listKeys gets a page of 100 keys of which key 37\n"
       "  holds the odd value: the other 99 decode as sent, and so does the rest of key 37.\n\n",
       N_ROWS, N_OPS, N_ROWS * (size_t)N_OPS);
    MD("| fault |");
    for (int op = 0; op < N_OPS; op++)
        MD(" `%s` |", op_names[op]);
    MD("\n| --- |");
    for (int op = 0; op < N_OPS; op++)
        MD(" --- |");
    MD("\n");
    for (size_t i = 0; i < N_ROWS; i++) {
        MD("| %s |", rows[i].name);
        for (int op = 0; op < N_OPS; op++) {
            char c[256];
            cell(c, sizeof c, &rows[i], op);
            MD(" %s |", c);
        }
        MD("\n");
    }
#undef MD
    if (n >= cap) {
        free(md);
        return NULL;
    }
    return md;
}

static void test_doc_matches_table(void)
{
    or_test_doc_matches(OR_SOURCE_DIR "/docs/FAULT_MATRIX.md", markdown(),
                        "test_fault_matrix --markdown > docs/FAULT_MATRIX.md");
}

/* ---- suite ----------------------------------------------------------------- */

static int suite_init(void)
{
    if ((closed_port = or_test_refused_port(&closed_fd)) < 0)
        return -1;
    return stub_start(&srv, 0);
}

static int suite_clean(void)
{
    stub_stop(&srv);
    if (closed_fd >= 0)
        close(closed_fd);
    return 0;
}

int main(int argc, char **argv)
{
    int code = 0;
    if (or_test_markdown_main(argc, argv, markdown, &code))
        return code;
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("fault matrix", suite_init, suite_clean);
    CU_add_test(s, "docs/FAULT_MATRIX.md matches the table", test_doc_matches_table);
    CU_add_test(s, "every fault x every operation", test_matrix);
    CU_add_test(s, "every fault x every operation, non-blocking, run mode", test_matrix_run_mode);
    CU_add_test(s, "every fault x every operation, non-blocking, socket mode", test_matrix_socket_mode);
    return or_test_run();
}
