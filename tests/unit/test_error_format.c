/* openrouter_error_format() and openrouter_error_print(): the lines a
 * person reads (message, kind and status, request id, attempts, a hint per
 * kind/status/transport failure, the may-have-been-processed note), text
 * from the server made safe for a terminal, and snprintf's contract. */
#define _GNU_SOURCE /* open_memstream */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <curl/curl.h>

#include <openrouter/openrouter.h>

#include "test_util.h"

static openrouter_error make(openrouter_status kind, long status, const char *message)
{
    openrouter_error e = OPENROUTER_ERROR_INIT;
    e.kind = kind;
    e.http_status = status;
    snprintf(e.message, sizeof e.message, "%s", message);
    return e;
}

static char text[4096];

static const char *fmt(const openrouter_error *e)
{
    size_t n = openrouter_error_format(e, text, sizeof text);
    CU_ASSERT_EQUAL(n, strlen(text));
    return text;
}

static void test_nothing_to_say(void)
{
    openrouter_error ok = OPENROUTER_ERROR_INIT;
    strcpy(text, "untouched");
    CU_ASSERT_EQUAL(openrouter_error_format(&ok, text, sizeof text), 0);
    CU_ASSERT_STRING_EQUAL(text, "");
    CU_ASSERT_EQUAL(openrouter_error_format(NULL, text, sizeof text), 0);
    CU_ASSERT_EQUAL(openrouter_error_format(NULL, NULL, 0), 0);
    CU_ASSERT_EQUAL(openrouter_error_print(stderr, &ok), OPENROUTER_OK);
    CU_ASSERT_EQUAL(openrouter_error_print(stderr, NULL), OPENROUTER_OK);
    /* Clearing returns the kind it had, for `return ... != OPENROUTER_OK`. */
    openrouter_error e = make(OPENROUTER_EHTTP, 404, "x: HTTP 404");
    CU_ASSERT_EQUAL(openrouter_error_clear(&e), OPENROUTER_EHTTP);
    CU_ASSERT_EQUAL(e.kind, OPENROUTER_OK);
    CU_ASSERT_EQUAL(openrouter_error_clear(&e), OPENROUTER_OK);
    CU_ASSERT_EQUAL(openrouter_error_clear(NULL), OPENROUTER_OK);
}

static void test_http_errors(void)
{
    static const struct {
        long status;
        const char *hint;
    } cases[] = {
        {400, "refused the request's content"},
        {401, "API key was not accepted"},
        {402, "out of credits"},
        {403, "key operations need a management key"},
        {404, "unknown id (key hash), or a base URL"},
        {408, "gave up waiting"},
        {413, "too large"},
        {301, "redirects are not followed"},
        {500, "retry later"},
        {502, "retry later"},
        {524, "retry later"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        openrouter_error e = make(OPENROUTER_EHTTP, cases[i].status, "getKey: HTTP n: Resource not found");
        e.attempts = 1;
        const char *t = fmt(&e);
        char kind[64];
        snprintf(kind, sizeof kind, "\n  OPENROUTER_EHTTP, HTTP %ld, 1 attempt\n  hint: ", cases[i].status);
        CU_ASSERT_PTR_NOT_NULL(strstr(t, kind));
        CU_ASSERT_PTR_NOT_NULL(strstr(t, cases[i].hint));
        CU_ASSERT_EQUAL(strncmp(t, "getKey: HTTP n: Resource not found\n", 35), 0);
    }
    openrouter_error e = make(OPENROUTER_EHTTP, 429, "listKeys: HTTP 429: Rate limited");
    e.retry_after_ms = 1500;
    e.attempts = 3;
    CU_ASSERT_PTR_NOT_NULL(strstr(fmt(&e), "hint: rate limited: the server asks to wait 2 s before retrying"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, ", 3 attempts"));
    e.retry_after_ms = -1;
    CU_ASSERT_PTR_NOT_NULL(strstr(fmt(&e), "hint: rate limited: slow down and retry later"));
    e = make(OPENROUTER_EHTTP, 418, "x: HTTP 418");
    CU_ASSERT_PTR_NULL(strstr(fmt(&e), "hint:"));
}

static void test_request_id_and_note(void)
{
    openrouter_error e = make(OPENROUTER_EHTTP, 503, "createKey: HTTP 503: busy");
    snprintf(e.request_id, sizeof e.request_id, "8f1c2e3d4a5b6c7d-AMS");
    e.request_id_header = "cf-ray";
    e.attempts = 1;
    e.request_may_have_been_processed = 1;
    const char *t = fmt(&e);
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "OPENROUTER_EHTTP, HTTP 503, request id 8f1c2e3d4a5b6c7d-AMS (cf-ray), 1 attempt"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "\n  note: the server may still have carried out the request"));
}

static void test_other_kinds(void)
{
    static const struct {
        openrouter_status kind;
        int curl_code;
        long status;
        const char *field, *hint;
    } cases[] = {
        {OPENROUTER_EINVAL, 0, 0, "limit", "hint: nothing was sent; fix limit"},
        {OPENROUTER_EINVAL, 0, 0, "", "hint: nothing was sent; check the arguments"},
        {OPENROUTER_ETIMEOUT, CURLE_OPERATION_TIMEDOUT, 0, "", "allow a longer timeout"},
        {OPENROUTER_ETRANSPORT, CURLE_COULDNT_RESOLVE_HOST, 0, "", "host name does not resolve"},
        {OPENROUTER_ETRANSPORT, CURLE_COULDNT_RESOLVE_PROXY, 0, "", "the proxy failed"},
        {OPENROUTER_ETRANSPORT, CURLE_COULDNT_CONNECT, 0, "", "nothing answered at the base URL"},
        {OPENROUTER_ETRANSPORT, CURLE_PEER_FAILED_VERIFICATION, 0, "", "a CA bundle file or directory"},
        {OPENROUTER_ETRANSPORT, CURLE_RECV_ERROR, 0, "", "the connection broke"},
        {OPENROUTER_ETRANSPORT, CURLE_WRITE_ERROR, 200, "", "limit on response bodies"},
        {OPENROUTER_ETRANSPORT, CURLE_UNSUPPORTED_PROTOCOL, 0, "", "check the base URL, the network"},
        {OPENROUTER_EDECODE, 0, 200, "data.limit", "not what the API describes"},
        {OPENROUTER_ECANCELED, 0, 0, "", "cancelled on request"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        openrouter_error e = make(cases[i].kind, cases[i].status, "op: something");
        e.curl_code = cases[i].curl_code;
        snprintf(e.field, sizeof e.field, "%s", cases[i].field);
        const char *t = fmt(&e);
        CU_ASSERT_PTR_NOT_NULL(strstr(t, openrouter_status_name(cases[i].kind)));
        if (!strstr(t, cases[i].hint))
            fprintf(stderr, "\n    case %zu: %s\n", i, t);
        CU_ASSERT_PTR_NOT_NULL(strstr(t, cases[i].hint));
    }
    openrouter_error e = make(OPENROUTER_ENOMEM, 0, "");
    CU_ASSERT_STRING_EQUAL(fmt(&e), "OPENROUTER_ENOMEM\n  OPENROUTER_ENOMEM"); /* no message: the kind */
}

static void test_server_text_made_safe(void)
{
    openrouter_error e = make(OPENROUTER_EHTTP, 400, "createKey: HTTP 400: bad \x1b[31mred\x1b[0m");
    char api[] = "a long message\r\nwith lines \x07 that did not fit";
    e.api_message = api;
    snprintf(e.request_id, sizeof e.request_id, "id\x1b]0;title\x07");
    e.request_id_header = "x-request-id";
    const char *t = fmt(&e);
    for (const char *p = t; *p; p++)
        CU_ASSERT(*p == '\n' || (unsigned char)*p >= 0x20);
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "bad ?[31mred?[0m"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "\n  API message: a long message??with lines ? that did not fit"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "request id id?]0;title? (x-request-id)"));
    e.api_message = NULL; /* the caller's array, not the library's */
    /* An API message the message already holds is not repeated. */
    char same[] = "Resource not found";
    e = make(OPENROUTER_EHTTP, 404, "getKey: HTTP 404: Resource not found");
    e.api_message = same;
    CU_ASSERT_PTR_NULL(strstr(fmt(&e), "API message"));
}

static void test_snprintf_contract(void)
{
    openrouter_error e = make(OPENROUTER_EHTTP, 401, "getCurrentKeyMetadata: HTTP 401: Invalid credentials");
    size_t full = openrouter_error_format(&e, NULL, 0);
    CU_ASSERT(full > 60);
    char small[20];
    memset(small, 'x', sizeof small);
    CU_ASSERT_EQUAL(openrouter_error_format(&e, small, sizeof small), full);
    CU_ASSERT_EQUAL(strlen(small), sizeof small - 1);
    CU_ASSERT_EQUAL(strncmp(small, "getCurrentKeyMetada", 19), 0);
    char one[1] = {'x'};
    CU_ASSERT_EQUAL(openrouter_error_format(&e, one, 1), full);
    CU_ASSERT_EQUAL(one[0], '\0');
    char *exact = malloc(full + 1);
    CU_ASSERT_EQUAL(openrouter_error_format(&e, exact, full + 1), full);
    CU_ASSERT_EQUAL(strlen(exact), full);
    free(exact);
}

/* print: the same text and a newline, however long; returns the kind. */
static void test_print(void)
{
    openrouter_error e = make(OPENROUTER_EHTTP, 400, "createKey: HTTP 400: see below");
    char *api = malloc(5001);
    memset(api, 'm', 5000);
    api[5000] = '\0';
    e.api_message = api;
    char *printed = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&printed, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(openrouter_error_print(f, &e), OPENROUTER_EHTTP);
    fclose(f);
    size_t want = openrouter_error_format(&e, NULL, 0);
    CU_ASSERT_EQUAL(len, want + 1);
    CU_ASSERT(len > 5000 && printed[len - 1] == '\n');
    free(printed);
    e.api_message = NULL;
    free(api);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("error_format", NULL, NULL);
    CU_add_test(s, "nothing to say", test_nothing_to_say);
    CU_add_test(s, "HTTP errors and their hints", test_http_errors);
    CU_add_test(s, "request id and the processed note", test_request_id_and_note);
    CU_add_test(s, "other kinds and transport failures", test_other_kinds);
    CU_add_test(s, "server text made safe", test_server_text_made_safe);
    CU_add_test(s, "snprintf contract", test_snprintf_contract);
    CU_add_test(s, "print", test_print);
    return or_test_run();
}
