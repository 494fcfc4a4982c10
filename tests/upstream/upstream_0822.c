/* Upstream excerpt of 2026-08-22, generated with --prefix orup0822: the
 * 2026-04-14 tests plus what this date added (workspace_id, new errors). */
#include "orup0822/orup0822.h"

#define P(x) orup0822_##x
#define PM(x) ORUP0822_##x
#define UP_SUITE "upstream 2026-08-22"
#define UP_REGISTER upstream_0822_register
#define UP_EXTRA upstream_0822_extra

#include <CUnit/CUnit.h>
static void upstream_0822_extra(CU_pSuite s);
#include "upstream_ops.inc"

static int has_status(const openrouter_operation_desc *op, int status)
{
    for (size_t i = 0; i < op->n_error_statuses; i++)
        if (op->error_statuses[i] == status)
            return 1;
    return 0;
}

static void test_workspace_filter(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&orup0822_srv, 2), 0);
    openrouter_client *c = orup0822_client(STUB_MANAGEMENT_KEY);
    openrouter_error err = OPENROUTER_ERROR_INIT;
    orup0822_list_request lr = ORUP0822_LIST_REQUEST_INIT;
    lr.workspace_id = OPENROUTER_STRING(STUB_DEFAULT_WORKSPACE_ID);
    orup0822_list_response *list = NULL;
    CU_ASSERT_EQUAL_FATAL(orup0822_list(c, &lr, &list, NULL, &err), OPENROUTER_OK);
    CU_ASSERT_EQUAL(list->data.count, 2u);
    CU_ASSERT_STRING_EQUAL(list->data.items[0].workspace_id.value, STUB_DEFAULT_WORKSPACE_ID);
    orup0822_list_response_free(list);

    /* Another workspace holds none of the seeded keys. */
    lr.workspace_id = OPENROUTER_STRING("11111111-2222-4333-8444-555555555555");
    CU_ASSERT_EQUAL_FATAL(orup0822_list(c, &lr, &list, NULL, &err), OPENROUTER_OK);
    CU_ASSERT_EQUAL(list->data.count, 0u);
    orup0822_list_response_free(list);

    /* The newly documented 400: the server rejects a malformed uuid. */
    lr.workspace_id = OPENROUTER_STRING("not-a-uuid");
    CU_ASSERT_EQUAL(orup0822_list(c, &lr, &list, NULL, &err), OPENROUTER_EHTTP);
    CU_ASSERT_EQUAL(err.http_status, 400);
    CU_ASSERT(has_status(&orup0822_list_operation, 400));
    CU_ASSERT(has_status(&orup0822_create_keys_operation, 403));
    openrouter_error_clear(&err);

    /* Create in a workspace: the field is sent. */
    orup0822_create_keys_request cr = ORUP0822_CREATE_KEYS_REQUEST_INIT;
    cr.body.name = OPENROUTER_STRING("in-ws");
    cr.body.workspace_id = OPENROUTER_STRING(STUB_DEFAULT_WORKSPACE_ID);
    orup0822_create_keys_response *created = NULL;
    CU_ASSERT_EQUAL_FATAL(orup0822_create_keys(c, &cr, &created, NULL, &err), OPENROUTER_OK);
    CU_ASSERT_STRING_EQUAL(created->data.value.workspace_id.value, STUB_DEFAULT_WORKSPACE_ID);
    orup0822_create_keys_response_free(created);
    char *sent = orup0822_last_body();
    CU_ASSERT_PTR_NOT_NULL(strstr(sent, "\"workspace_id\":\"" STUB_DEFAULT_WORKSPACE_ID "\""));
    free(sent);
    openrouter_client_free(c);
}

static void upstream_0822_extra(CU_pSuite s)
{
    CU_add_test(s, "workspace_id and the new error statuses", test_workspace_filter);
}
