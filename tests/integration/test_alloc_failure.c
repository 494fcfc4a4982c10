/* Allocation failure along every operation's path: for each operation, on
 * its success path and on an HTTP error path (an error body with code,
 * message and metadata to parse), fail the library's Nth allocation for
 * N = 1, 2, ... until the call no longer reaches N allocations. Every
 * failing run must end in a clean OPENROUTER_ENOMEM with *out NULL, and the
 * run after the last one must give the normal result. Leaks are caught by
 * the valgrind and ASan variants of this suite. Client creation gets the
 * same treatment, and so does a non-blocking get in run mode, whose socket
 * table falls back to curl_multi_perform when it cannot grow. The failing allocator (tests/support/fail_alloc.c) goes
 * in through openrouter_set_allocator; libcurl and json-c allocate outside
 * it and are not failed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include <openrouter/openrouter.h>

#include "async_impl.h"
#include "internal.h"
#include "fail_alloc.h"
#include "stub_server.h"
#include "test_util.h"

static stub_server srv;

enum { OP_LIST, OP_CREATE, OP_GET, OP_UPDATE, OP_DELETE, OP_CURRENT, N_OPS };
static const char *const op_ids[N_OPS] = {"listKeys", "createKey", "getKey",
                                          "updateKey", "deleteKey", "getCurrentKeyMetadata"};
#define HASH "alloc-fixture"
#define MAX_N 5000

static openrouter_client *new_client(void)
{
    openrouter_client_options o = OPENROUTER_CLIENT_OPTIONS_INIT;
    o.api_key = STUB_MANAGEMENT_KEY;
    o.base_url = srv.base_url;
    o.app_title = "Alloc Test";
    openrouter_client *c = NULL;
    if (openrouter_client_new(&c, &o, NULL) != OPENROUTER_OK)
        return NULL;
    return c;
}

static int run(openrouter_client *c, int op, openrouter_error *err, int *got_out)
{
    void *out = NULL;
    int rc;
    switch (op) {
    case OP_LIST: {
        openrouter_list_keys_request r = OPENROUTER_LIST_KEYS_REQUEST_INIT;
        r.include_disabled = OPENROUTER_BOOL(true);
        r.offset = OPENROUTER_INT64(0);
        rc = openrouter_list_keys(c, &r, (openrouter_key_list **)&out, NULL, err);
        *got_out = out != NULL;
        openrouter_key_list_free(out);
        break;
    }
    case OP_CREATE: {
        openrouter_create_key_request r = OPENROUTER_CREATE_KEY_REQUEST_INIT;
        r.body.name = OPENROUTER_STRING("alloc");
        r.body.limit = OPENROUTER_NUMBER(12.5);
        r.body.limit_reset.state = OPENROUTER_PRESENT;
        r.body.limit_reset.value = OPENROUTER_LIMIT_RESET_WEEKLY;
        r.body.expires_at = OPENROUTER_DATETIME("2030-01-01T00:00:00Z");
        rc = openrouter_create_key(c, &r, (openrouter_created_key **)&out, NULL, err);
        *got_out = out != NULL;
        openrouter_created_key_free(out);
        break;
    }
    case OP_GET: {
        openrouter_get_key_request r = OPENROUTER_GET_KEY_REQUEST_INIT;
        r.hash = HASH;
        rc = openrouter_get_key(c, &r, (openrouter_key_response **)&out, NULL, err);
        *got_out = out != NULL;
        openrouter_key_response_free(out);
        break;
    }
    case OP_UPDATE: {
        openrouter_update_key_request r = OPENROUTER_UPDATE_KEY_REQUEST_INIT;
        r.hash = HASH;
        r.body.name = OPENROUTER_STRING("renamed");
        r.body.limit.state = OPENROUTER_NULL;
        r.x_openrouter_title = OPENROUTER_STRING("Per-call title");
        rc = openrouter_update_key(c, &r, (openrouter_key_response **)&out, NULL, err);
        *got_out = out != NULL;
        openrouter_key_response_free(out);
        break;
    }
    case OP_DELETE: {
        openrouter_delete_key_request r = OPENROUTER_DELETE_KEY_REQUEST_INIT;
        r.hash = HASH;
        rc = openrouter_delete_key(c, &r, (openrouter_delete_key_response **)&out, NULL, err);
        *got_out = out != NULL;
        openrouter_delete_key_response_free(out);
        break;
    }
    default:
        rc = openrouter_get_current_key_metadata(c, NULL, (openrouter_current_key_response **)&out, NULL, err);
        *got_out = out != NULL;
        openrouter_current_key_response_free(out);
        break;
    }
    return rc;
}

static const char *ERROR_FAULT =
    "{\"faults\":[{\"status\":400,\"body\":{\"error\":{\"code\":\"bad_thing\",\"message\":\"Bad thing "
    "happened\",\"metadata\":{\"raw\":\"<html>upstream</html>\",\"list\":[1,2,3]}}}}]}";

/* Runs one operation with the Nth allocation failing, for every N.
 * Returns the number of allocations the full path makes. */
static long sweep(int op, int error_path)
{
    int expected = error_path ? OPENROUTER_EHTTP : OPENROUTER_OK;
    long n;
    int failures = 0;
    for (n = 1; n <= MAX_N; n++) {
        CU_ASSERT_EQUAL_FATAL(stub_clear_faults(&srv), 0);
        CU_ASSERT_EQUAL_FATAL(stub_add_key(&srv, "{\"hash\":\"" HASH "\",\"name\":\"fixture\"}", NULL, 0), 0);
        if (error_path)
            CU_ASSERT_EQUAL_FATAL(stub_add_faults(&srv, ERROR_FAULT), 0);
        openrouter_client *c = new_client();
        CU_ASSERT_PTR_NOT_NULL_FATAL(c);
        openrouter_error err = OPENROUTER_ERROR_INIT;
        int got_out = 0;
        or_test_fail_alloc(n);
        int rc = run(c, op, &err, &got_out);
        long made = or_test_fail_alloc(0);
        int triggered = made >= n;
        if (!triggered) {
            /* The path needs fewer than n allocations: the normal result. */
            CU_ASSERT_EQUAL(rc, expected);
            CU_ASSERT_EQUAL(got_out, expected == OPENROUTER_OK);
            if (error_path) {
                CU_ASSERT_EQUAL(err.http_status, 400);
                CU_ASSERT(err.api_message && strcmp(err.api_message, "Bad thing happened") == 0);
            }
            openrouter_error_clear(&err);
            openrouter_client_free(c);
            break;
        }
        int ok = rc == OPENROUTER_ENOMEM && err.kind == OPENROUTER_ENOMEM && !got_out && err.message[0] &&
                 strstr(err.message, "out of memory") != NULL;
        CU_ASSERT(ok);
        if (!ok && failures++ < 5)
            fprintf(stderr, "\n  %s%s: allocation %ld failed -> rc=%s out=%d message=\"%s\"\n", op_ids[op],
                    error_path ? " (error path)" : "", n, openrouter_status_name(rc), got_out, err.message);
        openrouter_error_clear(&err);
        /* The same client still works once memory is back. */
        if (n % 7 == 1) {
            openrouter_error again = OPENROUTER_ERROR_INIT;
            CU_ASSERT_EQUAL_FATAL(stub_clear_faults(&srv), 0);
            CU_ASSERT_EQUAL_FATAL(stub_add_key(&srv, "{\"hash\":\"" HASH "\",\"name\":\"fixture\"}", NULL, 0), 0);
            CU_ASSERT_EQUAL(run(c, op, &again, &got_out), OPENROUTER_OK);
            openrouter_error_clear(&again);
        }
        openrouter_client_free(c);
    }
    CU_ASSERT(n > 1 && n <= MAX_N);
    return n - 1;
}

static long totals[N_OPS][2];

static void test_every_operation(void)
{
    for (int op = 0; op < N_OPS; op++)
        for (int error_path = 0; error_path < 2; error_path++)
            totals[op][error_path] = sweep(op, error_path);
    fprintf(stderr, "\n");
    for (int op = 0; op < N_OPS; op++)
        fprintf(stderr, "  %-22s %3ld allocations on the success path, %3ld on the error path\n", op_ids[op],
                totals[op][0], totals[op][1]);
}

static void test_client_new(void)
{
    long n;
    for (n = 1; n <= MAX_N; n++) {
        openrouter_client_options o = OPENROUTER_CLIENT_OPTIONS_INIT;
        o.api_key = STUB_MANAGEMENT_KEY;
        o.base_url = srv.base_url;
        o.app_title = "Alloc Test";
        o.http_referer = "https://example.test/";
        openrouter_client *c = NULL;
        openrouter_error err = OPENROUTER_ERROR_INIT;
        or_test_fail_alloc(n);
        int rc = openrouter_client_new(&c, &o, &err);
        long made = or_test_fail_alloc(0);
        if (made < n) {
            CU_ASSERT_EQUAL(rc, OPENROUTER_OK);
            CU_ASSERT_PTR_NOT_NULL(c);
            openrouter_client_free(c);
            openrouter_error_clear(&err);
            break;
        }
        CU_ASSERT_EQUAL(rc, OPENROUTER_ENOMEM);
        CU_ASSERT_PTR_NULL(c);
        if (rc != OPENROUTER_ENOMEM)
            fprintf(stderr, "\n  client_new allocation %ld: rc=%s %s\n", n, openrouter_status_name(rc),
                    err.message);
        openrouter_client_free(c);
        openrouter_error_clear(&err);
    }
    CU_ASSERT(n > 1 && n <= MAX_N);
    fprintf(stderr, "\n  openrouter_client_new: %ld allocations\n", n - 1);
}

typedef struct {
    int calls, rc, got_out;
    char message[OPENROUTER_ERROR_MESSAGE_SIZE];
} async_outcome;

static void on_key(void *ctx, openrouter_async_call *call, int status, openrouter_key_response *result,
                   openrouter_error *error)
{
    (void)call;
    async_outcome *o = ctx;
    o->calls++;
    o->rc = status;
    o->got_out = result != NULL;
    snprintf(o->message, sizeof o->message, "%s", error->message);
    openrouter_key_response_free(result);
}

/* A non-blocking get, handle creation included, with the Nth allocation
 * failing: ENOMEM from openrouter_async_new or the start, or in the
 * callback; or the key, when what failed was the run-mode socket table
 * (the handle then performs every transfer instead, which must be seen at
 * least once). Never a hang: run() has a deadline. */
static void test_async_get(void)
{
    long n;
    int fell_back = 0;
    for (n = 1; n <= MAX_N; n++) {
        CU_ASSERT_EQUAL_FATAL(stub_clear_faults(&srv), 0);
        CU_ASSERT_EQUAL_FATAL(stub_add_key(&srv, "{\"hash\":\"" HASH "\",\"name\":\"fixture\"}", NULL, 0), 0);
        openrouter_client *c = new_client();
        CU_ASSERT_PTR_NOT_NULL_FATAL(c);
        openrouter_error err = OPENROUTER_ERROR_INIT;
        async_outcome got = {0};
        openrouter_async *a = NULL;
        openrouter_get_key_request r = OPENROUTER_GET_KEY_REQUEST_INIT;
        r.hash = HASH;
        or_test_fail_alloc(n);
        int rc = openrouter_async_new(&a, c, NULL, &err);
        if (rc == OPENROUTER_OK)
            rc = openrouter_get_key_start(a, &r, NULL, on_key, &got, NULL, &err);
        if (rc == OPENROUTER_OK) {
            CU_ASSERT_EQUAL(openrouter_async_run(a, 10000), 0);
            CU_ASSERT_EQUAL(got.calls, 1);
            rc = got.rc;
            snprintf(err.message, sizeof err.message, "%s", got.message);
            if (rc == OPENROUTER_OK && a->watch_lost)
                fell_back = 1;
        }
        long made = or_test_fail_alloc(0);
        if (made < n) {
            CU_ASSERT_EQUAL(rc, OPENROUTER_OK);
            CU_ASSERT_EQUAL(got.got_out, 1);
            openrouter_async_free(a);
            openrouter_client_free(c);
            break;
        }
        int ok = (rc == OPENROUTER_OK && got.got_out) ||
                 (rc == OPENROUTER_ENOMEM && !got.got_out && strstr(err.message, "out of memory") != NULL);
        CU_ASSERT(ok);
        if (!ok)
            fprintf(stderr, "\n  async get: allocation %ld failed -> rc=%s out=%d message=\"%s\"\n", n,
                    openrouter_status_name(rc), got.got_out, err.message);
        openrouter_error_clear(&err);
        openrouter_async_free(a);
        openrouter_client_free(c);
    }
    CU_ASSERT(n > 1 && n <= MAX_N);
    CU_ASSERT(fell_back);
    fprintf(stderr, "\n  non-blocking get (handle included): %ld allocations\n", n - 1);
}

static int suite_init(void) { return stub_start(&srv, 3); }
static int suite_clean(void) { stub_stop(&srv); return 0; }

int main(void)
{
    if (or_test_fail_alloc_install(NULL) != 0)
        return 1;
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("allocation failure", suite_init, suite_clean);
    CU_add_test(s, "client creation fails cleanly at every allocation", test_client_new);
    CU_add_test(s, "every operation fails cleanly at every allocation", test_every_operation);
    CU_add_test(s, "a non-blocking get fails cleanly at every allocation", test_async_get);
    return or_test_run();
}
