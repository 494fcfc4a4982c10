/* Retry semantics end to end against the stand-in server, timed by an
 * injected clock: the attempt cap, the elapsed-time cap, full-jitter
 * bounds, Retry-After honoured up to its cap (a longer one ends the call
 * and is reported), which statuses retry for which methods (400, 401, 403
 * and 404 never), and per-call overrides. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <json-c/json.h>

#include <openrouter/openrouter.h>

#include "stub_server.h"
#include "test_util.h"

static stub_server srv;

#define MAX_WAITS 16
static int64_t fake_now;
static long waits[MAX_WAITS];
static int n_waits;
static double rand_value = 0.5; /* < 0: the library's own randomness */
static int64_t clock_now(void *ctx) { (void)ctx; return fake_now; }
static void clock_sleep(void *ctx, long ms)
{
    (void)ctx;
    if (n_waits < MAX_WAITS)
        waits[n_waits] = ms;
    n_waits++;
    fake_now += ms;
}
static double clock_random(void *ctx) { (void)ctx; return rand_value; }

/* Delays the library chose, by attempt, zero ones included (a zero wait is
 * never slept, so waits[] alone cannot say which retry it belonged to). */
static long chosen_delay[MAX_WAITS];
static void record_trace(void *ctx, int before, const openrouter_trace_event *ev)
{
    (void)ctx;
    if (!before && ev->attempt >= 1 && ev->attempt <= MAX_WAITS)
        chosen_delay[ev->attempt - 1] = ev->delay_ms;
}
static const openrouter_clock fixed_clock = {clock_now, clock_sleep, clock_random, NULL};
static const openrouter_clock jitter_clock = {clock_now, clock_sleep, NULL, NULL};

enum { OP_LIST, OP_CREATE, OP_GET, OP_UPDATE, OP_DELETE, OP_CURRENT };
#define HASH "rs-fixture"

static openrouter_client *client_with(const openrouter_retry_policy *policy, const openrouter_clock *clk)
{
    openrouter_client_options o = OPENROUTER_CLIENT_OPTIONS_INIT;
    o.api_key = STUB_MANAGEMENT_KEY;
    o.base_url = srv.base_url;
    o.clock = clk ? clk : &fixed_clock;
    o.trace = record_trace;
    if (policy)
        o.retry = *policy;
    openrouter_client *c = NULL;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    CU_ASSERT_EQUAL_FATAL(openrouter_client_new(&c, &o, &err), OPENROUTER_OK);
    openrouter_error_clear(&err);
    return c;
}

static void reset(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 0), 0);
    CU_ASSERT_EQUAL_FATAL(stub_add_key(&srv, "{\"hash\":\"" HASH "\",\"name\":\"fixture\"}", NULL, 0), 0);
    fake_now = 0;
    n_waits = 0;
    rand_value = 0.5;
}

/* Queues `times` copies of one fault object. */
static void faults(const char *fault, int times)
{
    char all[16384];
    size_t n = (size_t)snprintf(all, sizeof all, "{\"faults\":[");
    for (int i = 0; i < times; i++)
        n += (size_t)snprintf(all + n, sizeof all - n, "%s%s", i ? "," : "", fault);
    snprintf(all + n, sizeof all - n, "]}");
    CU_ASSERT_EQUAL_FATAL(stub_add_faults(&srv, all), 0);
}

static int call(openrouter_client *c, int op, const openrouter_call_options *co, openrouter_error *err)
{
    void *out = NULL;
    int rc = OPENROUTER_EINVAL;
    switch (op) {
    case OP_LIST:
        rc = openrouter_list_keys(c, NULL, (openrouter_key_list **)&out, co, err);
        openrouter_key_list_free(out);
        break;
    case OP_CREATE: {
        openrouter_create_key_request r = OPENROUTER_CREATE_KEY_REQUEST_INIT;
        r.body.name = OPENROUTER_STRING("retry");
        rc = openrouter_create_key(c, &r, (openrouter_created_key **)&out, co, err);
        openrouter_created_key_free(out);
        break;
    }
    case OP_GET: {
        openrouter_get_key_request r = OPENROUTER_GET_KEY_REQUEST_INIT;
        r.hash = HASH;
        rc = openrouter_get_key(c, &r, (openrouter_key_response **)&out, co, err);
        openrouter_key_response_free(out);
        break;
    }
    case OP_UPDATE: {
        openrouter_update_key_request r = OPENROUTER_UPDATE_KEY_REQUEST_INIT;
        r.hash = HASH;
        r.body.disabled = OPENROUTER_BOOL(false);
        rc = openrouter_update_key(c, &r, (openrouter_key_response **)&out, co, err);
        openrouter_key_response_free(out);
        break;
    }
    case OP_DELETE: {
        openrouter_delete_key_request r = OPENROUTER_DELETE_KEY_REQUEST_INIT;
        r.hash = HASH;
        rc = openrouter_delete_key(c, &r, (openrouter_delete_key_response **)&out, co, err);
        openrouter_delete_key_response_free(out);
        break;
    }
    default:
        rc = openrouter_get_current_key_metadata(c, NULL, (openrouter_current_key_response **)&out, co, err);
        openrouter_current_key_response_free(out);
        break;
    }
    return rc;
}

static long requests(void) { return stub_stat(&srv, "requests"); }

/* ---- attempt cap ----------------------------------------------------------- */

static void test_attempt_cap(void)
{
    openrouter_client *c = client_with(NULL, NULL);
    openrouter_error err = OPENROUTER_ERROR_INIT;
    /* Default: 3 attempts, waits 250 and 500 (jitter 0.5 of 500 x 2^n). */
    reset();
    faults("{\"status\":503}", 20);
    CU_ASSERT_EQUAL(call(c, OP_GET, NULL, &err), OPENROUTER_EHTTP);
    CU_ASSERT_EQUAL(err.attempts, 3);
    CU_ASSERT_EQUAL(requests(), 3);
    CU_ASSERT_EQUAL(n_waits, 2);
    CU_ASSERT_EQUAL(waits[0], 250);
    CU_ASSERT_EQUAL(waits[1], 500);
    openrouter_error_clear(&err);

    /* A client policy of 5, then per-call 1 and 7 on the same client. */
    openrouter_retry_policy five = OPENROUTER_RETRY_POLICY_INIT;
    five.max_attempts = 5;
    openrouter_client *c5 = client_with(&five, NULL);
    reset();
    faults("{\"status\":503}", 20);
    CU_ASSERT_EQUAL(call(c5, OP_LIST, NULL, &err), OPENROUTER_EHTTP);
    CU_ASSERT_EQUAL(err.attempts, 5);
    CU_ASSERT_EQUAL(requests(), 5);
    CU_ASSERT_EQUAL(n_waits, 4);
    CU_ASSERT_EQUAL(waits[3], 2000);
    openrouter_error_clear(&err);

    openrouter_retry_policy one = OPENROUTER_RETRY_POLICY_INIT, seven = OPENROUTER_RETRY_POLICY_INIT;
    one.max_attempts = 1;
    seven.max_attempts = 7;
    openrouter_call_options co = OPENROUTER_CALL_OPTIONS_INIT;
    co.retry = &one;
    reset();
    faults("{\"status\":503}", 20);
    CU_ASSERT_EQUAL(call(c5, OP_LIST, &co, &err), OPENROUTER_EHTTP);
    CU_ASSERT_EQUAL(err.attempts, 1);
    CU_ASSERT_EQUAL(requests(), 1);
    CU_ASSERT_EQUAL(n_waits, 0);
    openrouter_error_clear(&err);
    co.retry = &seven;
    reset();
    faults("{\"status\":503}", 20);
    CU_ASSERT_EQUAL(call(c5, OP_LIST, &co, &err), OPENROUTER_EHTTP);
    CU_ASSERT_EQUAL(err.attempts, 7);
    CU_ASSERT_EQUAL(requests(), 7);
    long want[] = {250, 500, 1000, 2000, 4000, 8000};
    CU_ASSERT_EQUAL_FATAL(n_waits, 6);
    for (int i = 0; i < 6; i++)
        CU_ASSERT_EQUAL(waits[i], want[i]);
    openrouter_error_clear(&err);
    /* The override was for that call only. */
    reset();
    faults("{\"status\":503}", 20);
    CU_ASSERT_EQUAL(call(c5, OP_LIST, NULL, &err), OPENROUTER_EHTTP);
    CU_ASSERT_EQUAL(err.attempts, 5);
    openrouter_error_clear(&err);
    openrouter_client_free(c5);
    openrouter_client_free(c);
}

/* ---- elapsed-time cap ------------------------------------------------------- */

static void test_elapsed_cap(void)
{
    openrouter_error err = OPENROUTER_ERROR_INIT;
    /* Waits 999, 1998, 3996...: the third would end past 5000 ms. */
    openrouter_retry_policy p = OPENROUTER_RETRY_POLICY_INIT;
    p.max_attempts = 10;
    p.initial_delay_ms = 1000;
    p.max_elapsed_ms = 5000;
    openrouter_client *c = client_with(&p, NULL);
    reset();
    rand_value = 0.999;
    faults("{\"status\":500}", 20);
    CU_ASSERT_EQUAL(call(c, OP_GET, NULL, &err), OPENROUTER_EHTTP);
    CU_ASSERT_EQUAL(err.attempts, 3);
    CU_ASSERT_EQUAL(n_waits, 2);
    CU_ASSERT_EQUAL(waits[0], 999);
    CU_ASSERT_EQUAL(waits[1], 1998);
    CU_ASSERT_EQUAL(err.http_status, 500);
    openrouter_error_clear(&err);

    /* Server-requested waits count against the same budget. */
    p.max_elapsed_ms = 3000;
    openrouter_call_options co = OPENROUTER_CALL_OPTIONS_INIT;
    co.retry = &p;
    reset();
    faults("{\"status\":503,\"headers\":{\"Retry-After\":\"2\"}}", 20);
    CU_ASSERT_EQUAL(call(c, OP_LIST, &co, &err), OPENROUTER_EHTTP);
    CU_ASSERT_EQUAL(err.attempts, 2);
    CU_ASSERT_EQUAL(n_waits, 1);
    CU_ASSERT_EQUAL(waits[0], 2000);
    CU_ASSERT_EQUAL(err.retry_after_ms, 2000);
    openrouter_error_clear(&err);

    /* Zero budget: no retry at all, even for a retryable status. */
    p.max_elapsed_ms = 0;
    reset();
    faults("{\"status\":503}", 20);
    CU_ASSERT_EQUAL(call(c, OP_LIST, &co, &err), OPENROUTER_EHTTP);
    CU_ASSERT_EQUAL(err.attempts, 1);
    openrouter_error_clear(&err);
    openrouter_client_free(c);
}

/* ---- full jitter ------------------------------------------------------------- */

static void test_full_jitter_bounds(void)
{
    openrouter_error err = OPENROUTER_ERROR_INIT;
    /* The extremes of the random draw give the bounds exactly. */
    struct { double unit; long w1, w2; } ends[] = {{0.0, 0, 0}, {0.999999, 499, 999}, {0.5, 250, 500}};
    openrouter_client *c = client_with(NULL, NULL);
    for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++) {
        reset();
        rand_value = ends[i].unit;
        faults("{\"status\":502}", 3);
        CU_ASSERT_EQUAL(call(c, OP_CURRENT, NULL, &err), OPENROUTER_EHTTP);
        CU_ASSERT_EQUAL(err.attempts, 3);
        /* A zero wait is not slept. */
        int expected_waits = (ends[i].w1 > 0) + (ends[i].w2 > 0);
        CU_ASSERT_EQUAL(n_waits, expected_waits);
        if (expected_waits == 2) {
            CU_ASSERT_EQUAL(waits[0], ends[i].w1);
            CU_ASSERT_EQUAL(waits[1], ends[i].w2);
        }
        openrouter_error_clear(&err);
    }
    openrouter_client_free(c);

    /* max_delay_ms caps one wait: 500 x 10^n capped at 2000. */
    openrouter_retry_policy p = OPENROUTER_RETRY_POLICY_INIT;
    p.max_attempts = 4;
    p.multiplier = 10.0;
    p.max_delay_ms = 2000;
    c = client_with(&p, NULL);
    reset();
    rand_value = 0.999999;
    faults("{\"status\":500}", 4);
    CU_ASSERT_EQUAL(call(c, OP_GET, NULL, &err), OPENROUTER_EHTTP);
    CU_ASSERT_EQUAL(err.attempts, 4);
    CU_ASSERT_EQUAL_FATAL(n_waits, 3);
    CU_ASSERT_EQUAL(waits[0], 499);
    CU_ASSERT_EQUAL(waits[1], 1999);
    CU_ASSERT_EQUAL(waits[2], 1999);
    openrouter_error_clear(&err);
    openrouter_client_free(c);

    /* The library's own randomness: every wait inside [0, cap), and spread. */
    c = client_with(NULL, &jitter_clock);
    int calls = or_test_under_valgrind() ? 8 : 40;
    long min1 = 1000000, max1 = -1, min2 = 1000000, max2 = -1;
    reset();
    faults("{\"status\":503}", 3 * calls);
    for (int i = 0; i < calls; i++) {
        n_waits = 0;
        CU_ASSERT_EQUAL(call(c, OP_LIST, NULL, &err), OPENROUTER_EHTTP);
        CU_ASSERT_EQUAL(err.attempts, 3);
        CU_ASSERT(n_waits <= 2);
        long w1 = chosen_delay[0], w2 = chosen_delay[1];
        CU_ASSERT(w1 >= 0 && w1 < 500);
        CU_ASSERT(w2 >= 0 && w2 < 1000);
        min1 = w1 < min1 ? w1 : min1;
        max1 = w1 > max1 ? w1 : max1;
        min2 = w2 < min2 ? w2 : min2;
        max2 = w2 > max2 ? w2 : max2;
        openrouter_error_clear(&err);
    }
    CU_ASSERT(max1 > min1); /* jittered, not a fixed delay */
    CU_ASSERT(max2 > min2);
    CU_ASSERT(max2 >= 500 || calls < 20); /* the second wait really can exceed the first cap */
    openrouter_client_free(c);
}

/* ---- Retry-After ---------------------------------------------------------------- */

static void test_retry_after_up_to_cap(void)
{
    openrouter_client *c = client_with(NULL, NULL);
    openrouter_error err = OPENROUTER_ERROR_INIT;
    struct {
        const char *headers; /* JSON object of response headers */
        int op;
        int rc;              /* final result, after one 429 */
        int attempts;
        long wait;           /* -1: none */
        long reported;       /* error.retry_after_ms when the call failed */
    } cases[] = {
        /* Exactly the cap is honoured; one more second is not. */
        {"{\"Retry-After\":\"60\"}", OP_GET, OPENROUTER_OK, 2, 60000, 0},
        {"{\"Retry-After\":\"61\"}", OP_GET, OPENROUTER_EHTTP, 1, -1, 61000},
        {"{\"retry-after-ms\":\"60000\"}", OP_CREATE, OPENROUTER_OK, 2, 60000, 0},
        {"{\"retry-after-ms\":\"60001\"}", OP_CREATE, OPENROUTER_EHTTP, 1, -1, 60001},
        /* retry-after-ms wins over Retry-After. */
        {"{\"retry-after-ms\":\"1200\",\"Retry-After\":\"3600\"}", OP_LIST, OPENROUTER_OK, 2, 1200, 0},
        /* A huge value saturates instead of overflowing, and gives up. */
        {"{\"Retry-After\":\"99999999999999999999\"}", OP_LIST, OPENROUTER_EHTTP, 1, -1, -2},
        /* An HTTP date in the past: retry at once (no wait). */
        {"{\"Retry-After\":\"Wed, 21 Oct 2015 07:28:00 GMT\"}", OP_UPDATE, OPENROUTER_OK, 2, -1, 0},
        /* Unparseable: ignored, the normal backoff applies. */
        {"{\"Retry-After\":\"soon\"}", OP_DELETE, OPENROUTER_OK, 2, 250, 0},
        {"{\"Retry-After\":\"1.5\"}", OP_CURRENT, OPENROUTER_OK, 2, 250, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        reset();
        char f[512];
        snprintf(f, sizeof f, "{\"status\":429,\"headers\":%s}", cases[i].headers);
        faults(f, 1);
        int rc = call(c, cases[i].op, NULL, &err);
        CU_ASSERT_EQUAL(rc, cases[i].rc);
        CU_ASSERT_EQUAL(err.attempts, cases[i].attempts);
        CU_ASSERT_EQUAL(n_waits, cases[i].wait >= 0 ? 1 : 0);
        if (cases[i].wait >= 0 && n_waits == 1)
            CU_ASSERT_EQUAL(waits[0], cases[i].wait);
        if (rc != OPENROUTER_OK) {
            CU_ASSERT_EQUAL(err.http_status, 429);
            if (cases[i].reported == -2) {
                CU_ASSERT(err.retry_after_ms > 60000);
            } else {
                CU_ASSERT_EQUAL(err.retry_after_ms, cases[i].reported);
            }
            CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "more than max_retry_after_ms"));
            CU_ASSERT_EQUAL(err.request_may_have_been_processed, 0);
        }
        if (rc != cases[i].rc || err.attempts != cases[i].attempts)
            fprintf(stderr, "\n  case %zu: rc=%d attempts=%d msg=%s\n", i, rc, err.attempts, err.message);
        openrouter_error_clear(&err);
    }

    /* Retry-After on a 503 is honoured for GET; a per-call cap lowers it. */
    reset();
    faults("{\"status\":503,\"headers\":{\"Retry-After\":\"7\"}}", 1);
    CU_ASSERT_EQUAL(call(c, OP_GET, NULL, &err), OPENROUTER_OK);
    CU_ASSERT_EQUAL(n_waits, 1);
    CU_ASSERT_EQUAL(waits[0], 7000);
    openrouter_error_clear(&err);
    openrouter_retry_policy p = OPENROUTER_RETRY_POLICY_INIT;
    p.max_retry_after_ms = 5000;
    openrouter_call_options co = OPENROUTER_CALL_OPTIONS_INIT;
    co.retry = &p;
    reset();
    faults("{\"status\":503,\"headers\":{\"Retry-After\":\"7\"}}", 1);
    CU_ASSERT_EQUAL(call(c, OP_GET, &co, &err), OPENROUTER_EHTTP);
    CU_ASSERT_EQUAL(err.attempts, 1);
    CU_ASSERT_EQUAL(err.retry_after_ms, 7000);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "7000 ms"));
    CU_ASSERT_EQUAL(requests(), 1);
    openrouter_error_clear(&err);
    openrouter_client_free(c);
}

/* ---- which statuses retry -------------------------------------------------------- */

static int in(int s, const int *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] == s)
            return 1;
    return 0;
}

static void test_which_statuses_retry(void)
{
    static const int statuses[] = {400, 401, 403, 404, 405, 409, 410, 413, 422, 408, 429,
                                   500, 501, 502, 503, 504, 599};
    static const int idempotent_retry[] = {408, 429, 500, 501, 502, 503, 504, 599};
    static const int never[] = {400, 401, 403, 404};
    openrouter_client *c = client_with(NULL, NULL);
    openrouter_retry_policy opt_in = OPENROUTER_RETRY_POLICY_INIT;
    opt_in.retry_non_idempotent = 1;
    openrouter_call_options co_opt_in = OPENROUTER_CALL_OPTIONS_INIT;
    co_opt_in.retry = &opt_in;
    const int ops[] = {OP_LIST, OP_GET, OP_UPDATE, OP_DELETE, OP_CURRENT, OP_CREATE};
    int checked = 0;
    for (size_t si = 0; si < sizeof statuses / sizeof statuses[0]; si++) {
        int s = statuses[si];
        for (size_t oi = 0; oi < sizeof ops / sizeof ops[0]; oi++) {
            for (int opted = 0; opted < 2; opted++) {
                int op = ops[oi];
                if (opted && op != OP_CREATE)
                    continue;
                reset();
                char f[128];
                snprintf(f, sizeof f, "{\"status\":%d}", s);
                faults(f, 3);
                openrouter_error err = OPENROUTER_ERROR_INIT;
                int rc = call(c, op, opted ? &co_opt_in : NULL, &err);
                int retried;
                if (op != OP_CREATE || opted)
                    retried = in(s, idempotent_retry, sizeof idempotent_retry / sizeof idempotent_retry[0]);
                else
                    retried = s == 429;
                CU_ASSERT_EQUAL(rc, OPENROUTER_EHTTP);
                CU_ASSERT_EQUAL(err.http_status, s);
                CU_ASSERT_EQUAL(err.attempts, retried ? 3 : 1);
                CU_ASSERT_EQUAL(requests(), retried ? 3 : 1);
                if (in(s, never, sizeof never / sizeof never[0]))
                    CU_ASSERT_EQUAL(err.attempts, 1);
                /* Only a create answered with a 5xx may have happened. */
                CU_ASSERT_EQUAL(err.request_may_have_been_processed, op == OP_CREATE && s >= 500);
                if (err.attempts != (retried ? 3 : 1))
                    fprintf(stderr, "\n  status %d op %d opted %d: attempts %d\n", s, op, opted, err.attempts);
                openrouter_error_clear(&err);
                checked++;
            }
        }
    }
    CU_ASSERT_EQUAL(checked, 17 * 7);
    openrouter_client_free(c);
}

/* Timeouts and resets: GET retries; POST does not unless opted in, and an
 * opted-in retry after the server stored the key creates a second one. */
static void test_transport_failures_and_opt_in(void)
{
    openrouter_client *c = client_with(NULL, NULL);
    openrouter_error err = OPENROUTER_ERROR_INIT;
    reset();
    faults("{\"close_before_response\":true}", 3);
    CU_ASSERT_EQUAL(call(c, OP_LIST, NULL, &err), OPENROUTER_ETRANSPORT);
    CU_ASSERT_EQUAL(err.attempts, 3);
    CU_ASSERT_EQUAL(err.request_may_have_been_processed, 0);
    openrouter_error_clear(&err);

    reset();
    faults("{\"status\":500,\"apply_then\":true}", 1);
    CU_ASSERT_EQUAL(call(c, OP_CREATE, NULL, &err), OPENROUTER_EHTTP);
    CU_ASSERT_EQUAL(err.attempts, 1);
    CU_ASSERT_EQUAL(err.request_may_have_been_processed, 1);
    CU_ASSERT_EQUAL(stub_count_keys(&srv), 2);
    openrouter_error_clear(&err);

    openrouter_retry_policy opt_in = OPENROUTER_RETRY_POLICY_INIT;
    opt_in.retry_non_idempotent = 1;
    openrouter_call_options co = OPENROUTER_CALL_OPTIONS_INIT;
    co.retry = &opt_in;
    reset();
    faults("{\"status\":500,\"apply_then\":true}", 1);
    CU_ASSERT_EQUAL(call(c, OP_CREATE, &co, &err), OPENROUTER_OK);
    CU_ASSERT_EQUAL(err.attempts, 2);
    CU_ASSERT_EQUAL(stub_count_keys(&srv), 3); /* fixture + two creates: the documented risk */
    openrouter_error_clear(&err);

    /* Per-call timeout: the server stalls longer than the call allows. */
    long timeout = or_test_under_valgrind() ? 1500 : 300;
    char f[128];
    snprintf(f, sizeof f, "{\"delay_ms\":%ld}", timeout * 3);
    co = (openrouter_call_options)OPENROUTER_CALL_OPTIONS_INIT;
    co.timeout_ms = timeout;
    reset();
    faults(f, 1);
    CU_ASSERT_EQUAL(call(c, OP_CREATE, &co, &err), OPENROUTER_ETIMEOUT);
    CU_ASSERT_EQUAL(err.attempts, 1);
    CU_ASSERT_EQUAL(err.request_may_have_been_processed, 1);
    char want[64];
    snprintf(want, sizeof want, "timed out after %ld ms", timeout);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, want));
    openrouter_error_clear(&err);
    reset();
    faults(f, 1);
    CU_ASSERT_EQUAL(call(c, OP_GET, &co, &err), OPENROUTER_OK);
    CU_ASSERT_EQUAL(err.attempts, 2);
    openrouter_error_clear(&err);
    openrouter_client_free(c);
}

/* Invalid per-call overrides are refused before anything is sent. */
static void test_invalid_overrides(void)
{
    openrouter_client *c = client_with(NULL, NULL);
    reset();
    long before = requests();
    openrouter_retry_policy bad[6];
    for (int i = 0; i < 6; i++)
        bad[i] = (openrouter_retry_policy)OPENROUTER_RETRY_POLICY_INIT;
    bad[0].max_attempts = 0;
    bad[1].version = 99;
    bad[2].initial_delay_ms = -1;
    bad[3].multiplier = 0.5;
    bad[4].max_elapsed_ms = -5;
    bad[5].max_retry_after_ms = -1;
    const char *fields[6] = {"options.retry.max_attempts", "options.retry.version",
                             "options.retry.initial_delay_ms", "options.retry.multiplier",
                             "options.retry.max_elapsed_ms", "options.retry.max_retry_after_ms"};
    for (int i = 0; i < 6; i++) {
        openrouter_call_options co = OPENROUTER_CALL_OPTIONS_INIT;
        co.retry = &bad[i];
        openrouter_error err = OPENROUTER_ERROR_INIT;
        CU_ASSERT_EQUAL(call(c, OP_LIST, &co, &err), OPENROUTER_EINVAL);
        CU_ASSERT_STRING_EQUAL(err.field, fields[i]);
        openrouter_error_clear(&err);
    }
    openrouter_call_options co = OPENROUTER_CALL_OPTIONS_INIT;
    co.timeout_ms = -1;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    CU_ASSERT_EQUAL(call(c, OP_CREATE, &co, &err), OPENROUTER_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.field, "options.timeout_ms");
    openrouter_error_clear(&err);
    co = (openrouter_call_options)OPENROUTER_CALL_OPTIONS_INIT;
    co.version = 99;
    CU_ASSERT_EQUAL(call(c, OP_GET, &co, &err), OPENROUTER_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.field, "options.version");
    openrouter_error_clear(&err);
    CU_ASSERT_EQUAL(requests(), before);
    openrouter_client_free(c);
}

static int suite_init(void) { return stub_start(&srv, 0); }
static int suite_clean(void) { stub_stop(&srv); return 0; }

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("retry semantics", suite_init, suite_clean);
    CU_add_test(s, "attempt cap (default, client, per call)", test_attempt_cap);
    CU_add_test(s, "elapsed-time cap", test_elapsed_cap);
    CU_add_test(s, "full jitter bounds", test_full_jitter_bounds);
    CU_add_test(s, "Retry-After honoured up to its cap", test_retry_after_up_to_cap);
    CU_add_test(s, "which statuses retry (400/401/403/404 never)", test_which_statuses_retry);
    CU_add_test(s, "transport failures, opt-in for POST, per-call timeout", test_transport_failures_and_opt_in);
    CU_add_test(s, "invalid per-call overrides", test_invalid_overrides);
    return or_test_run();
}
