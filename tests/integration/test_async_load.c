/* Volume and memory of the non-blocking interface: 10,000 calls with 64 in
 * flight (1,000 under valgrind, which runs the same code some 50 times
 * slower), started the way a bulk job starts them (a window of calls kept
 * ahead, each completion starting the next), all succeeding over at most
 * 64 connections; and the memory one more call costs, in flight and
 * queued, counted by an allocator that sees every block the library and
 * libcurl allocate. Clean under ASan and valgrind is the point: every
 * call's buffers, handles and results come back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include <openrouter/openrouter.h>

#include "async_test.h"
#include "stub_server.h"
#include "test_util.h"

static stub_server srv;

/* ---- an allocator that counts the bytes alive ------------------------------------------ */

#define HDR 16 /* keeps blocks 16-byte aligned */
static size_t live_bytes;

static void *count_malloc(void *ctx, size_t n)
{
    (void)ctx;
    size_t *p = malloc(n + HDR);
    if (!p)
        return NULL;
    *p = n;
    live_bytes += n;
    return (char *)p + HDR;
}

static void count_free(void *ctx, void *ptr)
{
    (void)ctx;
    size_t *p = (size_t *)(void *)((char *)ptr - HDR);
    live_bytes -= *p;
    free(p);
}

static void *count_realloc(void *ctx, void *ptr, size_t n)
{
    if (!ptr)
        return count_malloc(ctx, n);
    size_t *p = (size_t *)(void *)((char *)ptr - HDR);
    size_t old = *p;
    size_t *q = realloc(p, n + HDR);
    if (!q)
        return NULL;
    *q = n;
    live_bytes = live_bytes - old + n;
    return (char *)q + HDR;
}

/* ---- fixtures ------------------------------------------------------------------------------ */


/* ---- 10,000 calls, 64 in flight --------------------------------------------------------------- */

typedef struct bulk {
    openrouter_async *a;
    int total, started, ok, failed;
} bulk;

static void bulk_done(void *ctx, openrouter_async_call *call, int status, openrouter_current_key_response *result,
                      openrouter_error *error);

static void bulk_start_one(bulk *b)
{
    openrouter_error err = OPENROUTER_ERROR_INIT;
    if (openrouter_get_current_key_metadata_start(b->a, NULL, NULL, bulk_done, b, NULL, &err) == OPENROUTER_OK)
        b->started++;
    else
        b->failed++;
    openrouter_error_clear(&err);
}

static void bulk_done(void *ctx, openrouter_async_call *call, int status, openrouter_current_key_response *result,
                      openrouter_error *error)
{
    (void)call;
    bulk *b = ctx;
    if (status == OPENROUTER_OK && result && result->data.state == OPENROUTER_PRESENT)
        b->ok++;
    else {
        b->failed++;
        if (b->failed < 5)
            fprintf(stderr, "\n  call failed: %s\n", error->message);
    }
    openrouter_current_key_response_free(result);
    if (b->started < b->total)
        bulk_start_one(b);
}

static void test_ten_thousand_calls(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 0), 0);
    openrouter_client *c = or_test_client(srv.base_url, NULL);
    bulk b;
    memset(&b, 0, sizeof b);
    b.a = or_test_async(c, 64);
    b.total = or_test_under_valgrind() ? 1000 : 10000;
    int64_t t0 = or_test_now_ms();
    for (int i = 0; i < 128; i++) /* a window ahead of the 64 in flight */
        bulk_start_one(&b);
    CU_ASSERT_EQUAL(openrouter_async_run(b.a, 600000), 0);
    int64_t took = or_test_now_ms() - t0;
    long conns = stub_stat(&srv, "api_connections");
    fprintf(stderr, "\n  %d calls, 64 in flight: %.2f s (%.0f calls/s), %ld connections opened\n", b.total,
            (double)took / 1000.0, took > 0 ? (double)b.total * 1000.0 / (double)took : 0.0, conns);
    CU_ASSERT_EQUAL(b.started, b.total);
    CU_ASSERT_EQUAL(b.ok, b.total);
    CU_ASSERT_EQUAL(b.failed, 0);
    CU_ASSERT_EQUAL(stub_stat(&srv, "requests"), b.total);
    CU_ASSERT(conns >= 1 && conns <= 64);
    CU_ASSERT(stub_stat(&srv, "max_concurrent") <= 64);
    openrouter_async_free(b.a);
    openrouter_client_free(c);
}

/* ---- memory per call ------------------------------------------------------------------------ */

#define IN_FLIGHT 64
#define QUEUED 1000

static void test_memory_per_call(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 0), 0);
    /* Answers held long enough for all 64 to get there on a loaded machine
     * under valgrind; cancelled once measured. */
    CU_ASSERT_EQUAL(stub_add_faults(&srv, "{\"faults\":[{\"delay_ms\":60000,\"times\":64}]}"), 0);
    openrouter_client *c = or_test_client(srv.base_url, NULL);
    openrouter_async *a = or_test_async(c, IN_FLIGHT);
    size_t idle = live_bytes;
    int cancelled = 0;
    or_test_done *d = calloc(IN_FLIGHT + QUEUED, sizeof *d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    for (int i = 0; i < IN_FLIGHT; i++)
        CU_ASSERT_EQUAL(openrouter_async_start(a, &openrouter_get_current_key_metadata_operation, NULL, NULL,
                                               or_test_done_fn, &d[i], NULL, NULL),
                        OPENROUTER_OK);
    /* Until every request reached the server and waits for its answer. */
    int64_t give_up = or_test_now_ms() + 50000;
    while (stub_stat(&srv, "active") < IN_FLIGHT && or_test_now_ms() < give_up)
        openrouter_async_run(a, 100);
    size_t in_flight = live_bytes;
    for (int i = IN_FLIGHT; i < IN_FLIGHT + QUEUED; i++)
        CU_ASSERT_EQUAL(openrouter_async_start(a, &openrouter_get_current_key_metadata_operation, NULL, NULL,
                                               or_test_done_fn, &d[i], NULL, NULL),
                        OPENROUTER_OK);
    size_t queued = live_bytes;
    long active = stub_stat(&srv, "active");
    CU_ASSERT_EQUAL(active, IN_FLIGHT);
    if (active != IN_FLIGHT)
        fprintf(stderr, "\n  %ld of %d requests at the server when measured\n", active, IN_FLIGHT);
    double per_flight = (double)(in_flight - idle) / IN_FLIGHT, per_queued = (double)(queued - in_flight) / QUEUED;
    fprintf(stderr, "\n  memory per call (library and libcurl, not the kernel's socket buffers): %.0f bytes in "
                    "flight, %.0f bytes queued\n",
            per_flight, per_queued);
    CU_ASSERT(per_flight > 1000 && per_flight < 256 * 1024);
    CU_ASSERT(per_queued > 100 && per_queued < 8 * 1024);
    openrouter_async_cancel_all(a);
    CU_ASSERT_EQUAL(openrouter_async_run(a, 5000), 0);
    for (int i = 0; i < IN_FLIGHT + QUEUED; i++) {
        cancelled += d[i].rc == OPENROUTER_ECANCELED;
        or_test_done_clear(&d[i]);
    }
    CU_ASSERT_EQUAL(cancelled, IN_FLIGHT + QUEUED);
    free(d);
    openrouter_async_free(a);
    openrouter_client_free(c);
}

int main(void)
{
    openrouter_allocator counting = {OPENROUTER_ALLOCATOR_VERSION, count_malloc, count_realloc, count_free, NULL};
    if (openrouter_set_allocator(&counting) != OPENROUTER_OK || openrouter_global_init() != OPENROUTER_OK)
        return 1;
    if (CU_initialize_registry() != CUE_SUCCESS || stub_start(&srv, 0) != 0)
        return 1;
    CU_pSuite s = CU_add_suite("async load", NULL, NULL);
    CU_add_test(s, "10,000 calls with 64 in flight (1,000 under valgrind)", test_ten_thousand_calls);
    CU_add_test(s, "memory per call in flight and queued", test_memory_per_call);
    int rc = or_test_run();
    stub_stop(&srv);
    openrouter_global_cleanup();
    return rc;
}
