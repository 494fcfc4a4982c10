/* The two directions a generic tool reads and writes models in:
 * openrouter_model_decode_request (JSON a user wrote, as a request body:
 * write-only fields read, read-only skipped, required fields enforced by
 * name) and openrouter_model_encode_received (a decoded response written
 * back as received: no required, null or constraint checks, read-only
 * fields included). Over the generated key models. */
#include <string.h>

#include <CUnit/Basic.h>

#include "openrouter/openrouter.h"
#include "test_util.h"

#define API_KEY_40 "0123456789012345678901234567890123456789"

static void test_decode_request_reads_write_only(void)
{
    const char *json = "{\"name\":\"a\",\"external\":{\"user\":\"u\",\"api_key\":\"" API_KEY_40 "\"}}";
    openrouter_error err = OPENROUTER_ERROR_INIT;
    openrouter_create_key_body *body = NULL;
    CU_ASSERT_EQUAL_FATAL(
        openrouter_model_decode_request(&openrouter_create_key_body_desc, json, strlen(json), (void **)&body, &err),
        OPENROUTER_OK);
    CU_ASSERT_EQUAL(body->external.value.api_key.state, OPENROUTER_PRESENT);
    CU_ASSERT_STRING_EQUAL(body->external.value.api_key.value, API_KEY_40);
    char *out = NULL;
    CU_ASSERT_EQUAL_FATAL(openrouter_create_key_body_encode(body, &out, NULL, &err), OPENROUTER_OK);
    CU_ASSERT_STRING_EQUAL(out, json); /* sent as written */
    openrouter_buffer_free(out);
    openrouter_create_key_body_free(body);

    /* As a response would be read, the write-only member is passed over. */
    CU_ASSERT_EQUAL_FATAL(openrouter_model_decode(&openrouter_create_key_body_desc, json, strlen(json),
                                                  (void **)&body, &err),
                          OPENROUTER_OK);
    CU_ASSERT_EQUAL(body->external.value.api_key.state, OPENROUTER_ABSENT);
    openrouter_create_key_body_free(body);
}

static void test_decode_request_names_what_is_missing(void)
{
    openrouter_error err = OPENROUTER_ERROR_INIT;
    void *body = NULL;
    CU_ASSERT_EQUAL(openrouter_model_decode_request(&openrouter_create_key_body_desc, "{\"limit\":1}", 11, &body,
                                                    &err),
                    OPENROUTER_EDECODE);
    CU_ASSERT_PTR_NULL(body);
    CU_ASSERT_STRING_EQUAL(err.field, "name");
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "required field missing"));
    /* The read-only, required "key" is not the sender's to give, so it is
     * not asked for: what is missing is inside data. */
    const char *created = "{\"data\":{\"hash\":\"h\"}}";
    CU_ASSERT_EQUAL(openrouter_model_decode_request(&openrouter_created_key_desc, created, strlen(created), &body,
                                                    &err),
                    OPENROUTER_EDECODE);
    CU_ASSERT_EQUAL(strncmp(err.field, "data.", 5), 0);
    openrouter_error_clear(&err);
}

static void test_encode_received_writes_what_came(void)
{
    /* A response missing required members, with its read-only secret and
     * a date-time kept as received (a warning, not an error). */
    const char *json =
        "{\"data\":{\"name\":\"n\",\"limit\":null,\"expires_at\":\"soon\"},\"key\":\"sk-or-v1-abc\"}";
    openrouter_error err = OPENROUTER_ERROR_INIT;
    openrouter_created_key *created = NULL;
    CU_ASSERT_EQUAL_FATAL(openrouter_created_key_decode(json, strlen(json), &created, &err), OPENROUTER_OK);
    char *out = NULL;
    size_t len = 0;
    CU_ASSERT_EQUAL(openrouter_model_encode(&openrouter_created_key_desc, created, &out, &len, &err),
                    OPENROUTER_EINVAL); /* as a request it would be refused */
    CU_ASSERT_PTR_NULL(out);
    CU_ASSERT_EQUAL_FATAL(
        openrouter_model_encode_received(&openrouter_created_key_desc, created, &out, &len, &err), OPENROUTER_OK);
    CU_ASSERT_STRING_EQUAL(out, json);
    CU_ASSERT_EQUAL(len, strlen(json));
    openrouter_buffer_free(out);
    openrouter_created_key_free(created);
    openrouter_error_clear(&err);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("request and received directions", NULL, NULL);
    CU_add_test(s, "decode_request reads write-only fields", test_decode_request_reads_write_only);
    CU_add_test(s, "decode_request names a missing required field", test_decode_request_names_what_is_missing);
    CU_add_test(s, "encode_received writes what was received", test_encode_received_writes_what_came);
    return or_test_run();
}
