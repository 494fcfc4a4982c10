/* Streaming (openrouter/stream.h) with the library generated from
 * OpenRouter's whole description (--prefix orfull): a chat completion
 * streamed from the stand-in server, whose every event must arrive in order
 * however its bytes are cut, and each streaming fault with its documented
 * outcome (docs/STREAMING.md), through the blocking *_stream and the
 * non-blocking *_stream_start in run mode and in socket mode. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <curl/curl.h>

#include "async_test.h"
#include "fail_alloc.h"
#include "orfull/orfull.h"
#include "stub_server.h"
#include "test_util.h"

static stub_server srv;

static int suite_init(void) { return stub_start(&srv, 0); }
static int suite_clean(void) { stub_stop(&srv); return 0; }

#define WORDS "one two three four five six seven eight"
#define N_WORDS 8
/* One chunk per word, the finish chunk, the usage-only chunk. */
#define N_EVENTS (N_WORDS + 2)

/* ---- what the callback saw ---------------------------------------------------------------- */

typedef struct rec {
    int events;
    char text[512];
    int usage_only;        /* chunks with choices: [] and usage */
    int usage_last;        /* ... and it was the last event */
    long total_tokens;
    char finish[32];
    int cancel_at;         /* return non-zero at this event */
    int in_order;          /* every chunk's id the same, choices index 0 */
    char id[32];           /* the first chunk's id */
    openrouter_async_call *call; /* async: to try cancelling from inside */
    int cancel_inside_rc;
} rec;

static void rec_init(rec *r)
{
    memset(r, 0, sizeof *r);
    r->in_order = 1;
    r->cancel_inside_rc = 1;
}

static int on_chunk(void *user, const orfull_chat_streaming_response *ev)
{
    rec *r = user;
    r->events++;
    r->usage_last = 0;
    const orfull_chat_stream_chunk *chunk = &ev->data.value;
    /* One generation: every chunk carries its id. */
    if (ev->data.state != OPENROUTER_PRESENT || !chunk->id.value || strncmp(chunk->id.value, "gen-stub-", 9) != 0)
        r->in_order = 0;
    else if (!r->id[0])
        snprintf(r->id, sizeof r->id, "%s", chunk->id.value);
    else if (strcmp(r->id, chunk->id.value) != 0)
        r->in_order = 0;
    if (chunk->choices.count == 0 && chunk->usage.state == OPENROUTER_PRESENT) {
        r->usage_only++;
        r->usage_last = 1;
        r->total_tokens = (long)chunk->usage.value.total_tokens.value;
    }
    for (size_t i = 0; i < chunk->choices.count; i++) {
        const orfull_chat_stream_choice *ch = &chunk->choices.items[i];
        if (ch->index.value != 0)
            r->in_order = 0;
        const openrouter_string *content = &ch->delta.value.content;
        if (content->state == OPENROUTER_PRESENT &&
            strlen(r->text) + strlen(content->value) < sizeof r->text)
            strcat(r->text, content->value);
        if (ch->finish_reason.state == OPENROUTER_PRESENT)
            snprintf(r->finish, sizeof r->finish, "%s", ch->finish_reason.text);
    }
    if (r->call)
        r->cancel_inside_rc = openrouter_async_cancel(r->call);
    return r->cancel_at && r->events >= r->cancel_at;
}

static void assert_whole(const rec *r)
{
    CU_ASSERT_EQUAL(r->events, N_EVENTS);
    CU_ASSERT_STRING_EQUAL(r->text, WORDS);
    CU_ASSERT_STRING_EQUAL(r->finish, "stop");
    CU_ASSERT_EQUAL(r->usage_only, 1);
    CU_ASSERT_EQUAL(r->usage_last, 1);
    CU_ASSERT(r->total_tokens > 0);
    CU_ASSERT(r->in_order);
}

/* ---- the request ---------------------------------------------------------------------------- */

typedef struct chat {
    orfull_chat_messages msg;
    orfull_send_chat_completion_request_request req;
} chat;

static void chat_init(chat *c)
{
    orfull_chat_messages msg = ORFULL_CHAT_MESSAGES_INIT;
    orfull_send_chat_completion_request_request req = ORFULL_SEND_CHAT_COMPLETION_REQUEST_REQUEST_INIT;
    c->msg = msg;
    c->req = req;
    c->msg.kind = ORFULL_CHAT_MESSAGES_KIND_USER;
    c->msg.user.content.state = OPENROUTER_PRESENT;
    c->msg.user.content.value.kind = ORFULL_CHAT_TOOL_MESSAGE_CONTENT_KIND_STRING;
    c->msg.user.content.value.string = OPENROUTER_STRING(WORDS);
    c->req.body.model = OPENROUTER_STRING("openai/gpt-4");
    c->req.body.messages = (orfull_chat_messages_array){OPENROUTER_PRESENT, &c->msg, 1};
}

static openrouter_client *client_new(void)
{
    openrouter_client_options o = or_test_client_options(srv.base_url, NULL);
    return or_test_client_from(&o);
}

/* ---- the three ways to run a stream ----------------------------------------------------------- */

enum mode { BLOCKING, RUN_MODE, SOCKET_MODE };
static const char *const mode_name[] = {"blocking", "run mode", "socket mode"};

typedef struct done {
    int calls;
    int rc;
    openrouter_error err;
} done;

static void on_done(void *ctx, openrouter_async_call *call, int status, openrouter_error *error)
{
    (void)call;
    done *d = ctx;
    d->calls++;
    d->rc = status;
    d->err = *error;
    openrouter_error fresh = OPENROUTER_ERROR_INIT;
    *error = fresh;
}

/* Streams the chat request in `mode`; `err` gets the outcome's detail. */
static int run_stream(enum mode m, openrouter_client *c, rec *r, const openrouter_call_options *opts,
                      openrouter_error *err)
{
    chat ch;
    chat_init(&ch);
    if (m == BLOCKING)
        return orfull_send_chat_completion_request_stream(c, &ch.req, on_chunk, r, opts, err);
    or_test_loop loop;
    openrouter_async *a = NULL;
    if (m == RUN_MODE) {
        a = or_test_async(c, 0);
    } else {
        or_test_loop_init(&loop);
        openrouter_async_options ao = or_test_loop_options(&loop);
        CU_ASSERT_EQUAL_FATAL(openrouter_async_new(&a, c, &ao, err), OPENROUTER_OK);
    }
    done d = {0, 1, OPENROUTER_ERROR_INIT};
    int rc = orfull_send_chat_completion_request_stream_start(a, &ch.req, on_chunk, r, opts, on_done, &d, NULL, err);
    CU_ASSERT_EQUAL(rc, OPENROUTER_OK);
    if (rc == OPENROUTER_OK) {
        int left = m == RUN_MODE ? openrouter_async_run(a, 30000) : or_test_loop_run(&loop, a, 30000);
        CU_ASSERT_EQUAL(left, 0);
        CU_ASSERT_EQUAL(d.calls, 1);
        rc = d.rc;
        openrouter_error_clear(err);
        *err = d.err;
    }
    openrouter_async_free(a);
    return rc;
}

/* ---- the stream's bytes, as the stand-in sends them ------------------------------------------- */

static size_t grow(char *p, size_t size, size_t n, void *ctx)
{
    (void)p;
    *(size_t *)ctx += size * n;
    return size * n;
}

/* The length of the clean stream's body, read with plain libcurl. */
static size_t stream_length(void)
{
    char url[256];
    snprintf(url, sizeof url, "%s/chat/completions", srv.base_url);
    const char *body = "{\"model\":\"openai/gpt-4\",\"stream\":true,"
                       "\"messages\":[{\"role\":\"user\",\"content\":\"" WORDS "\"}]}";
    struct curl_slist *h = curl_slist_append(NULL, "Authorization: Bearer " STUB_MANAGEMENT_KEY);
    size_t len = 0;
    CURL *curl = curl_easy_init();
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, grow);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &len);
    CU_ASSERT_EQUAL(curl_easy_perform(curl), CURLE_OK);
    curl_easy_cleanup(curl);
    curl_slist_free_all(h);
    return len;
}

/* ---- every split ----------------------------------------------------------------------------- */

static int splits_tested;

/* Streams with `fault` queued and asserts the whole stream arrived. */
static void stream_whole(enum mode m, openrouter_client *c, const char *fault)
{
    CU_ASSERT_EQUAL_FATAL(stub_clear_faults(&srv), 0);
    if (fault) {
        CU_ASSERT_EQUAL_FATAL(stub_add_faults(&srv, fault), 0);
    }
    rec r;
    rec_init(&r);
    openrouter_error err = OPENROUTER_ERROR_INIT;
    int rc = run_stream(m, c, &r, NULL, &err);
    CU_ASSERT_EQUAL(rc, OPENROUTER_OK);
    if (rc != OPENROUTER_OK)
        fprintf(stderr, "\n  %s, fault %s: %s\n", mode_name[m], fault ? fault : "none", err.message);
    assert_whole(&r);
    openrouter_error_clear(&err);
    splits_tested++;
}

static void test_every_split(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 0), 0);
    size_t len = stream_length();
    CU_ASSERT_FATAL(len > 500);
    openrouter_client *c = client_new();
    /* One cut at every byte offset (every few under valgrind). */
    size_t step = or_test_under_valgrind() ? 37 : 1;
    char fault[512];
    for (size_t at = 1; at < len; at += step) {
        CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 0), 0);
        snprintf(fault, sizeof fault, "{\"stream\": {\"split_at\": [%zu], \"pause_ms\": 1}}", at);
        stream_whole(BLOCKING, c, fault);
    }
    /* Every byte its own read, in each mode and line ending. */
    static const char *const endings[] = {"lf", "crlf", "cr"};
    for (int m = BLOCKING; m <= SOCKET_MODE; m++)
        for (size_t e = 0; e < 3; e++) {
            CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 0), 0);
            snprintf(fault, sizeof fault,
                     "{\"stream\": {\"split_random\": {\"seed\": 1, \"max_piece\": 1}, \"pause_ms\": 0, "
                     "\"line_ending\": \"%s\"}}", endings[e]);
            stream_whole((enum mode)m, c, fault);
        }
    /* Random pieces of 1..M bytes. */
    for (int seed = 1; seed <= 12; seed++) {
        CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 0), 0);
        snprintf(fault, sizeof fault,
                 "{\"stream\": {\"split_random\": {\"seed\": %d, \"max_piece\": %d}, \"pause_ms\": 0}}", seed,
                 2 + seed % 9);
        stream_whole((enum mode)(seed % 3), c, fault);
    }
    printf("\n  %d splits of a %zu-byte stream, every event in order\n", splits_tested, len);
    openrouter_client_free(c);
}

/* ---- the faults, in each mode ------------------------------------------------------------------- */

typedef struct fault_case {
    const char *name;
    const char *fault;      /* queued before the call, or NULL */
    long idle_ms;           /* options->stream_idle_timeout_ms; 0: the client's */
    int cancel_at;          /* the callback stops at this event */
    int rc;
    int events;             /* delivered before the outcome */
    long http_status;
    const char *api_code;   /* NULL: none expected */
    long api_code_number;
    const char *message;    /* a part of err.message */
} fault_case;

static const fault_case cases[] = {
    {"clean", NULL, 0, 0, OPENROUTER_OK, N_EVENTS, 0, NULL, 0, NULL},
    {"keep-alives within the idle limit",
     "{\"stream\": {\"keepalive_before\": 4, \"keepalive_delay_ms\": 400}}", 1000, 0,
     OPENROUTER_OK, N_EVENTS, 0, NULL, 0, NULL},
    {"keep-alives beyond the idle limit",
     "{\"stream\": {\"keepalive_before\": 2, \"keepalive_delay_ms\": 4000}}", 1000, 0, OPENROUTER_ETIMEOUT, 0, 0,
     NULL, 0, "1000 ms"},
    {"an event later than the idle limit", "{\"stream\": {\"event_delay_ms\": 3000}}", 1000, 0,
     OPENROUTER_ETIMEOUT, 0, 0, NULL, 0, "1000 ms"},
    {"error event, numeric code",
     "{\"stream\": {\"error_after\": 2, \"error_code\": 502, \"error_message\": \"provider failed\"}}", 0, 0,
     OPENROUTER_EHTTP, 2, 200, "502", 502, "provider failed"},
    {"error event, string code", "{\"stream\": {\"error_after\": 3, \"error_code\": \"server_error\"}}", 0, 0,
     OPENROUTER_EHTTP, 3, 200, "server_error", 0, "error event after 3 events"},
    {"connection dropped mid-event", "{\"stream\": {\"drop_after\": 2, \"drop_mid_event\": true}}", 0, 0,
     OPENROUTER_ETRANSPORT, 2, 200, NULL, 0, "after 2 events"},
    {"[DONE] missing (connection closed in order)",
     "{\"stream\": {\"drop_after\": 4, \"framing\": \"close\"}}", 0, 0, OPENROUTER_ETRANSPORT, 4, 200, NULL, 0,
     "without [DONE] after 4 events"},
    {"the callback stops the stream", NULL, 0, 3, OPENROUTER_ECANCELED, 3, 200, NULL, 0, "after 3 events"},
    {"unknown event types passed over", "{\"stream\": {\"unknown_event_type\": true}}", 0, 0, OPENROUTER_OK,
     N_EVENTS, 0, NULL, 0, NULL},
    {"HTTP 500 before the first event (a POST: not retried)", "{\"status\": 500}", 0, 0, OPENROUTER_EHTTP, 0,
     500, "500", 500, "HTTP 500"},
    {"HTTP 429 before the first event, then the stream (retried)",
     "{\"status\": 429, \"headers\": {\"Retry-After\": \"0\"}}", 0, 0, OPENROUTER_OK, N_EVENTS, 0, NULL, 0, NULL},
};

/* ---- docs/STREAMING.md, from the table ----------------------------------------------------------- */

static const char *short_status(int rc)
{
    return openrouter_status_name(rc) + strlen("OPENROUTER_");
}

static void outcome_cell(char *out, size_t size, const fault_case *fc)
{
    size_t n = (size_t)snprintf(out, size, "%s, %d events", short_status(fc->rc), fc->events);
#define PUT(...) (n += (size_t)snprintf(out + (n < size ? n : size), n < size ? size - n : 0, __VA_ARGS__))
    if (fc->rc != OPENROUTER_OK)
        PUT(", http_status %ld", fc->http_status);
    if (fc->api_code)
        PUT(", api_code \"%s\" (api_code_number %ld)", fc->api_code, fc->api_code_number);
    if (fc->message)
        PUT(", message: \"...%s...\"", fc->message);
#undef PUT
}

static char *markdown(void)
{
    size_t cap = 1 << 15, n = 0;
    char *md = malloc(cap);
    if (!md)
        return NULL;
#define MD(...) (n += (size_t)snprintf(md + (n < cap ? n : cap), n < cap ? cap - n : 0, __VA_ARGS__))
    MD("# Streaming: faults and outcomes\n\n"
       "What a streamed chat completion (`*_stream`, `*_stream_start`; `openrouter/stream.h`) returns under\n"
       "each fault the stand-in server (`tests/server/openrouter_stub.py`, docs/STUB_SERVER.md) injects, as\n"
       "`tests/upstream/test_stream.c` asserts it, against the library generated from OpenRouter's whole\n"
       "description. Generated from the test's table: `test_stream --markdown > docs/STREAMING.md` (a test\n"
       "checks this file matches).\n\n"
       "The request is a chat completion of %d words; the stand-in answers one chunk per word, a chunk\n"
       "with the finish reason, a usage-only chunk (`choices: []`), then `data: [DONE]`: %d events. Each\n"
       "row runs three times with the same asserted outcome: blocking, and non-blocking in run mode\n"
       "(`openrouter_async_run()`) and in socket mode (a `poll()` loop). Every failure also checks\n"
       "`attempts` 1, `request_may_have_been_processed` set (a POST that reached the server) and no API key\n"
       "in the message. The idle limit is `stream_idle_timeout_ms` in `openrouter_call_options` (else the\n"
       "client's `timeout_ms`): the longest wait for the next event, comment or keep-alive; a stream has\n"
       "no overall limit unless `timeout_ms` is set for the call.\n\n"
       "| fault (stand-in setting) | idle limit | callback | outcome |\n| --- | --- | --- | --- |\n",
       N_WORDS, N_EVENTS);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const fault_case *fc = &cases[i];
        char cell[256];
        outcome_cell(cell, sizeof cell, fc);
        char idle[32] = "client's", cb[48] = "returns 0";
        if (fc->idle_ms)
            snprintf(idle, sizeof idle, "%ld ms", fc->idle_ms);
        if (fc->cancel_at)
            snprintf(cb, sizeof cb, "non-zero at event %d", fc->cancel_at);
        MD("| %s%s%s%s | %s | %s | %s |\n", fc->name, fc->fault ? ": `" : "", fc->fault ? fc->fault : "",
           fc->fault ? "`" : "", idle, cb, cell);
    }
    MD("\nAlso tested there: the whole stream in order with the bytes cut at every offset (one cut per\n"
       "request, each offset of the stream; every 37th under valgrind), one byte per read with LF, CRLF\n"
       "and CR line ends in each mode, and random pieces of 2 to 10 bytes; `openrouter_async_cancel()` of\n"
       "a stream in progress (ECANCELED after the events already delivered; refused with EINVAL from\n"
       "inside the event callback); six streams side by side on one handle; an error event's message\n"
       "holding the API key comes back redacted.\n");
#undef MD
    if (n >= cap) {
        free(md);
        return NULL;
    }
    return md;
}

static void test_doc_matches_table(void)
{
    or_test_doc_matches(OR_SOURCE_DIR "/docs/STREAMING.md", markdown(),
                        "test_stream --markdown > docs/STREAMING.md");
}

static void run_case(enum mode m, openrouter_client *c, const fault_case *fc)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 0), 0);
    if (fc->fault) {
        CU_ASSERT_EQUAL_FATAL(stub_add_faults(&srv, fc->fault), 0);
    }
    rec r;
    rec_init(&r);
    r.cancel_at = fc->cancel_at;
    openrouter_call_options opts = OPENROUTER_CALL_OPTIONS_INIT;
    opts.stream_idle_timeout_ms = fc->idle_ms;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    int64_t t0 = or_test_now_ms();
    int rc = run_stream(m, c, &r, &opts, &err);
    long ms = (long)(or_test_now_ms() - t0);
    printf("\n  %-12s %-58s %-22s %2d events %5ld ms", mode_name[m], fc->name, openrouter_status_name(rc),
           r.events, ms);
    CU_ASSERT_EQUAL(rc, fc->rc);
    CU_ASSERT_EQUAL(r.events, fc->events);
    if (fc->rc == OPENROUTER_OK) {
        assert_whole(&r);
        CU_ASSERT_EQUAL(err.kind, OPENROUTER_OK);
    } else {
        CU_ASSERT_EQUAL(err.kind, fc->rc);
        CU_ASSERT_EQUAL(err.http_status, fc->http_status);
        CU_ASSERT_EQUAL(err.attempts, 1);
        CU_ASSERT_EQUAL(err.request_may_have_been_processed, 1);
        CU_ASSERT_PTR_NULL(strstr(err.message, STUB_MANAGEMENT_KEY));
        if (fc->message && !strstr(err.message, fc->message)) {
            fprintf(stderr, "\n  message: %s\n", err.message);
            CU_FAIL("message");
        }
        if (fc->api_code) {
            CU_ASSERT_PTR_NOT_NULL_FATAL(err.api_code);
            CU_ASSERT_STRING_EQUAL(err.api_code, fc->api_code);
            CU_ASSERT_EQUAL(err.api_code_number, fc->api_code_number);
        }
    }
    /* The idle limit, not the server's pace, ended those streams. */
    if (fc->rc == OPENROUTER_ETIMEOUT) {
        CU_ASSERT(ms < 2900);
    }
    openrouter_error_clear(&err);
}

static void test_faults(void)
{
    openrouter_client *c = client_new();
    for (int m = BLOCKING; m <= SOCKET_MODE; m++)
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
            run_case((enum mode)m, c, &cases[i]);
    printf("\n");
    openrouter_client_free(c);
}

/* ---- details ----------------------------------------------------------------------------------- */

/* The body went with "stream": true though the caller left it out, and
 * Accept asked for text/event-stream. */
static void test_request_asks_to_stream(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 0), 0);
    CU_ASSERT_EQUAL_FATAL(stub_clear_requests(&srv), 0);
    openrouter_client *c = client_new();
    rec r;
    rec_init(&r);
    openrouter_error err = OPENROUTER_ERROR_INIT;
    CU_ASSERT_EQUAL(run_stream(BLOCKING, c, &r, NULL, &err), OPENROUTER_OK);
    json_object *root = stub_requests(&srv), *list = NULL, *v = NULL;
    CU_ASSERT_FATAL(root && json_object_object_get_ex(root, "requests", &list));
    json_object *last = json_object_array_get_idx(list, json_object_array_length(list) - 1);
    CU_ASSERT_FATAL(json_object_object_get_ex(last, "body_raw", &v));
    CU_ASSERT_PTR_NOT_NULL(strstr(json_object_get_string(v), "\"stream\":true"));
    /* It asks for events, and JSON for an error. */
    json_object *headers = NULL;
    CU_ASSERT_FATAL(json_object_object_get_ex(last, "headers", &headers) &&
                    json_object_object_get_ex(headers, "accept", &v));
    CU_ASSERT_STRING_EQUAL(json_object_get_string(v), "text/event-stream, application/json");
    json_object_put(root);
    openrouter_error_clear(&err);
    openrouter_client_free(c);
}

/* A mid-stream error's message holding the API key comes back without it. */
static void test_error_event_redacted(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 0), 0);
    CU_ASSERT_EQUAL_FATAL(stub_add_faults(&srv, "{\"stream\": {\"error_after\": 1, \"error_code\": 401, "
                                                "\"error_message\": \"bad key " STUB_MANAGEMENT_KEY "\"}}"),
                          0);
    openrouter_client *c = client_new();
    rec r;
    rec_init(&r);
    openrouter_error err = OPENROUTER_ERROR_INIT;
    CU_ASSERT_EQUAL(run_stream(BLOCKING, c, &r, NULL, &err), OPENROUTER_EHTTP);
    CU_ASSERT_PTR_NOT_NULL_FATAL(err.api_message);
    CU_ASSERT_PTR_NULL(strstr(err.api_message, STUB_MANAGEMENT_KEY));
    CU_ASSERT_PTR_NULL(strstr(err.message, STUB_MANAGEMENT_KEY));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.api_message, "bad key"));
    openrouter_error_clear(&err);
    openrouter_client_free(c);
}

static void test_bad_arguments(void)
{
    openrouter_client *c = client_new();
    chat ch;
    chat_init(&ch);
    openrouter_error err = OPENROUTER_ERROR_INIT;
    CU_ASSERT_EQUAL(orfull_send_chat_completion_request_stream(c, &ch.req, NULL, NULL, NULL, &err),
                    OPENROUTER_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.field, "callback");
    char *raw = NULL;
    openrouter_call_options opts = OPENROUTER_CALL_OPTIONS_INIT;
    opts.raw_body = &raw;
    CU_ASSERT_EQUAL(orfull_send_chat_completion_request_stream(c, &ch.req, on_chunk, NULL, &opts, &err),
                    OPENROUTER_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.field, "options.raw_body");
    opts.raw_body = NULL;
    opts.stream_idle_timeout_ms = -1;
    CU_ASSERT_EQUAL(orfull_send_chat_completion_request_stream(c, &ch.req, on_chunk, NULL, &opts, &err),
                    OPENROUTER_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.field, "options.stream_idle_timeout_ms");
    /* An operation without a stream. */
    CU_ASSERT_EQUAL(openrouter_call_stream(c, &orfull_get_current_key_operation, NULL,
                                           (openrouter_stream_thunk_fn)1, (void (*)(void))1, NULL, NULL, &err),
                    OPENROUTER_EINVAL);
    openrouter_error_clear(&err);
    openrouter_client_free(c);
}

/* openrouter_async_cancel() of a stream in progress, from the loop between
 * drive steps; and refused from inside the event callback. */
static void test_async_cancel_in_progress(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 0), 0);
    CU_ASSERT_EQUAL_FATAL(stub_add_faults(&srv, "{\"stream\": {\"event_delay_ms\": 150}}"), 0);
    openrouter_client *c = client_new();
    openrouter_async *a = or_test_async(c, 0);
    chat ch;
    chat_init(&ch);
    rec r;
    rec_init(&r);
    done d = {0, 1, OPENROUTER_ERROR_INIT};
    openrouter_async_call *call = NULL;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    CU_ASSERT_EQUAL_FATAL(orfull_send_chat_completion_request_stream_start(a, &ch.req, on_chunk, &r, NULL, on_done,
                                                                           &d, &call, &err),
                          OPENROUTER_OK);
    r.call = call;
    int64_t t0 = or_test_now_ms();
    while (r.events < 3 && or_test_now_ms() - t0 < 20000)
        openrouter_async_run(a, 50);
    CU_ASSERT_EQUAL(r.cancel_inside_rc, OPENROUTER_EINVAL);
    CU_ASSERT_EQUAL(d.calls, 0);
    CU_ASSERT_EQUAL(openrouter_async_cancel(call), OPENROUTER_OK);
    CU_ASSERT_EQUAL(openrouter_async_run(a, 5000), 0);
    CU_ASSERT_EQUAL(d.calls, 1);
    CU_ASSERT_EQUAL(d.rc, OPENROUTER_ECANCELED);
    CU_ASSERT_EQUAL(r.events, 3);
    CU_ASSERT_PTR_NOT_NULL(strstr(d.err.message, "cancelled after 3 events"));
    CU_ASSERT_EQUAL(d.err.request_may_have_been_processed, 1);
    openrouter_error_clear(&d.err);
    openrouter_async_free(a);
    openrouter_client_free(c);
}

/* Several streams at once on one handle, each whole. */
static void test_async_streams_side_by_side(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 0), 0);
    openrouter_client *c = client_new();
    openrouter_async *a = or_test_async(c, 0);
    enum { N = 6 };
    chat ch;
    chat_init(&ch);
    rec r[N];
    done d[N];
    openrouter_error err = OPENROUTER_ERROR_INIT;
    for (int i = 0; i < N; i++) {
        rec_init(&r[i]);
        d[i] = (done){0, 1, OPENROUTER_ERROR_INIT};
        CU_ASSERT_EQUAL(orfull_send_chat_completion_request_stream_start(a, &ch.req, on_chunk, &r[i], NULL, on_done,
                                                                         &d[i], NULL, &err),
                        OPENROUTER_OK);
    }
    CU_ASSERT_EQUAL(openrouter_async_run(a, 30000), 0);
    for (int i = 0; i < N; i++) {
        CU_ASSERT_EQUAL(d[i].calls, 1);
        CU_ASSERT_EQUAL(d[i].rc, OPENROUTER_OK);
        CU_ASSERT_EQUAL(r[i].events, N_EVENTS);
        CU_ASSERT_STRING_EQUAL(r[i].text, WORDS);
        openrouter_error_clear(&d[i].err);
    }
    openrouter_async_free(a);
    openrouter_client_free(c);
}

/* Every allocation of a stream failing in turn (blocking and run mode):
 * ENOMEM after the events delivered so far, nothing leaked (valgrind, ASan),
 * until the stream goes through whole. */
static void test_allocation_failures(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 0), 0);
    openrouter_client *c = client_new();
    for (int m = BLOCKING; m <= RUN_MODE; m++) {
        long nth = 1;
        for (;; nth++) {
            rec r;
            rec_init(&r);
            openrouter_error err = OPENROUTER_ERROR_INIT;
            chat ch;
            chat_init(&ch);
            openrouter_async *a = m == RUN_MODE ? or_test_async(c, 0) : NULL;
            done d = {0, OPENROUTER_ENOMEM, OPENROUTER_ERROR_INIT};
            or_test_fail_alloc(nth);
            int rc = m == BLOCKING
                         ? orfull_send_chat_completion_request_stream(c, &ch.req, on_chunk, &r, NULL, &err)
                         : orfull_send_chat_completion_request_stream_start(a, &ch.req, on_chunk, &r, NULL,
                                                                            on_done, &d, NULL, &err);
            if (a && rc == OPENROUTER_OK) {
                CU_ASSERT_EQUAL(openrouter_async_run(a, 30000), 0);
                CU_ASSERT_EQUAL(d.calls, 1);
                rc = d.rc;
            }
            or_test_fail_alloc(0);
            openrouter_async_free(a);
            openrouter_error_clear(&d.err);
            openrouter_error_clear(&err);
            if (rc == OPENROUTER_OK) {
                assert_whole(&r);
                break;
            }
            CU_ASSERT_EQUAL(rc, OPENROUTER_ENOMEM);
            CU_ASSERT(r.events < N_EVENTS);
            if (rc != OPENROUTER_ENOMEM || nth > 2000)
                break;
        }
        printf("\n  %s: %ld allocations failed in turn", mode_name[m], nth - 1);
    }
    printf("\n");
    openrouter_client_free(c);
}

int main(int argc, char **argv)
{
    int code = 0;
    if (or_test_markdown_main(argc, argv, markdown, &code))
        return code;
    if (or_test_fail_alloc_install(NULL) != 0 || CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("streaming (orfull, stand-in server)", suite_init, suite_clean);
    CU_add_test(s, "docs/STREAMING.md matches the table", test_doc_matches_table);
    CU_add_test(s, "the request asks to stream", test_request_asks_to_stream);
    CU_add_test(s, "bad arguments", test_bad_arguments);
    CU_add_test(s, "every event in order under every split", test_every_split);
    CU_add_test(s, "each fault's outcome, blocking, run mode, socket mode", test_faults);
    CU_add_test(s, "an error event's message is redacted", test_error_event_redacted);
    CU_add_test(s, "async: cancelling a stream in progress", test_async_cancel_in_progress);
    CU_add_test(s, "async: streams side by side", test_async_streams_side_by_side);
    CU_add_test(s, "allocation failures", test_allocation_failures);
    return or_test_run();
}
