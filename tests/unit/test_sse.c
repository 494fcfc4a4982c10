/* Unit tests for runtime/src/sse.c, the Server-Sent-Events parser: a table
 * of streams and the events they give, under every split into 2 and 3
 * pieces and byte at a time; limits, cancel, end of stream, allocation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "fail_alloc.h"
#include "sse.h"
#include "sse_log.h"
#include "test_util.h"

typedef struct sse_case {
    const char *name;
    const char *stream;
    size_t len;
    const char *expect; /* the sse_log text */
    int truncated;      /* or_sse_finish() */
} sse_case;

#define CASE(name, stream, expect, truncated) {name, stream, sizeof(stream) - 1, expect, truncated}
#define FFFD "\xEF\xBF\xBD"

static const sse_case cases[] = {
    CASE("one event", "data: hello\n\n", "E message|hello|\n", 0),
    CASE("no space after colon", "data:hello\n\n", "E message|hello|\n", 0),
    CASE("only one space dropped", "data:  two\n\n", "E message| two|\n", 0),
    CASE("colons in the value", "data: a:b: c\n\n", "E message|a:b: c|\n", 0),
    CASE("multi-line data", "data: a\ndata: b\ndata:\n\n", "E message|a\\nb\\n|\n", 0),
    CASE("CRLF", "data: a\r\ndata: b\r\n\r\n", "E message|a\\nb|\n", 0),
    CASE("CR", "data: a\rdata: b\r\r", "E message|a\\nb|\n", 0),
    CASE("LF CR is two line ends", "data: a\n\rdata: b\n\n", "E message|a|\nE message|b|\n", 0),
    CASE("CR CR LF", "data: a\r\r\ndata: b\n\n", "E message|a|\nE message|b|\n", 0),
    CASE("mixed line ends",
         "data: a\r\ndata: b\rdata: c\n\r\n: x\r\rdata: d\n\n",
         "E message|a\\nb\\nc|\nC  x\nE message|d|\n", 0),
    CASE("event type", "event: add\ndata: 1\n\ndata: 2\n\n", "E add|1|\nE message|2|\n", 0),
    CASE("event replaces the type", "event: a\nevent: b\ndata: x\n\n", "E b|x|\n", 0),
    CASE("empty event type is message", "event:\ndata: x\n\n", "E message|x|\n", 0),
    CASE("type kept as sent", "event:  spaced \ndata: x\n\n", "E  spaced |x|\n", 0),
    CASE("no data, no event", "event: ping\n\ndata: x\n\n", "E message|x|\n", 0),
    CASE("id persists", "id: 1\ndata: a\n\ndata: b\n\nid\ndata: c\n\n",
         "E message|a|1\nE message|b|1\nE message|c|\n", 0),
    CASE("id alone sets it", "id: 7\n\ndata: x\n\n", "E message|x|7\n", 0),
    CASE("id with NUL ignored", "id: 1\n\ndata: a\nid: 2\0003\n\n", "E message|a|1\n", 0),
    CASE("bare field name", "data\n\n", "E message||\n", 0),
    CASE("two bare data lines", "data\ndata\n\n", "E message|\\n|\n", 0),
    CASE("unknown fields ignored", "foo: bar\ndata: x\nDATA: y\ndata : z\n data: w\n\n", "E message|x|\n", 0),
    CASE("long name is no field", "datadatadata: x\ndata: y\n\n", "E message|y|\n", 0),
    CASE("retry is no event", "retry: 1000\ndata: x\n\n", "E message|x|\n", 0),
    CASE("NUL in data", "data: a\0b\n\n", "E message|a\\0b|\n", 0),
    CASE("backslash in data", "data: a\\nb\n\n", "E message|a\\\\nb|\n", 0),
    CASE("comments only", ": OPENROUTER PROCESSING\n: OPENROUTER PROCESSING\n",
         "C  OPENROUTER PROCESSING\nC  OPENROUTER PROCESSING\n", 0),
    CASE("empty comment", ":\n", "C \n", 0),
    CASE("comments inside an event", ": a\ndata: x\n: b\ndata: y\n\n", "C  a\nC  b\nE message|x\\ny|\n", 0),
    CASE("blank lines only", "\n\r\n\r", "", 0),
    CASE("empty stream", "", "", 0),
    CASE("BOM dropped", "\xEF\xBB\xBF" "data: x\n\n", "E message|x|\n", 0),
    CASE("second BOM kept", "\xEF\xBB\xBF\xEF\xBB\xBF" "data: x\n\ndata: y\n\n", "E message|y|\n", 0),
    CASE("BOM in data kept", "data: \xEF\xBB\xBFx\n\n", "E message|\xEF\xBB\xBFx|\n", 0),
    CASE("UTF-8 passes", "event: \xC3\xA9\ndata: \xE2\x82\xAC \xF0\x9F\x98\x80\n\n",
         "E \xC3\xA9|\xE2\x82\xAC \xF0\x9F\x98\x80|\n", 0),
    CASE("invalid byte replaced", "data: a\xFF" "b\n\n", "E message|a" FFFD "b|\n", 0),
    CASE("cut sequence is one U+FFFD", "data: \xE2\x82x\n\n", "E message|" FFFD "x|\n", 0),
    CASE("overlong", "data: \xE0\x80\n\n", "E message|" FFFD FFFD "|\n", 0),
    CASE("surrogate", "data: \xED\xA0\x80\n\n", "E message|" FFFD FFFD FFFD "|\n", 0),
    CASE("above U+10FFFF", "data: \xF4\x90\x80\x80\n\n", "E message|" FFFD FFFD FFFD FFFD "|\n", 0),
    CASE("sequence cut by a line end", "data: \xE2\n\n", "E message|" FFFD "|\n", 0),
    CASE("lone continuation", "data: \x80\xBF\n\n", "E message|" FFFD FFFD "|\n", 0),
    CASE("OpenRouter-like",
         ": OPENROUTER PROCESSING\n\ndata: {\"a\":1}\n\nevent: keepalive\ndata: {}\n\ndata: [DONE]\n\n",
         "C  OPENROUTER PROCESSING\nE message|{\"a\":1}|\nE keepalive|{}|\nE message|[DONE]|\n", 0),
    CASE("ends after a field line", "data: x\n", "", 1),
    CASE("ends mid-line", "data: x", "", 1),
    CASE("ends mid-event after events", "data: x\n\ndata: y", "E message|x|\n", 1),
    CASE("ends mid-comment", ": partial", "", 1),
    CASE("ends mid-sequence", "data: x\n\n\xE2", "E message|x|\n", 1),
    CASE("ends after id", "id: 5\n", "", 1),
    CASE("ends after a CR blank line", "data: x\n\r", "E message|x|\n", 0),
    CASE("ends after a comment", "data: x\n\n: bye\n", "E message|x|\nC  bye\n", 0),
};

static int run_case(const sse_case *c, const size_t *cuts, size_t ncuts, const char *how)
{
    sse_log log = {0};
    openrouter_error err = OPENROUTER_ERROR_INIT;
    int truncated = -2;
    int rc = sse_log_run(c->stream, c->len, cuts, ncuts, 0, &log, &err, &truncated);
    const char *got = log.text ? log.text : "";
    int ok = rc == 0 && strcmp(got, c->expect) == 0 && truncated == c->truncated;
    if (!ok) {
        fprintf(stderr, "\n  %s (%s", c->name, how);
        for (size_t i = 0; i < ncuts; i++)
            fprintf(stderr, " %zu", cuts[i]);
        fprintf(stderr, "): rc %d truncated %d\n  got:\n%s  want:\n%s", rc, truncated, got, c->expect);
    }
    sse_log_free(&log);
    openrouter_error_clear(&err);
    return ok;
}

#define NCASES (sizeof cases / sizeof cases[0])

static void test_table_whole(void)
{
    for (size_t i = 0; i < NCASES; i++)
        CU_ASSERT(run_case(&cases[i], NULL, 0, "whole"));
}

static void test_table_two_pieces(void)
{
    for (size_t i = 0; i < NCASES; i++)
        for (size_t a = 0; a <= cases[i].len; a++) {
            size_t cuts[1] = {a};
            if (!run_case(&cases[i], cuts, 1, "cut at")) {
                CU_FAIL("two pieces");
                break;
            }
        }
}

static void test_table_three_pieces(void)
{
    /* Under valgrind every 3rd first cut: the full square is for native runs. */
    size_t step = or_test_under_valgrind() ? 3 : 1;
    for (size_t i = 0; i < NCASES; i++) {
        int ok = 1;
        for (size_t a = 0; a <= cases[i].len && ok; a += step)
            for (size_t b = a; b <= cases[i].len && ok; b++) {
                size_t cuts[2] = {a, b};
                ok = run_case(&cases[i], cuts, 2, "cut at");
            }
        CU_ASSERT(ok);
    }
}

static void test_table_byte_at_a_time(void)
{
    size_t cuts[256];
    for (size_t i = 0; i < NCASES; i++) {
        size_t n = cases[i].len ? cases[i].len - 1 : 0;
        CU_ASSERT_FATAL(n <= sizeof cuts / sizeof cuts[0]);
        for (size_t k = 0; k < n; k++)
            cuts[k] = k + 1;
        CU_ASSERT(run_case(&cases[i], cuts, n, "bytes"));
    }
}

/* ---- limits ----------------------------------------------------------------- */

/* Parses `stream` with a limit, whole and under every 2-split: the same
 * events, the same result and message each time. Returns the result. */
static int run_limited(const char *stream, size_t max, const char *expect, char *message, size_t size)
{
    size_t n = strlen(stream);
    int first = 0;
    for (size_t a = 0; a <= n; a++) {
        sse_log log = {0};
        openrouter_error err = OPENROUTER_ERROR_INIT;
        int truncated;
        size_t cuts[1] = {a};
        int rc = sse_log_run(stream, n, cuts, a == n ? 0 : 1, max, &log, &err, &truncated);
        CU_ASSERT_STRING_EQUAL(log.text ? log.text : "", expect);
        CU_ASSERT_EQUAL(err.kind, rc);
        if (a == 0) {
            first = rc;
            snprintf(message, size, "%s", err.message);
        } else {
            CU_ASSERT_EQUAL(rc, first);
            CU_ASSERT_STRING_EQUAL(err.message, message);
        }
        sse_log_free(&log);
        openrouter_error_clear(&err);
    }
    return first;
}

static void expect_fits(const char *stream, size_t max, const char *expect)
{
    char msg[OPENROUTER_ERROR_MESSAGE_SIZE];
    CU_ASSERT_EQUAL(run_limited(stream, max, expect, msg, sizeof msg), 0);
}

static void expect_over(const char *stream, size_t max, const char *expect, const char *what)
{
    char msg[OPENROUTER_ERROR_MESSAGE_SIZE], limit[64];
    CU_ASSERT_EQUAL(run_limited(stream, max, expect, msg, sizeof msg), OPENROUTER_EDECODE);
    snprintf(limit, sizeof limit, "limit of %zu bytes", max);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, limit));
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, what));
}

static void test_limit_event(void)
{
    expect_fits("data: 12345\n\n", 5, "E message|12345|\n");
    expect_over("data: a\n\ndata: 123456\n\n", 5, "E message|a|\n", "server-sent event larger than");
    /* data and type together; the "\n" between lines counts */
    expect_fits("event: abc\ndata: abc\n\n", 6, "E abc|abc|\n");
    expect_over("event: abcd\ndata: abc\n\n", 6, "", "(data and event type)");
    expect_over("data: abc\nevent: abcd\n\n", 6, "", "(data and event type)");
    expect_fits("data: a\ndata: b\n\n", 3, "E message|a\\nb|\n");
    expect_over("data: ab\ndata: b\n\n", 3, "", "event larger");
    expect_over("data: ab\ndata:\n\n", 2, "", "event larger");
    /* a replaced type no longer counts; a dispatched event neither */
    expect_fits("event: abcde\nevent: a\ndata: 1234\n\n", 5, "E a|1234|\n");
    expect_fits("data: 12345\n\ndata: 12345\n\n", 5, "E message|12345|\nE message|12345|\n");
}

static void test_limit_lines(void)
{
    expect_fits("id: 1234\ndata: x\n\n", 4, "E message|x|1234\n");
    expect_over("id: 12345\ndata: x\n\n", 4, "", "line longer than");
    expect_fits(": 123\n", 4, "C  123\n");
    expect_over(": 1234\n", 4, "", "line longer than");
    expect_fits("event: a\ndata: b\n\n", 2, "E a|b|\n"); /* names are not values */
    expect_over("abcdefghi\n", 4, "", "line longer than");
    expect_over("abc: 12345\n", 4, "", "line longer than");
    expect_over("retry: 12345\n", 4, "", "line longer than");

    /* A comment's length counts whether or not anybody reads it. */
    or_sse_options o = {4, NULL, NULL, NULL};
    or_sse p;
    or_sse_init(&p, &o);
    openrouter_error err = OPENROUTER_ERROR_INIT;
    CU_ASSERT_EQUAL(or_sse_feed(&p, ": 1234", 6, &err), OPENROUTER_EDECODE);
    CU_ASSERT_EQUAL(err.kind, OPENROUTER_EDECODE);
    or_sse_free(&p);
    openrouter_error_clear(&err);
}

static void test_limit_large_event(void)
{
    /* One 1 MiB event in 4 KiB reads, at the limit and one byte over. */
    size_t body = (size_t)1 << 20, n = body + strlen("data: \n\n");
    char *s = malloc(n + 1);
    CU_ASSERT_FATAL(s != NULL);
    memcpy(s, "data: ", 6);
    memset(s + 6, 'x', body);
    memcpy(s + 6 + body, "\n\n", 3);
    for (int over = 0; over <= 1; over++) {
        or_sse_options o = {body - (size_t)over, sse_log_event, NULL, NULL};
        sse_log log = {0};
        o.ctx = &log;
        or_sse p;
        or_sse_init(&p, &o);
        openrouter_error err = OPENROUTER_ERROR_INIT;
        int rc = 0;
        for (size_t at = 0; at < n && !rc; at += 4096)
            rc = or_sse_feed(&p, s + at, n - at < 4096 ? n - at : 4096, &err);
        CU_ASSERT_EQUAL(rc, over ? OPENROUTER_EDECODE : 0);
        CU_ASSERT_EQUAL(log.events, !over);
        CU_ASSERT(!over ? log.len == body + strlen("E message||\n") : log.len == 0);
        or_sse_free(&p);
        sse_log_free(&log);
        openrouter_error_clear(&err);
    }
    free(s);
}

static void test_default_limit(void)
{
    or_sse p;
    or_sse_init(&p, NULL);
    CU_ASSERT_EQUAL(p.opt.max_event_bytes, OR_SSE_DEFAULT_MAX_EVENT_BYTES);
    CU_ASSERT_EQUAL(or_sse_feed(&p, "data: x\n\n", 9, NULL), 0); /* no callback: dropped */
    or_sse_free(&p);
}

/* ---- cancel, stop, reuse -------------------------------------------------------- */

static const char three[] = ": hi\ndata: 1\n\ndata: 2\n\n: mid\ndata: 3\n\n";

static void test_cancel(void)
{
    /* The second event's callback says stop, wherever the bytes are cut. */
    size_t n = strlen(three);
    for (size_t a = 0; a <= n; a++) {
        sse_log log = {0};
        log.stop_at = 2;
        log.stop_rc = 42;
        openrouter_error err = OPENROUTER_ERROR_INIT;
        int truncated;
        size_t cuts[1] = {a};
        CU_ASSERT_EQUAL(sse_log_run(three, n, cuts, 1, 0, &log, &err, &truncated), 42);
        CU_ASSERT_STRING_EQUAL(log.text, "C  hi\nE message|1|\nE message|2|\n");
        CU_ASSERT_EQUAL(err.kind, OPENROUTER_OK); /* the parser did not fail */
        sse_log_free(&log);
    }
}

static void test_stopped_stays_stopped(void)
{
    sse_log log = {0};
    log.stop_at = 1;
    log.stop_rc = -9;
    or_sse_options o = {0, sse_log_event, sse_log_comment, &log};
    or_sse p;
    or_sse_init(&p, &o);
    CU_ASSERT_EQUAL(or_sse_feed(&p, three, strlen(three), NULL), -9);
    CU_ASSERT_EQUAL(or_sse_feed(&p, "data: 4\n\n", 9, NULL), -9);
    CU_ASSERT_EQUAL(log.events, 1);
    /* reset makes it usable again, as a new stream */
    or_sse_reset(&p);
    log.stop_at = 0;
    CU_ASSERT_EQUAL(or_sse_feed(&p, "data: 4\n\n", 9, NULL), 0);
    CU_ASSERT_EQUAL(log.events, 2);
    or_sse_free(&p);
    sse_log_free(&log);
}

static int stop_on_comment(void *ctx, const char *text, size_t len)
{
    (void)ctx;
    return len == 4 && memcmp(text, " mid", 4) == 0 ? 7 : 0;
}

static void test_comment_callback_stops(void)
{
    sse_log log = {0};
    or_sse_options o = {0, sse_log_event, stop_on_comment, &log};
    or_sse p;
    or_sse_init(&p, &o);
    CU_ASSERT_EQUAL(or_sse_feed(&p, three, strlen(three), NULL), 7);
    CU_ASSERT_EQUAL(log.events, 2);
    or_sse_free(&p);
    sse_log_free(&log);
}

static void test_reset_starts_a_new_stream(void)
{
    sse_log log = {0};
    or_sse_options o = {0, sse_log_event, NULL, &log};
    or_sse p;
    or_sse_init(&p, &o);
    const char first[] = "retry: 10\nid: 1\n\ndata: half";
    CU_ASSERT_EQUAL(or_sse_feed(&p, first, strlen(first), NULL), 0);
    CU_ASSERT_EQUAL(or_sse_retry_ms(&p), 10);
    CU_ASSERT_EQUAL(or_sse_finish(&p), 1);
    or_sse_reset(&p);
    CU_ASSERT_EQUAL(or_sse_retry_ms(&p), -1);
    CU_ASSERT_EQUAL(or_sse_finish(&p), 0);
    const char second[] = "\xEF\xBB\xBF" "data: new\n\n";
    CU_ASSERT_EQUAL(or_sse_feed(&p, second, strlen(second), NULL), 0);
    CU_ASSERT_STRING_EQUAL(log.text, "E message|new|\n"); /* no "half", no id, BOM dropped */
    or_sse_free(&p);
    or_sse_free(&p); /* twice is harmless */
    or_sse_free(NULL);
    sse_log_free(&log);
}

/* ---- retry ---------------------------------------------------------------------- */

static void test_retry(void)
{
    static const struct { const char *stream; int64_t want; } t[] = {
        {"retry: 1500\n", 1500},
        {"retry:0\n", 0},
        {"retry: 1500\nretry: 15x\n", 1500},   /* not digits: ignored */
        {"retry: 1500\nretry:\n", 1500},       /* empty: ignored */
        {"retry: 1500\nretry\n", 1500},
        {"retry:  100\n", -1},                 /* " 100" is not digits */
        {"retry: -5\n", -1},
        {"retry: 99999999999999999999999\n", INT64_MAX},
        {"retry: 42", -1},                     /* line not ended */
        {"retry: 42\r", 42},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        or_sse p;
        or_sse_init(&p, NULL);
        CU_ASSERT_EQUAL(or_sse_feed(&p, t[i].stream, strlen(t[i].stream), NULL), 0);
        CU_ASSERT_EQUAL(or_sse_retry_ms(&p), t[i].want);
        if (or_sse_retry_ms(&p) != t[i].want)
            fprintf(stderr, "\n  retry %zu: got %lld\n", i, (long long)or_sse_retry_ms(&p));
        or_sse_free(&p);
    }
}

/* ---- memory ----------------------------------------------------------------------- */

static void test_no_allocation_per_event(void)
{
    static const char ev[] = "event: delta\nid: 17\n"
                             "data: {\"choices\":[{\"delta\":{\"content\":\"word\"}}]}\n"
                             "data: second line\n\n: keep-alive\n";
    sse_log log = {0};
    or_sse_options o = {0, sse_log_event, sse_log_comment, &log};
    or_sse p;
    or_sse_init(&p, &o);
    /* Two events warm every buffer (the id buffers take turns). */
    CU_ASSERT_EQUAL(or_sse_feed(&p, ev, strlen(ev), NULL), 0);
    CU_ASSERT_EQUAL(or_sse_feed(&p, ev, strlen(ev), NULL), 0);
    (void)or_test_fail_alloc(0); /* counts the library's allocations from here */
    int rc = 0;
    for (int i = 0; i < 1000 && !rc; i++) {
        log.len = 0; /* keeps the recorder small */
        for (size_t at = 0; at < strlen(ev) && !rc; at += 7)
            rc = or_sse_feed(&p, ev + at, strlen(ev) - at < 7 ? strlen(ev) - at : 7, NULL);
    }
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_EQUAL(or_test_fail_alloc(0), 0);
    CU_ASSERT_EQUAL(log.events, 1002);
    or_sse_free(&p);
    sse_log_free(&log);
}

static void test_out_of_memory(void)
{
    static const char s[] = "event: e\nid: 1\ndata: abc\n\n: c\ndata: def\n\n";
    int done = 0;
    for (long nth = 1; nth < 50 && !done; nth++) {
        sse_log log = {0};
        or_sse_options o = {0, sse_log_event, sse_log_comment, &log};
        or_sse p;
        or_sse_init(&p, &o);
        openrouter_error err = OPENROUTER_ERROR_INIT;
        (void)or_test_fail_alloc(nth);
        int rc = or_sse_feed(&p, s, strlen(s), &err);
        (void)or_test_fail_alloc(0);
        if (rc == 0) {
            done = 1;
            CU_ASSERT_EQUAL(log.events, 2);
        } else {
            CU_ASSERT_EQUAL(rc, OPENROUTER_ENOMEM);
            CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "out of memory"));
        }
        or_sse_free(&p);
        sse_log_free(&log);
        openrouter_error_clear(&err);
    }
    CU_ASSERT(done);
}

int main(void)
{
    if (or_test_fail_alloc_install(NULL) != 0)
        return 1;
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("sse", NULL, NULL);
    CU_add_test(s, "table, whole", test_table_whole);
    CU_add_test(s, "table, every split in two", test_table_two_pieces);
    CU_add_test(s, "table, every split in three", test_table_three_pieces);
    CU_add_test(s, "table, byte at a time", test_table_byte_at_a_time);
    CU_add_test(s, "limit on data and type", test_limit_event);
    CU_add_test(s, "limit on other lines", test_limit_lines);
    CU_add_test(s, "a 1 MiB event at and over the limit", test_limit_large_event);
    CU_add_test(s, "default limit, no callback", test_default_limit);
    CU_add_test(s, "callback cancel", test_cancel);
    CU_add_test(s, "stopped stays stopped until reset", test_stopped_stays_stopped);
    CU_add_test(s, "comment callback stops", test_comment_callback_stops);
    CU_add_test(s, "reset starts a new stream", test_reset_starts_a_new_stream);
    CU_add_test(s, "retry field", test_retry);
    CU_add_test(s, "no allocation per event", test_no_allocation_per_event);
    CU_add_test(s, "out of memory", test_out_of_memory);
    return or_test_run();
}
