/* Secrets: nothing the library emits (trace events, every string of an
 * openrouter_error) ever holds the API key or a created key's secret, for
 * all six operations on success and failure paths; and no block the library
 * (or libcurl, through the library's allocator wrappers) gives back to the
 * allocator still holds either of them when it is freed.
 *
 * The test installs a recording allocator with openrouter_set_allocator()
 * before anything initialises libcurl, so libcurl's blocks go through it
 * too. Every freed block is scanned at free time for the API key, for every
 * created secret seen so far (any 12-byte window of it) and for anything
 * shaped like a key ("sk-or-v1-" + 16 hex digits). A self-check frees a
 * dirty block on purpose to show the scanner catches it. */
#include <execinfo.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <json-c/json.h>

#include <openrouter/openrouter.h>

#include "internal.h"
#include "stub_server.h"
#include "test_util.h"

#define API_KEY STUB_MANAGEMENT_KEY

static stub_server srv;

/* ---- the recording allocator ------------------------------------------------ */

#define HDR 16 /* keeps max_align_t alignment; holds the block size */

static pthread_mutex_t rec_lock = PTHREAD_MUTEX_INITIALIZER;
static char secrets[8][128];     /* created secrets seen so far */
static int n_secrets;
static long blocks_freed, bytes_scanned, dirty_blocks, live_blocks;
static char first_dirty[160];

static int is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

/* What in `p[0..n)` is secret, or NULL. */
static const char *find_secret(const char *p, size_t n)
{
    size_t klen = strlen(API_KEY);
    for (size_t i = 0; i + klen <= n; i++)
        if (memcmp(p + i, API_KEY, klen) == 0)
            return "the API key";
    for (size_t i = 0; i + 25 <= n; i++) {
        if (memcmp(p + i, "sk-or-v1-", 9) != 0)
            continue;
        int hex = 1;
        for (size_t j = 9; j < 25 && hex; j++)
            hex = is_hex(p[i + j]);
        if (hex)
            return "a key-shaped string";
    }
    for (int s = 0; s < n_secrets; s++) {
        /* the part after "sk-or-v1-", in 12-byte windows: a partial copy counts */
        const char *body = secrets[s] + 9;
        size_t blen = strlen(body);
        for (size_t w = 0; w + 12 <= blen; w += 4)
            for (size_t i = 0; i + 12 <= n; i++)
                if (p[i] == body[w] && memcmp(p + i, body + w, 12) == 0)
                    return "(part of) a created secret";
    }
    return NULL;
}

static void scan_block(const char *p, size_t n)
{
    blocks_freed++;
    bytes_scanned += (long)n;
    const char *what = find_secret(p, n);
    if (what) {
        if (dirty_blocks++ == 0) {
            snprintf(first_dirty, sizeof first_dirty, "a freed block of %zu bytes held %s", n, what);
            if (getenv("SECRETS_TEST_BACKTRACE")) {
                void *frames[16];
                fprintf(stderr, "\n    dirty free: %.*s\n", (int)n, p);
                backtrace_symbols_fd(frames, backtrace(frames, 16), 2);
            }
        }
    }
}

static void *rec_malloc(void *ctx, size_t n)
{
    (void)ctx;
    /* zeroed, so the free-time scan reads only what the library wrote */
    char *p = calloc(1, HDR + n);
    if (!p)
        return NULL;
    memcpy(p, &n, sizeof n);
    pthread_mutex_lock(&rec_lock);
    live_blocks++;
    pthread_mutex_unlock(&rec_lock);
    return p + HDR;
}

static void rec_free(void *ctx, void *ptr)
{
    (void)ctx;
    char *base = (char *)ptr - HDR;
    size_t n;
    memcpy(&n, base, sizeof n);
    pthread_mutex_lock(&rec_lock);
    scan_block(ptr, n);
    live_blocks--;
    pthread_mutex_unlock(&rec_lock);
    free(base);
}

static void *rec_realloc(void *ctx, void *ptr, size_t n)
{
    if (!ptr)
        return rec_malloc(ctx, n);
    void *q = rec_malloc(ctx, n);
    if (!q)
        return NULL;
    size_t old;
    memcpy(&old, (char *)ptr - HDR, sizeof old);
    memcpy(q, ptr, old < n ? old : n);
    rec_free(ctx, ptr); /* the old block is "freed" as is, like realloc would */
    return q;
}

static const openrouter_allocator recording = {OPENROUTER_ALLOCATOR_VERSION, rec_malloc, rec_realloc,
                                               rec_free, NULL};

static void remember_secret(const char *s)
{
    CU_ASSERT_FATAL(strlen(s) > 9 + 24 && strlen(s) < sizeof secrets[0]);
    CU_ASSERT_FATAL(memcmp(s, "sk-or-v1-", 9) == 0);
    pthread_mutex_lock(&rec_lock);
    if (n_secrets < 8)
        snprintf(secrets[n_secrets++], sizeof secrets[0], "%s", s);
    pthread_mutex_unlock(&rec_lock);
}

static void assert_no_dirty_frees(void)
{
    pthread_mutex_lock(&rec_lock);
    long dirty = dirty_blocks;
    pthread_mutex_unlock(&rec_lock);
    if (dirty)
        fprintf(stderr, "\n    %ld dirty free(s); first: %s\n", dirty, first_dirty);
    CU_ASSERT_EQUAL(dirty, 0);
}

/* ---- capturing everything the library emits ------------------------------------ */

static char *captured;
static size_t captured_len, captured_cap;
static long trace_events;

static void capture(const char *s)
{
    if (!s)
        return;
    size_t n = strlen(s);
    if (captured_len + n + 2 > captured_cap) {
        captured_cap = (captured_len + n + 2) * 2;
        captured = realloc(captured, captured_cap);
        CU_ASSERT_PTR_NOT_NULL_FATAL(captured);
    }
    memcpy(captured + captured_len, s, n);
    captured_len += n;
    captured[captured_len++] = '\n';
    captured[captured_len] = '\0';
}

static void on_trace(void *ctx, int before, const openrouter_trace_event *ev)
{
    (void)ctx;
    (void)before;
    trace_events++;
    capture(ev->operation_id);
    capture(ev->method);
    capture(ev->url);
}

static long log_lines;

static void on_log(void *ctx, openrouter_log_level level, const char *message)
{
    (void)ctx;
    (void)level;
    log_lines++;
    capture(message);
}

static void capture_error(const openrouter_error *e)
{
    capture(e->message);
    capture(e->field);
    capture(e->request_id);
    capture(e->api_code);
    capture(e->api_message);
    capture(e->api_metadata);
    capture(e->body_snippet);
    /* ... and the whole error as openrouter_error_print() shows it. */
    char shown[4096];
    openrouter_error_format(e, shown, sizeof shown);
    capture(shown);
}

static void assert_capture_clean(void)
{
    CU_ASSERT_PTR_NOT_NULL_FATAL(captured);
    const char *what = find_secret(captured, captured_len);
    if (what)
        fprintf(stderr, "\n    captured output holds %s\n", what);
    CU_ASSERT_PTR_NULL(what);
    CU_ASSERT_PTR_NULL(strstr(captured, "mgmt-test"));
    CU_ASSERT_PTR_NULL(strstr(captured, "Bearer sk"));
}

/* ---- the six operations ------------------------------------------------------------ */

static openrouter_client *new_client(const char *key)
{
    openrouter_client_options o = OPENROUTER_CLIENT_OPTIONS_INIT;
    o.api_key = key;
    o.base_url = srv.base_url;
    o.trace = on_trace;
    o.log = on_log;
    o.log_level = OPENROUTER_LOG_DEBUG; /* everything it can say */
    o.retry.max_attempts = 1; /* one request per call: each fault is seen once */
    openrouter_client *c = NULL;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    CU_ASSERT_EQUAL_FATAL(openrouter_client_new(&c, &o, &err), OPENROUTER_OK);
    openrouter_error_clear(&err);
    return c;
}

enum { OP_LIST, OP_CREATE, OP_GET, OP_UPDATE, OP_DELETE, OP_CURRENT, N_OPS };
static const char *const op_names[N_OPS] = {"list", "create", "get", "update", "delete", "current"};

/* Runs one operation, captures its error, frees its result. Returns rc. On
 * a successful create, remembers the secret. */
static int run_op(int op, openrouter_client *c, const char *hash)
{
    openrouter_error err = OPENROUTER_ERROR_INIT;
    int rc = OPENROUTER_EINVAL;
    switch (op) {
    case OP_LIST: {
        openrouter_list_keys_request r = OPENROUTER_LIST_KEYS_REQUEST_INIT;
        r.include_disabled = OPENROUTER_BOOL(true);
        openrouter_key_list *out = NULL;
        rc = openrouter_list_keys(c, &r, &out, NULL, &err);
        openrouter_key_list_free(out);
        break;
    }
    case OP_CREATE: {
        openrouter_create_key_request r = OPENROUTER_CREATE_KEY_REQUEST_INIT;
        r.body.name = OPENROUTER_STRING("secret-test");
        r.body.limit = OPENROUTER_NUMBER(5);
        openrouter_created_key *out = NULL;
        rc = openrouter_create_key(c, &r, &out, NULL, &err);
        if (rc == OPENROUTER_OK && out->key.state == OPENROUTER_PRESENT)
            remember_secret(out->key.value);
        openrouter_created_key_free(out);
        break;
    }
    case OP_GET: {
        openrouter_get_key_request r = OPENROUTER_GET_KEY_REQUEST_INIT;
        r.hash = hash;
        openrouter_key_response *out = NULL;
        rc = openrouter_get_key(c, &r, &out, NULL, &err);
        openrouter_key_response_free(out);
        break;
    }
    case OP_UPDATE: {
        openrouter_update_key_request r = OPENROUTER_UPDATE_KEY_REQUEST_INIT;
        r.hash = hash;
        r.body.name = OPENROUTER_STRING("renamed");
        r.body.limit.state = OPENROUTER_NULL;
        openrouter_key_response *out = NULL;
        rc = openrouter_update_key(c, &r, &out, NULL, &err);
        openrouter_key_response_free(out);
        break;
    }
    case OP_DELETE: {
        openrouter_delete_key_request r = OPENROUTER_DELETE_KEY_REQUEST_INIT;
        r.hash = hash;
        openrouter_delete_key_response *out = NULL;
        rc = openrouter_delete_key(c, &r, &out, NULL, &err);
        openrouter_delete_key_response_free(out);
        break;
    }
    case OP_CURRENT: {
        openrouter_get_current_key_metadata_request r = OPENROUTER_GET_CURRENT_KEY_METADATA_REQUEST_INIT;
        openrouter_current_key_response *out = NULL;
        rc = openrouter_get_current_key_metadata(c, &r, &out, NULL, &err);
        openrouter_current_key_response_free(out);
        break;
    }
    default:
        break;
    }
    capture_error(&err);
    openrouter_error_clear(&err);
    return rc;
}

/* Creates a key through the library (remembering its secret) and returns
 * its hash, malloc'd. */
static char *create_key(openrouter_client *c)
{
    openrouter_create_key_request r = OPENROUTER_CREATE_KEY_REQUEST_INIT;
    r.body.name = OPENROUTER_STRING("victim");
    openrouter_created_key *out = NULL;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    CU_ASSERT_EQUAL_FATAL(openrouter_create_key(c, &r, &out, NULL, &err), OPENROUTER_OK);
    remember_secret(out->key.value);
    char *hash = strdup(out->data.value.hash.value);
    openrouter_created_key_free(out);
    capture_error(&err);
    openrouter_error_clear(&err);
    return hash;
}

/* ---- tests ------------------------------------------------------------------------------ */

static void test_scanner_catches_a_dirty_free(void)
{
    /* Shows the check can fail: a block freed without wiping is caught. */
    char *p = or_strdup("Authorization: Bearer " API_KEY);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    or_free(p);
    pthread_mutex_lock(&rec_lock);
    long dirty = dirty_blocks;
    dirty_blocks = 0;
    pthread_mutex_unlock(&rec_lock);
    CU_ASSERT_EQUAL(dirty, 1);
    /* ... and a created-secret fragment too. */
    remember_secret("sk-or-v1-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    p = or_strdup("xx 89abcdef0123456789ab yy");
    or_free(p);
    pthread_mutex_lock(&rec_lock);
    dirty = dirty_blocks;
    dirty_blocks = 0;
    n_secrets = 0;
    pthread_mutex_unlock(&rec_lock);
    CU_ASSERT_EQUAL(dirty, 1);
}

static void test_allocator_rules(void)
{
    /* Installed and the library initialised: cannot be swapped. */
    CU_ASSERT_EQUAL(openrouter_set_allocator(&recording), OPENROUTER_EINVAL);
    CU_ASSERT_EQUAL(openrouter_set_allocator(NULL), OPENROUTER_EINVAL);
    openrouter_allocator bad = recording;
    bad.free_fn = NULL;
    CU_ASSERT_EQUAL(openrouter_set_allocator(&bad), OPENROUTER_EINVAL);
    bad = recording;
    bad.version = 99;
    CU_ASSERT_EQUAL(openrouter_set_allocator(&bad), OPENROUTER_EINVAL);
    /* The recorder really is in force, for libcurl too: a client and a call
     * allocate through it. */
    pthread_mutex_lock(&rec_lock);
    long before = blocks_freed;
    pthread_mutex_unlock(&rec_lock);
    openrouter_client *c = new_client(API_KEY);
    CU_ASSERT_EQUAL(run_op(OP_CURRENT, c, NULL), OPENROUTER_OK);
    openrouter_client_free(c);
    pthread_mutex_lock(&rec_lock);
    long after = blocks_freed;
    pthread_mutex_unlock(&rec_lock);
    CU_ASSERT(after - before > 20);
}

static void test_success_paths_emit_no_secret(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 3), 0);
    openrouter_client *c = new_client(API_KEY);
    char *hash = create_key(c);
    for (int op = 0; op < N_OPS; op++) {
        int rc = run_op(op, c, hash);
        if (rc != OPENROUTER_OK)
            fprintf(stderr, "\n    %s failed: %d\n", op_names[op], rc);
        CU_ASSERT_EQUAL(rc, OPENROUTER_OK);
    }
    free(hash);
    openrouter_client_free(c);
    CU_ASSERT(trace_events >= 2 * (N_OPS + 1));
    CU_ASSERT(log_lines >= N_OPS + 1);
    CU_ASSERT(n_secrets >= 2);
    assert_capture_clean();
    assert_no_dirty_frees();
}

/* Every operation answered by a server that echoes the API key and a
 * created secret in every way it can. */
static void test_failure_paths_emit_no_secret(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 1), 0);
    openrouter_client *c = new_client(API_KEY);
    char *hash = create_key(c);
    const char *s = secrets[n_secrets - 1];
    char faults[9][1024];
    int nf = 0;
    /* JSON error bodies echoing both, in code, message and metadata */
    snprintf(faults[nf++], sizeof faults[0],
             "{\"status\":401,\"body\":{\"error\":{\"code\":\"%s\",\"message\":\"Bearer %s is bad; also %s\","
             "\"metadata\":{\"echo\":\"%s\",\"k\":[\"%s\"]}},\"user_id\":\"%s\"}}",
             API_KEY, API_KEY, s, s, API_KEY, s);
    snprintf(faults[nf++], sizeof faults[0],
             "{\"status\":500,\"body\":{\"error\":{\"code\":500,\"message\":\"internal: key=%s secret=%s\"}}}",
             API_KEY, s);
    /* an HTML gateway page echoing both */
    snprintf(faults[nf++], sizeof faults[0],
             "{\"status\":502,\"headers\":{\"Content-Type\":\"text/html\"},"
             "\"body\":\"<html><body>Authorization: Bearer %s<br>%s</body></html>\"}",
             API_KEY, s);
    /* a secret cut by the snippet limit: only its first 20 characters */
    snprintf(faults[nf++], sizeof faults[0],
             "{\"status\":503,\"headers\":{\"Content-Type\":\"text/plain\"},\"body\":\"%0*d%s\"}",
             OPENROUTER_ERROR_SNIPPET_MAX - 29, 0, s);
    /* a 2xx that is not JSON, echoing both */
    snprintf(faults[nf++], sizeof faults[0],
             "{\"status\":200,\"headers\":{\"Content-Type\":\"text/plain\"},\"body\":\"%s %s\"}", API_KEY, s);
    /* 2xx JSON of the wrong shape: the secret where an object belongs */
    snprintf(faults[nf++], sizeof faults[0],
             "{\"status\":200,\"body\":{\"data\":\"%s\",\"key\":{\"k\":\"%s\"},\"deleted\":\"%s\"}}", s, s, API_KEY);
    /* 2xx, broken JSON right after the secret */
    snprintf(faults[nf++], sizeof faults[0], "{\"status\":200,\"body\":\"{\\\"key\\\": \\\"%s\\\" x\"}", s);
    /* request ids echoing both (the error keeps a request id) */
    snprintf(faults[nf++], sizeof faults[0],
             "{\"status\":404,\"headers\":{\"X-Request-Id\":\"id-%s\",\"CF-Ray\":\"%s\"}}", API_KEY, s);
    int failures = 0;
    for (int f = 0; f < nf; f++) {
        for (int op = 0; op < N_OPS; op++) {
            char one[sizeof faults[0] + 16];
            int n = snprintf(one, sizeof one, "{\"faults\":[%s]}", faults[f]);
            CU_ASSERT_FATAL(n > 0 && (size_t)n < sizeof one); /* never a truncated fault */
            CU_ASSERT_EQUAL_FATAL(stub_add_faults(&srv, one), 0);
            int rc = run_op(op, c, hash);
            if (rc != OPENROUTER_OK)
                failures++;
            else
                fprintf(stderr, "\n    fault %d op %s unexpectedly succeeded\n", f, op_names[op]);
        }
    }
    CU_ASSERT_EQUAL(failures, nf * N_OPS);
    /* the real server's own 401 and 403 */
    openrouter_client *bad = new_client("sk-or-v1-not-a-valid-key-0000");
    for (int op = 0; op < N_OPS; op++)
        CU_ASSERT_EQUAL(run_op(op, bad, hash), OPENROUTER_EHTTP);
    openrouter_client_free(bad);
    openrouter_client *normal = new_client(STUB_NORMAL_KEY);
    CU_ASSERT_EQUAL(run_op(OP_CREATE, normal, hash), OPENROUTER_EHTTP);
    openrouter_client_free(normal);
    /* a transport failure: connections closed before any answer (libcurl
     * itself re-sends a request several times when that happens) */
    CU_ASSERT_EQUAL_FATAL(stub_add_faults(&srv, "{\"faults\":[{\"close_before_response\":true,\"times\":10}]}"), 0);
    CU_ASSERT_EQUAL(stub_clear_requests(&srv), 0);
    int rc = run_op(OP_GET, c, hash);
    if (rc != OPENROUTER_ETRANSPORT)
        fprintf(stderr, "\n    close_before_response: rc %d, captured tail: %s\n", rc,
                captured_len > 200 ? captured + captured_len - 200 : captured);
    CU_ASSERT_EQUAL(rc, OPENROUTER_ETRANSPORT);
    CU_ASSERT_EQUAL(stub_clear_faults(&srv), 0);
    free(hash);
    openrouter_client_free(c);
    assert_capture_clean();
    assert_no_dirty_frees();
}

/* Extra header values and a proxy's password are secrets of the caller's:
 * never in an error, a trace or a log, and wiped from every freed block. */
static void test_transport_options_emit_no_secret(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 1), 0);
    const openrouter_header client_header = {"X-Upstream-Auth", API_KEY};
    openrouter_client_options o = OPENROUTER_CLIENT_OPTIONS_INIT;
    o.api_key = API_KEY;
    o.base_url = srv.base_url;
    o.trace = on_trace;
    o.log = on_log;
    o.log_level = OPENROUTER_LOG_DEBUG;
    o.retry.max_attempts = 1;
    o.headers = &client_header;
    o.header_count = 1;
    o.user_agent_suffix = "secrets-test/1";
    openrouter_client *c = NULL;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    CU_ASSERT_EQUAL_FATAL(openrouter_client_new(&c, &o, &err), OPENROUTER_OK);
    openrouter_header call_header = {"X-Call-Auth", API_KEY};
    openrouter_call_options co = OPENROUTER_CALL_OPTIONS_INIT;
    co.headers = &call_header;
    co.header_count = 1;
    openrouter_key_list *list = NULL;
    CU_ASSERT_EQUAL(openrouter_list_keys(c, NULL, &list, &co, &err), OPENROUTER_OK);
    openrouter_key_list_free(list);
    /* a failure with both headers on the wire, and a refused header value */
    CU_ASSERT_EQUAL_FATAL(stub_add_faults(&srv, "{\"faults\":[{\"status\":500}]}"), 0);
    CU_ASSERT_EQUAL(openrouter_list_keys(c, NULL, &list, &co, &err), OPENROUTER_EHTTP);
    capture_error(&err);
    call_header.value = "Bearer " API_KEY "\r\nX: y";
    CU_ASSERT_EQUAL(openrouter_list_keys(c, NULL, &list, &co, &err), OPENROUTER_EINVAL);
    capture_error(&err);
    openrouter_client_free(c);
    /* a proxy with a password, which nothing answers */
    o.proxy = "http://user:" API_KEY "@127.0.0.1:9";
    o.base_url = "https://127.0.0.1:9/api/v1";
    CU_ASSERT_EQUAL_FATAL(openrouter_client_new(&c, &o, &err), OPENROUTER_OK);
    CU_ASSERT_EQUAL(openrouter_list_keys(c, NULL, &list, NULL, &err), OPENROUTER_ETRANSPORT);
    capture_error(&err);
    openrouter_client_free(c);
    openrouter_error_clear(&err);
    assert_capture_clean();
    assert_no_dirty_frees();
}

/* Whatever was captured, checked once more with everything freed. */
static void test_everything_freed_clean(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 0), 0);
    openrouter_client *c = new_client(API_KEY);
    char *hash = create_key(c);
    /* a large create response (grows the response buffer across blocks) */
    CU_ASSERT_EQUAL_FATAL(stub_add_faults(&srv, "{\"faults\":[{\"huge_body_bytes\":300000}]}"), 0);
    CU_ASSERT_EQUAL(run_op(OP_CREATE, c, NULL), OPENROUTER_OK);
    CU_ASSERT_EQUAL(run_op(OP_GET, c, hash), OPENROUTER_OK);
    free(hash);
    openrouter_client_free(c);
    assert_no_dirty_frees();
    pthread_mutex_lock(&rec_lock);
    long freed = blocks_freed, scanned = bytes_scanned;
    pthread_mutex_unlock(&rec_lock);
    printf("\n    %ld freed blocks (%ld bytes) scanned, %d secrets tracked\n", freed, scanned, n_secrets);
    CU_ASSERT(scanned > 300000);
}

static int suite_init(void)
{
    /* Before anything touches libcurl: then libcurl allocates through it. */
    if (openrouter_set_allocator(&recording) != OPENROUTER_OK)
        return 1;
    if (openrouter_global_init() != OPENROUTER_OK)
        return 1;
    return stub_start(&srv, 0) == 0 ? 0 : 1;
}

static int suite_clean(void)
{
    stub_stop(&srv);
    openrouter_global_cleanup();
    /* Library uninitialised: the defaults come back. */
    int rc = openrouter_set_allocator(NULL);
    free(captured);
    return rc == OPENROUTER_OK ? 0 : 1;
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("secrets", suite_init, suite_clean);
    CU_add_test(s, "the free-time scanner catches a dirty block", test_scanner_catches_a_dirty_free);
    CU_add_test(s, "allocator: rules, and libcurl goes through it", test_allocator_rules);
    CU_add_test(s, "six operations, success: no secret emitted or left in freed memory",
                test_success_paths_emit_no_secret);
    CU_add_test(s, "six operations x hostile failures: no secret emitted or left",
                test_failure_paths_emit_no_secret);
    CU_add_test(s, "extra headers and a proxy password: never emitted, wiped",
                test_transport_options_emit_no_secret);
    CU_add_test(s, "client and create response freed: no secret left", test_everything_freed_clean);
    return or_test_run();
}
