/* The request-writing helpers of types.h and the generated headers: the
 * value macros, enum setters, OPENROUTER_SET_NULL/ABSENT, OPENROUTER_VALUE
 * through 1 to 8 levels, openrouter_datetime_from_time/_from_now, and what
 * a body built with them encodes to. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <CUnit/CUnit.h>

#include <openrouter/openrouter.h>

#include "test_util.h"

static void test_setters_encode(void)
{
    const char *name = "acme"; /* a const string goes in as it is */
    openrouter_create_key_body body = OPENROUTER_CREATE_KEY_BODY_INIT;
    body.name = OPENROUTER_STRING(name);
    body.limit = OPENROUTER_NUMBER(10);
    body.limit_reset = OPENROUTER_LIMIT_RESET(MONTHLY);
    body.include_byok_in_limit = OPENROUTER_BOOL(false);
    OPENROUTER_SET_NULL(body.creator_user_id);
    body.workspace_id = OPENROUTER_STRING("ws");
    OPENROUTER_SET_ABSENT(body.workspace_id);
    CU_ASSERT_EQUAL(body.limit_reset.state, OPENROUTER_PRESENT);
    CU_ASSERT_EQUAL(body.limit_reset.value, OPENROUTER_LIMIT_RESET_MONTHLY);
    CU_ASSERT_PTR_NULL(body.limit_reset.text);
    char *json = NULL;
    size_t len = 0;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    CU_ASSERT_EQUAL_FATAL(openrouter_create_key_body_encode(&body, &json, &len, &err), OPENROUTER_OK);
    CU_ASSERT_STRING_EQUAL(json, "{\"name\":\"acme\",\"limit\":10,\"limit_reset\":\"monthly\","
                                 "\"include_byok_in_limit\":false,\"creator_user_id\":null}");
    openrouter_buffer_free(json);
    /* Null for an enum; for an object the spec does not make nullable, the
     * encoder says no, naming it. */
    OPENROUTER_SET_NULL(body.limit_reset);
    CU_ASSERT_EQUAL_FATAL(openrouter_create_key_body_encode(&body, &json, &len, &err), OPENROUTER_OK);
    CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"limit_reset\":null"));
    openrouter_buffer_free(json);
    OPENROUTER_SET_NULL(body.external);
    CU_ASSERT_EQUAL(openrouter_create_key_body_encode(&body, &json, &len, &err), OPENROUTER_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.field, "external");
    /* Integers and JSON text through their macros. */
    long n = 150;
    openrouter_list_keys_request list = OPENROUTER_LIST_KEYS_REQUEST_INIT;
    list.offset = OPENROUTER_INT64(n);
    CU_ASSERT_EQUAL(list.offset.state, OPENROUTER_PRESENT);
    CU_ASSERT_EQUAL(list.offset.value, 150);
    openrouter_int32 i32 = OPENROUTER_INT32(-7);
    openrouter_json j = OPENROUTER_JSON("{\"a\":1}");
    CU_ASSERT_EQUAL(i32.value, -7);
    CU_ASSERT_STRING_EQUAL(j.value, "{\"a\":1}");
    openrouter_error_clear(&err);
}

/* Nested wrappers as the generator makes them: {state; value}. */
typedef struct leaf_t { openrouter_presence state; int value; } leaf_t;
#define LEVEL(name, inner, member) \
    typedef struct name##_s { inner member; } name##_s; \
    typedef struct name { openrouter_presence state; name##_s value; } name;
LEVEL(l7, leaf_t, h)
LEVEL(l6, l7, g)
LEVEL(l5, l6, f)
LEVEL(l4, l5, e)
LEVEL(l3, l4, d)
LEVEL(l2, l3, c)
LEVEL(l1, l2, b)
typedef struct root_t { l1 a; } root_t;

static void test_value_chains(void)
{
    root_t r;
    memset(&r, 0, sizeof r);
    r.a.value.b.value.c.value.d.value.e.value.f.value.g.value.h.value = 42;
    root_t *p = &r;
    CU_ASSERT_EQUAL(OPENROUTER_VALUE(p, a, b, c, d, e, f, g, h), 42);
    CU_ASSERT_PTR_EQUAL(&OPENROUTER_VALUE(p, a), &r.a.value);
    CU_ASSERT_PTR_EQUAL(&OPENROUTER_VALUE(p, a, b), &r.a.value.b.value);
    CU_ASSERT_PTR_EQUAL(&OPENROUTER_VALUE(p, a, b, c), &r.a.value.b.value.c.value);
    CU_ASSERT_PTR_EQUAL(&OPENROUTER_VALUE(p, a, b, c, d), &r.a.value.b.value.c.value.d.value);
    CU_ASSERT_PTR_EQUAL(&OPENROUTER_VALUE(p, a, b, c, d, e), &r.a.value.b.value.c.value.d.value.e.value);
    CU_ASSERT_PTR_EQUAL(&OPENROUTER_VALUE(p, a, b, c, d, e, f),
                        &r.a.value.b.value.c.value.d.value.e.value.f.value);
    CU_ASSERT_PTR_EQUAL(&OPENROUTER_VALUE(p, a, b, c, d, e, f, g),
                        &r.a.value.b.value.c.value.d.value.e.value.f.value.g.value);
    /* A decoded model: through an absent required object, a NULL string. */
    openrouter_created_key *created = NULL;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    const char *doc = "{\"key\":\"sk-or-v1-x\"}";
    CU_ASSERT_EQUAL_FATAL(openrouter_created_key_decode(doc, strlen(doc), &created, &err), OPENROUTER_OK);
    CU_ASSERT_EQUAL(created->data.state, OPENROUTER_ABSENT);
    CU_ASSERT_PTR_NULL(OPENROUTER_VALUE(created, data, hash));
    CU_ASSERT_STRING_EQUAL(OPENROUTER_VALUE(created, key), "sk-or-v1-x");
    openrouter_created_key_free(created);
    openrouter_error_clear(&err);
}

static void test_datetime_text(void)
{
    CU_ASSERT_STRING_EQUAL(openrouter_datetime_from_time(0).text, "1970-01-01T00:00:00Z");
    CU_ASSERT_STRING_EQUAL(openrouter_datetime_from_time((time_t)1798761599).text, "2026-12-31T23:59:59Z");
    CU_ASSERT_STRING_EQUAL(openrouter_datetime_from_time((time_t)-1).text, "1969-12-31T23:59:59Z");
    CU_ASSERT_STRING_EQUAL(openrouter_datetime_from_time((time_t)253402300799LL).text, "9999-12-31T23:59:59Z");
    CU_ASSERT_STRING_EQUAL(openrouter_datetime_from_time((time_t)253402300800LL).text, ""); /* year 10000 */
    CU_ASSERT_STRING_EQUAL(openrouter_datetime_from_time((time_t)-62167219201LL).text, "");
    /* Now plus 30 days, to the second. */
    time_t before = time(NULL);
    openrouter_datetime_text t = openrouter_datetime_from_now(30 * 86400);
    time_t after = time(NULL);
    int64_t us = 0;
    int offset = -1;
    CU_ASSERT_EQUAL_FATAL(openrouter_datetime_parse(t.text, &us, &offset), 0);
    CU_ASSERT_EQUAL(offset, 0);
    CU_ASSERT(us / 1000000 >= (int64_t)before + 30 * 86400 && us / 1000000 <= (int64_t)after + 30 * 86400);
    CU_ASSERT_EQUAL(strlen(t.text), 20u);
    CU_ASSERT_EQUAL(t.text[19], 'Z');
    /* Out of range either way, and no overflow on the way. */
    CU_ASSERT_STRING_EQUAL(openrouter_datetime_from_now(INT64_MAX).text, "");
    CU_ASSERT_STRING_EQUAL(openrouter_datetime_from_now(INT64_MIN).text, "");
    before = time(NULL);
    t = openrouter_datetime_from_now(-3600); /* in the past */
    after = time(NULL);
    CU_ASSERT_EQUAL_FATAL(openrouter_datetime_parse(t.text, &us, NULL), 0);
    CU_ASSERT(us / 1000000 >= (int64_t)before - 3600 && us / 1000000 <= (int64_t)after - 3600);
    /* "" is refused by the call, naming the field, before sending. */
    openrouter_datetime_text never = openrouter_datetime_from_now(INT64_MAX);
    openrouter_create_key_body body = OPENROUTER_CREATE_KEY_BODY_INIT;
    body.name = OPENROUTER_STRING("x");
    body.expires_at = OPENROUTER_DATETIME(never.text);
    char *json = NULL;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    CU_ASSERT_EQUAL(openrouter_create_key_body_encode(&body, &json, NULL, &err), OPENROUTER_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.field, "expires_at");
    openrouter_error_clear(&err);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("values", NULL, NULL);
    CU_add_test(s, "setters encode as they say", test_setters_encode);
    CU_add_test(s, "OPENROUTER_VALUE through 1 to 8 levels", test_value_chains);
    CU_add_test(s, "date-time text from a time_t and from now", test_datetime_text);
    return or_test_run();
}
