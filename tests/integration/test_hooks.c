/* The per-client hooks: trace events (before each attempt, after each
 * response) and the levelled log. Every operation is run through
 * successes, retried failures, final failures with the API key echoed in
 * the error body (JSON and plain text) and a dropped connection, and all
 * hook output is checked: the key and a created key's secret never
 * appear, and trace events carry method, URL, status, attempt and
 * duration. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include <openrouter/openrouter.h>

#include "stub_server.h"
#include "test_util.h"

static stub_server srv;

static int64_t fake_now;
static int64_t clock_now(void *ctx) { (void)ctx; return fake_now += 3; } /* every reading moves on */
static void clock_sleep(void *ctx, long ms) { (void)ctx; fake_now += ms; }
static double clock_random(void *ctx) { (void)ctx; return 0.5; }
static const openrouter_clock test_clock = {clock_now, clock_sleep, clock_random, NULL};

/* ---- capture -------------------------------------------------------------- */

#define MAX_EVENTS 512

typedef struct event {
    int before;
    char opid[32];
    char method[8];
    char url[256];
    int attempt;
    long status, duration, delay;
    int result;
} event;

typedef struct capture {
    char *text;          /* everything any hook received, one line each */
    size_t len, cap;
    event ev[MAX_EVENTS];
    size_t n_ev;
    size_t by_level[4];
} capture;

static capture cap;

static void append(const char *s)
{
    size_t n = strlen(s);
    if (cap.len + n + 2 > cap.cap) {
        cap.cap = (cap.len + n + 2) * 2;
        cap.text = realloc(cap.text, cap.cap);
        CU_ASSERT_PTR_NOT_NULL_FATAL(cap.text);
    }
    memcpy(cap.text + cap.len, s, n);
    cap.len += n;
    cap.text[cap.len++] = '\n';
    cap.text[cap.len] = '\0';
}

static void on_trace(void *ctx, int before, const openrouter_trace_event *e)
{
    (void)ctx;
    char line[1024];
    snprintf(line, sizeof line, "trace %s %s %s %s attempt=%d status=%ld duration=%ld result=%d delay=%ld",
             before ? "before" : "after", e->operation_id, e->method, e->url, e->attempt, e->http_status,
             e->duration_ms, e->result, e->delay_ms);
    append(line);
    if (cap.n_ev < MAX_EVENTS) {
        event *v = &cap.ev[cap.n_ev++];
        v->before = before;
        snprintf(v->opid, sizeof v->opid, "%s", e->operation_id);
        snprintf(v->method, sizeof v->method, "%s", e->method);
        snprintf(v->url, sizeof v->url, "%s", e->url);
        v->attempt = e->attempt;
        v->status = e->http_status;
        v->duration = e->duration_ms;
        v->delay = e->delay_ms;
        v->result = e->result;
    }
}

static void on_log(void *ctx, openrouter_log_level level, const char *message)
{
    (void)ctx;
    CU_ASSERT(level >= OPENROUTER_LOG_DEBUG && level <= OPENROUTER_LOG_ERROR);
    CU_ASSERT_PTR_NULL(strchr(message, '\n'));
    if (level >= OPENROUTER_LOG_DEBUG && level <= OPENROUTER_LOG_ERROR)
        cap.by_level[level]++;
    append(message);
}

static void capture_reset(void)
{
    if (cap.text && getenv("OR_TEST_DUMP_HOOKS"))
        fputs(cap.text, stderr); /* to read what the hooks saw */
    free(cap.text);
    memset(&cap, 0, sizeof cap);
}

static openrouter_client *hooked_client(openrouter_log_level min)
{
    openrouter_client_options o = OPENROUTER_CLIENT_OPTIONS_INIT;
    CU_ASSERT_EQUAL(o.log_level, OPENROUTER_LOG_INFO); /* the default */
    o.api_key = STUB_MANAGEMENT_KEY;
    o.base_url = srv.base_url;
    o.clock = &test_clock;
    o.trace = on_trace;
    o.log = on_log;
    o.log_level = min;
    openrouter_client *c = NULL;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    CU_ASSERT_EQUAL_FATAL(openrouter_client_new(&c, &o, &err), OPENROUTER_OK);
    openrouter_error_clear(&err);
    return c;
}

/* ---- the six operations ------------------------------------------------------ */

static const char *const OPS[6] = {"listKeys", "createKey", "getKey", "updateKey", "deleteKey",
                                   "getCurrentKeyMetadata"};
static const char *const METHODS[6] = {"GET", "POST", "GET", "PATCH", "DELETE", "GET"};

static char secret[256]; /* the last created key's secret */

/* Runs operation `op`; `err` may be NULL. */
static int run_op(openrouter_client *c, int op, openrouter_error *err)
{
    void *out = NULL;
    int rc = OPENROUTER_EINVAL;
    switch (op) {
    case 0:
        rc = openrouter_list_keys(c, NULL, (openrouter_key_list **)&out, NULL, err);
        openrouter_key_list_free(out);
        break;
    case 1: {
        openrouter_create_key_request r = OPENROUTER_CREATE_KEY_REQUEST_INIT;
        r.body.name = OPENROUTER_STRING("hooked");
        openrouter_created_key *created = NULL;
        rc = openrouter_create_key(c, &r, &created, NULL, err);
        if (created && created->key.state == OPENROUTER_PRESENT)
            snprintf(secret, sizeof secret, "%s", created->key.value);
        openrouter_created_key_free(created);
        break;
    }
    case 2: {
        openrouter_get_key_request r = OPENROUTER_GET_KEY_REQUEST_INIT;
        r.hash = "h1";
        rc = openrouter_get_key(c, &r, (openrouter_key_response **)&out, NULL, err);
        openrouter_key_response_free(out);
        break;
    }
    case 3: {
        openrouter_update_key_request r = OPENROUTER_UPDATE_KEY_REQUEST_INIT;
        r.hash = "h1";
        r.body.name = OPENROUTER_STRING("renamed");
        rc = openrouter_update_key(c, &r, (openrouter_key_response **)&out, NULL, err);
        openrouter_key_response_free(out);
        break;
    }
    case 4: {
        openrouter_delete_key_request r = OPENROUTER_DELETE_KEY_REQUEST_INIT;
        r.hash = "h1";
        rc = openrouter_delete_key(c, &r, (openrouter_delete_key_response **)&out, NULL, err);
        openrouter_delete_key_response_free(out);
        break;
    }
    case 5:
        rc = openrouter_get_current_key_metadata(c, NULL, (openrouter_current_key_response **)&out, NULL, err);
        openrouter_current_key_response_free(out);
        break;
    }
    return rc;
}

static void fresh_server(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 3), 0);
    CU_ASSERT_EQUAL_FATAL(stub_add_key(&srv, "{\"hash\":\"h1\",\"name\":\"n\"}", NULL, 0), 0);
}

/* ---- checks ----------------------------------------------------------------- */

/* No hook output may hold the key, its first or last 12 characters (what
 * truncation could leave), the Authorization header, or the created secret. */
static void assert_no_secrets(void)
{
    CU_ASSERT_PTR_NOT_NULL_FATAL(cap.text);
    const char *key = STUB_MANAGEMENT_KEY;
    size_t klen = strlen(key);
    char head[13], tail[13];
    snprintf(head, sizeof head, "%.12s", key);
    snprintf(tail, sizeof tail, "%s", key + klen - 12);
    CU_ASSERT_PTR_NULL(strstr(cap.text, key));
    CU_ASSERT_PTR_NULL(strstr(cap.text, head));
    CU_ASSERT_PTR_NULL(strstr(cap.text, tail));
    CU_ASSERT_PTR_NULL(strstr(cap.text, "uthorization"));
    if (secret[0]) {
        CU_ASSERT_PTR_NULL(strstr(cap.text, secret));
        CU_ASSERT_PTR_NULL(strstr(cap.text, secret + strlen(secret) - 16));
    }
}

/* Trace events come in before/after pairs with the same attempt number,
 * counting up from 1 within a call. */
static void assert_trace_shape(void)
{
    CU_ASSERT_FATAL(cap.n_ev > 0 && cap.n_ev % 2 == 0);
    for (size_t i = 0; i + 1 < cap.n_ev; i += 2) {
        const event *b = &cap.ev[i], *a = &cap.ev[i + 1];
        CU_ASSERT_EQUAL(b->before, 1);
        CU_ASSERT_EQUAL(a->before, 0);
        CU_ASSERT_STRING_EQUAL(b->opid, a->opid);
        CU_ASSERT_STRING_EQUAL(b->method, a->method);
        CU_ASSERT_STRING_EQUAL(b->url, a->url);
        CU_ASSERT_EQUAL(b->attempt, a->attempt);
        CU_ASSERT(b->attempt >= 1);
        if (b->attempt > 1) {
            CU_ASSERT_EQUAL(cap.ev[i - 1].attempt, b->attempt - 1);
            CU_ASSERT(cap.ev[i - 1].delay >= 0); /* the previous attempt announced the retry */
        }
        CU_ASSERT_EQUAL(b->status, 0);
        CU_ASSERT_EQUAL(b->duration, 0);
        CU_ASSERT(a->duration >= 0);
        CU_ASSERT_EQUAL(strncmp(a->url, srv.base_url, strlen(srv.base_url)), 0);
        int known = 0;
        for (int op = 0; op < 6; op++)
            if (strcmp(a->opid, OPS[op]) == 0) {
                known = 1;
                CU_ASSERT_STRING_EQUAL(a->method, METHODS[op]);
            }
        CU_ASSERT(known);
        if (a->result == OPENROUTER_OK)
            CU_ASSERT(a->status >= 200 && a->status <= 299);
    }
}

/* ---- tests ---------------------------------------------------------------------- */

static void test_success_events(void)
{
    capture_reset();
    fresh_server();
    openrouter_client *c = hooked_client(OPENROUTER_LOG_DEBUG);
    const long want[6] = {200, 201, 200, 200, 200, 200};
    for (int op = 0; op < 6; op++) {
        size_t first = cap.n_ev;
        openrouter_error err = OPENROUTER_ERROR_INIT;
        CU_ASSERT_EQUAL(run_op(c, op, &err), OPENROUTER_OK);
        openrouter_error_clear(&err);
        CU_ASSERT_EQUAL_FATAL(cap.n_ev, first + 2);
        const event *a = &cap.ev[first + 1];
        CU_ASSERT_STRING_EQUAL(a->opid, OPS[op]);
        CU_ASSERT_STRING_EQUAL(a->method, METHODS[op]);
        CU_ASSERT_EQUAL(a->status, want[op]);
        CU_ASSERT_EQUAL(a->attempt, 1);
        CU_ASSERT_EQUAL(a->result, OPENROUTER_OK);
        CU_ASSERT_EQUAL(a->delay, -1);
        CU_ASSERT(a->duration > 0); /* the test clock moves on every reading */
    }
    CU_ASSERT_PTR_NOT_NULL(strstr(cap.ev[1].url, "/api/v1/keys"));
    CU_ASSERT_PTR_NOT_NULL(strstr(cap.ev[5].url, "/api/v1/keys/h1"));
    CU_ASSERT_PTR_NOT_NULL(strstr(cap.ev[11].url, "/api/v1/key"));
    CU_ASSERT(secret[0] != '\0');
    CU_ASSERT_EQUAL(cap.by_level[OPENROUTER_LOG_INFO], 6u);  /* one per call */
    CU_ASSERT_EQUAL(cap.by_level[OPENROUTER_LOG_DEBUG], 12u); /* attempt start and outcome */
    CU_ASSERT_EQUAL(cap.by_level[OPENROUTER_LOG_WARN] + cap.by_level[OPENROUTER_LOG_ERROR], 0u);
    CU_ASSERT_PTR_NOT_NULL(strstr(cap.text, "createKey: POST "));
    CU_ASSERT_PTR_NOT_NULL(strstr(cap.text, "-> HTTP 201"));
    assert_trace_shape();
    assert_no_secrets();
    openrouter_client_free(c);
}

/* Each operation: a 503 echoing the key (retried where allowed), then a
 * 400 echoing it (final), a plain-text 502 echoing it, and a dropped
 * connection. Nothing the hooks see may hold the key. */
static void test_key_echoed_in_errors_never_reaches_hooks(void)
{
    capture_reset();
    openrouter_client *c = hooked_client(OPENROUTER_LOG_DEBUG);
    for (int op = 0; op < 6; op++) {
        fresh_server();
        CU_ASSERT_EQUAL_FATAL(stub_add_faults(&srv,
            "{\"faults\":["
            "{\"status\":503,\"body\":{\"error\":{\"code\":503,\"message\":\"key sk-or-v1-mgmt-test overloaded\","
            "\"metadata\":{\"key\":\"sk-or-v1-mgmt-test\"}}}},"
            "{\"status\":400,\"body\":{\"error\":{\"code\":400,\"message\":\"Bearer sk-or-v1-mgmt-test is bad\"}}},"
            "{\"status\":502,\"body\":\"upstream rejected sk-or-v1-mgmt-test\","
            "\"headers\":{\"Content-Type\":\"text/plain\"}},"
            "{\"status\":502,\"body\":\"upstream rejected sk-or-v1-mgmt-test\","
            "\"headers\":{\"Content-Type\":\"text/plain\"}},"
            "{\"status\":502,\"body\":\"upstream rejected sk-or-v1-mgmt-test\","
            "\"headers\":{\"Content-Type\":\"text/plain\"}},"
            "{\"close_before_response\":true},{\"close_before_response\":true},"
            "{\"close_before_response\":true}]}"), 0);
        openrouter_error err = OPENROUTER_ERROR_INIT;
        /* 503 then 400 (create is not retried after a 503: the 400 is
         * consumed by the next call). */
        int rc = run_op(c, op, &err);
        CU_ASSERT_EQUAL(rc, OPENROUTER_EHTTP);
        CU_ASSERT_PTR_NULL(strstr(err.message, STUB_MANAGEMENT_KEY));
        openrouter_error_clear(&err);
        /* Without an error struct the log still gets the (redacted) message. */
        rc = run_op(c, op, NULL);
        CU_ASSERT(rc == OPENROUTER_EHTTP || rc == OPENROUTER_ETRANSPORT);
        int tries = 0;
        while (run_op(c, op, NULL) != OPENROUTER_OK && ++tries < 20) {
            /* drain the remaining faults */
        }
        CU_ASSERT(tries < 20);
    }
    CU_ASSERT(cap.by_level[OPENROUTER_LOG_WARN] > 0);
    CU_ASSERT(cap.by_level[OPENROUTER_LOG_ERROR] > 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(cap.text, "retrying in"));
    CU_ASSERT_PTR_NOT_NULL(strstr(cap.text, "[REDACTED]"));
    CU_ASSERT_PTR_NOT_NULL(strstr(cap.text, "status=503"));
    CU_ASSERT_PTR_NOT_NULL(strstr(cap.text, "status=400"));
    /* A dropped connection is traced with status 0. */
    int transport = 0;
    for (size_t i = 0; i < cap.n_ev; i++)
        if (!cap.ev[i].before && cap.ev[i].result == OPENROUTER_ETRANSPORT) {
            transport = 1;
            CU_ASSERT_EQUAL(cap.ev[i].status, 0);
        }
    CU_ASSERT(transport);
    assert_trace_shape();
    assert_no_secrets();
    openrouter_client_free(c);
}

static void test_log_level_filters(void)
{
    capture_reset();
    fresh_server();
    openrouter_client *c = hooked_client(OPENROUTER_LOG_WARN);
    CU_ASSERT_EQUAL(run_op(c, 0, NULL), OPENROUTER_OK);
    CU_ASSERT_EQUAL(cap.by_level[OPENROUTER_LOG_DEBUG] + cap.by_level[OPENROUTER_LOG_INFO], 0u);
    CU_ASSERT_EQUAL(cap.n_ev, 2u); /* tracing is not filtered */
    /* A request that fails validation is a WARN, and nothing is traced. */
    openrouter_get_key_request r = OPENROUTER_GET_KEY_REQUEST_INIT;
    openrouter_key_response *out = NULL;
    CU_ASSERT_EQUAL(openrouter_get_key(c, &r, &out, NULL, NULL), OPENROUTER_EINVAL);
    CU_ASSERT_EQUAL(cap.by_level[OPENROUTER_LOG_WARN], 1u);
    CU_ASSERT_EQUAL(cap.n_ev, 2u);
    CU_ASSERT_PTR_NOT_NULL(strstr(cap.text, "hash"));
    openrouter_client_free(c);

    /* Out-of-range levels are rejected. */
    openrouter_client_options o = OPENROUTER_CLIENT_OPTIONS_INIT;
    o.api_key = STUB_MANAGEMENT_KEY;
    o.base_url = srv.base_url;
    o.log_level = (openrouter_log_level)7;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    CU_ASSERT_EQUAL(openrouter_client_new(&c, &o, &err), OPENROUTER_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.field, "log_level");
    openrouter_error_clear(&err);
}

/* Paging logs through the same hook. */
static void test_pagination_logs(void)
{
    capture_reset();
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 150), 0);
    openrouter_client *c = hooked_client(OPENROUTER_LOG_DEBUG);
    openrouter_key_list *list = NULL;
    CU_ASSERT_EQUAL(openrouter_list_keys_all(c, NULL, NULL, &list, NULL), OPENROUTER_OK);
    openrouter_key_list_free(list);
    CU_ASSERT_PTR_NOT_NULL(strstr(cap.text, "listKeys: page 2:"));
    CU_ASSERT_PTR_NOT_NULL(strstr(cap.text, "(last page)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(cap.text, "offset=99"));
    assert_trace_shape();
    assert_no_secrets();
    openrouter_client_free(c);
}

static int suite_init(void) { return stub_start(&srv, 0); }
static int suite_clean(void)
{
    stub_stop(&srv);
    capture_reset();
    return 0;
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("hooks", suite_init, suite_clean);
    CU_add_test(s, "trace and log of successful calls", test_success_events);
    CU_add_test(s, "key echoed in errors never reaches the hooks", test_key_echoed_in_errors_never_reaches_hooks);
    CU_add_test(s, "log level filters", test_log_level_filters);
    CU_add_test(s, "pagination logs", test_pagination_logs);
    return or_test_run();
}
