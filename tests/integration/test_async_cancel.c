/* Cancelling a non-blocking call at every stage: queued, connecting,
 * sending, receiving and waiting to retry; cancel_all; socket mode's timer
 * after a cancel. Each stage is reached for real (a listener whose accept
 * queue is full, a server that stops reading, one that pauses mid-body, a
 * Retry-After) and checked on the call's own libcurl handle before the
 * cancel. The callback runs once, never inside cancel, with
 * OPENROUTER_ECANCELED and request_may_have_been_processed set exactly
 * when a non-idempotent request may have reached the server. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include <openrouter/openrouter.h>

#include "async_impl.h"
#include "async_test.h"
#include "stub_server.h"
#include "test_util.h"

static stub_server srv;


/* How long the server stalls a call: long enough that a cancel visibly
 * does not wait for it, also under valgrind on a loaded machine. */
static long stall_ms(void)
{
    return or_test_under_valgrind() ? 12000 : 4000;
}

/* A fault object with one stall, e.g. {"faults":[{"pause_mid_body_ms":4000}]}. */
static const char *stall_fault(const char *key)
{
    static char json[96];
    snprintf(json, sizeof json, "{\"faults\":[{\"%s\":%ld}]}", key, stall_ms());
    return json;
}

/* ---- where a call is, from its own easy handle ------------------------------------------- */

enum stage { ST_QUEUED, ST_CONNECTING, ST_SENDING, ST_RECEIVING, ST_WAITING };
static const char *const stage_names[] = {"queued", "connecting", "sending", "receiving", "waiting to retry"};

static curl_off_t info_off(CURL *h, CURLINFO what)
{
    curl_off_t v = -1;
    curl_easy_getinfo(h, what, &v);
    return v;
}

static int in_stage(openrouter_async_call *k, int stage)
{
    if (stage == ST_QUEUED)
        return k->state == OR_ASYNC_QUEUED;
    if (stage == ST_WAITING)
        return k->state == OR_ASYNC_WAITING;
    if (k->state != OR_ASYNC_RUNNING)
        return 0;
    CURL *h = k->xfer->http.curl;
    long request_size = -1;
    curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &request_size);
    if (stage == ST_CONNECTING)
        return request_size == 0 && info_off(h, CURLINFO_CONNECT_TIME_T) == 0;
    if (stage == ST_SENDING)
        return info_off(h, CURLINFO_SIZE_UPLOAD_T) > 0 && info_off(h, CURLINFO_SIZE_DOWNLOAD_T) == 0;
    return info_off(h, CURLINFO_SIZE_DOWNLOAD_T) > 0;
}

/* Drives `a` until `k` is in `stage` (and stays there a little while). */
static void drive_to(openrouter_async *a, openrouter_async_call *k, int stage)
{
    int64_t until = or_test_now_ms() + stall_ms() * 3 / 4;
    while (!in_stage(k, stage) && or_test_now_ms() < until)
        openrouter_async_run(a, 20);
    openrouter_async_run(a, 100);
    CU_ASSERT(in_stage(k, stage));
    if (!in_stage(k, stage))
        fprintf(stderr, "\n  the call never got to the stage \"%s\"\n", stage_names[stage]);
}

/* Cancels `k`, checks its callback runs at the next step, not inside. */
static void cancel_and_finish(openrouter_async *a, openrouter_async_call *k, or_test_done *d)
{
    int64_t t0 = or_test_now_ms();
    CU_ASSERT_EQUAL(openrouter_async_cancel(k), OPENROUTER_OK);
    CU_ASSERT_EQUAL(d->calls, 0);
    openrouter_async_run(a, 2000);
    CU_ASSERT(or_test_now_ms() - t0 < stall_ms() / 2); /* not waiting for the server */
    CU_ASSERT_EQUAL(d->calls, 1);
    CU_ASSERT_EQUAL(d->rc, OPENROUTER_ECANCELED);
    CU_ASSERT_EQUAL(d->err.kind, OPENROUTER_ECANCELED);
    CU_ASSERT_PTR_NULL(d->result);
    CU_ASSERT_PTR_NULL(strstr(d->err.message, STUB_MANAGEMENT_KEY));
}

static openrouter_async_call *start(openrouter_async *a, const openrouter_operation_desc *op, const void *req,
                                    const openrouter_call_options *co, or_test_done *d)
{
    openrouter_async_call *k = NULL;
    CU_ASSERT_EQUAL_FATAL(openrouter_async_start(a, op, req, co, or_test_done_fn, d, &k, NULL), OPENROUTER_OK);
    return k;
}

/* A call taken to `stage` and cancelled there; its completion in *d. */
static void cancel_at(openrouter_async *a, const openrouter_operation_desc *op, const void *req,
                      const openrouter_call_options *co, int stage, or_test_done *d)
{
    or_test_done fresh = OR_TEST_DONE_INIT;
    *d = fresh;
    openrouter_async_call *k = start(a, op, req, co, d);
    drive_to(a, k, stage);
    cancel_and_finish(a, k, d);
}

/* The stand-in server with `seed` keys and `faults` queued. */
static void serve(int seed, const char *faults)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, seed), 0);
    CU_ASSERT_EQUAL(stub_add_faults(&srv, faults), 0);
}

static openrouter_create_key_request create_request(const char *name)
{
    openrouter_create_key_request req = OPENROUTER_CREATE_KEY_REQUEST_INIT;
    req.body.name = OPENROUTER_STRING((char *)name);
    return req;
}

/* ---- queued ------------------------------------------------------------------------------- */

static void test_cancel_queued(void)
{
    serve(0, "{\"faults\":[{\"delay_ms\":800}]}");
    openrouter_client *c = or_test_client(srv.base_url, NULL);
    openrouter_async *a = or_test_async(c, 1);
    or_test_done first = OR_TEST_DONE_INIT, queued = OR_TEST_DONE_INIT;
    int counter = 0;
    first.counter = queued.counter = &counter;
    start(a, &openrouter_list_keys_operation, NULL, NULL, &first);
    openrouter_create_key_request req = create_request("never sent");
    openrouter_async_call *k = start(a, &openrouter_create_key_operation, &req, NULL, &queued);
    drive_to(a, k, ST_QUEUED);
    cancel_and_finish(a, k, &queued);
    CU_ASSERT_EQUAL(queued.err.attempts, 0);
    CU_ASSERT_EQUAL(queued.err.request_may_have_been_processed, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(queued.err.message, "createKey: cancelled before it was sent"));
    CU_ASSERT_EQUAL(queued.order, 1); /* before the one in flight, which goes on */
    CU_ASSERT_EQUAL(openrouter_async_run(a, 10000), 0);
    CU_ASSERT_EQUAL(first.order, 2);
    CU_ASSERT_EQUAL(first.rc, OPENROUTER_OK);
    CU_ASSERT_EQUAL(stub_stat(&srv, "requests"), 1);
    CU_ASSERT_EQUAL(stub_count_keys(&srv), 0);
    or_test_done_clear(&first);
    or_test_done_clear(&queued);
    openrouter_async_free(a);
    openrouter_client_free(c);
}

/* ---- connecting --------------------------------------------------------------------------- */

/* A listener whose accept queue is full: the kernel drops further SYNs,
 * so a connection to it stays connecting. */
typedef struct blackhole {
    int listener, filler[2], port;
} blackhole;

static int blackhole_open(blackhole *b)
{
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    b->listener = socket(AF_INET, SOCK_STREAM, 0);
    if (b->listener < 0 || bind(b->listener, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        listen(b->listener, 0) != 0 || getsockname(b->listener, (struct sockaddr *)&addr, &len) != 0)
        return -1;
    b->port = ntohs(addr.sin_port);
    for (int i = 0; i < 2; i++) {
        b->filler[i] = socket(AF_INET, SOCK_STREAM, 0);
        if (b->filler[i] < 0)
            return -1;
        fcntl(b->filler[i], F_SETFL, O_NONBLOCK);
        connect(b->filler[i], (struct sockaddr *)&addr, sizeof addr);
    }
    or_test_sleep_ms(50);
    return 0;
}

static void blackhole_close(blackhole *b)
{
    for (int i = 0; i < 2; i++)
        close(b->filler[i]);
    close(b->listener);
}

static void test_cancel_connecting(void)
{
    blackhole b = {.listener = -1, .filler = {-1, -1}, .port = 0};
    CU_ASSERT_EQUAL_FATAL(blackhole_open(&b), 0);
    char url[96];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/api/v1", b.port);
    openrouter_client *c = or_test_client(url, NULL);
    openrouter_async *a = or_test_async(c, 0);
    or_test_done d;
    openrouter_create_key_request req = create_request("never connected");
    cancel_at(a, &openrouter_create_key_operation, &req, NULL, ST_CONNECTING, &d);
    CU_ASSERT_EQUAL(d.err.attempts, 1);
    CU_ASSERT_EQUAL(d.err.request_may_have_been_processed, 0); /* a POST, but nothing was sent */
    CU_ASSERT_PTR_NOT_NULL(strstr(d.err.message, "createKey: cancelled during attempt 1"));
    CU_ASSERT_EQUAL(openrouter_async_pending(a), 0);
    or_test_done_clear(&d);
    openrouter_async_free(a);
    openrouter_client_free(c);
    blackhole_close(&b);
}

/* ---- sending ------------------------------------------------------------------------------ */

/* POST /keys with a body of any size: createKey's name has a maxLength. */
typedef struct big_body {
    openrouter_string name;
} big_body;
typedef struct big_request {
    big_body body;
} big_request;
static const openrouter_field_desc big_fields[] = {
    {.json_name = "name", .offset = offsetof(big_body, name), .type = &openrouter_string_type_desc,
     .flags = OPENROUTER_F_REQUIRED, .min_length = -1, .max_length = -1}};
static const openrouter_object_desc big_body_desc = {
    .name = "big_body", .size = sizeof(big_body), .n_fields = 1, .fields = big_fields};
static const openrouter_response_desc big_responses[] = {{.status = 201, .body = &openrouter_created_key_desc}};
static const openrouter_operation_desc big_create = {
    .operation_id = "bigCreate", .method = "POST", .path = "/keys", .idempotent = 0,
    .request_size = sizeof(big_request), .body = &big_body_desc, .body_offset = offsetof(big_request, body),
    .body_required = 1, .n_responses = 1, .responses = big_responses};

#define BIG_BODY_BYTES ((size_t)24 << 20) /* more than loopback's socket buffers hold */

static void test_cancel_sending(void)
{
    serve(0, stall_fault("stall_request_ms"));
    openrouter_client *c = or_test_client(srv.base_url, NULL);
    openrouter_async *a = or_test_async(c, 0);
    char *name = malloc(BIG_BODY_BYTES + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(name);
    memset(name, 'x', BIG_BODY_BYTES);
    name[BIG_BODY_BYTES] = '\0';
    big_request req;
    req.body.name = OPENROUTER_STRING(name);
    or_test_done d = OR_TEST_DONE_INIT;
    openrouter_async_call *k = start(a, &big_create, &req, NULL, &d);
    free(name);
    drive_to(a, k, ST_SENDING);
    CU_ASSERT(k->state == OR_ASYNC_RUNNING &&
              info_off(k->xfer->http.curl, CURLINFO_SIZE_UPLOAD_T) < (curl_off_t)BIG_BODY_BYTES);
    cancel_and_finish(a, k, &d);
    CU_ASSERT_EQUAL(d.err.attempts, 1);
    CU_ASSERT_EQUAL(d.err.request_may_have_been_processed, 1); /* part of a POST went out */
    CU_ASSERT_PTR_NOT_NULL(strstr(d.err.message, "bigCreate: cancelled during attempt 1"));
    or_test_done_clear(&d);
    openrouter_async_free(a);
    openrouter_client_free(c);
}

/* ---- receiving ---------------------------------------------------------------------------- */

static void test_cancel_receiving(void)
{
    /* A POST: the server created the key before answering. */
    serve(0, stall_fault("pause_mid_body_ms"));
    openrouter_client *c = or_test_client(srv.base_url, NULL);
    openrouter_async *a = or_test_async(c, 0);
    or_test_done d;
    openrouter_create_key_request req = create_request("half answered");
    cancel_at(a, &openrouter_create_key_operation, &req, NULL, ST_RECEIVING, &d);
    CU_ASSERT_EQUAL(d.err.request_may_have_been_processed, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(d.err.message, "createKey: cancelled during attempt 1"));
    CU_ASSERT_EQUAL(stub_count_keys(&srv), 1); /* hence "may have been processed" */
    or_test_done_clear(&d);

    /* A GET: harmless to repeat, so never "may have been processed". */
    serve(40, stall_fault("pause_mid_body_ms"));
    cancel_at(a, &openrouter_list_keys_operation, NULL, NULL, ST_RECEIVING, &d);
    CU_ASSERT_EQUAL(d.err.request_may_have_been_processed, 0);
    or_test_done_clear(&d);
    openrouter_async_free(a);
    openrouter_client_free(c);
}

/* ---- waiting to retry ---------------------------------------------------------------------- */

static void test_cancel_waiting(void)
{
    serve(0, "{\"faults\":[{\"status\":503,\"headers\":{\"Retry-After\":\"30\"}}]}");
    openrouter_client *c = or_test_client(srv.base_url, NULL);
    openrouter_async *a = or_test_async(c, 0);
    or_test_done d;
    cancel_at(a, &openrouter_list_keys_operation, NULL, NULL, ST_WAITING, &d);
    CU_ASSERT_EQUAL(d.err.attempts, 1);
    CU_ASSERT_EQUAL(d.err.request_may_have_been_processed, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(d.err.message, "listKeys: cancelled while waiting to retry (attempt 1: HTTP 503)"));
    CU_ASSERT_EQUAL(d.err.http_status, 503);
    CU_ASSERT_EQUAL(d.err.retry_after_ms, 30000);
    CU_ASSERT_EQUAL(stub_stat(&srv, "requests"), 1);
    or_test_done_clear(&d);

    /* A POST the caller let retry after a 500: that 500 may have created
     * the key, and the cancel says so. (A new handle: the 503's Retry-After
     * holds every call of the first one back.) */
    openrouter_async_free(a);
    a = or_test_async(c, 0);
    CU_ASSERT_EQUAL(stub_add_faults(&srv, "{\"faults\":[{\"status\":500,\"apply_then\":true,"
                                          "\"headers\":{\"Retry-After\":\"30\"}}]}"),
                    0);
    openrouter_retry_policy policy = OPENROUTER_RETRY_POLICY_INIT;
    policy.retry_non_idempotent = 1;
    openrouter_call_options co = OPENROUTER_CALL_OPTIONS_INIT;
    co.retry = &policy;
    openrouter_create_key_request req = create_request("maybe created");
    cancel_at(a, &openrouter_create_key_operation, &req, &co, ST_WAITING, &d);
    CU_ASSERT_EQUAL(d.err.request_may_have_been_processed, 1);
    CU_ASSERT_EQUAL(stub_count_keys(&srv), 1);
    or_test_done_clear(&d);
    openrouter_async_free(a);
    openrouter_client_free(c);
}

/* ---- the call options' cancel token ------------------------------------------------------- */

static void test_cancel_token(void)
{
    openrouter_cancel_token *token = NULL;
    CU_ASSERT_EQUAL_FATAL(openrouter_cancel_token_new(&token), OPENROUTER_OK);
    openrouter_call_options co = OPENROUTER_CALL_OPTIONS_INIT;
    co.cancel = token;

    /* Already cancelled: refused at start, as the blocking call is. */
    serve(0, "{\"faults\":[{\"delay_ms\":800}]}");
    openrouter_client *c = or_test_client(srv.base_url, NULL);
    openrouter_async *a = or_test_async(c, 1);
    openrouter_error err = OPENROUTER_ERROR_INIT;
    openrouter_cancel(token);
    CU_ASSERT_EQUAL(openrouter_async_start(a, &openrouter_list_keys_operation, NULL, &co, or_test_done_fn, NULL,
                                           NULL, &err),
                    OPENROUTER_ECANCELED);
    openrouter_error_clear(&err);

    /* Cancelled while queued behind a call in flight: never sent. */
    openrouter_cancel_token_reset(token);
    or_test_done first = OR_TEST_DONE_INIT, d = OR_TEST_DONE_INIT;
    start(a, &openrouter_list_keys_operation, NULL, NULL, &first);
    openrouter_create_key_request req = create_request("never sent");
    openrouter_async_call *k = start(a, &openrouter_create_key_operation, &req, &co, &d);
    drive_to(a, k, ST_QUEUED);
    openrouter_cancel(token);
    CU_ASSERT_EQUAL(openrouter_async_run(a, 10000), 0);
    CU_ASSERT_EQUAL(d.calls, 1);
    CU_ASSERT_EQUAL(d.rc, OPENROUTER_ECANCELED);
    CU_ASSERT_EQUAL(d.err.request_may_have_been_processed, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(d.err.message, "createKey: cancelled before it was sent"));
    CU_ASSERT_EQUAL(first.rc, OPENROUTER_OK);
    /* Never sent: no key (requests are not counted: a cancelled transfer of
     * the test before may still reach the shared server). */
    CU_ASSERT_EQUAL(stub_count_keys(&srv), 0);
    or_test_done_clear(&first);
    or_test_done_clear(&d);

    /* Cancelled mid-body from the token, not through the handle: the
     * transfer stops at once (http.c's progress callback). */
    openrouter_cancel_token_reset(token);
    serve(40, stall_fault("pause_mid_body_ms"));
    or_test_done fresh = OR_TEST_DONE_INIT;
    d = fresh;
    k = start(a, &openrouter_list_keys_operation, NULL, &co, &d);
    drive_to(a, k, ST_RECEIVING);
    int64_t t0 = or_test_now_ms();
    openrouter_cancel(token);
    openrouter_async_run(a, 2000);
    CU_ASSERT(or_test_now_ms() - t0 < stall_ms() / 2);
    CU_ASSERT_EQUAL(d.calls, 1);
    CU_ASSERT_EQUAL(d.rc, OPENROUTER_ECANCELED);
    CU_ASSERT_PTR_NOT_NULL(strstr(d.err.message, "listKeys: cancelled during attempt 1"));
    or_test_done_clear(&d);
    openrouter_async_free(a);
    openrouter_client_free(c);
    openrouter_cancel_token_free(token);
}

/* ---- all at once, and socket mode's timer ------------------------------------------------------ */

static void test_cancel_all(void)
{
    char faults[160];
    snprintf(faults, sizeof faults, "{\"faults\":[{\"status\":503,\"headers\":{\"Retry-After\":\"30\"}},"
                                    "{\"delay_ms\":%ld}]}",
             stall_ms());
    serve(0, faults);
    openrouter_client *c = or_test_client(srv.base_url, NULL);
    or_test_loop loop;
    or_test_loop_init(&loop);
    openrouter_async_options o = or_test_loop_options(&loop);
    o.max_in_flight = 2;
    openrouter_async *a = NULL;
    CU_ASSERT_EQUAL_FATAL(openrouter_async_new(&a, c, &o, NULL), OPENROUTER_OK);
    or_test_done d[4] = {OR_TEST_DONE_INIT, OR_TEST_DONE_INIT, OR_TEST_DONE_INIT, OR_TEST_DONE_INIT};
    openrouter_async_call *k[4];
    for (int i = 0; i < 4; i++)
        k[i] = start(a, &openrouter_list_keys_operation, NULL, NULL, &d[i]);
    /* One waits to retry, one is in flight (the slow one), two queued. */
    int64_t until = or_test_now_ms() + stall_ms() * 3 / 4;
    while (!(k[0]->state == OR_ASYNC_WAITING || k[1]->state == OR_ASYNC_WAITING) && or_test_now_ms() < until)
        or_test_loop_run(&loop, a, 20);
    or_test_loop_run(&loop, a, 100);
    int waiting = 0, running = 0, queued = 0;
    for (int i = 0; i < 4; i++) {
        waiting += k[i]->state == OR_ASYNC_WAITING;
        running += k[i]->state == OR_ASYNC_RUNNING;
        queued += k[i]->state == OR_ASYNC_QUEUED;
    }
    CU_ASSERT(waiting == 1 && running >= 1 && queued >= 1);
    loop.timer_ms = 5000;
    openrouter_async_cancel_all(a);
    CU_ASSERT_EQUAL(loop.timer_ms, 0); /* drive me now */
    for (int i = 0; i < 4; i++)
        CU_ASSERT_EQUAL(d[i].calls, 0);
    int64_t t0 = or_test_now_ms();
    CU_ASSERT_EQUAL(or_test_loop_run(&loop, a, 2000), 0);
    CU_ASSERT(or_test_now_ms() - t0 < stall_ms() / 2);
    for (int i = 0; i < 4; i++) {
        CU_ASSERT_EQUAL(d[i].calls, 1);
        CU_ASSERT_EQUAL(d[i].rc, OPENROUTER_ECANCELED);
        or_test_done_clear(&d[i]);
    }
    CU_ASSERT_EQUAL(loop.n, 0); /* every socket was let go */
    openrouter_async_free(a);
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
    CU_pSuite s = CU_add_suite("async cancel", suite_init, suite_clean);
    CU_add_test(s, "queued", test_cancel_queued);
    CU_add_test(s, "connecting", test_cancel_connecting);
    CU_add_test(s, "sending", test_cancel_sending);
    CU_add_test(s, "receiving", test_cancel_receiving);
    CU_add_test(s, "waiting to retry", test_cancel_waiting);
    CU_add_test(s, "cancel_all in socket mode", test_cancel_all);
    CU_add_test(s, "the call options' cancel token", test_cancel_token);
    return or_test_run();
}
