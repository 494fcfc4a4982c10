/* Unit tests for runtime/src/json_reader.c, the strict single-pass reader,
 * through or_model_decode() (which pulls from it) and directly. Every
 * grammar case is also checked against json-c's strict parse
 * (or_json_parse) for the same accept/reject decision. */
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <json-c/json.h>

#include "internal.h"
#include "fail_alloc.h"
#include "test_util.h"

/* ---- a test model ---------------------------------------------------------- */

static const char *const color_values[] = {"red", "green"};
static const openrouter_enum_desc color_enum = {"rd_color", 2, color_values};

typedef struct inner {
    openrouter_string name;
    openrouter_int32 count;
} inner;
typedef struct inner_slot { openrouter_presence state; inner value; } inner_slot;
typedef struct string_array { openrouter_presence state; openrouter_string *items; size_t count; } string_array;
typedef struct int64_array { openrouter_presence state; openrouter_int64 *items; size_t count; } int64_array;
typedef struct inner_array { openrouter_presence state; inner *items; size_t count; } inner_array;
typedef struct num_entry { char *key; openrouter_number value; } num_entry;
typedef struct num_map { openrouter_presence state; num_entry *entries; size_t count; } num_map;

typedef struct rd {
    openrouter_string s;
    openrouter_int32 i32;
    openrouter_int64 i64;
    openrouter_number num;
    openrouter_bool b;
    openrouter_json meta;
    inner_slot child;
    string_array tags;
    num_map scores;
    int64_array nums;
    inner_array kids;
    openrouter_datetime dt;
    openrouter_enum_value color;
    openrouter_string wo; /* write-only */
} rd;

static const openrouter_type_desc t_string = {OPENROUTER_KIND_STRING, sizeof(openrouter_string), 0, 0, 0, 0, 0, 0};
static const openrouter_type_desc t_bool = {OPENROUTER_KIND_BOOL, sizeof(openrouter_bool), 0, 0, 0, 0, 0, 0};
static const openrouter_type_desc t_int32 = {OPENROUTER_KIND_INT32, sizeof(openrouter_int32), 0, 0, 0, 0, 0, 0};
static const openrouter_type_desc t_int64 = {OPENROUTER_KIND_INT64, sizeof(openrouter_int64), 0, 0, 0, 0, 0, 0};
static const openrouter_type_desc t_number = {OPENROUTER_KIND_NUMBER, sizeof(openrouter_number), 0, 0, 0, 0, 0, 0};
static const openrouter_type_desc t_datetime = {OPENROUTER_KIND_DATETIME, sizeof(openrouter_datetime), 0, 0, 0, 0, 0, 0};
static const openrouter_type_desc t_json = {OPENROUTER_KIND_JSON, sizeof(openrouter_json), 0, 0, 0, 0, 0, 0};
static const openrouter_type_desc t_color = {OPENROUTER_KIND_ENUM, sizeof(openrouter_enum_value), 0, &color_enum, 0, 0, 0, 0};

static const openrouter_field_desc inner_fields[] = {
    {"name", offsetof(inner, name), &t_string, OPENROUTER_F_REQUIRED, -1, -1, 0, 0},
    {"count", offsetof(inner, count), &t_int32, 0, -1, -1, 0, 0},
};
static const openrouter_object_desc inner_desc = {"inner", sizeof(inner), 2, inner_fields, NULL};
static const openrouter_type_desc t_inner_slot = {OPENROUTER_KIND_OBJECT, sizeof(inner_slot), &inner_desc, 0, 0, 0, 0, 0};
static const openrouter_type_desc t_inner_bare = {OPENROUTER_KIND_OBJECT, sizeof(inner), &inner_desc, 0, 0, 0, 0, 0};
static const openrouter_type_desc t_string_array = {OPENROUTER_KIND_ARRAY, sizeof(string_array), 0, 0, &t_string, 0, 0, 0};
static const openrouter_type_desc t_int64_array = {OPENROUTER_KIND_ARRAY, sizeof(int64_array), 0, 0, &t_int64, 0, 0, 0};
static const openrouter_type_desc t_inner_array = {OPENROUTER_KIND_ARRAY, sizeof(inner_array), 0, 0, &t_inner_bare, 0, 0, 0};
static const openrouter_type_desc t_num_map = {OPENROUTER_KIND_MAP, sizeof(num_map), 0, 0, &t_number,
                                               sizeof(num_entry), offsetof(num_entry, value), 0};

static const openrouter_field_desc rd_fields[] = {
    {"s", offsetof(rd, s), &t_string, OPENROUTER_F_REQUIRED, -1, -1, 0, 0},
    {"i32", offsetof(rd, i32), &t_int32, 0, -1, -1, 0, 0},
    {"i64", offsetof(rd, i64), &t_int64, 0, -1, -1, 0, 0},
    {"num", offsetof(rd, num), &t_number, OPENROUTER_F_NULLABLE, -1, -1, 0, 0},
    {"b", offsetof(rd, b), &t_bool, 0, -1, -1, 0, 0},
    {"meta", offsetof(rd, meta), &t_json, OPENROUTER_F_NULLABLE, -1, -1, 0, 0},
    {"child", offsetof(rd, child), &t_inner_slot, 0, -1, -1, 0, 0},
    {"tags", offsetof(rd, tags), &t_string_array, 0, -1, -1, 0, 0},
    {"scores", offsetof(rd, scores), &t_num_map, 0, -1, -1, 0, 0},
    {"nums", offsetof(rd, nums), &t_int64_array, 0, -1, -1, 0, 0},
    {"kids", offsetof(rd, kids), &t_inner_array, 0, -1, -1, 0, 0},
    {"dt", offsetof(rd, dt), &t_datetime, 0, -1, -1, 0, 0},
    {"color", offsetof(rd, color), &t_color, 0, -1, -1, 0, 0},
    {"wo", offsetof(rd, wo), &t_string, OPENROUTER_F_WRITE_ONLY | OPENROUTER_F_REQUIRED, -1, -1, 0, 0},
};
static const openrouter_object_desc rd_desc = {"rd", sizeof(rd), sizeof rd_fields / sizeof rd_fields[0], rd_fields, NULL};

/* ---- helpers ----------------------------------------------------------------- */

static int decode_n(const char *json, size_t len, int strict, int max_depth, rd **out, openrouter_error *err)
{
    or_decode_options opt = {.strict = strict, .max_depth = max_depth};
    void *m = (void *)1;
    int rc = or_model_decode(&rd_desc, json, len, &opt, &m, err);
    if (rc != OPENROUTER_OK)
        CU_ASSERT_PTR_NULL(m);
    *out = m;
    return rc;
}

/* Decodes a NUL-terminated document that must decode; NULL on failure. */
static rd *ok(const char *json)
{
    rd *m = NULL;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    int rc = decode_n(json, strlen(json), 0, 0, &m, &err);
    CU_ASSERT_EQUAL(rc, OPENROUTER_OK);
    if (rc != OPENROUTER_OK)
        fprintf(stderr, "\n  rejected %s: %s\n", json, err.message);
    openrouter_error_clear(&err);
    return m;
}

/* In default mode, a document strict mode refuses with (field, msg) must
 * fail the same way, or (for a field) decode with a warning there whose
 * message is the strict one's after "field: ". */
static void default_mode(const char *json, size_t len, const char *msg, const char *field,
                         const openrouter_error *strict)
{
    rd *m = NULL;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    int rc = decode_n(json, len, 0, 0, &m, &err);
    if (rc != OPENROUTER_OK) {
        CU_ASSERT_STRING_EQUAL(err.message, strict->message);
        CU_ASSERT_STRING_EQUAL(err.field, strict->field);
        openrouter_error_clear(&err);
        return;
    }
    size_t n = 0, i, k = strlen(strict->field);
    const openrouter_warning *w = openrouter_model_warnings(m, &n);
    for (i = 0; k && i < n; i++)
        if (strcmp(w[i].path, strict->field) == 0 && strncmp(strict->message + k, ": ", 2) == 0 &&
            strcmp(strict->message + k + 2, w[i].message) == 0)
            break;
    CU_ASSERT(k > 0 && i < n);
    if (!k || i == n)
        fprintf(stderr, "\n  %.*s: decoded without a warning for \"%s\" (%s, %s)\n", (int)len, json,
                strict->message, msg ? msg : "-", field ? field : "-");
    openrouter_model_free(m);
}

/* Decoding must fail with EDECODE in strict mode; `msg` (if any) is the
 * whole message, or with a trailing '*', its prefix; `field` (if any) the
 * field. Default mode: see default_mode(). */
static void bad_n(const char *json, size_t len, const char *msg, const char *field)
{
    rd *m = NULL;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    int rc = decode_n(json, len, 1, 0, &m, &err);
    if (rc == OPENROUTER_EDECODE)
        default_mode(json, len, msg, field, &err);
    CU_ASSERT_EQUAL(rc, OPENROUTER_EDECODE);
    CU_ASSERT_EQUAL(err.kind, OPENROUTER_EDECODE);
    if (rc == OPENROUTER_OK) {
        fprintf(stderr, "\n  accepted: %.*s\n", (int)len, json);
        openrouter_model_free(m);
    }
    if (msg) {
        size_t k = strlen(msg);
        int match = msg[k - 1] == '*' ? strncmp(err.message, msg, k - 1) == 0 : strcmp(err.message, msg) == 0;
        CU_ASSERT_TRUE(match);
        if (!match)
            fprintf(stderr, "\n  %.*s: got \"%s\" want \"%s\"\n", (int)len, json, err.message, msg);
    }
    if (field) {
        CU_ASSERT_STRING_EQUAL(err.field, field);
        if (strcmp(err.field, field) != 0)
            fprintf(stderr, "\n  %.*s: field \"%s\" want \"%s\"\n", (int)len, json, err.field, field);
    }
    openrouter_error_clear(&err);
}
#define BAD(lit, msg) bad_n(lit, sizeof(lit) - 1, msg, NULL)
#define BADF(lit, msg, field) bad_n(lit, sizeof(lit) - 1, msg, field)

/* `value` as an unknown member (skipped), as a JSON-kind member (skipped,
 * then copied) and on its own to json-c: all accept or all reject. Returns
 * 1 if accepted. */
static int agree_n(const char *value, size_t n)
{
    int verdict[3];
    for (int k = 0; k < 3; k++) {
        const char *pre = k == 0 ? "{\"x\":" : k == 1 ? "{\"meta\":" : "{\"y\":[";
        const char *post = k == 2 ? "]}" : "}";
        size_t len = strlen(pre) + n + strlen(post);
        char *doc = malloc(len);
        memcpy(doc, pre, strlen(pre));
        memcpy(doc + strlen(pre), value, n);
        memcpy(doc + strlen(pre) + n, post, strlen(post));
        rd *m = NULL;
        openrouter_error err = OPENROUTER_ERROR_INIT;
        verdict[k] = decode_n(doc, len, 0, 0, &m, &err) == OPENROUTER_OK;
        if (k == 0) {
            json_object *o = NULL;
            openrouter_error jerr = OPENROUTER_ERROR_INIT;
            int jc = or_json_parse(doc, len, 0, &o, &jerr) == OPENROUTER_OK;
            if (jc)
                or_json_put_wiped(o);
            CU_ASSERT_EQUAL(jc, verdict[0]);
            if (jc != verdict[0])
                fprintf(stderr, "\n  json-c %s, reader %s (%s): %.*s\n", jc ? "accepts" : "rejects",
                        verdict[0] ? "accepts" : "rejects", err.message, (int)len, doc);
            openrouter_error_clear(&jerr);
        }
        openrouter_model_free(m);
        openrouter_error_clear(&err);
        free(doc);
    }
    CU_ASSERT_EQUAL(verdict[0], verdict[1]);
    CU_ASSERT_EQUAL(verdict[0], verdict[2]);
    return verdict[0];
}
#define ACCEPTS(lit) CU_ASSERT_TRUE(agree_n(lit, sizeof(lit) - 1))
#define REJECTS(lit)                                                              \
    do {                                                                          \
        if (agree_n(lit, sizeof(lit) - 1)) {                                      \
            CU_FAIL("accepted: " lit);                                            \
        }                                                                         \
    } while (0)

/* ---- grammar ----------------------------------------------------------------- */

static void test_grammar_values(void)
{
    ACCEPTS("0");
    ACCEPTS("-0");
    ACCEPTS("-0.0");
    ACCEPTS("1.5e-3");
    ACCEPTS("1E+2");
    ACCEPTS("1e2");
    ACCEPTS("0e0");
    ACCEPTS("123456789012345678901234567890");
    ACCEPTS("1e999999999999999999999");
    ACCEPTS("true");
    ACCEPTS("false");
    ACCEPTS("null");
    ACCEPTS("\"\"");
    ACCEPTS("{}");
    ACCEPTS("[]");
    ACCEPTS("{\"\":1}");
    ACCEPTS("[[],{},[{}],\"a\",1,true,null]");
    ACCEPTS(" \t\r\n[ \t\r\n1 \t\r\n, \t\r\n{ \t\r\n\"a\" \t\r\n: \t\r\n2 \t\r\n} \t\r\n] \t\r\n");
    ACCEPTS("\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u0041 \\u00e9 \\u20AC \\ud83d\\ude00 \\uDBFF\\uDFFF\"");
    ACCEPTS("\"\x7f \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf \xef\xbf\xbd \xed\x9f\xbf \xee\x80\x80\"");
    ACCEPTS("\"a string long enough for eight-byte steps, with \\\"quotes\\\" inside\"");
    ACCEPTS("\"\\u0000\"");

    /* numbers */
    REJECTS("NaN");
    REJECTS("Infinity");
    REJECTS("-Infinity");
    REJECTS("+1");
    REJECTS(".5");
    REJECTS("-.5");
    REJECTS("1.");
    REJECTS("1.e5");
    REJECTS("01");
    REJECTS("-01");
    REJECTS("00");
    REJECTS("1e");
    REJECTS("1e+");
    REJECTS("1E-");
    REJECTS("-");
    REJECTS("0x10");
    REJECTS("1.5.2");
    REJECTS("1e5e5");
    REJECTS("1e5.5");
    REJECTS("--1");
    REJECTS("1-2");
    /* literals */
    REJECTS("tru");
    REJECTS("True");
    REJECTS("nul");
    REJECTS("nulll");
    REJECTS("falsey");
    REJECTS("undefined");
    /* strings: raw control characters, escapes */
    REJECTS("\"a\tb\"");
    REJECTS("\"a\nb\"");
    REJECTS("\"\x01\"");
    REJECTS("\"\x1f\"");
    REJECTS("\"\\x41\"");
    REJECTS("\"\\U0041\"");
    REJECTS("\"\\'\"");
    REJECTS("\"\\u12\"");
    REJECTS("\"\\u12G4\"");
    REJECTS("\"\\\"");
    REJECTS("'a'");
    /* lone and misordered surrogates */
    REJECTS("\"\\ud800\"");
    REJECTS("\"\\ud800x\"");
    REJECTS("\"\\ud800\\u0041\"");
    REJECTS("\"\\ud800\\ud800\"");
    REJECTS("\"\\udc00\"");
    REJECTS("\"\\ude00\\ud83d\"");
    REJECTS("\"\\ud800\\n\"");
    /* UTF-8 */
    REJECTS("\"\xc0\x80\"");
    REJECTS("\"\xc1\xbf\"");
    REJECTS("\"\xe0\x80\xaf\"");
    REJECTS("\"\xe0\x9f\xbf\"");
    REJECTS("\"\xf0\x8f\xbf\xbf\"");
    REJECTS("\"\xed\xa0\x80\"");
    REJECTS("\"\xed\xbf\xbf\"");
    REJECTS("\"\xf4\x90\x80\x80\"");
    REJECTS("\"\xf5\x80\x80\x80\"");
    REJECTS("\"\xff\"");
    REJECTS("\"\x80\"");
    REJECTS("\"\xe2\x82\"");
    REJECTS("\"\xc3\x28\"");
    REJECTS("\"abcdefgh\xc3ijklmnop\"");
    /* structure */
    REJECTS("[1,]");
    REJECTS("[,1]");
    REJECTS("[1 2]");
    REJECTS("{\"a\":1,}");
    REJECTS("{,}");
    REJECTS("{\"a\" 1}");
    REJECTS("{\"a\":1 \"b\":2}");
    REJECTS("{\"a\":1,,\"b\":2}");
    REJECTS("{a:1}");
    REJECTS("{1:1}");
    REJECTS("{\"a\"}");
    REJECTS("[}");
    REJECTS("{]");
    REJECTS("]");
    REJECTS("/*c*/1");
    REJECTS("1 //c");
    /* whitespace JSON does not have */
    REJECTS("[1\v]");
    REJECTS("[1\f]");
    REJECTS("[\xc2\xa0" "1]");
    REJECTS("\xef\xbb\xbf" "1");
}

static void test_grammar_messages(void)
{
    BAD("", "empty JSON document");
    BAD(" \t\r\n", "empty JSON document");
    BAD("{\"s\":\"a\"} x", "trailing data after JSON at offset 10");
    BAD("{}{}", "trailing data after JSON at offset 2");
    BAD("{} \n,", "trailing data after JSON at offset 4");
    BAD("{\"s\":\"a\",\"b\":tru", "truncated JSON at offset 16");
    BAD("{\"s\":\"ab", "truncated JSON at offset 8");
    BAD("{\"s\":\"a\\", "truncated JSON at offset 8");
    BAD("{\"s\":\"\\u00", "truncated JSON at offset 10");
    BAD("{\"s\":\"\\ud83d", "truncated JSON at offset 12");
    BAD("{\"s\":\"\\ud83d\\", "truncated JSON at offset 13");
    BAD("{\"s\":\"\xe2\x82", "truncated JSON at offset 8");
    BAD("{\"x\":-", "truncated JSON at offset 6");
    BAD("{\"x\":1.", "truncated JSON at offset 7");
    BAD("{\"x\":1e+", "truncated JSON at offset 8");
    BAD("{\"x\":[1,", "truncated JSON at offset 8");
    BAD("{\"x\"", "truncated JSON at offset 4");
    BAD("{\"x\":1 ", "truncated JSON at offset 7");
    BAD("{\"s\":\"b\0c\"}", "NUL byte in JSON at offset 7");
    BAD("{\"s\":\"a\"}\0", "NUL byte in JSON at offset 9");
    BAD("{\"x\":\0}", "NUL byte in JSON at offset 5");
    BAD("{\"s\":\"\xe0\x80\xaf\"}", "invalid JSON at offset 6: invalid UTF-8");
    BAD("{\"s\":\"a\tb\"}", "invalid JSON at offset 7: control character in string");
    BAD("{\"x\":NaN}", "invalid JSON at offset 5: NaN and Infinity are not JSON");
    BAD("{\"x\":-Infinity}", "invalid JSON at offset 6: NaN and Infinity are not JSON");
    BAD("{\"x\":01}", "invalid JSON at offset 5: invalid number");
    BAD("{\"x\":1.e5}", "invalid JSON at offset 5: invalid number");
    BAD("{\"x\":'a'}", "invalid JSON at offset 5: unexpected character");
    BAD("{\"s\":\"\\ud800\"}", "invalid JSON at offset 6: lone UTF-16 surrogate escape");
    BAD("{\"s\":\"\\udc00\"}", "invalid JSON at offset 6: lone UTF-16 surrogate escape");
    BAD("{\"s\":\"\\q\"}", "invalid JSON at offset 6: invalid escape");
    BAD("{\"x\":1,}", "invalid JSON at offset 7: expected a string key");
    BAD("{\"x\" 1}", "invalid JSON at offset 5: expected ':'");
    BAD("{\"x\":[1 2]}", "invalid JSON at offset 8: expected ',' or ']'");
    BAD("{\"x\":1 \"y\":2}", "invalid JSON at offset 7: expected ',' or '}'");
    /* syntax errors are in `message` only; `field` stays empty */
    BADF("{\"s\":\"\\q\"}", NULL, "");
}

/* A model error and a JSON error in one document: the JSON error is
 * reported, as when json-c parsed the whole text first. */
static void test_syntax_before_model_errors(void)
{
    BADF("{\"s\":1,\"x\":[1,}", "invalid JSON at offset 14: unexpected character", "");
    BADF("{\"i32\":\"x\",\"b\":true", "truncated JSON at offset 19", "");
    BADF("{\"nums\":[1,\"x\"]} x", "trailing data after JSON at offset 17", "");
    BADF("[1,2", "truncated JSON at offset 4", "");
    BADF("[1,2]", "expected a JSON object for rd, got array", "");
    BADF("\"s\"", "expected a JSON object for rd, got string", "");
    /* without the JSON error: the model error, with its path */
    BADF("{\"s\":1,\"x\":[1]}", "s: expected string, got number", "s");
    BADF("{\"kids\":[{\"name\":\"a\"},{\"count\":\"3\"}]}", "kids[1].count: expected integer, got string",
         "kids[1].count");
}

static void test_every_prefix_is_truncated(void)
{
    const char *doc =
        "{\"s\":\"h\\u00e9llo \\ud83d\\ude00\",\"i32\":-42,\"i64\":9007199254740993,\"num\":-1.25e-3,"
        "\"b\":false,\"meta\":{\"a\":[1,2.5,\"x\"],\"b\":null},\"child\":{\"name\":\"c\",\"count\":7},"
        "\"tags\":[\"a\",\"b\"],\"scores\":{\"x\":1.5},\"nums\":[1,null,3],\"kids\":[{\"name\":\"k\"}],"
        "\"dt\":\"2025-02-19T20:52:27.363244+00:00\",\"color\":\"green\",\"unknown\":[true,{\"q\":\"\xc3\xa9\"}]}";
    size_t n = strlen(doc);
    rd *m = ok(doc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_STRING_EQUAL(m->s.value, "h\xc3\xa9llo \xf0\x9f\x98\x80");
    CU_ASSERT_EQUAL(m->i64.value, 9007199254740993LL);
    CU_ASSERT_EQUAL(m->num.value, -1.25e-3);
    openrouter_model_free(m);
    int all_truncated = 1;
    for (size_t k = 1; k < n; k++) {
        openrouter_error err = OPENROUTER_ERROR_INIT;
        CU_ASSERT_EQUAL(decode_n(doc, k, 0, 0, &m, &err), OPENROUTER_EDECODE);
        char want[64];
        snprintf(want, sizeof want, "truncated JSON at offset %zu", k);
        if (strcmp(err.message, want) != 0) {
            all_truncated = 0;
            fprintf(stderr, "\n  prefix %zu: %s\n", k, err.message);
        }
        openrouter_error_clear(&err);
    }
    CU_ASSERT_TRUE(all_truncated);
}

/* ---- strings ---------------------------------------------------------------- */

static void test_strings(void)
{
    rd *m = ok("{\"s\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00e9\\u20ac\\ud83d\\ude00\\uDBFF\\uDFFF\","
               "\"tags\":[\"plain\",\"\",\"\\u00e9t\\u00e9\",\"tail\\n\"]}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_STRING_EQUAL(m->s.value, "\"\\/\b\f\n\r\tA\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf");
    CU_ASSERT_EQUAL_FATAL(m->tags.count, 4);
    CU_ASSERT_STRING_EQUAL(m->tags.items[0].value, "plain");
    CU_ASSERT_STRING_EQUAL(m->tags.items[1].value, "");
    CU_ASSERT_STRING_EQUAL(m->tags.items[2].value, "\xc3\xa9t\xc3\xa9");
    CU_ASSERT_STRING_EQUAL(m->tags.items[3].value, "tail\n");
    openrouter_model_free(m);

    /* raw UTF-8 kept as it is, DEL allowed */
    m = ok("{\"s\":\"\x7f\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 long enough to take the eight-byte path\"}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_STRING_EQUAL(m->s.value, "\x7f\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 long enough to take the eight-byte path");
    openrouter_model_free(m);

    /* \u0000 cannot live in a C string */
    BADF("{\"s\":\"a\\u0000b\"}", "s: string contains a NUL character", "s");
    BADF("{\"tags\":[\"ok\",\"\\u0000\"]}", "tags[1]: string contains a NUL character", "tags[1]");
    BADF("{\"scores\":{\"a\\u0000\":1}}", "scores[0]: map key contains a NUL character", "scores[0]");
    /* ... but in an unknown member's key it simply names no field */
    m = ok("{\"s\\u0000x\":1,\"s\":\"v\"}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_STRING_EQUAL(m->s.value, "v");
    openrouter_model_free(m);

    /* escaped member names match their fields */
    m = ok("{\"\\u0073\":\"v\",\"ch\\u0069ld\":{\"n\\u0061me\":\"n\"},\"\\u00e9\":1}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_STRING_EQUAL(m->s.value, "v");
    CU_ASSERT_STRING_EQUAL(m->child.value.name.value, "n");
    openrouter_model_free(m);

    /* names that share a prefix with a field do not match it */
    m = ok("{\"i\":1,\"i3\":2,\"i322\":3,\"I32\":4,\"s \":5}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_EQUAL(m->i32.state, OPENROUTER_ABSENT);
    CU_ASSERT_EQUAL(m->s.state, OPENROUTER_ABSENT);
    openrouter_model_free(m);

    /* enum: known, unknown, escaped */
    m = ok("{\"color\":\"gr\\u0065en\"}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_EQUAL(m->color.value, 2);
    CU_ASSERT_STRING_EQUAL(m->color.text, "green");
    openrouter_model_free(m);
    m = ok("{\"color\":\"greenish\"}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_EQUAL(m->color.value, 0);
    CU_ASSERT_STRING_EQUAL(m->color.text, "greenish");
    openrouter_model_free(m);

    /* date-times are validated */
    m = ok("{\"dt\":\"2025-02-19T20:52:27.363244+00:00\"}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_STRING_EQUAL(m->dt.value, "2025-02-19T20:52:27.363244+00:00");
    openrouter_model_free(m);
    BADF("{\"dt\":\"2025-02-19 20:52:27Z\"}", "dt: invalid date-time (expected RFC 3339)", "dt");
}

/* ---- JSON-kind members ---------------------------------------------------------- */

static void test_json_kind(void)
{
    rd *m = ok("{\"meta\" : { \"a\" : \"x \\\" y , ]\" ,\r\n\t\"b\" : [ 1 , -2.50e+3 , true , null , { } , [ ] ] } }");
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_STRING_EQUAL(m->meta.value, "{\"a\":\"x \\\" y , ]\",\"b\":[1,-2.50e+3,true,null,{},[]]}");
    openrouter_model_free(m);
    /* scalars, escapes and the spelling of numbers as received */
    m = ok("{\"meta\":\"\\u00e9\\/\\u0000\"}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_STRING_EQUAL(m->meta.value, "\"\\u00e9\\/\\u0000\"");
    openrouter_model_free(m);
    m = ok("{\"meta\":-0.0e0}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_STRING_EQUAL(m->meta.value, "-0.0e0");
    openrouter_model_free(m);
    m = ok("{\"meta\":null}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_EQUAL(m->meta.state, OPENROUTER_NULL);
    CU_ASSERT_PTR_NULL(m->meta.value);
    openrouter_model_free(m);
    m = ok("{\"meta\":[null]}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_STRING_EQUAL(m->meta.value, "[null]");
    openrouter_model_free(m);
    /* and what is kept encodes back unchanged */
    m = ok("{\"s\":\"x\",\"meta\":{\"k\":[1,{\"z\":\"\\n\"}]}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    char *json = NULL;
    m->wo = OPENROUTER_STRING("w"); /* write-only and required: must be sent */
    CU_ASSERT_EQUAL_FATAL(openrouter_model_encode(&rd_desc, m, &json, NULL, NULL), OPENROUTER_OK);
    CU_ASSERT_STRING_EQUAL(json, "{\"s\":\"x\",\"meta\":{\"k\":[1,{\"z\":\"\\n\"}]},\"wo\":\"w\"}");
    openrouter_buffer_free(json);
    openrouter_model_free(m);
}

/* ---- numbers ------------------------------------------------------------------ */

static double num_of(const char *lit, int *ok_out)
{
    char doc[2048];
    snprintf(doc, sizeof doc, "{\"num\":%s}", lit);
    rd *m = NULL;
    double v = NAN;
    /* accepted: the number is held (out of range, default mode leaves it
     * ABSENT with a warning) */
    *ok_out = decode_n(doc, strlen(doc), 0, 0, &m, NULL) == OPENROUTER_OK && m->num.state == OPENROUTER_PRESENT;
    if (*ok_out)
        v = m->num.value;
    openrouter_model_free(m);
    return v;
}

static void check_num(const char *lit, double want)
{
    int okay;
    double got = num_of(lit, &okay);
    CU_ASSERT_TRUE(okay);
    CU_ASSERT_TRUE(memcmp(&got, &want, sizeof got) == 0); /* bit for bit: -0 too */
    if (!okay || memcmp(&got, &want, sizeof got) != 0)
        fprintf(stderr, "\n  number %s: got %.17g want %.17g (%s)\n", lit, got, want, okay ? "ok" : "rejected");
}

static void check_int64(const char *lit, int ok_want, long long want)
{
    char doc[256];
    snprintf(doc, sizeof doc, "{\"s\":\"x\",\"i64\":%s}", lit); /* s: required */
    rd *m = NULL;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    /* Default mode: a value the slot cannot hold is left ABSENT, warned. */
    CU_ASSERT_EQUAL_FATAL(decode_n(doc, strlen(doc), 0, 0, &m, NULL), OPENROUTER_OK);
    CU_ASSERT_EQUAL(m->i64.state, ok_want ? OPENROUTER_PRESENT : OPENROUTER_ABSENT);
    size_t warned = 0;
    openrouter_model_warnings(m, &warned);
    CU_ASSERT_EQUAL(warned, ok_want ? 0 : 1);
    openrouter_model_free(m);
    int rc = decode_n(doc, strlen(doc), 1, 0, &m, &err); /* strict: refused */
    CU_ASSERT_EQUAL(rc == OPENROUTER_OK, ok_want);
    if (rc == OPENROUTER_OK) {
        CU_ASSERT_EQUAL(m->i64.value, want);
        if (m->i64.value != want)
            fprintf(stderr, "\n  i64 %s: got %lld want %lld\n", lit, (long long)m->i64.value, want);
        openrouter_model_free(m);
    } else if (ok_want) {
        fprintf(stderr, "\n  i64 %s: %s\n", lit, err.message);
    }
    openrouter_error_clear(&err);
}

static void test_numbers(void)
{
    /* the exact fast path and strtod agree with the C library */
    const char *lits[] = {"0.1", "-0.1", "3.14159", "998.268855261", "1e22", "1e23", "9007199254740993.5",
                          "0.30000000000000004", "2.2250738585072014e-308", "2.2250738585072011e-308",
                          "4.9e-324", "1.7976931348623157e308", "123456789012345678901234567890.5",
                          "0.000000000000000000000000000001", "1.00000000000000011102230246251565404236316680908203125",
                          "7.038531e-26", "15.8467", "12345.6789e-3", "1E5", "-1.5e+300", "5e-324"};
    for (size_t i = 0; i < sizeof lits / sizeof lits[0]; i++)
        check_num(lits[i], strtod(lits[i], NULL));
    /* integer literals: as json-c's int64/uint64 gave them */
    check_num("0", 0.0);
    check_num("-0", 0.0);           /* an integer: no sign */
    check_num("-0.0", -0.0);        /* a double keeps it */
    check_num("-0e5", -0.0);
    check_num("7", 7.0);
    check_num("-9223372036854775807", -9223372036854775807.0);
    check_num("12345678901234567890", 12345678901234567890.0);
    check_num("18446744073709551614", 18446744073709551614.0);
    check_num("1e-400", 0.0);       /* underflow: 0, as strtod gives */
    check_num("-1e-400", -0.0);
    /* a 1,000-digit mantissa (the slow path copies it to the heap) */
    char big[1100] = "0.";
    memset(big + 2, '3', 1000);
    big[1002] = '\0';
    check_num(big, strtod(big, NULL));
    int okay;
    num_of("1e400", &okay);
    CU_ASSERT_FALSE(okay);
    BADF("{\"num\":1e400}", "num: number out of range", "num");
    BADF("{\"num\":-1e400}", "num: number out of range", "num");
    BADF("{\"num\":99999999999999999999}", "num: number out of range", "num");
    BADF("{\"num\":18446744073709551615}", "num: number out of range", "num");
    BADF("{\"num\":-9223372036854775808}", "num: number out of range", "num");
    BADF("{\"num\":\"1\"}", "num: expected number, got string", "num");

    /* integers, checked from the digits */
    check_int64("9223372036854775807", 1, INT64_MAX);
    check_int64("-9223372036854775807", 1, -INT64_MAX);
    check_int64("-9223372036854775808", 0, 0);
    check_int64("9223372036854775808", 0, 0);
    check_int64("-0", 1, 0);
    check_int64("-0.0", 1, 0);
    check_int64("0e999999999999", 1, 0);
    check_int64("5.0", 1, 5);
    check_int64("0.5e1", 1, 5);
    check_int64("50e-1", 1, 5);
    check_int64("1e3", 1, 1000);
    check_int64("1E18", 1, 1000000000000000000LL);
    check_int64("1e19", 0, 0);
    check_int64("9223372036854775807e0", 1, INT64_MAX);
    check_int64("922337203685477580.7e1", 1, INT64_MAX);
    check_int64("92233720368547758070e-1", 1, INT64_MAX);
    check_int64("92233720368547758080e-1", 0, 0);
    check_int64("100000000000000000000e-2", 1, 1000000000000000000LL);
    check_int64("9007199254740993.0", 1, 9007199254740993LL); /* no rounding through double */
    check_int64("1.00000000000000000001", 0, 0);               /* a fraction, however small */
    check_int64("1e-400", 0, 0);
    check_int64("0.5", 0, 0);
    check_int64("1e999999999999", 0, 0);
    check_int64("123456789012345678901234567890", 0, 0);
    BADF("{\"i64\":1.5}", "i64: expected integer, got number with a fraction", "i64");
    BADF("{\"i64\":1.00000000000000000001}", "i64: expected integer, got number with a fraction", "i64");
    BADF("{\"i64\":1e-400}", "i64: expected integer, got number with a fraction", "i64");
    BADF("{\"i64\":1e19}", "i64: integer out of range", "i64");
    BADF("{\"i64\":12345678901234567890.5}", "i64: integer out of range", "i64");
    BADF("{\"i32\":2147483648}", "i32: integer out of range", "i32");
    BADF("{\"i32\":-2147483649}", "i32: integer out of range", "i32");
    BADF("{\"i32\":21474836.48e2}", "i32: integer out of range", "i32");
    rd *m = ok("{\"i32\":-2147483648,\"i64\":-0}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_EQUAL(m->i32.value, INT32_MIN);
    openrouter_model_free(m);
    m = ok("{\"i32\":21474836.47e2}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_EQUAL(m->i32.value, INT32_MAX);
    openrouter_model_free(m);
    /* unknown members: any valid number */
    m = ok("{\"x\":1e999999999999999999,\"y\":-123456789012345678901234567890e-99999}");
    CU_ASSERT_PTR_NOT_NULL(m);
    openrouter_model_free(m);
}

/* The decimal point is '.', whatever locale the application set (here
 * for this thread, with uselocale(), which strtod honours too). */
static void test_numbers_locale(void)
{
    const char *names[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8", "nl_NL.UTF-8", "ru_RU.UTF-8"};
    locale_t loc = (locale_t)0;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && loc == (locale_t)0; i++)
        loc = newlocale(LC_NUMERIC_MASK, names[i], (locale_t)0);
    if (loc == (locale_t)0) {
        fprintf(stderr, "(no locale with a decimal comma installed: skipped) ");
        return;
    }
    locale_t old = uselocale(loc);
    CU_ASSERT_EQUAL(strtod("1,5", NULL), 1.5); /* the locale is in force */
    check_num("1.5", 1.5);
    check_num("0.30000000000000004", 0.30000000000000004);
    check_num("123456789012345678901234567890.5", 1.2345678901234568e29);
    check_num("2.2250738585072011e-308", 2.2250738585072009e-308);
    uselocale(old);
    freelocale(loc);
}

/* ---- depth --------------------------------------------------------------------- */

static char *nested_doc(const char *member, size_t depth, int objects, size_t *len)
{
    size_t n = strlen(member) + 8 + depth * 6 + 2;
    char *s = malloc(n), *p = s;
    p += sprintf(p, "{\"%s\":", member);
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
    *p++ = '}';
    *len = (size_t)(p - s);
    return s;
}

static int decode_nested(const char *member, size_t depth, int objects, int max_depth, openrouter_error *err)
{
    size_t len;
    char *doc = nested_doc(member, depth, objects, &len);
    rd *m = NULL;
    int rc = decode_n(doc, len, 0, max_depth, &m, err);
    openrouter_model_free(m);
    free(doc);
    return rc;
}

static void test_depth(void)
{
    const char *members[] = {"x", "meta", "nums", "tags"};
    for (size_t k = 0; k < sizeof members / sizeof members[0]; k++) {
        for (int objects = 0; objects < 2; objects++) {
            openrouter_error err = OPENROUTER_ERROR_INIT;
            /* 10,000 and 100,000 levels: an error, not a crash */
            CU_ASSERT_EQUAL(decode_nested(members[k], 10000, objects, 0, &err), OPENROUTER_EDECODE);
            CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "JSON nested deeper than 64 levels at offset"));
            openrouter_error_clear(&err);
            CU_ASSERT_EQUAL(decode_nested(members[k], 100000, objects, 0, &err), OPENROUTER_EDECODE);
            CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "nested deeper than 64"));
            openrouter_error_clear(&err);
        }
    }
    /* the top object + 62 containers + the innermost scalar = 64 levels */
    openrouter_error err = OPENROUTER_ERROR_INIT;
    CU_ASSERT_EQUAL(decode_nested("x", 62, 0, 0, NULL), OPENROUTER_OK);
    CU_ASSERT_EQUAL(decode_nested("x", 62, 1, 0, NULL), OPENROUTER_OK);
    CU_ASSERT_EQUAL(decode_nested("meta", 62, 1, 0, NULL), OPENROUTER_OK);
    CU_ASSERT_EQUAL(decode_nested("x", 63, 0, 0, &err), OPENROUTER_EDECODE);
    /* "{"x":" then 63 '[': the scalar at offset 5 + 63 is level 65 */
    CU_ASSERT_STRING_EQUAL(err.message, "JSON nested deeper than 64 levels at offset 68");
    openrouter_error_clear(&err);
    /* a smaller limit */
    CU_ASSERT_EQUAL(decode_nested("x", 2, 0, 4, NULL), OPENROUTER_OK);
    CU_ASSERT_EQUAL(decode_nested("x", 3, 0, 4, &err), OPENROUTER_EDECODE);
    CU_ASSERT_STRING_EQUAL(err.message, "JSON nested deeper than 4 levels at offset 8");
    openrouter_error_clear(&err);
    /* [[]] is 2 levels, [[1]] is 3 */
    rd *m = NULL;
    CU_ASSERT_EQUAL(decode_n("{\"x\":[]}", 8, 0, 2, &m, NULL), OPENROUTER_OK);
    openrouter_model_free(m);
    CU_ASSERT_EQUAL(decode_n("{\"x\":[1]}", 9, 0, 2, &m, NULL), OPENROUTER_EDECODE);
    CU_ASSERT_EQUAL(decode_n("{\"x\":{}}", 8, 0, 1, &m, NULL), OPENROUTER_EDECODE);
    CU_ASSERT_EQUAL(decode_n("{}", 2, 0, 1, &m, NULL), OPENROUTER_OK);
    openrouter_model_free(m);
    /* a large limit is capped (the skip stack is bounded), not trusted */
    CU_ASSERT_EQUAL(decode_nested("x", 4000, 0, 1000000, NULL), OPENROUTER_OK);
    CU_ASSERT_EQUAL(decode_nested("x", 4000, 1, 1000000, NULL), OPENROUTER_OK);
    CU_ASSERT_EQUAL(decode_nested("x", OR_JR_MAX_DEPTH, 0, 1000000, &err), OPENROUTER_EDECODE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "nested deeper than 4096"));
    openrouter_error_clear(&err);
}

/* ---- duplicates, arrays, maps ------------------------------------------------- */

static void test_duplicates(void)
{
    rd *m = ok("{\"s\":\"a\",\"s\":\"b\"}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_STRING_EQUAL(m->s.value, "b");
    openrouter_model_free(m);
    /* the last one wins whole: nothing of the first object is left */
    m = ok("{\"child\":{\"name\":\"a\",\"count\":1},\"child\":{\"count\":2}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_EQUAL(m->child.value.name.state, OPENROUTER_ABSENT);
    CU_ASSERT_EQUAL(m->child.value.count.value, 2);
    openrouter_model_free(m);
    m = ok("{\"num\":1,\"num\":null}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_EQUAL(m->num.state, OPENROUTER_NULL);
    openrouter_model_free(m);
    m = ok("{\"tags\":[\"a\",\"b\"],\"tags\":[]}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_EQUAL(m->tags.state, OPENROUTER_PRESENT);
    CU_ASSERT_EQUAL(m->tags.count, 0);
    CU_ASSERT_PTR_NULL(m->tags.items);
    openrouter_model_free(m);
    /* each occurrence must decode (json-c dropped all but the last unseen) */
    BADF("{\"s\":1,\"s\":\"x\"}", "s: expected string, got number", "s");
    /* strict: a duplicate does not hide a missing field, nor invent one */
    or_decode_options strict = {.strict = 1};
    void *out = NULL;
    CU_ASSERT_EQUAL(or_model_decode(&rd_desc, "{\"s\":\"a\",\"s\":\"b\"}", 17, &strict, &out, NULL), OPENROUTER_OK);
    openrouter_model_free(out);
    openrouter_error err = OPENROUTER_ERROR_INIT;
    CU_ASSERT_EQUAL(or_model_decode(&rd_desc, "{\"child\":{\"name\":\"a\"},\"child\":{},\"s\":\"x\"}", 41, &strict, &out,
                                    &err), OPENROUTER_EDECODE);
    CU_ASSERT_STRING_EQUAL(err.field, "child.name");
    openrouter_error_clear(&err);

    /* maps: one entry per key, the last value, at the first position */
    m = ok("{\"scores\":{\"a\":1,\"b\":2,\"a\":3,\"c\":4,\"b\":5,\"a\":6}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_EQUAL_FATAL(m->scores.count, 3);
    CU_ASSERT_STRING_EQUAL(m->scores.entries[0].key, "a");
    CU_ASSERT_EQUAL(m->scores.entries[0].value.value, 6);
    CU_ASSERT_STRING_EQUAL(m->scores.entries[1].key, "b");
    CU_ASSERT_EQUAL(m->scores.entries[1].value.value, 5);
    CU_ASSERT_STRING_EQUAL(m->scores.entries[2].key, "c");
    CU_ASSERT_EQUAL(m->scores.entries[2].value.value, 4);
    openrouter_model_free(m);
    /* escaped and plain spellings of one key are one key */
    m = ok("{\"scores\":{\"\\u0061\":1,\"a\":2}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_EQUAL_FATAL(m->scores.count, 1);
    CU_ASSERT_EQUAL(m->scores.entries[0].value.value, 2);
    openrouter_model_free(m);

    /* a large map with every key twice stays fast (hash index) and exact */
    or_buf b = OR_BUF_INIT;
    size_t n = 20000;
    CU_ASSERT_EQUAL_FATAL(or_buf_puts(&b, "{\"scores\":{"), 0);
    for (size_t i = 0; i < 2 * n; i++)
        CU_ASSERT_EQUAL_FATAL(or_buf_printf(&b, "%s\"k%zu\":%zu", i ? "," : "", i % n, i), 0);
    CU_ASSERT_EQUAL_FATAL(or_buf_puts(&b, "}}"), 0);
    rd *big = NULL;
    CU_ASSERT_EQUAL_FATAL(decode_n(b.data, b.len, 0, 0, &big, NULL), OPENROUTER_OK);
    CU_ASSERT_EQUAL(big->scores.count, n);
    int all_ok = 1;
    for (size_t i = 0; i < n; i++) {
        char want[32];
        snprintf(want, sizeof want, "k%zu", i);
        all_ok &= strcmp(big->scores.entries[i].key, want) == 0 && big->scores.entries[i].value.value == (double)(n + i);
    }
    CU_ASSERT_TRUE(all_ok);
    openrouter_model_free(big);
    or_buf_free(&b);
}

static void test_arrays_and_maps(void)
{
    /* the pre-scan counts items, not the brackets and commas in strings */
    rd *m = ok("{\"tags\":[\"a,b\",\"c]d\",\"e\\\"],f\",\"{[\\\\\"],\"nums\":[ 1 , 2 ,3 ],"
               "\"kids\":[{\"name\":\"x,]\",\"extra\":[1,[2,{\"q\":\"]\"}]]},{\"name\":\"y\"}]}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_EQUAL_FATAL(m->tags.count, 4);
    CU_ASSERT_STRING_EQUAL(m->tags.items[2].value, "e\"],f");
    CU_ASSERT_STRING_EQUAL(m->tags.items[3].value, "{[\\");
    CU_ASSERT_EQUAL_FATAL(m->nums.count, 3);
    CU_ASSERT_EQUAL(m->nums.items[2].value, 3);
    CU_ASSERT_EQUAL_FATAL(m->kids.count, 2);
    CU_ASSERT_STRING_EQUAL(m->kids.items[0].name.value, "x,]");
    CU_ASSERT_STRING_EQUAL(m->kids.items[1].name.value, "y");
    openrouter_model_free(m);
    m = ok("{\"tags\":[ ],\"scores\":{ },\"kids\":[null]}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_EQUAL(m->tags.state, OPENROUTER_PRESENT);
    CU_ASSERT_EQUAL(m->tags.count, 0);
    CU_ASSERT_PTR_NULL(m->tags.items);
    CU_ASSERT_EQUAL(m->scores.state, OPENROUTER_PRESENT);
    CU_ASSERT_EQUAL(m->scores.count, 0);
    CU_ASSERT_EQUAL(m->kids.count, 1);
    CU_ASSERT_EQUAL(m->kids.items[0].name.state, OPENROUTER_ABSENT);
    openrouter_model_free(m);
    /* paths */
    BADF("{\"scores\":{\"a\":1,\"b c\":\"x\"}}", "scores.b c: expected number, got string", "scores.b c");
    BADF("{\"nums\":[1,2,true]}", "nums[2]: expected integer, got boolean", "nums[2]");
    BADF("{\"kids\":[{\"name\":\"a\"},[]]}", "kids[1]: expected object, got array", "kids[1]");
    BADF("{\"tags\":{}}", "tags: expected array, got object", "tags");
    BADF("{\"scores\":[]}", "scores: expected object, got array", "scores");
    BADF("{\"b\":0}", "b: expected boolean, got number", "b");
    BADF("{\"child\":\"c\"}", "child: expected object, got string", "child");
    /* malformed arrays: the pre-scan may count more or fewer, the reader decides */
    BAD("{\"nums\":[1 2]}", "invalid JSON at offset 11: expected ',' or ']'");
    BAD("{\"nums\":[1,,2]}", "invalid JSON at offset 11: unexpected character");
    BAD("{\"nums\":[1,2}", "invalid JSON at offset 12: expected ',' or ']'");
    BAD("{\"scores\":{\"a\":1 \"b\":2}}", "invalid JSON at offset 17: expected ',' or '}'");
    /* write-only members are skipped (still validated) */
    m = ok("{\"wo\":\"secret\",\"s\":\"x\"}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_EQUAL(m->wo.state, OPENROUTER_ABSENT);
    openrouter_model_free(m);
    BAD("{\"wo\":\"\\x\"}", "invalid JSON at offset 7: invalid escape");
}

/* Allocation failures at every step: ENOMEM and nothing leaked. */
static void test_alloc_failures(void)
{
    char big[200];
    memset(big, '7', sizeof big);
    char doc[600];
    snprintf(doc, sizeof doc,
             "{\"s\":\"a\\u00e9\",\"num\":0.%.*s,\"meta\":{\"k\":[1, 2]},\"tags\":[\"x\",\"y\"],"
             "\"scores\":{\"a\":1,\"a\":2,\"b\":3},\"kids\":[{\"name\":\"k\"}]}",
             (int)sizeof big, big);
    int done = 0;
    long failures = 0;
    for (long nth = 1; nth < 100 && !done; nth++) {
        rd *m = NULL;
        openrouter_error err = OPENROUTER_ERROR_INIT;
        or_test_fail_alloc(nth);
        int rc = decode_n(doc, strlen(doc), 0, 0, &m, &err);
        or_test_fail_alloc(0);
        if (rc == OPENROUTER_OK) {
            CU_ASSERT_EQUAL(m->scores.count, 2);
            openrouter_model_free(m);
            done = 1;
        } else {
            CU_ASSERT_EQUAL(rc, OPENROUTER_ENOMEM);
            failures++;
        }
        openrouter_error_clear(&err);
    }
    CU_ASSERT_TRUE(done);
    CU_ASSERT_TRUE(failures >= 3); /* the arena, the long number's copy, the map index */
}

/* ---- the reader on its own ------------------------------------------------------ */

static void test_reader_direct(void)
{
    or_jr r;
    const char *text = "[1, \"a\", {\"k\": [true, null]}, 2.5]  ";
    or_jr_init(&r, text, strlen(text), 0);
    CU_ASSERT_EQUAL(or_jr_validate(&r), 0);
    CU_ASSERT_EQUAL(r.pos, strlen(text));

    or_jr_init(&r, text, strlen(text), 0);
    CU_ASSERT_EQUAL(or_jr_peek(&r), OR_JT_ARRAY);
    or_jr_begin(&r);
    CU_ASSERT_EQUAL(or_jr_count_items(&r), 4);
    CU_ASSERT_EQUAL(or_jr_item(&r, 0), 1);
    CU_ASSERT_EQUAL(or_jr_peek(&r), OR_JT_NUMBER);
    or_jr_num num;
    CU_ASSERT_EQUAL(or_jr_number(&r, &num), 0);
    CU_ASSERT_TRUE(num.is_int);
    CU_ASSERT_EQUAL(num.mant, 1);
    CU_ASSERT_EQUAL(or_jr_item(&r, 1), 1);
    CU_ASSERT_EQUAL(or_jr_peek(&r), OR_JT_STRING);
    or_jr_str str;
    CU_ASSERT_EQUAL(or_jr_string(&r, &str), 0);
    CU_ASSERT_EQUAL(str.len, 1);
    CU_ASSERT_EQUAL(text[str.start], 'a');
    CU_ASSERT_EQUAL(or_jr_item(&r, 2), 1);
    CU_ASSERT_EQUAL(or_jr_peek(&r), OR_JT_OBJECT);
    size_t start = r.pos;
    CU_ASSERT_EQUAL(or_jr_skip(&r), 0);
    char compact[64];
    size_t n = or_jr_compact(text + start, r.pos - start, compact);
    CU_ASSERT_EQUAL(n, strlen("{\"k\":[true,null]}"));
    CU_ASSERT_EQUAL(memcmp(compact, "{\"k\":[true,null]}", n), 0);
    CU_ASSERT_EQUAL(or_jr_item(&r, 3), 1);
    CU_ASSERT_EQUAL(or_jr_skip(&r), 0);
    CU_ASSERT_EQUAL(or_jr_item(&r, 4), 0);
    CU_ASSERT_EQUAL(r.depth, 0);
    CU_ASSERT_EQUAL(or_jr_end(&r), 0);

    /* length-bounded: nothing past the given length is read */
    or_jr_init(&r, "[1]garbage", 3, 0);
    CU_ASSERT_EQUAL(or_jr_validate(&r), 0);
    or_jr_init(&r, "{\"a\":1}", 6, 0);
    CU_ASSERT_EQUAL(or_jr_validate(&r), -1);
    CU_ASSERT_EQUAL(r.err, OR_JR_E_TRUNCATED);
    or_jr_init(&r, NULL, 0, 0);
    CU_ASSERT_EQUAL(or_jr_validate(&r), -1);
    CU_ASSERT_EQUAL(r.err, OR_JR_E_EMPTY);
    /* top-level scalars are fine for the reader */
    or_jr_init(&r, " -12.5e1 ", 9, 0);
    CU_ASSERT_EQUAL(or_jr_validate(&r), 0);

    /* unescape */
    const char esc[] = "a\\u00e9\\ud83d\\ude00\\n\\/\\\"z";
    char out[sizeof esc];
    n = or_jr_unescape(esc, sizeof esc - 1, out);
    CU_ASSERT_EQUAL(n, 11);
    CU_ASSERT_EQUAL(memcmp(out, "a\xc3\xa9\xf0\x9f\x98\x80\n/\"z", 11), 0);
}

int main(void)
{
    if (or_test_fail_alloc_install(NULL) != 0)
        return 1;
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("json_reader", NULL, NULL);
    CU_add_test(s, "grammar: values accepted and rejected (agrees with json-c)", test_grammar_values);
    CU_add_test(s, "grammar: error messages and offsets", test_grammar_messages);
    CU_add_test(s, "JSON errors win over model errors", test_syntax_before_model_errors);
    CU_add_test(s, "every prefix of a document is truncated", test_every_prefix_is_truncated);
    CU_add_test(s, "strings, escapes, keys", test_strings);
    CU_add_test(s, "JSON-kind members", test_json_kind);
    CU_add_test(s, "numbers", test_numbers);
    CU_add_test(s, "numbers under a decimal-comma locale", test_numbers_locale);
    CU_add_test(s, "depth limit", test_depth);
    CU_add_test(s, "duplicate members and map keys", test_duplicates);
    CU_add_test(s, "arrays and maps", test_arrays_and_maps);
    CU_add_test(s, "allocation failures", test_alloc_failures);
    CU_add_test(s, "the reader on its own", test_reader_direct);
    return or_test_run();
}
