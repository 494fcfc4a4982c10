/* The threading rule of openrouter/async.h, exactly as documented: one
 * thread drives a handle; another may only call openrouter_async_wakeup(),
 * (1) to hand it work (a producer queue under the application's own lock,
 * then a wakeup that makes openrouter_async_run() return) and (2) to cancel
 * everything from outside (OPENROUTER_ASYNC_CANCEL_ALL). Callbacks run on
 * the driving thread. Label "concurrency": scripts/test --tsan runs it
 * under ThreadSanitizer. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include <openrouter/openrouter.h>

#include "async_test.h"
#include "stub_server.h"
#include "test_util.h"

static stub_server srv;


/* Completions, counted on the driving thread only. */
typedef struct tally {
    pthread_t driver;
    int ok, cancelled, other, wrong_thread;
} tally;

static void on_done(void *ctx, openrouter_async_call *call, int status, void *result, openrouter_error *error)
{
    (void)call;
    (void)error;
    tally *t = ctx;
    t->wrong_thread += !pthread_equal(pthread_self(), t->driver);
    if (status == OPENROUTER_OK)
        t->ok++;
    else if (status == OPENROUTER_ECANCELED)
        t->cancelled++;
    else
        t->other++;
    openrouter_model_free(result);
}

/* ---- (1) another thread hands the driver work ------------------------------------------- */

#define N_WORK 120

typedef struct work {
    pthread_mutex_t mu;
    int items, taken, producer_done; /* under mu */
    openrouter_async *a;              /* only wakeup() is called with it */
    int wakeup_failures;
} work;

static void *producer(void *arg)
{
    work *w = arg;
    for (int i = 0; i < N_WORK; i++) {
        pthread_mutex_lock(&w->mu);
        w->items++;
        pthread_mutex_unlock(&w->mu);
        w->wakeup_failures += openrouter_async_wakeup(w->a, 0) != OPENROUTER_OK;
        if (i % 10 == 9)
            or_test_sleep_ms(5);
    }
    pthread_mutex_lock(&w->mu);
    w->producer_done = 1;
    pthread_mutex_unlock(&w->mu);
    w->wakeup_failures += openrouter_async_wakeup(w->a, 0) != OPENROUTER_OK;
    return NULL;
}

static void test_work_from_another_thread(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 2), 0);
    openrouter_client *c = or_test_client(srv.base_url, NULL);
    work w;
    memset(&w, 0, sizeof w);
    pthread_mutex_init(&w.mu, NULL);
    w.a = or_test_async(c, 8);
    tally t;
    memset(&t, 0, sizeof t);
    t.driver = pthread_self();
    pthread_t th;
    CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, producer, &w), 0);
    int64_t until = or_test_now_ms() + 60000;
    for (;;) {
        pthread_mutex_lock(&w.mu);
        int fresh = w.items - w.taken, done = w.producer_done;
        w.taken = w.items;
        pthread_mutex_unlock(&w.mu);
        for (int i = 0; i < fresh; i++)
            CU_ASSERT_EQUAL(openrouter_async_start(w.a, &openrouter_list_keys_operation, NULL, NULL, on_done, &t,
                                                   NULL, NULL),
                            OPENROUTER_OK);
        if ((done && fresh == 0 && openrouter_async_pending(w.a) == 0) || or_test_now_ms() > until)
            break;
        if (openrouter_async_pending(w.a) == 0)
            or_test_sleep_ms(1); /* idle: wait for the producer */
        else
            openrouter_async_run(w.a, -1); /* until idle, or woken for new work */
    }
    pthread_join(th, NULL);
    CU_ASSERT_EQUAL(t.ok, N_WORK);
    CU_ASSERT_EQUAL(t.other + t.cancelled, 0);
    CU_ASSERT_EQUAL(t.wrong_thread, 0);
    CU_ASSERT_EQUAL(w.wakeup_failures, 0);
    CU_ASSERT_EQUAL(stub_stat(&srv, "requests"), N_WORK);
    openrouter_async_free(w.a);
    pthread_mutex_destroy(&w.mu);
    openrouter_client_free(c);
}

/* ---- (2) another thread cancels everything --------------------------------------------- */

typedef struct canceller {
    openrouter_async *a;
    int rc;
} canceller;

static void *cancel_later(void *arg)
{
    canceller *k = arg;
    or_test_sleep_ms(300);
    k->rc = openrouter_async_wakeup(k->a, OPENROUTER_ASYNC_CANCEL_ALL);
    return NULL;
}

static void test_cancel_from_another_thread(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 0), 0);
    CU_ASSERT_EQUAL(stub_add_faults(&srv, "{\"faults\":[{\"delay_ms\":4000,\"times\":32}]}"), 0);
    openrouter_client *c = or_test_client(srv.base_url, NULL);
    openrouter_async *a = or_test_async(c, 8);
    tally t;
    memset(&t, 0, sizeof t);
    t.driver = pthread_self();
    for (int i = 0; i < 32; i++)
        CU_ASSERT_EQUAL(openrouter_async_start(a, &openrouter_list_keys_operation, NULL, NULL, on_done, &t, NULL,
                                               NULL),
                        OPENROUTER_OK);
    canceller k = {a, -99};
    pthread_t th;
    int64_t t0 = or_test_now_ms();
    CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, cancel_later, &k), 0);
    CU_ASSERT_EQUAL(openrouter_async_run(a, 20000), 0);
    int64_t took = or_test_now_ms() - t0;
    pthread_join(th, NULL);
    CU_ASSERT_EQUAL(k.rc, OPENROUTER_OK);
    CU_ASSERT_EQUAL(t.cancelled, 32);
    CU_ASSERT_EQUAL(t.ok + t.other, 0);
    CU_ASSERT_EQUAL(t.wrong_thread, 0);
    CU_ASSERT(took >= 250 && took < 8000); /* uncancelled: 4 rounds of 4 s */
    openrouter_async_free(a);
    openrouter_client_free(c);
}

/* ---- (3) another thread cancels one call's token ------------------------------------------ */

static void *cancel_token_later(void *arg)
{
    or_test_sleep_ms(200);
    openrouter_cancel(arg);
    return NULL;
}

/* The answer is 4 s away and nothing else happens on the handle: the
 * token, cancelled from another thread, still ends the call soon. */
static void test_token_from_another_thread(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 0), 0);
    CU_ASSERT_EQUAL(stub_add_faults(&srv, "{\"faults\":[{\"delay_ms\":4000}]}"), 0);
    openrouter_client *c = or_test_client(srv.base_url, NULL);
    openrouter_async *a = or_test_async(c, 4);
    openrouter_cancel_token *token = NULL;
    CU_ASSERT_EQUAL_FATAL(openrouter_cancel_token_new(&token), OPENROUTER_OK);
    openrouter_call_options co = OPENROUTER_CALL_OPTIONS_INIT;
    co.cancel = token;
    tally t;
    memset(&t, 0, sizeof t);
    t.driver = pthread_self();
    CU_ASSERT_EQUAL(openrouter_async_start(a, &openrouter_list_keys_operation, NULL, &co, on_done, &t, NULL, NULL),
                    OPENROUTER_OK);
    pthread_t th;
    int64_t t0 = or_test_now_ms();
    CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, cancel_token_later, token), 0);
    CU_ASSERT_EQUAL(openrouter_async_run(a, 20000), 0);
    int64_t took = or_test_now_ms() - t0;
    pthread_join(th, NULL);
    CU_ASSERT_EQUAL(t.cancelled, 1);
    CU_ASSERT(took >= 150 && took < 2000); /* not the answer's 4 s */
    openrouter_async_free(a);
    openrouter_client_free(c);
    openrouter_cancel_token_free(token);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    if (openrouter_global_init() != OPENROUTER_OK || stub_start(&srv, 0) != 0)
        return 1;
    CU_pSuite s = CU_add_suite("async threads", NULL, NULL);
    CU_add_test(s, "another thread hands work to the driver with wakeup", test_work_from_another_thread);
    CU_add_test(s, "another thread cancels everything with wakeup", test_cancel_from_another_thread);
    CU_add_test(s, "another thread cancels one call's token", test_token_from_another_thread);
    int rc = or_test_run();
    stub_stop(&srv);
    openrouter_global_cleanup();
    return rc;
}
