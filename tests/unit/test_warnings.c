/* Lenient decoding and its warnings (decode.c, warnings.c): each kind of
 * value that breaks the description becomes what openrouter/types.h says
 * and exactly one warning (path, kind, message), the rest of the model is
 * decoded, and strict mode refuses the same document naming the same value
 * with the same message. Also: order, the cap, what stays fatal, the
 * accessor, allocation failures. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include <openrouter/openrouter.h>

#include "fail_alloc.h"
#include "internal.h"
#include "test_util.h"

typedef struct inner {
    openrouter_string id;
} inner;

typedef struct inner_slot {
    openrouter_presence state;
    inner value;
} inner_slot;

typedef struct inner_array {
    openrouter_presence state;
    inner *items;
    size_t count;
} inner_array;

typedef struct string_array {
    openrouter_presence state;
    openrouter_string *items;
    size_t count;
} string_array;

typedef struct doc {
    openrouter_string name;     /* required, 1..4 characters */
    openrouter_datetime when;   /* nullable */
    openrouter_number n;        /* 0..10 */
    openrouter_int32 i;
    openrouter_int64 big;
    string_array tags;          /* 0..2 items */
    inner_slot child;
    inner_array kids;
    openrouter_bool flag;       /* not nullable */
    openrouter_number total;    /* required */
} doc;

static const openrouter_type_desc t_string = {OPENROUTER_KIND_STRING, sizeof(openrouter_string), 0, 0, 0, 0, 0, 0};
static const openrouter_type_desc t_datetime = {OPENROUTER_KIND_DATETIME, sizeof(openrouter_datetime), 0, 0, 0, 0, 0,
                                                0};
static const openrouter_type_desc t_number = {OPENROUTER_KIND_NUMBER, sizeof(openrouter_number), 0, 0, 0, 0, 0, 0};
static const openrouter_type_desc t_int32 = {OPENROUTER_KIND_INT32, sizeof(openrouter_int32), 0, 0, 0, 0, 0, 0};
static const openrouter_type_desc t_int64 = {OPENROUTER_KIND_INT64, sizeof(openrouter_int64), 0, 0, 0, 0, 0, 0};
static const openrouter_type_desc t_bool = {OPENROUTER_KIND_BOOL, sizeof(openrouter_bool), 0, 0, 0, 0, 0, 0};

static const openrouter_field_desc inner_fields[] = {
    {"id", offsetof(inner, id), &t_string, OPENROUTER_F_REQUIRED, -1, -1, 0, 0},
};
static const openrouter_object_desc inner_desc = {"inner", sizeof(inner), 1, inner_fields, NULL};
static const openrouter_type_desc t_inner_slot = {OPENROUTER_KIND_OBJECT, sizeof(inner_slot), &inner_desc, 0, 0, 0,
                                                  0, 0};
static const openrouter_type_desc t_inner_bare = {OPENROUTER_KIND_OBJECT, sizeof(inner), &inner_desc, 0, 0, 0, 0, 0};
static const openrouter_type_desc t_inner_array = {OPENROUTER_KIND_ARRAY, sizeof(inner_array), 0, 0, &t_inner_bare, 0,
                                                   0, 0};
static const openrouter_type_desc t_string_array = {OPENROUTER_KIND_ARRAY, sizeof(string_array), 0, 0, &t_string, 0,
                                                    0, 0};

static const openrouter_field_desc doc_fields[] = {
    {"name", offsetof(doc, name), &t_string, OPENROUTER_F_REQUIRED, 1, 4, 0, 0},
    {"when", offsetof(doc, when), &t_datetime, OPENROUTER_F_NULLABLE, -1, -1, 0, 0},
    {"n", offsetof(doc, n), &t_number, OPENROUTER_F_HAS_MINIMUM | OPENROUTER_F_HAS_MAXIMUM, -1, -1, 0, 10},
    {"i", offsetof(doc, i), &t_int32, 0, -1, -1, 0, 0},
    {"big", offsetof(doc, big), &t_int64, 0, -1, -1, 0, 0},
    {"tags", offsetof(doc, tags), &t_string_array, 0, 0, 2, 0, 0},
    {"child", offsetof(doc, child), &t_inner_slot, 0, -1, -1, 0, 0},
    {"kids", offsetof(doc, kids), &t_inner_array, 0, -1, -1, 0, 0},
    {"flag", offsetof(doc, flag), &t_bool, 0, -1, -1, 0, 0},
    {"total", offsetof(doc, total), &t_number, OPENROUTER_F_REQUIRED, -1, -1, 0, 0},
};
static const openrouter_object_desc doc_desc = {"doc", sizeof(doc), sizeof doc_fields / sizeof doc_fields[0],
                                                doc_fields, NULL};

/* ---- helpers -------------------------------------------------------------- */

static doc *decode(const char *json, int strict, openrouter_error *err)
{
    or_decode_options opt = {.strict = strict};
    void *out = NULL;
    int rc = or_model_decode(&doc_desc, json, strlen(json), &opt, &out, err);
    CU_ASSERT_EQUAL(rc == OPENROUTER_OK, out != NULL);
    return out;
}

/* `json` decodes (default mode) with exactly one warning, `kind` at
 * `path` saying `message`; strict mode refuses it with "path: message".
 * Returns the model for the caller to check what the value became. */
static doc *one_warning(const char *json, openrouter_warning_kind kind, const char *path, const char *message)
{
    openrouter_error err = OPENROUTER_ERROR_INIT;
    doc *d = decode(json, 0, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    size_t n = 0;
    const openrouter_warning *w = openrouter_model_warnings(d, &n);
    CU_ASSERT_EQUAL(n, 1);
    if (n >= 1) {
        CU_ASSERT_EQUAL(w[0].kind, kind);
        CU_ASSERT_STRING_EQUAL(w[0].path, path);
        CU_ASSERT_STRING_EQUAL(w[0].message, message);
    }
    if (n != 1 || strcmp(w[0].path, path) != 0 || strcmp(w[0].message, message) != 0)
        fprintf(stderr, "\n  %s: %zu warnings, the first %s: %s\n", json, n, n ? w[0].path : "-",
                n ? w[0].message : "-");
    CU_ASSERT_PTR_NULL(decode(json, 1, &err));
    char want[512];
    snprintf(want, sizeof want, "%s: %s", path, message);
    CU_ASSERT_EQUAL(err.kind, OPENROUTER_EDECODE);
    CU_ASSERT_STRING_EQUAL(err.field, path);
    CU_ASSERT_STRING_EQUAL(err.message, want);
    openrouter_error_clear(&err);
    return d;
}

#define CLEAN "\"name\":\"ab\",\"total\":1"

/* ---- each kind --------------------------------------------------------------- */

static void test_clean_document_has_none(void)
{
    doc *d = decode("{" CLEAN ",\"when\":\"2027-12-31T23:59:59Z\",\"n\":10,\"tags\":[\"a\",\"b\"],"
                    "\"kids\":[{\"id\":\"k\"}],\"when\":null,\"unknown\":[1,{\"x\":null}]}",
                    0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    size_t n = 7;
    CU_ASSERT_PTR_NULL(openrouter_model_warnings(d, &n));
    CU_ASSERT_EQUAL(n, 0);
    CU_ASSERT_PTR_NULL(openrouter_model_warnings(d, NULL));
    openrouter_model_free(d);
    CU_ASSERT_PTR_NULL(openrouter_model_warnings(NULL, &n));
    CU_ASSERT_EQUAL(n, 0);
}

static void test_kept_as_received(void)
{
    doc *d = one_warning("{" CLEAN ",\"when\":\"next tuesday\"}", OPENROUTER_WARNING_FORMAT, "when",
                         "invalid date-time (expected RFC 3339)");
    CU_ASSERT(d->when.state == OPENROUTER_PRESENT && strcmp(d->when.value, "next tuesday") == 0);
    CU_ASSERT_EQUAL(openrouter_datetime_parse(d->when.value, NULL, NULL), -1); /* still says it is not one */
    openrouter_model_free(d);
    d = one_warning("{\"name\":\"h\\u00e9llo\",\"total\":1}", OPENROUTER_WARNING_LENGTH, "name",
                    "5 characters, above the maximum of 4");
    CU_ASSERT_STRING_EQUAL(d->name.value, "h\xc3\xa9llo");
    openrouter_model_free(d);
    d = one_warning("{\"name\":\"\",\"total\":1}", OPENROUTER_WARNING_LENGTH, "name",
                    "0 characters, below the minimum of 1");
    CU_ASSERT(d->name.state == OPENROUTER_PRESENT && d->name.value[0] == '\0');
    openrouter_model_free(d);
    d = one_warning("{" CLEAN ",\"tags\":[\"a\",\"b\",\"c\"]}", OPENROUTER_WARNING_LENGTH, "tags",
                    "3 items, above the maximum of 2");
    CU_ASSERT_EQUAL(d->tags.count, 3);
    openrouter_model_free(d);
    d = one_warning("{" CLEAN ",\"n\":10.5}", OPENROUTER_WARNING_RANGE, "n", "must be <= 10");
    CU_ASSERT(d->n.state == OPENROUTER_PRESENT && d->n.value == 10.5);
    openrouter_model_free(d);
    d = one_warning("{" CLEAN ",\"n\":-0.5}", OPENROUTER_WARNING_RANGE, "n", "must be >= 0");
    CU_ASSERT_EQUAL(d->n.value, -0.5);
    openrouter_model_free(d);
}

static void test_null_and_missing(void)
{
    doc *d = one_warning("{" CLEAN ",\"flag\":null}", OPENROUTER_WARNING_NULL, "flag", "null not allowed");
    CU_ASSERT_EQUAL(d->flag.state, OPENROUTER_NULL);
    openrouter_model_free(d);
    d = one_warning("{\"total\":1,\"kids\":[{\"id\":\"a\"}]}", OPENROUTER_WARNING_MISSING, "name",
                    "required field missing");
    openrouter_model_free(d);
    /* kids[1] is null, which an item may not be: all its fields absent. */
    openrouter_error err = OPENROUTER_ERROR_INIT;
    d = decode("{" CLEAN ",\"kids\":[{\"id\":\"a\"},null,{}]}", 0, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    size_t n = 0;
    const openrouter_warning *w = openrouter_model_warnings(d, &n);
    CU_ASSERT_EQUAL_FATAL(n, 2);
    CU_ASSERT(w[0].kind == OPENROUTER_WARNING_NULL && strcmp(w[0].path, "kids[1]") == 0);
    CU_ASSERT(w[1].kind == OPENROUTER_WARNING_MISSING && strcmp(w[1].path, "kids[2].id") == 0);
    CU_ASSERT_EQUAL(d->kids.count, 3);
    CU_ASSERT_EQUAL(d->kids.items[1].id.state, OPENROUTER_ABSENT);
    openrouter_model_free(d);
}

static void test_wrong_type_left_absent(void)
{
    doc *d = one_warning("{" CLEAN ",\"i\":\"7\"}", OPENROUTER_WARNING_TYPE, "i", "expected integer, got string");
    CU_ASSERT_EQUAL(d->i.state, OPENROUTER_ABSENT);
    CU_ASSERT_STRING_EQUAL(d->name.value, "ab");
    openrouter_model_free(d);
    d = one_warning("{" CLEAN ",\"i\":1.5}", OPENROUTER_WARNING_TYPE, "i",
                    "expected integer, got number with a fraction");
    CU_ASSERT_EQUAL(d->i.state, OPENROUTER_ABSENT);
    openrouter_model_free(d);
    d = one_warning("{" CLEAN ",\"child\":[1]}", OPENROUTER_WARNING_TYPE, "child", "expected object, got array");
    CU_ASSERT_EQUAL(d->child.state, OPENROUTER_ABSENT);
    openrouter_model_free(d);
    d = one_warning("{" CLEAN ",\"tags\":[\"a\",7]}", OPENROUTER_WARNING_TYPE, "tags[1]",
                    "expected string, got number");
    CU_ASSERT(d->tags.count == 2 && d->tags.items[1].state == OPENROUTER_ABSENT);
    openrouter_model_free(d);
    d = one_warning("{" CLEAN ",\"kids\":[{\"id\":\"a\"},\"b\",{\"id\":\"c\"}]}", OPENROUTER_WARNING_TYPE,
                    "kids[1]", "expected object, got string");
    CU_ASSERT_EQUAL_FATAL(d->kids.count, 3); /* item 1 costs item 1 only */
    CU_ASSERT_EQUAL(d->kids.items[1].id.state, OPENROUTER_ABSENT);
    CU_ASSERT_STRING_EQUAL(d->kids.items[2].id.value, "c");
    openrouter_model_free(d);
}

static void test_unrepresentable_left_absent(void)
{
    doc *d = one_warning("{" CLEAN ",\"big\":1e30}", OPENROUTER_WARNING_UNREPRESENTABLE, "big",
                         "integer out of range");
    CU_ASSERT_EQUAL(d->big.state, OPENROUTER_ABSENT);
    openrouter_model_free(d);
    d = one_warning("{" CLEAN ",\"i\":2147483648}", OPENROUTER_WARNING_UNREPRESENTABLE, "i",
                    "integer out of range");
    openrouter_model_free(d);
    d = one_warning("{" CLEAN ",\"n\":1e400}", OPENROUTER_WARNING_UNREPRESENTABLE, "n", "number out of range");
    CU_ASSERT_EQUAL(d->n.state, OPENROUTER_ABSENT);
    openrouter_model_free(d);
    /* Required or not: a value the slot cannot hold is not a wrong type. */
    d = one_warning("{\"name\":\"a\\u0000b\",\"total\":1}", OPENROUTER_WARNING_UNREPRESENTABLE, "name",
                    "string contains a NUL character");
    CU_ASSERT_EQUAL(d->name.state, OPENROUTER_ABSENT);
    openrouter_model_free(d);
}

/* ---- what stays fatal ----------------------------------------------------------- */

static void test_still_fatal(void)
{
    static const struct {
        const char *json, *message;
    } cases[] = {
        {"{\"name\":7,\"total\":1}", "name: expected string, got number"},      /* required, wrong type */
        {"{" CLEAN ",\"total\":\"1\"}", "total: expected number, got string"},
        {"{\"name\":\"ab\",\"total\":1.5,\"child\":{\"id\":5}}", "child.id: expected string, got number"},
        {"[]", "expected a JSON object for doc, got array"},
        {"{" CLEAN ",\"when\":\"x\"", "truncated JSON at offset 33"},
        {"{" CLEAN ",\"i\":\"7\",}", "invalid JSON at offset 31: expected a string key"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (int strict = 0; strict < 2; strict++) {
            openrouter_error err = OPENROUTER_ERROR_INIT;
            CU_ASSERT_PTR_NULL(decode(cases[i].json, strict, &err));
            CU_ASSERT_EQUAL(err.kind, OPENROUTER_EDECODE);
            CU_ASSERT_STRING_EQUAL(err.message, cases[i].message);
            if (strcmp(err.message, cases[i].message) != 0)
                fprintf(stderr, "\n  %s: got \"%s\"\n", cases[i].json, err.message);
            openrouter_error_clear(&err);
        }
    }
}

/* ---- several, the cap ----------------------------------------------------------- */

static void test_order_of_the_text(void)
{
    openrouter_error err = OPENROUTER_ERROR_INIT;
    doc *d = decode("{\"flag\":\"yes\",\"kids\":[{}],\"when\":\"soon\",\"total\":1}", 0, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    static const char *const want[] = {"flag", "kids[0].id", "when", "name"}; /* missing ones: at the end */
    size_t n = 0;
    const openrouter_warning *w = openrouter_model_warnings(d, &n);
    CU_ASSERT_EQUAL_FATAL(n, 4);
    for (size_t i = 0; i < n; i++)
        CU_ASSERT_STRING_EQUAL(w[i].path, want[i]);
    openrouter_model_free(d);
    CU_ASSERT_PTR_NULL(decode("{\"flag\":\"yes\",\"kids\":[{}],\"when\":\"soon\",\"total\":1}", 1, &err));
    CU_ASSERT_STRING_EQUAL(err.field, "flag");
    openrouter_error_clear(&err);
}

static void test_cap(void)
{
    /* 1500 items of the wrong type: 1000 warnings kept, one more saying so. */
    size_t items = 1500, size = 64 + items * 4;
    char *json = malloc(size);
    CU_ASSERT_PTR_NOT_NULL_FATAL(json);
    size_t at = (size_t)snprintf(json, size, "{" CLEAN ",\"kids\":[");
    for (size_t i = 0; i < items; i++)
        at += (size_t)snprintf(json + at, size - at, "%s1", i ? "," : "");
    snprintf(json + at, size - at, "]}");
    doc *d = decode(json, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->kids.count, items);
    size_t n = 0;
    const openrouter_warning *w = openrouter_model_warnings(d, &n);
    CU_ASSERT_EQUAL_FATAL(n, OPENROUTER_MAX_WARNINGS + 1);
    CU_ASSERT_STRING_EQUAL(w[OPENROUTER_MAX_WARNINGS - 1].path, "kids[999]");
    CU_ASSERT_EQUAL(w[OPENROUTER_MAX_WARNINGS].kind, OPENROUTER_WARNING_TRUNCATED);
    CU_ASSERT_STRING_EQUAL(w[OPENROUTER_MAX_WARNINGS].path, "");
    CU_ASSERT_STRING_EQUAL(w[OPENROUTER_MAX_WARNINGS].message, "500 more warnings not kept (at most 1000 are)");
    openrouter_model_free(d);
    free(json);
}

static void test_kind_names(void)
{
    static const char *const names[] = {"?", "format", "length", "range", "null", "missing", "type",
                                        "unrepresentable", "unknown_variant", "truncated", "?"};
    for (int k = 0; k < (int)(sizeof names / sizeof names[0]); k++)
        CU_ASSERT_STRING_EQUAL(openrouter_warning_kind_name((openrouter_warning_kind)k), names[k]);
}

/* ---- lenient mode (error bodies) records nothing; allocation failures ------------ */

static void test_lenient_mode_records_none(void)
{
    or_decode_options lenient = {.lenient = 1};
    void *out = NULL;
    const char *json = "{\"name\":7,\"when\":\"x\",\"flag\":null}";
    CU_ASSERT_EQUAL_FATAL(or_model_decode(&doc_desc, json, strlen(json), &lenient, &out, NULL), OPENROUTER_OK);
    CU_ASSERT_PTR_NULL(openrouter_model_warnings(out, NULL));
    CU_ASSERT_EQUAL(((doc *)out)->name.state, OPENROUTER_ABSENT);
    CU_ASSERT_STRING_EQUAL(((doc *)out)->when.value, "x");
    openrouter_model_free(out);
}

static void test_alloc_failures(void)
{
    const char *json = "{\"flag\":\"yes\",\"kids\":[{},1,{}],\"when\":\"soon\",\"n\":11,\"total\":1}";
    int ok = 0;
    for (long nth = 1; nth < 200 && !ok; nth++) {
        openrouter_error err = OPENROUTER_ERROR_INIT;
        or_test_fail_alloc(nth);
        doc *d = decode(json, 0, &err);
        or_test_fail_alloc(0);
        if (d) {
            size_t n = 0;
            openrouter_model_warnings(d, &n);
            CU_ASSERT_EQUAL(n, 7);
            openrouter_model_free(d);
            ok = 1;
        } else {
            CU_ASSERT_EQUAL(err.kind, OPENROUTER_ENOMEM);
        }
        openrouter_error_clear(&err);
    }
    CU_ASSERT_TRUE(ok);
}

int main(void)
{
    if (or_test_fail_alloc_install(NULL) != 0)
        return 1;
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("warnings", NULL, NULL);
    CU_add_test(s, "a clean document has none", test_clean_document_has_none);
    CU_add_test(s, "format, length, range: kept as received", test_kept_as_received);
    CU_add_test(s, "null and missing", test_null_and_missing);
    CU_add_test(s, "wrong type: left absent", test_wrong_type_left_absent);
    CU_add_test(s, "unrepresentable: left absent", test_unrepresentable_left_absent);
    CU_add_test(s, "still fatal in both modes", test_still_fatal);
    CU_add_test(s, "in the order of the text", test_order_of_the_text);
    CU_add_test(s, "at most OPENROUTER_MAX_WARNINGS", test_cap);
    CU_add_test(s, "kind names", test_kind_names);
    CU_add_test(s, "lenient mode records none", test_lenient_mode_records_none);
    CU_add_test(s, "allocation failures", test_alloc_failures);
    return or_test_run();
}
