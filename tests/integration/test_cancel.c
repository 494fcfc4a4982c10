/* Cancelling calls (openrouter_cancel_token, client.h) from another thread,
 * against the stand-in server: before anything is sent, during a transfer
 * the server is slow to answer, during the wait between retries with the
 * real clock, and with an injected clock whose sleep_ms cannot be cut
 * short; a create cancelled mid-transfer; a paged walk; a signal handler.
 * Label "concurrency": scripts/test --tsan runs it under ThreadSanitizer. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <CUnit/CUnit.h>

#include <openrouter/openrouter.h>

#include "stub_server.h"
#include "test_util.h"

static stub_server srv;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static openrouter_client *client_with(const openrouter_clock *clock, int attempts)
{
    openrouter_client_options o = OPENROUTER_CLIENT_OPTIONS_INIT;
    o.api_key = STUB_MANAGEMENT_KEY;
    o.base_url = srv.base_url;
    o.clock = clock;
    o.retry.max_attempts = attempts;
    openrouter_client *c = NULL;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    openrouter_client_new(&c, &o, &err);
    openrouter_error_clear(&err);
    return c;
}

/* Cancels `token` from another thread after `after_ms`. */
typedef struct canceller {
    pthread_t thread;
    openrouter_cancel_token *token;
    long after_ms;
} canceller;

static void *cancel_later(void *arg)
{
    canceller *k = arg;
    sleep_ms(k->after_ms);
    openrouter_cancel(k->token);
    return NULL;
}

static void start_canceller(canceller *k, openrouter_cancel_token *token, long after_ms)
{
    k->token = token;
    k->after_ms = after_ms;
    CU_ASSERT_EQUAL_FATAL(pthread_create(&k->thread, NULL, cancel_later, k), 0);
}

static int get_key(openrouter_client *c, openrouter_cancel_token *token, openrouter_error *err)
{
    openrouter_call_options co = OPENROUTER_CALL_OPTIONS_INIT;
    co.cancel = token;
    openrouter_current_key_response *out = NULL;
    int rc = openrouter_get_current_key_metadata(c, NULL, &out, &co, err);
    CU_ASSERT(rc != OPENROUTER_OK || out != NULL);
    openrouter_current_key_response_free(out);
    return rc;
}

/* A stand-in answering with `faults`, a client, a token, and a thread that
 * cancels it `after_ms` into the test. */
typedef struct race {
    openrouter_client *client;
    openrouter_cancel_token *token;
    canceller k;
    openrouter_error err;
    int64_t t0;
} race;

static void race_start(race *r, int seed_keys, const char *faults, long after_ms)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, seed_keys), 0);
    CU_ASSERT_EQUAL_FATAL(stub_add_faults(&srv, faults), 0);
    r->client = client_with(NULL, 3);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->client);
    r->token = NULL;
    CU_ASSERT_EQUAL_FATAL(openrouter_cancel_token_new(&r->token), OPENROUTER_OK);
    openrouter_error fresh = OPENROUTER_ERROR_INIT;
    r->err = fresh;
    r->t0 = now_ms();
    start_canceller(&r->k, r->token, after_ms);
}

/* Joins the canceller; returns the milliseconds since race_start(). */
static int64_t race_join(race *r)
{
    int64_t took = now_ms() - r->t0;
    pthread_join(r->k.thread, NULL);
    return took;
}

static void race_done(race *r)
{
    openrouter_cancel_token_free(r->token);
    openrouter_client_free(r->client);
    openrouter_error_clear(&r->err);
}

static void test_token(void)
{
    openrouter_cancel_token *t = NULL;
    CU_ASSERT_EQUAL(openrouter_cancel_token_new(NULL), OPENROUTER_EINVAL);
    CU_ASSERT_EQUAL_FATAL(openrouter_cancel_token_new(&t), OPENROUTER_OK);
    CU_ASSERT_FALSE(openrouter_cancel_requested(t));
    openrouter_cancel(t);
    openrouter_cancel(t); /* twice is once */
    CU_ASSERT_TRUE(openrouter_cancel_requested(t));
    openrouter_cancel_token_reset(t);
    CU_ASSERT_FALSE(openrouter_cancel_requested(t));
    openrouter_cancel(t);
    CU_ASSERT_TRUE(openrouter_cancel_requested(t));
    openrouter_cancel_token_free(t);
    /* NULL-safe throughout. */
    openrouter_cancel(NULL);
    CU_ASSERT_FALSE(openrouter_cancel_requested(NULL));
    openrouter_cancel_token_reset(NULL);
    openrouter_cancel_token_free(NULL);
}

static void test_cancelled_before_sending(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 1), 0);
    openrouter_client *c = client_with(NULL, 3);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    openrouter_cancel_token *t = NULL;
    CU_ASSERT_EQUAL_FATAL(openrouter_cancel_token_new(&t), OPENROUTER_OK);
    openrouter_cancel(t);
    openrouter_error err = OPENROUTER_ERROR_INIT;
    CU_ASSERT_EQUAL(get_key(c, t, &err), OPENROUTER_ECANCELED);
    CU_ASSERT_EQUAL(err.attempts, 0);
    CU_ASSERT_FALSE(err.request_may_have_been_processed);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "cancelled before it was sent"));
    CU_ASSERT_EQUAL(stub_stat(&srv, "requests"), 0);
    /* Reset, the same token lets calls through again. */
    openrouter_cancel_token_reset(t);
    CU_ASSERT_EQUAL(get_key(c, t, &err), OPENROUTER_OK);
    openrouter_cancel_token_free(t);
    openrouter_client_free(c);
    openrouter_error_clear(&err);
}

static void test_cancelled_during_transfer(void)
{
    race r;
    race_start(&r, 1, "{\"faults\":[{\"delay_ms\":8000}]}", 300);
    CU_ASSERT_EQUAL(get_key(r.client, r.token, &r.err), OPENROUTER_ECANCELED);
    int64_t took = race_join(&r);
    CU_ASSERT(took >= 250 && took < 4000); /* the progress callback runs at least once a second */
    CU_ASSERT_EQUAL(r.err.attempts, 1);    /* a cancelled attempt is not retried */
    CU_ASSERT_EQUAL(r.err.http_status, 0);
    CU_ASSERT_FALSE(r.err.request_may_have_been_processed); /* a GET may always be repeated */
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err.message, "cancelled during attempt 1"));
    char text[1024];
    openrouter_error_format(&r.err, text, sizeof text);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "OPENROUTER_ECANCELED"));
    /* The client goes on working for calls without the token. */
    CU_ASSERT_EQUAL(get_key(r.client, NULL, &r.err), OPENROUTER_OK);
    race_done(&r);
}

/* A create the server got before the cancel: it may have happened. */
static void test_create_cancelled_after_sending(void)
{
    race r;
    race_start(&r, 0, "{\"faults\":[{\"delay_ms\":8000}]}", 300);
    openrouter_create_key_request req = OPENROUTER_CREATE_KEY_REQUEST_INIT;
    req.body.name = OPENROUTER_STRING("cancelled create");
    openrouter_call_options co = OPENROUTER_CALL_OPTIONS_INIT;
    co.cancel = r.token;
    openrouter_created_key *created = NULL;
    CU_ASSERT_EQUAL(openrouter_create_key(r.client, &req, &created, &co, &r.err), OPENROUTER_ECANCELED);
    race_join(&r);
    CU_ASSERT_PTR_NULL(created);
    CU_ASSERT_TRUE(r.err.request_may_have_been_processed);
    CU_ASSERT_EQUAL(stub_stat(&srv, "requests"), 1);
    race_done(&r);
}

/* The real clock's wait for a Retry-After of 20 s ends with the cancel. */
static void test_cancelled_while_waiting_to_retry(void)
{
    race r;
    race_start(&r, 1, "{\"faults\":[{\"status\":503,\"headers\":{\"Retry-After\":\"20\"}}]}", 300);
    CU_ASSERT_EQUAL(get_key(r.client, r.token, &r.err), OPENROUTER_ECANCELED);
    int64_t took = race_join(&r);
    CU_ASSERT(took >= 250 && took < 3000);
    CU_ASSERT_EQUAL(r.err.attempts, 1);
    CU_ASSERT_EQUAL(r.err.http_status, 503);
    CU_ASSERT_EQUAL(r.err.retry_after_ms, 20000);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err.message, "cancelled while waiting to retry (attempt 1: HTTP 503)"));
    CU_ASSERT_EQUAL(stub_stat(&srv, "requests"), 1);
    race_done(&r);
}

/* An injected sleep_ms cannot be interrupted: the token is checked when it
 * returns, and no further attempt is made. */
typedef struct fake_clock {
    int64_t now;
    int sleeps;
    long slept;
    openrouter_cancel_token *token;
} fake_clock;

static int64_t fake_now(void *ctx)
{
    return ((fake_clock *)ctx)->now;
}

static void fake_sleep(void *ctx, long ms)
{
    fake_clock *f = ctx;
    f->sleeps++;
    f->slept += ms;
    f->now += ms;
    /* What another thread would do while the caller's sleep runs. */
    pthread_t th;
    canceller k = {0, f->token, 0};
    if (pthread_create(&th, NULL, cancel_later, &k) == 0)
        pthread_join(th, NULL);
}

static double fake_random(void *ctx)
{
    (void)ctx;
    return 0.5;
}

static void test_injected_clock(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 1), 0);
    CU_ASSERT_EQUAL_FATAL(stub_add_faults(&srv, "{\"faults\":[{\"status\":503,\"times\":6}]}"), 0);
    fake_clock f = {1000, 0, 0, NULL};
    CU_ASSERT_EQUAL_FATAL(openrouter_cancel_token_new(&f.token), OPENROUTER_OK);
    openrouter_clock clock = {fake_now, fake_sleep, fake_random, &f};
    openrouter_client *c = client_with(&clock, 5);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    openrouter_error err = OPENROUTER_ERROR_INIT;
    CU_ASSERT_EQUAL(get_key(c, f.token, &err), OPENROUTER_ECANCELED);
    CU_ASSERT_EQUAL(f.sleeps, 1);   /* called once, with the whole delay */
    CU_ASSERT_EQUAL(f.slept, 250);  /* 500 ms cap x 0.5 */
    CU_ASSERT_EQUAL(err.attempts, 1);
    CU_ASSERT_EQUAL(stub_stat(&srv, "requests"), 1);
    /* Without a token the same clock runs every attempt. */
    f.sleeps = 0;
    openrouter_cancel_token_free(f.token);
    f.token = NULL;
    CU_ASSERT_EQUAL(get_key(c, NULL, &err), OPENROUTER_EHTTP);
    CU_ASSERT_EQUAL(err.attempts, 5);
    CU_ASSERT_EQUAL(f.sleeps, 4);
    openrouter_client_free(c);
    openrouter_error_clear(&err);
}

/* A paged walk watches the token of its call options. */
typedef struct walk_ctx {
    openrouter_cancel_token *token;
    size_t pages;
} walk_ctx;

static void cancel_after_first_page(void *ctx, size_t pages, size_t items)
{
    (void)items;
    walk_ctx *w = ctx;
    w->pages = pages;
    if (pages == 1)
        openrouter_cancel(w->token);
}

static void test_paged_walk(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 250), 0);
    openrouter_client *c = client_with(NULL, 3);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    walk_ctx w = {NULL, 0};
    CU_ASSERT_EQUAL_FATAL(openrouter_cancel_token_new(&w.token), OPENROUTER_OK);
    openrouter_call_options co = OPENROUTER_CALL_OPTIONS_INIT;
    co.cancel = w.token;
    openrouter_pagination_options po = OPENROUTER_PAGINATION_OPTIONS_INIT;
    po.call = &co;
    po.progress = cancel_after_first_page;
    po.progress_ctx = &w;
    openrouter_key_list *all = NULL;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    CU_ASSERT_EQUAL(openrouter_list_keys_all(c, NULL, &po, &all, &err), OPENROUTER_ECANCELED);
    CU_ASSERT_PTR_NULL(all);
    CU_ASSERT_EQUAL(w.pages, 1);
    CU_ASSERT_EQUAL(stub_stat(&srv, "requests"), 1);
    openrouter_cancel_token_free(w.token);
    openrouter_client_free(c);
    openrouter_error_clear(&err);
}

/* openrouter_cancel() from a signal handler (Ctrl-C in a program). */
static openrouter_cancel_token *signal_token;

static void on_signal(int sig)
{
    (void)sig;
    openrouter_cancel(signal_token);
}

static void test_signal_handler(void)
{
    CU_ASSERT_EQUAL_FATAL(openrouter_cancel_token_new(&signal_token), OPENROUTER_OK);
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    CU_ASSERT_EQUAL_FATAL(sigaction(SIGUSR1, &sa, &old), 0);
    CU_ASSERT_EQUAL(raise(SIGUSR1), 0);
    CU_ASSERT_TRUE(openrouter_cancel_requested(signal_token));
    sigaction(SIGUSR1, &old, NULL);
    openrouter_cancel_token_free(signal_token);
    signal_token = NULL;
}

static int suite_init(void)
{
    return openrouter_global_init() != OPENROUTER_OK || stub_start(&srv, 1) != 0;
}

static int suite_clean(void)
{
    stub_stop(&srv);
    openrouter_global_cleanup();
    return 0;
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("cancel", suite_init, suite_clean);
    CU_add_test(s, "the token", test_token);
    CU_add_test(s, "cancelled before sending", test_cancelled_before_sending);
    CU_add_test(s, "cancelled during a transfer", test_cancelled_during_transfer);
    CU_add_test(s, "a create cancelled after sending", test_create_cancelled_after_sending);
    CU_add_test(s, "cancelled while waiting to retry", test_cancelled_while_waiting_to_retry);
    CU_add_test(s, "an injected clock's sleep_ms", test_injected_clock);
    CU_add_test(s, "a paged walk", test_paged_walk);
    CU_add_test(s, "from a signal handler", test_signal_handler);
    return or_test_run();
}
