/* The threading contract (client.h, README "Threading"), tested:
 * - 8 threads x 500 calls, one client per thread, against one stand-in
 *   server, every call checked;
 * - many threads creating, using and freeing clients at once after one
 *   openrouter_global_init(), and with no explicit init at all;
 * - openrouter_global_init/cleanup reference counting, from many threads.
 * Run under ThreadSanitizer (scripts/test --tsan) or helgrind to find races.
 * Under valgrind (OPENROUTER_TEST_UNDER_VALGRIND=1) the counts are scaled
 * down. OPENROUTER_TEST_CALLS overrides calls per thread. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include <openrouter/openrouter.h>

#include "stub_server.h"
#include "test_util.h"

#define THREADS 8

static stub_server srv;
static int calls_per_thread = 500;
static char hashes[THREADS][80];

typedef struct worker {
    int index;
    int calls;
    int ok;             /* calls that returned what they should */
    int failed;
    char first_failure[320];
} worker;

static openrouter_client *new_client(openrouter_error *err)
{
    openrouter_client_options o = OPENROUTER_CLIENT_OPTIONS_INIT;
    o.api_key = STUB_MANAGEMENT_KEY;
    o.base_url = srv.base_url;
    o.timeout_ms = 30000;
    openrouter_client *c = NULL;
    openrouter_client_new(&c, &o, err);
    return c;
}

static void record(worker *w, int good, const char *what, const openrouter_error *err)
{
    if (good) {
        w->ok++;
        return;
    }
    if (w->failed++ == 0)
        snprintf(w->first_failure, sizeof w->first_failure, "thread %d: %s: %s", w->index, what,
                 err->message);
}

/* One client per thread; a mix of get, list, update and current-key calls,
 * each result checked against what this thread knows. */
static void *mixed_calls(void *arg)
{
    worker *w = arg;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    openrouter_client *c = new_client(&err);
    if (!c) {
        record(w, 0, "client_new", &err);
        openrouter_error_clear(&err);
        return NULL;
    }
    const char *hash = hashes[w->index];
    char name[64];
    for (int i = 0; i < w->calls; i++) {
        switch (i % 4) {
        case 0: {
            openrouter_get_key_request r = OPENROUTER_GET_KEY_REQUEST_INIT;
            r.hash = hash;
            openrouter_key_response *out = NULL;
            int rc = openrouter_get_key(c, &r, &out, NULL, &err);
            record(w, rc == OPENROUTER_OK && out && out->data.value.hash.value &&
                          strcmp(out->data.value.hash.value, hash) == 0,
                   "get", &err);
            openrouter_key_response_free(out);
            break;
        }
        case 1: {
            openrouter_list_keys_request r = OPENROUTER_LIST_KEYS_REQUEST_INIT;
            r.include_disabled = OPENROUTER_BOOL(true);
            openrouter_key_list *out = NULL;
            int rc = openrouter_list_keys(c, &r, &out, NULL, &err);
            record(w, rc == OPENROUTER_OK && out && out->data.count >= THREADS, "list", &err);
            openrouter_key_list_free(out);
            break;
        }
        case 2: {
            snprintf(name, sizeof name, "thread-%d-call-%d", w->index, i);
            openrouter_update_key_request r = OPENROUTER_UPDATE_KEY_REQUEST_INIT;
            r.hash = hash;
            r.body.name = OPENROUTER_STRING(name);
            r.body.limit = OPENROUTER_NUMBER(i);
            openrouter_key_response *out = NULL;
            int rc = openrouter_update_key(c, &r, &out, NULL, &err);
            record(w, rc == OPENROUTER_OK && out && out->data.value.name.value &&
                          strcmp(out->data.value.name.value, name) == 0 &&
                          out->data.value.limit.value == (double)i,
                   "update", &err);
            openrouter_key_response_free(out);
            break;
        }
        default: {
            openrouter_get_current_key_metadata_request r = OPENROUTER_GET_CURRENT_KEY_METADATA_REQUEST_INIT;
            openrouter_current_key_response *out = NULL;
            int rc = openrouter_get_current_key_metadata(c, &r, &out, NULL, &err);
            record(w, rc == OPENROUTER_OK && out && out->data.state == OPENROUTER_PRESENT, "current", &err);
            openrouter_current_key_response_free(out);
            break;
        }
        }
        openrouter_error_clear(&err);
    }
    openrouter_client_free(c);
    return NULL;
}

static void run_workers(void *(*fn)(void *), int calls, int threads, worker *w)
{
    pthread_t t[32];
    for (int i = 0; i < threads; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].index = i;
        w[i].calls = calls;
        CU_ASSERT_EQUAL_FATAL(pthread_create(&t[i], NULL, fn, &w[i]), 0);
    }
    for (int i = 0; i < threads; i++)
        pthread_join(t[i], NULL);
}

static int total_ok(const worker *w, int threads)
{
    int ok = 0;
    for (int i = 0; i < threads; i++) {
        ok += w[i].ok;
        if (w[i].failed)
            fprintf(stderr, "\n    %d failures; first: %s\n", w[i].failed, w[i].first_failure);
    }
    return ok;
}

static void test_threads_with_a_client_each(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 0), 0);
    /* Each thread owns one key, so its checks are exact. */
    for (int i = 0; i < THREADS; i++) {
        char json[96];
        snprintf(json, sizeof json, "{\"name\":\"owned-by-%d\"}", i);
        CU_ASSERT_EQUAL_FATAL(stub_add_key(&srv, json, hashes[i], sizeof hashes[i]), 0);
    }
    CU_ASSERT_EQUAL_FATAL(stub_reset_connections(&srv), 0);
    worker w[THREADS];
    run_workers(mixed_calls, calls_per_thread, THREADS, w);
    int ok = total_ok(w, THREADS);
    printf("\n    %d threads x %d calls: %d ok", THREADS, calls_per_thread, ok);
    CU_ASSERT_EQUAL(ok, THREADS * calls_per_thread);
    CU_ASSERT_EQUAL(stub_stat(&srv, "requests"), THREADS * calls_per_thread);
    /* keep-alive per client: about one connection per thread */
    long conns = stub_connections(&srv);
    CU_ASSERT(conns >= THREADS && conns <= 2 * THREADS);
}

/* Clients created, used and freed concurrently, over and over. */
static void *client_churn(void *arg)
{
    worker *w = arg;
    for (int i = 0; i < w->calls; i++) {
        openrouter_error err = OPENROUTER_ERROR_INIT;
        openrouter_client *c = new_client(&err);
        if (!c) {
            record(w, 0, "client_new", &err);
            openrouter_error_clear(&err);
            continue;
        }
        openrouter_get_current_key_metadata_request r = OPENROUTER_GET_CURRENT_KEY_METADATA_REQUEST_INIT;
        openrouter_current_key_response *out = NULL;
        int rc = openrouter_get_current_key_metadata(c, &r, &out, NULL, &err);
        record(w, rc == OPENROUTER_OK && out, "current", &err);
        openrouter_current_key_response_free(out);
        openrouter_client_free(c);
        openrouter_error_clear(&err);
    }
    return NULL;
}

static int churn_rounds(void)
{
    return calls_per_thread / 25 > 2 ? calls_per_thread / 25 : 2;
}

static void test_client_churn_after_global_init(void)
{
    CU_ASSERT_EQUAL_FATAL(openrouter_global_init(), OPENROUTER_OK);
    worker w[THREADS];
    run_workers(client_churn, churn_rounds(), THREADS, w);
    CU_ASSERT_EQUAL(total_ok(w, THREADS), THREADS * churn_rounds());
    openrouter_global_cleanup();
}

/* No explicit init: every client_new/free takes and drops the library's
 * reference, so libcurl is initialised and cleaned up under contention. */
static void test_client_churn_without_global_init(void)
{
    worker w[THREADS];
    run_workers(client_churn, churn_rounds(), THREADS, w);
    CU_ASSERT_EQUAL(total_ok(w, THREADS), THREADS * churn_rounds());
}

static void *init_cleanup_pairs(void *arg)
{
    worker *w = arg;
    for (int i = 0; i < w->calls; i++) {
        int rc = openrouter_global_init();
        openrouter_error none = OPENROUTER_ERROR_INIT;
        snprintf(none.message, sizeof none.message, "init returned %d", rc);
        record(w, rc == OPENROUTER_OK, "global_init", &none);
        /* initialised: the allocator cannot change under our feet */
        record(w, openrouter_set_allocator(NULL) == OPENROUTER_EINVAL, "set_allocator while initialised", &none);
        openrouter_global_cleanup();
    }
    return NULL;
}

static void test_global_refcount(void)
{
    /* Reference counted: three inits need three cleanups. */
    CU_ASSERT_EQUAL(openrouter_set_allocator(NULL), OPENROUTER_OK); /* uninitialised */
    for (int i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(openrouter_global_init(), OPENROUTER_OK);
    for (int i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL(openrouter_set_allocator(NULL), OPENROUTER_EINVAL);
        openrouter_global_cleanup();
    }
    CU_ASSERT_EQUAL(openrouter_set_allocator(NULL), OPENROUTER_OK);
    /* An extra cleanup is harmless. */
    openrouter_global_cleanup();
    CU_ASSERT_EQUAL(openrouter_global_init(), OPENROUTER_OK);
    openrouter_global_cleanup();
    /* A live client holds a reference. */
    openrouter_error err = OPENROUTER_ERROR_INIT;
    openrouter_client *c = new_client(&err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL(openrouter_set_allocator(NULL), OPENROUTER_EINVAL);
    openrouter_global_cleanup(); /* an unmatched cleanup must not pull libcurl from under it */
    openrouter_get_current_key_metadata_request r = OPENROUTER_GET_CURRENT_KEY_METADATA_REQUEST_INIT;
    openrouter_current_key_response *out = NULL;
    CU_ASSERT_EQUAL(openrouter_get_current_key_metadata(c, &r, &out, NULL, &err), OPENROUTER_OK);
    openrouter_current_key_response_free(out);
    openrouter_client_free(c);
    CU_ASSERT_EQUAL(openrouter_set_allocator(NULL), OPENROUTER_OK);
    /* Concurrent init/cleanup pairs. */
    worker w[THREADS];
    run_workers(init_cleanup_pairs, churn_rounds() * 5, THREADS, w);
    CU_ASSERT_EQUAL(total_ok(w, THREADS), THREADS * churn_rounds() * 5 * 2);
    CU_ASSERT_EQUAL(openrouter_set_allocator(NULL), OPENROUTER_OK); /* back to zero */
}

static int suite_init(void)
{
    if (or_test_under_valgrind())
        calls_per_thread = 24;
    const char *n = getenv("OPENROUTER_TEST_CALLS");
    if (n && atoi(n) > 0)
        calls_per_thread = atoi(n);
    return stub_start(&srv, 0) == 0 ? 0 : 1;
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
    CU_pSuite s = CU_add_suite("concurrency", suite_init, suite_clean);
    CU_add_test(s, "global init/cleanup reference counting", test_global_refcount);
    CU_add_test(s, "8 threads, a client each, mixed calls", test_threads_with_a_client_each);
    CU_add_test(s, "clients created and freed concurrently after global init",
                test_client_churn_after_global_init);
    CU_add_test(s, "clients created and freed concurrently without global init",
                test_client_churn_without_global_init);
    return or_test_run();
}
