/* HTTP/2 multiplexing: against a server that offers h2 over TLS
 * (tests/integration/h2_server.py, nginx), the calls of one handle share one
 * connection as streams, in run mode and in socket mode, rather than
 * opening a connection per call in flight (what HTTP/1.1 needs, tested
 * against the stand-in server in test_async.c). The client trusts the
 * server's throw-away CA through openrouter_client_options.ca_bundle_file
 * (issue 12's transport options, branch ergonomics); built without that
 * option the suite says so and runs nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include <openrouter/openrouter.h>

#include "async_test.h"
#include "helper_proc.h"
#include "test_util.h"

#define H2_SERVER_SCRIPT OR_SOURCE_DIR "/tests/integration/h2_server.py"
#define CALLS 48

#if OPENROUTER_CLIENT_OPTIONS_VERSION >= 2 /* ca_bundle_file */

static helper_proc h2;

static openrouter_client *h2_client(void)
{
    char base[64], ca[128];
    snprintf(base, sizeof base, "https://127.0.0.1:%d/api/v1", h2.port);
    openrouter_client_options o = or_test_client_options(base, NULL);
    o.ca_bundle_file = helper_path(&h2, "ca.pem", ca, sizeof ca);
    return or_test_client_from(&o);
}

/* The server's log since `skip` lines: requests (all HTTP/2.0 GETs of the
 * key list, else -1) and the distinct connections they came on. */
static int count_log(int skip, int *connections)
{
    char *log = helper_events(&h2);
    long seen[CALLS];
    int requests = 0, n_seen = 0, line = 0;
    *connections = 0;
    for (char *p = log, *nl; *p; p = nl + 1, line++) {
        nl = strchr(p, '\n');
        if (!nl)
            break;
        *nl = '\0';
        if (line < skip)
            continue;
        long conn = -1;
        char method[8] = "", proto[16] = "";
        if (sscanf(p, "%ld %7s %*s %15s", &conn, method, proto) != 3 || strcmp(method, "GET") != 0 ||
            strcmp(proto, "HTTP/2.0") != 0 || requests == CALLS) {
            fprintf(stderr, "\n  unexpected server log line: %s\n", p);
            requests = -1;
            break;
        }
        requests++;
        int known = 0;
        for (int i = 0; i < n_seen; i++)
            known |= seen[i] == conn;
        if (!known)
            seen[n_seen++] = conn;
    }
    *connections = n_seen;
    free(log);
    return requests;
}

/* CALLS key lists at once (32 in flight) on a fresh handle, all answered. */
static void run_calls(openrouter_async *a, or_test_loop *loop)
{
    or_test_done d[CALLS];
    for (int i = 0; i < CALLS; i++) {
        d[i] = (or_test_done)OR_TEST_DONE_INIT;
        openrouter_error err = OPENROUTER_ERROR_INIT;
        CU_ASSERT_EQUAL(openrouter_async_start(a, &openrouter_list_keys_operation, NULL, NULL, or_test_done_fn,
                                               &d[i], NULL, &err),
                        OPENROUTER_OK);
        openrouter_error_clear(&err);
    }
    int left = loop ? or_test_loop_run(loop, a, 30000) : openrouter_async_run(a, 30000);
    CU_ASSERT_EQUAL(left, 0);
    for (int i = 0; i < CALLS; i++) {
        CU_ASSERT_EQUAL(d[i].calls, 1);
        CU_ASSERT_EQUAL(d[i].rc, OPENROUTER_OK);
        if (d[i].rc != OPENROUTER_OK)
            fprintf(stderr, "\n  call %d: %s\n", i, d[i].err.message);
        or_test_done_clear(&d[i]);
    }
}

static void check_one_connection(int skip)
{
    helper_wait_events(&h2, skip + CALLS);
    int connections = 0;
    CU_ASSERT_EQUAL(count_log(skip, &connections), CALLS);
    CU_ASSERT_EQUAL(connections, 1);
    fprintf(stderr, "\n  %d calls, 32 in flight: %d connection(s), HTTP/2\n", CALLS, connections);
}

static int lines_so_far(void)
{
    char *log = helper_events(&h2);
    int n = 0;
    for (char *p = log; *p; p++)
        n += *p == '\n';
    free(log);
    return n;
}

static void test_multiplexed_run_mode(void)
{
    openrouter_client *c = h2_client();
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    openrouter_async *a = or_test_async(c, 32);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    int skip = lines_so_far();
    run_calls(a, NULL);
    check_one_connection(skip);
    openrouter_async_free(a);
    openrouter_client_free(c);
}

static void test_multiplexed_socket_mode(void)
{
    openrouter_client *c = h2_client();
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    or_test_loop loop;
    or_test_loop_init(&loop);
    openrouter_async_options o = or_test_loop_options(&loop);
    o.max_in_flight = 32;
    openrouter_async *a = NULL;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    CU_ASSERT_EQUAL_FATAL(openrouter_async_new(&a, c, &o, &err), OPENROUTER_OK);
    int skip = lines_so_far();
    run_calls(a, &loop);
    check_one_connection(skip);
    CU_ASSERT_EQUAL(loop.max_fds, 1); /* one socket to watch for all of them */
    openrouter_async_free(a);
    openrouter_client_free(c);
}

int main(void)
{
    if (openrouter_global_init() != OPENROUTER_OK || CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    if (helper_start(&h2, H2_SERVER_SCRIPT, NULL) != 0) {
        fprintf(stderr, "test_async_h2: %s did not start (nginx with TLS and HTTP/2 is needed: "
                        "scripts/deps installs nginx-light)\n", H2_SERVER_SCRIPT);
        helper_stop(&h2);
        return 1;
    }
    CU_pSuite s = CU_add_suite("async over HTTP/2", NULL, NULL);
    CU_add_test(s, "calls multiplexed on one connection (run mode)", test_multiplexed_run_mode);
    CU_add_test(s, "calls multiplexed on one connection (socket mode)", test_multiplexed_socket_mode);
    int rc = or_test_run();
    helper_stop(&h2);
    openrouter_global_cleanup();
    return rc;
}

#else

int main(void)
{
    fprintf(stderr, "test_async_h2: openrouter_client_options has no ca_bundle_file in this build "
                    "(issue 12, branch ergonomics); nothing run\n");
    return 0;
}

#endif
