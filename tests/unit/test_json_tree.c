/* Unit tests for runtime/src/json_tree.c: json-c trees of untyped JSON,
 * validated by the strict reader and built from it (or_json_parse), and
 * the public openrouter_json_tree() of openrouter/json_c.h. Every tree is
 * compared with what json-c's own parser makes of the same text; where
 * json-c cannot hold what the reader accepted, the documented outcome is
 * checked instead. */
#include "openrouter/openrouter.h"

/* The umbrella header must not pull in json-c: only json_c.h does. */
#if defined(JSON_C_VERSION_NUM) || defined(_json_c_json_h_) || defined(_json_object_h_)
#error "openrouter/openrouter.h includes json-c"
#endif

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "openrouter/json_c.h"

#include "internal.h"
#include "test_util.h"

/* json-c's own strict parse of the whole text; NULL for JSON null or an
 * error (*ok says which). */
static json_object *jsonc_parse(const char *doc, int *ok)
{
    json_tokener *tok = json_tokener_new();
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    json_object *o = json_tokener_parse_ex(tok, doc, (int)strlen(doc));
    if (json_tokener_get_error(tok) == json_tokener_continue)
        o = json_tokener_parse_ex(tok, "", 1); /* a bare literal or number needs its end */
    *ok = json_tokener_get_error(tok) == json_tokener_success;
    json_tokener_free(tok);
    return o;
}

static const char *plain(json_object *o)
{
    return o ? json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN) : "null";
}

/* Our tree and json-c's are equal, and serialise to the same text. */
static void agrees(const char *doc)
{
    json_object *ours = NULL;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    int rc = or_json_parse(doc, strlen(doc), 0, &ours, &err);
    int ok = 0;
    json_object *theirs = jsonc_parse(doc, &ok);
    CU_ASSERT_EQUAL(rc, OPENROUTER_OK);
    CU_ASSERT_TRUE(ok);
    int same = rc == OPENROUTER_OK && json_object_equal(ours, theirs) && strcmp(plain(ours), plain(theirs)) == 0;
    CU_ASSERT_TRUE(same);
    if (!same)
        fprintf(stderr, "\n  %s: ours %s (%s), json-c %s\n", doc, plain(ours), err.message, plain(theirs));
    json_object_put(ours);
    json_object_put(theirs);
    openrouter_error_clear(&err);
}

static void test_agrees_with_jsonc(void)
{
    agrees("{}");
    agrees("[]");
    agrees("null");
    agrees("true");
    agrees("false");
    agrees("\"s\"");
    agrees("  {\"a\" : [1, 2, {\"b\": null}], \"c\": {\"d\": [[], {}]}}  \r\n\t");
    agrees("[0, -0, -0.0, 0.5, -0.5e-05, 10, 1e05, 1E+2, 1.50, 0e0]");
    agrees("[9223372036854775807, -9223372036854775808, 9223372036854775808, 18446744073709551615]");
    agrees("[1e400, -1e400, 0.1e-400, 123456789012345678901234567890.5]");
    agrees("\"\\ud83d\\ude00 \\u00e9 \xc3\xa9 \\\" \\\\ \\/ \\b\\f\\n\\r\\t\"");
    agrees("[\"x\\u0000y\", \"\\u0000\"]"); /* NULs inside string values */
    agrees("{\"a\":1,\"b\":2,\"a\":3}");    /* the last wins, at the first position */
    agrees("{\"\":1,\"\\u00e9\":[true,false,null]}");
    agrees("{\"key with \\\"quotes\\\"\":\"abcdefghijklmnopqrstuvwxyz0123456789 long enough to grow the stack\"}");
}

/* Text the reader accepts that json-c cannot hold. */
static void test_jsonc_limits(void)
{
    /* A key with \u0000: json-c would cut it to "a" and merge it with the
     * next member. Refused. */
    json_object *o = (json_object *)1;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    const char *doc = "{\"a\\u0000b\":1,\"a\":2}";
    CU_ASSERT_EQUAL(or_json_parse(doc, strlen(doc), 0, &o, &err), OPENROUTER_EDECODE);
    CU_ASSERT_PTR_NULL(o);
    CU_ASSERT_STRING_EQUAL(err.message, "JSON object key at offset 1 holds \\u0000, which json-c cannot represent");
    openrouter_error_clear(&err);
    /* ... also deep inside, with the partial tree released. */
    doc = "[{\"ok\":[1,2,3]},{\"x\":{\"\\u0000\":true}}]";
    CU_ASSERT_EQUAL(or_json_parse(doc, strlen(doc), 0, &o, &err), OPENROUTER_EDECODE);
    CU_ASSERT_PTR_NULL(o);
    openrouter_error_clear(&err);

    /* Integers beyond 64 bits: json-c's parser saturates them; here they
     * are doubles that keep their literal. */
    doc = "[99999999999999999999,-99999999999999999999,18446744073709551616]";
    CU_ASSERT_EQUAL_FATAL(or_json_parse(doc, strlen(doc), 0, &o, &err), OPENROUTER_OK);
    CU_ASSERT_STRING_EQUAL(plain(o), doc);
    json_object *v = json_object_array_get_idx(o, 0);
    CU_ASSERT_TRUE(json_object_is_type(v, json_type_double));
    CU_ASSERT_EQUAL(json_object_get_double(v), 1e20);
    CU_ASSERT_EQUAL(json_object_get_double(json_object_array_get_idx(o, 1)), -1e20);
    CU_ASSERT_EQUAL(json_object_get_double(json_object_array_get_idx(o, 2)), 18446744073709551616.0);
    json_object_put(o);
    int ok = 0;
    o = jsonc_parse(doc, &ok);
    CU_ASSERT_TRUE(ok);
    CU_ASSERT_STRING_EQUAL(plain(o), "[18446744073709551615,-9223372036854775808,18446744073709551615]");
    json_object_put(o);

    /* Numbers as json-c types: int64, uint64 above INT64_MAX, doubles. */
    doc = "[-5,9223372036854775808,2.5,1e400]";
    CU_ASSERT_EQUAL_FATAL(or_json_parse(doc, strlen(doc), 0, &o, &err), OPENROUTER_OK);
    CU_ASSERT_TRUE(json_object_is_type(json_object_array_get_idx(o, 0), json_type_int));
    CU_ASSERT_EQUAL(json_object_get_int64(json_object_array_get_idx(o, 0)), -5);
    CU_ASSERT_TRUE(json_object_is_type(json_object_array_get_idx(o, 1), json_type_int));
    CU_ASSERT_EQUAL(json_object_get_uint64(json_object_array_get_idx(o, 1)), 9223372036854775808ull);
    CU_ASSERT_EQUAL(json_object_get_double(json_object_array_get_idx(o, 2)), 2.5);
    CU_ASSERT_TRUE(isinf(json_object_get_double(json_object_array_get_idx(o, 3))));
    json_object_put(o);
}

/* The reader is the validator: its rules and messages, json-c never asked. */
static void test_reader_validates(void)
{
    struct { const char *doc; const char *message; } bad[] = {
        {"[1,]", "invalid JSON at offset 3: unexpected character"},
        {"[\"\\ud800\"]", "invalid JSON at offset 2: lone UTF-16 surrogate escape"},
        {"[\"\xc0\x80\"]", "invalid JSON at offset 2: invalid UTF-8"},
        {"[1] x", "trailing data after JSON at offset 4"},
        {"{\"a\":", "truncated JSON at offset 5"},
        {"[NaN]", "invalid JSON at offset 1: NaN and Infinity are not JSON"},
        {"", "empty JSON document"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_object *o = (json_object *)1;
        openrouter_error err = OPENROUTER_ERROR_INIT;
        CU_ASSERT_EQUAL(or_json_parse(bad[i].doc, strlen(bad[i].doc), 0, &o, &err), OPENROUTER_EDECODE);
        CU_ASSERT_PTR_NULL(o);
        CU_ASSERT_STRING_EQUAL(err.message, bad[i].message);
        if (strcmp(err.message, bad[i].message) != 0)
            fprintf(stderr, "\n  %s: got \"%s\"\n", bad[i].doc, err.message);
        openrouter_error_clear(&err);
    }
}

static void test_public_tree(void)
{
    openrouter_error err = OPENROUTER_ERROR_INIT;
    json_object *tree = (json_object *)1;

    /* Arguments and states. */
    openrouter_json v = {OPENROUTER_PRESENT, "[1]"};
    CU_ASSERT_EQUAL(openrouter_json_tree(NULL, &tree, &err), OPENROUTER_EINVAL);
    CU_ASSERT_PTR_NULL(tree);
    openrouter_error_clear(&err);
    CU_ASSERT_EQUAL(openrouter_json_tree(&v, NULL, &err), OPENROUTER_EINVAL);
    openrouter_error_clear(&err);
    v.state = OPENROUTER_ABSENT;
    tree = (json_object *)1;
    CU_ASSERT_EQUAL(openrouter_json_tree(&v, &tree, &err), OPENROUTER_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.message, "openrouter_json_tree: the value is absent");
    CU_ASSERT_PTR_NULL(tree);
    openrouter_error_clear(&err);
    v.state = OPENROUTER_NULL;
    tree = (json_object *)1;
    CU_ASSERT_EQUAL(openrouter_json_tree(&v, &tree, &err), OPENROUTER_OK);
    CU_ASSERT_PTR_NULL(tree); /* json-c's null */
    v = (openrouter_json){OPENROUTER_PRESENT, NULL};
    CU_ASSERT_EQUAL(openrouter_json_tree(&v, &tree, &err), OPENROUTER_EINVAL);
    openrouter_error_clear(&err);
    v.value = "{\"a\":";
    CU_ASSERT_EQUAL(openrouter_json_tree(&v, &tree, &err), OPENROUTER_EDECODE);
    CU_ASSERT_STRING_EQUAL(err.message, "truncated JSON at offset 5");
    openrouter_error_clear(&err);

    /* A free-form member of a decoded model. */
    const char body[] = "{\"error\":{\"code\":400,\"message\":\"m\",\"metadata\":"
                        "{\"provider\" : \"x\", \"raw\": {\"n\": 1.50, \"list\": [\"\\u00e9\", null]}}}}";
    openrouter_error_response *resp = NULL;
    CU_ASSERT_EQUAL_FATAL(openrouter_error_response_decode(body, sizeof body - 1, &resp, &err), OPENROUTER_OK);
    CU_ASSERT_EQUAL_FATAL(openrouter_json_tree(&resp->error.value.metadata, &tree, &err), OPENROUTER_OK);
    json_object *provider = NULL, *raw = NULL, *n = NULL, *list = NULL;
    CU_ASSERT_TRUE(json_object_object_get_ex(tree, "provider", &provider));
    CU_ASSERT_STRING_EQUAL(json_object_get_string(provider), "x");
    CU_ASSERT_TRUE(json_object_object_get_ex(tree, "raw", &raw));
    CU_ASSERT_TRUE(json_object_object_get_ex(raw, "n", &n));
    CU_ASSERT_EQUAL(json_object_get_double(n), 1.5);
    CU_ASSERT_TRUE(json_object_object_get_ex(raw, "list", &list));
    CU_ASSERT_EQUAL(json_object_array_length(list), 2);
    CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_array_get_idx(list, 0)), "\xc3\xa9");
    CU_ASSERT_PTR_NULL(json_object_array_get_idx(list, 1));
    CU_ASSERT_STRING_EQUAL(plain(tree), "{\"provider\":\"x\",\"raw\":{\"n\":1.50,\"list\":[\"\xc3\xa9\",null]}}");
    json_object_put(tree);
    openrouter_error_response_free(resp);

    /* The depth limit of responses applies: 64 levels, the scalar included. */
    char deep[200];
    size_t k = 0;
    for (int i = 0; i < 64; i++)
        deep[k++] = '[';
    deep[k++] = '1';
    for (int i = 0; i < 64; i++)
        deep[k++] = ']';
    deep[k] = '\0';
    v.value = deep;
    CU_ASSERT_EQUAL(openrouter_json_tree(&v, &tree, &err), OPENROUTER_EDECODE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "nested deeper than 64 levels"));
    openrouter_error_clear(&err);
    v.value = deep + 1;
    deep[k - 1] = '\0';
    CU_ASSERT_EQUAL(openrouter_json_tree(&v, &tree, &err), OPENROUTER_OK);
    json_object_put(tree);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("json_tree", NULL, NULL);
    CU_add_test(s, "trees agree with json-c's parser", test_agrees_with_jsonc);
    CU_add_test(s, "what json-c cannot hold", test_jsonc_limits);
    CU_add_test(s, "the reader validates first", test_reader_validates);
    CU_add_test(s, "openrouter_json_tree", test_public_tree);
    return or_test_run();
}
