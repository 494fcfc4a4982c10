/* The README's "Adding an endpoint" recipe, proven: the README's commands
 * (the whole description into spec/upstream/, then one line for GET /credits
 * and scripts/update-spec) run in a copy of the tree, the spec they produce
 * generated with --prefix orx, built, and called against the stand-in
 * server, which knows /credits. */
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <json-c/json.h>

#include "orx/orx.h"
#include "stub_server.h"
#include "test_util.h"

static stub_server srv;

static int suite_init(void) { return stub_start(&srv, 0); }
static int suite_clean(void) { stub_stop(&srv); return 0; }

static openrouter_client *client_for(const char *key)
{
    openrouter_client_options o = OPENROUTER_CLIENT_OPTIONS_INIT;
    o.api_key = key;
    o.base_url = srv.base_url;
    o.retry.max_attempts = 1;
    openrouter_client *c = NULL;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    CU_ASSERT_EQUAL_FATAL(openrouter_client_new(&c, &o, &err), OPENROUTER_OK);
    openrouter_error_clear(&err);
    return c;
}

static void test_added_operation_works(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 0), 0);
    CU_ASSERT_EQUAL_FATAL(stub_add_key(&srv, "{\"name\":\"a\",\"usage\":1.25}", NULL, 0), 0);
    CU_ASSERT_EQUAL_FATAL(stub_add_key(&srv, "{\"name\":\"b\",\"usage\":2}", NULL, 0), 0);
    openrouter_client *c = client_for(STUB_MANAGEMENT_KEY);
    openrouter_error err = OPENROUTER_ERROR_INIT;
    orx_get_credits_request req = ORX_GET_CREDITS_REQUEST_INIT;
    req.x_openrouter_title = OPENROUTER_STRING("recipe");
    orx_get_credits_response *credits = NULL;
    CU_ASSERT_EQUAL_FATAL(orx_get_credits(c, &req, &credits, NULL, &err), OPENROUTER_OK);
    CU_ASSERT_EQUAL(credits->data.state, OPENROUTER_PRESENT);
    CU_ASSERT_EQUAL(credits->data.value.total_credits.value, 150.5);
    CU_ASSERT_EQUAL(credits->data.value.total_usage.value, 3.25);
    orx_get_credits_response_free(credits);

    /* What went over the wire. */
    json_object *root = stub_requests(&srv), *list = NULL, *v = NULL, *headers = NULL;
    CU_ASSERT_FATAL(root && json_object_object_get_ex(root, "requests", &list));
    json_object *last = json_object_array_get_idx(list, json_object_array_length(list) - 1);
    CU_ASSERT_FATAL(json_object_object_get_ex(last, "method", &v));
    CU_ASSERT_STRING_EQUAL(json_object_get_string(v), "GET");
    CU_ASSERT_FATAL(json_object_object_get_ex(last, "path", &v));
    CU_ASSERT_STRING_EQUAL(json_object_get_string(v), "/api/v1/credits");
    CU_ASSERT_FATAL(json_object_object_get_ex(last, "headers", &headers));
    CU_ASSERT_FATAL(json_object_object_get_ex(headers, "x-openrouter-title", &v));
    CU_ASSERT_STRING_EQUAL(json_object_get_string(v), "recipe");
    json_object_put(root);

    /* The six operations are still there, next to it. */
    orx_key_list *keys = NULL;
    CU_ASSERT_EQUAL_FATAL(orx_list_keys(c, NULL, &keys, NULL, &err), OPENROUTER_OK);
    CU_ASSERT_EQUAL(keys->data.count, 2u);
    orx_key_list_free(keys);
    openrouter_error_clear(&err);
    openrouter_client_free(c);
}

static void test_documented_errors(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 0), 0);
    openrouter_client *c = client_for(STUB_NORMAL_KEY);
    openrouter_error err = OPENROUTER_ERROR_INIT;
    orx_get_credits_response *credits = NULL;
    CU_ASSERT_EQUAL(orx_get_credits(c, NULL, &credits, NULL, &err), OPENROUTER_EHTTP);
    CU_ASSERT_EQUAL(err.http_status, 403);
    CU_ASSERT_PTR_NULL(credits);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "getCredits"));
    openrouter_error_clear(&err);
    openrouter_client_free(c);
    size_t n = orx_get_credits_operation.n_error_statuses;
    CU_ASSERT_EQUAL(n, 3u);
    CU_ASSERT_STRING_EQUAL(orx_get_credits_operation.path, "/credits");
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("adding an endpoint", suite_init, suite_clean);
    CU_add_test(s, "the added GET /credits works", test_added_operation_works);
    CU_add_test(s, "its documented errors", test_documented_errors);
    return or_test_run();
}
