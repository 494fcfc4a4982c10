/* Unit tests for the table-driven codec (runtime/src/decode.c, encode.c,
 * equal_copy.c, param_text.c, text.c) over hand-written descriptor tables. */
#include <math.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <json-c/json.h>

#include "internal.h"
#include "fail_alloc.h"
#include "test_util.h"

/* ---- test models --------------------------------------------------------- */

static const char *const color_values[] = {"red", "green", "blue"};
static const openrouter_enum_desc color_enum = {"test_color", 3, color_values};
enum { COLOR_RED = 1, COLOR_GREEN = 2, COLOR_BLUE = 3 };

typedef struct inner {
    openrouter_string name;
    openrouter_int32 count;
} inner;
typedef struct inner_slot { openrouter_presence state; inner value; } inner_slot;
typedef struct inner_array { openrouter_presence state; inner *items; size_t count; } inner_array;
typedef struct string_array { openrouter_presence state; openrouter_string *items; size_t count; } string_array;
typedef struct enum_array { openrouter_presence state; openrouter_enum_value *items; size_t count; } enum_array;
typedef struct int64_array { openrouter_presence state; openrouter_int64 *items; size_t count; } int64_array;
typedef struct matrix { openrouter_presence state; int64_array *items; size_t count; } matrix;
typedef struct num_entry { char *key; openrouter_number value; } num_entry;
typedef struct num_map { openrouter_presence state; num_entry *entries; size_t count; } num_map;
typedef struct inner_entry { char *key; inner value; } inner_entry;
typedef struct inner_map { openrouter_presence state; inner_entry *entries; size_t count; } inner_map;

typedef struct all {
    openrouter_string s;
    openrouter_bool b;
    openrouter_int32 i32;
    openrouter_int64 i64;
    openrouter_number num;
    openrouter_datetime dt;
    openrouter_enum_value color;
    openrouter_json meta;
    inner_slot child;
    inner_array children;
    string_array tags;
    enum_array colors;
    int64_array nums;
    matrix grid;
    num_map scores;
    inner_map kids;
    openrouter_string secret; /* write-only */
    openrouter_string id;     /* read-only */
} all;

typedef struct all_array { openrouter_presence state; all *items; size_t count; } all_array;
typedef struct list { all_array data; openrouter_int64 total; } list;

/* The OBJECT slot rule of descriptor.h. */
_Static_assert(offsetof(inner_slot, value) == sizeof(inner_slot) - sizeof(inner), "object slot rule");
_Static_assert(alignof(inner) >= alignof(openrouter_presence), "object slot rule");

static const openrouter_type_desc t_string = {OPENROUTER_KIND_STRING, sizeof(openrouter_string), 0, 0, 0, 0, 0, 0};
static const openrouter_type_desc t_bool = {OPENROUTER_KIND_BOOL, sizeof(openrouter_bool), 0, 0, 0, 0, 0, 0};
static const openrouter_type_desc t_int32 = {OPENROUTER_KIND_INT32, sizeof(openrouter_int32), 0, 0, 0, 0, 0, 0};
static const openrouter_type_desc t_int64 = {OPENROUTER_KIND_INT64, sizeof(openrouter_int64), 0, 0, 0, 0, 0, 0};
static const openrouter_type_desc t_number = {OPENROUTER_KIND_NUMBER, sizeof(openrouter_number), 0, 0, 0, 0, 0, 0};
static const openrouter_type_desc t_datetime = {OPENROUTER_KIND_DATETIME, sizeof(openrouter_datetime), 0, 0, 0, 0, 0, 0};
static const openrouter_type_desc t_color = {OPENROUTER_KIND_ENUM, sizeof(openrouter_enum_value), 0, &color_enum, 0, 0, 0, 0};
static const openrouter_type_desc t_json = {OPENROUTER_KIND_JSON, sizeof(openrouter_json), 0, 0, 0, 0, 0, 0};

static const openrouter_field_desc inner_fields[] = {
    {"name", offsetof(inner, name), &t_string, OPENROUTER_F_REQUIRED, -1, -1, 0, 0},
    {"count", offsetof(inner, count), &t_int32, 0, -1, -1, 0, 0},
};
static const openrouter_object_desc inner_desc = {"inner", sizeof(inner), 2, inner_fields, NULL};

static const openrouter_type_desc t_inner_slot = {OPENROUTER_KIND_OBJECT, sizeof(inner_slot), &inner_desc, 0, 0, 0, 0, 0};
static const openrouter_type_desc t_inner_bare = {OPENROUTER_KIND_OBJECT, sizeof(inner), &inner_desc, 0, 0, 0, 0, 0};
static const openrouter_type_desc t_inner_array = {OPENROUTER_KIND_ARRAY, sizeof(inner_array), 0, 0, &t_inner_bare, 0, 0, 0};
static const openrouter_type_desc t_string_array = {OPENROUTER_KIND_ARRAY, sizeof(string_array), 0, 0, &t_string, 0, 0, 0};
static const openrouter_type_desc t_enum_array = {OPENROUTER_KIND_ARRAY, sizeof(enum_array), 0, 0, &t_color, 0, 0, 0};
static const openrouter_type_desc t_int64_array = {OPENROUTER_KIND_ARRAY, sizeof(int64_array), 0, 0, &t_int64, 0, 0,
                                                   OPENROUTER_F_NULLABLE};
static const openrouter_type_desc t_matrix = {OPENROUTER_KIND_ARRAY, sizeof(matrix), 0, 0, &t_int64_array, 0, 0, 0};
static const openrouter_type_desc t_num_map = {OPENROUTER_KIND_MAP, sizeof(num_map), 0, 0, &t_number,
                                               sizeof(num_entry), offsetof(num_entry, value), 0};
static const openrouter_type_desc t_inner_map = {OPENROUTER_KIND_MAP, sizeof(inner_map), 0, 0, &t_inner_bare,
                                                 sizeof(inner_entry), offsetof(inner_entry, value), 0};

static const openrouter_field_desc all_fields[] = {
    {"s", offsetof(all, s), &t_string, OPENROUTER_F_REQUIRED, 1, 8, 0, 0},
    {"b", offsetof(all, b), &t_bool, 0, -1, -1, 0, 0},
    {"i32", offsetof(all, i32), &t_int32, OPENROUTER_F_HAS_MINIMUM | OPENROUTER_F_HAS_MAXIMUM, -1, -1, 0, 100},
    {"i64", offsetof(all, i64), &t_int64, 0, -1, -1, 0, 0},
    {"num", offsetof(all, num), &t_number, OPENROUTER_F_NULLABLE | OPENROUTER_F_HAS_MINIMUM, -1, -1, 0, 0},
    {"dt", offsetof(all, dt), &t_datetime, OPENROUTER_F_NULLABLE | OPENROUTER_F_UTC_ONLY, -1, -1, 0, 0},
    {"color", offsetof(all, color), &t_color, 0, -1, -1, 0, 0},
    {"meta", offsetof(all, meta), &t_json, OPENROUTER_F_NULLABLE, -1, -1, 0, 0},
    {"child", offsetof(all, child), &t_inner_slot, OPENROUTER_F_NULLABLE, -1, -1, 0, 0},
    {"children", offsetof(all, children), &t_inner_array, 0, -1, -1, 0, 0},
    {"tags", offsetof(all, tags), &t_string_array, 0, 0, 3, 0, 0},
    {"colors", offsetof(all, colors), &t_enum_array, 0, -1, -1, 0, 0},
    {"nums", offsetof(all, nums), &t_int64_array, 0, -1, -1, 0, 0},
    {"grid", offsetof(all, grid), &t_matrix, 0, -1, -1, 0, 0},
    {"scores", offsetof(all, scores), &t_num_map, 0, -1, -1, 0, 0},
    {"kids", offsetof(all, kids), &t_inner_map, 0, -1, -1, 0, 0},
    {"secret", offsetof(all, secret), &t_string, OPENROUTER_F_WRITE_ONLY | OPENROUTER_F_SECRET, -1, -1, 0, 0},
    {"id", offsetof(all, id), &t_string, OPENROUTER_F_READ_ONLY | OPENROUTER_F_REQUIRED, -1, -1, 0, 0},
};
static const openrouter_object_desc all_desc = {"all", sizeof(all), sizeof all_fields / sizeof all_fields[0], all_fields, NULL};

static const openrouter_type_desc t_all_bare = {OPENROUTER_KIND_OBJECT, sizeof(all), &all_desc, 0, 0, 0, 0, 0};
static const openrouter_type_desc t_all_array = {OPENROUTER_KIND_ARRAY, sizeof(all_array), 0, 0, &t_all_bare, 0, 0, 0};
static const openrouter_field_desc list_fields[] = {
    {"data", offsetof(list, data), &t_all_array, OPENROUTER_F_REQUIRED, -1, -1, 0, 0},
    {"total", offsetof(list, total), &t_int64, 0, -1, -1, 0, 0},
};
static const openrouter_object_desc list_desc = {"list", sizeof(list), 2, list_fields, NULL};

/* ---- helpers ------------------------------------------------------------- */

static const char full_doc[] =
    "{\"s\":\"hello\",\"b\":true,\"i32\":42,\"i64\":-9007199254740993,\"num\":0.1,"
    "\"dt\":\"2027-12-31T23:59:59Z\",\"color\":\"green\",\"meta\":{\"a\":[1,2.5,\"x/y\"],\"b\":null},"
    "\"child\":{\"name\":\"c\",\"count\":7},\"children\":[{\"name\":\"k1\",\"count\":1},{\"name\":\"k2\"}],"
    "\"tags\":[\"a\",\"b\\u00e9\"],\"colors\":[\"red\",\"purple\",\"blue\"],\"nums\":[1,null,3],"
    "\"grid\":[[1,2],[],[3]],\"scores\":{\"x\":1.5,\"y\":-2},\"kids\":{\"k\":{\"name\":\"n\",\"count\":3}},"
    "\"secret\":\"must-not-decode\",\"id\":\"id-1\",\"unknown\":{\"deep\":[1,2,3]}}";

static all *decode_all(const char *json, int strict, openrouter_error *err, int *rc_out)
{
    or_decode_options opt = {.strict = strict};
    void *out = (void *)1;
    int rc = or_model_decode(&all_desc, json, strlen(json), &opt, &out, err);
    if (rc_out)
        *rc_out = rc;
    if (rc != OPENROUTER_OK)
        CU_ASSERT_PTR_NULL(out);
    return out;
}

static void expect_decode_error(const openrouter_object_desc *desc, const char *json, int strict, int kind,
                                const char *field, const char *message);

/* In default (not strict) mode, the error `message` at `field` that strict
 * mode reports must either fail the decode the same way (malformed JSON, a
 * required member of the wrong type) or, for a field, be a warning there
 * with the same message, the rest of the model decoded. */
static void expect_default_mode(const openrouter_object_desc *desc, const char *json, const char *field,
                                const char *message)
{
    or_decode_options opt = {.strict = 0};
    openrouter_error err = OPENROUTER_ERROR_INIT;
    void *out = NULL;
    int rc = or_model_decode(desc, json, strlen(json), &opt, &out, &err);
    if (rc != OPENROUTER_OK) {
        CU_ASSERT_PTR_NULL(out);
        if (field)
            CU_ASSERT_STRING_EQUAL(err.field, field);
        if (message)
            CU_ASSERT_STRING_EQUAL(err.message, message);
        openrouter_error_clear(&err);
        return;
    }
    CU_ASSERT(field && field[0] && message);
    size_t n = 0, i;
    const openrouter_warning *w = openrouter_model_warnings(out, &n);
    for (i = 0; field && message && i < n; i++) {
        size_t k = strlen(w[i].path);
        if (strcmp(w[i].path, field) == 0 && strncmp(message, field, k) == 0 && strncmp(message + k, ": ", 2) == 0 &&
            strcmp(message + k + 2, w[i].message) == 0)
            break;
    }
    CU_ASSERT(i < n);
    if (i == n)
        fprintf(stderr, "\n  %s: decoded without the warning \"%s\"\n", json, message ? message : "");
    openrouter_model_free(out);
}

/* Decodes expecting failure; checks kind, field and message. Not strict:
 * the same in strict mode, and expect_default_mode(). */
static void expect_decode_error(const openrouter_object_desc *desc, const char *json, int strict, int kind,
                                const char *field, const char *message)
{
    if (!strict && kind == OPENROUTER_EDECODE) {
        expect_default_mode(desc, json, field, message);
        strict = 1;
    }
    or_decode_options opt = {.strict = strict};
    openrouter_error err = OPENROUTER_ERROR_INIT;
    void *out = NULL;
    int rc = or_model_decode(desc, json, strlen(json), &opt, &out, &err);
    CU_ASSERT_EQUAL(rc, kind);
    CU_ASSERT_EQUAL(err.kind, kind);
    CU_ASSERT_PTR_NULL(out);
    if (field) {
        CU_ASSERT_STRING_EQUAL(err.field, field);
        if (strcmp(err.field, field) != 0)
            fprintf(stderr, "\n  field: got \"%s\" want \"%s\"\n", err.field, field);
    }
    if (message) {
        CU_ASSERT_STRING_EQUAL(err.message, message);
        if (strcmp(err.message, message) != 0)
            fprintf(stderr, "\n  message: got \"%s\"\n           want \"%s\"\n", err.message, message);
    }
    if (rc == OPENROUTER_OK)
        openrouter_model_free(out);
    openrouter_error_clear(&err);
}

/* Encodes expecting failure with EINVAL, field and message. */
static void expect_encode_error(const void *model, const char *field, const char *message)
{
    openrouter_error err = OPENROUTER_ERROR_INIT;
    char *json = (char *)1;
    size_t len = 99;
    int rc = openrouter_model_encode(&all_desc, model, &json, &len, &err);
    CU_ASSERT_EQUAL(rc, OPENROUTER_EINVAL);
    CU_ASSERT_PTR_NULL(json);
    CU_ASSERT_EQUAL(len, 0);
    CU_ASSERT_STRING_EQUAL(err.field, field);
    CU_ASSERT_STRING_EQUAL(err.message, message);
    if (strcmp(err.message, message) != 0 || strcmp(err.field, field) != 0)
        fprintf(stderr, "\n  got field \"%s\" message \"%s\"\n  want \"%s\" \"%s\"\n", err.field, err.message,
                field, message);
    if (rc == OPENROUTER_OK)
        openrouter_buffer_free(json);
    openrouter_error_clear(&err);
}

static char *encode_ok(const openrouter_object_desc *desc, const void *model)
{
    openrouter_error err = OPENROUTER_ERROR_INIT;
    char *json = NULL;
    size_t len = 0;
    int rc = openrouter_model_encode(desc, model, &json, &len, &err);
    CU_ASSERT_EQUAL(rc, OPENROUTER_OK);
    if (rc != OPENROUTER_OK)
        fprintf(stderr, "\n  encode failed: %s\n", err.message);
    else
        CU_ASSERT_EQUAL(len, strlen(json));
    openrouter_error_clear(&err);
    return json;
}

/* A minimal valid `all` for encoding. */
static all minimal_all(void)
{
    all a;
    memset(&a, 0, sizeof a);
    a.s = OPENROUTER_STRING("ok");
    return a;
}

/* ---- UTF-8 ---------------------------------------------------------------- */

static void test_utf8_valid(void)
{
    struct { const char *s; size_t n; int ok; } cases[] = {
        {"", 0, 1},
        {"plain ascii text, long enough for the fast path", 48, 1},
        {"\xc3\xa9", 2, 1},                 /* é */
        {"\xe2\x82\xac", 3, 1},             /* € */
        {"\xf0\x9f\x98\x80", 4, 1},         /* 😀 */
        {"\xf4\x8f\xbf\xbf", 4, 1},         /* U+10FFFF */
        {"\xef\xbf\xbd", 3, 1},             /* U+FFFD */
        {"\xed\x9f\xbf", 3, 1},             /* U+D7FF */
        {"\xee\x80\x80", 3, 1},             /* U+E000 */
        {"a\0b", 3, 1},                     /* NUL is valid UTF-8 */
        {"\xc0\x80", 2, 0},                 /* overlong NUL */
        {"\xc1\xbf", 2, 0},                 /* overlong */
        {"\xe0\x80\xaf", 3, 0},             /* overlong '/' */
        {"\xe0\x9f\xbf", 3, 0},             /* overlong */
        {"\xf0\x8f\xbf\xbf", 4, 0},         /* overlong */
        {"\xed\xa0\x80", 3, 0},             /* U+D800 surrogate */
        {"\xed\xbf\xbf", 3, 0},             /* U+DFFF surrogate */
        {"\xf4\x90\x80\x80", 4, 0},         /* U+110000 */
        {"\xf5\x80\x80\x80", 4, 0},
        {"\xff", 1, 0},
        {"\x80", 1, 0},                     /* lone continuation */
        {"\xc3", 1, 0},                     /* truncated */
        {"\xe2\x82", 2, 0},
        {"\xf0\x9f\x98", 3, 0},
        {"\xc3\x28", 2, 0},                 /* bad continuation */
        {"abcdefgh\xc3\xa9ijklmnop", 18, 1},
        {"abcdefgh\xc3ijklmnop", 17, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int got = or_utf8_valid(cases[i].s, cases[i].n) ? 1 : 0;
        CU_ASSERT_EQUAL(got, cases[i].ok);
        if (got != cases[i].ok)
            fprintf(stderr, "\n  utf8 case %zu: got %d\n", i, got);
    }
    CU_ASSERT_TRUE(or_utf8_valid(NULL, 0));
}

/* ---- numbers -------------------------------------------------------------- */

static void check_double(double v, const char *want)
{
    char buf[64];
    int n = or_format_double(v, buf, sizeof buf);
    CU_ASSERT_EQUAL(n, (int)strlen(want));
    CU_ASSERT_STRING_EQUAL(buf, want);
    if (strcmp(buf, want) != 0)
        fprintf(stderr, "\n  format %.17g: got \"%s\" want \"%s\"\n", v, buf, want);
    CU_ASSERT_EQUAL(strtod(buf, NULL), v);
}

static void test_format_double(void)
{
    check_double(0, "0");
    check_double(-0.0, "0");
    check_double(75, "75");
    check_double(-75, "-75");
    check_double(0.1, "0.1");
    check_double(1e-7, "1e-7");
    check_double(1e300, "1e300");
    check_double(-2.5e-300, "-2.5e-300");
    check_double(123456789012345.0, "123456789012345");
    check_double(1e15, "1e15");
    check_double(0.30000000000000004, "0.30000000000000004");
    check_double(1.0 / 3.0, "0.3333333333333333");
    check_double(12.5, "12.5");
    check_double(9007199254740993.0, "9007199254740992");
    char buf[64];
    CU_ASSERT_EQUAL(or_format_double(NAN, buf, sizeof buf), -1);
    CU_ASSERT_EQUAL(or_format_double(INFINITY, buf, sizeof buf), -1);
    CU_ASSERT_EQUAL(or_format_double(-INFINITY, buf, sizeof buf), -1);
    CU_ASSERT_EQUAL(or_format_double(0.1, buf, 3), -1); /* "0.1" needs 4 */
    CU_ASSERT_EQUAL(or_format_double(0.1, buf, 4), 3);
}

/* ---- strict parsing ------------------------------------------------------- */

static int parse(const char *s, size_t n, int depth, openrouter_error *err)
{
    json_object *o = NULL;
    int rc = or_json_parse(s, n, depth, &o, err);
    if (rc == OPENROUTER_OK)
        json_object_put(o);
    else
        CU_ASSERT_PTR_NULL(o);
    return rc;
}

static void expect_parse_error(const char *s, size_t n, const char *message)
{
    openrouter_error err = OPENROUTER_ERROR_INIT;
    if (parse(s, n, 0, &err) != OPENROUTER_EDECODE) { CU_FAIL("parse accepted"); fprintf(stderr, "\n  accepted: %.*s\n", (int)n, s); }
    CU_ASSERT_EQUAL(err.kind, OPENROUTER_EDECODE);
    if (message) {
        CU_ASSERT_STRING_EQUAL(err.message, message);
        if (strcmp(err.message, message) != 0)
            fprintf(stderr, "\n  parse \"%.*s\": got \"%s\" want \"%s\"\n", (int)n, s, err.message, message);
    }
    openrouter_error_clear(&err);
}
#define PARSE_BAD(lit, msg) expect_parse_error(lit, sizeof(lit) - 1, msg)
#define PARSE_OK(lit) CU_ASSERT_EQUAL(parse(lit, sizeof(lit) - 1, 0, NULL), OPENROUTER_OK)

static void test_parse_valid(void)
{
    PARSE_OK("{}");
    PARSE_OK("[]");
    PARSE_OK("75");
    PARSE_OK("-0");
    PARSE_OK("1.5e-3");
    PARSE_OK("1E+2");
    PARSE_OK("[0, -0, 0.5, -0.5e-05, 10, 1e05, 1E5, 123456789012345678901234567890]");
    PARSE_OK("\"s\"");
    PARSE_OK("null");
    PARSE_OK("true");
    PARSE_OK("  {\"a\" : [1, 2, {\"b\": null}]}  \r\n\t");
    PARSE_OK("\"\\ud83d\\ude00 \\u00e9 \xc3\xa9 \\\" \\\\ \\/ \\b\\f\\n\\r\\t\"");
    PARSE_OK("[\"Infinity\", \"NaN\", \"1.\"]"); /* only as strings */
    PARSE_OK("{\"key with \\\"quotes\\\" and long ascii tail\":\"abcdefghijklmnopqrstuvwxyz\"}");

    json_object *o = NULL;
    CU_ASSERT_EQUAL(or_json_parse("null", 4, 0, &o, NULL), OPENROUTER_OK);
    CU_ASSERT_PTR_NULL(o); /* JSON null is json-c's NULL */
    CU_ASSERT_EQUAL(or_json_parse("75", 2, 0, &o, NULL), OPENROUTER_OK);
    CU_ASSERT_TRUE(json_object_is_type(o, json_type_int));
    CU_ASSERT_EQUAL(json_object_get_int64(o), 75);
    json_object_put(o);
    /* Length-bounded: what follows the given length is not looked at. */
    CU_ASSERT_EQUAL(or_json_parse("[1]garbage", 3, 0, &o, NULL), OPENROUTER_OK);
    json_object_put(o);
}

static void test_parse_invalid(void)
{
    PARSE_BAD("{\"a\":1} x", "trailing data after JSON at offset 8");
    PARSE_BAD("{}{}", "trailing data after JSON at offset 2");
    PARSE_BAD("1 2", "trailing data after JSON at offset 2");
    PARSE_BAD("{\"a\":1", "truncated JSON at offset 6");
    PARSE_BAD("[1,2", "truncated JSON at offset 4");
    PARSE_BAD("\"abc", "truncated JSON at offset 4");
    PARSE_BAD("nul", "truncated JSON at offset 3");
    PARSE_BAD("", "empty JSON document");
    PARSE_BAD(" \n ", "empty JSON document");
    PARSE_BAD("{\"a\":\"b\0c\"}", "NUL byte in JSON at offset 7");
    PARSE_BAD("{\"a\":1}\0", "NUL byte in JSON at offset 7");
    PARSE_BAD("[\"\xc0\x80\"]", "invalid JSON at offset 2: invalid UTF-8");
    PARSE_BAD("[\"\xed\xa0\x80\"]", "invalid JSON at offset 2: invalid UTF-8");
    PARSE_BAD("[\"\xf4\x90\x80\x80\"]", "invalid JSON at offset 2: invalid UTF-8");
    PARSE_BAD("[\"abc\xff\"]", NULL);
    PARSE_BAD("[\"a\tb\"]", "invalid JSON at offset 3: control character in string");
    PARSE_BAD("[NaN]", "invalid JSON at offset 1: NaN and Infinity are not JSON");
    PARSE_BAD("Infinity", NULL);
    PARSE_BAD("[-Infinity]", NULL);
    PARSE_BAD("[1.]", "invalid JSON at offset 1: invalid number");
    PARSE_BAD("[01]", NULL);
    /* number forms json-c's strict mode lets through */
    PARSE_BAD("[00]", "invalid JSON at offset 1: invalid number");
    PARSE_BAD("[-01]", "invalid JSON at offset 1: invalid number");
    PARSE_BAD("[-.5]", "invalid JSON at offset 1: invalid number");
    PARSE_BAD("[1.e5]", "invalid JSON at offset 1: invalid number");
    PARSE_BAD("{\"a\":0.}", "invalid JSON at offset 5: invalid number");
    PARSE_BAD("[1,2,-]", NULL);
    PARSE_BAD("[.5]", NULL);
    PARSE_BAD("[+1]", NULL);
    PARSE_BAD("[1,]", NULL);
    PARSE_BAD("{\"a\":1,}", NULL);
    PARSE_BAD("{'a':1}", "invalid JSON at offset 1: expected a string key"); /* the reader's words */
    PARSE_BAD("{\"a\":'b'}", NULL);
    PARSE_BAD("/*c*/{}", NULL);
    PARSE_BAD("[\"\\x\"]", NULL);
    PARSE_BAD("\xef\xbb\xbf{}", NULL); /* BOM */
    PARSE_BAD("[1\v]", NULL);

    openrouter_error err = OPENROUTER_ERROR_INIT;
    CU_ASSERT_EQUAL(or_json_parse(NULL, 0, 0, (json_object **)&(json_object *){0}, &err), OPENROUTER_EDECODE);
    openrouter_error_clear(&err);
}

static char *nested(size_t depth, int objects)
{
    size_t n = objects ? depth * 6 + 3 : depth * 2 + 1;
    char *s = malloc(n + 1), *p = s;
    for (size_t i = 0; i < depth; i++) {
        if (objects) {
            memcpy(p, "{\"a\":", 5);
            p += 5;
        } else {
            *p++ = '[';
        }
    }
    *p++ = '1';
    for (size_t i = 0; i < depth; i++)
        *p++ = objects ? '}' : ']';
    *p = '\0';
    return s;
}

static void test_parse_depth(void)
{
    openrouter_error err = OPENROUTER_ERROR_INIT;
    char *deep = nested(10000, 0);
    CU_ASSERT_EQUAL(parse(deep, strlen(deep), 0, &err), OPENROUTER_EDECODE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "nested deeper than 64 levels"));
    openrouter_error_clear(&err);
    free(deep);

    deep = nested(10000, 1);
    CU_ASSERT_EQUAL(parse(deep, strlen(deep), 0, &err), OPENROUTER_EDECODE);
    openrouter_error_clear(&err);
    /* decoding goes through the same limit */
    void *out = NULL;
    CU_ASSERT_EQUAL(openrouter_model_decode(&all_desc, deep, strlen(deep), &out, &err), OPENROUTER_EDECODE);
    CU_ASSERT_PTR_NULL(out);
    openrouter_error_clear(&err);
    free(deep);

    /* depth counts nested values, the innermost scalar included: 63
     * arrays around a number are 64 levels */
    deep = nested(63, 0);
    CU_ASSERT_EQUAL(parse(deep, strlen(deep), 0, NULL), OPENROUTER_OK);
    free(deep);
    deep = nested(64, 0);
    CU_ASSERT_EQUAL(parse(deep, strlen(deep), 0, NULL), OPENROUTER_EDECODE);
    CU_ASSERT_EQUAL(parse(deep, strlen(deep), 100, NULL), OPENROUTER_OK);
    free(deep);
    deep = nested(4, 0);
    CU_ASSERT_EQUAL(parse(deep, strlen(deep), 4, &err), OPENROUTER_EDECODE);
    CU_ASSERT_STRING_EQUAL(err.message, "JSON nested deeper than 4 levels at offset 4");
    openrouter_error_clear(&err);
    free(deep);
}

/* ---- decoding ------------------------------------------------------------- */

static void test_decode_all_kinds(void)
{
    openrouter_error err = OPENROUTER_ERROR_INIT;
    int rc;
    all *a = decode_all(full_doc, 1, &err, &rc);
    CU_ASSERT_EQUAL_FATAL(rc, OPENROUTER_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_EQUAL(a->s.state, OPENROUTER_PRESENT);
    CU_ASSERT_STRING_EQUAL(a->s.value, "hello");
    CU_ASSERT_EQUAL(a->b.state, OPENROUTER_PRESENT);
    CU_ASSERT_TRUE(a->b.value);
    CU_ASSERT_EQUAL(a->i32.value, 42);
    CU_ASSERT_EQUAL(a->i64.value, -9007199254740993LL);
    CU_ASSERT_EQUAL(a->num.state, OPENROUTER_PRESENT);
    CU_ASSERT_EQUAL(a->num.value, 0.1);
    CU_ASSERT_STRING_EQUAL(a->dt.value, "2027-12-31T23:59:59Z");
    CU_ASSERT_EQUAL(a->color.value, COLOR_GREEN);
    CU_ASSERT_STRING_EQUAL(a->color.text, "green");
    CU_ASSERT_STRING_EQUAL(a->meta.value, "{\"a\":[1,2.5,\"x/y\"],\"b\":null}");
    CU_ASSERT_EQUAL(a->child.state, OPENROUTER_PRESENT);
    CU_ASSERT_STRING_EQUAL(a->child.value.name.value, "c");
    CU_ASSERT_EQUAL(a->child.value.count.value, 7);
    CU_ASSERT_EQUAL_FATAL(a->children.count, 2);
    CU_ASSERT_STRING_EQUAL(a->children.items[0].name.value, "k1");
    CU_ASSERT_EQUAL(a->children.items[0].count.value, 1);
    CU_ASSERT_STRING_EQUAL(a->children.items[1].name.value, "k2");
    CU_ASSERT_EQUAL(a->children.items[1].count.state, OPENROUTER_ABSENT);
    CU_ASSERT_EQUAL_FATAL(a->tags.count, 2);
    CU_ASSERT_STRING_EQUAL(a->tags.items[1].value, "b\xc3\xa9");
    CU_ASSERT_EQUAL_FATAL(a->colors.count, 3);
    CU_ASSERT_EQUAL(a->colors.items[0].value, COLOR_RED);
    CU_ASSERT_EQUAL(a->colors.items[1].value, 0); /* unknown: kept */
    CU_ASSERT_STRING_EQUAL(a->colors.items[1].text, "purple");
    CU_ASSERT_EQUAL(a->colors.items[2].value, COLOR_BLUE);
    CU_ASSERT_EQUAL_FATAL(a->nums.count, 3);
    CU_ASSERT_EQUAL(a->nums.items[0].value, 1);
    CU_ASSERT_EQUAL(a->nums.items[1].state, OPENROUTER_NULL);
    CU_ASSERT_EQUAL(a->nums.items[2].value, 3);
    CU_ASSERT_EQUAL_FATAL(a->grid.count, 3);
    CU_ASSERT_EQUAL(a->grid.items[0].count, 2);
    CU_ASSERT_EQUAL(a->grid.items[0].items[1].value, 2);
    CU_ASSERT_EQUAL(a->grid.items[1].state, OPENROUTER_PRESENT);
    CU_ASSERT_EQUAL(a->grid.items[1].count, 0);
    CU_ASSERT_PTR_NULL(a->grid.items[1].items);
    CU_ASSERT_EQUAL(a->grid.items[2].items[0].value, 3);
    CU_ASSERT_EQUAL_FATAL(a->scores.count, 2);
    CU_ASSERT_STRING_EQUAL(a->scores.entries[0].key, "x");
    CU_ASSERT_EQUAL(a->scores.entries[0].value.value, 1.5);
    CU_ASSERT_STRING_EQUAL(a->scores.entries[1].key, "y");
    CU_ASSERT_EQUAL(a->scores.entries[1].value.value, -2);
    CU_ASSERT_EQUAL_FATAL(a->kids.count, 1);
    CU_ASSERT_STRING_EQUAL(a->kids.entries[0].key, "k");
    CU_ASSERT_STRING_EQUAL(a->kids.entries[0].value.name.value, "n");
    CU_ASSERT_EQUAL(a->secret.state, OPENROUTER_ABSENT); /* write-only: ignored */
    CU_ASSERT_STRING_EQUAL(a->id.value, "id-1");
    openrouter_model_free(a);
    openrouter_error_clear(&err);
}

static void test_decode_absent_null(void)
{
    int rc;
    all *a = decode_all("{\"s\":\"x\",\"num\":null,\"child\":null,\"b\":null,\"tags\":null,\"meta\":null}", 0, NULL, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_EQUAL(a->num.state, OPENROUTER_NULL);
    CU_ASSERT_EQUAL(a->child.state, OPENROUTER_NULL);
    CU_ASSERT_EQUAL(a->b.state, OPENROUTER_NULL); /* not nullable: liberal */
    CU_ASSERT_EQUAL(a->tags.state, OPENROUTER_NULL);
    CU_ASSERT_EQUAL(a->meta.state, OPENROUTER_NULL);
    CU_ASSERT_EQUAL(a->i32.state, OPENROUTER_ABSENT);
    CU_ASSERT_EQUAL(a->dt.state, OPENROUTER_ABSENT);
    CU_ASSERT_EQUAL(a->children.state, OPENROUTER_ABSENT);
    CU_ASSERT_PTR_NULL(a->children.items);
    openrouter_model_free(a);

    /* strict: a null that is not declared nullable is an error */
    expect_decode_error(&all_desc, "{\"s\":\"x\",\"id\":\"i\",\"b\":null}", 1, OPENROUTER_EDECODE, "b",
                        "b: null not allowed");
    /* strict, declared nullable: fine */
    a = decode_all("{\"s\":\"x\",\"id\":\"i\",\"num\":null,\"nums\":[null]}", 1, NULL, &rc);
    CU_ASSERT_EQUAL(rc, OPENROUTER_OK);
    openrouter_model_free(a);
    expect_decode_error(&all_desc, "{\"s\":\"x\",\"id\":\"i\",\"tags\":[\"a\",null]}", 1, OPENROUTER_EDECODE,
                        "tags[1]", "tags[1]: null not allowed");
    /* a null bare-object item decodes, non-strict, as an all-absent struct */
    a = decode_all("{\"children\":[null,{\"name\":\"z\"}]}", 0, NULL, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_EQUAL(a->children.count, 2);
    CU_ASSERT_EQUAL(a->children.items[0].name.state, OPENROUTER_ABSENT);
    CU_ASSERT_STRING_EQUAL(a->children.items[1].name.value, "z");
    openrouter_model_free(a);
}

static void test_decode_unknown_and_empty(void)
{
    int rc;
    all *a = decode_all("{\"zzz\":[1,{\"q\":NaN}]}", 0, NULL, &rc);
    CU_ASSERT_EQUAL(rc, OPENROUTER_EDECODE); /* still strict JSON */
    a = decode_all("{\"zzz\":[1,{\"q\":\"w\"}],\"s\":\"v\",\"extra\":99999999999999999999999}", 0, NULL, &rc);
    CU_ASSERT_EQUAL(rc, OPENROUTER_OK); /* unknown members are not range-checked */
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_STRING_EQUAL(a->s.value, "v");
    openrouter_model_free(a);

    a = decode_all("{}", 0, NULL, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    all zero;
    memset(&zero, 0, sizeof zero);
    CU_ASSERT_TRUE(openrouter_model_equal(&all_desc, a, &zero));
    openrouter_model_free(a);

    a = decode_all("{\"color\":\"\",\"s\":\"\"}", 0, NULL, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_EQUAL(a->color.value, 0);
    CU_ASSERT_STRING_EQUAL(a->color.text, "");
    CU_ASSERT_STRING_EQUAL(a->s.value, "");
    openrouter_model_free(a);

    expect_decode_error(&all_desc, "[]", 0, OPENROUTER_EDECODE, "", "expected a JSON object for all, got array");
    expect_decode_error(&all_desc, "null", 0, OPENROUTER_EDECODE, "", "expected a JSON object for all, got null");
    expect_decode_error(&all_desc, "", 0, OPENROUTER_EDECODE, NULL, "empty JSON document");
    expect_decode_error(&all_desc, "{\"s\":\"a\"} {", 0, OPENROUTER_EDECODE, NULL,
                        "trailing data after JSON at offset 10");
    expect_decode_error(&all_desc, "{\"s\":\"a\",\"b\":tru", 0, OPENROUTER_EDECODE, NULL, "truncated JSON at offset 16");
    expect_decode_error(&all_desc, "{\"s\":\"\xe0\x80\xaf\"}", 0, OPENROUTER_EDECODE, NULL,
                        "invalid JSON at offset 6: invalid UTF-8");
    /* \u0000 is valid JSON but cannot live in a C string */
    expect_decode_error(&all_desc, "{\"s\":\"a\\u0000b\"}", 0, OPENROUTER_EDECODE, "s",
                        "s: string contains a NUL character");
    /* ... while a JSON-kind member keeps it escaped */
    a = decode_all("{\"meta\":\"a\\u0000b\"}", 0, NULL, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_STRING_EQUAL(a->meta.value, "\"a\\u0000b\"");
    openrouter_model_free(a);
}

static void test_decode_wrong_types(void)
{
    const int E = OPENROUTER_EDECODE;
    expect_decode_error(&all_desc, "{\"s\":1}", 0, E, "s", "s: expected string, got number");
    expect_decode_error(&all_desc, "{\"b\":\"true\"}", 0, E, "b", "b: expected boolean, got string");
    expect_decode_error(&all_desc, "{\"b\":1}", 0, E, "b", "b: expected boolean, got number");
    expect_decode_error(&all_desc, "{\"i32\":\"5\"}", 0, E, "i32", "i32: expected integer, got string");
    expect_decode_error(&all_desc, "{\"num\":\"5\"}", 0, E, "num", "num: expected number, got string");
    expect_decode_error(&all_desc, "{\"num\":true}", 0, E, "num", "num: expected number, got boolean");
    expect_decode_error(&all_desc, "{\"dt\":5}", 0, E, "dt", "dt: expected string, got number");
    expect_decode_error(&all_desc, "{\"dt\":\"2025-02-30T00:00:00Z\"}", 0, E, "dt",
                        "dt: invalid date-time (expected RFC 3339)");
    expect_decode_error(&all_desc, "{\"color\":3}", 0, E, "color", "color: expected string, got number");
    expect_decode_error(&all_desc, "{\"child\":[]}", 0, E, "child", "child: expected object, got array");
    expect_decode_error(&all_desc, "{\"child\":{\"count\":\"x\"}}", 0, E, "child.count",
                        "child.count: expected integer, got string");
    expect_decode_error(&all_desc, "{\"children\":{}}", 0, E, "children", "children: expected array, got object");
    expect_decode_error(&all_desc, "{\"children\":[{\"name\":\"a\"},{\"name\":\"b\",\"count\":1.5}]}", 0, E,
                        "children[1].count", "children[1].count: expected integer, got number with a fraction");
    expect_decode_error(&all_desc, "{\"tags\":[\"a\",\"b\",7]}", 0, E, "tags[2]", "tags[2]: expected string, got number");
    expect_decode_error(&all_desc, "{\"grid\":[[1],[2,\"x\"]]}", 0, E, "grid[1][1]",
                        "grid[1][1]: expected integer, got string");
    expect_decode_error(&all_desc, "{\"scores\":{\"x\":1,\"bad\":\"no\"}}", 0, E, "scores.bad",
                        "scores.bad: expected number, got string");
    expect_decode_error(&all_desc, "{\"scores\":[]}", 0, E, "scores", "scores: expected object, got array");
    expect_decode_error(&all_desc, "{\"kids\":{\"k\":{\"name\":false}}}", 0, E, "kids.k.name",
                        "kids.k.name: expected string, got boolean");
    /* The items lack their required members: a warning each in default
     * mode, and strict mode stops at the first of them. */
    expect_default_mode(&list_desc, "{\"data\":[{},{},{},{\"i32\":\"x\"}]}", "data[3].i32",
                        "data[3].i32: expected integer, got string");
    expect_decode_error(&list_desc, "{\"data\":[{},{},{},{\"i32\":\"x\"}]}", 1, E, "data[0].s",
                        "data[0].s: required field missing");
}

static void test_decode_integers(void)
{
    const int E = OPENROUTER_EDECODE;
    int rc;
    all *a = decode_all("{\"i32\":2147483647,\"i64\":9223372036854775807,\"nums\":[-9223372036854775807,5.0,1e3]}",
                        0, NULL, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_EQUAL(a->i32.value, INT32_MAX);
    CU_ASSERT_EQUAL(a->i64.value, INT64_MAX);
    CU_ASSERT_EQUAL(a->nums.items[0].value, -INT64_MAX);
    CU_ASSERT_EQUAL(a->nums.items[1].value, 5);
    CU_ASSERT_EQUAL(a->nums.items[2].value, 1000);
    openrouter_model_free(a);
    a = decode_all("{\"i32\":-2147483648}", 0, NULL, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_EQUAL(a->i32.value, INT32_MIN);
    openrouter_model_free(a);

    expect_decode_error(&all_desc, "{\"i32\":2147483648}", 0, E, "i32", "i32: integer out of range");
    expect_decode_error(&all_desc, "{\"i32\":-2147483649}", 0, E, "i32", "i32: integer out of range");
    expect_decode_error(&all_desc, "{\"i32\":1e10}", 0, E, "i32", "i32: integer out of range");
    expect_decode_error(&all_desc, "{\"i64\":9223372036854775808}", 0, E, "i64", "i64: integer out of range");
    expect_decode_error(&all_desc, "{\"i64\":99999999999999999999}", 0, E, "i64", "i64: integer out of range");
    expect_decode_error(&all_desc, "{\"i64\":-99999999999999999999}", 0, E, "i64", "i64: integer out of range");
    expect_decode_error(&all_desc, "{\"i64\":1e300}", 0, E, "i64", "i64: integer out of range");
    expect_decode_error(&all_desc, "{\"i64\":1e400}", 0, E, "i64", "i64: integer out of range");
    expect_decode_error(&all_desc, "{\"i64\":9.3e18}", 0, E, "i64", "i64: integer out of range");
    expect_decode_error(&all_desc, "{\"i64\":0.5}", 0, E, "i64", "i64: expected integer, got number with a fraction");
    expect_decode_error(&all_desc, "{\"nums\":[1,2,18446744073709551616]}", 0, E, "nums[2]",
                        "nums[2]: integer out of range");
    /* numbers: ints and doubles, but not infinities */
    a = decode_all("{\"num\":7}", 0, NULL, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_EQUAL(a->num.value, 7.0);
    openrouter_model_free(a);
    a = decode_all("{\"num\":12345678901234567890}", 0, NULL, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_EQUAL(a->num.value, 12345678901234567890.0);
    openrouter_model_free(a);
    a = decode_all("{\"num\":-1e-300}", 0, NULL, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_EQUAL(a->num.value, -1e-300);
    openrouter_model_free(a);
    expect_decode_error(&all_desc, "{\"num\":1e400}", 0, E, "num", "num: number out of range");
    expect_decode_error(&all_desc, "{\"num\":99999999999999999999}", 0, E, "num", "num: number out of range");
}

static void test_decode_strict_required(void)
{
    int rc;
    /* lenient by default */
    all *a = decode_all("{\"b\":true}", 0, NULL, &rc);
    CU_ASSERT_EQUAL(rc, OPENROUTER_OK);
    openrouter_model_free(a);
    expect_decode_error(&all_desc, "{\"b\":true,\"id\":\"x\"}", 1, OPENROUTER_EDECODE, "s", "s: required field missing");
    expect_decode_error(&list_desc, "{\"data\":[{\"s\":\"a\",\"id\":\"1\"},{\"s\":\"a\",\"id\":\"1\"},"
                                    "{\"s\":\"a\",\"id\":\"1\"},{\"id\":\"1\"}]}",
                        1, OPENROUTER_EDECODE, "data[3].s", "data[3].s: required field missing");
    expect_decode_error(&list_desc, "{\"data\":[{\"s\":\"a\",\"id\":\"1\",\"children\":[{\"count\":1}]}]}", 1,
                        OPENROUTER_EDECODE, "data[0].children[0].name",
                        "data[0].children[0].name: required field missing");
    expect_decode_error(&list_desc, "{}", 1, OPENROUTER_EDECODE, "data", "data: required field missing");
    /* read-only required fields are required in responses */
    expect_decode_error(&all_desc, "{\"s\":\"x\"}", 1, OPENROUTER_EDECODE, "id", "id: required field missing");
}

/* Lenient decoding (error bodies): what does not fit its slot is left
 * ABSENT and the rest still decodes; invalid JSON still fails. */
static void test_decode_lenient(void)
{
    static const char doc[] =
        "{\"s\":1,\"b\":\"x\",\"i32\":1e10,\"i64\":0.5,\"num\":1e400,\"dt\":\"bad\",\"color\":3,"
        "\"meta\":{\"ok\":true},\"child\":[],\"children\":[{\"name\":\"a\",\"count\":\"x\"},7],"
        "\"tags\":[\"a\",7,\"a\\u0000b\",\"c\"],\"nums\":[1,\"x\",3],\"grid\":{},"
        "\"scores\":{\"x\":\"no\",\"y\":2},\"kids\":{\"a\\u0000\":{\"name\":\"n\"},\"k\":{\"name\":5}},"
        "\"id\":\"kept\"}";
    or_decode_options lenient = {.lenient = 1};
    openrouter_error err = OPENROUTER_ERROR_INIT;
    void *out = NULL;
    CU_ASSERT_EQUAL_FATAL(or_model_decode(&all_desc, doc, sizeof doc - 1, &lenient, &out, &err), OPENROUTER_OK);
    all *a = out;
    CU_ASSERT_EQUAL(a->s.state, OPENROUTER_ABSENT);
    CU_ASSERT_EQUAL(a->b.state, OPENROUTER_ABSENT);
    CU_ASSERT_EQUAL(a->i32.state, OPENROUTER_ABSENT);
    CU_ASSERT_EQUAL(a->i64.state, OPENROUTER_ABSENT);
    CU_ASSERT_EQUAL(a->num.state, OPENROUTER_ABSENT);
    CU_ASSERT_EQUAL(a->dt.state, OPENROUTER_PRESENT); /* a date-time that is not one: kept as received */
    CU_ASSERT_STRING_EQUAL(a->dt.value, "bad");
    CU_ASSERT_EQUAL(a->color.state, OPENROUTER_ABSENT);
    CU_ASSERT_STRING_EQUAL(a->meta.value, "{\"ok\":true}");
    CU_ASSERT_EQUAL(a->child.state, OPENROUTER_ABSENT);
    CU_ASSERT_EQUAL_FATAL(a->children.count, 2);
    CU_ASSERT_STRING_EQUAL(a->children.items[0].name.value, "a");
    CU_ASSERT_EQUAL(a->children.items[0].count.state, OPENROUTER_ABSENT);
    CU_ASSERT_EQUAL(a->children.items[1].name.state, OPENROUTER_ABSENT); /* 7: an all-absent item */
    CU_ASSERT_EQUAL_FATAL(a->tags.count, 4);
    CU_ASSERT_STRING_EQUAL(a->tags.items[0].value, "a");
    CU_ASSERT_EQUAL(a->tags.items[1].state, OPENROUTER_ABSENT);
    CU_ASSERT_EQUAL(a->tags.items[2].state, OPENROUTER_ABSENT); /* holds \u0000 */
    CU_ASSERT_PTR_NULL(a->tags.items[2].value);
    CU_ASSERT_STRING_EQUAL(a->tags.items[3].value, "c");
    CU_ASSERT_EQUAL_FATAL(a->nums.count, 3);
    CU_ASSERT_EQUAL(a->nums.items[1].state, OPENROUTER_ABSENT);
    CU_ASSERT_EQUAL(a->nums.items[2].value, 3);
    CU_ASSERT_EQUAL(a->grid.state, OPENROUTER_ABSENT);
    CU_ASSERT_EQUAL_FATAL(a->scores.count, 2);
    CU_ASSERT_EQUAL(a->scores.entries[0].value.state, OPENROUTER_ABSENT);
    CU_ASSERT_EQUAL(a->scores.entries[1].value.value, 2);
    CU_ASSERT_EQUAL_FATAL(a->kids.count, 1); /* the key holding \u0000 is skipped */
    CU_ASSERT_STRING_EQUAL(a->kids.entries[0].key, "k");
    CU_ASSERT_EQUAL(a->kids.entries[0].value.name.state, OPENROUTER_ABSENT);
    CU_ASSERT_STRING_EQUAL(a->id.value, "kept");
    CU_ASSERT_EQUAL(openrouter_model_warnings(out, NULL), NULL); /* lenient mode records none */
    openrouter_model_free(out);
    /* The same document fails without leniency (s is required), and bad JSON fails with it. */
    CU_ASSERT_EQUAL(or_model_decode(&all_desc, doc, sizeof doc - 1, NULL, &out, &err), OPENROUTER_EDECODE);
    CU_ASSERT_STRING_EQUAL(err.message, "s: expected string, got number");
    openrouter_error_clear(&err);
    CU_ASSERT_EQUAL(or_model_decode(&all_desc, "{\"s\":1,\"b\":[}", 13, &lenient, &out, &err), OPENROUTER_EDECODE);
    CU_ASSERT_STRING_EQUAL(err.message, "invalid JSON at offset 12: unexpected character");
    CU_ASSERT_PTR_NULL(out);
    openrouter_error_clear(&err);
}

static void test_decode_public_and_args(void)
{
    openrouter_error err = OPENROUTER_ERROR_INIT;
    void *out = NULL;
    CU_ASSERT_EQUAL(openrouter_model_decode(&all_desc, "{\"s\":\"q\"}", 9, &out, &err), OPENROUTER_OK);
    CU_ASSERT_PTR_NOT_NULL(out);
    openrouter_model_free(out);
    CU_ASSERT_EQUAL(openrouter_model_decode(NULL, "{}", 2, &out, &err), OPENROUTER_EINVAL);
    openrouter_error_clear(&err);
    CU_ASSERT_EQUAL(openrouter_model_decode(&all_desc, "{}", 2, NULL, &err), OPENROUTER_EINVAL);
    openrouter_error_clear(&err);
    CU_ASSERT_EQUAL(openrouter_model_decode(&all_desc, NULL, 0, &out, &err), OPENROUTER_EDECODE);
    openrouter_error_clear(&err);
    openrouter_model_free(NULL);
    openrouter_buffer_free(NULL);
}

/* Many members absent from the JSON make the model bigger than its text,
 * so the arena has to grow. */
static void test_decode_arena_growth(void)
{
    size_t n = 3000;
    or_buf b = OR_BUF_INIT;
    CU_ASSERT_EQUAL_FATAL(or_buf_puts(&b, "{\"data\":["), 0);
    for (size_t i = 0; i < n; i++)
        CU_ASSERT_EQUAL_FATAL(or_buf_printf(&b, "%s{\"s\":\"%zu\",\"tags\":[\"t\"]}", i ? "," : "", i), 0);
    CU_ASSERT_EQUAL_FATAL(or_buf_puts(&b, "],\"total\":3000}"), 0);
    void *out = NULL;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    CU_ASSERT_EQUAL_FATAL(openrouter_model_decode(&list_desc, b.data, b.len, &out, &err), OPENROUTER_OK);
    list *l = out;
    CU_ASSERT_EQUAL(l->data.count, n);
    CU_ASSERT_EQUAL(l->total.value, 3000);
    int all_ok = 1;
    for (size_t i = 0; i < n; i++) {
        char want[32];
        snprintf(want, sizeof want, "%zu", i);
        all_ok &= strcmp(l->data.items[i].s.value, want) == 0 && l->data.items[i].tags.count == 1 &&
                  strcmp(l->data.items[i].tags.items[0].value, "t") == 0;
    }
    CU_ASSERT_TRUE(all_ok);
    /* round trip through the encoder */
    char *json = encode_ok(&list_desc, l);
    void *again = NULL;
    CU_ASSERT_EQUAL(openrouter_model_decode(&list_desc, json, strlen(json), &again, &err), OPENROUTER_OK);
    CU_ASSERT_TRUE(openrouter_model_equal(&list_desc, l, again));
    openrouter_model_free(again);
    openrouter_buffer_free(json);
    openrouter_model_free(out);
    or_buf_free(&b);
    openrouter_error_clear(&err);
}

static void test_decode_alloc_failures(void)
{
    /* Each allocation failure in turn: ENOMEM, nothing leaked (ASan and
     * valgrind check the leaks), until the decode succeeds. The list has
     * many empty members so the arena grows several times. */
    or_buf b = OR_BUF_INIT;
    CU_ASSERT_EQUAL_FATAL(or_buf_puts(&b, "{\"data\":["), 0);
    for (int i = 0; i < 200; i++)
        CU_ASSERT_EQUAL_FATAL(or_buf_printf(&b, "%s{\"s\":\"x\"}", i ? "," : ""), 0);
    CU_ASSERT_EQUAL_FATAL(or_buf_printf(&b, ",%s]}", full_doc), 0);
    long failures = 0;
    int done = 0;
    for (long nth = 1; nth < 1000 && !done; nth++) {
        openrouter_error err = OPENROUTER_ERROR_INIT;
        void *out = NULL;
        or_test_fail_alloc(nth);
        int rc = openrouter_model_decode(&list_desc, b.data, b.len, &out, &err);
        or_test_fail_alloc(0);
        if (rc == OPENROUTER_OK) {
            CU_ASSERT_PTR_NOT_NULL(out);
            list *l = out;
            CU_ASSERT_EQUAL(l->data.count, 201);
            CU_ASSERT_STRING_EQUAL(l->data.items[200].s.value, "hello");
            openrouter_model_free(out);
            done = 1;
        } else {
            CU_ASSERT_EQUAL(rc, OPENROUTER_ENOMEM);
            CU_ASSERT_EQUAL(err.kind, OPENROUTER_ENOMEM);
            CU_ASSERT_PTR_NULL(out);
            failures++;
        }
        openrouter_error_clear(&err);
    }
    CU_ASSERT_TRUE(done);
    CU_ASSERT_TRUE(failures >= 2); /* the first block and at least one growth */

    /* Same for encoding. */
    void *model = NULL;
    CU_ASSERT_EQUAL_FATAL(openrouter_model_decode(&list_desc, b.data, b.len, &model, NULL), OPENROUTER_OK);
    done = 0;
    failures = 0;
    for (long nth = 1; nth < 1000 && !done; nth++) {
        openrouter_error err = OPENROUTER_ERROR_INIT;
        char *json = NULL;
        or_test_fail_alloc(nth);
        int rc = openrouter_model_encode(&list_desc, model, &json, NULL, &err);
        or_test_fail_alloc(0);
        if (rc == OPENROUTER_OK) {
            done = 1;
            openrouter_buffer_free(json);
        } else {
            CU_ASSERT_EQUAL(rc, OPENROUTER_ENOMEM);
            CU_ASSERT_PTR_NULL(json);
            failures++;
        }
        openrouter_error_clear(&err);
    }
    CU_ASSERT_TRUE(done);
    CU_ASSERT_TRUE(failures >= 1);
    openrouter_model_free(model);
    or_buf_free(&b);
}

/* ---- encoding ------------------------------------------------------------- */

static void test_encode_three_state(void)
{
    all a = minimal_all();
    char *json = encode_ok(&all_desc, &a);
    CU_ASSERT_STRING_EQUAL(json, "{\"s\":\"ok\"}");
    openrouter_buffer_free(json);

    a.num.state = OPENROUTER_NULL;           /* send null */
    a.i32 = OPENROUTER_INT32(0);             /* send 0 */
    a.b = OPENROUTER_BOOL(false);            /* send false */
    a.dt.state = OPENROUTER_NULL;
    a.child.state = OPENROUTER_NULL;
    a.meta.state = OPENROUTER_NULL;
    json = encode_ok(&all_desc, &a);
    CU_ASSERT_STRING_EQUAL(json, "{\"s\":\"ok\",\"b\":false,\"i32\":0,\"num\":null,\"dt\":null,\"meta\":null,\"child\":null}");
    openrouter_buffer_free(json);

    a.num = OPENROUTER_NUMBER(0);
    json = encode_ok(&all_desc, &a);
    CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"num\":0,"));
    openrouter_buffer_free(json);
}

static all populated(inner *kids_storage, openrouter_string *tag_storage, openrouter_enum_value *colors,
                     openrouter_int64 *nums, int64_array *rows, num_entry *scores, inner_entry *kid_entries)
{
    all a = minimal_all();
    a.s = OPENROUTER_STRING("h\xc3\xa9llo\"\\\n");
    a.b = OPENROUTER_BOOL(true);
    a.i32 = OPENROUTER_INT32(100);
    a.i64 = OPENROUTER_INT64(-9007199254740993LL);
    a.num = OPENROUTER_NUMBER(0.1);
    a.dt = OPENROUTER_DATETIME("2027-12-31T23:59:59Z");
    a.color = (openrouter_enum_value){OPENROUTER_PRESENT, COLOR_BLUE, NULL};
    a.meta = (openrouter_json){OPENROUTER_PRESENT, "{\"x\":[1,2,{\"y\":null}]}"};
    a.child.state = OPENROUTER_PRESENT;
    a.child.value.name = OPENROUTER_STRING("kid");
    a.child.value.count = OPENROUTER_INT32(-3);
    kids_storage[0] = (inner){OPENROUTER_STRING("a"), OPENROUTER_INT32(1)};
    kids_storage[1] = (inner){OPENROUTER_STRING("b"), {OPENROUTER_ABSENT, 0}};
    a.children = (inner_array){OPENROUTER_PRESENT, kids_storage, 2};
    tag_storage[0] = OPENROUTER_STRING("t1");
    tag_storage[1] = OPENROUTER_STRING("");
    a.tags = (string_array){OPENROUTER_PRESENT, tag_storage, 2};
    colors[0] = (openrouter_enum_value){OPENROUTER_PRESENT, COLOR_RED, "red"};
    colors[1] = (openrouter_enum_value){OPENROUTER_PRESENT, 0, "ultraviolet"};
    a.colors = (enum_array){OPENROUTER_PRESENT, colors, 2};
    nums[0] = OPENROUTER_INT64(5);
    nums[1] = (openrouter_int64){OPENROUTER_NULL, 0};
    a.nums = (int64_array){OPENROUTER_PRESENT, nums, 2};
    rows[0] = (int64_array){OPENROUTER_PRESENT, nums, 1};
    rows[1] = (int64_array){OPENROUTER_PRESENT, NULL, 0};
    a.grid = (matrix){OPENROUTER_PRESENT, rows, 2};
    scores[0] = (num_entry){"alpha", OPENROUTER_NUMBER(1e300)};
    scores[1] = (num_entry){"beta", OPENROUTER_NUMBER(-1e-7)};
    a.scores = (num_map){OPENROUTER_PRESENT, scores, 2};
    kid_entries[0] = (inner_entry){"only", {OPENROUTER_STRING("o"), OPENROUTER_INT32(9)}};
    a.kids = (inner_map){OPENROUTER_PRESENT, kid_entries, 1};
    a.secret = OPENROUTER_STRING("sk-or-v1-abc");
    a.id = OPENROUTER_STRING("read-only, never sent");
    return a;
}

static void test_encode_all_kinds(void)
{
    inner kids[2];
    openrouter_string tags[2];
    openrouter_enum_value colors[2];
    openrouter_int64 nums[2];
    int64_array rows[2];
    num_entry scores[2];
    inner_entry kid_entries[1];
    all a = populated(kids, tags, colors, nums, rows, scores, kid_entries);
    char *json = encode_ok(&all_desc, &a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(json);
    const char *want =
        "{\"s\":\"h\xc3\xa9llo\\\"\\\\\\n\",\"b\":true,\"i32\":100,\"i64\":-9007199254740993,\"num\":0.1,"
        "\"dt\":\"2027-12-31T23:59:59Z\",\"color\":\"blue\",\"meta\":{\"x\":[1,2,{\"y\":null}]},"
        "\"child\":{\"name\":\"kid\",\"count\":-3},\"children\":[{\"name\":\"a\",\"count\":1},{\"name\":\"b\"}],"
        "\"tags\":[\"t1\",\"\"],\"colors\":[\"red\",\"ultraviolet\"],\"nums\":[5,null],\"grid\":[[5],[]],"
        "\"scores\":{\"alpha\":1e300,\"beta\":-1e-7},\"kids\":{\"only\":{\"name\":\"o\",\"count\":9}},"
        "\"secret\":\"sk-or-v1-abc\"}";
    CU_ASSERT_STRING_EQUAL(json, want);
    if (strcmp(json, want) != 0)
        fprintf(stderr, "\n  got  %s\n  want %s\n", json, want);

    /* round trip: decode(encode(x)) == x, read-only/write-only aside */
    void *back = NULL;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    CU_ASSERT_EQUAL_FATAL(openrouter_model_decode(&all_desc, json, strlen(json), &back, &err), OPENROUTER_OK);
    all *b = back;
    CU_ASSERT_EQUAL(b->secret.state, OPENROUTER_ABSENT);
    CU_ASSERT_EQUAL(b->id.state, OPENROUTER_ABSENT);
    CU_ASSERT_EQUAL(b->colors.items[1].value, 0);
    CU_ASSERT_STRING_EQUAL(b->colors.items[1].text, "ultraviolet");
    all a2 = a;
    a2.secret.state = OPENROUTER_ABSENT;
    a2.id.state = OPENROUTER_ABSENT;
    /* decoded enums carry their text; equality ignores text for known values */
    CU_ASSERT_TRUE(openrouter_model_equal(&all_desc, &a2, b));
    CU_ASSERT_FALSE(openrouter_model_equal(&all_desc, &a, b));

    /* and encode(decode(encode(x))) is the same text */
    char *json2 = encode_ok(&all_desc, b);
    want = json;
    /* the write-only secret is gone */
    CU_ASSERT_PTR_NULL(strstr(json2, "secret"));
    CU_ASSERT_EQUAL(strncmp(json2, json, strlen(json2) - 1), 0);
    openrouter_buffer_free(json2);
    openrouter_model_free(back);
    openrouter_buffer_free(json);
    openrouter_error_clear(&err);

    /* appending to a buffer that already holds something */
    or_buf out = OR_BUF_INIT;
    CU_ASSERT_EQUAL(or_buf_puts(&out, "prefix:"), 0);
    all m = minimal_all();
    CU_ASSERT_EQUAL(or_model_encode(&all_desc, &m, &out, NULL), OPENROUTER_OK);
    CU_ASSERT_STRING_EQUAL(out.data, "prefix:{\"s\":\"ok\"}");
    m.i32 = OPENROUTER_INT32(1000);
    CU_ASSERT_EQUAL(or_model_encode(&all_desc, &m, &out, NULL), OPENROUTER_EINVAL);
    CU_ASSERT_STRING_EQUAL(out.data, "prefix:{\"s\":\"ok\"}"); /* partial output dropped */
    or_buf_free(&out);
}

static void test_encode_errors(void)
{
    all a = minimal_all();
    a.s.state = OPENROUTER_ABSENT;
    expect_encode_error(&a, "s", "s: required field missing");
    a = minimal_all();
    a.s.state = OPENROUTER_NULL;
    expect_encode_error(&a, "s", "s: null not allowed");
    a = minimal_all();
    a.s.value = NULL;
    expect_encode_error(&a, "s", "s: value is NULL");
    a = minimal_all();
    a.s = OPENROUTER_STRING("bad\xc0\x80");
    expect_encode_error(&a, "s", "s: not valid UTF-8");
    a.s = OPENROUTER_STRING("");
    expect_encode_error(&a, "s", "s: 0 characters, below the minimum of 1");
    a.s = OPENROUTER_STRING("sk-or-secret-value");
    expect_encode_error(&a, "s", "s: 18 characters, above the maximum of 8");
    /* lengths count code points: 8 two-byte characters fit */
    a.s = OPENROUTER_STRING("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9");
    char *json = encode_ok(&all_desc, &a);
    openrouter_buffer_free(json);
    a = minimal_all();
    a.s.state = (openrouter_presence)7;
    expect_encode_error(&a, "s", "s: invalid presence state 7");

    a = minimal_all();
    a.i32 = OPENROUTER_INT32(-1);
    expect_encode_error(&a, "i32", "i32: must be >= 0");
    a.i32 = OPENROUTER_INT32(101);
    expect_encode_error(&a, "i32", "i32: must be <= 100");
    a = minimal_all();
    a.num = OPENROUTER_NUMBER(-0.5);
    expect_encode_error(&a, "num", "num: must be >= 0");
    a.num = OPENROUTER_NUMBER(NAN);
    expect_encode_error(&a, "num", "num: not a finite number");
    a.num = OPENROUTER_NUMBER(INFINITY);
    expect_encode_error(&a, "num", "num: not a finite number");

    a = minimal_all();
    a.dt = OPENROUTER_DATETIME("2027-12-31T23:59:59+02:00");
    expect_encode_error(&a, "dt", "dt: must be a UTC time ending in Z");
    a.dt = OPENROUTER_DATETIME("2027-12-31T23:59:59+00:00");
    expect_encode_error(&a, "dt", "dt: must be a UTC time ending in Z");
    a.dt = OPENROUTER_DATETIME("2027-12-31T23:59:59z");
    expect_encode_error(&a, "dt", "dt: must be a UTC time ending in Z");
    a.dt = OPENROUTER_DATETIME("2027-12-31");
    expect_encode_error(&a, "dt", "dt: invalid date-time (expected RFC 3339)");
    a.dt = OPENROUTER_DATETIME("2027-12-31T23:59:59.5Z");
    json = encode_ok(&all_desc, &a);
    CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"dt\":\"2027-12-31T23:59:59.5Z\""));
    openrouter_buffer_free(json);

    a = minimal_all();
    a.color = (openrouter_enum_value){OPENROUTER_PRESENT, 0, NULL};
    expect_encode_error(&a, "color", "color: enum value not set (value 0 and no text)");
    a.color.value = 4;
    expect_encode_error(&a, "color", "color: invalid value 4 for enum test_color");
    a.color.value = -1;
    expect_encode_error(&a, "color", "color: invalid value -1 for enum test_color");

    a = minimal_all();
    a.meta = (openrouter_json){OPENROUTER_PRESENT, "{\"a\":1"};
    expect_encode_error(&a, "meta", "meta: invalid JSON value: truncated JSON at offset 6");
    a.meta.value = "[1] [2]";
    expect_encode_error(&a, "meta", "meta: invalid JSON value: trailing data after JSON at offset 4");
    a.meta.value = NULL;
    expect_encode_error(&a, "meta", "meta: value is NULL");
    a.meta.value = "75";
    json = encode_ok(&all_desc, &a);
    CU_ASSERT_STRING_EQUAL(json, "{\"s\":\"ok\",\"meta\":75}");
    openrouter_buffer_free(json);

    /* nested paths */
    a = minimal_all();
    a.child.state = OPENROUTER_PRESENT;
    expect_encode_error(&a, "child.name", "child.name: required field missing");
    inner kids[2] = {{OPENROUTER_STRING("x"), {0, 0}}, {OPENROUTER_STRING("bad\xff"), {0, 0}}};
    a = minimal_all();
    a.children = (inner_array){OPENROUTER_PRESENT, kids, 2};
    expect_encode_error(&a, "children[1].name", "children[1].name: not valid UTF-8");
    a.children.items = NULL;
    expect_encode_error(&a, "children", "children: items is NULL but count is 2");
    openrouter_string tags[4] = {OPENROUTER_STRING("a"), {OPENROUTER_ABSENT, NULL}, OPENROUTER_STRING("c"),
                                 OPENROUTER_STRING("d")};
    a = minimal_all();
    a.tags = (string_array){OPENROUTER_PRESENT, tags, 2};
    expect_encode_error(&a, "tags[1]", "tags[1]: array item not set (state ABSENT)");
    tags[1].state = OPENROUTER_NULL;
    expect_encode_error(&a, "tags[1]", "tags[1]: null not allowed");
    tags[1] = OPENROUTER_STRING("b");
    a.tags.count = 4;
    expect_encode_error(&a, "tags", "tags: 4 items, above the maximum of 3");
    a.tags.count = 0;
    json = encode_ok(&all_desc, &a);
    CU_ASSERT_STRING_EQUAL(json, "{\"s\":\"ok\",\"tags\":[]}");
    openrouter_buffer_free(json);
    num_entry scores[2] = {{"ok", OPENROUTER_NUMBER(1)}, {"bad", {OPENROUTER_NULL, 0}}};
    a = minimal_all();
    a.scores = (num_map){OPENROUTER_PRESENT, scores, 2};
    expect_encode_error(&a, "scores.bad", "scores.bad: null not allowed");
    scores[1] = (num_entry){"bad", OPENROUTER_NUMBER(NAN)};
    expect_encode_error(&a, "scores.bad", "scores.bad: not a finite number");
    scores[1].key = NULL;
    expect_encode_error(&a, "scores[1]", "scores[1]: map key is NULL");
    scores[1].key = "\xc3";
    expect_encode_error(&a, "scores[1]", "scores[1]: map key is not valid UTF-8");

    /* read-only fields are never encoded, even when required and absent */
    a = minimal_all();
    a.id.state = OPENROUTER_ABSENT;
    json = encode_ok(&all_desc, &a);
    CU_ASSERT_STRING_EQUAL(json, "{\"s\":\"ok\"}");
    openrouter_buffer_free(json);

    /* error messages never carry string values */
    a = minimal_all();
    a.s = OPENROUTER_STRING("sk-or-v1-SECRET\xff");
    openrouter_error err = OPENROUTER_ERROR_INIT;
    char *out = NULL;
    CU_ASSERT_EQUAL(openrouter_model_encode(&all_desc, &a, &out, NULL, &err), OPENROUTER_EINVAL);
    CU_ASSERT_PTR_NULL(strstr(err.message, "SECRET"));
    openrouter_error_clear(&err);
    CU_ASSERT_EQUAL(openrouter_model_encode(NULL, &a, &out, NULL, &err), OPENROUTER_EINVAL);
    openrouter_error_clear(&err);
    CU_ASSERT_EQUAL(openrouter_model_encode(&all_desc, &a, NULL, NULL, &err), OPENROUTER_EINVAL);
    openrouter_error_clear(&err);
}

static void test_encode_cycle(void)
{
    /* A matrix row pointing back at its own array cannot recurse forever:
     * arrays of arrays are depth-limited. */
    typedef struct deep_array { openrouter_presence state; struct deep_array *items; size_t count; } deep_array;
    typedef struct holder { deep_array d; } holder;
    static openrouter_type_desc t_deep = {OPENROUTER_KIND_ARRAY, sizeof(deep_array), 0, 0, &t_deep, 0, 0, 0};
    static const openrouter_field_desc fields[] = {{"d", offsetof(holder, d), &t_deep, 0, -1, -1, 0, 0}};
    static const openrouter_object_desc desc = {"holder", sizeof(holder), 1, fields, NULL};
    holder h;
    h.d.state = OPENROUTER_PRESENT;
    h.d.items = &h.d;
    h.d.count = 1;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    char *json = NULL;
    CU_ASSERT_EQUAL(openrouter_model_encode(&desc, &h, &json, NULL, &err), OPENROUTER_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "nested too deeply"));
    openrouter_error_clear(&err);
}

/* ---- equality ------------------------------------------------------------- */

static void test_equal(void)
{
    int rc;
    all *x = decode_all(full_doc, 0, NULL, &rc);
    all *y = decode_all(full_doc, 0, NULL, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    CU_ASSERT_PTR_NOT_NULL_FATAL(y);
    CU_ASSERT_TRUE(openrouter_model_equal(&all_desc, x, y));
    CU_ASSERT_TRUE(openrouter_model_equal(&all_desc, x, x));

/* Decoded text is read-only to callers (const char *) but lives in the
 * model's writable arena: the checks below poke single bytes of it. */
#define MUT(text) ((char *)(text))
#define DIFFERS(stmt, restore)                                           \
    do {                                                                 \
        stmt;                                                            \
        CU_ASSERT_FALSE(openrouter_model_equal(&all_desc, x, y));        \
        restore;                                                         \
        CU_ASSERT_TRUE(openrouter_model_equal(&all_desc, x, y));         \
    } while (0)
    DIFFERS(MUT(y->s.value)[0] = 'H', MUT(y->s.value)[0] = 'h');
    DIFFERS(y->s.state = OPENROUTER_NULL, y->s.state = OPENROUTER_PRESENT);
    DIFFERS(y->b.value = false, y->b.value = true);
    DIFFERS(y->i32.value++, y->i32.value--);
    DIFFERS(y->i64.value++, y->i64.value--);
    DIFFERS(y->num.value = 0.2, y->num.value = 0.1);
    DIFFERS(y->color.value = COLOR_RED, y->color.value = COLOR_GREEN);
    DIFFERS(MUT(y->colors.items[1].text)[0] = 'P', MUT(y->colors.items[1].text)[0] = 'p');
    DIFFERS(MUT(y->meta.value)[1] = ' ', MUT(y->meta.value)[1] = '"');
    DIFFERS(y->child.value.count.value = 8, y->child.value.count.value = 7);
    DIFFERS(y->children.count = 1, y->children.count = 2);
    DIFFERS(y->children.items[1].count.state = OPENROUTER_NULL, y->children.items[1].count.state = OPENROUTER_ABSENT);
    DIFFERS(y->nums.items[1].state = OPENROUTER_PRESENT, y->nums.items[1].state = OPENROUTER_NULL);
    DIFFERS(y->grid.items[0].items[1].value = 9, y->grid.items[0].items[1].value = 2);
    DIFFERS(MUT(y->scores.entries[1].key)[0] = 'z', MUT(y->scores.entries[1].key)[0] = 'y');
    DIFFERS(y->scores.entries[1].value.value = 3, y->scores.entries[1].value.value = -2);
    DIFFERS(MUT(y->kids.entries[0].value.name.value)[0] = 'm',
            MUT(y->kids.entries[0].value.name.value)[0] = 'n');
    DIFFERS(y->id.state = OPENROUTER_ABSENT, y->id.state = OPENROUTER_PRESENT);
#undef DIFFERS
#undef MUT
    /* known enum values compare by value only */
    const char *t = y->color.text;
    y->color.text = NULL;
    CU_ASSERT_TRUE(openrouter_model_equal(&all_desc, x, y));
    y->color.text = t;
    /* values of non-present slots are not compared */
    x->i32.state = y->i32.state = OPENROUTER_NULL;
    y->i32.value = 12345;
    CU_ASSERT_TRUE(openrouter_model_equal(&all_desc, x, y));

    CU_ASSERT_TRUE(openrouter_model_equal(&all_desc, NULL, NULL));
    CU_ASSERT_FALSE(openrouter_model_equal(&all_desc, x, NULL));
    openrouter_model_free(x);
    openrouter_model_free(y);
}

int main(void)
{
    if (or_test_fail_alloc_install(NULL) != 0)
        return 1;
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("codec", NULL, NULL);
    CU_add_test(s, "utf8 validator", test_utf8_valid);
    CU_add_test(s, "double formatting", test_format_double);
    CU_add_test(s, "parse: valid documents", test_parse_valid);
    CU_add_test(s, "parse: invalid documents", test_parse_invalid);
    CU_add_test(s, "parse: depth limit", test_parse_depth);
    CU_add_test(s, "decode: every kind", test_decode_all_kinds);
    CU_add_test(s, "decode: absent and null", test_decode_absent_null);
    CU_add_test(s, "decode: unknown members, empty values, bad documents", test_decode_unknown_and_empty);
    CU_add_test(s, "decode: wrong types name the path", test_decode_wrong_types);
    CU_add_test(s, "decode: integer ranges", test_decode_integers);
    CU_add_test(s, "decode: strict required", test_decode_strict_required);
    CU_add_test(s, "decode: lenient", test_decode_lenient);
    CU_add_test(s, "decode: public entry point and arguments", test_decode_public_and_args);
    CU_add_test(s, "decode: arena growth", test_decode_arena_growth);
    CU_add_test(s, "decode/encode: allocation failures", test_decode_alloc_failures);
    CU_add_test(s, "encode: three states", test_encode_three_state);
    CU_add_test(s, "encode: every kind and round trip", test_encode_all_kinds);
    CU_add_test(s, "encode: validation errors", test_encode_errors);
    CU_add_test(s, "encode: self-referencing arrays", test_encode_cycle);
    CU_add_test(s, "equality", test_equal);
    return or_test_run();
}
