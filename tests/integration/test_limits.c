/* Limits and hostile responses: the response size limit (16 MiB by default,
 * configurable, enforced while receiving), the JSON depth limit, trailing
 * garbage, integers out of range, invalid UTF-8, a wrong Content-Type and
 * an empty body on success. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <curl/curl.h>
#include <json-c/json.h>

#include <openrouter/openrouter.h>

#include "internal.h"
#include "stub_server.h"
#include "test_util.h"

static stub_server srv;

static openrouter_client *client_strict(size_t max_bytes, int strict)
{
    openrouter_client_options o = OPENROUTER_CLIENT_OPTIONS_INIT;
    o.api_key = STUB_MANAGEMENT_KEY;
    o.base_url = srv.base_url;
    o.max_response_bytes = max_bytes;
    o.strict_decoding = strict;
    openrouter_client *c = NULL;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    CU_ASSERT_EQUAL_FATAL(openrouter_client_new(&c, &o, &err), OPENROUTER_OK);
    openrouter_error_clear(&err);
    return c;
}

static openrouter_client *client_limit(size_t max_bytes)
{
    return client_strict(max_bytes, 0);
}

/* The kind of the model's warning at `path`, 0 when there is none. */
static int warning_at(const void *model, const char *path)
{
    size_t n = 0;
    const openrouter_warning *w = openrouter_model_warnings(model, &n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(w[i].path, path) == 0)
            return (int)w[i].kind;
    return 0;
}

static void fault(const char *f)
{
    CU_ASSERT_EQUAL_FATAL(stub_add_faults(&srv, f), 0);
}

static int list(openrouter_client *c, openrouter_error *err)
{
    openrouter_key_list *out = NULL;
    int rc = openrouter_list_keys(c, NULL, &out, NULL, err);
    CU_ASSERT_EQUAL(out != NULL, rc == OPENROUTER_OK);
    openrouter_key_list_free(out);
    return rc;
}

static curl_off_t downloaded(openrouter_client *c)
{
    curl_off_t n = -1;
    curl_easy_getinfo((CURL *)or_client_curl_handle(c), CURLINFO_SIZE_DOWNLOAD_T, &n);
    return n;
}

static char *b64(const unsigned char *p, size_t n)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *out = malloc(4 * ((n + 2) / 3) + 1), *o = out;
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
        *o++ = tab[v >> 18 & 63];
        *o++ = tab[v >> 12 & 63];
        *o++ = i + 1 < n ? tab[v >> 6 & 63] : '=';
        *o++ = i + 2 < n ? tab[v & 63] : '=';
    }
    *o = '\0';
    return out;
}

/* Queues one raw response body (any bytes) for the next request. */
static void raw_body(const char *body, size_t n)
{
    char *enc = b64((const unsigned char *)body, n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(enc);
    size_t len = strlen(enc) + 64;
    char *f = malloc(len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    snprintf(f, len, "{\"body_override_b64\":\"%s\"}", enc);
    fault(f);
    free(f);
    free(enc);
}

/* ---- size limit ------------------------------------------------------------- */

static void test_default_limit_16mib(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 0), 0);
    openrouter_client *c = client_limit(0);
    const size_t limit = (size_t)16 * 1024 * 1024;
    CU_ASSERT_EQUAL(or_client_settings(c)->max_response_bytes, limit);
    CU_ASSERT_EQUAL(OPENROUTER_DEFAULT_MAX_RESPONSE_BYTES, limit);
    openrouter_error err = OPENROUTER_ERROR_INIT;
    char f[128];

    /* Announced with Content-Length: refused from the headers, before a
     * single body byte is taken. */
    snprintf(f, sizeof f, "{\"huge_body_bytes\":%zu}", limit + 1);
    fault(f);
    CU_ASSERT_EQUAL(list(c, &err), OPENROUTER_ETRANSPORT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "exceeds limit of 16777216 bytes"));
    CU_ASSERT_EQUAL(err.http_status, 200);
    CU_ASSERT_EQUAL(err.attempts, 1); /* not retried */
    CU_ASSERT(downloaded(c) < (curl_off_t)limit);
    openrouter_error_clear(&err);

    /* Chunked, size unknown in advance: cut off while receiving, having
     * taken at most the limit plus one network read. */
    snprintf(f, sizeof f, "{\"huge_body_bytes\":%zu,\"chunked\":true}", limit + 1024 * 1024);
    fault(f);
    CU_ASSERT_EQUAL(list(c, &err), OPENROUTER_ETRANSPORT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "exceeds limit of 16777216 bytes"));
    curl_off_t got = downloaded(c);
    CU_ASSERT(got <= (curl_off_t)(limit + CURL_MAX_WRITE_SIZE));
    CU_ASSERT(got > (curl_off_t)(limit - CURL_MAX_WRITE_SIZE));
    openrouter_error_clear(&err);

    /* Just under the limit is fine either way. */
    snprintf(f, sizeof f, "{\"huge_body_bytes\":%zu,\"chunked\":true}", limit);
    fault(f);
    CU_ASSERT_EQUAL(list(c, &err), OPENROUTER_OK);
    openrouter_error_clear(&err);
    /* The client still works on the same connection afterwards. */
    CU_ASSERT_EQUAL(list(c, &err), OPENROUTER_OK);
    openrouter_client_free(c);
}

static void test_configured_limit_boundaries(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 0), 0);
    struct { size_t limit, body; int chunked, ok; } cases[] = {
        {4096, 4096, 0, 1}, {4095, 4096, 0, 0}, {4096, 4096, 1, 1}, {4095, 4096, 1, 0},
        {100, 100000, 1, 0}, {100, 100000, 0, 0}, {1 << 20, 100000, 1, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        openrouter_client *c = client_limit(cases[i].limit);
        char f[128];
        snprintf(f, sizeof f, "{\"huge_body_bytes\":%zu,\"chunked\":%s}", cases[i].body,
                 cases[i].chunked ? "true" : "false");
        fault(f);
        openrouter_error err = OPENROUTER_ERROR_INIT;
        int rc = list(c, &err);
        CU_ASSERT_EQUAL(rc, cases[i].ok ? OPENROUTER_OK : OPENROUTER_ETRANSPORT);
        if (!cases[i].ok) {
            char want[64];
            snprintf(want, sizeof want, "exceeds limit of %zu bytes", cases[i].limit);
            CU_ASSERT_PTR_NOT_NULL(strstr(err.message, want));
            CU_ASSERT(downloaded(c) <= (curl_off_t)(cases[i].limit + CURL_MAX_WRITE_SIZE));
        }
        if ((rc == OPENROUTER_OK) != cases[i].ok)
            fprintf(stderr, "\n  case %zu: %s\n", i, err.message);
        openrouter_error_clear(&err);
        openrouter_client_free(c);
    }
}

/* ---- JSON shape ------------------------------------------------------------- */

static void test_depth_limit(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 0), 0);
    openrouter_client *c = client_limit(0);
    openrouter_error err = OPENROUTER_ERROR_INIT;
    /* {"data": [ x N ]}: the object plus N arrays, N + 1 levels. 64 levels
     * parse (and then fail as the wrong shape); 65 do not. */
    openrouter_client *strict = client_strict(0, 1);
    fault("{\"deep_nesting\":63}");
    CU_ASSERT_EQUAL(list(strict, &err), OPENROUTER_EDECODE);
    CU_ASSERT_PTR_NULL(strstr(err.message, "nested deeper"));
    CU_ASSERT_STRING_EQUAL(err.field, "data[0]");
    openrouter_error_clear(&err);
    openrouter_client_free(strict);
    /* Not strict: the array where a key belongs is one item of the wrong type. */
    fault("{\"deep_nesting\":63}");
    openrouter_key_list *page = NULL;
    CU_ASSERT_EQUAL(openrouter_list_keys(c, NULL, &page, NULL, &err), OPENROUTER_OK);
    CU_ASSERT_EQUAL(warning_at(page, "data[0]"), OPENROUTER_WARNING_TYPE);
    openrouter_key_list_free(page);
    fault("{\"deep_nesting\":64}");
    CU_ASSERT_EQUAL(list(c, &err), OPENROUTER_EDECODE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "nested deeper than 64"));
    openrouter_error_clear(&err);
    fault("{\"deep_nesting\":100000}");
    CU_ASSERT_EQUAL(list(c, &err), OPENROUTER_EDECODE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "nested deeper than 64"));
    openrouter_error_clear(&err);
    /* Deep objects too, in a field nobody reads. */
    char body[4096];
    size_t n = (size_t)snprintf(body, sizeof body, "{\"data\":[],\"x\":");
    for (int i = 0; i < 100; i++)
        n += (size_t)snprintf(body + n, sizeof body - n, "{\"a\":");
    n += (size_t)snprintf(body + n, sizeof body - n, "1");
    for (int i = 0; i < 101; i++)
        n += (size_t)snprintf(body + n, sizeof body - n, "}");
    raw_body(body, n);
    CU_ASSERT_EQUAL(list(c, &err), OPENROUTER_EDECODE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "nested deeper than 64"));
    openrouter_error_clear(&err);
    openrouter_client_free(c);
}

static void test_trailing_garbage(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 0), 0);
    openrouter_client *c = client_limit(0);
    struct { const char *body; size_t len; int ok; const char *msg; } cases[] = {
        {"{\"data\":[]} x", 13, 0, "trailing data after JSON at offset 12"},
        {"{\"data\":[]}{}", 13, 0, "trailing data"},
        {"{\"data\":[]}]", 12, 0, "trailing data"},
        {"{\"data\":[]},", 12, 0, "trailing data"},
        {"{\"data\":[]}\0", 12, 0, "NUL byte"},
        {"{\"data\":[]} \r\n\t ", 16, 1, NULL},
        {" \n{\"data\":[]}", 13, 1, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        raw_body(cases[i].body, cases[i].len);
        openrouter_error err = OPENROUTER_ERROR_INIT;
        int rc = list(c, &err);
        CU_ASSERT_EQUAL(rc, cases[i].ok ? OPENROUTER_OK : OPENROUTER_EDECODE);
        if (cases[i].msg)
            CU_ASSERT_PTR_NOT_NULL(strstr(err.message, cases[i].msg));
        if ((rc == OPENROUTER_OK) != cases[i].ok || (cases[i].msg && !strstr(err.message, cases[i].msg)))
            fprintf(stderr, "\n  case %zu: %s\n", i, err.message);
        openrouter_error_clear(&err);
    }
    openrouter_client_free(c);
}

static void test_integers_out_of_range(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 0), 0);
    /* A value the field cannot hold fails in strict mode (the body lacks
     * members it requires, which strict mode would report after it), and
     * is left ABSENT with a warning otherwise. */
    openrouter_client *c = client_limit(0), *strict = client_strict(0, 1);
    struct { const char *value; int ok; long long want; const char *msg; } cases[] = {
        {"9223372036854775807", 1, INT64_MAX, NULL},
        {"-9223372036854775807", 1, -INT64_MAX, NULL},
        /* json-c saturates larger negatives to INT64_MIN, so -2^63 itself
         * cannot be told apart from them and is refused (decode.c). */
        {"-9223372036854775808", 0, 0, "out of range"},
        {"0", 1, 0, NULL},
        {"9223372036854775808", 0, 0, "out of range"},
        {"-9223372036854775809", 0, 0, "out of range"},
        {"18446744073709551616", 0, 0, "out of range"},
        {"1e19", 0, 0, NULL},
        {"1e400", 0, 0, NULL},
        {"1.5", 0, 0, "fraction"},
        {"\"12\"", 0, 0, "expected integer"},
        {"true", 0, 0, "expected integer"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char body[256];
        int n = snprintf(body, sizeof body, "{\"data\":{\"free_model_daily_requests\":{\"limit\":%s}}}",
                         cases[i].value);
        openrouter_current_key_response *out = NULL;
        openrouter_error err = OPENROUTER_ERROR_INIT;
        if (!cases[i].ok) {
            raw_body(body, (size_t)n);
            CU_ASSERT_EQUAL(openrouter_get_current_key_metadata(c, NULL, &out, NULL, &err), OPENROUTER_OK);
            CU_ASSERT_EQUAL(out->data.value.free_model_daily_requests.value.limit.state, OPENROUTER_ABSENT);
            int kind = warning_at(out, "data.free_model_daily_requests.limit");
            CU_ASSERT(kind == (cases[i].msg && strstr(cases[i].msg, "range") ? OPENROUTER_WARNING_UNREPRESENTABLE
                               : cases[i].msg                             ? OPENROUTER_WARNING_TYPE
                                                                          : kind));
            CU_ASSERT(kind == OPENROUTER_WARNING_UNREPRESENTABLE || kind == OPENROUTER_WARNING_TYPE);
            openrouter_current_key_response_free(out);
            out = NULL;
        }
        raw_body(body, (size_t)n);
        int rc = openrouter_get_current_key_metadata(cases[i].ok ? c : strict, NULL, &out, NULL, &err);
        CU_ASSERT_EQUAL(rc, cases[i].ok ? OPENROUTER_OK : OPENROUTER_EDECODE);
        if (rc == OPENROUTER_OK && out) {
            CU_ASSERT_EQUAL(out->data.value.free_model_daily_requests.value.limit.value, cases[i].want);
        } else if (rc == OPENROUTER_EDECODE) {
            CU_ASSERT_PTR_NULL(out);
            /* A number json-c itself cannot hold fails at the parse, anything
             * else names the field. */
            if (strcmp(cases[i].value, "1e400") != 0)
                CU_ASSERT_STRING_EQUAL(err.field, "data.free_model_daily_requests.limit");
            if (cases[i].msg)
                CU_ASSERT_PTR_NOT_NULL(strstr(err.message, cases[i].msg));
        }
        if ((rc == OPENROUTER_OK) != cases[i].ok)
            fprintf(stderr, "\n  case %s: %s\n", cases[i].value, err.message);
        openrouter_current_key_response_free(out);
        openrouter_error_clear(&err);
    }
    /* Doubles too: a limit beyond double range is refused, not infinity. */
    CU_ASSERT_EQUAL_FATAL(stub_add_key(&srv, "{\"hash\":\"lim\",\"name\":\"n\"}", NULL, 0), 0);
    const char *body = "{\"data\":{\"hash\":\"lim\",\"limit\":1e400}}";
    raw_body(body, strlen(body));
    openrouter_get_key_request get = OPENROUTER_GET_KEY_REQUEST_INIT;
    get.hash = "lim";
    openrouter_key_response *out = NULL;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    CU_ASSERT_EQUAL(openrouter_get_key(strict, &get, &out, NULL, &err), OPENROUTER_EDECODE);
    CU_ASSERT_PTR_NULL(out);
    openrouter_error_clear(&err);
    raw_body(body, strlen(body));
    CU_ASSERT_EQUAL_FATAL(openrouter_get_key(c, &get, &out, NULL, &err), OPENROUTER_OK);
    CU_ASSERT_EQUAL(out->data.value.limit.state, OPENROUTER_ABSENT);
    CU_ASSERT_EQUAL(warning_at(out, "data.limit"), OPENROUTER_WARNING_UNREPRESENTABLE);
    openrouter_key_response_free(out);
    openrouter_client_free(strict);
    openrouter_client_free(c);
}

static void test_invalid_utf8(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 0), 0);
    CU_ASSERT_EQUAL_FATAL(stub_add_key(&srv, "{\"hash\":\"u8\",\"name\":\"n\"}", NULL, 0), 0);
    openrouter_client *c = client_limit(0);
    struct { const char *name; int ok; const char *decoded; } cases[] = {
        {"\xff", 0, NULL},                 /* never valid */
        {"ab\xc3", 0, NULL},               /* cut short at the end */
        {"\xc3\x28", 0, NULL},             /* bad continuation */
        {"\xc0\xaf", 0, NULL},             /* overlong '/' */
        {"\xe0\x80\xaf", 0, NULL},         /* overlong, 3 bytes */
        {"\xed\xa0\x80", 0, NULL},         /* UTF-16 surrogate */
        {"\xf4\x90\x80\x80", 0, NULL},     /* above U+10FFFF */
        {"\\ud800", 0, NULL},              /* escaped lone surrogate */
        {"\\udc00x", 0, NULL},             /* escaped lone low surrogate */
        {"\\ud800\\u0041", 0, NULL},       /* high surrogate, then no low one */
        {"caf\xc3\xa9", 1, "caf\xc3\xa9"}, /* valid raw */
        {"caf\\u00e9 \\ud83d\\ude00", 1, "caf\xc3\xa9 \xf0\x9f\x98\x80"}, /* valid escapes */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char body[256];
        int n = snprintf(body, sizeof body, "{\"data\":{\"hash\":\"u8\",\"name\":\"%s\"}}", cases[i].name);
        raw_body(body, (size_t)n);
        openrouter_get_key_request get = OPENROUTER_GET_KEY_REQUEST_INIT;
        get.hash = "u8";
        openrouter_key_response *out = NULL;
        openrouter_error err = OPENROUTER_ERROR_INIT;
        int rc = openrouter_get_key(c, &get, &out, NULL, &err);
        CU_ASSERT_EQUAL(rc, cases[i].ok ? OPENROUTER_OK : OPENROUTER_EDECODE);
        if (rc == OPENROUTER_OK && out && cases[i].decoded)
            CU_ASSERT_STRING_EQUAL(out->data.value.name.value, cases[i].decoded);
        if (rc == OPENROUTER_EDECODE)
            CU_ASSERT_PTR_NULL(out);
        if ((rc == OPENROUTER_OK) != cases[i].ok)
            fprintf(stderr, "\n  utf-8 case %zu: rc=%d %s\n", i, rc, err.message);
        openrouter_key_response_free(out);
        openrouter_error_clear(&err);
    }
    openrouter_client_free(c);
}

static void test_content_type(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 0), 0);
    openrouter_client *c = client_limit(0);
    struct { const char *ct; int ok; } cases[] = {
        {"text/html", 0},
        {"text/plain; charset=utf-8", 0},
        {"application/jsonp", 0},
        {"application/xml", 0},
        {"application/json", 1},
        {"Application/JSON; charset=utf-8", 1},
        {"application/vnd.api+json", 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char f[256];
        snprintf(f, sizeof f, "{\"headers\":{\"Content-Type\":\"%s\"}}", cases[i].ct);
        fault(f);
        openrouter_error err = OPENROUTER_ERROR_INIT;
        int rc = list(c, &err);
        CU_ASSERT_EQUAL(rc, cases[i].ok ? OPENROUTER_OK : OPENROUTER_EDECODE);
        if (!cases[i].ok) {
            CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "Content-Type"));
            CU_ASSERT_PTR_NOT_NULL(strstr(err.message, cases[i].ct));
            CU_ASSERT_EQUAL(err.http_status, 200);
            /* A JSON-shaped success body is never copied into the error: it
             * could hold a created key's secret. */
            CU_ASSERT_PTR_NULL(err.body_snippet);
        }
        openrouter_error_clear(&err);
    }
    /* A wrong Content-Type on a created key: decode error, the secret is
     * not kept anywhere in the error, and the caller learns it may exist. */
    fault("{\"headers\":{\"Content-Type\":\"text/plain\"}}");
    openrouter_create_key_request req = OPENROUTER_CREATE_KEY_REQUEST_INIT;
    req.body.name = OPENROUTER_STRING("ct");
    openrouter_created_key *created = NULL;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    CU_ASSERT_EQUAL(openrouter_create_key(c, &req, &created, NULL, &err), OPENROUTER_EDECODE);
    CU_ASSERT_PTR_NULL(created);
    CU_ASSERT_PTR_NULL(err.body_snippet);
    CU_ASSERT_PTR_NULL(strstr(err.message, "sk-or-v1-"));
    CU_ASSERT_EQUAL(err.request_may_have_been_processed, 1);
    openrouter_error_clear(&err);
    openrouter_client_free(c);
}

static void test_empty_body_on_success(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 0), 0);
    openrouter_client *c = client_limit(0);
    openrouter_error err = OPENROUTER_ERROR_INIT;
    fault("{\"body_override\":\"\"}");
    CU_ASSERT_EQUAL(list(c, &err), OPENROUTER_EDECODE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "empty response body (HTTP 200)"));
    openrouter_error_clear(&err);
    fault("{\"body_override\":\"  \\r\\n \"}");
    CU_ASSERT_EQUAL(list(c, &err), OPENROUTER_EDECODE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "empty"));
    openrouter_error_clear(&err);
    /* A 204 for an operation that promises a body is no better. */
    fault("{\"status\":204,\"body\":\"\"}");
    CU_ASSERT_EQUAL(list(c, &err), OPENROUTER_EDECODE);
    CU_ASSERT_EQUAL(err.http_status, 204);
    openrouter_error_clear(&err);
    /* "null" and a bare array are not the documented object either. */
    fault("{\"body_override\":\"null\"}");
    CU_ASSERT_EQUAL(list(c, &err), OPENROUTER_EDECODE);
    openrouter_error_clear(&err);
    fault("{\"body_override\":\"[]\"}");
    CU_ASSERT_EQUAL(list(c, &err), OPENROUTER_EDECODE);
    openrouter_error_clear(&err);
    openrouter_client_free(c);
}

static int suite_init(void) { return stub_start(&srv, 0); }
static int suite_clean(void) { stub_stop(&srv); return 0; }

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("limits and hostile responses", suite_init, suite_clean);
    CU_add_test(s, "default limit 16 MiB, enforced while receiving", test_default_limit_16mib);
    CU_add_test(s, "configured limit boundaries", test_configured_limit_boundaries);
    CU_add_test(s, "JSON depth limit", test_depth_limit);
    CU_add_test(s, "trailing garbage", test_trailing_garbage);
    CU_add_test(s, "integers out of range", test_integers_out_of_range);
    CU_add_test(s, "invalid UTF-8 in strings", test_invalid_utf8);
    CU_add_test(s, "wrong Content-Type", test_content_type);
    CU_add_test(s, "empty body on success", test_empty_body_on_success);
    return or_test_run();
}
