/* The six generated operations end to end against the stand-in server:
 * success paths, every documented error status, the exact wire format
 * (three-state PATCH, percent-encoded paths, query booleans, attribution
 * headers) and tolerant decoding of drifting responses. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <json-c/json.h>

#include <openrouter/openrouter.h>

#include "stub_server.h"
#include "test_util.h"

static stub_server srv;

/* Retries happen instantly under this clock, so error-status tests are fast
 * and the delays requested are visible. */
static int64_t fake_now;
static int64_t clock_now(void *ctx) { (void)ctx; return fake_now; }
static void clock_sleep(void *ctx, long ms) { (void)ctx; fake_now += ms; }
static double clock_random(void *ctx) { (void)ctx; return 0.5; }
static const openrouter_clock test_clock = {clock_now, clock_sleep, clock_random, NULL};

static openrouter_client *client_with(const char *api_key, int strict)
{
    openrouter_client_options o = OPENROUTER_CLIENT_OPTIONS_INIT;
    o.api_key = api_key;
    o.base_url = srv.base_url;
    o.http_referer = "https://example.test/app";
    o.app_title = "Key Provisioner";
    o.app_categories = "cli-agent,cloud-agent";
    o.clock = &test_clock;
    o.strict_required_fields = strict;
    openrouter_client *c = NULL;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    int rc = openrouter_client_new(&c, &o, &err);
    CU_ASSERT_EQUAL_FATAL(rc, OPENROUTER_OK);
    openrouter_error_clear(&err);
    return c;
}

static openrouter_client *mgmt_client(void) { return client_with(STUB_MANAGEMENT_KEY, 0); }

/* The last request the server recorded; *root must be json_object_put(). */
static json_object *last_request(json_object **root)
{
    *root = stub_requests(&srv);
    CU_ASSERT_PTR_NOT_NULL_FATAL(*root);
    json_object *list = NULL;
    CU_ASSERT_FATAL(json_object_object_get_ex(*root, "requests", &list));
    size_t n = json_object_array_length(list);
    CU_ASSERT_FATAL(n > 0);
    return json_object_array_get_idx(list, n - 1);
}

static size_t request_count(void)
{
    json_object *root = stub_requests(&srv), *list = NULL;
    size_t n = 0;
    if (root && json_object_object_get_ex(root, "requests", &list))
        n = json_object_array_length(list);
    json_object_put(root);
    return n;
}

static const char *jstr(json_object *o, const char *key)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
               ? json_object_get_string(v) : NULL;
}

static const char *header(json_object *req, const char *name)
{
    json_object *headers = NULL;
    json_object_object_get_ex(req, "headers", &headers);
    return jstr(headers, name);
}

/* Creates a key through the API and returns its hash (malloc'd). */
static char *create_key(openrouter_client *c, const char *name)
{
    openrouter_create_key_request req = OPENROUTER_CREATE_KEY_REQUEST_INIT;
    req.body.name = OPENROUTER_STRING(name);
    openrouter_created_key *out = NULL;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    int rc = openrouter_create_key(c, &req, &out, NULL, &err);
    CU_ASSERT_EQUAL_FATAL(rc, OPENROUTER_OK);
    char *hash = strdup(out->data.value.hash.value);
    openrouter_created_key_free(out);
    openrouter_error_clear(&err);
    return hash;
}

static void reset(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 0), 0);
    fake_now = 0;
}

/* ---- success paths ----------------------------------------------------- */

static void test_create_returns_key_and_secret(void)
{
    reset();
    openrouter_client *c = mgmt_client();
    openrouter_create_key_request req = OPENROUTER_CREATE_KEY_REQUEST_INIT;
    req.body.name = OPENROUTER_STRING("customer-42");
    req.body.limit = OPENROUTER_NUMBER(50);
    req.body.limit_reset.state = OPENROUTER_PRESENT;
    req.body.limit_reset.value = OPENROUTER_LIMIT_RESET_MONTHLY;
    req.body.include_byok_in_limit = OPENROUTER_BOOL(true);
    req.body.expires_at = OPENROUTER_DATETIME("2027-12-31T23:59:59Z");
    openrouter_created_key *out = NULL;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    CU_ASSERT_EQUAL(openrouter_create_key(c, &req, &out, NULL, &err), OPENROUTER_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    CU_ASSERT_EQUAL(out->key.state, OPENROUTER_PRESENT);
    CU_ASSERT(strncmp(out->key.value, "sk-or-v1-", 9) == 0);
    const openrouter_key *k = &out->data.value;
    CU_ASSERT_STRING_EQUAL(k->name.value, "customer-42");
    CU_ASSERT_EQUAL(k->limit.state, OPENROUTER_PRESENT);
    CU_ASSERT_DOUBLE_EQUAL(k->limit.value, 50.0, 1e-9);
    CU_ASSERT_EQUAL(k->limit_reset.value, OPENROUTER_LIMIT_RESET_MONTHLY);
    CU_ASSERT_STRING_EQUAL(k->limit_reset.text, "monthly");
    CU_ASSERT_EQUAL(k->include_byok_in_limit.value, true);
    CU_ASSERT_STRING_EQUAL(k->expires_at.value, "2027-12-31T23:59:59Z");
    CU_ASSERT_EQUAL(strlen(k->hash.value), 64u);

    json_object *root;
    json_object *r = last_request(&root);
    CU_ASSERT_STRING_EQUAL(jstr(r, "method"), "POST");
    CU_ASSERT_STRING_EQUAL(jstr(r, "path"), "/api/v1/keys");
    CU_ASSERT_STRING_EQUAL(jstr(r, "body_raw"),
                           "{\"name\":\"customer-42\",\"limit\":50,\"limit_reset\":\"monthly\","
                           "\"include_byok_in_limit\":true,\"expires_at\":\"2027-12-31T23:59:59Z\"}");
    CU_ASSERT_STRING_EQUAL(header(r, "content-type"), "application/json");
    json_object_put(root);
    openrouter_created_key_free(out);
    openrouter_error_clear(&err);
    openrouter_client_free(c);
}

static void test_list_get_update_delete(void)
{
    reset();
    openrouter_client *c = mgmt_client();
    char *hash = create_key(c, "to-walk");
    openrouter_error err = OPENROUTER_ERROR_INIT;

    openrouter_key_list *list = NULL;
    CU_ASSERT_EQUAL(openrouter_list_keys(c, NULL, &list, NULL, &err), OPENROUTER_OK);
    CU_ASSERT_EQUAL_FATAL(list->data.count, 1u);
    CU_ASSERT_STRING_EQUAL(list->data.items[0].hash.value, hash);
    openrouter_key_list_free(list);

    openrouter_get_key_request get = OPENROUTER_GET_KEY_REQUEST_INIT;
    get.hash = hash;
    openrouter_key_response *got = NULL;
    CU_ASSERT_EQUAL(openrouter_get_key(c, &get, &got, NULL, &err), OPENROUTER_OK);
    CU_ASSERT_STRING_EQUAL(got->data.value.name.value, "to-walk");
    openrouter_key_response_free(got);

    openrouter_update_key_request up = OPENROUTER_UPDATE_KEY_REQUEST_INIT;
    up.hash = hash;
    up.body.name = OPENROUTER_STRING("renamed");
    up.body.disabled = OPENROUTER_BOOL(true);
    openrouter_key_response *updated = NULL;
    CU_ASSERT_EQUAL(openrouter_update_key(c, &up, &updated, NULL, &err), OPENROUTER_OK);
    CU_ASSERT_STRING_EQUAL(updated->data.value.name.value, "renamed");
    CU_ASSERT_EQUAL(updated->data.value.disabled.value, true);
    openrouter_key_response_free(updated);

    openrouter_delete_key_request del = OPENROUTER_DELETE_KEY_REQUEST_INIT;
    del.hash = hash;
    openrouter_delete_key_response *deleted = NULL;
    CU_ASSERT_EQUAL(openrouter_delete_key(c, &del, &deleted, NULL, &err), OPENROUTER_OK);
    CU_ASSERT_EQUAL(deleted->deleted.state, OPENROUTER_PRESENT);
    CU_ASSERT_EQUAL(deleted->deleted.value, true);
    openrouter_delete_key_response_free(deleted);
    CU_ASSERT_EQUAL(stub_count_keys(&srv), 0);

    json_object *root;
    json_object *r = last_request(&root);
    CU_ASSERT_STRING_EQUAL(jstr(r, "method"), "DELETE");
    json_object_put(root);
    openrouter_error_clear(&err);
    free(hash);
    openrouter_client_free(c);
}

/* get and delete by hash: no request struct, the same requests and checks. */
static void test_by_hash(void)
{
    reset();
    openrouter_client *c = mgmt_client();
    char *hash = create_key(c, "by-hash");
    openrouter_error err = OPENROUTER_ERROR_INIT;
    openrouter_key_response *got = NULL;
    CU_ASSERT_EQUAL(openrouter_get_key_by_hash(c, hash, &got, NULL, &err), OPENROUTER_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    CU_ASSERT_STRING_EQUAL(OPENROUTER_VALUE(got, data, name), "by-hash");
    openrouter_key_response_free(got);
    json_object *root;
    json_object *r = last_request(&root);
    char path[160];
    snprintf(path, sizeof path, "/api/v1/keys/%s", hash);
    CU_ASSERT_STRING_EQUAL(jstr(r, "path"), path);
    CU_ASSERT_STRING_EQUAL(header(r, "x-openrouter-title"), "Key Provisioner"); /* the client's */
    json_object_put(root);
    /* Checked as a request's hash would be, before sending. */
    size_t before = request_count();
    static const char *const bad[] = {NULL, "", "a/b", "..", "x\ny"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CU_ASSERT_EQUAL(openrouter_get_key_by_hash(c, bad[i], &got, NULL, &err), OPENROUTER_EINVAL);
        CU_ASSERT_STRING_EQUAL(err.field, "hash");
        CU_ASSERT_PTR_NULL(got);
    }
    CU_ASSERT_EQUAL(request_count(), before);
    CU_ASSERT_EQUAL(openrouter_get_key_by_hash(c, "no-such-hash", &got, NULL, &err), OPENROUTER_EHTTP);
    CU_ASSERT_EQUAL(err.http_status, 404);
    openrouter_delete_key_response *deleted = NULL;
    CU_ASSERT_EQUAL(openrouter_delete_key_by_hash(c, hash, &deleted, NULL, &err), OPENROUTER_OK);
    CU_ASSERT_TRUE(OPENROUTER_VALUE(deleted, deleted));
    openrouter_delete_key_response_free(deleted);
    CU_ASSERT_EQUAL(stub_count_keys(&srv), 0);
    openrouter_error_clear(&err);
    free(hash);
    openrouter_client_free(c);
}

static void test_current_key_metadata(void)
{
    reset();
    openrouter_error err = OPENROUTER_ERROR_INIT;
    const char *keys[] = {STUB_MANAGEMENT_KEY, STUB_NORMAL_KEY};
    for (int i = 0; i < 2; i++) {
        openrouter_client *c = client_with(keys[i], 0);
        openrouter_current_key_response *cur = NULL;
        CU_ASSERT_EQUAL(openrouter_get_current_key_metadata(c, NULL, &cur, NULL, &err), OPENROUTER_OK);
        CU_ASSERT_PTR_NOT_NULL_FATAL(cur);
        CU_ASSERT_EQUAL(cur->data.value.is_management_key.value, i == 0);
        CU_ASSERT_EQUAL(cur->data.value.label.state, OPENROUTER_PRESENT);
        CU_ASSERT_EQUAL(cur->data.value.free_model_daily_requests.state, OPENROUTER_PRESENT);
        CU_ASSERT_EQUAL(cur->data.value.allowed_data_regions.state, OPENROUTER_PRESENT);
        openrouter_current_key_response_free(cur);
        openrouter_client_free(c);
    }
    json_object *root;
    json_object *r = last_request(&root);
    CU_ASSERT_STRING_EQUAL(jstr(r, "path"), "/api/v1/key");
    json_object_put(root);
    openrouter_error_clear(&err);
}

/* ---- the wire format ---------------------------------------------------- */

/* PATCH sends exactly what was set: omitted, explicit null, 0 and false. */
static void test_patch_three_states_on_the_wire(void)
{
    reset();
    openrouter_client *c = mgmt_client();
    char *hash = create_key(c, "three-state");
    openrouter_error err = OPENROUTER_ERROR_INIT;
    struct { const char *expected; int limit_state; double limit; int set_disabled; } cases[] = {
        {"{\"name\":\"n\"}", OPENROUTER_ABSENT, 0, 0},
        {"{\"name\":\"n\",\"limit\":null}", OPENROUTER_NULL, 0, 0},
        {"{\"name\":\"n\",\"limit\":0}", OPENROUTER_PRESENT, 0, 0},
        {"{\"name\":\"n\",\"disabled\":false}", OPENROUTER_ABSENT, 0, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        openrouter_update_key_request up = OPENROUTER_UPDATE_KEY_REQUEST_INIT;
        up.hash = hash;
        up.body.name = OPENROUTER_STRING("n");
        up.body.limit.state = (openrouter_presence)cases[i].limit_state;
        up.body.limit.value = cases[i].limit;
        if (cases[i].set_disabled)
            up.body.disabled = OPENROUTER_BOOL(false);
        openrouter_key_response *out = NULL;
        CU_ASSERT_EQUAL(openrouter_update_key(c, &up, &out, NULL, &err), OPENROUTER_OK);
        json_object *root;
        json_object *r = last_request(&root);
        CU_ASSERT_STRING_EQUAL(jstr(r, "method"), "PATCH");
        CU_ASSERT_STRING_EQUAL(jstr(r, "body_raw"), cases[i].expected);
        json_object_put(root);
        /* The server applied it: null cleared the limit, 0 set it to 0. */
        if (cases[i].limit_state == OPENROUTER_NULL)
            CU_ASSERT_EQUAL(out->data.value.limit.state, OPENROUTER_NULL);
        if (cases[i].limit_state == OPENROUTER_PRESENT) {
            CU_ASSERT_EQUAL(out->data.value.limit.state, OPENROUTER_PRESENT);
            CU_ASSERT_DOUBLE_EQUAL(out->data.value.limit.value, 0.0, 0.0);
        }
        openrouter_key_response_free(out);
    }
    /* limit_reset: explicit null means "never resets". */
    openrouter_update_key_request up = OPENROUTER_UPDATE_KEY_REQUEST_INIT;
    up.hash = hash;
    up.body.limit_reset.state = OPENROUTER_NULL;
    openrouter_key_response *out = NULL;
    CU_ASSERT_EQUAL(openrouter_update_key(c, &up, &out, NULL, &err), OPENROUTER_OK);
    json_object *root;
    CU_ASSERT_STRING_EQUAL(jstr(last_request(&root), "body_raw"), "{\"limit_reset\":null}");
    json_object_put(root);
    CU_ASSERT_EQUAL(out->data.value.limit_reset.state, OPENROUTER_NULL);
    openrouter_key_response_free(out);
    openrouter_error_clear(&err);
    free(hash);
    openrouter_client_free(c);
}

/* Reserved characters in a path value are percent-encoded by libcurl and
 * arrive as one path segment that decodes back to the same hash. Values
 * that cannot be sent as exactly one segment are rejected before sending:
 * separators ('/', '\\'), "%XX" triplets (would be double-encoded), dot
 * segments, control characters, more than 256 characters. */
static void test_hash_is_percent_encoded(void)
{
    reset();
    const char *odd = "a?b#c%zz..d e";
    char stored[256];
    CU_ASSERT_EQUAL_FATAL(stub_add_key(&srv, "{\"hash\":\"a?b#c%zz..d e\",\"name\":\"odd\"}",
                                       stored, sizeof stored), 0);
    CU_ASSERT_STRING_EQUAL(stored, odd);
    openrouter_client *c = mgmt_client();
    openrouter_get_key_request get = OPENROUTER_GET_KEY_REQUEST_INIT;
    get.hash = odd;
    openrouter_key_response *out = NULL;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    CU_ASSERT_EQUAL(openrouter_get_key(c, &get, &out, NULL, &err), OPENROUTER_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    CU_ASSERT_STRING_EQUAL(out->data.value.name.value, "odd");
    json_object *root;
    json_object *r = last_request(&root);
    CU_ASSERT_STRING_EQUAL(jstr(r, "path"), "/api/v1/keys/a%3Fb%23c%25zz..d%20e");
    CU_ASSERT_STRING_EQUAL(jstr(r, "query"), "");
    json_object_put(root);
    openrouter_key_response_free(out);

    char too_long[258];
    memset(too_long, 'a', 257);
    too_long[257] = '\0';
    const char *bad[] = {"", ".", "..", "a/b", "/", "../x", "a\\b", "a%00b", "a%2Fb", "%41",
                         "a\r\nb", "a\nb", too_long};
    size_t before = request_count();
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        get.hash = bad[i];
        out = NULL;
        CU_ASSERT_EQUAL(openrouter_get_key(c, &get, &out, NULL, &err), OPENROUTER_EINVAL);
        CU_ASSERT_PTR_NULL(out);
        CU_ASSERT_STRING_EQUAL(err.field, "hash");
        openrouter_error_clear(&err);
    }
    CU_ASSERT_EQUAL(request_count(), before);
    /* Exactly 256 characters is the spec's maxLength: allowed (404 here). */
    too_long[256] = '\0';
    get.hash = too_long;
    CU_ASSERT_EQUAL(openrouter_get_key(c, &get, &out, NULL, &err), OPENROUTER_EHTTP);
    CU_ASSERT_EQUAL(err.http_status, 404);
    openrouter_error_clear(&err);
    openrouter_client_free(c);
}

static void test_list_query_parameters(void)
{
    reset();
    openrouter_client *c = mgmt_client();
    openrouter_error err = OPENROUTER_ERROR_INIT;
    openrouter_list_keys_request req = OPENROUTER_LIST_KEYS_REQUEST_INIT;
    req.include_disabled = OPENROUTER_BOOL(true);
    req.offset = OPENROUTER_INT64(100);
    req.workspace_id = OPENROUTER_STRING("0df9e665-d932-5740-b2c7-b52af166bc11");
    openrouter_key_list *out = NULL;
    CU_ASSERT_EQUAL(openrouter_list_keys(c, &req, &out, NULL, &err), OPENROUTER_OK);
    openrouter_key_list_free(out);
    json_object *root;
    CU_ASSERT_STRING_EQUAL(jstr(last_request(&root), "query"),
                           "include_disabled=true&offset=100&workspace_id=0df9e665-d932-5740-b2c7-b52af166bc11");
    json_object_put(root);

    req.include_disabled = OPENROUTER_BOOL(false);
    req.offset.state = OPENROUTER_ABSENT;
    req.workspace_id.state = OPENROUTER_ABSENT;
    out = NULL;
    CU_ASSERT_EQUAL(openrouter_list_keys(c, &req, &out, NULL, &err), OPENROUTER_OK);
    openrouter_key_list_free(out);
    CU_ASSERT_STRING_EQUAL(jstr(last_request(&root), "query"), "include_disabled=false");
    json_object_put(root);

    /* offset is validated against the spec's minimum before sending. */
    req.offset = OPENROUTER_INT64(-1);
    size_t before = request_count();
    out = NULL;
    CU_ASSERT_EQUAL(openrouter_list_keys(c, &req, &out, NULL, &err), OPENROUTER_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.field, "offset");
    CU_ASSERT_EQUAL(request_count(), before);
    openrouter_error_clear(&err);
    openrouter_client_free(c);
}

static void test_pages_of_100(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 150), 0);
    openrouter_client *c = mgmt_client();
    openrouter_error err = OPENROUTER_ERROR_INIT;
    openrouter_list_keys_request req = OPENROUTER_LIST_KEYS_REQUEST_INIT;
    req.include_disabled = OPENROUTER_BOOL(true);
    size_t total = 0;
    for (int64_t offset = 0;; offset += 100) {
        req.offset = OPENROUTER_INT64(offset);
        openrouter_key_list *out = NULL;
        CU_ASSERT_EQUAL_FATAL(openrouter_list_keys(c, &req, &out, NULL, &err), OPENROUTER_OK);
        size_t n = out->data.count;
        total += n;
        openrouter_key_list_free(out);
        if (n < 100)
            break;
    }
    CU_ASSERT_EQUAL(total, 150u);
    openrouter_error_clear(&err);
    openrouter_client_free(c);
}

static void test_attribution_headers(void)
{
    reset();
    openrouter_client *c = mgmt_client();
    openrouter_error err = OPENROUTER_ERROR_INIT;
    openrouter_key_list *out = NULL;
    CU_ASSERT_EQUAL(openrouter_list_keys(c, NULL, &out, NULL, &err), OPENROUTER_OK);
    openrouter_key_list_free(out);
    json_object *root;
    json_object *r = last_request(&root);
    CU_ASSERT_STRING_EQUAL(header(r, "authorization"), "Bearer " STUB_MANAGEMENT_KEY);
    CU_ASSERT_STRING_EQUAL(header(r, "http-referer"), "https://example.test/app");
    CU_ASSERT_STRING_EQUAL(header(r, "x-openrouter-title"), "Key Provisioner");
    CU_ASSERT_STRING_EQUAL(header(r, "x-title"), "Key Provisioner");
    CU_ASSERT_STRING_EQUAL(header(r, "x-openrouter-categories"), "cli-agent,cloud-agent");
    CU_ASSERT_STRING_EQUAL(header(r, "accept"), "application/json");
    CU_ASSERT(strncmp(header(r, "user-agent"), "openrouter-c/", 13) == 0);
    json_object_put(root);

    /* A per-call header parameter overrides the client's default, and the
     * title still goes out under both names. */
    openrouter_list_keys_request req = OPENROUTER_LIST_KEYS_REQUEST_INIT;
    req.x_openrouter_title = OPENROUTER_STRING("Per Call");
    out = NULL;
    CU_ASSERT_EQUAL(openrouter_list_keys(c, &req, &out, NULL, &err), OPENROUTER_OK);
    openrouter_key_list_free(out);
    r = last_request(&root);
    CU_ASSERT_STRING_EQUAL(header(r, "x-openrouter-title"), "Per Call");
    CU_ASSERT_STRING_EQUAL(header(r, "x-title"), "Per Call");
    json_object_put(root);
    openrouter_error_clear(&err);
    openrouter_client_free(c);
}

static void test_non_utc_expiry_rejected_before_sending(void)
{
    reset();
    openrouter_client *c = mgmt_client();
    const char *bad[] = {"2027-12-31T23:59:59+02:00", "2027-12-31T23:59:59+00:00", "2027-12-31",
                         "2027-02-30T00:00:00Z", "tomorrow"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        openrouter_create_key_request req = OPENROUTER_CREATE_KEY_REQUEST_INIT;
        req.body.name = OPENROUTER_STRING("x");
        req.body.expires_at = OPENROUTER_DATETIME(bad[i]);
        openrouter_created_key *out = NULL;
        openrouter_error err = OPENROUTER_ERROR_INIT;
        CU_ASSERT_EQUAL(openrouter_create_key(c, &req, &out, NULL, &err), OPENROUTER_EINVAL);
        CU_ASSERT_PTR_NULL(out);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.field, "expires_at"));
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "expires_at"));
        openrouter_error_clear(&err);
    }
    CU_ASSERT_EQUAL(request_count(), 0u);
    openrouter_client_free(c);
}

/* ---- documented error statuses ---------------------------------------- */

static void expect_http_error(int rc, openrouter_error *err, long status, const char *api_message)
{
    CU_ASSERT_EQUAL(rc, OPENROUTER_EHTTP);
    CU_ASSERT_EQUAL(err->kind, OPENROUTER_EHTTP);
    CU_ASSERT_EQUAL(err->http_status, status);
    CU_ASSERT_PTR_NOT_NULL_FATAL(err->api_message);
    CU_ASSERT_STRING_EQUAL(err->api_message, api_message);
    CU_ASSERT_EQUAL(err->api_code_number, status);
    CU_ASSERT_PTR_NULL(strstr(err->message, STUB_MANAGEMENT_KEY));
    CU_ASSERT_PTR_NULL(strstr(err->message, STUB_NORMAL_KEY));
}

/* Runs operation `op` (0..5) once; returns its status. */
static int run_op(openrouter_client *c, int op, const char *hash, openrouter_error *err)
{
    void *out = NULL;
    int rc = OPENROUTER_EINVAL;
    switch (op) {
    case 0: {
        rc = openrouter_list_keys(c, NULL, (openrouter_key_list **)&out, NULL, err);
        openrouter_key_list_free(out);
        break;
    }
    case 1: {
        openrouter_create_key_request r = OPENROUTER_CREATE_KEY_REQUEST_INIT;
        r.body.name = OPENROUTER_STRING("e");
        rc = openrouter_create_key(c, &r, (openrouter_created_key **)&out, NULL, err);
        openrouter_created_key_free(out);
        break;
    }
    case 2: {
        openrouter_get_key_request r = OPENROUTER_GET_KEY_REQUEST_INIT;
        r.hash = hash;
        rc = openrouter_get_key(c, &r, (openrouter_key_response **)&out, NULL, err);
        openrouter_key_response_free(out);
        break;
    }
    case 3: {
        openrouter_update_key_request r = OPENROUTER_UPDATE_KEY_REQUEST_INIT;
        r.hash = hash;
        r.body.disabled = OPENROUTER_BOOL(true);
        rc = openrouter_update_key(c, &r, (openrouter_key_response **)&out, NULL, err);
        openrouter_key_response_free(out);
        break;
    }
    case 4: {
        openrouter_delete_key_request r = OPENROUTER_DELETE_KEY_REQUEST_INIT;
        r.hash = hash;
        rc = openrouter_delete_key(c, &r, (openrouter_delete_key_response **)&out, NULL, err);
        openrouter_delete_key_response_free(out);
        break;
    }
    case 5: {
        rc = openrouter_get_current_key_metadata(c, NULL, (openrouter_current_key_response **)&out, NULL, err);
        openrouter_current_key_response_free(out);
        break;
    }
    }
    return rc;
}

static const openrouter_operation_desc *const ops[] = {
    &openrouter_list_keys_operation, &openrouter_create_key_operation,
    &openrouter_get_key_operation, &openrouter_update_key_operation,
    &openrouter_delete_key_operation, &openrouter_get_current_key_metadata_operation,
};

static void test_unauthorized_everywhere(void)
{
    reset();
    openrouter_client *c = client_with("sk-or-v1-not-a-real-key", 0);
    for (int op = 0; op < 6; op++) {
        openrouter_error err = OPENROUTER_ERROR_INIT;
        int rc = run_op(c, op, "0123", &err);
        CU_ASSERT_EQUAL(rc, OPENROUTER_EHTTP);
        CU_ASSERT_EQUAL(err.http_status, 401);
        CU_ASSERT_EQUAL(err.attempts, 1); /* 401 is never retried */
        CU_ASSERT_PTR_NULL(strstr(err.message, "sk-or-v1-not-a-real-key"));
        openrouter_error_clear(&err);
    }
    openrouter_client_free(c);
}

static void test_forbidden_for_normal_keys(void)
{
    reset();
    openrouter_client *c = client_with(STUB_NORMAL_KEY, 0);
    for (int op = 0; op < 5; op++) {
        openrouter_error err = OPENROUTER_ERROR_INIT;
        int rc = run_op(c, op, "0123", &err);
        expect_http_error(rc, &err, 403, "Only management keys can perform this operation");
        CU_ASSERT_EQUAL(err.attempts, 1);
        openrouter_error_clear(&err);
    }
    openrouter_client_free(c);
}

static void test_not_found(void)
{
    reset();
    openrouter_client *c = mgmt_client();
    for (int op = 2; op <= 4; op++) {
        openrouter_error err = OPENROUTER_ERROR_INIT;
        int rc = run_op(c, op, "feedfacefeedface", &err);
        expect_http_error(rc, &err, 404, "Resource not found");
        CU_ASSERT_EQUAL(err.attempts, 1);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "404"));
        openrouter_error_clear(&err);
    }
    openrouter_client_free(c);
}

/* Every status each operation documents, produced by the server, comes
 * back as EHTTP with the API's code and message. */
static void test_every_documented_error_status(void)
{
    openrouter_client *c = mgmt_client();
    for (int op = 0; op < 6; op++) {
        for (size_t i = 0; i < ops[op]->n_error_statuses; i++) {
            reset();
            int status = ops[op]->error_statuses[i];
            char faults[512];
            /* Enough copies for every retry the default policy makes. */
            snprintf(faults, sizeof faults,
                     "{\"faults\":[%s%d%s,%s%d%s,%s%d%s]}",
                     "{\"status\":", status, ",\"body\":{\"error\":{\"code\":0,\"message\":\"injected\"}}}",
                     "{\"status\":", status, ",\"body\":{\"error\":{\"code\":0,\"message\":\"injected\"}}}",
                     "{\"status\":", status, ",\"body\":{\"error\":{\"code\":0,\"message\":\"injected\"}}}");
            CU_ASSERT_EQUAL_FATAL(stub_add_faults(&srv, faults), 0);
            openrouter_error err = OPENROUTER_ERROR_INIT;
            int rc = run_op(c, op, "0123", &err);
            CU_ASSERT_EQUAL(rc, OPENROUTER_EHTTP);
            CU_ASSERT_EQUAL(err.http_status, status);
            CU_ASSERT_PTR_NOT_NULL(err.api_message);
            if (err.api_message)
                CU_ASSERT_STRING_EQUAL(err.api_message, "injected");
            CU_ASSERT_PTR_NOT_NULL(strstr(err.message, ops[op]->operation_id));
            int retryable = status == 429 || (status >= 500 && op != 1);
            CU_ASSERT_EQUAL(err.attempts, retryable ? 3 : 1);
            openrouter_error_clear(&err);
        }
    }
    openrouter_client_free(c);
}

static void test_string_error_code_and_html_body(void)
{
    reset();
    openrouter_client *c = mgmt_client();
    CU_ASSERT_EQUAL_FATAL(stub_add_faults(&srv,
        "{\"faults\":[{\"status\":400,\"body\":{\"error\":{\"code\":\"429\",\"message\":\"slow down\","
        "\"metadata\":{\"provider\":\"x\"}}}}]}"), 0);
    openrouter_error err = OPENROUTER_ERROR_INIT;
    CU_ASSERT_EQUAL(run_op(c, 2, "ab", &err), OPENROUTER_EHTTP);
    CU_ASSERT_STRING_EQUAL(err.api_code, "429");
    CU_ASSERT_EQUAL(err.api_code_number, 429);
    CU_ASSERT_STRING_EQUAL(err.api_message, "slow down");
    CU_ASSERT_STRING_EQUAL(err.api_metadata, "{\"provider\":\"x\"}");
    openrouter_error_clear(&err);

    CU_ASSERT_EQUAL_FATAL(stub_add_faults(&srv, "{\"faults\":[{\"html_502\":true},{\"html_502\":true},"
                                                "{\"html_502\":true}]}"), 0);
    CU_ASSERT_EQUAL(run_op(c, 0, NULL, &err), OPENROUTER_EHTTP);
    CU_ASSERT_EQUAL(err.http_status, 502);
    CU_ASSERT_PTR_NULL(err.api_message);
    CU_ASSERT_PTR_NOT_NULL_FATAL(err.body_snippet);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.body_snippet, "<html"));
    CU_ASSERT(strlen(err.body_snippet) <= OPENROUTER_ERROR_SNIPPET_MAX);
    openrouter_error_clear(&err);
    openrouter_client_free(c);
}

/* ---- liberal decoding ---------------------------------------------------- */

static const char *KEY_2026_04 =
    "{\"hash\":\"h1\",\"name\":\"n\",\"label\":\"sk-or-v1-0e6...1c96\",\"disabled\":false,"
    "\"limit\":100,\"limit_remaining\":74.5,\"include_byok_in_limit\":false,"
    "\"usage\":25.5,\"usage_daily\":25.5,\"usage_weekly\":25.5,\"usage_monthly\":25.5,"
    "\"byok_usage\":17.38,\"byok_usage_daily\":17.38,\"byok_usage_weekly\":17.38,\"byok_usage_monthly\":17.38,"
    "\"created_at\":\"2025-08-24T10:30:00Z\",\"updated_at\":\"2025-02-19T20:52:27.363244+00:00\","
    "\"expires_at\":null,\"creator_user_id\":\"user_2dHFtVWx2n56w6HkM0000000000\"";

static void override_get_body(const char *body_json_string_escaped)
{
    char faults[4096];
    snprintf(faults, sizeof faults, "{\"faults\":[{\"body_override\":%s}]}", body_json_string_escaped);
    CU_ASSERT_EQUAL_FATAL(stub_add_faults(&srv, faults), 0);
}

/* Returns a JSON string literal holding `s`. */
static char *json_quote(const char *s)
{
    json_object *o = json_object_new_string(s);
    char *q = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    json_object_put(o);
    return q;
}

static void test_drifting_shapes_decode(void)
{
    reset();
    openrouter_client *c = mgmt_client();
    openrouter_client *strict = client_with(STUB_MANAGEMENT_KEY, 1);
    char body[2048], stored[64];
    /* body_override keeps the real status, so the key must exist. */
    CU_ASSERT_EQUAL_FATAL(stub_add_key(&srv, "{\"hash\":\"h1\",\"name\":\"n\"}", stored, sizeof stored), 0);
    /* 2026-04-14 shape: no workspace_id, no external_user. */
    snprintf(body, sizeof body, "{\"data\":%s,\"limit_reset\":\"monthly\"}}", KEY_2026_04);
    char *q = json_quote(body);
    override_get_body(q);
    openrouter_get_key_request get = OPENROUTER_GET_KEY_REQUEST_INIT;
    get.hash = "h1";
    openrouter_key_response *out = NULL;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    CU_ASSERT_EQUAL(openrouter_get_key(c, &get, &out, NULL, &err), OPENROUTER_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    CU_ASSERT_EQUAL(out->data.value.workspace_id.state, OPENROUTER_ABSENT);
    CU_ASSERT_EQUAL(out->data.value.external_user.state, OPENROUTER_ABSENT);
    CU_ASSERT_EQUAL(out->data.value.expires_at.state, OPENROUTER_NULL);
    CU_ASSERT_STRING_EQUAL(out->data.value.updated_at.value, "2025-02-19T20:52:27.363244+00:00");
    CU_ASSERT_DOUBLE_EQUAL(out->data.value.byok_usage.value, 17.38, 1e-12);
    openrouter_key_response_free(out);

    /* Strict mode names the missing required field. */
    override_get_body(q);
    out = NULL;
    CU_ASSERT_EQUAL(openrouter_get_key(strict, &get, &out, NULL, &err), OPENROUTER_EDECODE);
    CU_ASSERT_PTR_NULL(out);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.field, "data."));
    CU_ASSERT(strstr(err.field, "workspace_id") || strstr(err.field, "external_user"));
    openrouter_error_clear(&err);
    free(q);

    /* Newest shape plus fields nobody knows yet and a new enum value. */
    snprintf(body, sizeof body,
             "{\"data\":%s,\"workspace_id\":\"w\",\"external_user\":null,\"limit_reset\":\"hourly\","
             "\"brand_new\":{\"nested\":[1,2,3]}},\"also_new\":true}",
             KEY_2026_04);
    q = json_quote(body);
    override_get_body(q);
    out = NULL;
    CU_ASSERT_EQUAL(openrouter_get_key(c, &get, &out, NULL, &err), OPENROUTER_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    CU_ASSERT_EQUAL(out->data.value.limit_reset.state, OPENROUTER_PRESENT);
    CU_ASSERT_EQUAL(out->data.value.limit_reset.value, OPENROUTER_LIMIT_RESET_UNKNOWN);
    CU_ASSERT_STRING_EQUAL(out->data.value.limit_reset.text, "hourly");
    CU_ASSERT_EQUAL(out->data.value.external_user.state, OPENROUTER_NULL);
    openrouter_key_response_free(out);
    free(q);

    /* A wrong type is a decode error naming the field. */
    q = json_quote("{\"data\":{\"hash\":\"h\",\"limit\":\"lots\"}}");
    override_get_body(q);
    out = NULL;
    CU_ASSERT_EQUAL(openrouter_get_key(c, &get, &out, NULL, &err), OPENROUTER_EDECODE);
    CU_ASSERT_STRING_EQUAL(err.field, "data.limit");
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "limit"));
    openrouter_error_clear(&err);
    free(q);
    openrouter_client_free(c);
    openrouter_client_free(strict);
}

static void test_datetime_forms(void)
{
    int64_t z = 0, plus = 0;
    int off = -1;
    CU_ASSERT_EQUAL(openrouter_datetime_parse("2025-02-19T20:52:27.363244Z", &z, &off), 0);
    CU_ASSERT_EQUAL(off, 0);
    CU_ASSERT_EQUAL(openrouter_datetime_parse("2025-02-19T20:52:27.363244+00:00", &plus, &off), 0);
    CU_ASSERT_EQUAL(z, plus);
    CU_ASSERT_EQUAL(z, INT64_C(1739998347363244));
    char buf[OPENROUTER_DATETIME_BUFSIZE];
    CU_ASSERT_EQUAL(openrouter_datetime_format(z, buf, sizeof buf), 0);
    CU_ASSERT_STRING_EQUAL(buf, "2025-02-19T20:52:27.363244Z");
}

static void test_null_arguments_rejected(void)
{
    reset();
    openrouter_client *c = mgmt_client();
    openrouter_error err = OPENROUTER_ERROR_INIT;
    openrouter_key_list *list = NULL;
    CU_ASSERT_EQUAL(openrouter_list_keys(NULL, NULL, &list, NULL, &err), OPENROUTER_EINVAL);
    CU_ASSERT_EQUAL(openrouter_list_keys(c, NULL, NULL, NULL, &err), OPENROUTER_EINVAL);
    openrouter_key_response *out = NULL;
    CU_ASSERT_EQUAL(openrouter_get_key(c, NULL, &out, NULL, &err), OPENROUTER_EINVAL);
    openrouter_get_key_request get = OPENROUTER_GET_KEY_REQUEST_INIT;
    CU_ASSERT_EQUAL(openrouter_get_key(c, &get, &out, NULL, &err), OPENROUTER_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.field, "hash");
    openrouter_create_key_request create = OPENROUTER_CREATE_KEY_REQUEST_INIT;
    openrouter_created_key *created = NULL;
    CU_ASSERT_EQUAL(openrouter_create_key(c, &create, &created, NULL, &err), OPENROUTER_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.field, "name"));
    create.body.name = OPENROUTER_STRING("");
    CU_ASSERT_EQUAL(openrouter_create_key(c, &create, &created, NULL, &err), OPENROUTER_EINVAL);
    /* No error pointer is fine too. */
    CU_ASSERT_EQUAL(openrouter_create_key(c, &create, &created, NULL, NULL), OPENROUTER_EINVAL);
    CU_ASSERT_EQUAL(request_count(), 0u);
    openrouter_error_clear(&err);
    openrouter_client_free(c);
    openrouter_client_free(NULL);
}

static int suite_init(void) { return stub_start(&srv, 0); }
static int suite_clean(void) { stub_stop(&srv); return 0; }

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("operations", suite_init, suite_clean);
    CU_add_test(s, "create returns the key and its secret", test_create_returns_key_and_secret);
    CU_add_test(s, "list, get, update, delete", test_list_get_update_delete);
    CU_add_test(s, "get and delete by hash", test_by_hash);
    CU_add_test(s, "current key metadata", test_current_key_metadata);
    CU_add_test(s, "PATCH three states on the wire", test_patch_three_states_on_the_wire);
    CU_add_test(s, "hash is percent-encoded", test_hash_is_percent_encoded);
    CU_add_test(s, "list query parameters", test_list_query_parameters);
    CU_add_test(s, "pages of 100", test_pages_of_100);
    CU_add_test(s, "attribution headers", test_attribution_headers);
    CU_add_test(s, "non-UTC expiry rejected before sending", test_non_utc_expiry_rejected_before_sending);
    CU_add_test(s, "401 everywhere", test_unauthorized_everywhere);
    CU_add_test(s, "403 for normal keys", test_forbidden_for_normal_keys);
    CU_add_test(s, "404 for unknown hashes", test_not_found);
    CU_add_test(s, "every documented error status", test_every_documented_error_status);
    CU_add_test(s, "string error code and HTML body", test_string_error_code_and_html_body);
    CU_add_test(s, "drifting shapes decode", test_drifting_shapes_decode);
    CU_add_test(s, "date-time forms", test_datetime_forms);
    CU_add_test(s, "NULL and invalid arguments", test_null_arguments_rejected);
    return or_test_run();
}
