/* The transport options of openrouter_client_options (version 2) and of
 * openrouter_call_options (version 3), each against a real server: a CA
 * bundle file and a CA directory (a TLS stand-in whose certificate a CA of
 * its own signs), a proxy (a CONNECT proxy that logs each tunnel) with the
 * environment rules, extra headers per client and per call, the
 * User-Agent suffix, and the request id of a failed call. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <curl/curl.h>

#include <openrouter/openrouter.h>

#include "helper_proc.h"
#include "internal.h"
#include "stub_server.h"
#include "test_util.h"

#define TLS_SERVER_SCRIPT OR_SOURCE_DIR "/tests/integration/tls_server.py"
#define PROXY_SCRIPT OR_SOURCE_DIR "/tests/support/connect_proxy.py"

static stub_server srv;
static helper_proc tls, proxy;
/* tls_named_url reaches the TLS stand-in by a name only the proxy resolves. */
static char tls_url[96], tls_named_url[96], proxy_url[96], ca_file[128], ca_dir[128];

static openrouter_client *client_at(const char *url, const char *file, const char *dir, const char *proxy_opt,
                                    openrouter_error *err)
{
    openrouter_client_options o = OPENROUTER_CLIENT_OPTIONS_INIT;
    o.api_key = STUB_MANAGEMENT_KEY;
    o.base_url = url;
    o.retry.max_attempts = 1;
    o.ca_bundle_file = file;
    o.ca_directory = dir;
    o.proxy = proxy_opt;
    /* The connect timeout covers the TLS handshake (and the proxy's
     * CONNECT): under valgrind on a loaded machine that can pass the
     * default 10 s and end in a timeout instead of the outcome under test. */
    o.connect_timeout_ms = 50000;
    openrouter_client *c = NULL;
    openrouter_client_new(&c, &o, err);
    return c;
}

/* Options for the stand-in server: its key, one attempt per call. */
static openrouter_client_options stub_options(void)
{
    openrouter_client_options o = OPENROUTER_CLIENT_OPTIONS_INIT;
    o.api_key = STUB_MANAGEMENT_KEY;
    o.base_url = srv.base_url;
    o.retry.max_attempts = 1;
    return o;
}

/* A client made from `o`, which must be accepted. */
static openrouter_client *must_client(const openrouter_client_options *o)
{
    openrouter_client *c = NULL;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    CU_ASSERT_EQUAL_FATAL(openrouter_client_new(&c, o, &err), OPENROUTER_OK);
    return c;
}

/* GET /key through `c`; the status. */
static int get_key(openrouter_client *c, openrouter_error *err)
{
    openrouter_current_key_response *out = NULL;
    int rc = openrouter_get_current_key_metadata(c, NULL, &out, NULL, err);
    openrouter_current_key_response_free(out);
    return rc;
}

/* What one GET /key through a client made with these options saw. */
typedef struct outcome {
    int rc;              /* the call's status, or the client's when it could not be made */
    int curl_code;
    char proxy[96];      /* the client's CURLOPT_PROXY; "(environment)" when left to libcurl */
    char ca_file[128];   /* CURLOPT_CAINFO, "" when libcurl's default */
    char ca_dir[128];
    long verify_peer, verify_host;
    char text[1024];     /* the error as openrouter_error_format() shows it */
} outcome;

static outcome one_call(const char *url, const char *file, const char *dir, const char *proxy_opt)
{
    outcome o;
    memset(&o, 0, sizeof o);
    openrouter_error err = OPENROUTER_ERROR_INIT;
    openrouter_client *c = client_at(url, file, dir, proxy_opt, &err);
    if (c) {
        const or_transport_settings *s = or_client_settings(c);
        snprintf(o.proxy, sizeof o.proxy, "%s", s->proxy ? s->proxy : "(environment)");
        snprintf(o.ca_file, sizeof o.ca_file, "%s", s->ca_file ? s->ca_file : "");
        snprintf(o.ca_dir, sizeof o.ca_dir, "%s", s->ca_dir ? s->ca_dir : "");
        o.verify_peer = s->ssl_verify_peer;
        o.verify_host = s->ssl_verify_host;
        get_key(c, &err);
    }
    o.rc = err.kind;
    o.curl_code = err.curl_code;
    openrouter_error_format(&err, o.text, sizeof o.text);
    openrouter_client_free(c);
    openrouter_error_clear(&err);
    return o;
}

static int count_lines(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

/* How many tunnels the proxy opened so far, once at least `at_least` are logged. */
static int tunnels(int at_least)
{
    helper_wait_events(&proxy, 2 * at_least);
    char *events = helper_events(&proxy);
    int n = count_lines(events, "connect ");
    CU_ASSERT_PTR_NULL(strstr(events, "forward ")); /* never a plain forward request */
    free(events);
    return n;
}

/* ---- CAs ------------------------------------------------------------------------- */

static void test_ca_bundle_file(void)
{
    /* Without it the stand-in's CA is unknown: refused, nothing sent. */
    outcome o = one_call(tls_url, NULL, NULL, NULL);
    CU_ASSERT_EQUAL(o.rc, OPENROUTER_ETRANSPORT);
    CU_ASSERT_EQUAL(o.curl_code, CURLE_PEER_FAILED_VERIFICATION);
    CU_ASSERT_PTR_NOT_NULL(strstr(o.text, "trust that CA (a CA bundle file or directory)"));
    /* With the stand-in's CA: verified and answered. */
    o = one_call(tls_url, ca_file, NULL, NULL);
    CU_ASSERT_EQUAL(o.rc, OPENROUTER_OK);
    CU_ASSERT_STRING_EQUAL(o.ca_file, ca_file);
    CU_ASSERT_STRING_EQUAL(o.ca_dir, "");
    CU_ASSERT_EQUAL(o.verify_peer, 1);
    CU_ASSERT_EQUAL(o.verify_host, 2);
    /* A bundle holding another certificate only (another stand-in's
     * self-signed one): refused. */
    helper_proc other;
    CU_ASSERT_EQUAL_FATAL(helper_start(&other, TLS_SERVER_SCRIPT, NULL), 0);
    char unrelated[128];
    o = one_call(tls_url, helper_path(&other, "cert.pem", unrelated, sizeof unrelated), NULL, NULL);
    CU_ASSERT_EQUAL(o.rc, OPENROUTER_ETRANSPORT);
    CU_ASSERT_EQUAL(o.curl_code, CURLE_PEER_FAILED_VERIFICATION);
    helper_stop(&other);
    helper_wait_events(&tls, 3);
    char *events = helper_events(&tls);
    CU_ASSERT_EQUAL(count_lines(events, "request GET /api/v1/key"), 1);
    free(events);
}

static void test_ca_directory(void)
{
    outcome o = one_call(tls_url, NULL, ca_dir, NULL);
    CU_ASSERT_EQUAL(o.rc, OPENROUTER_OK);
    CU_ASSERT_STRING_EQUAL(o.ca_dir, ca_dir);
    /* A directory without the CA: refused. */
    o = one_call(tls_url, NULL, tls.dir, NULL);
    CU_ASSERT_EQUAL(o.rc, OPENROUTER_ETRANSPORT);
    CU_ASSERT_EQUAL(o.curl_code, CURLE_PEER_FAILED_VERIFICATION);
}

static void test_ca_options_checked_up_front(void)
{
    static const struct {
        const char *file, *dir, *field, *why;
    } cases[] = {
        {"/nonexistent/ca.pem", NULL, "ca_bundle_file", "No such file"},
        {"", NULL, "ca_bundle_file", "is empty"},
        {"/tmp", NULL, "ca_bundle_file", "is a directory"},
        {NULL, "/nonexistent-dir", "ca_directory", "No such file"},
        {NULL, "/etc/hostname", "ca_directory", "is not a directory"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        openrouter_error err = OPENROUTER_ERROR_INIT;
        CU_ASSERT_PTR_NULL(client_at(tls_url, cases[i].file, cases[i].dir, NULL, &err));
        CU_ASSERT_EQUAL(err.kind, OPENROUTER_EINVAL);
        CU_ASSERT_STRING_EQUAL(err.field, cases[i].field);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, cases[i].why));
        openrouter_error_clear(&err);
    }
}

/* ---- the proxy --------------------------------------------------------------------- */

static void test_proxy_tunnel(void)
{
    int before = tunnels(0);
    /* Both by address and by a name only the proxy can resolve. */
    outcome o = one_call(tls_url, ca_file, NULL, proxy_url);
    CU_ASSERT_EQUAL(o.rc, OPENROUTER_OK);
    CU_ASSERT_STRING_EQUAL(o.proxy, proxy_url);
    CU_ASSERT_EQUAL(one_call(tls_named_url, ca_file, NULL, proxy_url).rc, OPENROUTER_OK);
    CU_ASSERT_EQUAL(tunnels(before + 2), before + 2);
    char *events = helper_events(&proxy);
    char want[96];
    snprintf(want, sizeof want, "connect 127.0.0.1:%d 200", tls.port);
    CU_ASSERT_PTR_NOT_NULL(strstr(events, want));
    snprintf(want, sizeof want, "connect stand-in.test:%d 200", tls.port);
    CU_ASSERT_PTR_NOT_NULL(strstr(events, want));
    free(events);
    /* A proxy nobody listens on: a transport error whose hint names it. */
    o = one_call(tls_url, ca_file, NULL, "http://127.0.0.1:9");
    CU_ASSERT_EQUAL(o.rc, OPENROUTER_ETRANSPORT);
    CU_ASSERT_PTR_NOT_NULL(strstr(o.text, "proxy"));
    /* Refused at once: control characters, spaces. */
    openrouter_error err = OPENROUTER_ERROR_INIT;
    CU_ASSERT_PTR_NULL(client_at(tls_url, NULL, NULL, "http://proxy:3128\r\nX: y", &err));
    CU_ASSERT_STRING_EQUAL(err.field, "proxy");
    openrouter_error_clear(&err);
}

/* The environment: honoured by default, ignored with OPENROUTER_NO_PROXY,
 * no_proxy cannot overrule an explicit proxy, never for loopback. */
static void test_proxy_environment(void)
{
    int before = tunnels(0);
    /* stand-in.test resolves only at the proxy: reaching it proves the
     * proxy from the environment was used. */
    setenv("https_proxy", proxy_url, 1);
    outcome o = one_call(tls_named_url, ca_file, NULL, NULL);
    CU_ASSERT_EQUAL(o.rc, OPENROUTER_OK);
    CU_ASSERT_STRING_EQUAL(o.proxy, "(environment)"); /* libcurl reads it */
    CU_ASSERT_EQUAL(tunnels(before + 1), before + 1);
    /* OPENROUTER_NO_PROXY: the environment is ignored, the name does not
     * resolve. */
    o = one_call(tls_named_url, ca_file, NULL, OPENROUTER_NO_PROXY);
    CU_ASSERT_EQUAL(o.rc, OPENROUTER_ETRANSPORT);
    CU_ASSERT_EQUAL(o.curl_code, CURLE_COULDNT_RESOLVE_HOST);
    /* A loopback base URL never goes to the environment's proxy. */
    o = one_call(tls_url, ca_file, NULL, NULL);
    CU_ASSERT_EQUAL(o.rc, OPENROUTER_OK);
    CU_ASSERT_STRING_EQUAL(o.proxy, OPENROUTER_NO_PROXY);
    unsetenv("https_proxy");
    /* no_proxy in the environment cannot overrule a proxy given here. */
    setenv("no_proxy", "stand-in.test,127.0.0.1,localhost", 1);
    CU_ASSERT_EQUAL(one_call(tls_named_url, ca_file, NULL, proxy_url).rc, OPENROUTER_OK);
    unsetenv("no_proxy");
    CU_ASSERT_EQUAL(tunnels(before + 2), before + 2);

    /* Plain http to the loopback stand-in with http_proxy set: direct (the
     * proxy would refuse a forward request, failing the call). */
    setenv("http_proxy", proxy_url, 1);
    o = one_call(srv.base_url, NULL, NULL, NULL);
    CU_ASSERT_EQUAL(o.rc, OPENROUTER_OK);
    CU_ASSERT_STRING_EQUAL(o.proxy, OPENROUTER_NO_PROXY);
    unsetenv("http_proxy");
    tunnels(0); /* and no forward request reached the proxy */
}

/* ---- headers and the User-Agent ----------------------------------------------------- */

/* The last request's header `name` as the stand-in received it (copied
 * into buf; "" when absent). */
static const char *last_header(const char *name, char *buf, size_t size)
{
    buf[0] = '\0';
    json_object *all = stub_requests(&srv), *reqs = NULL, *headers = NULL, *v = NULL;
    if (all && json_object_object_get_ex(all, "requests", &reqs) && json_object_array_length(reqs) > 0) {
        json_object *last = json_object_array_get_idx(reqs, json_object_array_length(reqs) - 1);
        if (json_object_object_get_ex(last, "headers", &headers) && json_object_object_get_ex(headers, name, &v))
            snprintf(buf, size, "%s", json_object_get_string(v));
    }
    json_object_put(all);
    return buf;
}

typedef struct log_sink {
    char text[8192];
    size_t len;
} log_sink;

static void sink_log(void *ctx, openrouter_log_level level, const char *message)
{
    (void)level;
    log_sink *s = ctx;
    size_t n = strlen(message);
    if (s->len + n + 2 < sizeof s->text) {
        memcpy(s->text + s->len, message, n);
        s->len += n;
        s->text[s->len++] = '\n';
        s->text[s->len] = '\0';
    }
}

static void test_extra_headers(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 2), 0);
    static const openrouter_header client_headers[] = {
        {"X-Tenant", "acme"}, {"traceparent", "00-client-01"}, {"X-Empty", ""}};
    log_sink sink = {{0}, 0};
    openrouter_client_options o = stub_options();
    o.headers = client_headers;
    o.header_count = 3;
    o.log = sink_log;
    o.log_ctx = &sink;
    o.log_level = OPENROUTER_LOG_DEBUG;
    openrouter_client *c = must_client(&o);
    openrouter_error err = OPENROUTER_ERROR_INIT;
    char h[256];
    CU_ASSERT_EQUAL(get_key(c, &err), OPENROUTER_OK);
    CU_ASSERT_STRING_EQUAL(last_header("x-tenant", h, sizeof h), "acme");
    CU_ASSERT_STRING_EQUAL(last_header("traceparent", h, sizeof h), "00-client-01");
    CU_ASSERT_STRING_EQUAL(last_header("x-empty", h, sizeof h), "");
    CU_ASSERT_STRING_EQUAL(last_header("authorization", h, sizeof h), "Bearer " STUB_MANAGEMENT_KEY);

    /* Per call: a traceparent of its own replaces the client's, once. */
    openrouter_header call_headers[] = {{"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
                                        {"X-Call", "yes"}};
    openrouter_call_options co = OPENROUTER_CALL_OPTIONS_INIT;
    co.headers = call_headers;
    co.header_count = 2;
    openrouter_key_list *list = NULL;
    CU_ASSERT_EQUAL(openrouter_list_keys(c, NULL, &list, &co, &err), OPENROUTER_OK);
    openrouter_key_list_free(list);
    CU_ASSERT_STRING_EQUAL(last_header("traceparent", h, sizeof h), call_headers[0].value); /* not joined */
    CU_ASSERT_STRING_EQUAL(last_header("x-call", h, sizeof h), "yes");
    CU_ASSERT_STRING_EQUAL(last_header("x-tenant", h, sizeof h), "acme");
    /* ... and with a body and a header parameter too. */
    openrouter_create_key_request create = OPENROUTER_CREATE_KEY_REQUEST_INIT;
    create.body.name = OPENROUTER_STRING("with headers");
    create.x_openrouter_title = OPENROUTER_STRING("Per call");
    openrouter_created_key *created = NULL;
    CU_ASSERT_EQUAL(openrouter_create_key(c, &create, &created, &co, &err), OPENROUTER_OK);
    openrouter_created_key_free(created);
    CU_ASSERT_STRING_EQUAL(last_header("traceparent", h, sizeof h), call_headers[0].value);
    CU_ASSERT_STRING_EQUAL(last_header("x-openrouter-title", h, sizeof h), "Per call");
    CU_ASSERT_STRING_EQUAL(last_header("content-type", h, sizeof h), "application/json");
    CU_ASSERT_STRING_EQUAL(last_header("x-tenant", h, sizeof h), "acme");
    /* The next call without them: the client's again. */
    CU_ASSERT_EQUAL(get_key(c, &err), OPENROUTER_OK);
    CU_ASSERT_STRING_EQUAL(last_header("traceparent", h, sizeof h), "00-client-01");
    CU_ASSERT_STRING_EQUAL(last_header("x-call", h, sizeof h), "");
    /* Header values are never logged. */
    CU_ASSERT(sink.len > 0);
    CU_ASSERT_PTR_NULL(strstr(sink.text, "acme"));
    CU_ASSERT_PTR_NULL(strstr(sink.text, "4bf92f35"));
    openrouter_client_free(c);
    openrouter_error_clear(&err);
}

static void test_extra_headers_refused_before_sending(void)
{
    static const struct {
        const char *name, *value, *field, *says;
    } bad[] = {
        {"Authorization", "Bearer sk-or-v1-other", "[0].name", "api_key"},
        {"authorization", "x", "[0].name", "api_key"},
        {"Proxy-Authorization", "x", "[0].name", "proxy URL"},
        {"Content-Type", "text/plain", "[0].name", "HTTP sets it"},
        {"Host", "evil.example", "[0].name", "HTTP sets it"},
        {"User-Agent", "x", "[0].name", "user_agent_suffix"},
        {"X-Title", "x", "[0].name", "app_title"},
        {"X-OpenRouter-Categories", "x", "[0].name", "app_categories"},
        {"Bad Name", "x", "[0].name", "header name"},
        {"Bad:Name", "x", "[0].name", "header name"},
        {"", "x", "[0].name", "header name"},
        {"X-Ok", "a\r\nX-Injected: 1", "[0].value", "control characters"},
        {"X-Ok", "tab\there", "[0].value", "control characters"},
        {"X-Ok", NULL, "[0].value", "control characters"},
    };
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 1), 0);
    openrouter_client_options o = stub_options();
    openrouter_client *c = must_client(&o);
    openrouter_error err = OPENROUTER_ERROR_INIT;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        openrouter_header h = {bad[i].name, bad[i].value};
        char field[64];
        /* Per call: EINVAL, nothing sent. */
        openrouter_call_options co = OPENROUTER_CALL_OPTIONS_INIT;
        co.headers = &h;
        co.header_count = 1;
        openrouter_key_list *list = NULL;
        CU_ASSERT_EQUAL(openrouter_list_keys(c, NULL, &list, &co, &err), OPENROUTER_EINVAL);
        snprintf(field, sizeof field, "options.headers%s", bad[i].field);
        CU_ASSERT_STRING_EQUAL(err.field, field);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, bad[i].says));
        if (bad[i].value && strlen(bad[i].value) > 2)
            CU_ASSERT_PTR_NULL(strstr(err.message, bad[i].value)); /* values are never quoted */
        /* Per client: refused when the client is made. */
        openrouter_client *c2 = NULL;
        o.headers = &h;
        o.header_count = 1;
        CU_ASSERT_EQUAL(openrouter_client_new(&c2, &o, &err), OPENROUTER_EINVAL);
        CU_ASSERT_PTR_NULL(c2);
        snprintf(field, sizeof field, "headers%s", bad[i].field);
        CU_ASSERT_STRING_EQUAL(err.field, field);
        o.headers = NULL;
        o.header_count = 0;
    }
    /* A name twice in one list; a count without headers. */
    openrouter_header twice[] = {{"X-A", "1"}, {"x-a", "2"}};
    openrouter_call_options co = OPENROUTER_CALL_OPTIONS_INIT;
    co.headers = twice;
    co.header_count = 2;
    openrouter_key_list *list = NULL;
    CU_ASSERT_EQUAL(openrouter_list_keys(c, NULL, &list, &co, &err), OPENROUTER_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.field, "options.headers[1].name");
    co.headers = NULL;
    CU_ASSERT_EQUAL(openrouter_list_keys(c, NULL, &list, &co, &err), OPENROUTER_EINVAL);
    /* An operation's own header parameter is refused as an extra header. */
    openrouter_header title = {"X-OpenRouter-Title", "x"};
    co.headers = &title;
    co.header_count = 1;
    CU_ASSERT_EQUAL(openrouter_list_keys(c, NULL, &list, &co, &err), OPENROUTER_EINVAL);
    CU_ASSERT_EQUAL(stub_stat(&srv, "requests"), 0);
    openrouter_client_free(c);
    openrouter_error_clear(&err);
}

static void test_user_agent_suffix(void)
{
    static const struct {
        const char *agent, *suffix, *want;
    } cases[] = {
        {NULL, "my-app/1.2", "openrouter-c/" OPENROUTER_VERSION_STRING " my-app/1.2"},
        {"custom/9", "my-app/1.2", "custom/9 my-app/1.2"},
        {NULL, NULL, "openrouter-c/" OPENROUTER_VERSION_STRING},
        {NULL, "", "openrouter-c/" OPENROUTER_VERSION_STRING},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        openrouter_client_options o = stub_options();
        o.user_agent = cases[i].agent;
        o.user_agent_suffix = cases[i].suffix;
        openrouter_client *c = must_client(&o);
        openrouter_error err = OPENROUTER_ERROR_INIT;
        CU_ASSERT_EQUAL(get_key(c, &err), OPENROUTER_OK);
        char h[256];
        CU_ASSERT_STRING_EQUAL(last_header("user-agent", h, sizeof h), cases[i].want);
        openrouter_client_free(c);
    }
    openrouter_client_options o = stub_options();
    o.user_agent_suffix = "app\n";
    openrouter_client *c = NULL;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    CU_ASSERT_EQUAL(openrouter_client_new(&c, &o, &err), OPENROUTER_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.field, "user_agent_suffix");
    openrouter_error_clear(&err);
}

/* A caller built against version 1 or 2 passes the shorter struct: what
 * lies after it is never read. */
static void test_version_1_options(void)
{
    static const struct {
        unsigned version;
        size_t end;
    } olds[] = {{1, offsetof(openrouter_client_options, ca_bundle_file)},
                {2, offsetof(openrouter_client_options, strict_decoding)}};
    openrouter_client_options o;
    openrouter_client *c = NULL;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    for (size_t i = 0; i < sizeof olds / sizeof olds[0]; i++) {
        o = stub_options();
        o.version = olds[i].version;
        memset((char *)&o + olds[i].end, 0xff, sizeof o - olds[i].end);
        c = must_client(&o);
        CU_ASSERT_EQUAL(get_key(c, &err), OPENROUTER_OK);
        openrouter_client_free(c);
    }
    o.version = OPENROUTER_CLIENT_OPTIONS_VERSION + 1;
    CU_ASSERT_EQUAL(openrouter_client_new(&c, &o, &err), OPENROUTER_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.field, "version");
    openrouter_error_clear(&err);
}

/* ---- the request id of a failed call ------------------------------------------------ */

static void test_request_id(void)
{
    static const struct {
        const char *headers, *id, *header;
    } cases[] = {
        {"{\"X-Request-Id\":\"req_123\"}", "req_123", "x-request-id"},
        {"{\"CF-Ray\":\"8f1c2e3d4a5b6c7d-AMS\"}", "8f1c2e3d4a5b6c7d-AMS", "cf-ray"},
        {"{\"CF-Ray\":\"ray-1\",\"X-Generation-Id\":\"gen-2\"}", "gen-2", "x-generation-id"},
        {"{\"X-Generation-Id\":\"gen-3\",\"x-request-id\":\"req-4\",\"cf-ray\":\"ray-5\"}", "req-4", "x-request-id"},
        {"{\"X-Request-Id\":\"leak-sk-or-v1-0123456789abcdef0123\"}", "leak-[REDACTED]", "x-request-id"},
        {"{\"X-Other\":\"x\"}", "", NULL},
    };
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 1), 0);
    openrouter_client_options o = stub_options();
    openrouter_client *c = must_client(&o);
    openrouter_error err = OPENROUTER_ERROR_INIT;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char faults[512];
        snprintf(faults, sizeof faults, "{\"faults\":[{\"status\":404,\"headers\":%s}]}", cases[i].headers);
        CU_ASSERT_EQUAL_FATAL(stub_add_faults(&srv, faults), 0);
        CU_ASSERT_EQUAL(get_key(c, &err), OPENROUTER_EHTTP);
        CU_ASSERT_STRING_EQUAL(err.request_id, cases[i].id);
        if (cases[i].header) {
            CU_ASSERT_STRING_EQUAL(err.request_id_header ? err.request_id_header : "", cases[i].header);
        } else {
            CU_ASSERT_PTR_NULL(err.request_id_header);
        }
        char text[1024];
        openrouter_error_format(&err, text, sizeof text);
        CU_ASSERT(!cases[i].header || strstr(text, cases[i].id) != NULL);
    }
    /* A success leaves nothing behind for the next failure. */
    CU_ASSERT_EQUAL(get_key(c, &err), OPENROUTER_OK);
    CU_ASSERT_STRING_EQUAL(err.request_id, "");
    openrouter_client_free(c);
    openrouter_error_clear(&err);
}

static int suite_init(void)
{
    if (openrouter_global_init() != OPENROUTER_OK || stub_start(&srv, 1) != 0)
        return 1;
    if (helper_start(&tls, TLS_SERVER_SCRIPT, "--ca") != 0 || helper_start(&proxy, PROXY_SCRIPT, NULL) != 0)
        return 1;
    snprintf(tls_url, sizeof tls_url, "https://127.0.0.1:%d/api/v1", tls.port);
    snprintf(tls_named_url, sizeof tls_named_url, "https://stand-in.test:%d/api/v1", tls.port);
    snprintf(proxy_url, sizeof proxy_url, "http://127.0.0.1:%d", proxy.port);
    helper_path(&tls, "ca.pem", ca_file, sizeof ca_file);
    helper_path(&tls, "ca-dir", ca_dir, sizeof ca_dir);
    /* The suite decides about proxies itself. */
    unsetenv("https_proxy");
    unsetenv("HTTPS_PROXY");
    unsetenv("http_proxy");
    unsetenv("all_proxy");
    unsetenv("ALL_PROXY");
    unsetenv("no_proxy");
    unsetenv("NO_PROXY");
    return 0;
}

static int suite_clean(void)
{
    helper_stop(&proxy);
    helper_stop(&tls);
    stub_stop(&srv);
    openrouter_global_cleanup();
    return 0;
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("transport_options", suite_init, suite_clean);
    CU_add_test(s, "CA bundle file", test_ca_bundle_file);
    CU_add_test(s, "CA directory", test_ca_directory);
    CU_add_test(s, "CA options checked when the client is made", test_ca_options_checked_up_front);
    CU_add_test(s, "proxy: CONNECT tunnel", test_proxy_tunnel);
    CU_add_test(s, "proxy: the environment", test_proxy_environment);
    CU_add_test(s, "extra headers per client and per call", test_extra_headers);
    CU_add_test(s, "extra headers refused before sending", test_extra_headers_refused_before_sending);
    CU_add_test(s, "User-Agent suffix", test_user_agent_suffix);
    CU_add_test(s, "version-1 client options", test_version_1_options);
    CU_add_test(s, "request id of a failed call", test_request_id);
    return or_test_run();
}
