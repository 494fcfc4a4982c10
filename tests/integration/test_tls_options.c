/* Transport security: the curl options in force for every kind of client
 * (TLS verification on, https only unless plain http was allowed, no
 * redirects), a real TLS handshake against a self-signed certificate that
 * must fail, redirects to another server that must not be followed (with or
 * without the key), and no public option that could turn verification off. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <CUnit/CUnit.h>
#include <curl/curl.h>

#include <openrouter/openrouter.h>

#include "helper_proc.h"
#include "internal.h"
#include "stub_server.h"
#include "test_util.h"

#define TLS_SERVER_SCRIPT OR_SOURCE_DIR "/tests/integration/tls_server.py"

static stub_server a, b; /* b is "another host": a different origin */

static openrouter_client *client_for(const char *base_url, int allow_insecure, openrouter_error *err)
{
    openrouter_client_options o = OPENROUTER_CLIENT_OPTIONS_INIT;
    o.api_key = STUB_MANAGEMENT_KEY;
    o.base_url = base_url;
    o.allow_insecure_http = allow_insecure;
    o.retry.max_attempts = 1;
    /* The connect timeout covers the TLS handshake, and with it libcurl's
     * loading of the system CA bundle: under valgrind on a loaded machine
     * that can pass the default 10 s and end in a timeout instead of the
     * verification failure under test. */
    o.connect_timeout_ms = 50000;
    openrouter_client *c = NULL;
    openrouter_client_new(&c, &o, err);
    return c;
}

static void assert_safe_settings(openrouter_client *c, const char *protocols)
{
    const or_transport_settings *s = or_client_settings(c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(s->ssl_verify_peer, 1);
    CU_ASSERT_EQUAL(s->ssl_verify_host, 2);
    CU_ASSERT_EQUAL(s->follow_location, 0);
    CU_ASSERT_STRING_EQUAL(s->protocols, protocols);
    CU_ASSERT_STRING_EQUAL(s->redir_protocols, protocols);
    CU_ASSERT_EQUAL(s->nosignal, 1);
    CU_ASSERT(s->connect_timeout_ms > 0);
    CU_ASSERT(s->timeout_ms > 0);
}

static void test_settings_for_every_kind_of_client(void)
{
    static const struct {
        const char *base_url;
        int allow_insecure;
        const char *protocols;
    } cases[] = {
        {NULL, 0, "https"},                                   /* the default: openrouter.ai */
        {"https://openrouter.ai/api/v1", 1, "http,https"},    /* opt-in allows http, not less TLS */
        {"https://127.0.0.1:1/api/v1", 0, "https"},
        {"http://127.0.0.1:1/api/v1", 0, "http,https"},       /* loopback */
        {"http://[::1]:1/api/v1", 0, "http,https"},
        {"http://example.test/api/v1", 1, "http,https"},      /* opted in */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        openrouter_error err = OPENROUTER_ERROR_INIT;
        openrouter_client *c = client_for(cases[i].base_url, cases[i].allow_insecure, &err);
        CU_ASSERT_PTR_NOT_NULL(c);
        if (c)
            assert_safe_settings(c, cases[i].protocols);
        openrouter_client_free(c);
        openrouter_error_clear(&err);
    }
    /* Plain http to a non-loopback host without the opt-in: refused. */
    openrouter_error err = OPENROUTER_ERROR_INIT;
    CU_ASSERT_PTR_NULL(client_for("http://example.test/api/v1", 0, &err));
    CU_ASSERT_EQUAL(err.kind, OPENROUTER_EINVAL);
    openrouter_error_clear(&err);
    /* Other schemes never. */
    CU_ASSERT_PTR_NULL(client_for("ftp://127.0.0.1/api/v1", 1, &err));
    openrouter_error_clear(&err);
    CU_ASSERT_PTR_NULL(client_for("file:///etc/passwd", 1, &err));
    openrouter_error_clear(&err);
}

/* What libcurl reports after a real transfer. */
static void test_curlinfo_after_a_call(void)
{
    openrouter_error err = OPENROUTER_ERROR_INIT;
    openrouter_client *c = client_for(a.base_url, 0, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    openrouter_get_current_key_metadata_request r = OPENROUTER_GET_CURRENT_KEY_METADATA_REQUEST_INIT;
    openrouter_current_key_response *out = NULL;
    CU_ASSERT_EQUAL(openrouter_get_current_key_metadata(c, &r, &out, NULL, &err), OPENROUTER_OK);
    openrouter_current_key_response_free(out);
    CURL *h = or_client_curl_handle(c);
    long redirects = -1;
    char *scheme = NULL, *effective = NULL;
    CU_ASSERT_EQUAL(curl_easy_getinfo(h, CURLINFO_REDIRECT_COUNT, &redirects), CURLE_OK);
    CU_ASSERT_EQUAL(redirects, 0);
    CU_ASSERT_EQUAL(curl_easy_getinfo(h, CURLINFO_SCHEME, &scheme), CURLE_OK);
    CU_ASSERT(scheme && strcasecmp(scheme, "http") == 0);
    CU_ASSERT_EQUAL(curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &effective), CURLE_OK);
    CU_ASSERT(effective && strncmp(effective, a.base_url, strlen(a.base_url)) == 0);
    openrouter_client_free(c);
    openrouter_error_clear(&err);
}

/* ---- a real TLS server with an untrusted certificate ------------------------- */

static void test_untrusted_certificate_refused(void)
{
    helper_proc t;
    CU_ASSERT_EQUAL_FATAL(helper_start(&t, TLS_SERVER_SCRIPT, NULL), 0);
    char url[96];
    snprintf(url, sizeof url, "https://127.0.0.1:%d/api/v1", t.port);
    /* Both with and without allow_insecure_http: it is about http only. */
    for (int insecure = 0; insecure <= 1; insecure++) {
        openrouter_error err = OPENROUTER_ERROR_INIT;
        openrouter_client *c = client_for(url, insecure, &err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(c);
        openrouter_get_current_key_metadata_request r = OPENROUTER_GET_CURRENT_KEY_METADATA_REQUEST_INIT;
        openrouter_current_key_response *out = NULL;
        CU_ASSERT_EQUAL(openrouter_get_current_key_metadata(c, &r, &out, NULL, &err), OPENROUTER_ETRANSPORT);
        CU_ASSERT_EQUAL(err.curl_code, CURLE_PEER_FAILED_VERIFICATION);
        CU_ASSERT_EQUAL(err.attempts, 1); /* a certificate problem is not retried */
        CU_ASSERT_PTR_NULL(out);
        long verify = -1;
        CU_ASSERT_EQUAL(curl_easy_getinfo(or_client_curl_handle(c), CURLINFO_SSL_VERIFYRESULT, &verify), CURLE_OK);
        CU_ASSERT_NOT_EQUAL(verify, 0); /* X509_V_OK would be 0 */
        openrouter_client_free(c);
        openrouter_error_clear(&err);
    }
    helper_wait_events(&t, 2);
    char *events = helper_events(&t);
    CU_ASSERT_PTR_NOT_NULL(strstr(events, "handshake-failed"));
    CU_ASSERT_PTR_NULL(strstr(events, "request ")); /* no byte of a request, no key */
    free(events);
    /* Control: the same server does answer a client that skips verification
     * (a raw handle, not the library), so the refusal above is the
     * library's verification and not a broken server. */
    CURL *h = curl_easy_init();
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    char key_url[128];
    snprintf(key_url, sizeof key_url, "%s/key", url);
    curl_easy_setopt(h, CURLOPT_URL, key_url);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, fwrite);
    FILE *sink = fopen("/dev/null", "w");
    curl_easy_setopt(h, CURLOPT_WRITEDATA, sink);
    CU_ASSERT_EQUAL(curl_easy_perform(h), CURLE_OK);
    curl_easy_cleanup(h);
    fclose(sink);
    helper_wait_events(&t, 3);
    events = helper_events(&t);
    CU_ASSERT_PTR_NOT_NULL(strstr(events, "request GET /api/v1/key"));
    free(events);
    helper_stop(&t);
}

/* ---- redirects ---------------------------------------------------------------------- */

static void test_redirect_to_another_host_not_followed(void)
{
    static const int statuses[] = {301, 302, 303, 307, 308};
    CU_ASSERT_EQUAL_FATAL(stub_reset(&a, 1), 0);
    CU_ASSERT_EQUAL_FATAL(stub_reset(&b, 1), 0);
    CU_ASSERT_EQUAL_FATAL(stub_reset_connections(&a), 0);
    CU_ASSERT_EQUAL_FATAL(stub_reset_connections(&b), 0);
    openrouter_error err = OPENROUTER_ERROR_INIT;
    openrouter_client *c = client_for(a.base_url, 0, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    int calls = 0;
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
        for (int variant = 0; variant < 3; variant++) {
            char location[160], faults[400];
            if (variant == 0)
                snprintf(location, sizeof location, "%s/key", b.base_url);      /* absolute */
            else if (variant == 1)
                snprintf(location, sizeof location, "//127.0.0.1:%d/api/v1/keys", b.port); /* scheme-relative */
            else
                snprintf(location, sizeof location, "/api/v1/key?again=1");     /* same host */
            snprintf(faults, sizeof faults,
                     "{\"faults\":[{\"status\":%d,\"body\":\"\",\"headers\":{\"Location\":\"%s\"}}]}", statuses[i],
                     location);
            CU_ASSERT_EQUAL_FATAL(stub_add_faults(&a, faults), 0);
            int rc;
            if (variant == 1) {
                /* a create: POST with a body, the one that must never be replayed */
                openrouter_create_key_request r = OPENROUTER_CREATE_KEY_REQUEST_INIT;
                r.body.name = OPENROUTER_STRING("redirected");
                openrouter_created_key *out = NULL;
                rc = openrouter_create_key(c, &r, &out, NULL, &err);
                CU_ASSERT_PTR_NULL(out);
            } else {
                openrouter_get_current_key_metadata_request r = OPENROUTER_GET_CURRENT_KEY_METADATA_REQUEST_INIT;
                openrouter_current_key_response *out = NULL;
                rc = openrouter_get_current_key_metadata(c, &r, &out, NULL, &err);
                CU_ASSERT_PTR_NULL(out);
            }
            calls++;
            CU_ASSERT_EQUAL(rc, OPENROUTER_EHTTP);
            CU_ASSERT_EQUAL(err.http_status, statuses[i]);
            CU_ASSERT_EQUAL(err.attempts, 1);
            CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "redirect not followed"));
            long redirects = -1;
            curl_easy_getinfo(or_client_curl_handle(c), CURLINFO_REDIRECT_COUNT, &redirects);
            CU_ASSERT_EQUAL(redirects, 0);
            openrouter_error_clear(&err);
        }
    }
    CU_ASSERT_EQUAL(stub_stat(&a, "requests"), calls);
    CU_ASSERT_EQUAL(stub_stat(&b, "requests"), 0);       /* the other host saw nothing */
    CU_ASSERT_EQUAL(stub_stat(&b, "api_connections"), 0);
    CU_ASSERT_EQUAL(stub_count_keys(&a), 1);             /* no create happened */
    openrouter_client_free(c);
}

/* ---- nothing public can switch verification off -------------------------------------- */

/* Copies `src` without C comments and string literals' contents. */
static void strip_comments(const char *src, char *dst)
{
    while (*src) {
        if (src[0] == '/' && src[1] == '*') {
            const char *end = strstr(src + 2, "*/");
            src = end ? end + 2 : src + strlen(src);
        } else if (src[0] == '/' && src[1] == '/') {
            while (*src && *src != '\n')
                src++;
        } else if (*src == '"') {
            src++;
            while (*src && *src != '"')
                src += (*src == '\\' && src[1]) ? 2 : 1;
            if (*src)
                src++;
        } else {
            *dst++ = *src++;
        }
    }
    *dst = '\0';
}

static void test_no_public_switch_for_verification(void)
{
    static const char *const dirs[] = {OR_SOURCE_DIR "/runtime/include/openrouter",
                                       OR_SOURCE_DIR "/generated/include/openrouter"};
    static const char *const banned[] = {"verify", "ssl", "tls", "cainfo", "capath", "cert", "insecure_tls",
                                         "skip_", "pinned", "follow", "redirect"};
    int headers = 0;
    for (size_t d = 0; d < 2; d++) {
        DIR *dir = opendir(dirs[d]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
        struct dirent *e;
        while ((e = readdir(dir)) != NULL) {
            size_t n = strlen(e->d_name);
            if (n < 3 || strcmp(e->d_name + n - 2, ".h") != 0)
                continue;
            char path[512];
            snprintf(path, sizeof path, "%s/%s", dirs[d], e->d_name);
            size_t len = 0;
            char *text = or_test_read_file(path, &len);
            CU_ASSERT_PTR_NOT_NULL_FATAL(text);
            char *code = malloc(len + 1);
            strip_comments(text, code);
            for (char *p = code; *p; p++)
                *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
            for (size_t k = 0; k < sizeof banned / sizeof banned[0]; k++) {
                if (strstr(code, banned[k])) {
                    fprintf(stderr, "\n    %s declares something with \"%s\"\n", e->d_name, banned[k]);
                    CU_FAIL("a public declaration could weaken transport security");
                }
            }
            free(code);
            free(text);
            headers++;
        }
        closedir(dir);
    }
    CU_ASSERT(headers >= 6);
}

static int suite_init(void)
{
    if (openrouter_global_init() != OPENROUTER_OK)
        return 1;
    if (stub_start(&a, 1) != 0)
        return 1;
    if (stub_start(&b, 1) != 0) {
        stub_stop(&a);
        return 1;
    }
    return 0;
}

static int suite_clean(void)
{
    stub_stop(&a);
    stub_stop(&b);
    openrouter_global_cleanup();
    return 0;
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("tls_options", suite_init, suite_clean);
    CU_add_test(s, "safe curl settings for every kind of client", test_settings_for_every_kind_of_client);
    CU_add_test(s, "CURLINFO after a call", test_curlinfo_after_a_call);
    CU_add_test(s, "untrusted certificate refused, nothing sent", test_untrusted_certificate_refused);
    CU_add_test(s, "redirects to another host not followed", test_redirect_to_another_host_not_followed);
    CU_add_test(s, "no public option weakens verification", test_no_public_switch_for_verification);
    return or_test_run();
}
