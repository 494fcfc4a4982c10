/* Retry timing and decisions: pure functions of retry.c, no network. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <CUnit/Basic.h>
#include <curl/curl.h>

#include "internal.h"
#include "test_util.h"

static openrouter_retry_policy policy(long initial, long max_delay, double mult)
{
    openrouter_retry_policy p = OPENROUTER_RETRY_POLICY_INIT;
    p.initial_delay_ms = initial;
    p.max_delay_ms = max_delay;
    p.multiplier = mult;
    return p;
}

/* ---- backoff ------------------------------------------------------------- */

static void test_backoff_bounds(void)
{
    openrouter_retry_policy p = policy(500, 30000, 2.0);
    for (int n = 1; n <= 10; n++) {
        double base = 500.0;
        for (int i = 1; i < n; i++)
            base *= 2.0;
        double cap = base < 30000.0 ? base : 30000.0;
        CU_ASSERT_EQUAL(openrouter_backoff_delay_ms(&p, n, 0.0), 0);
        long hi = openrouter_backoff_delay_ms(&p, n, 0.999999);
        CU_ASSERT(hi <= (long)cap);
        CU_ASSERT(hi >= (long)(cap * 0.999999) - 1);
        long mid = openrouter_backoff_delay_ms(&p, n, 0.5);
        CU_ASSERT_EQUAL(mid, (long)(cap * 0.5));
        /* Monotone in the unit. */
        CU_ASSERT(openrouter_backoff_delay_ms(&p, n, 0.25) <= mid);
    }
    /* n = 7: 500 * 64 = 32000 is over the cap. */
    CU_ASSERT_EQUAL(openrouter_backoff_delay_ms(&p, 7, 0.999999), (long)(30000 * 0.999999));
    CU_ASSERT_EQUAL(openrouter_backoff_delay_ms(&p, 1, 0.999999), (long)(500 * 0.999999));
    CU_ASSERT_EQUAL(openrouter_backoff_delay_ms(&p, 2, 0.5), 500);
    CU_ASSERT_EQUAL(openrouter_backoff_delay_ms(&p, 3, 0.5), 1000);
}

static void test_backoff_multiplier_and_cap(void)
{
    openrouter_retry_policy one = policy(200, 30000, 1.0);
    for (int n = 1; n <= 10; n++)
        CU_ASSERT_EQUAL(openrouter_backoff_delay_ms(&one, n, 0.5), 100);
    openrouter_retry_policy three = policy(100, 1000000, 3.0);
    CU_ASSERT_EQUAL(openrouter_backoff_delay_ms(&three, 4, 0.5), 1350); /* 100*27/2 */
    openrouter_retry_policy small_cap = policy(1000, 300, 2.0);
    CU_ASSERT_EQUAL(openrouter_backoff_delay_ms(&small_cap, 1, 0.999999), (long)(300 * 0.999999));
    /* Huge exponents and multipliers neither overflow nor go negative. */
    openrouter_retry_policy huge = policy(1000, 60000, 1e6);
    for (int n = 1; n <= 1000; n += 37) {
        long d = openrouter_backoff_delay_ms(&huge, n, 0.999999);
        CU_ASSERT(d >= 0 && d <= 60000);
    }
    CU_ASSERT(openrouter_backoff_delay_ms(&huge, 2147483647, 0.999999) <= 60000);
    /* Degenerate inputs. */
    openrouter_retry_policy zero = policy(0, 30000, 2.0);
    CU_ASSERT_EQUAL(openrouter_backoff_delay_ms(&zero, 5, 0.9), 0);
    CU_ASSERT_EQUAL(openrouter_backoff_delay_ms(NULL, 1, 0.5), 0);
    openrouter_retry_policy p = policy(500, 30000, 2.0);
    CU_ASSERT_EQUAL(openrouter_backoff_delay_ms(&p, 0, 0.5), 250); /* n < 1 acts as 1 */
    CU_ASSERT(openrouter_backoff_delay_ms(&p, 1, 1.0) < 500);      /* unit clamped below 1 */
    CU_ASSERT_EQUAL(openrouter_backoff_delay_ms(&p, 1, -3.0), 0);
    CU_ASSERT_EQUAL(openrouter_backoff_delay_ms(&p, 1, NAN), 0);
}

/* ---- Retry-After ---------------------------------------------------------- */

static void http_date(time_t t, char *buf, size_t size)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, size, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

static void test_retry_after_seconds(void)
{
    CU_ASSERT_EQUAL(openrouter_parse_retry_after("120", 0), 120000);
    CU_ASSERT_EQUAL(openrouter_parse_retry_after("0", 0), 0);
    CU_ASSERT_EQUAL(openrouter_parse_retry_after(" 5 ", 0), 5000);
    CU_ASSERT_EQUAL(openrouter_parse_retry_after("1", 1700000000), 1000);
    /* Huge values are capped, never negative or wrapped. */
    long big = openrouter_parse_retry_after("99999999999999999999999", 0);
    CU_ASSERT(big > 0);
    CU_ASSERT(big % 1000 == 0);
    long four_g = openrouter_parse_retry_after("4294967296", 0);
    CU_ASSERT(four_g > 0 && four_g <= big);
    if (sizeof(long) >= 8)
        CU_ASSERT_EQUAL(four_g, 4294967296000L);
}

static void test_retry_after_garbage(void)
{
    CU_ASSERT_EQUAL(openrouter_parse_retry_after(NULL, 0), -1);
    CU_ASSERT_EQUAL(openrouter_parse_retry_after("", 0), -1);
    CU_ASSERT_EQUAL(openrouter_parse_retry_after("   ", 0), -1);
    CU_ASSERT_EQUAL(openrouter_parse_retry_after("-5", 0), -1);
    CU_ASSERT_EQUAL(openrouter_parse_retry_after("+5", 0), -1);
    CU_ASSERT_EQUAL(openrouter_parse_retry_after("1.5", 0), -1);
    CU_ASSERT_EQUAL(openrouter_parse_retry_after("12abc", 0), -1);
    CU_ASSERT_EQUAL(openrouter_parse_retry_after("soon", 0), -1);
    CU_ASSERT_EQUAL(openrouter_parse_retry_after("Wed, 32 Oct 2015 07:28:00 GMT", 0), -1);
    CU_ASSERT_EQUAL(openrouter_parse_retry_after("Wed, 21 Oct 2015 07:28:00 PST", 0), -1);
}

static void test_retry_after_http_date(void)
{
    time_t now = 1761000000; /* a fixed "now" */
    char buf[64];
    http_date(now + 30, buf, sizeof buf);
    CU_ASSERT_EQUAL(openrouter_parse_retry_after(buf, (int64_t)now), 30000);
    http_date(now, buf, sizeof buf);
    CU_ASSERT_EQUAL(openrouter_parse_retry_after(buf, (int64_t)now), 0);
    /* A date in the past means "now", not a negative wait. */
    http_date(now - 3600, buf, sizeof buf);
    CU_ASSERT_EQUAL(openrouter_parse_retry_after(buf, (int64_t)now), 0);
    CU_ASSERT_EQUAL(openrouter_parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", (int64_t)now), 0);
    /* The RFC 9110 example, relative to one second before it. */
    CU_ASSERT_EQUAL(openrouter_parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1445412479), 1000);
}

static void test_retry_after_ms(void)
{
    CU_ASSERT_EQUAL(or_parse_retry_after_ms("1500"), 1500);
    CU_ASSERT_EQUAL(or_parse_retry_after_ms(" 0 "), 0);
    CU_ASSERT_EQUAL(or_parse_retry_after_ms("250.75"), 250);
    CU_ASSERT_EQUAL(or_parse_retry_after_ms("-1"), -1);
    CU_ASSERT_EQUAL(or_parse_retry_after_ms("abc"), -1);
    CU_ASSERT_EQUAL(or_parse_retry_after_ms("1."), -1);
    CU_ASSERT_EQUAL(or_parse_retry_after_ms(""), -1);
    CU_ASSERT_EQUAL(or_parse_retry_after_ms(NULL), -1);
    CU_ASSERT(or_parse_retry_after_ms("999999999999999999999999") > 0);
}

/* ---- decisions -------------------------------------------------------------- */

static void test_decision_table(void)
{
    static const struct {
        long status;
        int idem;     /* idempotent op retries? */
        int post;     /* non-idempotent, default policy */
        int post_opt; /* non-idempotent with retry_non_idempotent */
    } rows[] = {
        {400, 0, 0, 0}, {401, 0, 0, 0}, {403, 0, 0, 0}, {404, 0, 0, 0}, {408, 1, 0, 1},
        {409, 0, 0, 0}, {429, 1, 1, 1}, {500, 1, 0, 1}, {502, 1, 0, 1}, {503, 1, 0, 1},
        {504, 1, 0, 1}, {200, 0, 0, 0}, {201, 0, 0, 0}, {301, 0, 0, 0}, {302, 0, 0, 0},
        {422, 0, 0, 0}, {599, 1, 0, 1}, {600, 0, 0, 0},
    };
    openrouter_retry_policy def = OPENROUTER_RETRY_POLICY_INIT;
    openrouter_retry_policy opt = OPENROUTER_RETRY_POLICY_INIT;
    opt.retry_non_idempotent = 1;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        long s = rows[i].status;
        int got_idem = or_retry_should(&def, 1, s, OPENROUTER_OK, 0);
        int got_idem_opt = or_retry_should(&opt, 1, s, OPENROUTER_OK, 0);
        int got_post = or_retry_should(&def, 0, s, OPENROUTER_OK, 0);
        int got_post_opt = or_retry_should(&opt, 0, s, OPENROUTER_OK, 0);
        if (got_idem != rows[i].idem || got_idem_opt != rows[i].idem || got_post != rows[i].post ||
            got_post_opt != rows[i].post_opt)
            fprintf(stderr, "\nstatus %ld: idem %d/%d post %d/%d\n", s, got_idem, got_idem_opt, got_post,
                    got_post_opt);
        CU_ASSERT_EQUAL(got_idem, rows[i].idem);
        CU_ASSERT_EQUAL(got_idem_opt, rows[i].idem);
        CU_ASSERT_EQUAL(got_post, rows[i].post);
        CU_ASSERT_EQUAL(got_post_opt, rows[i].post_opt);
    }
}

static void test_decision_transport(void)
{
    openrouter_retry_policy def = OPENROUTER_RETRY_POLICY_INIT;
    openrouter_retry_policy opt = OPENROUTER_RETRY_POLICY_INIT;
    opt.retry_non_idempotent = 1;
    int kinds[] = {OPENROUTER_ETIMEOUT, OPENROUTER_ETRANSPORT};
    for (int k = 0; k < 2; k++) {
        /* Idempotent: always, sent or not. */
        CU_ASSERT_EQUAL(or_retry_should(&def, 1, 0, kinds[k], 0), 1);
        CU_ASSERT_EQUAL(or_retry_should(&def, 1, 0, kinds[k], 1), 1);
        /* POST: only when nothing was sent, unless opted in. */
        CU_ASSERT_EQUAL(or_retry_should(&def, 0, 0, kinds[k], 1), 1);
        CU_ASSERT_EQUAL(or_retry_should(&def, 0, 0, kinds[k], 0), 0);
        CU_ASSERT_EQUAL(or_retry_should(&opt, 0, 0, kinds[k], 0), 1);
        CU_ASSERT_EQUAL(or_retry_should(&opt, 0, 0, kinds[k], 1), 1);
    }
    /* Other kinds (decode errors, EINVAL, ENOMEM) never retry. */
    CU_ASSERT_EQUAL(or_retry_should(&opt, 1, 500, OPENROUTER_EDECODE, 1), 0);
    CU_ASSERT_EQUAL(or_retry_should(&opt, 1, 0, OPENROUTER_ENOMEM, 1), 0);
    CU_ASSERT_EQUAL(or_retry_should(&opt, 1, 0, OPENROUTER_EINVAL, 1), 0);
}

static void test_may_have_been_processed(void)
{
    /* Idempotent ops: never flagged. */
    CU_ASSERT_EQUAL(or_retry_may_have_been_processed(1, 500, OPENROUTER_OK, 0), 0);
    CU_ASSERT_EQUAL(or_retry_may_have_been_processed(1, 0, OPENROUTER_ETIMEOUT, 0), 0);
    /* POST. */
    CU_ASSERT_EQUAL(or_retry_may_have_been_processed(0, 500, OPENROUTER_OK, 0), 1);
    CU_ASSERT_EQUAL(or_retry_may_have_been_processed(0, 503, OPENROUTER_OK, 0), 1);
    CU_ASSERT_EQUAL(or_retry_may_have_been_processed(0, 201, OPENROUTER_OK, 0), 1);
    CU_ASSERT_EQUAL(or_retry_may_have_been_processed(0, 429, OPENROUTER_OK, 0), 0);
    CU_ASSERT_EQUAL(or_retry_may_have_been_processed(0, 400, OPENROUTER_OK, 0), 0);
    CU_ASSERT_EQUAL(or_retry_may_have_been_processed(0, 408, OPENROUTER_OK, 0), 0);
    CU_ASSERT_EQUAL(or_retry_may_have_been_processed(0, 0, OPENROUTER_ETIMEOUT, 0), 1);
    CU_ASSERT_EQUAL(or_retry_may_have_been_processed(0, 0, OPENROUTER_ETRANSPORT, 0), 1);
    CU_ASSERT_EQUAL(or_retry_may_have_been_processed(0, 0, OPENROUTER_ETRANSPORT, 1), 0);
    CU_ASSERT_EQUAL(or_retry_may_have_been_processed(0, 0, OPENROUTER_ETIMEOUT, 1), 0);
}

static void test_curl_codes(void)
{
    CU_ASSERT_EQUAL(or_retry_curl_code_retryable(CURLE_COULDNT_CONNECT), 1);
    CU_ASSERT_EQUAL(or_retry_curl_code_retryable(CURLE_COULDNT_RESOLVE_HOST), 1);
    CU_ASSERT_EQUAL(or_retry_curl_code_retryable(CURLE_OPERATION_TIMEDOUT), 1);
    CU_ASSERT_EQUAL(or_retry_curl_code_retryable(CURLE_GOT_NOTHING), 1);
    CU_ASSERT_EQUAL(or_retry_curl_code_retryable(CURLE_RECV_ERROR), 1);
    CU_ASSERT_EQUAL(or_retry_curl_code_retryable(CURLE_SEND_ERROR), 1);
    CU_ASSERT_EQUAL(or_retry_curl_code_retryable(CURLE_PARTIAL_FILE), 1);
    CU_ASSERT_EQUAL(or_retry_curl_code_retryable(CURLE_SSL_CONNECT_ERROR), 1);
    CU_ASSERT_EQUAL(or_retry_curl_code_retryable(CURLE_PEER_FAILED_VERIFICATION), 0);
    CU_ASSERT_EQUAL(or_retry_curl_code_retryable(CURLE_SSL_CACERT_BADFILE), 0);
    CU_ASSERT_EQUAL(or_retry_curl_code_retryable(CURLE_UNSUPPORTED_PROTOCOL), 0);
    CU_ASSERT_EQUAL(or_retry_curl_code_retryable(CURLE_URL_MALFORMAT), 0);
    CU_ASSERT_EQUAL(or_retry_curl_code_retryable(CURLE_WRITE_ERROR), 0);
    CU_ASSERT_EQUAL(or_retry_curl_code_retryable(CURLE_FILESIZE_EXCEEDED), 0);
}

static void test_next_delay(void)
{
    openrouter_retry_policy p = OPENROUTER_RETRY_POLICY_INIT; /* 3 attempts, 500 ms, x2, 60 s */
    int stop = -1;
    CU_ASSERT_EQUAL(or_retry_next_delay(&p, 1, -1, 0, 0.5, &stop), 250);
    CU_ASSERT_EQUAL(stop, OR_RETRY_GO);
    CU_ASSERT_EQUAL(or_retry_next_delay(&p, 2, -1, 0, 0.5, &stop), 500);
    CU_ASSERT_EQUAL(stop, OR_RETRY_GO);
    CU_ASSERT_EQUAL(or_retry_next_delay(&p, 3, -1, 0, 0.5, &stop), -1);
    CU_ASSERT_EQUAL(stop, OR_RETRY_STOP_ATTEMPTS);
    /* The server's wait replaces the backoff... */
    CU_ASSERT_EQUAL(or_retry_next_delay(&p, 1, 7000, 0, 0.5, &stop), 7000);
    CU_ASSERT_EQUAL(stop, OR_RETRY_GO);
    CU_ASSERT_EQUAL(or_retry_next_delay(&p, 1, 0, 0, 0.5, &stop), 0);
    /* ...unless it is longer than we are willing to wait. */
    CU_ASSERT_EQUAL(or_retry_next_delay(&p, 1, 60001, 0, 0.5, &stop), -1);
    CU_ASSERT_EQUAL(stop, OR_RETRY_STOP_RETRY_AFTER);
    CU_ASSERT_EQUAL(or_retry_next_delay(&p, 1, 60000, 0, 0.5, &stop), 60000);
    /* Elapsed budget: elapsed + delay must stay within max_elapsed_ms. */
    CU_ASSERT_EQUAL(or_retry_next_delay(&p, 1, 1000, 59000, 0.5, &stop), 1000);
    CU_ASSERT_EQUAL(stop, OR_RETRY_GO);
    CU_ASSERT_EQUAL(or_retry_next_delay(&p, 1, 1001, 59000, 0.5, &stop), -1);
    CU_ASSERT_EQUAL(stop, OR_RETRY_STOP_ELAPSED);
    CU_ASSERT_EQUAL(or_retry_next_delay(&p, 1, -1, 70000, 0.0, &stop), -1);
    CU_ASSERT_EQUAL(stop, OR_RETRY_STOP_ELAPSED);
    /* max_attempts = 1: never retries. */
    p.max_attempts = 1;
    CU_ASSERT_EQUAL(or_retry_next_delay(&p, 1, 0, 0, 0.0, &stop), -1);
    CU_ASSERT_EQUAL(stop, OR_RETRY_STOP_ATTEMPTS);
    CU_ASSERT_EQUAL(or_retry_next_delay(NULL, 1, 0, 0, 0.0, NULL), -1);
}

static void test_policy_check(void)
{
    openrouter_error err = OPENROUTER_ERROR_INIT;
    openrouter_retry_policy p = OPENROUTER_RETRY_POLICY_INIT;
    CU_ASSERT_EQUAL(or_retry_policy_check(&p, "retry", &err), OPENROUTER_OK);
    p.multiplier = 1.0;
    p.initial_delay_ms = 0;
    p.max_delay_ms = 0;
    p.max_elapsed_ms = 0;
    p.max_retry_after_ms = 0;
    CU_ASSERT_EQUAL(or_retry_policy_check(&p, "retry", &err), OPENROUTER_OK);

    openrouter_retry_policy bad;
#define BAD(stmt, name)                                                              \
    do {                                                                             \
        bad = (openrouter_retry_policy)OPENROUTER_RETRY_POLICY_INIT;                 \
        stmt;                                                                        \
        openrouter_error_clear(&err);                                                \
        CU_ASSERT_EQUAL(or_retry_policy_check(&bad, "retry", &err), OPENROUTER_EINVAL); \
        CU_ASSERT_STRING_EQUAL(err.field, "retry." name);                            \
    } while (0)
    BAD(bad.version = 0, "version");
    BAD(bad.max_attempts = 0, "max_attempts");
    BAD(bad.max_attempts = -3, "max_attempts");
    BAD(bad.initial_delay_ms = -1, "initial_delay_ms");
    BAD(bad.max_delay_ms = -1, "max_delay_ms");
    BAD(bad.multiplier = 0.5, "multiplier");
    BAD(bad.multiplier = NAN, "multiplier");
    BAD(bad.multiplier = INFINITY, "multiplier");
    BAD(bad.max_elapsed_ms = -1, "max_elapsed_ms");
    BAD(bad.max_retry_after_ms = -1, "max_retry_after_ms");
#undef BAD
    openrouter_error_clear(&err);
    CU_ASSERT_EQUAL(or_retry_policy_check(NULL, "retry", &err), OPENROUTER_EINVAL);
    openrouter_error_clear(&err);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("retry", NULL, NULL);
    CU_add_test(s, "backoff bounds n=1..10", test_backoff_bounds);
    CU_add_test(s, "backoff multiplier and cap", test_backoff_multiplier_and_cap);
    CU_add_test(s, "Retry-After seconds", test_retry_after_seconds);
    CU_add_test(s, "Retry-After garbage", test_retry_after_garbage);
    CU_add_test(s, "Retry-After HTTP date", test_retry_after_http_date);
    CU_add_test(s, "retry-after-ms", test_retry_after_ms);
    CU_add_test(s, "decision table by status", test_decision_table);
    CU_add_test(s, "decision for transport failures", test_decision_transport);
    CU_add_test(s, "request may have been processed", test_may_have_been_processed);
    CU_add_test(s, "curl codes worth retrying", test_curl_codes);
    CU_add_test(s, "next delay and stop reasons", test_next_delay);
    CU_add_test(s, "policy validation", test_policy_check);
    return or_test_run();
}
