/* openrouter_call_options.raw_body: a successful call hands back the
 * response body byte for byte (what `openrouter-keys --json` prints), the
 * decoded model is still returned, failures leave it NULL, and version-1
 * options (without the field) are still accepted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <json-c/json.h>

#include <openrouter/openrouter.h>

#include "stub_server.h"
#include "test_util.h"

static stub_server srv;

static int suite_init(void) { return stub_start(&srv, 3) == 0 ? 0 : -1; }
static int suite_clean(void) { stub_stop(&srv); return 0; }

static openrouter_client *mgmt_client(void)
{
    openrouter_client_options o = OPENROUTER_CLIENT_OPTIONS_INIT;
    o.api_key = STUB_MANAGEMENT_KEY;
    o.base_url = srv.base_url;
    o.retry.max_attempts = 1;
    openrouter_client *c = NULL;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    CU_ASSERT_EQUAL_FATAL(openrouter_client_new(&c, &o, &err), OPENROUTER_OK);
    openrouter_error_clear(&err);
    return c;
}

static void test_raw_body_is_exact(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 3), 0);
    /* A body with unknown fields, odd spacing and escapes: the raw copy must
     * keep all of it, the decoded model must still be filled. */
    const char *body = "{ \"data\" : { \"hash\":\"h1\", \"name\":\"caf\\u00e9\", \"label\":\"l\","
                       " \"disabled\":false, \"limit\":1.50, \"limit_remaining\":null,"
                       " \"limit_reset\":null, \"include_byok_in_limit\":false, \"usage\":0,"
                       " \"usage_daily\":0, \"usage_weekly\":0, \"usage_monthly\":0,"
                       " \"byok_usage\":0, \"byok_usage_daily\":0, \"byok_usage_weekly\":0,"
                       " \"byok_usage_monthly\":0, \"created_at\":\"2025-01-01T00:00:00Z\","
                       " \"updated_at\":null, \"creator_user_id\":null, \"workspace_id\":\"w\","
                       " \"external_user\":null, \"future_field\":[1,{\"x\":2}] } }\n";
    json_object *fault = json_object_new_object();
    json_object_object_add(fault, "body", json_object_new_string(body));
    json_object_object_add(fault, "status", json_object_new_int(200));
    CU_ASSERT_EQUAL_FATAL(stub_add_faults(&srv, json_object_to_json_string(fault)), 0);
    json_object_put(fault);

    openrouter_client *c = mgmt_client();
    char *raw = (char *)"sentinel";
    size_t raw_len = 12345;
    openrouter_call_options co = OPENROUTER_CALL_OPTIONS_INIT;
    co.raw_body = &raw;
    co.raw_body_len = &raw_len;
    openrouter_get_key_request req = OPENROUTER_GET_KEY_REQUEST_INIT;
    req.hash = "h1";
    openrouter_key_response *got = NULL;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    int rc = openrouter_get_key(c, &req, &got, &co, &err);
    CU_ASSERT_EQUAL(rc, OPENROUTER_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    CU_ASSERT_PTR_NOT_NULL_FATAL(raw);
    CU_ASSERT_EQUAL(raw_len, strlen(body));
    CU_ASSERT_STRING_EQUAL(raw, body);
    CU_ASSERT_STRING_EQUAL(got->data.value.name.value, "caf\xc3\xa9");
    CU_ASSERT_DOUBLE_EQUAL(got->data.value.limit.value, 1.5, 1e-9);
    openrouter_buffer_free(raw);
    openrouter_key_response_free(got);
    openrouter_error_clear(&err);
    openrouter_client_free(c);
}

static void test_raw_body_of_create_holds_the_secret(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 0), 0);
    openrouter_client *c = mgmt_client();
    char *raw = NULL;
    openrouter_call_options co = OPENROUTER_CALL_OPTIONS_INIT;
    co.raw_body = &raw; /* raw_body_len may be NULL */
    openrouter_create_key_request req = OPENROUTER_CREATE_KEY_REQUEST_INIT;
    req.body.name = OPENROUTER_STRING("raw");
    openrouter_created_key *created = NULL;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    CU_ASSERT_EQUAL_FATAL(openrouter_create_key(c, &req, &created, &co, &err), OPENROUTER_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(raw);
    CU_ASSERT_PTR_NOT_NULL(strstr(raw, created->key.value));
    json_object *parsed = json_tokener_parse(raw);
    CU_ASSERT_PTR_NOT_NULL(parsed);
    json_object_put(parsed);
    openrouter_buffer_free(raw);
    openrouter_created_key_free(created);
    openrouter_client_free(c);
}

static void test_raw_body_null_on_failure(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 0), 0);
    openrouter_client *c = mgmt_client();
    char *raw = (char *)"sentinel";
    size_t raw_len = 7;
    openrouter_call_options co = OPENROUTER_CALL_OPTIONS_INIT;
    co.raw_body = &raw;
    co.raw_body_len = &raw_len;
    openrouter_get_key_request req = OPENROUTER_GET_KEY_REQUEST_INIT;
    req.hash = "no-such-key";
    openrouter_key_response *got = NULL;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    CU_ASSERT_EQUAL(openrouter_get_key(c, &req, &got, &co, &err), OPENROUTER_EHTTP);
    CU_ASSERT_EQUAL(err.http_status, 404);
    CU_ASSERT_PTR_NULL(raw);
    CU_ASSERT_EQUAL(raw_len, 0);
    CU_ASSERT_PTR_NULL(got);
    openrouter_error_clear(&err);

    /* A success body that does not decode: no raw copy either. */
    CU_ASSERT_EQUAL_FATAL(stub_add_faults(&srv, "{\"truncate_body\":true}"), 0);
    raw = (char *)"sentinel";
    CU_ASSERT_EQUAL(openrouter_get_current_key_metadata(c, NULL, NULL, &co, &err), OPENROUTER_EINVAL);
    openrouter_current_key_response *cur = NULL;
    CU_ASSERT_EQUAL(openrouter_get_current_key_metadata(c, NULL, &cur, &co, &err), OPENROUTER_EDECODE);
    CU_ASSERT_PTR_NULL(raw);
    CU_ASSERT_PTR_NULL(cur);
    openrouter_error_clear(&err);
    openrouter_client_free(c);
}

static void test_version_1_options_still_accepted(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 1), 0);
    openrouter_client *c = mgmt_client();
    /* A caller built against version 1 passes the shorter struct; the
     * runtime must not read raw_body from it. */
    struct { unsigned int version; const openrouter_retry_policy *retry; long timeout_ms; } v1 = {1, NULL, 0};
    openrouter_call_options co;
    memset(&co, 0xff, sizeof co); /* garbage where v1 has nothing */
    memcpy(&co, &v1, sizeof v1);
    openrouter_key_list *list = NULL;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    CU_ASSERT_EQUAL(openrouter_list_keys(c, NULL, &list, &co, &err), OPENROUTER_OK);
    CU_ASSERT_PTR_NOT_NULL(list);
    openrouter_key_list_free(list);
    co.version = OPENROUTER_CALL_OPTIONS_VERSION + 1; /* a version newer than the library */
    CU_ASSERT_EQUAL(openrouter_list_keys(c, NULL, &list, &co, &err), OPENROUTER_EINVAL);
    openrouter_error_clear(&err);
    openrouter_client_free(c);
}

/* Paging: each page's body is there while progress() runs; taken-over
 * bodies are the caller's, the rest the pager frees (valgrind checks). */
typedef struct page_bodies {
    char *raw;
    size_t raw_len;
    openrouter_call_options co;
    size_t calls, taken, bytes;
} page_bodies;

static void take_every_other_page(void *ctx, size_t pages, size_t items)
{
    page_bodies *pb = ctx;
    (void)items;
    pb->calls++;
    CU_ASSERT_PTR_NOT_NULL(pb->raw);
    if (!pb->raw)
        return;
    CU_ASSERT_EQUAL(strlen(pb->raw), pb->raw_len);
    CU_ASSERT_PTR_NOT_NULL(strstr(pb->raw, "\"data\""));
    pb->bytes += pb->raw_len;
    if (pages % 2 == 1) {
        openrouter_buffer_free(pb->raw);
        pb->raw = NULL;
        pb->taken++;
    }
}

static void test_raw_body_while_paging(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 250), 0);
    openrouter_client *c = mgmt_client();
    for (int all = 0; all < 2; all++) {
        page_bodies pb;
        memset(&pb, 0, sizeof pb);
        openrouter_call_options init = OPENROUTER_CALL_OPTIONS_INIT;
        pb.co = init;
        pb.co.raw_body = &pb.raw;
        pb.co.raw_body_len = &pb.raw_len;
        openrouter_pagination_options po = OPENROUTER_PAGINATION_OPTIONS_INIT;
        po.progress = take_every_other_page;
        po.progress_ctx = &pb;
        po.call = &pb.co;
        openrouter_list_keys_request req = OPENROUTER_LIST_KEYS_REQUEST_INIT;
        openrouter_error err = OPENROUTER_ERROR_INIT;
        size_t n = 0;
        if (all) {
            openrouter_key_list *list = NULL;
            CU_ASSERT_EQUAL(openrouter_list_keys_all(c, &req, &po, &list, &err), OPENROUTER_OK);
            n = list ? list->data.count : 0;
            openrouter_key_list_free(list);
        } else {
            openrouter_list_keys_iter *it = NULL;
            CU_ASSERT_EQUAL_FATAL(openrouter_list_keys_iter_new(&it, c, &req, &po, &err), OPENROUTER_OK);
            const openrouter_key *k = NULL;
            while (openrouter_list_keys_iter_next(it, &k, &err) == 1)
                n++;
            openrouter_list_keys_iter_free(it);
        }
        CU_ASSERT_EQUAL(n, 225); /* 25 of the 250 seeds are disabled */
        CU_ASSERT_EQUAL(pb.calls, 3);
        CU_ASSERT_EQUAL(pb.taken, 2);
        CU_ASSERT(pb.bytes > 225 * 100);
        CU_ASSERT_PTR_NULL(pb.raw); /* the pager freed the one not taken */
        openrouter_error_clear(&err);
    }
    openrouter_client_free(c);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("raw_body", suite_init, suite_clean);
    CU_add_test(s, "raw body is exact", test_raw_body_is_exact);
    CU_add_test(s, "raw body of create holds the secret", test_raw_body_of_create_holds_the_secret);
    CU_add_test(s, "raw body NULL on failure", test_raw_body_null_on_failure);
    CU_add_test(s, "version-1 options still accepted", test_version_1_options_still_accepted);
    CU_add_test(s, "raw body while paging", test_raw_body_while_paging);
    return or_test_run();
}
