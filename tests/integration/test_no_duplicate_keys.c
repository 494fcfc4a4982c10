/* No duplicate keys: 1,000 creates (100 under valgrind), each under a fault
 * picked by a seeded PRNG:
 *   - HTTP 500 sent after the server stored the key,
 *   - a response delayed past the call's timeout after the key was stored,
 *   - the connection reset after the key was stored,
 *   - HTTP 429 one to three times (nothing stored while refused),
 *   - connection refused (a client pointed at a closed port).
 * With the default policy a create is retried only when the server cannot
 * have created anything, so:
 *   - no name is ever stored twice;
 *   - every failure says whether the request may have been processed, and
 *     that flag is set exactly for the faults after which a key may exist;
 *   - a failure with the flag clear has no key on the server;
 *   - reconciling the flagged failures by listing keys by name (through the
 *     public API) finds each of them, after which the number of keys the
 *     server holds equals the number of creates the client knows succeeded. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <json-c/json.h>

#include <openrouter/openrouter.h>

#include "stub_server.h"
#include "test_util.h"

static stub_server srv;
static int closed_fd = -1;
static int closed_port;

static int64_t fake_now;
static long total_wait;
static int64_t clock_now(void *ctx) { (void)ctx; return fake_now; }
static void clock_sleep(void *ctx, long ms) { (void)ctx; fake_now += ms; total_wait += ms; }
static double clock_random(void *ctx) { (void)ctx; return 0.5; }
static const openrouter_clock test_clock = {clock_now, clock_sleep, clock_random, NULL};

static uint64_t rng = UINT64_C(0x2545F4914F6CDD1D); /* fixed seed: reproducible */
static uint32_t next_rand(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return (uint32_t)((rng * UINT64_C(2685821657736338717)) >> 32);
}

enum fault { F_500_AFTER_STORE, F_TIMEOUT_AFTER_STORE, F_RESET_AFTER_STORE, F_429, F_REFUSED, N_FAULTS };
static const char *const fault_names[N_FAULTS] = {"HTTP 500 after store", "timeout after store",
                                                  "reset after store", "HTTP 429 (1-3x)",
                                                  "connection refused"};

typedef struct result {
    int fault;
    int times429;
    int rc;
    int processed;
    long http_status;
    int attempts;
    char hash[80];       /* on success */
} result;

static openrouter_client *new_client(const char *base_url)
{
    openrouter_client_options o = OPENROUTER_CLIENT_OPTIONS_INIT;
    o.api_key = STUB_MANAGEMENT_KEY;
    o.base_url = base_url;
    o.clock = &test_clock;
    openrouter_client *c = NULL;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    CU_ASSERT_EQUAL_FATAL(openrouter_client_new(&c, &o, &err), OPENROUTER_OK);
    openrouter_error_clear(&err);
    return c;
}

/* Lists every key through the public API (pages of 100) and returns, for
 * each create index, how many keys carry its name. */
static int list_names(openrouter_client *c, int n, int *count_by_index, int *total)
{
    *total = 0;
    openrouter_list_keys_request req = OPENROUTER_LIST_KEYS_REQUEST_INIT;
    req.include_disabled = OPENROUTER_BOOL(true);
    for (int64_t offset = 0;; offset += 100) {
        req.offset = OPENROUTER_INT64(offset);
        openrouter_key_list *page = NULL;
        openrouter_error err = OPENROUTER_ERROR_INIT;
        int rc = openrouter_list_keys(c, &req, &page, NULL, &err);
        openrouter_error_clear(&err);
        if (rc != OPENROUTER_OK)
            return -1;
        size_t got = page->data.count;
        for (size_t i = 0; i < got; i++) {
            const char *name = page->data.items[i].name.value;
            int idx = -1;
            if (name && sscanf(name, "nodup-%d", &idx) == 1 && idx >= 0 && idx < n)
                count_by_index[idx]++;
            (*total)++;
        }
        openrouter_key_list_free(page);
        if (got < 100)
            return 0;
    }
}

static void test_no_duplicate_keys(void)
{
    const int n = or_test_under_valgrind() ? 100 : 1000;
    const long timeout_ms = or_test_under_valgrind() ? 1000 : 100;
    const long delay_ms = or_test_under_valgrind() ? 2500 : 400;
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 0), 0);
    char refused_url[128];
    snprintf(refused_url, sizeof refused_url, "http://127.0.0.1:%d/api/v1", closed_port);
    openrouter_client *c = new_client(srv.base_url);
    openrouter_client *dead = new_client(refused_url);
    result *res = calloc((size_t)n, sizeof *res);
    int *found = calloc((size_t)n, sizeof *found);
    CU_ASSERT_PTR_NOT_NULL_FATAL(res);
    CU_ASSERT_PTR_NOT_NULL_FATAL(found);
    int per_fault[N_FAULTS] = {0}, ok_by_fault[N_FAULTS] = {0};

    for (int i = 0; i < n; i++) {
        result *r = &res[i];
        r->fault = (int)(next_rand() % N_FAULTS);
        per_fault[r->fault]++;
        char f[256] = "";
        openrouter_call_options co = OPENROUTER_CALL_OPTIONS_INIT;
        switch (r->fault) {
        case F_500_AFTER_STORE:
            snprintf(f, sizeof f, "{\"status\":500,\"apply_then\":true}");
            break;
        case F_TIMEOUT_AFTER_STORE:
            snprintf(f, sizeof f, "{\"delay_ms\":%ld,\"apply_then\":true}", delay_ms);
            co.timeout_ms = timeout_ms;
            break;
        case F_RESET_AFTER_STORE:
            snprintf(f, sizeof f, "{\"close_before_response\":true,\"apply_then\":true}");
            break;
        case F_429:
            r->times429 = 1 + (int)(next_rand() % 3);
            snprintf(f, sizeof f, "{\"status\":429,\"times\":%d}", r->times429);
            break;
        default:
            break;
        }
        if (f[0])
            CU_ASSERT_EQUAL_FATAL(stub_add_faults(&srv, f), 0);
        char name[32];
        snprintf(name, sizeof name, "nodup-%04d", i);
        openrouter_create_key_request req = OPENROUTER_CREATE_KEY_REQUEST_INIT;
        req.body.name = OPENROUTER_STRING(name);
        openrouter_created_key *out = NULL;
        openrouter_error err = OPENROUTER_ERROR_INIT;
        r->rc = openrouter_create_key(r->fault == F_REFUSED ? dead : c, &req, &out, &co, &err);
        r->processed = err.request_may_have_been_processed;
        r->http_status = err.http_status;
        r->attempts = err.attempts;
        if (r->rc == OPENROUTER_OK) {
            CU_ASSERT_PTR_NOT_NULL_FATAL(out);
            snprintf(r->hash, sizeof r->hash, "%s", out->data.value.hash.value);
            ok_by_fault[r->fault]++;
        } else {
            CU_ASSERT_PTR_NULL(out);
            /* The failure says what happened, without the key. */
            CU_ASSERT(err.message[0] != '\0');
            CU_ASSERT_PTR_NULL(strstr(err.message, STUB_MANAGEMENT_KEY));
        }
        openrouter_created_key_free(out);
        openrouter_error_clear(&err);
        /* Leftover faults (none expected) must not hit the next create. */
        if (r->fault == F_429 && r->times429 == 3)
            CU_ASSERT_EQUAL(stub_clear_faults(&srv), 0);
    }

    /* Each fault's expected report. */
    int bad = 0;
    for (int i = 0; i < n; i++) {
        const result *r = &res[i];
        int rc_ok = 0;
        switch (r->fault) {
        case F_500_AFTER_STORE:
            rc_ok = r->rc == OPENROUTER_EHTTP && r->http_status == 500 && r->processed == 1 && r->attempts == 1;
            break;
        case F_TIMEOUT_AFTER_STORE:
            rc_ok = r->rc == OPENROUTER_ETIMEOUT && r->processed == 1 && r->attempts == 1;
            break;
        case F_RESET_AFTER_STORE:
            rc_ok = r->rc == OPENROUTER_ETRANSPORT && r->processed == 1 && r->attempts == 1;
            break;
        case F_429:
            /* Retried (the default allows 3 attempts): succeeds unless all three were refused. */
            rc_ok = r->times429 < 3 ? (r->rc == OPENROUTER_OK && r->attempts == r->times429 + 1)
                                    : (r->rc == OPENROUTER_EHTTP && r->http_status == 429 &&
                                       r->processed == 0 && r->attempts == 3);
            break;
        case F_REFUSED:
            rc_ok = r->rc == OPENROUTER_ETRANSPORT && r->processed == 0 && r->attempts == 3;
            break;
        }
        if (!rc_ok) {
            bad++;
            if (bad <= 10)
                fprintf(stderr, "\n  create %d (%s): rc=%s status=%ld processed=%d attempts=%d\n", i,
                        fault_names[r->fault], openrouter_status_name(r->rc), r->http_status, r->processed,
                        r->attempts);
        }
    }
    CU_ASSERT_EQUAL(bad, 0);

    /* What the server holds, by name, listed through the public API. */
    int total = 0;
    CU_ASSERT_EQUAL_FATAL(list_names(c, n, found, &total), 0);
    CU_ASSERT_EQUAL(total, stub_count_keys(&srv));
    int successes = 0, flagged = 0, reconciled = 0, dupes = 0, orphans = 0, lost = 0;
    for (int i = 0; i < n; i++) {
        const result *r = &res[i];
        if (found[i] > 1)
            dupes++;
        if (r->rc == OPENROUTER_OK) {
            successes++;
            if (found[i] != 1)
                lost++;
        } else if (r->processed) {
            flagged++;
            if (found[i] == 1)
                reconciled++; /* the caller adopts (or deletes) it */
        } else if (found[i] != 0) {
            orphans++; /* a key the caller was told cannot exist */
        }
    }
    CU_ASSERT_EQUAL(dupes, 0);
    CU_ASSERT_EQUAL(orphans, 0);
    CU_ASSERT_EQUAL(lost, 0);
    /* Our "after store" faults always stored: every flagged failure is found. */
    CU_ASSERT_EQUAL(reconciled, flagged);
    CU_ASSERT_EQUAL(total, successes + reconciled);
    fprintf(stderr,
            "\n  %d creates: %d reported successful, %d failed with request_may_have_been_processed=1"
            " (%d found by name), %d failed with it 0; server holds %d keys = %d + %d; duplicates %d,"
            " orphans %d; waits asked of the clock %ld ms\n",
            n, successes, flagged, reconciled, n - successes - flagged, total, successes, reconciled, dupes,
            orphans, total_wait);
    for (int f = 0; f < N_FAULTS; f++)
        fprintf(stderr, "    %-22s %4d creates, %4d succeeded\n", fault_names[f], per_fault[f], ok_by_fault[f]);
    free(found);
    free(res);
    openrouter_client_free(dead);
    openrouter_client_free(c);
}

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

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("no duplicate keys", suite_init, suite_clean);
    CU_add_test(s, "creates under random faults never duplicate and always reconcile", test_no_duplicate_keys);
    return or_test_run();
}
