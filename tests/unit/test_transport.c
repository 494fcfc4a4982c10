/* openrouter_call end to end against the local stub server, with a
 * hand-written operation and model table (no generated code), an injected
 * clock (no real sleeping) and a trace recorder. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <curl/curl.h>

#include "client_impl.h" /* the client's reused response buffer */
#include "http.h"
#include "redact.h"
#include "fail_alloc.h"
#include "internal.h"
#include "stub_server.h"
#include "test_util.h"

#define KEY STUB_MANAGEMENT_KEY

static stub_server server;
static int server_up;

/* ---- a tiny hand-written table ------------------------------------------- */

typedef struct t_key {
    openrouter_string hash;
    openrouter_string name;
} t_key;
typedef struct t_key_field {
    openrouter_presence state;
    t_key value;
} t_key_field;
typedef struct t_key_response {
    t_key_field data;
    openrouter_string key;
} t_key_response;
typedef struct t_any {
    int unused;
} t_any;

static const openrouter_type_desc t_string_type = {OPENROUTER_KIND_STRING, sizeof(openrouter_string), NULL,
                                                   NULL, NULL, 0, 0, 0u};
static const openrouter_type_desc t_int64_type = {OPENROUTER_KIND_INT64, sizeof(openrouter_int64), NULL,
                                                  NULL, NULL, 0, 0, 0u};
static const openrouter_field_desc t_key_fields[] = {
    {"hash", offsetof(t_key, hash), &t_string_type, 0, -1, -1, 0.0, 0.0},
    {"name", offsetof(t_key, name), &t_string_type, OPENROUTER_F_REQUIRED, -1, -1, 0.0, 0.0},
};
static const openrouter_object_desc t_key_desc = {"t_key", sizeof(t_key), 2, t_key_fields, NULL};
static const openrouter_type_desc t_key_field_type = {OPENROUTER_KIND_OBJECT, sizeof(t_key_field), &t_key_desc,
                                                      NULL, NULL, 0, 0, 0u};
static const openrouter_field_desc t_key_response_fields[] = {
    {"data", offsetof(t_key_response, data), &t_key_field_type, OPENROUTER_F_REQUIRED, -1, -1, 0.0, 0.0},
    {"key", offsetof(t_key_response, key), &t_string_type, OPENROUTER_F_SECRET, -1, -1, 0.0, 0.0},
};
static const openrouter_object_desc t_key_response_desc = {"t_key_response", sizeof(t_key_response), 2,
                                                           t_key_response_fields, NULL};
static const openrouter_object_desc t_any_desc = {"t_any", sizeof(t_any), 0, NULL, NULL};

/* GET /keys/{hash} */
typedef struct t_get_req {
    char *hash;
} t_get_req;
static const openrouter_param_desc t_get_params[] = {
    {"hash", OPENROUTER_PARAM_PATH, offsetof(t_get_req, hash), NULL, OPENROUTER_F_REQUIRED, -1, -1, 0, 0, NULL},
};
static const openrouter_response_desc t_get_responses[] = {{200, &t_key_response_desc, NULL}};
static const openrouter_operation_desc t_get_op = {
    "getKey", "GET", "/keys/{hash}", 1, sizeof(t_get_req), 1, t_get_params, NULL, 0, 0,
    1, t_get_responses, 0, NULL, NULL, 0};

/* DELETE /keys/{hash} */
static const openrouter_response_desc t_delete_responses[] = {{200, &t_any_desc, NULL}};
static const openrouter_operation_desc t_delete_op = {
    "deleteKey", "DELETE", "/keys/{hash}", 1, sizeof(t_get_req), 1, t_get_params, NULL, 0, 0,
    1, t_delete_responses, 0, NULL, NULL, 0};

/* GET /keys?offset&include_disabled&workspace_id */
typedef struct t_list_req {
    openrouter_int64 offset;
    openrouter_string include_disabled;
    openrouter_string workspace_id;
} t_list_req;
static const openrouter_param_desc t_list_params[] = {
    {"offset", OPENROUTER_PARAM_QUERY, offsetof(t_list_req, offset), &t_int64_type, 0, -1, -1, 0, 0, NULL},
    {"include_disabled", OPENROUTER_PARAM_QUERY, offsetof(t_list_req, include_disabled), &t_string_type, 0,
     -1, -1, 0, 0, NULL},
    {"workspace_id", OPENROUTER_PARAM_QUERY, offsetof(t_list_req, workspace_id), &t_string_type, 0, -1, -1,
     0, 0, NULL},
};
static const openrouter_response_desc t_list_responses[] = {{200, &t_any_desc, NULL}};
static const openrouter_operation_desc t_list_op = {
    "listKeys", "GET", "/keys", 1, sizeof(t_list_req), 3, t_list_params, NULL, 0, 0,
    1, t_list_responses, 0, NULL, NULL, 0};

/* POST /keys {"name": ...} -> 201 */
typedef struct t_create_body {
    openrouter_string name;
} t_create_body;
typedef struct t_create_req {
    t_create_body body;
} t_create_req;
static const openrouter_field_desc t_create_body_fields[] = {
    {"name", offsetof(t_create_body, name), &t_string_type, OPENROUTER_F_REQUIRED, 1, -1, 0.0, 0.0},
};
static const openrouter_object_desc t_create_body_desc = {"t_create_body", sizeof(t_create_body), 1,
                                                          t_create_body_fields, NULL};
static const openrouter_response_desc t_create_responses[] = {{201, &t_key_response_desc, NULL}};
static const openrouter_operation_desc t_create_op = {
    "createKey", "POST", "/keys", 0, sizeof(t_create_req), 0, NULL, &t_create_body_desc,
    offsetof(t_create_req, body), 1, 1, t_create_responses, 0, NULL, NULL, 0};

/* GET /key with a header parameter overriding the client's title. */
typedef struct t_current_req {
    openrouter_string title;
} t_current_req;
static const openrouter_param_desc t_current_params[] = {
    {"X-OpenRouter-Title", OPENROUTER_PARAM_HEADER, offsetof(t_current_req, title), &t_string_type, 0, -1, -1,
     0, 0, "X-Title"},
};
static const openrouter_response_desc t_current_responses[] = {{200, &t_any_desc, NULL}};
static const openrouter_operation_desc t_current_op = {
    "getCurrentKey", "GET", "/key", 1, sizeof(t_current_req), 1, t_current_params, NULL, 0, 0,
    1, t_current_responses, 0, NULL, NULL, 0};

/* ---- injected clock and trace recorder ------------------------------------- */

typedef struct fake_clock {
    int64_t now;
    long sleeps[64];
    int n_sleeps;
    double unit;
} fake_clock;

static int64_t fc_now(void *ctx)
{
    return ((fake_clock *)ctx)->now;
}

static void fc_sleep(void *ctx, long ms)
{
    fake_clock *fc = ctx;
    if (fc->n_sleeps < 64)
        fc->sleeps[fc->n_sleeps++] = ms;
    fc->now += ms;
}

static double fc_random(void *ctx)
{
    return ((fake_clock *)ctx)->unit;
}

typedef struct tracer {
    int before, after;
    int key_seen;
    int last_attempt;
    long statuses[64];
    long delays[64];
    int attempts[64];
    char last_url[512];
    char last_op[64];
    char last_method[16];
} tracer;

static void trace_fn(void *ctx, int before, const openrouter_trace_event *ev)
{
    tracer *t = ctx;
    const char *strings[] = {ev->operation_id, ev->method, ev->url};
    for (int i = 0; i < 3; i++)
        if (strings[i] && strstr(strings[i], KEY))
            t->key_seen = 1;
    snprintf(t->last_url, sizeof t->last_url, "%s", ev->url ? ev->url : "");
    snprintf(t->last_op, sizeof t->last_op, "%s", ev->operation_id ? ev->operation_id : "");
    snprintf(t->last_method, sizeof t->last_method, "%s", ev->method ? ev->method : "");
    if (before) {
        t->before++;
        CU_ASSERT(ev->attempt == 1 || ev->attempt == t->last_attempt + 1);
        CU_ASSERT_EQUAL(ev->delay_ms, -1);
        CU_ASSERT_EQUAL(ev->http_status, 0);
        t->last_attempt = ev->attempt;
    } else if (t->after < 64) {
        CU_ASSERT_EQUAL(ev->attempt, t->last_attempt);
        t->statuses[t->after] = ev->http_status;
        t->delays[t->after] = ev->delay_ms;
        t->attempts[t->after] = ev->attempt;
        t->after++;
    }
}

typedef struct fixture {
    fake_clock clock;
    openrouter_clock clk;
    tracer tr;
    openrouter_client_options opts;
    openrouter_client *client;
    openrouter_error err;
} fixture;

static void fixture_options(fixture *f)
{
    memset(f, 0, sizeof *f);
    f->clock.now = 1000;
    f->clock.unit = 0.5;
    f->clk.now_ms = fc_now;
    f->clk.sleep_ms = fc_sleep;
    f->clk.random_unit = fc_random;
    f->clk.ctx = &f->clock;
    openrouter_client_options o = OPENROUTER_CLIENT_OPTIONS_INIT;
    o.api_key = KEY;
    o.base_url = server.base_url;
    o.http_referer = "https://example.test/app";
    o.app_title = "Test App";
    o.app_categories = "cli-agent,cloud-agent";
    o.clock = &f->clk;
    o.trace = trace_fn;
    o.trace_ctx = &f->tr;
    f->opts = o;
    openrouter_error e = OPENROUTER_ERROR_INIT;
    f->err = e;
}

static int fixture_client(fixture *f)
{
    int rc = openrouter_client_new(&f->client, &f->opts, &f->err);
    CU_ASSERT_EQUAL_FATAL(rc, OPENROUTER_OK);
    return rc;
}

static void fixture_done(fixture *f)
{
    openrouter_client_free(f->client);
    f->client = NULL;
    openrouter_error_clear(&f->err);
    CU_ASSERT_EQUAL(f->tr.key_seen, 0);
}

static void fresh_server(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&server, 0), 0);
}

static int n_requests(void)
{
    json_object *r = stub_requests(&server);
    if (!r)
        return -1;
    json_object *arr = NULL;
    int n = json_object_object_get_ex(r, "requests", &arr) ? (int)json_object_array_length(arr) : -1;
    json_object_put(r);
    return n;
}

/* Copies string member `name` of request #idx (negative: from the end) or
 * its header `header` (lower case) into out. Returns 0 if found. */
static int request_field(int idx, const char *name, const char *header, char *out, size_t size)
{
    out[0] = '\0';
    json_object *r = stub_requests(&server), *arr = NULL, *req, *v = NULL;
    int rc = -1;
    if (r && json_object_object_get_ex(r, "requests", &arr)) {
        int n = (int)json_object_array_length(arr);
        if (idx < 0)
            idx += n;
        if (idx >= 0 && idx < n && (req = json_object_array_get_idx(arr, (size_t)idx))) {
            if (header) {
                json_object *h = NULL;
                if (json_object_object_get_ex(req, "headers", &h) && json_object_object_get_ex(h, header, &v))
                    rc = 0;
            } else if (json_object_object_get_ex(req, name, &v)) {
                rc = 0;
            }
            if (rc == 0)
                snprintf(out, size, "%s", json_object_get_string(v));
        }
    }
    if (r)
        json_object_put(r);
    return rc;
}

static void assert_no_key(const openrouter_error *e)
{
    const char *s[] = {e->message, e->field, e->api_code, e->api_message, e->api_metadata, e->body_snippet};
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
        if (s[i])
            CU_ASSERT_PTR_NULL(strstr(s[i], KEY));
}

static char alpha_hash[128];

static void add_alpha(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_add_key(&server, "{\"name\":\"alpha\",\"hash\":\"hash-alpha\"}", alpha_hash,
                                       sizeof alpha_hash), 0);
}

/* ---- tests -------------------------------------------------------------------- */

static void test_keepalive_and_headers(void)
{
    fresh_server();
    add_alpha();
    CU_ASSERT_EQUAL(stub_reset_connections(&server), 0);
    fixture f;
    fixture_options(&f);
    fixture_client(&f);
    t_get_req req = {alpha_hash};
    for (int i = 0; i < 10; i++) {
        void *out = NULL;
        int rc = openrouter_call(f.client, &t_get_op, &req, &out, NULL, &f.err);
        CU_ASSERT_EQUAL(rc, OPENROUTER_OK);
        CU_ASSERT_PTR_NOT_NULL(out);
        if (out) {
            t_key_response *k = out;
            CU_ASSERT_EQUAL(k->data.state, OPENROUTER_PRESENT);
            CU_ASSERT_EQUAL(k->data.value.name.state, OPENROUTER_PRESENT);
            if (k->data.value.name.value)
                CU_ASSERT_STRING_EQUAL(k->data.value.name.value, "alpha");
            openrouter_model_free(out);
        }
        CU_ASSERT_EQUAL(f.err.attempts, 1);
    }
    CU_ASSERT_EQUAL(stub_connections(&server), 1);
    CU_ASSERT_EQUAL(f.tr.before, 10);
    CU_ASSERT_EQUAL(f.tr.after, 10);
    CU_ASSERT_STRING_EQUAL(f.tr.last_op, "getKey");
    CU_ASSERT_STRING_EQUAL(f.tr.last_method, "GET");
    char want[256];
    snprintf(want, sizeof want, "%s/keys/hash-alpha", server.base_url);
    CU_ASSERT_STRING_EQUAL(f.tr.last_url, want);

    /* Headers on the wire. */
    char v[256];
    CU_ASSERT_EQUAL(request_field(-1, NULL, "authorization", v, sizeof v), 0);
    CU_ASSERT_STRING_EQUAL(v, "Bearer " KEY);
    CU_ASSERT_EQUAL(request_field(-1, NULL, "accept", v, sizeof v), 0);
    CU_ASSERT_STRING_EQUAL(v, "application/json");
    CU_ASSERT_EQUAL(request_field(-1, NULL, "user-agent", v, sizeof v), 0);
    CU_ASSERT_STRING_EQUAL(v, "openrouter-c/" OPENROUTER_VERSION_STRING);
    CU_ASSERT_EQUAL(request_field(-1, NULL, "http-referer", v, sizeof v), 0);
    CU_ASSERT_STRING_EQUAL(v, "https://example.test/app");
    CU_ASSERT_EQUAL(request_field(-1, NULL, "x-openrouter-title", v, sizeof v), 0);
    CU_ASSERT_STRING_EQUAL(v, "Test App");
    CU_ASSERT_EQUAL(request_field(-1, NULL, "x-title", v, sizeof v), 0);
    CU_ASSERT_STRING_EQUAL(v, "Test App");
    CU_ASSERT_EQUAL(request_field(-1, NULL, "x-openrouter-categories", v, sizeof v), 0);
    CU_ASSERT_STRING_EQUAL(v, "cli-agent,cloud-agent");
    CU_ASSERT_NOT_EQUAL(request_field(-1, NULL, "expect", v, sizeof v), 0);
    CU_ASSERT_NOT_EQUAL(request_field(-1, NULL, "content-type", v, sizeof v), 0);

    /* What the handle was configured with, and what curl reports. */
    const or_transport_settings *s = or_client_settings(f.client);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(s->ssl_verify_peer, 1);
    CU_ASSERT_EQUAL(s->ssl_verify_host, 2);
    CU_ASSERT_EQUAL(s->follow_location, 0);
    CU_ASSERT_EQUAL(s->nosignal, 1);
    CU_ASSERT_EQUAL(s->tcp_keepalive, 1);
    CU_ASSERT_STRING_EQUAL(s->protocols, "http,https"); /* loopback base URL */
    CU_ASSERT_STRING_EQUAL(s->redir_protocols, "http,https");
    CU_ASSERT_EQUAL(s->connect_timeout_ms, OPENROUTER_DEFAULT_CONNECT_TIMEOUT_MS);
    CU_ASSERT_EQUAL(s->timeout_ms, OPENROUTER_DEFAULT_TIMEOUT_MS);
    CU_ASSERT_EQUAL(s->max_response_bytes, OPENROUTER_DEFAULT_MAX_RESPONSE_BYTES);
    CU_ASSERT_STRING_EQUAL(s->accept_encoding, "");
    char *scheme = NULL;
    CU_ASSERT_EQUAL(curl_easy_getinfo((CURL *)or_client_curl_handle(f.client), CURLINFO_SCHEME, &scheme),
                    CURLE_OK);
    CU_ASSERT_PTR_NOT_NULL(scheme);
    if (scheme)
        CU_ASSERT_EQUAL(strcasecmp(scheme, "http"), 0);
    long redirects = -1;
    curl_easy_getinfo((CURL *)or_client_curl_handle(f.client), CURLINFO_REDIRECT_COUNT, &redirects);
    CU_ASSERT_EQUAL(redirects, 0);
    fixture_done(&f);

    /* A public https base URL gets the https-only allow-list. */
    fixture_options(&f);
    f.opts.base_url = "https://openrouter.ai/api/v1/";
    fixture_client(&f);
    CU_ASSERT_STRING_EQUAL(or_client_settings(f.client)->protocols, "https");
    CU_ASSERT_STRING_EQUAL(or_client_base_url(f.client), "https://openrouter.ai/api/v1");
    fixture_done(&f);
}

static void test_methods_body_and_content_type(void)
{
    fresh_server();
    add_alpha();
    fixture f;
    fixture_options(&f);
    fixture_client(&f);
    CU_ASSERT_EQUAL(stub_reset_connections(&server), 0);
    void *out = NULL;
    t_get_req first = {alpha_hash};
    CU_ASSERT_EQUAL(openrouter_call(f.client, &t_get_op, &first, &out, NULL, &f.err), OPENROUTER_OK);
    openrouter_model_free(out);
    out = NULL;
    t_create_req creq = {{OPENROUTER_STRING("made by test")}};
    CU_ASSERT_EQUAL(openrouter_call(f.client, &t_create_op, &creq, &out, NULL, &f.err), OPENROUTER_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    t_key_response *created = out;
    CU_ASSERT_EQUAL(created->key.state, OPENROUTER_PRESENT);
    CU_ASSERT_STRING_EQUAL(created->data.value.name.value, "made by test");
    char hash[128];
    snprintf(hash, sizeof hash, "%s", created->data.value.hash.value);
    openrouter_model_free(out);
    char v[512];
    request_field(-1, "method", NULL, v, sizeof v);
    CU_ASSERT_STRING_EQUAL(v, "POST");
    request_field(-1, "body_raw", NULL, v, sizeof v);
    CU_ASSERT_STRING_EQUAL(v, "{\"name\":\"made by test\"}");
    request_field(-1, NULL, "content-type", v, sizeof v);
    CU_ASSERT_STRING_EQUAL(v, "application/json");

    /* Same handle: GET after POST sends no body, DELETE after GET. */
    t_get_req greq = {hash};
    out = NULL;
    CU_ASSERT_EQUAL(openrouter_call(f.client, &t_get_op, &greq, &out, NULL, &f.err), OPENROUTER_OK);
    openrouter_model_free(out);
    request_field(-1, "method", NULL, v, sizeof v);
    CU_ASSERT_STRING_EQUAL(v, "GET");
    request_field(-1, "body_raw", NULL, v, sizeof v);
    CU_ASSERT_STRING_EQUAL(v, "");
    out = NULL;
    CU_ASSERT_EQUAL(openrouter_call(f.client, &t_delete_op, &greq, &out, NULL, &f.err), OPENROUTER_OK);
    openrouter_model_free(out);
    request_field(-1, "method", NULL, v, sizeof v);
    CU_ASSERT_STRING_EQUAL(v, "DELETE");
    request_field(-1, "body_raw", NULL, v, sizeof v);
    CU_ASSERT_STRING_EQUAL(v, "");
    /* Deleted: now 404, not retried. */
    out = NULL;
    CU_ASSERT_EQUAL(openrouter_call(f.client, &t_get_op, &greq, &out, NULL, &f.err), OPENROUTER_EHTTP);
    CU_ASSERT_PTR_NULL(out);
    CU_ASSERT_EQUAL(f.err.http_status, 404);
    CU_ASSERT_EQUAL(f.err.attempts, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(f.err.message, "getKey: HTTP 404"));
    /* The POST got a connection of its own; everything else shared one. */
    long conns = stub_connections(&server);
    CU_ASSERT_EQUAL(conns, 2);
    if (conns != 2)
        fprintf(stderr, "\nconnections: %ld\n", conns);
    fixture_done(&f);
}

static void test_url_encoding(void)
{
    fresh_server();
    fixture f;
    fixture_options(&f);
    fixture_client(&f);
    /* Path: every reserved character is escaped: '?', '#', '%', ' '. */
    t_get_req greq = {"a?c#d%e f"};
    void *out = NULL;
    CU_ASSERT_EQUAL(openrouter_call(f.client, &t_get_op, &greq, &out, NULL, &f.err), OPENROUTER_EHTTP);
    char v[512];
    request_field(-1, "path", NULL, v, sizeof v);
    CU_ASSERT_STRING_EQUAL(v, "/api/v1/keys/a%3Fc%23d%25e%20f");
    request_field(-1, "query", NULL, v, sizeof v);
    CU_ASSERT_STRING_EQUAL(v, "");
    /* "." and ".." would be normalised away, '/' and '\\' split the
     * segment, "%XX" would be double-encoded: rejected before sending. */
    int before = n_requests();
    const char *bad[] = {".", "..", "", "a/b", "a\\b", "a%2Fb", "%00"};
    for (int i = 0; i < (int)(sizeof bad / sizeof bad[0]); i++) {
        t_get_req b = {(char *)bad[i]};
        openrouter_error_clear(&f.err);
        CU_ASSERT_EQUAL(openrouter_call(f.client, &t_get_op, &b, &out, NULL, &f.err), OPENROUTER_EINVAL);
        CU_ASSERT_STRING_EQUAL(f.err.field, "hash");
    }
    t_get_req null_hash = {NULL};
    CU_ASSERT_EQUAL(openrouter_call(f.client, &t_get_op, &null_hash, &out, NULL, &f.err), OPENROUTER_EINVAL);
    CU_ASSERT_STRING_EQUAL(f.err.field, "hash");
    CU_ASSERT_EQUAL(n_requests(), before);

    /* Query: present values encoded, absent and null ones left out. */
    t_list_req lreq = {OPENROUTER_INT64(100), OPENROUTER_STRING("true"), OPENROUTER_STRING("a b&c=d#e/f?%+")};
    /* The stub wants a uuid there: 400, but the query is what matters. */
    CU_ASSERT_EQUAL(openrouter_call(f.client, &t_list_op, &lreq, &out, NULL, &f.err), OPENROUTER_EHTTP);
    CU_ASSERT_EQUAL(f.err.http_status, 400);
    CU_ASSERT_EQUAL(f.err.attempts, 1);
    request_field(-1, "query", NULL, v, sizeof v);
    CU_ASSERT_PTR_NOT_NULL(strstr(v, "offset=100"));
    CU_ASSERT_PTR_NOT_NULL(strstr(v, "include_disabled=true"));
    CU_ASSERT_PTR_NULL(strchr(v, '#'));
    CU_ASSERT_EQUAL(strncasecmp(strstr(v, "workspace_id=") ? strstr(v, "workspace_id=") : "", 
                                "workspace_id=a%20b%26c%3dd%23e%2ff%3f%25%2b", 43), 0);
    t_list_req sparse = {OPENROUTER_INT64(0), {OPENROUTER_NULL, NULL}, {OPENROUTER_ABSENT, NULL}};
    openrouter_error_clear(&f.err);
    /* workspace_id absent -> the stub's default workspace, fine. */
    CU_ASSERT_EQUAL(openrouter_call(f.client, &t_list_op, &sparse, &out, NULL, &f.err), OPENROUTER_OK);
    openrouter_model_free(out);
    request_field(-1, "query", NULL, v, sizeof v);
    CU_ASSERT_STRING_EQUAL(v, "offset=0");
    /* No request at all is fine for an operation with only optional params. */
    CU_ASSERT_EQUAL(openrouter_call(f.client, &t_list_op, NULL, &out, NULL, &f.err), OPENROUTER_OK);
    openrouter_model_free(out);
    request_field(-1, "query", NULL, v, sizeof v);
    CU_ASSERT_STRING_EQUAL(v, "");

    /* Every printable ASCII byte: the path segment and the query value are
     * exactly what curl_easy_escape makes of them. */
    char all[100];
    size_t n = 0;
    for (int ch = 0x20; ch < 0x7f; ch++)
        if (ch != '/' && ch != '\\' && ch != '%')
            all[n++] = (char)ch;
    all[n] = '\0';
    char *esc = curl_easy_escape(NULL, all, (int)n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(esc);
    char want[512];
    snprintf(want, sizeof want, "/api/v1/keys/%s", esc);
    t_get_req ascii = {all};
    openrouter_error_clear(&f.err);
    CU_ASSERT_EQUAL(openrouter_call(f.client, &t_get_op, &ascii, &out, NULL, &f.err), OPENROUTER_EHTTP);
    request_field(-1, "path", NULL, v, sizeof v);
    CU_ASSERT_STRING_EQUAL(v, want);
    snprintf(want, sizeof want, "workspace_id=%s", esc);
    curl_free(esc);
    t_list_req aq = {{OPENROUTER_ABSENT, 0}, {OPENROUTER_ABSENT, NULL}, OPENROUTER_STRING(all)};
    openrouter_error_clear(&f.err);
    CU_ASSERT_EQUAL(openrouter_call(f.client, &t_list_op, &aq, &out, NULL, &f.err), OPENROUTER_EHTTP);
    request_field(-1, "query", NULL, v, sizeof v);
    CU_ASSERT_STRING_EQUAL(v, want);
    fixture_done(&f);
}

static void test_header_param_overrides_default(void)
{
    fresh_server();
    fixture f;
    fixture_options(&f);
    fixture_client(&f);
    t_current_req req = {OPENROUTER_STRING("Override")};
    void *out = NULL;
    CU_ASSERT_EQUAL(openrouter_call(f.client, &t_current_op, &req, &out, NULL, &f.err), OPENROUTER_OK);
    openrouter_model_free(out);
    char v[256];
    request_field(-1, NULL, "x-openrouter-title", v, sizeof v);
    CU_ASSERT_STRING_EQUAL(v, "Override");
    request_field(-1, NULL, "x-title", v, sizeof v);
    CU_ASSERT_STRING_EQUAL(v, "Override");
    request_field(-1, NULL, "authorization", v, sizeof v);
    CU_ASSERT_STRING_EQUAL(v, "Bearer " KEY);
    request_field(-1, NULL, "http-referer", v, sizeof v);
    CU_ASSERT_STRING_EQUAL(v, "https://example.test/app");
    /* Absent: the client's default comes back. */
    t_current_req none = {{OPENROUTER_ABSENT, NULL}};
    CU_ASSERT_EQUAL(openrouter_call(f.client, &t_current_op, &none, &out, NULL, &f.err), OPENROUTER_OK);
    openrouter_model_free(out);
    request_field(-1, NULL, "x-title", v, sizeof v);
    CU_ASSERT_STRING_EQUAL(v, "Test App");
    /* CR/LF in a header parameter: EINVAL, nothing sent. */
    int before = n_requests();
    t_current_req evil = {OPENROUTER_STRING("x\r\nX-Injected: 1")};
    CU_ASSERT_EQUAL(openrouter_call(f.client, &t_current_op, &evil, &out, NULL, &f.err), OPENROUTER_EINVAL);
    CU_ASSERT_EQUAL(n_requests(), before);
    fixture_done(&f);
}

static void test_retry_backoff_injected_clock(void)
{
    fresh_server();
    add_alpha();
    fixture f;
    fixture_options(&f);
    fixture_client(&f);
    CU_ASSERT_EQUAL(stub_add_faults(&server, "{\"faults\":[{\"status\":503,\"times\":2}]}"), 0);
    t_get_req req = {alpha_hash};
    void *out = NULL;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CU_ASSERT_EQUAL(openrouter_call(f.client, &t_get_op, &req, &out, NULL, &f.err), OPENROUTER_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CU_ASSERT_PTR_NOT_NULL(out);
    openrouter_model_free(out);
    CU_ASSERT_EQUAL(f.err.attempts, 3);
    /* Full jitter with unit 0.5: 500*0.5, 1000*0.5. */
    CU_ASSERT_EQUAL(f.clock.n_sleeps, 2);
    CU_ASSERT_EQUAL(f.clock.sleeps[0], 250);
    CU_ASSERT_EQUAL(f.clock.sleeps[1], 500);
    CU_ASSERT_EQUAL(f.tr.after, 3);
    CU_ASSERT_EQUAL(f.tr.statuses[0], 503);
    CU_ASSERT_EQUAL(f.tr.delays[0], 250);
    CU_ASSERT_EQUAL(f.tr.delays[1], 500);
    CU_ASSERT_EQUAL(f.tr.statuses[2], 200);
    CU_ASSERT_EQUAL(f.tr.delays[2], -1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    CU_ASSERT(secs < 0.7); /* no real 750 ms of sleeping */
    CU_ASSERT_EQUAL(n_requests(), 3);

    /* Always failing: stops at max_attempts with the last error. */
    f.tr.after = f.tr.before = 0;
    f.clock.n_sleeps = 0;
    CU_ASSERT_EQUAL(stub_add_faults(&server, "{\"faults\":[{\"status\":502,\"times\":5}]}"), 0);
    CU_ASSERT_EQUAL(openrouter_call(f.client, &t_get_op, &req, &out, NULL, &f.err), OPENROUTER_EHTTP);
    CU_ASSERT_PTR_NULL(out);
    CU_ASSERT_EQUAL(f.err.attempts, 3);
    CU_ASSERT_EQUAL(f.err.http_status, 502);
    CU_ASSERT_EQUAL(f.err.request_may_have_been_processed, 0); /* GET */
    CU_ASSERT_EQUAL(f.clock.n_sleeps, 2);
    CU_ASSERT_EQUAL(f.tr.delays[2], -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(f.err.message, "getKey: HTTP 502: Injected fault"));
    CU_ASSERT_STRING_EQUAL(f.err.api_message, "Injected fault");
    CU_ASSERT_EQUAL(f.err.api_code_number, 502);
    CU_ASSERT_EQUAL(stub_clear_faults(&server), 0);

    /* max_elapsed_ms: a 1 s budget allows the first 250 ms wait, not the 2nd
     * one once the clock has moved on. */
    openrouter_retry_policy p = OPENROUTER_RETRY_POLICY_INIT;
    p.max_attempts = 10;
    p.max_elapsed_ms = 1000;
    openrouter_call_options co = OPENROUTER_CALL_OPTIONS_INIT;
    co.retry = &p;
    f.clock.n_sleeps = 0;
    f.clock.unit = 0.999;
    CU_ASSERT_EQUAL(stub_add_faults(&server, "{\"faults\":[{\"status\":500,\"times\":10}]}"), 0);
    CU_ASSERT_EQUAL(openrouter_call(f.client, &t_get_op, &req, &out, &co, &f.err), OPENROUTER_EHTTP);
    /* waits 499, then 999 would exceed 1000 - 499 */
    CU_ASSERT_EQUAL(f.err.attempts, 2);
    CU_ASSERT_EQUAL(f.clock.n_sleeps, 1);
    CU_ASSERT_EQUAL(stub_clear_faults(&server), 0);
    fixture_done(&f);
}

static void test_retry_after_honoured(void)
{
    fresh_server();
    add_alpha();
    fixture f;
    fixture_options(&f);
    fixture_client(&f);
    t_get_req req = {alpha_hash};
    void *out = NULL;
    CU_ASSERT_EQUAL(stub_add_faults(&server, "{\"faults\":[{\"status\":429,\"headers\":{\"Retry-After\":\"7\"}},"
                                             "{\"status\":503,\"headers\":{\"retry-after-ms\":\"1500\","
                                             "\"Retry-After\":\"9\"}}]}"),
                    0);
    CU_ASSERT_EQUAL(openrouter_call(f.client, &t_get_op, &req, &out, NULL, &f.err), OPENROUTER_OK);
    openrouter_model_free(out);
    CU_ASSERT_EQUAL(f.err.attempts, 3);
    CU_ASSERT_EQUAL(f.clock.n_sleeps, 2);
    CU_ASSERT_EQUAL(f.clock.sleeps[0], 7000);
    CU_ASSERT_EQUAL(f.clock.sleeps[1], 1500); /* retry-after-ms wins */

    /* Over max_retry_after_ms: give up at once and report the wait. */
    f.clock.n_sleeps = 0;
    CU_ASSERT_EQUAL(stub_add_faults(&server, "{\"faults\":[{\"status\":429,\"headers\":{\"Retry-After\":\"120\"}}]}"),
                    0);
    CU_ASSERT_EQUAL(openrouter_call(f.client, &t_get_op, &req, &out, NULL, &f.err), OPENROUTER_EHTTP);
    CU_ASSERT_EQUAL(f.err.attempts, 1);
    CU_ASSERT_EQUAL(f.err.http_status, 429);
    CU_ASSERT_EQUAL(f.err.retry_after_ms, 120000);
    CU_ASSERT_EQUAL(f.clock.n_sleeps, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(f.err.message, "max_retry_after_ms"));

    /* An HTTP date. */
    char faults[256], date[64];
    time_t when = time(NULL) + 30;
    struct tm tm;
    gmtime_r(&when, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    snprintf(faults, sizeof faults, "{\"faults\":[{\"status\":503,\"headers\":{\"Retry-After\":\"%s\"}}]}", date);
    CU_ASSERT_EQUAL(stub_add_faults(&server, faults), 0);
    CU_ASSERT_EQUAL(openrouter_call(f.client, &t_get_op, &req, &out, NULL, &f.err), OPENROUTER_OK);
    openrouter_model_free(out);
    CU_ASSERT_EQUAL(f.clock.n_sleeps, 1);
    CU_ASSERT(f.clock.sleeps[0] >= 28000 && f.clock.sleeps[0] <= 30000);
    fixture_done(&f);
}

static void test_post_retry_rules(void)
{
    fresh_server();
    fixture f;
    fixture_options(&f);
    fixture_client(&f);
    t_create_req creq = {{OPENROUTER_STRING("k")}};
    void *out = NULL;
    /* 500 on POST: not retried, may have been processed. */
    CU_ASSERT_EQUAL(stub_add_faults(&server, "{\"faults\":[{\"status\":500,\"times\":3}]}"), 0);
    CU_ASSERT_EQUAL(openrouter_call(f.client, &t_create_op, &creq, &out, NULL, &f.err), OPENROUTER_EHTTP);
    CU_ASSERT_PTR_NULL(out);
    CU_ASSERT_EQUAL(f.err.attempts, 1);
    CU_ASSERT_EQUAL(f.err.http_status, 500);
    CU_ASSERT_EQUAL(f.err.request_may_have_been_processed, 1);
    CU_ASSERT_EQUAL(f.clock.n_sleeps, 0);
    CU_ASSERT_EQUAL(stub_clear_faults(&server), 0);

    /* 429 on POST: retried (the server refused it). */
    CU_ASSERT_EQUAL(stub_add_faults(&server, "{\"faults\":[{\"status\":429}]}"), 0);
    CU_ASSERT_EQUAL(openrouter_call(f.client, &t_create_op, &creq, &out, NULL, &f.err), OPENROUTER_OK);
    CU_ASSERT_EQUAL(f.err.attempts, 2);
    openrouter_model_free(out);
    out = NULL;
    CU_ASSERT_EQUAL(stub_count_keys(&server), 1);

    /* Opt-in: POST retried on 500. */
    openrouter_retry_policy p = OPENROUTER_RETRY_POLICY_INIT;
    p.retry_non_idempotent = 1;
    openrouter_call_options co = OPENROUTER_CALL_OPTIONS_INIT;
    co.retry = &p;
    CU_ASSERT_EQUAL(stub_add_faults(&server, "{\"faults\":[{\"status\":500}]}"), 0);
    CU_ASSERT_EQUAL(openrouter_call(f.client, &t_create_op, &creq, &out, &co, &f.err), OPENROUTER_OK);
    CU_ASSERT_EQUAL(f.err.attempts, 2);
    openrouter_model_free(out);
    out = NULL;
    CU_ASSERT_EQUAL(stub_count_keys(&server), 2);

    /* Connection closed after the request was sent: not retried for POST. */
    CU_ASSERT_EQUAL(stub_add_faults(&server, "{\"faults\":[{\"close_before_response\":true}]}"), 0);
    CU_ASSERT_EQUAL(openrouter_call(f.client, &t_create_op, &creq, &out, NULL, &f.err), OPENROUTER_ETRANSPORT);
    if (f.err.kind != OPENROUTER_ETRANSPORT)
        fprintf(stderr, "\nclose_before_response: %s\n", f.err.message);
    CU_ASSERT_EQUAL(f.err.attempts, 1);
    CU_ASSERT_EQUAL(f.err.request_may_have_been_processed, 1);
    CU_ASSERT_NOT_EQUAL(f.err.curl_code, 0);
    CU_ASSERT_EQUAL(stub_clear_faults(&server), 0);
    fixture_done(&f);
}

static void test_connection_refused(void)
{
    int fd = -1, port = or_test_refused_port(&fd);
    CU_ASSERT_FATAL(port > 0);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/api/v1", port);
    fixture f;
    fixture_options(&f);
    f.opts.base_url = url;
    fixture_client(&f);
    t_create_req creq = {{OPENROUTER_STRING("k")}};
    void *out = NULL;
    /* Nothing was sent: safe to retry even a POST. */
    CU_ASSERT_EQUAL(openrouter_call(f.client, &t_create_op, &creq, &out, NULL, &f.err), OPENROUTER_ETRANSPORT);
    CU_ASSERT_PTR_NULL(out);
    CU_ASSERT_EQUAL(f.err.attempts, 3);
    CU_ASSERT_EQUAL(f.err.curl_code, CURLE_COULDNT_CONNECT);
    CU_ASSERT_EQUAL(f.err.request_may_have_been_processed, 0);
    CU_ASSERT_EQUAL(f.err.http_status, 0);
    CU_ASSERT_EQUAL(f.clock.n_sleeps, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(f.err.message, "createKey: transport error"));
    CU_ASSERT_EQUAL(f.tr.after, 3);
    CU_ASSERT_EQUAL(f.tr.statuses[0], 0);
    assert_no_key(&f.err);
    fixture_done(&f);
    close(fd);
}

static void test_client_errors_never_retried(void)
{
    fresh_server();
    add_alpha();
    fixture f;
    fixture_options(&f);
    fixture_client(&f);
    t_get_req req = {alpha_hash};
    const int statuses[] = {400, 401, 403, 404, 409, 422};
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
        char faults[128];
        snprintf(faults, sizeof faults, "{\"faults\":[{\"status\":%d,\"times\":3}]}", statuses[i]);
        CU_ASSERT_EQUAL(stub_add_faults(&server, faults), 0);
        void *out = NULL;
        f.clock.n_sleeps = 0;
        CU_ASSERT_EQUAL(openrouter_call(f.client, &t_get_op, &req, &out, NULL, &f.err), OPENROUTER_EHTTP);
        CU_ASSERT_PTR_NULL(out);
        CU_ASSERT_EQUAL(f.err.attempts, 1);
        CU_ASSERT_EQUAL(f.err.http_status, statuses[i]);
        CU_ASSERT_EQUAL(f.err.retry_after_ms, -1);
        CU_ASSERT_EQUAL(f.clock.n_sleeps, 0);
        CU_ASSERT_EQUAL(stub_clear_faults(&server), 0);
    }
    /* A real 401 from a wrong key: message and no key anywhere. */
    fixture g;
    fixture_options(&g);
    g.opts.api_key = "sk-or-v1-wrong-key-0123456789";
    fixture_client(&g);
    void *out = NULL;
    CU_ASSERT_EQUAL(openrouter_call(g.client, &t_get_op, &req, &out, NULL, &g.err), OPENROUTER_EHTTP);
    CU_ASSERT_EQUAL(g.err.http_status, 401);
    CU_ASSERT_EQUAL(g.err.attempts, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(g.err.message, "getKey: HTTP 401: "));
    CU_ASSERT_PTR_NULL(strstr(g.err.message, "sk-or-v1-wrong-key"));
    fixture_done(&g);
    fixture_done(&f);
}

static void test_redirect_not_followed(void)
{
    fresh_server();
    add_alpha();
    fixture f;
    fixture_options(&f);
    fixture_client(&f);
    char faults[512];
    snprintf(faults, sizeof faults,
             "{\"faults\":[{\"status\":302,\"body\":\"\",\"headers\":{\"Location\":\"%s/keys/%s\"}}]}",
             server.base_url, alpha_hash);
    CU_ASSERT_EQUAL(stub_add_faults(&server, faults), 0);
    t_get_req req = {alpha_hash};
    void *out = NULL;
    CU_ASSERT_EQUAL(openrouter_call(f.client, &t_get_op, &req, &out, NULL, &f.err), OPENROUTER_EHTTP);
    CU_ASSERT_PTR_NULL(out);
    CU_ASSERT_EQUAL(f.err.http_status, 302);
    CU_ASSERT_EQUAL(f.err.attempts, 1);
    CU_ASSERT_EQUAL(n_requests(), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(f.err.message, "getKey: HTTP 302"));
    fixture_done(&f);
}

static void test_response_size_limit(void)
{
    fresh_server();
    add_alpha();
    fixture f;
    fixture_options(&f);
    f.opts.max_response_bytes = 4096;
    fixture_client(&f);
    CU_ASSERT_EQUAL(or_client_settings(f.client)->max_response_bytes, 4096);
    CU_ASSERT_EQUAL(stub_add_faults(&server, "{\"faults\":[{\"huge_body_bytes\":200000}]}"), 0);
    t_get_req req = {alpha_hash};
    void *out = NULL;
    CU_ASSERT_EQUAL(openrouter_call(f.client, &t_get_op, &req, &out, NULL, &f.err), OPENROUTER_ETRANSPORT);
    CU_ASSERT_PTR_NULL(out);
    CU_ASSERT_EQUAL(f.err.attempts, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(f.err.message, "response body exceeds limit of 4096 bytes"));
    /* A normal small response still works on the same client. */
    CU_ASSERT_EQUAL(openrouter_call(f.client, &t_get_op, &req, &out, NULL, &f.err), OPENROUTER_OK);
    openrouter_model_free(out);

    /* The write callback itself stops before the limit, without a
     * Content-Length to go by (chunked or compressed bodies). On a
     * transport of its own, with the client's settings: it needs no client. */
    or_http t;
    CU_ASSERT_EQUAL_FATAL(or_http_init(&t, or_client_settings(f.client), NULL, NULL), OPENROUTER_OK);
    fixture_done(&f);
    or_http_request get = {"GET", "http://127.0.0.1:9/", NULL, 0, NULL, 1000, 0, NULL, NULL, NULL};
    or_http_response res;
    memset(&res, 0, sizeof res);
    CU_ASSERT_EQUAL(or_http_prepare(&t, &get, &res), CURLE_OK);
    char chunk[1000];
    memset(chunk, 'x', sizeof chunk);
    size_t total = 0;
    for (int i = 0; i < 10; i++) {
        size_t n = or_http_write_cb(chunk, 1, sizeof chunk, &t);
        if (n != sizeof chunk)
            break;
        total += n;
    }
    CU_ASSERT_EQUAL(total, 4000);
    CU_ASSERT_EQUAL(res.body.len, 4000);
    CU_ASSERT_EQUAL(res.too_large, 1);
    CU_ASSERT_EQUAL(or_http_write_cb(chunk, 1, 96, &t), 96); /* exactly the limit is fine */
    CU_ASSERT_EQUAL(or_http_write_cb(chunk, 1, 1, &t), 0);
    or_http_finish(&t, &get, CURLE_WRITE_ERROR, &res);
    CU_ASSERT_EQUAL(res.too_large, 1);
    CU_ASSERT_EQUAL(res.curl_code, CURLE_WRITE_ERROR);
    or_http_cleanup(&t);
    or_buf_free(&res.body);
}

/* A retried call whose first attempt got a far longer body than the last:
 * the client's reused response buffer keeps its memory for the next call,
 * but not the earlier attempt's bytes past the last body (bodies may hold
 * secrets). */
static void test_retry_wipes_earlier_bodies(void)
{
    fresh_server();
    add_alpha();
    fixture f;
    fixture_options(&f);
    fixture_client(&f);
    static const char word[] = "EARLIER-BODY ";
    char body[256 * (sizeof word - 1) + 1] = "";
    for (size_t i = 0; i < 256; i++)
        memcpy(body + i * (sizeof word - 1), word, sizeof word);
    char faults[sizeof body + 64];
    snprintf(faults, sizeof faults, "{\"faults\":[{\"status\":503,\"body\":\"%s\"}]}", body);
    CU_ASSERT_EQUAL_FATAL(stub_add_faults(&server, faults), 0);
    t_get_req req = {alpha_hash};
    void *out = NULL;
    CU_ASSERT_EQUAL(openrouter_call(f.client, &t_get_op, &req, &out, NULL, &f.err), OPENROUTER_OK);
    openrouter_model_free(out);
    CU_ASSERT_EQUAL(f.err.attempts, 2);
    const or_buf *kept = &f.client->bufs.response_body;
    CU_ASSERT_FATAL(kept->data != NULL && kept->cap > strlen(body));
    /* Only bytes some attempt wrote are read (valgrind: no uninitialised reads). */
    size_t leftovers = 0, n = strlen(body), w = sizeof word - 1;
    for (size_t i = 0; i + w <= n; i++)
        leftovers += memcmp(kept->data + i, word, w) == 0;
    CU_ASSERT_EQUAL(leftovers, 0);
    fixture_done(&f);
}

static void test_timeout(void)
{
    fresh_server();
    add_alpha();
    fixture f;
    fixture_options(&f);
    f.opts.timeout_ms = 300;
    fixture_client(&f);
    CU_ASSERT_EQUAL(or_client_settings(f.client)->timeout_ms, 300);
    CU_ASSERT_EQUAL(stub_add_faults(&server, "{\"faults\":[{\"delay_ms\":3000}]}"), 0);
    openrouter_retry_policy once = OPENROUTER_RETRY_POLICY_INIT;
    once.max_attempts = 1;
    openrouter_call_options co = OPENROUTER_CALL_OPTIONS_INIT;
    co.retry = &once;
    t_get_req req = {alpha_hash};
    void *out = NULL;
    CU_ASSERT_EQUAL(openrouter_call(f.client, &t_get_op, &req, &out, &co, &f.err), OPENROUTER_ETIMEOUT);
    CU_ASSERT_PTR_NULL(out);
    CU_ASSERT_EQUAL(f.err.attempts, 1);
    CU_ASSERT_EQUAL(f.err.curl_code, CURLE_OPERATION_TIMEDOUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(f.err.message, "getKey: timed out after 300 ms"));
    /* Per-call timeout override, on a POST: a timeout after sending is not
     * retried and may have been processed. */
    co.retry = NULL;
    co.timeout_ms = 200;
    CU_ASSERT_EQUAL(stub_add_faults(&server, "{\"faults\":[{\"delay_ms\":3000}]}"), 0);
    t_create_req creq = {{OPENROUTER_STRING("slow")}};
    CU_ASSERT_EQUAL(openrouter_call(f.client, &t_create_op, &creq, &out, &co, &f.err), OPENROUTER_ETIMEOUT);
    CU_ASSERT_EQUAL(f.err.attempts, 1);
    CU_ASSERT_EQUAL(f.err.request_may_have_been_processed, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(f.err.message, "timed out after 200 ms"));
    fixture_done(&f);
}

static void test_decode_errors(void)
{
    fresh_server();
    add_alpha();
    fixture f;
    fixture_options(&f);
    fixture_client(&f);
    t_get_req req = {alpha_hash};
    void *out = NULL;
    CU_ASSERT_EQUAL(stub_add_faults(&server, "{\"faults\":[{\"status\":200,\"body\":\"<html>hello</html>\","
                                             "\"headers\":{\"Content-Type\":\"text/html\"}}]}"),
                    0);
    CU_ASSERT_EQUAL(openrouter_call(f.client, &t_get_op, &req, &out, NULL, &f.err), OPENROUTER_EDECODE);
    CU_ASSERT_PTR_NULL(out);
    CU_ASSERT_PTR_NOT_NULL(strstr(f.err.message, "text/html"));
    CU_ASSERT_PTR_NOT_NULL(f.err.body_snippet);
    if (f.err.body_snippet)
        CU_ASSERT_STRING_EQUAL(f.err.body_snippet, "<html>hello</html>");
    CU_ASSERT_EQUAL(f.err.http_status, 200);
    CU_ASSERT_EQUAL(stub_add_faults(&server, "{\"faults\":[{\"status\":200,\"body\":\"\"}]}"), 0);
    CU_ASSERT_EQUAL(openrouter_call(f.client, &t_get_op, &req, &out, NULL, &f.err), OPENROUTER_EDECODE);
    CU_ASSERT_PTR_NOT_NULL(strstr(f.err.message, "getKey: empty response body"));
    CU_ASSERT_EQUAL(stub_add_faults(&server, "{\"faults\":[{\"status\":200,\"body\":\"{\\\"data\\\": 5}\"}]}"), 0);
    CU_ASSERT_EQUAL(openrouter_call(f.client, &t_get_op, &req, &out, NULL, &f.err), OPENROUTER_EDECODE);
    CU_ASSERT_PTR_NULL(out);
    CU_ASSERT_EQUAL(strncmp(f.err.message, "getKey: ", 8), 0);
    /* application/problem+json counts as JSON. */
    CU_ASSERT_EQUAL(stub_add_faults(&server, "{\"faults\":[{\"headers\":{\"Content-Type\":"
                                             "\"application/vnd.x+json; charset=utf-8\"}}]}"),
                    0);
    CU_ASSERT_EQUAL(openrouter_call(f.client, &t_get_op, &req, &out, NULL, &f.err), OPENROUTER_OK);
    openrouter_model_free(out);
    fixture_done(&f);
}

static void test_key_never_leaks(void)
{
    fresh_server();
    add_alpha();
    fixture f;
    fixture_options(&f);
    fixture_client(&f);
    t_get_req req = {alpha_hash};
    void *out = NULL;
    /* The server echoes the key in code, message and metadata. */
    CU_ASSERT_EQUAL(stub_add_faults(&server,
                                    "{\"faults\":[{\"status\":401,\"body\":{\"error\":{\"code\":\"" KEY "\","
                                    "\"message\":\"bad key Bearer " KEY " here\",\"metadata\":{\"echo\":\"" KEY
                                    "\"}}}}]}"),
                    0);
    CU_ASSERT_EQUAL(openrouter_call(f.client, &t_get_op, &req, &out, NULL, &f.err), OPENROUTER_EHTTP);
    assert_no_key(&f.err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f.err.api_message);
    CU_ASSERT_STRING_EQUAL(f.err.api_message, "bad key Bearer [REDACTED] here");
    CU_ASSERT_STRING_EQUAL(f.err.api_code, "[REDACTED]");
    CU_ASSERT_PTR_NOT_NULL(strstr(f.err.api_metadata, "[REDACTED]"));
    CU_ASSERT_PTR_NOT_NULL(strstr(f.err.message, "[REDACTED]"));
    /* An HTML page echoing it, with the key cut by the snippet limit. */
    char faults[2048];
    char pad[600];
    memset(pad, 'p', OPENROUTER_ERROR_SNIPPET_MAX - 8);
    pad[OPENROUTER_ERROR_SNIPPET_MAX - 8] = '\0';
    snprintf(faults, sizeof faults,
             "{\"faults\":[{\"status\":502,\"body\":\"<p>%s</p>%s\",\"headers\":{\"Content-Type\":\"text/html\"}}]}",
             KEY, pad);
    CU_ASSERT_EQUAL(stub_add_faults(&server, faults), 0);
    openrouter_retry_policy once = OPENROUTER_RETRY_POLICY_INIT;
    once.max_attempts = 1;
    openrouter_call_options co = OPENROUTER_CALL_OPTIONS_INIT;
    co.retry = &once;
    CU_ASSERT_EQUAL(openrouter_call(f.client, &t_get_op, &req, &out, &co, &f.err), OPENROUTER_EHTTP);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f.err.body_snippet);
    assert_no_key(&f.err);
    CU_ASSERT_PTR_NOT_NULL(strstr(f.err.body_snippet, "<p>[REDACTED]</p>"));
    snprintf(faults, sizeof faults, "{\"faults\":[{\"status\":502,\"body\":\"%s%s\"}]}", pad, KEY);
    CU_ASSERT_EQUAL(stub_add_faults(&server, faults), 0);
    CU_ASSERT_EQUAL(openrouter_call(f.client, &t_get_op, &req, &out, &co, &f.err), OPENROUTER_EHTTP);
    assert_no_key(&f.err);
    CU_ASSERT_PTR_NULL(strstr(f.err.body_snippet ? f.err.body_snippet : "", "sk-or-v1-mgmt"));
    /* The key as a path value: redacted in the traced URL. */
    t_get_req leak = {KEY};
    CU_ASSERT_EQUAL(openrouter_call(f.client, &t_get_op, &leak, &out, NULL, &f.err), OPENROUTER_EHTTP);
    CU_ASSERT_PTR_NOT_NULL(strstr(f.tr.last_url, "[REDACTED]"));
    assert_no_key(&f.err);
    /* Direct redaction of a truncated tail. */
    openrouter_error e = OPENROUTER_ERROR_INIT;
    snprintf(e.message, sizeof e.message, "x %s y %.*s", KEY, 14, KEY);
    e.api_message = or_strdup("pre" KEY "post");
    or_redact_error(&e, KEY);
    CU_ASSERT_STRING_EQUAL(e.message, "x [REDACTED] y [REDACTED]");
    CU_ASSERT_STRING_EQUAL(e.api_message, "pre[REDACTED]post");
    openrouter_error_clear(&e);
    fixture_done(&f); /* also asserts no trace event carried the key */
}

static void test_options_rejected_without_network(void)
{
    fresh_server();
    int before = n_requests();
    fixture f;
#define REJECT(stmt, field_name)                                                   \
    do {                                                                           \
        fixture_options(&f);                                                       \
        stmt;                                                                      \
        openrouter_client *c = (openrouter_client *)&f; /* must be reset */        \
        int rc = openrouter_client_new(&c, &f.opts, &f.err);                       \
        CU_ASSERT_EQUAL(rc, OPENROUTER_EINVAL);                                    \
        CU_ASSERT_PTR_NULL(c);                                                     \
        CU_ASSERT_STRING_EQUAL(f.err.field, field_name);                           \
        assert_no_key(&f.err);                                                     \
        openrouter_error_clear(&f.err);                                            \
    } while (0)
    REJECT(f.opts.base_url = "file:///etc/passwd", "base_url");
    REJECT(f.opts.base_url = "ftp://127.0.0.1/api", "base_url");
    REJECT(f.opts.base_url = "http://example.com/api/v1", "base_url");
    REJECT(f.opts.base_url = "http://127.0.0.1.example.com/api/v1", "base_url");
    REJECT(f.opts.base_url = "gopher://openrouter.ai/", "base_url");
    REJECT(f.opts.base_url = "openrouter.ai/api/v1", "base_url");
    REJECT(f.opts.base_url = "https://user:pw@openrouter.ai/api/v1", "base_url");
    REJECT(f.opts.base_url = "https://openrouter.ai/api/v1?x=1", "base_url");
    REJECT(f.opts.base_url = "https://openrouter.ai/api/v1#frag", "base_url");
    REJECT(f.opts.base_url = "https://openrouter.ai/api\r\n/v1", "base_url");
    REJECT(f.opts.base_url = "", "base_url");
    REJECT(f.opts.app_title = "Title\r\nX-Evil: 1", "app_title");
    REJECT(f.opts.app_title = "Title\n", "app_title");
    REJECT(f.opts.http_referer = "https://x\r\n", "http_referer");
    REJECT(f.opts.app_categories = "a,\tb", "app_categories");
    REJECT(f.opts.user_agent = "ua\x7f", "user_agent");
    REJECT(f.opts.api_key = NULL, "api_key");
    REJECT(f.opts.api_key = "", "api_key");
    REJECT(f.opts.api_key = "sk-or-v1-abc\r\nX: y", "api_key");
    REJECT(f.opts.version = 99, "version");
    REJECT(f.opts.timeout_ms = -1, "timeout_ms");
    REJECT(f.opts.connect_timeout_ms = -5, "connect_timeout_ms");
    REJECT(f.opts.retry.max_attempts = 0, "retry.max_attempts");
    REJECT(f.opts.retry.multiplier = 0.5, "retry.multiplier");
    REJECT(f.opts.retry.initial_delay_ms = -1, "retry.initial_delay_ms");
#undef REJECT
    CU_ASSERT_EQUAL(openrouter_client_new(NULL, &f.opts, &f.err), OPENROUTER_EINVAL);
    openrouter_client *c = NULL;
    CU_ASSERT_EQUAL(openrouter_client_new(&c, NULL, &f.err), OPENROUTER_EINVAL);
    openrouter_error_clear(&f.err);

    /* Accepted: loopback http forms, and http elsewhere with the opt-in. */
    const char *ok[] = {"http://localhost:1/api/v1", "http://127.9.9.9:1/x", "http://[::1]:1/api/v1",
                        "https://openrouter.ai/api/v1", "HTTPS://OpenRouter.ai"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        fixture_options(&f);
        f.opts.base_url = ok[i];
        CU_ASSERT_EQUAL(openrouter_client_new(&c, &f.opts, &f.err), OPENROUTER_OK);
        openrouter_client_free(c);
        c = NULL;
    }
    fixture_options(&f);
    f.opts.base_url = "http://example.com/api/v1";
    f.opts.allow_insecure_http = 1;
    CU_ASSERT_EQUAL(openrouter_client_new(&c, &f.opts, &f.err), OPENROUTER_OK);
    CU_ASSERT_STRING_EQUAL(or_client_settings(c)->protocols, "http,https");
    openrouter_client_free(c);
    c = NULL;
    /* A zeroed retry policy means the default one. */
    fixture_options(&f);
    memset(&f.opts.retry, 0, sizeof f.opts.retry);
    CU_ASSERT_EQUAL(openrouter_client_new(&c, &f.opts, &f.err), OPENROUTER_OK);
    openrouter_client_free(c);
    c = NULL;

    /* Call-level misuse: EINVAL before any I/O. */
    fixture_options(&f);
    fixture_client(&f);
    void *out = NULL;
    t_get_req req = {alpha_hash};
    CU_ASSERT_EQUAL(openrouter_call(NULL, &t_get_op, &req, &out, NULL, &f.err), OPENROUTER_EINVAL);
    CU_ASSERT_EQUAL(openrouter_call(f.client, NULL, &req, &out, NULL, &f.err), OPENROUTER_EINVAL);
    CU_ASSERT_EQUAL(openrouter_call(f.client, &t_get_op, &req, NULL, NULL, &f.err), OPENROUTER_EINVAL);
    CU_ASSERT_STRING_EQUAL(f.err.field, "out");
    CU_ASSERT_EQUAL(openrouter_call(f.client, &t_get_op, NULL, &out, NULL, &f.err), OPENROUTER_EINVAL);
    CU_ASSERT_STRING_EQUAL(f.err.field, "request");
    CU_ASSERT_EQUAL(openrouter_call(f.client, &t_create_op, NULL, &out, NULL, &f.err), OPENROUTER_EINVAL);
    openrouter_call_options co = OPENROUTER_CALL_OPTIONS_INIT;
    co.version = 7;
    CU_ASSERT_EQUAL(openrouter_call(f.client, &t_get_op, &req, &out, &co, &f.err), OPENROUTER_EINVAL);
    co.version = OPENROUTER_CALL_OPTIONS_VERSION;
    co.timeout_ms = -1;
    CU_ASSERT_EQUAL(openrouter_call(f.client, &t_get_op, &req, &out, &co, &f.err), OPENROUTER_EINVAL);
    openrouter_retry_policy bad = OPENROUTER_RETRY_POLICY_INIT;
    bad.max_attempts = 0;
    co.timeout_ms = 0;
    co.retry = &bad;
    CU_ASSERT_EQUAL(openrouter_call(f.client, &t_get_op, &req, &out, &co, &f.err), OPENROUTER_EINVAL);
    CU_ASSERT_STRING_EQUAL(f.err.field, "options.retry.max_attempts");
    /* Invalid body (required name missing / too short). */
    t_create_req empty = {{{OPENROUTER_ABSENT, NULL}}};
    CU_ASSERT_EQUAL(openrouter_call(f.client, &t_create_op, &empty, &out, NULL, &f.err), OPENROUTER_EINVAL);
    CU_ASSERT_EQUAL(strncmp(f.err.message, "createKey: ", 11), 0);
    t_create_req short_name = {{OPENROUTER_STRING("")}};
    CU_ASSERT_EQUAL(openrouter_call(f.client, &t_create_op, &short_name, &out, NULL, &f.err), OPENROUTER_EINVAL);
    CU_ASSERT_PTR_NULL(out);
    CU_ASSERT_EQUAL(f.err.attempts, 0);
    CU_ASSERT_EQUAL(f.tr.before, 0);
    CU_ASSERT_EQUAL(n_requests(), before);
    fixture_done(&f);
}

/* Fails each runtime allocation in turn through client creation, a call
 * with a body, an error response and decoding: every path must clean up
 * (valgrind / ASan check the leaks) and report ENOMEM or succeed. */
static void test_allocation_failures(void)
{
    fresh_server();
    add_alpha();
    int completed = 0;
    for (long nth = 1; nth < 400 && !completed; nth++) {
        fixture f;
        fixture_options(&f);
        or_test_fail_alloc(nth);
        int rc = openrouter_client_new(&f.client, &f.opts, &f.err);
        if (rc == OPENROUTER_OK) {
            t_get_req req = {alpha_hash};
            t_create_req creq = {{OPENROUTER_STRING("oom")}};
            void *out = NULL;
            int r1 = openrouter_call(f.client, &t_get_op, &req, &out, NULL, &f.err);
            openrouter_model_free(out);
            out = NULL;
            openrouter_error_clear(&f.err);
            int r2 = openrouter_call(f.client, &t_create_op, &creq, &out, NULL, &f.err);
            openrouter_model_free(out);
            openrouter_error_clear(&f.err);
            t_get_req missing = {"no-such-key"};
            int r3 = openrouter_call(f.client, &t_get_op, &missing, &out, NULL, &f.err);
            CU_ASSERT_PTR_NULL(out);
            CU_ASSERT(r1 == OPENROUTER_OK || r1 == OPENROUTER_ENOMEM || r1 == OPENROUTER_EDECODE);
            CU_ASSERT(r2 == OPENROUTER_OK || r2 == OPENROUTER_ENOMEM || r2 == OPENROUTER_EDECODE ||
                      r2 == OPENROUTER_EINVAL);
            CU_ASSERT(r3 == OPENROUTER_EHTTP || r3 == OPENROUTER_ENOMEM);
            completed = r1 == OPENROUTER_OK && r2 == OPENROUTER_OK && r3 == OPENROUTER_EHTTP;
        } else {
            CU_ASSERT_EQUAL(rc, OPENROUTER_ENOMEM);
            CU_ASSERT_PTR_NULL(f.client);
        }
        or_test_fail_alloc(0);
        fixture_done(&f);
    }
    CU_ASSERT(completed);
}

static int suite_init(void)
{
    if (openrouter_global_init() != OPENROUTER_OK)
        return 1;
    if (stub_start(&server, 0) != 0)
        return 1;
    server_up = 1;
    return 0;
}

static int suite_clean(void)
{
    if (server_up)
        stub_stop(&server);
    server_up = 0;
    openrouter_global_cleanup();
    return 0;
}

int main(void)
{
    if (or_test_fail_alloc_install(NULL) != 0)
        return 1;
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("transport", suite_init, suite_clean);
    CU_add_test(s, "keep-alive, default headers, curl settings", test_keepalive_and_headers);
    CU_add_test(s, "POST/GET/DELETE on one handle, body, content type", test_methods_body_and_content_type);
    CU_add_test(s, "path and query encoding", test_url_encoding);
    CU_add_test(s, "header parameter overrides a default header", test_header_param_overrides_default);
    CU_add_test(s, "retries with an injected clock", test_retry_backoff_injected_clock);
    CU_add_test(s, "Retry-After honoured, over-cap gives up", test_retry_after_honoured);
    CU_add_test(s, "POST retry rules", test_post_retry_rules);
    CU_add_test(s, "connection refused: POST retried", test_connection_refused);
    CU_add_test(s, "4xx never retried", test_client_errors_never_retried);
    CU_add_test(s, "redirect not followed", test_redirect_not_followed);
    CU_add_test(s, "max_response_bytes", test_response_size_limit);
    CU_add_test(s, "a retry leaves no earlier body behind", test_retry_wipes_earlier_bodies);
    CU_add_test(s, "timeout", test_timeout);
    CU_add_test(s, "decode errors", test_decode_errors);
    CU_add_test(s, "API key never leaks", test_key_never_leaks);
    CU_add_test(s, "bad options and arguments rejected without network", test_options_rejected_without_network);
    CU_add_test(s, "allocation failures", test_allocation_failures);
    return or_test_run();
}
