/* Unit tests for runtime/src/datetime.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "internal.h"
#include "test_util.h"

static void check_parse(const char *text, int64_t want_us, int want_offset)
{
    int64_t us = -1;
    int off = -9999;
    int rc = openrouter_datetime_parse(text, &us, &off);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_EQUAL(us, want_us);
    CU_ASSERT_EQUAL(off, want_offset);
    if (rc != 0 || us != want_us || off != want_offset)
        fprintf(stderr, "\n  parse \"%s\": rc %d us %lld off %d\n", text, rc, (long long)us, off);
}

static void check_bad(const char *text)
{
    int64_t us = 12345;
    int off = 77;
    int rc = openrouter_datetime_parse(text, &us, &off);
    CU_ASSERT_EQUAL(rc, -1);
    CU_ASSERT_EQUAL(us, 12345); /* untouched on failure */
    CU_ASSERT_EQUAL(off, 77);
    if (rc != -1)
        fprintf(stderr, "\n  accepted \"%s\"\n", text);
}

static void test_parse_valid(void)
{
    check_parse("1970-01-01T00:00:00Z", 0, 0);
    check_parse("2027-12-31T23:59:59Z", 1830297599LL * 1000000, 0);
    check_parse("2025-02-19T20:52:27.363244+00:00", 1739998347363244LL, 0);
    check_parse("2025-02-19T20:52:27.363244-00:00", 1739998347363244LL, 0);
    /* +05:30 is 5.5 hours ahead of UTC */
    check_parse("2025-02-20T02:22:27.363244+05:30", 1739998347363244LL, 330);
    check_parse("2025-02-19T15:52:27.363244-05:00", 1739998347363244LL, -300);
    check_parse("2025-02-19t20:52:27.363244z", 1739998347363244LL, 0);
    /* fractions: 1 to 9 digits, microseconds kept, the rest truncated */
    check_parse("1970-01-01T00:00:00.5Z", 500000, 0);
    check_parse("1970-01-01T00:00:00.000001Z", 1, 0);
    check_parse("1970-01-01T00:00:00.123456789Z", 123456, 0);
    check_parse("1970-01-01T00:00:00.999999999Z", 999999, 0);
    /* before the epoch */
    check_parse("1969-12-31T23:59:59Z", -1000000, 0);
    check_parse("1969-12-31T23:59:59.5Z", -500000, 0);
    check_parse("0000-01-01T00:00:00Z", -62167219200LL * 1000000, 0);
    check_parse("9999-12-31T23:59:59.999999Z", 253402300799999999LL, 0);
    /* leap years */
    check_parse("2024-02-29T12:00:00Z", 1709208000LL * 1000000, 0);
    check_parse("2000-02-29T00:00:00Z", 951782400LL * 1000000, 0);
    /* a leap second counts as second 59 */
    check_parse("2016-12-31T23:59:60Z", 1483228799LL * 1000000, 0);
    /* offsets at the extremes */
    check_parse("2025-01-01T00:00:00+23:59", (1735689600LL - 86340) * 1000000, 1439);
    CU_ASSERT_EQUAL(openrouter_datetime_parse("2025-01-01T00:00:00Z", NULL, NULL), 0);
}

static void test_parse_invalid(void)
{
    const char *bad[] = {
        NULL, "", "2025", "2025-02-19", "2025-02-19T20:52Z", "2025-02-19T20:52:27",
        "2025-02-19 20:52:27Z", "2025-02-19X20:52:27Z", "2025-02-30T00:00:00Z", "2025-02-29T00:00:00Z",
        "1900-02-29T00:00:00Z", "2025-04-31T00:00:00Z", "2025-13-01T00:00:00Z", "2025-00-01T00:00:00Z",
        "2025-01-00T00:00:00Z", "2025-01-32T00:00:00Z", "2025-01-01T24:00:00Z", "2025-01-01T23:60:00Z",
        "2025-01-01T23:59:61Z", "2025-01-01T00:00:00.Z", "2025-01-01T00:00:00.1234567890Z",
        "2025-01-01T00:00:00+24:00", "2025-01-01T00:00:00+05:60", "2025-01-01T00:00:00+0530",
        "2025-01-01T00:00:00+05", "2025-01-01T00:00:00Z ", " 2025-01-01T00:00:00Z", "2025-01-01T00:00:00ZZ",
        "25-01-01T00:00:00Z", "2025-1-01T00:00:00Z", "2025-01-01T0:00:00Z", "+2025-01-01T00:00:00Z",
        "2025-01-01T00:00:00,5Z", "2025-01-01T00:00:00UTC", "２025-01-01T00:00:00Z", "2025-01-01T00:00:00.5",
        "-001-01-01T00:00:00Z",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        check_bad(bad[i]);
}

static void check_format(int64_t us, const char *want)
{
    char buf[OPENROUTER_DATETIME_BUFSIZE];
    int rc = openrouter_datetime_format(us, buf, sizeof buf);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_STRING_EQUAL(buf, want);
    if (rc != 0 || strcmp(buf, want) != 0)
        fprintf(stderr, "\n  format %lld: got \"%s\" want \"%s\"\n", (long long)us, rc ? "(error)" : buf, want);
    /* and back */
    int64_t back = 0;
    CU_ASSERT_EQUAL(openrouter_datetime_parse(buf, &back, NULL), 0);
    CU_ASSERT_EQUAL(back, us);
}

static void test_format(void)
{
    check_format(0, "1970-01-01T00:00:00Z");
    check_format(1830297599LL * 1000000, "2027-12-31T23:59:59Z");
    check_format(1739998347363244LL, "2025-02-19T20:52:27.363244Z");
    check_format(1, "1970-01-01T00:00:00.000001Z");
    check_format(-1, "1969-12-31T23:59:59.999999Z");
    check_format(-500000, "1969-12-31T23:59:59.500000Z");
    check_format(951782400LL * 1000000, "2000-02-29T00:00:00Z");
    check_format(-62167219200LL * 1000000, "0000-01-01T00:00:00Z");
    check_format(253402300799999999LL, "9999-12-31T23:59:59.999999Z");

    char buf[OPENROUTER_DATETIME_BUFSIZE];
    CU_ASSERT_EQUAL(openrouter_datetime_format(253402300800LL * 1000000, buf, sizeof buf), -1);
    CU_ASSERT_EQUAL(openrouter_datetime_format(-62167219201LL * 1000000, buf, sizeof buf), -1);
    CU_ASSERT_EQUAL(openrouter_datetime_format(INT64_MIN, buf, sizeof buf), -1);
    CU_ASSERT_EQUAL(openrouter_datetime_format(INT64_MAX, buf, sizeof buf), -1);
    CU_ASSERT_EQUAL(openrouter_datetime_format(0, buf, 20), -1); /* needs 21 */
    CU_ASSERT_EQUAL(openrouter_datetime_format(0, buf, 21), 0);
    CU_ASSERT_EQUAL(openrouter_datetime_format(0, NULL, 32), -1);

    /* every day of a few years round-trips */
    int ok = 1;
    for (int64_t day = -800; day < 800 * 40; day += 7) {
        int64_t us = day * 86400LL * 1000000 + 3723000042LL;
        char text[OPENROUTER_DATETIME_BUFSIZE];
        int64_t back;
        ok &= openrouter_datetime_format(us, text, sizeof text) == 0 &&
              openrouter_datetime_parse(text, &back, NULL) == 0 && back == us;
    }
    CU_ASSERT_TRUE(ok);
}

static void check_http(const char *text, int64_t want)
{
    int64_t got = -1;
    int rc = or_http_date_parse(text, &got);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_EQUAL(got, want);
    if (rc != 0 || got != want)
        fprintf(stderr, "\n  http date \"%s\": rc %d got %lld\n", text, rc, (long long)got);
}

static void test_http_date(void)
{
    check_http("Wed, 21 Oct 2015 07:28:00 GMT", 1445412480);
    check_http("Sun, 06 Nov 1994 08:49:37 GMT", 784111777);
    check_http("Sunday, 06-Nov-94 08:49:37 GMT", 784111777);
    check_http("Wednesday, 21-Oct-15 07:28:00 GMT", 1445412480);
    check_http("Sun Nov  6 08:49:37 1994", 784111777);
    check_http("Wed Oct 21 07:28:00 2015", 1445412480);
    check_http("Thu, 01 Jan 1970 00:00:00 GMT", 0);
    check_http("Thu, 29 Feb 2024 23:59:59 GMT", 1709251199);
    const char *bad[] = {
        NULL, "", "120", "Wed, 21 Oct 2015 07:28:00", "Wed, 21 Oct 2015 07:28:00 UTC",
        "Wed, 21 Oct 2015 07:28:00 GMT ", "Wed, 32 Oct 2015 07:28:00 GMT", "Wed, 21 Foo 2015 07:28:00 GMT",
        "Wed, 21 Oct 2015 25:28:00 GMT", "Xyz, 21 Oct 2015 07:28:00 GMT", "Wed 21 Oct 2015 07:28:00 GMT",
        "Wed, 1 Oct 2015 07:28:00 GMT", "Wed, 29 Feb 2015 07:28:00 GMT", "Wednesday, 21-Oct-2015 07:28:00 GMT",
        "Sun Nov 6 08:49:37 1994", "Sun Nov  6 08:49:37 1994 ", "2015-10-21T07:28:00Z",
        /* cut short at every position (found by fuzzing: no reads past the end) */
        "Tue  ", "Tue", "Tue,", "Tue, 2", "Tue, 21 O", "Tue, 21 Oct", "Tuesday, 21-O", "Tue O", "Tue Oct",
        "Tue Oct  ", "Tue Oct 21 07:28:0",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t t = 42;
        CU_ASSERT_EQUAL(or_http_date_parse(bad[i], &t), -1);
        CU_ASSERT_EQUAL(t, 42);
        if (or_http_date_parse(bad[i], &t) != -1)
            fprintf(stderr, "\n  accepted \"%s\"\n", bad[i]);
    }
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("datetime", NULL, NULL);
    CU_add_test(s, "RFC 3339 parse: valid", test_parse_valid);
    CU_add_test(s, "RFC 3339 parse: invalid", test_parse_invalid);
    CU_add_test(s, "format and round trip", test_format);
    CU_add_test(s, "HTTP dates", test_http_date);
    return or_test_run();
}
