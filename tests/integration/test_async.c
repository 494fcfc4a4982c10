/* The non-blocking interface (openrouter/async.h) against the stand-in
 * server: typed *_start functions, errors at start, when callbacks run,
 * the concurrency cap and queue, connection reuse and fresh connections
 * for POST, shared Retry-After back-pressure (real time and injected
 * clock), timers on the injected clock without real sleeping, the same
 * trace and log lines as the blocking call, socket mode's sockets and
 * timer, and freeing a handle with calls pending. Cancellation is in
 * test_async_cancel.c, threads in test_async_threads.c, volume and memory
 * in test_async_load.c. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <json-c/json.h>

#include <openrouter/openrouter.h>

#include "async_test.h"
#include "stub_server.h"
#include "test_util.h"

static stub_server srv;

/* The injected clock: moves only when waited on, records every wait. */
static or_test_clock tc;

/* ---- hooks ------------------------------------------------------------------------ */

#define MAX_LINES 64
typedef struct hooks {
    char lines[MAX_LINES][200]; /* trace events and log lines, in order */
    int n;
    int in_flight, max_in_flight; /* trace: before minus after */
    int64_t before_at[MAX_LINES]; /* injected time of each "before" event */
    int n_before;
} hooks;

static void hook_line(hooks *h, const char *line)
{
    if (h->n < MAX_LINES)
        snprintf(h->lines[h->n++], sizeof h->lines[0], "%s", line);
}

static void on_trace(void *ctx, int before, const openrouter_trace_event *e)
{
    hooks *h = ctx;
    char line[200];
    snprintf(line, sizeof line, "trace %s %s attempt=%d status=%ld result=%d delay=%ld", before ? "before" : "after",
             e->operation_id, e->attempt, e->http_status, e->result, e->delay_ms);
    hook_line(h, line);
    h->in_flight += before ? 1 : -1;
    if (h->in_flight > h->max_in_flight)
        h->max_in_flight = h->in_flight;
    if (before && h->n_before < MAX_LINES)
        h->before_at[h->n_before++] = tc.now;
}

/* Log lines without their timings ("in 3 ms"), which differ run to run. */
static void on_log(void *ctx, openrouter_log_level level, const char *message)
{
    char line[200];
    snprintf(line, sizeof line, "log %d %s", (int)level, message);
    char *t = strstr(line, " in ");
    if (t && strstr(t, " ms"))
        *t = '\0';
    hook_line(ctx, line);
}

/* ---- fixtures ------------------------------------------------------------------------ */

static openrouter_client *make_client(const openrouter_clock *clock, hooks *h)
{
    openrouter_client_options o = or_test_client_options(srv.base_url, clock);
    if (h) {
        o.trace = on_trace;
        o.trace_ctx = h;
        o.log = on_log;
        o.log_ctx = h;
        o.log_level = OPENROUTER_LOG_DEBUG;
    }
    return or_test_client_from(&o);
}

static void reset(int seed)
{
    or_test_clock_init(&tc);
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, seed), 0);
}

/* A counter of /_control/stats "statuses", e.g. "429". */
static long status_count(const char *status)
{
    json_object *st = NULL, *statuses = NULL, *n = NULL;
    if (stub_control(&srv, "GET", "/stats", NULL, &st) != 0)
        return -1;
    long v = 0;
    if (json_object_object_get_ex(st, "statuses", &statuses) && json_object_object_get_ex(statuses, status, &n))
        v = (long)json_object_get_int64(n);
    json_object_put(st);
    return v;
}

/* ---- typed operations ------------------------------------------------------------------ */

typedef struct chain {
    openrouter_async *a;
    int created, got, updated, deleted, listed, current;
    char hash[80];
    openrouter_get_key_request get;
    openrouter_update_key_request update;
    openrouter_delete_key_request del;
} chain;

static void on_deleted(void *ctx, openrouter_async_call *call, int status, openrouter_delete_key_response *r,
                       openrouter_error *error)
{
    (void)call;
    (void)error;
    chain *ch = ctx;
    CU_ASSERT_EQUAL(status, OPENROUTER_OK);
    CU_ASSERT(r && r->deleted.state == OPENROUTER_PRESENT && r->deleted.value);
    ch->deleted++;
    openrouter_delete_key_response_free(r);
}

static void on_updated(void *ctx, openrouter_async_call *call, int status, openrouter_key_response *r,
                       openrouter_error *error)
{
    (void)call;
    (void)error;
    chain *ch = ctx;
    CU_ASSERT_EQUAL(status, OPENROUTER_OK);
    CU_ASSERT(r && r->data.value.limit.value == 7);
    ch->updated++;
    openrouter_key_response_free(r);
    ch->del.hash = ch->hash;
    CU_ASSERT_EQUAL(openrouter_delete_key_start(ch->a, &ch->del, NULL, on_deleted, ch, NULL, NULL), OPENROUTER_OK);
}

static void on_got(void *ctx, openrouter_async_call *call, int status, openrouter_key_response *r,
                   openrouter_error *error)
{
    (void)call;
    (void)error;
    chain *ch = ctx;
    CU_ASSERT_EQUAL(status, OPENROUTER_OK);
    CU_ASSERT(r && strcmp(r->data.value.name.value, "async-typed") == 0);
    ch->got++;
    openrouter_key_response_free(r);
    ch->update.hash = ch->hash;
    ch->update.body.limit = OPENROUTER_NUMBER(7);
    CU_ASSERT_EQUAL(openrouter_update_key_start(ch->a, &ch->update, NULL, on_updated, ch, NULL, NULL),
                    OPENROUTER_OK);
}

static void on_created(void *ctx, openrouter_async_call *call, int status, openrouter_created_key *r,
                       openrouter_error *error)
{
    (void)call;
    (void)error;
    chain *ch = ctx;
    CU_ASSERT_EQUAL_FATAL(status, OPENROUTER_OK);
    CU_ASSERT(r->key.state == OPENROUTER_PRESENT && strncmp(r->key.value, "sk-or-v1-", 9) == 0);
    snprintf(ch->hash, sizeof ch->hash, "%s", r->data.value.hash.value);
    ch->created++;
    openrouter_created_key_free(r);
    /* Started from inside a callback: the request can be the callback's. */
    ch->get.hash = ch->hash;
    CU_ASSERT_EQUAL(openrouter_get_key_start(ch->a, &ch->get, NULL, on_got, ch, NULL, NULL), OPENROUTER_OK);
}

static void on_listed(void *ctx, openrouter_async_call *call, int status, openrouter_key_list *r,
                      openrouter_error *error)
{
    (void)call;
    (void)error;
    chain *ch = ctx;
    CU_ASSERT_EQUAL(status, OPENROUTER_OK);
    CU_ASSERT(r && r->data.count >= 5); /* the create may come first */
    ch->listed++;
    openrouter_key_list_free(r);
}

static void on_current(void *ctx, openrouter_async_call *call, int status, openrouter_current_key_response *r,
                       openrouter_error *error)
{
    (void)call;
    (void)error;
    chain *ch = ctx;
    CU_ASSERT_EQUAL(status, OPENROUTER_OK);
    CU_ASSERT_PTR_NOT_NULL(r);
    ch->current++;
    openrouter_current_key_response_free(r);
}

static void test_typed_operations(void)
{
    reset(5);
    openrouter_client *c = make_client(NULL, NULL);
    openrouter_async *a = or_test_async(c, 0);
    chain ch;
    memset(&ch, 0, sizeof ch);
    ch.a = a;
    openrouter_create_key_request *create = calloc(1, sizeof *create);
    create->body.name = OPENROUTER_STRING("async-typed");
    openrouter_async_call *call = NULL;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    CU_ASSERT_EQUAL(openrouter_create_key_start(a, create, NULL, on_created, &ch, &call, &err), OPENROUTER_OK);
    CU_ASSERT_PTR_NOT_NULL(call);
    free(create); /* built at start: not needed any more */
    CU_ASSERT_EQUAL(openrouter_list_keys_start(a, NULL, NULL, on_listed, &ch, NULL, &err), OPENROUTER_OK);
    CU_ASSERT_EQUAL(openrouter_get_current_key_metadata_start(a, NULL, NULL, on_current, &ch, NULL, &err),
                    OPENROUTER_OK);
    CU_ASSERT_EQUAL(openrouter_async_pending(a), 3);
    CU_ASSERT_EQUAL(ch.created + ch.listed + ch.current, 0); /* nothing runs inside start */
    CU_ASSERT_EQUAL(openrouter_async_run(a, 30000), 0);
    CU_ASSERT_EQUAL(openrouter_async_pending(a), 0);
    CU_ASSERT_EQUAL(ch.created, 1);
    CU_ASSERT_EQUAL(ch.got, 1);
    CU_ASSERT_EQUAL(ch.updated, 1);
    CU_ASSERT_EQUAL(ch.deleted, 1);
    CU_ASSERT_EQUAL(ch.listed, 1);
    CU_ASSERT_EQUAL(ch.current, 1);
    CU_ASSERT_EQUAL(stub_count_keys(&srv), 5);
    openrouter_async_free(a);
    openrouter_client_free(c);
}

/* ---- errors at start ------------------------------------------------------------------------ */

static int never_calls;
static void never(void *ctx, openrouter_async_call *call, int status, void *result, openrouter_error *error)
{
    (void)ctx, (void)call, (void)status, (void)result, (void)error;
    never_calls++;
}

static void test_start_errors(void)
{
    reset(0);
    openrouter_client *c = make_client(NULL, NULL);
    openrouter_async *a = or_test_async(c, 0);
    openrouter_error err = OPENROUTER_ERROR_INIT;
    openrouter_async_call *call = (openrouter_async_call *)&err; /* set to NULL on failure */
    openrouter_get_key_request get = OPENROUTER_GET_KEY_REQUEST_INIT;
    never_calls = 0;

    CU_ASSERT_EQUAL(openrouter_get_key_start(a, &get, NULL, (openrouter_get_key_done_fn)NULL, NULL, &call, &err),
                    OPENROUTER_EINVAL);
    CU_ASSERT_PTR_NULL(call);
    CU_ASSERT_STRING_EQUAL(err.field, "done");
    CU_ASSERT_EQUAL(openrouter_async_start(a, &openrouter_get_key_operation, &get, NULL, never, NULL, &call, &err),
                    OPENROUTER_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "getKey"));
    CU_ASSERT_EQUAL(openrouter_async_start(NULL, &openrouter_get_key_operation, &get, NULL, never, NULL, NULL, &err),
                    OPENROUTER_EINVAL);
    openrouter_call_options bad = OPENROUTER_CALL_OPTIONS_INIT;
    bad.timeout_ms = -5;
    CU_ASSERT_EQUAL(openrouter_async_start(a, &openrouter_list_keys_operation, NULL, &bad, never, NULL, NULL, &err),
                    OPENROUTER_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.field, "options.timeout_ms");
    CU_ASSERT_EQUAL(openrouter_async_pending(a), 0);
    CU_ASSERT_EQUAL(openrouter_async_run(a, 0), 0);
    CU_ASSERT_EQUAL(never_calls, 0);
    CU_ASSERT_EQUAL(stub_stat(&srv, "requests"), 0);

    /* Handles: options checked, each mode's driver only. */
    openrouter_async *b = NULL;
    openrouter_async_options o = OPENROUTER_ASYNC_OPTIONS_INIT;
    o.version = 99;
    CU_ASSERT_EQUAL(openrouter_async_new(&b, c, &o, &err), OPENROUTER_EINVAL);
    CU_ASSERT_PTR_NULL(b);
    or_test_loop loop;
    or_test_loop_init(&loop);
    o = or_test_loop_options(&loop);
    o.timer_fn = NULL;
    CU_ASSERT_EQUAL(openrouter_async_new(&b, c, &o, &err), OPENROUTER_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.field, "timer_fn");
    CU_ASSERT_EQUAL(openrouter_async_new(&b, NULL, NULL, &err), OPENROUTER_EINVAL);
    o = or_test_loop_options(&loop);
    CU_ASSERT_EQUAL_FATAL(openrouter_async_new(&b, c, &o, &err), OPENROUTER_OK);
    CU_ASSERT_EQUAL(openrouter_async_run(b, 0), OPENROUTER_EINVAL);
    CU_ASSERT_EQUAL(openrouter_async_action(a, OPENROUTER_ASYNC_TIMEOUT, 0), OPENROUTER_EINVAL);
    CU_ASSERT_EQUAL(openrouter_async_assign(a, 0, NULL), OPENROUTER_EINVAL);
    CU_ASSERT_EQUAL(openrouter_async_wakeup(a, 0x80u), OPENROUTER_EINVAL);
    CU_ASSERT_EQUAL(openrouter_async_wakeup(NULL, 0), OPENROUTER_EINVAL);
    CU_ASSERT_EQUAL(openrouter_async_cancel(NULL), OPENROUTER_EINVAL);
    openrouter_async_free(b);
    openrouter_async_free(NULL);
    openrouter_error_clear(&err);
    openrouter_async_free(a);
    openrouter_client_free(c);
}

/* ---- what a callback may do --------------------------------------------------------------- */

typedef struct inside {
    openrouter_async *a;
    openrouter_async_call *self;
    int run_rc, action_rc, cancel_self_rc, calls, cancelled, ok;
    int free_it;
} inside;

static void inside_done(void *ctx, openrouter_async_call *call, int status, void *result, openrouter_error *error)
{
    (void)error;
    inside *in = ctx;
    in->calls++;
    openrouter_model_free(result);
    if (status == OPENROUTER_ECANCELED) {
        in->cancelled++;
        return;
    }
    in->ok += status == OPENROUTER_OK;
    in->run_rc = openrouter_async_run(in->a, 0);
    in->action_rc = openrouter_async_action(in->a, OPENROUTER_ASYNC_TIMEOUT, 0);
    in->cancel_self_rc = openrouter_async_cancel(call);
    if (in->free_it)
        openrouter_async_free(in->a); /* freed when run() returns */
}

static void test_callback_rules(void)
{
    reset(0);
    openrouter_client *c = make_client(NULL, NULL);
    openrouter_async *a = or_test_async(c, 1);
    inside in;
    memset(&in, 0, sizeof in);
    in.a = a;
    CU_ASSERT_EQUAL(openrouter_async_start(a, &openrouter_list_keys_operation, NULL, NULL, inside_done, &in, NULL,
                                           NULL),
                    OPENROUTER_OK);
    CU_ASSERT_EQUAL(openrouter_async_run(a, 30000), 0);
    CU_ASSERT_EQUAL(in.calls, 1);
    CU_ASSERT_EQUAL(in.run_rc, OPENROUTER_EINVAL);
    CU_ASSERT_EQUAL(in.action_rc, OPENROUTER_EINVAL);
    CU_ASSERT_EQUAL(in.cancel_self_rc, OPENROUTER_EINVAL); /* it has finished */

    /* Freeing the handle from a callback: the calls still pending (queued
     * behind the cap of 1) complete as cancelled before run() returns. */
    in.free_it = 1;
    in.calls = 0;
    for (int i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(openrouter_async_start(a, &openrouter_list_keys_operation, NULL, NULL, inside_done, &in,
                                               NULL, NULL),
                        OPENROUTER_OK);
    CU_ASSERT_EQUAL(openrouter_async_run(a, 30000), 0);
    CU_ASSERT_EQUAL(in.calls, 3);
    CU_ASSERT_EQUAL(in.ok, 2);
    CU_ASSERT_EQUAL(in.cancelled, 2);
    openrouter_client_free(c);
}

/* Freeing a handle with calls pending runs their callbacks, cancelled. */
static void test_free_with_calls_pending(void)
{
    reset(0);
    CU_ASSERT_EQUAL(stub_add_faults(&srv, "{\"faults\":[{\"delay_ms\":6000}]}"), 0);
    openrouter_client *c = make_client(NULL, NULL);
    openrouter_async *a = or_test_async(c, 1);
    or_test_done d[3] = {OR_TEST_DONE_INIT, OR_TEST_DONE_INIT, OR_TEST_DONE_INIT};
    for (int i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(openrouter_async_start(a, &openrouter_list_keys_operation, NULL, NULL, or_test_done_fn,
                                               &d[i], NULL, NULL),
                        OPENROUTER_OK);
    CU_ASSERT_EQUAL(openrouter_async_run(a, 200), 3);
    int64_t t0 = or_test_now_ms();
    openrouter_async_free(a);
    CU_ASSERT(or_test_now_ms() - t0 < 3000); /* not waiting for the server */
    for (int i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL(d[i].calls, 1);
        CU_ASSERT_EQUAL(d[i].rc, OPENROUTER_ECANCELED);
        or_test_done_clear(&d[i]);
    }
    openrouter_client_free(c);
}

/* ---- the cap, the queue and connections ------------------------------------------------- */

static void test_cap_and_queue(void)
{
    /* Requests an earlier test left behind (stalled, cancelled) finish
     * first: they would count as being answered at the same time. */
    for (int i = 0; i < 300 && stub_stat(&srv, "active") != 0; i++)
        or_test_sleep_ms(50);
    reset(0);
    /* Long enough that 8 overlap at the server however loaded the machine. */
    CU_ASSERT_EQUAL(stub_add_faults(&srv, "{\"faults\":[{\"delay_ms\":250,\"times\":24}]}"), 0);
    hooks h;
    memset(&h, 0, sizeof h);
    openrouter_client *c = make_client(NULL, &h);
    openrouter_async *a = or_test_async(c, 8);
    int counter = 0;
    or_test_done d[24];
    for (int i = 0; i < 24; i++) {
        or_test_done fresh = OR_TEST_DONE_INIT;
        d[i] = fresh;
        d[i].counter = &counter;
        CU_ASSERT_EQUAL(openrouter_async_start(a, &openrouter_get_current_key_metadata_operation, NULL, NULL,
                                               or_test_done_fn, &d[i], NULL, NULL),
                        OPENROUTER_OK);
    }
    CU_ASSERT_EQUAL(openrouter_async_run(a, 30000), 0);
    for (int i = 0; i < 24; i++) {
        CU_ASSERT_EQUAL(d[i].calls, 1);
        CU_ASSERT_EQUAL(d[i].rc, OPENROUTER_OK);
        or_test_done_clear(&d[i]);
    }
    /* The cap is reached and never exceeded, seen from both ends. */
    CU_ASSERT_EQUAL(h.max_in_flight, 8);
    CU_ASSERT_EQUAL(stub_stat(&srv, "max_concurrent"), 8);
    CU_ASSERT_EQUAL(stub_stat(&srv, "requests"), 24);
    CU_ASSERT(stub_stat(&srv, "api_connections") <= 8);
    openrouter_async_free(a);
    openrouter_client_free(c);
}

/* The connection_id of every request the server logged with `method`. */
static int request_connections(const char *method, long *ids, int max)
{
    json_object *log = stub_requests(&srv), *reqs = NULL;
    int n = 0;
    if (log && json_object_object_get_ex(log, "requests", &reqs)) {
        for (size_t i = 0; i < json_object_array_length(reqs) && n < max; i++) {
            json_object *r = json_object_array_get_idx(reqs, i), *m = NULL, *id = NULL;
            if (json_object_object_get_ex(r, "method", &m) && strcmp(json_object_get_string(m), method) == 0 &&
                json_object_object_get_ex(r, "connection_id", &id))
                ids[n++] = (long)json_object_get_int64(id);
        }
    }
    json_object_put(log);
    return n;
}

static void start_creates(openrouter_async *a, openrouter_create_key_request *req, or_test_done *d, int n)
{
    for (int i = 0; i < n; i++) {
        req[i].body.name = OPENROUTER_STRING("fresh");
        CU_ASSERT_EQUAL(openrouter_async_start(a, &openrouter_create_key_operation, &req[i], NULL, or_test_done_fn,
                                               &d[i], NULL, NULL),
                        OPENROUTER_OK);
    }
}

static void test_connection_reuse_and_fresh_posts(void)
{
    reset(0);
    openrouter_client *c = make_client(NULL, NULL);
    openrouter_async *a = or_test_async(c, 4);
    or_test_done d[100];
    for (int i = 0; i < 100; i++) {
        or_test_done fresh = OR_TEST_DONE_INIT;
        d[i] = fresh;
        CU_ASSERT_EQUAL(openrouter_async_start(a, &openrouter_list_keys_operation, NULL, NULL, or_test_done_fn,
                                               &d[i], NULL, NULL),
                        OPENROUTER_OK);
    }
    CU_ASSERT_EQUAL(openrouter_async_run(a, 30000), 0);
    long gets = stub_stat(&srv, "api_connections");
    CU_ASSERT(gets >= 1 && gets <= 4); /* 100 calls over at most 4 connections */
    for (int i = 0; i < 100; i++) {
        CU_ASSERT_EQUAL(d[i].rc, OPENROUTER_OK);
        or_test_done_clear(&d[i]);
    }
    /* A POST never reuses a connection: each of 8 creates gets its own. */
    openrouter_create_key_request req[8];
    memset(req, 0, sizeof req);
    for (int i = 0; i < 8; i++) {
        or_test_done fresh = OR_TEST_DONE_INIT;
        d[i] = fresh;
    }
    start_creates(a, req, d, 8);
    CU_ASSERT_EQUAL(openrouter_async_run(a, 30000), 0);
    long ids[8];
    CU_ASSERT_EQUAL_FATAL(request_connections("POST", ids, 8), 8);
    for (int i = 0; i < 8; i++) {
        CU_ASSERT_EQUAL(d[i].rc, OPENROUTER_OK);
        or_test_done_clear(&d[i]);
        for (int j = 0; j < i; j++)
            CU_ASSERT_NOT_EQUAL(ids[i], ids[j]);
    }
    CU_ASSERT_EQUAL(stub_stat(&srv, "api_connections"), gets + 8);
    openrouter_async_free(a);
    openrouter_client_free(c);
}

/* Each completion starts two more calls, so sockets open while ready ones
 * are being stepped: run mode's socket table grows under its own loop
 * (under ASan and valgrind a stale pointer into it shows). */
typedef struct fan_out {
    openrouter_async *a;
    int started, completed, failed, limit;
} fan_out;

static void fan_out_done(void *ctx, openrouter_async_call *call, int status, void *result, openrouter_error *error)
{
    (void)call;
    (void)error;
    fan_out *f = ctx;
    f->completed++;
    f->failed += status != OPENROUTER_OK;
    openrouter_model_free(result);
    for (int i = 0; i < 2 && f->started < f->limit; i++) {
        f->started++;
        if (openrouter_async_start(f->a, &openrouter_list_keys_operation, NULL, NULL, fan_out_done, f, NULL,
                                   NULL) != OPENROUTER_OK)
            f->failed++;
    }
}

static void test_socket_table_grows_mid_step(void)
{
    reset(0);
    openrouter_client *c = make_client(NULL, NULL);
    fan_out f = {or_test_async(c, 48), 2, 0, 0, 200};
    for (int i = 0; i < 2; i++)
        CU_ASSERT_EQUAL(openrouter_async_start(f.a, &openrouter_list_keys_operation, NULL, NULL, fan_out_done, &f,
                                               NULL, NULL),
                        OPENROUTER_OK);
    CU_ASSERT_EQUAL(openrouter_async_run(f.a, 30000), 0);
    CU_ASSERT_EQUAL(f.started, 200);
    CU_ASSERT_EQUAL(f.completed, 200);
    CU_ASSERT_EQUAL(f.failed, 0);
    CU_ASSERT(stub_stat(&srv, "api_connections") > 16); /* more sockets than the table's first size */
    openrouter_async_free(f.a);
    openrouter_client_free(c);
}

/* openrouter_async_run(a, 0) is one step without waiting, sockets
 * included: a caller polling with it sees its call complete. */
static void test_run_zero_polls_the_sockets(void)
{
    reset(0);
    openrouter_client *c = make_client(NULL, NULL);
    openrouter_async *a = or_test_async(c, 4);
    or_test_done d = OR_TEST_DONE_INIT;
    CU_ASSERT_EQUAL(openrouter_async_start(a, &openrouter_list_keys_operation, NULL, NULL, or_test_done_fn, &d,
                                           NULL, NULL),
                    OPENROUTER_OK);
    int64_t until = or_test_now_ms() + 10000;
    int passes = 0;
    while (openrouter_async_run(a, 0) > 0 && or_test_now_ms() < until) {
        passes++;
        or_test_sleep_ms(1);
    }
    CU_ASSERT_EQUAL(d.calls, 1);
    CU_ASSERT_EQUAL(d.rc, OPENROUTER_OK);
    CU_ASSERT(passes < 2000);
    or_test_done_clear(&d);
    openrouter_async_free(a);
    openrouter_client_free(c);
}

/* ---- back-pressure ------------------------------------------------------------------------ */

/* The server rate-limits for a second; 4 in flight get 429 and everything
 * behind them waits the Retry-After out instead of getting 429 in turn. */
static void test_backpressure(void)
{
    reset(0);
    CU_ASSERT_EQUAL(stub_add_faults(&srv, "{\"faults\":[{\"status\":429,\"headers\":{\"Retry-After\":\"1\"},"
                                          "\"window_ms\":1000}]}"),
                    0);
    openrouter_client *c = make_client(NULL, NULL);
    openrouter_async *a = or_test_async(c, 4);
    or_test_done d[40];
    int64_t t0 = or_test_now_ms();
    for (int i = 0; i < 40; i++) {
        or_test_done fresh = OR_TEST_DONE_INIT;
        d[i] = fresh;
        CU_ASSERT_EQUAL(openrouter_async_start(a, &openrouter_list_keys_operation, NULL, NULL, or_test_done_fn,
                                               &d[i], NULL, NULL),
                        OPENROUTER_OK);
    }
    CU_ASSERT_EQUAL(openrouter_async_run(a, 30000), 0);
    for (int i = 0; i < 40; i++) {
        CU_ASSERT_EQUAL(d[i].rc, OPENROUTER_OK);
        or_test_done_clear(&d[i]);
    }
    long n429 = status_count("429");
    fprintf(stderr, "\n  back-pressure: %ld responses 429 for 40 calls, 4 in flight\n", n429);
    CU_ASSERT(n429 >= 1 && n429 <= 4);
    CU_ASSERT_EQUAL(status_count("200"), 40);
    CU_ASSERT(or_test_now_ms() - t0 >= 1000);
    openrouter_async_free(a);
    openrouter_client_free(c);
}

/* On the injected clock: one call in flight gets 429 with Retry-After 30;
 * its retry and the two calls queued behind it all start at 30 s. */
static void test_backpressure_injected_clock(void)
{
    reset(0);
    CU_ASSERT_EQUAL(stub_add_faults(&srv, "{\"faults\":[{\"status\":429,\"headers\":{\"Retry-After\":\"30\"}}]}"),
                    0);
    hooks h;
    memset(&h, 0, sizeof h);
    openrouter_client *c = make_client(&tc.clock, &h);
    openrouter_async *a = or_test_async(c, 1);
    or_test_done d[3] = {OR_TEST_DONE_INIT, OR_TEST_DONE_INIT, OR_TEST_DONE_INIT};
    for (int i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(openrouter_async_start(a, &openrouter_list_keys_operation, NULL, NULL, or_test_done_fn,
                                               &d[i], NULL, NULL),
                        OPENROUTER_OK);
    CU_ASSERT_EQUAL(openrouter_async_run(a, 30000), 0);
    for (int i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL(d[i].rc, OPENROUTER_OK);
        or_test_done_clear(&d[i]);
    }
    CU_ASSERT_EQUAL(tc.n_waits, 1);
    CU_ASSERT_EQUAL(tc.waits[0], 30000);
    CU_ASSERT_EQUAL(status_count("429"), 1);
    CU_ASSERT_EQUAL(stub_stat(&srv, "requests"), 4);
    CU_ASSERT_EQUAL_FATAL(h.n_before, 4);
    CU_ASSERT_EQUAL(h.before_at[0], 0);
    for (int i = 1; i < 4; i++)
        CU_ASSERT(h.before_at[i] >= 30000);
    openrouter_async_free(a);
    openrouter_client_free(c);
}

/* ---- timers on the injected clock --------------------------------------------------------- */

static void timers_in_mode(int socket_mode)
{
    reset(0);
    CU_ASSERT_EQUAL(stub_add_faults(&srv, "{\"faults\":[{\"status\":503,\"headers\":{\"Retry-After\":\"20\"},"
                                          "\"times\":2}]}"),
                    0);
    openrouter_client *c = make_client(&tc.clock, NULL);
    or_test_loop loop;
    or_test_loop_init(&loop);
    or_test_loop_use_clock(&loop, &tc);
    openrouter_async_options o = OPENROUTER_ASYNC_OPTIONS_INIT;
    if (socket_mode)
        o = or_test_loop_options(&loop);
    openrouter_async *a = NULL;
    CU_ASSERT_EQUAL_FATAL(openrouter_async_new(&a, c, &o, NULL), OPENROUTER_OK);
    or_test_done d = OR_TEST_DONE_INIT;
    int64_t t0 = or_test_now_ms();
    CU_ASSERT_EQUAL(openrouter_async_start(a, &openrouter_list_keys_operation, NULL, NULL, or_test_done_fn, &d,
                                           NULL, NULL),
                    OPENROUTER_OK);
    int left = socket_mode ? or_test_loop_run(&loop, a, 30000) : openrouter_async_run(a, 30000);
    CU_ASSERT_EQUAL(left, 0);
    CU_ASSERT_EQUAL(d.rc, OPENROUTER_OK);
    CU_ASSERT_EQUAL(tc.n_waits, 2);
    CU_ASSERT_EQUAL(tc.waits[0], 20000);
    CU_ASSERT_EQUAL(tc.waits[1], 20000);
    CU_ASSERT_EQUAL(tc.now, 40000);
    CU_ASSERT(or_test_now_ms() - t0 < 5000); /* 40 s of waits took no real time */
    CU_ASSERT_EQUAL(stub_stat(&srv, "requests"), 3);
    if (socket_mode)
        CU_ASSERT(loop.timer_calls >= 3);
    or_test_done_clear(&d);
    openrouter_async_free(a);
    openrouter_client_free(c);
}

static void test_timers_on_injected_clock(void)
{
    timers_in_mode(0);
    timers_in_mode(1);
}

/* ---- the hooks see what they see for a blocking call ---------------------------------------- */

static void test_same_hooks_as_blocking(void)
{
    static hooks blocking, nonblocking;
    const char *faults = "{\"faults\":[{\"status\":503,\"times\":1}]}";
    memset(&blocking, 0, sizeof blocking);
    memset(&nonblocking, 0, sizeof nonblocking);

    reset(2);
    CU_ASSERT_EQUAL(stub_add_faults(&srv, faults), 0);
    openrouter_client *c = make_client(&tc.clock, &blocking);
    openrouter_key_list *list = NULL;
    CU_ASSERT_EQUAL(openrouter_list_keys(c, NULL, &list, NULL, NULL), OPENROUTER_OK);
    openrouter_key_list_free(list);
    openrouter_client_free(c);

    reset(2);
    CU_ASSERT_EQUAL(stub_add_faults(&srv, faults), 0);
    c = make_client(&tc.clock, &nonblocking);
    openrouter_async *a = or_test_async(c, 0);
    or_test_done d = OR_TEST_DONE_INIT;
    CU_ASSERT_EQUAL(openrouter_async_start(a, &openrouter_list_keys_operation, NULL, NULL, or_test_done_fn, &d,
                                           NULL, NULL),
                    OPENROUTER_OK);
    CU_ASSERT_EQUAL(openrouter_async_run(a, 30000), 0);
    CU_ASSERT_EQUAL(d.rc, OPENROUTER_OK);
    or_test_done_clear(&d);
    openrouter_async_free(a);
    openrouter_client_free(c);

    CU_ASSERT(blocking.n >= 6); /* 2 attempts x (trace before/after + debug log) + warn + info */
    CU_ASSERT_EQUAL(nonblocking.n, blocking.n);
    for (int i = 0; i < blocking.n && i < nonblocking.n; i++) {
        CU_ASSERT_STRING_EQUAL(nonblocking.lines[i], blocking.lines[i]);
        if (strcmp(nonblocking.lines[i], blocking.lines[i]) != 0)
            fprintf(stderr, "\n  line %d: blocking \"%s\", non-blocking \"%s\"\n", i, blocking.lines[i],
                    nonblocking.lines[i]);
    }
}

/* ---- socket mode --------------------------------------------------------------------------- */

typedef struct assigning {
    or_test_loop loop;
    openrouter_async *a;
    int marks, seen_marked, wrong;
    char marker[4];
} assigning;

/* Attaches a marker to each new socket and checks it comes back. */
static int assigning_socket(void *ctx, int fd, int what, void *socket_data)
{
    assigning *s = ctx;
    openrouter_async_options o = or_test_loop_options(&s->loop);
    if (socket_data) {
        s->seen_marked++;
        s->wrong += socket_data != (void *)s->marker;
    } else if (!(what & OPENROUTER_ASYNC_REMOVE)) {
        s->wrong += openrouter_async_assign(s->a, fd, s->marker) != OPENROUTER_OK;
        s->marks++;
    }
    return o.socket_fn(&s->loop, fd, what, socket_data);
}

static void assigning_timer(void *ctx, long ms)
{
    assigning *s = ctx;
    openrouter_async_options o = or_test_loop_options(&s->loop);
    o.timer_fn(&s->loop, ms);
}

static void test_socket_mode(void)
{
    reset(3);
    openrouter_client *c = make_client(NULL, NULL);
    assigning s;
    memset(&s, 0, sizeof s);
    or_test_loop_init(&s.loop);
    openrouter_async_options o = OPENROUTER_ASYNC_OPTIONS_INIT;
    o.socket_fn = assigning_socket;
    o.timer_fn = assigning_timer;
    o.loop_ctx = &s;
    o.max_in_flight = 4;
    CU_ASSERT_EQUAL_FATAL(openrouter_async_new(&s.a, c, &o, NULL), OPENROUTER_OK);
    or_test_done d[12];
    for (int i = 0; i < 12; i++) {
        or_test_done fresh = OR_TEST_DONE_INIT;
        d[i] = fresh;
        CU_ASSERT_EQUAL(openrouter_async_start(s.a, &openrouter_list_keys_operation, NULL, NULL, or_test_done_fn,
                                               &d[i], NULL, NULL),
                        OPENROUTER_OK);
    }
    /* Starting asked for the timer at once, and nothing else ran. */
    CU_ASSERT_EQUAL(s.loop.timer_ms, 0);
    CU_ASSERT_EQUAL(s.loop.socket_calls, 0);
    CU_ASSERT_EQUAL(or_test_loop_run(&s.loop, s.a, 30000), 0);
    for (int i = 0; i < 12; i++) {
        CU_ASSERT_EQUAL(d[i].calls, 1);
        CU_ASSERT_EQUAL(d[i].rc, OPENROUTER_OK);
        or_test_done_clear(&d[i]);
    }
    CU_ASSERT(s.loop.max_fds >= 1 && s.loop.max_fds <= 4);
    CU_ASSERT(s.marks >= 1);
    CU_ASSERT(s.seen_marked >= 1);
    CU_ASSERT_EQUAL(s.wrong, 0);
    CU_ASSERT_EQUAL(s.loop.timer_ms, -1); /* idle: the timer was disarmed */
    openrouter_async_free(s.a);
    openrouter_client_free(c);
}

static int suite_init(void)
{
    return stub_start(&srv, 0);
}

static int suite_clean(void)
{
    stub_stop(&srv);
    return 0;
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("async", suite_init, suite_clean);
    CU_add_test(s, "typed *_start for every operation, chained from callbacks", test_typed_operations);
    CU_add_test(s, "errors at start: no callback, nothing sent", test_start_errors);
    CU_add_test(s, "run mode: the socket table grows while sockets are stepped", test_socket_table_grows_mid_step);
    CU_add_test(s, "run mode: run(a, 0) looks at the sockets", test_run_zero_polls_the_sockets);
    CU_add_test(s, "inside a callback: no run, no self-cancel, free deferred", test_callback_rules);
    CU_add_test(s, "free with calls pending cancels them", test_free_with_calls_pending);
    CU_add_test(s, "the cap: reached, never exceeded, the rest queued", test_cap_and_queue);
    CU_add_test(s, "connections reused; a POST on a fresh one", test_connection_reuse_and_fresh_posts);
    CU_add_test(s, "shared back-pressure: a 429 window costs at most the calls in flight", test_backpressure);
    CU_add_test(s, "shared back-pressure on the injected clock", test_backpressure_injected_clock);
    CU_add_test(s, "retry timers on the injected clock, no real sleep", test_timers_on_injected_clock);
    CU_add_test(s, "trace and log lines as for the blocking call", test_same_hooks_as_blocking);
    CU_add_test(s, "socket mode: sockets, assign, timer", test_socket_mode);
    return or_test_run();
}
