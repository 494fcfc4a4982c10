/* Unit tests for runtime/src/request.c: the one control-character rule
 * (or_wire_text_ok) as a table, and parameters as text (or_param_to_text). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "internal.h"
#include "request.h"
#include "test_util.h"

/* ---- the control-character rule ---------------------------------------------- */

/* Every byte value, against both rules: what the rule says, in one table. */
static void test_wire_rule_every_byte(void)
{
    for (int c = 0; c < 256; c++) {
        char s[3] = {'a', (char)c, 'b'};
        int control = c < 0x20 || c == 0x7f;
        CU_ASSERT_EQUAL(or_wire_text_ok(s, 3, OR_WIRE_VALUE), !control);
        CU_ASSERT_EQUAL(or_wire_text_ok(s, 3, OR_WIRE_TOKEN), !control && c != ' ');
    }
}

static const struct wire_case {
    const char *what;
    const char *text;
    size_t len; /* 0: strlen(text) */
    int value_ok, token_ok;
} wire_cases[] = {
    {"empty", "", 0, 1, 1},
    {"plain", "My App/1.0 (+https://example.test)", 0, 1, 0},
    {"token", "sk-or-v1-0123456789abcdef", 0, 1, 1},
    {"URL", "https://openrouter.ai/api/v1", 0, 1, 1},
    {"UTF-8", "caf\xc3\xa9 \xe2\x82\xac", 0, 1, 0},
    {"space only", " ", 0, 1, 0},
    {"CRLF injection", "a\r\nX-Evil: 1", 0, 0, 0},
    {"LF", "a\nb", 0, 0, 0},
    {"CR", "a\rb", 0, 0, 0},
    {"HTAB inside (RFC 9110 would allow it in a header; refused)", "tab\there", 0, 0, 0},
    {"HTAB at the end", "a\t", 0, 0, 0},
    {"DEL", "del\x7f", 0, 0, 0},
    {"SOH", "ua\x01", 0, 0, 0},
    {"ESC (terminal escapes)", "\x1b[31m", 0, 0, 0},
    {"NUL inside the length", "a\0b", 3, 0, 0},
    {"C1 byte as UTF-8 (U+0085)", "\xc2\x85", 0, 1, 1},
};

static void test_wire_rule_table(void)
{
    for (size_t i = 0; i < sizeof wire_cases / sizeof wire_cases[0]; i++) {
        const struct wire_case *k = &wire_cases[i];
        size_t n = k->len ? k->len : strlen(k->text);
        int value_ok = or_wire_text_ok(k->text, n, OR_WIRE_VALUE);
        int token_ok = or_wire_text_ok(k->text, n, OR_WIRE_TOKEN);
        CU_ASSERT_EQUAL(value_ok, k->value_ok);
        CU_ASSERT_EQUAL(token_ok, k->token_ok);
        if (value_ok != k->value_ok || token_ok != k->token_ok)
            fprintf(stderr, "\n  %s: value %d (want %d), token %d (want %d)\n", k->what, value_ok, k->value_ok,
                    token_ok, k->token_ok);
    }
}

/* The table's rule is the one every caller applies: client options (a
 * header value; the key and base URL as tokens), header and path
 * parameters. Query values are exempt (percent-encoded). */
static void test_wire_rule_callers(void)
{
    for (size_t i = 0; i < sizeof wire_cases / sizeof wire_cases[0]; i++) {
        const struct wire_case *k = &wire_cases[i];
        if (k->len)
            continue; /* a C string cannot hold the NUL case */
        openrouter_client_options o = OPENROUTER_CLIENT_OPTIONS_INIT;
        o.api_key = "sk-or-v1-test";
        o.base_url = "http://127.0.0.1:9/api/v1";
        o.app_title = k->text;
        openrouter_client *c = NULL;
        openrouter_error err = OPENROUTER_ERROR_INIT;
        int rc = openrouter_client_new(&c, &o, &err);
        CU_ASSERT_EQUAL(rc == OPENROUTER_OK, k->value_ok);
        if (rc != OPENROUTER_OK)
            CU_ASSERT_STRING_EQUAL(err.field, "app_title");
        openrouter_client_free(c);
        openrouter_error_clear(&err);
        if (*k->text) {
            o.app_title = NULL;
            o.api_key = k->text;
            c = NULL;
            rc = openrouter_client_new(&c, &o, &err);
            CU_ASSERT_EQUAL(rc == OPENROUTER_OK, k->token_ok);
            if (rc != OPENROUTER_OK)
                CU_ASSERT_STRING_EQUAL(err.field, "api_key");
            openrouter_client_free(c);
            openrouter_error_clear(&err);
        }
        const openrouter_type_desc *t_str = &openrouter_string_type_desc;
        openrouter_param_desc header = {"X-Title", OPENROUTER_PARAM_HEADER, 0, t_str, 0, -1, -1, 0, 0, NULL};
        openrouter_param_desc query = {"q", OPENROUTER_PARAM_QUERY, 0, t_str, 0, -1, -1, 0, 0, NULL};
        openrouter_param_desc path = {"hash", OPENROUTER_PARAM_PATH, 0, NULL, OPENROUTER_F_REQUIRED, -1, -1, 0, 0,
                                      NULL};
        openrouter_string s = OPENROUTER_STRING((char *)k->text);
        or_buf b = OR_BUF_INIT;
        CU_ASSERT_EQUAL(or_param_to_text(&header, &s, &b, NULL) == OPENROUTER_OK, k->value_ok);
        CU_ASSERT_EQUAL(or_param_to_text(&query, &s, &b, NULL), OPENROUTER_OK);
        if (*k->text && strcmp(k->text, ".") != 0 && !strpbrk(k->text, "/\\%"))
            CU_ASSERT_EQUAL(or_param_to_text(&path, &k->text, &b, NULL) == OPENROUTER_OK, k->value_ok);
        or_buf_free(&b);
    }
}

/* ---- test types ------------------------------------------------------------------ */

static const char *const color_values[] = {"red", "green", "blue"};
static const openrouter_enum_desc color_enum = {"test_color", 3, color_values};
enum { COLOR_RED = 1, COLOR_GREEN = 2, COLOR_BLUE = 3 };

static const openrouter_type_desc t_color = {.kind = OPENROUTER_KIND_ENUM, .slot_size = sizeof(openrouter_enum_value),
                                             .enumeration = &color_enum};

/* ---- parameters ----------------------------------------------------------- */

static int param_text(const openrouter_param_desc *p, const void *slot, char *got, size_t size, openrouter_error *err)
{
    or_buf b = OR_BUF_INIT;
    int rc = or_param_to_text(p, slot, &b, err);
    snprintf(got, size, "%s", b.data ? b.data : "");
    or_buf_free(&b);
    return rc;
}

static void test_params(void)
{
    char got[128];
    openrouter_error err = OPENROUTER_ERROR_INIT;
    openrouter_param_desc q_int = {"offset", OPENROUTER_PARAM_QUERY, 0, &openrouter_int32_type_desc,
                                   OPENROUTER_F_HAS_MINIMUM, -1, -1, 0, 0, NULL};
    openrouter_int32 i = OPENROUTER_INT32(20);
    CU_ASSERT_EQUAL(param_text(&q_int, &i, got, sizeof got, &err), OPENROUTER_OK);
    CU_ASSERT_STRING_EQUAL(got, "20");
    i.value = -1;
    CU_ASSERT_EQUAL(param_text(&q_int, &i, got, sizeof got, &err), OPENROUTER_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.field, "offset");
    CU_ASSERT_STRING_EQUAL(err.message, "offset: must be >= 0");
    openrouter_error_clear(&err);
    i.state = OPENROUTER_ABSENT;
    CU_ASSERT_EQUAL(param_text(&q_int, &i, got, sizeof got, &err), OR_PARAM_ABSENT);
    q_int.flags |= OPENROUTER_F_REQUIRED;
    CU_ASSERT_EQUAL(param_text(&q_int, &i, got, sizeof got, &err), OPENROUTER_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.message, "offset: required parameter missing");
    openrouter_error_clear(&err);

    openrouter_param_desc q_bool = {"include_disabled", OPENROUTER_PARAM_QUERY, 0, &openrouter_bool_type_desc,
                                    0, -1, -1, 0, 0, NULL};
    openrouter_bool b = OPENROUTER_BOOL(true);
    CU_ASSERT_EQUAL(param_text(&q_bool, &b, got, sizeof got, NULL), OPENROUTER_OK);
    CU_ASSERT_STRING_EQUAL(got, "true");
    b.value = false;
    CU_ASSERT_EQUAL(param_text(&q_bool, &b, got, sizeof got, NULL), OPENROUTER_OK);
    CU_ASSERT_STRING_EQUAL(got, "false");

    openrouter_param_desc q_i64 = {"n", OPENROUTER_PARAM_QUERY, 0, &openrouter_int64_type_desc,
                                   OPENROUTER_F_HAS_MAXIMUM, -1, -1, 0, 1e18, NULL};
    openrouter_int64 l = OPENROUTER_INT64(-9007199254740993LL);
    CU_ASSERT_EQUAL(param_text(&q_i64, &l, got, sizeof got, NULL), OPENROUTER_OK);
    CU_ASSERT_STRING_EQUAL(got, "-9007199254740993");
    l.value = INT64_MAX;
    CU_ASSERT_EQUAL(param_text(&q_i64, &l, got, sizeof got, &err), OPENROUTER_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.message, "n: must be <= 1e18");
    openrouter_error_clear(&err);

    openrouter_param_desc q_num = {"x", OPENROUTER_PARAM_QUERY, 0, &openrouter_number_type_desc, 0, -1, -1, 0, 0, NULL};
    openrouter_number d = OPENROUTER_NUMBER(0.1);
    CU_ASSERT_EQUAL(param_text(&q_num, &d, got, sizeof got, NULL), OPENROUTER_OK);
    CU_ASSERT_STRING_EQUAL(got, "0.1");
    d.value = NAN;
    CU_ASSERT_EQUAL(param_text(&q_num, &d, got, sizeof got, NULL), OPENROUTER_EINVAL);

    openrouter_param_desc q_enum = {"color", OPENROUTER_PARAM_QUERY, 0, &t_color, 0, -1, -1, 0, 0, NULL};
    openrouter_enum_value e = {OPENROUTER_PRESENT, COLOR_BLUE, NULL};
    CU_ASSERT_EQUAL(param_text(&q_enum, &e, got, sizeof got, NULL), OPENROUTER_OK);
    CU_ASSERT_STRING_EQUAL(got, "blue");
    e = (openrouter_enum_value){OPENROUTER_PRESENT, 0, "infrared"};
    CU_ASSERT_EQUAL(param_text(&q_enum, &e, got, sizeof got, NULL), OPENROUTER_OK);
    CU_ASSERT_STRING_EQUAL(got, "infrared");
    e.text = NULL;
    CU_ASSERT_EQUAL(param_text(&q_enum, &e, got, sizeof got, &err), OPENROUTER_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.field, "color");
    openrouter_error_clear(&err);

    openrouter_param_desc q_dt = {"since", OPENROUTER_PARAM_QUERY, 0, &openrouter_datetime_type_desc,
                                  OPENROUTER_F_UTC_ONLY, -1, -1, 0, 0, NULL};
    openrouter_datetime dt = OPENROUTER_DATETIME("2025-02-19T20:52:27.363244Z");
    CU_ASSERT_EQUAL(param_text(&q_dt, &dt, got, sizeof got, NULL), OPENROUTER_OK);
    CU_ASSERT_STRING_EQUAL(got, "2025-02-19T20:52:27.363244Z");
    dt.value = "2025-02-19T20:52:27+05:30";
    CU_ASSERT_EQUAL(param_text(&q_dt, &dt, got, sizeof got, &err), OPENROUTER_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.message, "since: must be a UTC time ending in Z");
    openrouter_error_clear(&err);

    openrouter_param_desc h_str = {"X-Title", OPENROUTER_PARAM_HEADER, 0, &openrouter_string_type_desc,
                                   0, 1, 10, 0, 0, NULL};
    openrouter_string s = OPENROUTER_STRING("My App");
    CU_ASSERT_EQUAL(param_text(&h_str, &s, got, sizeof got, NULL), OPENROUTER_OK);
    CU_ASSERT_STRING_EQUAL(got, "My App");
    const char *bad_headers[] = {"a\r\nInjected: 1", "a\nb", "a\rb", "tab\there", "del\x7f"};
    for (size_t k = 0; k < sizeof bad_headers / sizeof bad_headers[0]; k++) {
        s.value = (char *)bad_headers[k];
        CU_ASSERT_EQUAL(param_text(&h_str, &s, got, sizeof got, &err), OPENROUTER_EINVAL);
        CU_ASSERT_STRING_EQUAL(err.field, "X-Title");
        CU_ASSERT_PTR_NULL(strstr(err.message, "Injected"));
        openrouter_error_clear(&err);
    }
    s.value = "";
    CU_ASSERT_EQUAL(param_text(&h_str, &s, got, sizeof got, &err), OPENROUTER_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.message, "X-Title: 0 characters, below the minimum of 1");
    openrouter_error_clear(&err);
    s.value = "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac";
    CU_ASSERT_EQUAL(param_text(&h_str, &s, got, sizeof got, NULL), OPENROUTER_OK); /* 10 code points */
    s.value = "\xc3\x28";
    CU_ASSERT_EQUAL(param_text(&h_str, &s, got, sizeof got, &err), OPENROUTER_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.message, "X-Title: not valid UTF-8");
    openrouter_error_clear(&err);
    /* query strings may hold control characters: they are percent-encoded */
    openrouter_param_desc q_str = {"q", OPENROUTER_PARAM_QUERY, 0, &openrouter_string_type_desc, 0, -1, -1, 0, 0, NULL};
    s.value = "a\nb";
    CU_ASSERT_EQUAL(param_text(&q_str, &s, got, sizeof got, NULL), OPENROUTER_OK);

    openrouter_param_desc path = {"hash", OPENROUTER_PARAM_PATH, 0, NULL, OPENROUTER_F_REQUIRED, -1, 64, 0, 0, NULL};
    const char *hash = "f01d52606dc8f0a8303a7b5cc3fa07109c2e346cec7c0a16b40de462992ce943";
    CU_ASSERT_EQUAL(param_text(&path, &hash, got, sizeof got, NULL), OPENROUTER_OK);
    CU_ASSERT_STRING_EQUAL(got, hash);
    const char *bad_paths[] = {NULL, "", ".", "..", "a\nb", "a\x01", "\xff",
                               "0123456789012345678901234567890123456789012345678901234567890123456789",
                               "a/b", "/", "a\\b", "a%2Fb", "a%00", "%41%42", "a%2f"};
    for (size_t k = 0; k < sizeof bad_paths / sizeof bad_paths[0]; k++) {
        CU_ASSERT_EQUAL(param_text(&path, &bad_paths[k], got, sizeof got, &err), OPENROUTER_EINVAL);
        CU_ASSERT_STRING_EQUAL(err.field, "hash");
        openrouter_error_clear(&err);
    }
    /* '%' not followed by two hex digits, '?', '#', dots and spaces are fine:
     * libcurl percent-encodes them into one segment. */
    const char *ok_paths[] = {"a b ...", "100%", "%zz", "a%2", "?#&=+", "..x"};
    for (size_t k = 0; k < sizeof ok_paths / sizeof ok_paths[0]; k++) {
        CU_ASSERT_EQUAL(param_text(&path, &ok_paths[k], got, sizeof got, NULL), OPENROUTER_OK);
        CU_ASSERT_STRING_EQUAL(got, ok_paths[k]);
    }
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("request", NULL, NULL);
    CU_add_test(s, "control characters: every byte", test_wire_rule_every_byte);
    CU_add_test(s, "control characters: the table", test_wire_rule_table);
    CU_add_test(s, "control characters: every caller applies the table", test_wire_rule_callers);
    CU_add_test(s, "parameters", test_params);
    return or_test_run();
}
