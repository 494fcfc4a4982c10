/* Unions through the code generated from tests/fixtures/unions.yaml
 * (--prefix un): each selection rule of descriptor.h ("Unions") decoding,
 * encoding (tags written for the caller, raw text sent back), equality and
 * copies; null union items; an object's other members
 * (OPENROUTER_F_ADDITIONAL); and every model of the fixture round-tripped,
 * every union in every variant; allocation failures; a union request body
 * and response through the stand-in server. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <json-c/json.h>

#include "fail_alloc.h"
#include "internal.h"
#include "round_trip.h"
#include "stub_server.h"
#include "test_util.h"
#include "un/un.h"

#define LIT(s) s, sizeof s - 1

static un_holder *holder(const char *json, size_t len)
{
    openrouter_error err = OPENROUTER_ERROR_INIT;
    un_holder *h = NULL;
    int rc = un_holder_decode(json, len, &h, &err);
    if (rc != OPENROUTER_OK)
        fprintf(stderr, "decode: %s [%s]\n", err.message, err.field);
    CU_ASSERT_EQUAL(rc, OPENROUTER_OK);
    openrouter_error_clear(&err);
    return h;
}

/* The JSON the model encodes to, compared with `want` (then freed). */
static void encodes_to(const openrouter_object_desc *d, const void *model, const char *want)
{
    openrouter_error err = OPENROUTER_ERROR_INIT;
    char *json = NULL;
    int rc = openrouter_model_encode(d, model, &json, NULL, &err);
    if (rc != OPENROUTER_OK)
        fprintf(stderr, "encode: %s [%s]\n", err.message, err.field);
    CU_ASSERT_EQUAL_FATAL(rc, OPENROUTER_OK);
    if (strcmp(json, want) != 0)
        fprintf(stderr, "encoded %s\n   want %s\n", json, want);
    CU_ASSERT_STRING_EQUAL(json, want);
    openrouter_buffer_free(json);
}

static un_pet *pet(const char *json, size_t len, int strict, int want_rc)
{
    openrouter_error err = OPENROUTER_ERROR_INIT;
    void *out = NULL;
    or_decode_options o = {.strict = strict};
    CU_ASSERT_EQUAL(or_model_decode(&un_pet_desc, json, len, &o, &out, &err), want_rc);
    if (want_rc != OPENROUTER_OK)
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "no variant of un_pet matches"));
    openrouter_error_clear(&err);
    return out;
}

/* Discriminator with a mapping: by the tag wherever it is, escaped or not;
 * an unknown tag or none is kept as raw text (strict: an error). */
static void test_discriminated(void)
{
    un_pet *p = pet(LIT("{\"name\":\"Tom\",\"lives\":9,\"kind\":\"cat\"}"), 0, OPENROUTER_OK);
    CU_ASSERT_EQUAL_FATAL(p->kind, UN_PET_KIND_CAT);
    CU_ASSERT_STRING_EQUAL(p->cat.name.value, "Tom");
    CU_ASSERT_EQUAL(p->cat.kind.value, UN_CAT_KIND_CAT);
    un_pet_free(p);
    p = pet(LIT("{\"\\u006bind\":\"d\\u006fggo\",\"barks\":true}"), 0, OPENROUTER_OK);
    CU_ASSERT_EQUAL_FATAL(p->kind, UN_PET_KIND_DOGGO);
    CU_ASSERT_STRING_EQUAL(p->doggo.kind.value, "doggo");
    CU_ASSERT(p->doggo.barks.value);
    un_pet_free(p);
    p = pet(LIT("{\"kind\":\"lizard\",\"length\":0.5}"), 0, OPENROUTER_OK);
    CU_ASSERT_EQUAL(p->kind, UN_PET_KIND_LIZARD);
    un_pet_free(p);
    for (int i = 0; i < 3; i++) {
        static const char *const odd[] = {"{ \"kind\" : \"parrot\", \"wings\" : [1, 2] }", "{\"name\":\"x\"}",
                                          "{\"kind\":7}"};
        static const char *const kept[] = {"{\"kind\":\"parrot\",\"wings\":[1,2]}", "{\"name\":\"x\"}",
                                           "{\"kind\":7}"};
        p = pet(odd[i], strlen(odd[i]), 0, OPENROUTER_OK);
        CU_ASSERT_EQUAL_FATAL(p->kind, UN_PET_KIND_UNKNOWN);
        CU_ASSERT_STRING_EQUAL(p->raw, kept[i]);
        encodes_to(&un_pet_desc, p, kept[i]);
        un_pet_free(p);
        CU_ASSERT_PTR_NULL(pet(odd[i], strlen(odd[i]), 1, OPENROUTER_EDECODE));
    }
}

/* The warnings of a decoded model, as "path:kind" joined by spaces. */
static void warnings_are(const void *model, const char *want)
{
    char got[512] = "";
    size_t n = 0, used = 0;
    const openrouter_warning *w = openrouter_model_warnings(model, &n);
    for (size_t i = 0; i < n && used < sizeof got; i++)
        used += (size_t)snprintf(got + used, sizeof got - used, "%s%s:%s", i ? " " : "", w[i].path,
                                 openrouter_warning_kind_name(w[i].kind));
    if (strcmp(got, want) != 0)
        fprintf(stderr, "warnings %s\n    want %s\n", got, want);
    CU_ASSERT_STRING_EQUAL(got, want);
}

/* A value no variant matches is kept (kind 0, raw text) and marked with an
 * UNKNOWN_VARIANT warning at its path, at the top or nested; a matched
 * variant and a null item are not marked. Strict decoding: EDECODE naming
 * the path. */
static void test_unknown_variant_warnings(void)
{
    un_pet *p = pet(LIT("{\"kind\":\"emu\",\"legs\":2}"), 0, OPENROUTER_OK);
    CU_ASSERT_EQUAL_FATAL(p->kind, UN_PET_KIND_UNKNOWN);
    CU_ASSERT_STRING_EQUAL(p->raw, "{\"kind\":\"emu\",\"legs\":2}");
    warnings_are(p, ":unknown_variant");
    size_t n = 0;
    const openrouter_warning *w = openrouter_model_warnings(p, &n);
    CU_ASSERT_FATAL(n == 1);
    CU_ASSERT_EQUAL(w[0].kind, OPENROUTER_WARNING_UNKNOWN_VARIANT);
    CU_ASSERT_STRING_EQUAL(w[0].message, "no variant of un_pet matches");
    un_pet_free(p);
    p = pet(LIT("{\"kind\":\"cat\",\"name\":\"Tom\"}"), 0, OPENROUTER_OK);
    warnings_are(p, "");
    un_pet_free(p);

    static const char nested[] = "{\"shapes\":[{\"side\":2,\"type\":\"square\"},null,{\"type\":\"hexagon\"}],"
                                 "\"fitted\":\"text\",\"lists\":[true]}";
    un_holder *h = holder(LIT(nested));
    CU_ASSERT_FATAL(h != NULL && h->shapes.count == 3);
    CU_ASSERT_EQUAL(h->shapes.items[0].kind, UN_SHAPE_KIND_SQUARE);
    CU_ASSERT_EQUAL(h->shapes.items[2].kind, UN_SHAPE_KIND_UNKNOWN);
    CU_ASSERT_STRING_EQUAL(h->shapes.items[2].raw, "{\"type\":\"hexagon\"}");
    CU_ASSERT_EQUAL(h->fitted.value.kind, UN_FITTED_KIND_UNKNOWN);
    warnings_are(h, "shapes[2]:unknown_variant fitted:unknown_variant lists:unknown_variant");
    un_holder_free(h);

    openrouter_error err = OPENROUTER_ERROR_INIT;
    or_decode_options strict = {.strict = 1};
    void *out = NULL;
    CU_ASSERT_EQUAL(or_model_decode(&un_holder_desc, LIT(nested), &strict, &out, &err), OPENROUTER_EDECODE);
    CU_ASSERT_PTR_NULL(out);
    CU_ASSERT_STRING_EQUAL(err.field, "shapes[2]");
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "no variant of un_shape matches"));
    openrouter_error_clear(&err);
}

/* Encoding writes the tag the kind names when its member is absent, and
 * refuses one that disagrees. */
static void test_tags_written(void)
{
    openrouter_error err = OPENROUTER_ERROR_INIT;
    char *json = NULL;
    un_pet p = UN_PET_INIT;
    p.kind = UN_PET_KIND_DOGGO;
    p.doggo.barks = OPENROUTER_BOOL(false);
    encodes_to(&un_pet_desc, &p, "{\"kind\":\"doggo\",\"barks\":false}");
    p.doggo.kind = OPENROUTER_STRING("doggo");
    encodes_to(&un_pet_desc, &p, "{\"kind\":\"doggo\",\"barks\":false}");
    p.doggo.kind = OPENROUTER_STRING("cat");
    CU_ASSERT_EQUAL(un_pet_encode(&p, &json, NULL, &err), OPENROUTER_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "does not hold one of its discriminator values"));
    CU_ASSERT_PTR_NULL(json);
    openrouter_error_clear(&err);
    un_pet c = UN_PET_INIT;
    c.kind = UN_PET_KIND_CAT;
    c.cat.name = OPENROUTER_STRING("Tom");
    encodes_to(&un_pet_desc, &c, "{\"kind\":\"cat\",\"name\":\"Tom\"}");
    c.kind = (un_pet_kind)4;
    CU_ASSERT_EQUAL(un_pet_encode(&c, &json, NULL, &err), OPENROUTER_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "union kind 4 out of range"));
    openrouter_error_clear(&err);
    c.kind = UN_PET_KIND_UNKNOWN; /* nothing in raw: not set */
    CU_ASSERT_EQUAL(un_pet_encode(&c, &json, NULL, &err), OPENROUTER_EINVAL);
    openrouter_error_clear(&err);
    c.raw = "{\"kind\":\"parrot\""; /* raw text must be JSON */
    CU_ASSERT_EQUAL(un_pet_encode(&c, &json, NULL, &err), OPENROUTER_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "invalid JSON value"));
    openrouter_error_clear(&err);
}

/* A discriminator no keyword names: a member every variant requires with
 * one const or enum value each. Null union items decode as kind 0 without
 * raw text and encode as null again. */
static void test_implicit_discriminator_and_null_items(void)
{
    un_holder *h = holder(LIT("{\"shapes\":[{\"side\":2,\"type\":\"square\"},null,{\"type\":\"circle\","
                              "\"radius\":1}],\"shape\":null}"));
    CU_ASSERT_FATAL(h != NULL && h->shapes.count == 3);
    CU_ASSERT_EQUAL(h->shapes.items[0].kind, UN_SHAPE_KIND_SQUARE);
    CU_ASSERT_EQUAL(h->shapes.items[1].kind, UN_SHAPE_KIND_UNKNOWN);
    CU_ASSERT_PTR_NULL(h->shapes.items[1].raw);
    CU_ASSERT_EQUAL(h->shapes.items[2].kind, UN_SHAPE_KIND_CIRCLE);
    CU_ASSERT_EQUAL(h->shape.state, OPENROUTER_NULL);
    encodes_to(&un_holder_desc, h,
               "{\"shapes\":[{\"type\":\"square\",\"side\":2},null,{\"type\":\"circle\",\"radius\":1}],"
               "\"shape\":null}");
    un_holder_free(h);
}

/* By JSON kind: an integer literal to the integer variant, other numbers
 * to the number variant, which keeps a decimal point when sent. */
static void test_scalars(void)
{
    un_holder *h = holder(LIT("{\"scalars\":{\"s\":\"x\",\"i\":5,\"n\":5.5,\"e\":1e3,\"b\":true,\"z\":-0}}"));
    CU_ASSERT_FATAL(h != NULL && h->scalars.count == 6);
    static const int kinds[] = {UN_SCALAR_KIND_STRING, UN_SCALAR_KIND_INTEGER, UN_SCALAR_KIND_NUMBER,
                                UN_SCALAR_KIND_NUMBER, UN_SCALAR_KIND_BOOLEAN, UN_SCALAR_KIND_INTEGER};
    for (size_t i = 0; i < 6; i++)
        CU_ASSERT_EQUAL((int)h->scalars.entries[i].value.kind, kinds[i]);
    CU_ASSERT_EQUAL(h->scalars.entries[1].value.integer.value, 5);
    CU_ASSERT_EQUAL(h->scalars.entries[3].value.number.value, 1000.0);
    encodes_to(&un_holder_desc, h,
               "{\"scalars\":{\"s\":\"x\",\"i\":5,\"n\":5.5,\"e\":1000.0,\"b\":true,\"z\":0}}");
    un_holder_free(h);
}

typedef struct kind_case {
    const char *json;
    int kind;
} kind_case;

/* Each document decodes into a holder whose union at byte `at` holds
 * `kind`; with `again`, it encodes back to the same text. */
static void check_kinds(const kind_case *cases, size_t n, size_t at, int again)
{
    for (size_t i = 0; i < n; i++) {
        un_holder *h = holder(cases[i].json, strlen(cases[i].json));
        CU_ASSERT_FATAL(h != NULL);
        int kind = *(const int *)((const char *)h + at);
        if (kind != cases[i].kind)
            fprintf(stderr, "%s: kind %d\n", cases[i].json, kind);
        CU_ASSERT_EQUAL(kind, cases[i].kind);
        if (again)
            encodes_to(&un_holder_desc, h, cases[i].json);
        un_holder_free(h);
    }
}

/* Arrays by the kind of their first item; an empty one is the first array
 * variant; an item kind no variant takes keeps the raw text. */
static void test_lists(void)
{
    static const kind_case cases[] = {{"{\"lists\":[\"a\",\"b\"]}", UN_LISTS_KIND_STRING_ARRAY},
                                      {"{\"lists\":[1,2.5]}", UN_LISTS_KIND_NUMBER_ARRAY},
                                      {"{\"lists\":[[1],[]]}", UN_LISTS_KIND_NUMBER_ARRAY_ARRAY},
                                      {"{\"lists\":[{\"x\":1,\"y\":2}]}", UN_LISTS_KIND_POINT_ARRAY},
                                      {"{\"lists\":[]}", UN_LISTS_KIND_STRING_ARRAY},
                                      {"{\"lists\":[true]}", UN_LISTS_KIND_UNKNOWN}};
    check_kinds(cases, sizeof cases / sizeof cases[0], offsetof(un_holder, lists) + offsetof(un_lists_field, value),
                1);
}

/* Objects without a discriminator: all required members present, const
 * members present holding their value; most consts, then most required,
 * then the first; the free-form object variant when nothing else fits. */
static void test_fitted(void)
{
    static const kind_case cases[] = {{"{\"fitted\":{\"x\":1,\"y\":2}}", UN_FITTED_KIND_POINT},
                                      {"{\"fitted\":{\"z\":3,\"x\":1,\"y\":2}}", UN_FITTED_KIND_POINT3},
                                      {"{\"fitted\":{\"x\":1}}", UN_FITTED_KIND_TAGGED},
                                      {"{\"fitted\":{\"x\":1,\"y\":2,\"kind\":\"tagged\"}}", UN_FITTED_KIND_TAGGED},
                                      {"{\"fitted\":{\"x\":1,\"kind\":\"other\"}}", UN_FITTED_KIND_OBJECT},
                                      {"{\"fitted\":{}}", UN_FITTED_KIND_OBJECT},
                                      {"{\"fitted\":\"text\"}", UN_FITTED_KIND_UNKNOWN}};
    check_kinds(cases, sizeof cases / sizeof cases[0],
                offsetof(un_holder, fitted) + offsetof(un_fitted_field, value), 0);
}

/* Merged enums stay open; a string or an object. */
static void test_choice_and_mode(void)
{
    un_holder *h = holder(LIT("{\"choice\":\"turbo\",\"mode\":\"slow\",\"maybe_name\":null}"));
    CU_ASSERT_FATAL(h != NULL);
    CU_ASSERT_EQUAL(h->choice.value.kind, UN_CHOICE_KIND_STRING);
    CU_ASSERT_EQUAL(h->choice.value.string.value, UN_CHOICE_STRING_UNKNOWN);
    CU_ASSERT_STRING_EQUAL(h->choice.value.string.text, "turbo");
    CU_ASSERT_EQUAL(h->mode.value, UN_MODE_SLOW);
    CU_ASSERT_EQUAL(h->maybe_name.state, OPENROUTER_NULL);
    un_holder_free(h);
    h = holder(LIT("{\"choice\":{\"name\":\"f\"}}"));
    CU_ASSERT_FATAL(h != NULL);
    CU_ASSERT_EQUAL(h->choice.value.kind, UN_CHOICE_KIND_OBJECT);
    CU_ASSERT_STRING_EQUAL(h->choice.value.object.name.value, "f");
    un_holder_free(h);
}

/* Equality compares kinds, then members or raw text; a copy into another
 * model's arena carries both. */
static void test_equal_and_copy(void)
{
    un_holder *a = holder(LIT("{\"pet\":{\"kind\":\"cat\",\"name\":\"Tom\"},\"pets\":[{\"kind\":\"emu\"}]}"));
    un_holder *b = holder(LIT("{\"pet\":{\"kind\":\"cat\",\"name\":\"Tim\"},\"pets\":[{\"kind\":\"emu\"}]}"));
    un_holder *c = holder(LIT("{\"pet\":{\"kind\":\"cat\",\"name\":\"Tom\"},\"pets\":[{\"kind\":\"gnu\"}]}"));
    CU_ASSERT_FATAL(a && b && c);
    CU_ASSERT_FALSE(un_holder_equal(a, b));
    CU_ASSERT_FALSE(un_holder_equal(a, c));
    un_holder *d = holder(LIT("{}"));
    CU_ASSERT_FATAL(d != NULL);
    CU_ASSERT_EQUAL(or_model_copy_slot(d, &un_pet_field_type_desc, &d->pet, &a->pet), 0);
    CU_ASSERT_EQUAL(or_model_copy_slot(d, &un_pet_array_type_desc, &d->pets, &a->pets), 0);
    un_holder_free(a); /* the copies own their text */
    CU_ASSERT_STRING_EQUAL(d->pet.value.cat.name.value, "Tom");
    CU_ASSERT_STRING_EQUAL(d->pets.items[0].raw, "{\"kind\":\"emu\"}");
    CU_ASSERT_FALSE(un_holder_equal(d, b));
    un_holder_free(b);
    un_holder_free(c);
    un_holder_free(d);
}

/* A union model at the top: a request body or a response. */
static void test_union_at_the_top(void)
{
    openrouter_error err = OPENROUTER_ERROR_INIT;
    un_pet *p = NULL;
    CU_ASSERT_EQUAL(un_pet_decode(LIT("[1]"), &p, &err), OPENROUTER_OK);
    CU_ASSERT_FATAL(p != NULL);
    CU_ASSERT_EQUAL(p->kind, UN_PET_KIND_UNKNOWN);
    CU_ASSERT_STRING_EQUAL(p->raw, "[1]");
    un_pet_free(p);
    CU_ASSERT_EQUAL(un_pet_decode(LIT("{\"kind\":\"cat\""), &p, &err), OPENROUTER_EDECODE);
    CU_ASSERT_PTR_NULL(p);
    openrouter_error_clear(&err);
    CU_ASSERT_PTR_EQUAL(un_create_pet_operation.body, &un_pet_desc);
    CU_ASSERT_PTR_EQUAL(un_create_pet_operation.responses[0].body, &un_pet_desc);
}

/* Members no field names go to additional_properties and come back as
 * members of the object itself. */
static void test_additional_members(void)
{
    openrouter_error err = OPENROUTER_ERROR_INIT;
    un_holder *h = holder(LIT("{\"extras\":{\"a\":1,\"name\":\"n\",\"b\":2,\"a\":3}}"));
    CU_ASSERT_FATAL(h != NULL);
    un_extras *e = &h->extras.value;
    CU_ASSERT_STRING_EQUAL(e->name.value, "n");
    CU_ASSERT_EQUAL_FATAL(e->additional_properties.count, 2u);
    CU_ASSERT_STRING_EQUAL(e->additional_properties.entries[0].key, "a");
    CU_ASSERT_EQUAL(e->additional_properties.entries[0].value.value, 3); /* the last one wins */
    encodes_to(&un_holder_desc, h, "{\"extras\":{\"name\":\"n\",\"a\":3,\"b\":2}}");
    e->additional_properties.entries[1].key = (char *)"name"; /* would send "name" twice */
    char *json = NULL;
    CU_ASSERT_EQUAL(un_holder_encode(h, &json, NULL, &err), OPENROUTER_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "is a member of its own"));
    openrouter_error_clear(&err);
    un_holder_free(h);
}

/* A document holding every union form: tagged, raw, null items, scalars
 * in a map, arrays, fitted objects, a string or an object. */
static const char every_union[] =
    "{\"pet\":{\"kind\":\"cat\",\"name\":\"Tom\"},\"pets\":[{\"kind\":\"emu\",\"legs\":2},{\"kind\":\"doggo\"}],"
    "\"shapes\":[{\"type\":\"square\",\"side\":2},null],\"scalars\":{\"s\":\"x\",\"i\":5,\"n\":5.5},"
    "\"lists\":[[1],[]],\"fitted\":{\"x\":1,\"y\":2,\"z\":3},\"choice\":{\"name\":\"f\"},"
    "\"extras\":{\"a\":1,\"name\":\"n\"}}";

/* Decodes `json` as a `desc` with each allocation failing in turn: ENOMEM
 * and nothing decoded, until it succeeds; returns that model (NULL if it
 * never did) and the number of failures in *failures. */
static void *decode_under_failures(const openrouter_object_desc *desc, const char *json, size_t len, long *failures)
{
    *failures = 0;
    for (long nth = 1; nth < 500; nth++) {
        openrouter_error err = OPENROUTER_ERROR_INIT;
        void *out = NULL;
        or_test_fail_alloc(nth);
        int rc = openrouter_model_decode(desc, json, len, &out, &err);
        or_test_fail_alloc(0);
        openrouter_error_clear(&err);
        if (rc == OPENROUTER_OK)
            return out;
        CU_ASSERT_EQUAL(rc, OPENROUTER_ENOMEM);
        CU_ASSERT_PTR_NULL(out);
        ++*failures;
    }
    return NULL;
}

/* Each allocation failure in turn while decoding, encoding and copying
 * unions: ENOMEM and nothing leaked (valgrind and ASan check), until the
 * call succeeds with the same result as without failures. */
static void test_allocation_failures(void)
{
    un_holder *want = holder(LIT(every_union));
    CU_ASSERT_PTR_NOT_NULL_FATAL(want);
    long failures = 0;
    un_holder *h = decode_under_failures(&un_holder_desc, LIT(every_union), &failures);
    CU_ASSERT_TRUE(h != NULL && un_holder_equal(h, want));
    CU_ASSERT_TRUE(failures >= 1);
    un_holder_free(h);
    char *want_json = NULL;
    CU_ASSERT_EQUAL_FATAL(un_holder_encode(want, &want_json, NULL, NULL), OPENROUTER_OK);
    for (long nth = 1, done = 0; nth < 500 && !done; nth++) {
        openrouter_error err = OPENROUTER_ERROR_INIT;
        char *json = NULL;
        or_test_fail_alloc(nth);
        int rc = un_holder_encode(want, &json, NULL, &err);
        or_test_fail_alloc(0);
        done = rc == OPENROUTER_OK;
        if (done) {
            CU_ASSERT_STRING_EQUAL(json, want_json);
        } else {
            CU_ASSERT_EQUAL(rc, OPENROUTER_ENOMEM);
        }
        openrouter_buffer_free(json);
        openrouter_error_clear(&err);
    }
    for (long nth = 1, done = 0; nth < 500 && !done; nth++) {
        un_holder *d = holder(LIT("{}"));
        CU_ASSERT_PTR_NOT_NULL_FATAL(d);
        or_test_fail_alloc(nth);
        int rc = or_model_copy_slot(d, &un_pet_array_type_desc, &d->pets, &want->pets);
        or_test_fail_alloc(0);
        done = rc == 0;
        if (done) {
            CU_ASSERT_EQUAL_FATAL(d->pets.count, 2u);
            CU_ASSERT_STRING_EQUAL(d->pets.items[0].raw, "{\"kind\":\"emu\",\"legs\":2}");
            CU_ASSERT_EQUAL(d->pets.items[1].kind, UN_PET_KIND_DOGGO);
        }
        un_holder_free(d);
    }
    openrouter_buffer_free(want_json);
    un_holder_free(want);
}

/* A union with more untagged object variants than union.c tracks on the
 * stack: selection allocates there, and running out of memory is ENOMEM,
 * never a value silently kept as kind 0. The last variant is the one that
 * fits best. */
#define WIDE_VARIANTS 129
typedef struct wide_union {
    int kind;
    char *raw;
    union {
        un_point point;
        un_point3 point3;
    } value;
} wide_union;
static const char *const wide_xy[] = {"x", "y"};
static const char *const wide_xyz[] = {"x", "y", "z"};
static openrouter_union_variant wide_variants[WIDE_VARIANTS];
static const openrouter_union_desc wide_ud = {NULL, offsetof(wide_union, raw), offsetof(wide_union, value),
                                              WIDE_VARIANTS, wide_variants};
static const openrouter_object_desc wide_desc = {"wide_union", sizeof(wide_union), 0, NULL, &wide_ud};

static void test_wide_union_selection(void)
{
    for (size_t i = 0; i < WIDE_VARIANTS; i++) {
        int last = i == WIDE_VARIANTS - 1;
        wide_variants[i] = (openrouter_union_variant){
            .name = last ? "point3" : "point", .type = last ? &un_point3_type_desc : &un_point_type_desc,
            .json_kinds = OPENROUTER_JSON_OBJECT, .n_required = last ? 3 : 2, .required = last ? wide_xyz : wide_xy};
    }
    long failures = 0;
    wide_union *w = decode_under_failures(&wide_desc, LIT("{\"x\":1,\"y\":2,\"z\":3}"), &failures);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    CU_ASSERT_EQUAL(w->kind, WIDE_VARIANTS);
    CU_ASSERT_EQUAL(w->value.point3.z.value, 3.0);
    openrouter_model_free(w);
    CU_ASSERT_TRUE(failures >= 2); /* the model's arena and the selection's table */
}

static void test_round_trip_everything(void)
{
    size_t len = 0;
    char *report = or_test_read_file(UN_REPORT, &len);
    round_trip_stats st = {0};
    round_trip_table("un", un_model_table, un_model_count, report, &st);
    CU_ASSERT_EQUAL(st.failures, 0u);
    CU_ASSERT_EQUAL(st.models + st.unions, un_model_count);
    CU_ASSERT_EQUAL(st.unions, 6u);
    CU_ASSERT_EQUAL(st.variants, 19u); /* every variant as itself: none shadowed here */
    CU_ASSERT_EQUAL(st.raw, 6u);
    free(report);
}

/* ---- over the wire --------------------------------------------------------- */

static stub_server srv;

static int wire_init(void) { return stub_start(&srv, 0); }
static int wire_clean(void) { stub_stop(&srv); return 0; }

/* Calls createPet with `body` against the stand-in server answering 200
 * with `answer`; returns the call's result, the decoded pet in *out and
 * the body the server received in sent (size n). */
static int create_pet(const un_pet *body, const char *answer, int strict, un_pet **out, char *sent, size_t n)
{
    char fault[512];
    snprintf(fault, sizeof fault, "{\"faults\":[{\"match\":{\"path_prefix\":\"/api/v1/pets\"},\"status\":200,"
                                  "\"body\":%s}]}", answer);
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 0), 0);
    CU_ASSERT_EQUAL_FATAL(stub_add_faults(&srv, fault), 0);
    openrouter_client_options o = OPENROUTER_CLIENT_OPTIONS_INIT;
    o.api_key = STUB_MANAGEMENT_KEY;
    o.base_url = srv.base_url;
    o.retry.max_attempts = 1;
    o.strict_decoding = strict;
    openrouter_client *c = NULL;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    CU_ASSERT_EQUAL_FATAL(openrouter_client_new(&c, &o, &err), OPENROUTER_OK);
    un_create_pet_request req = UN_CREATE_PET_REQUEST_INIT;
    req.body = *body;
    int rc = un_create_pet(c, &req, out, NULL, &err);
    if (rc != OPENROUTER_OK)
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "no variant of un_pet matches"));
    openrouter_error_clear(&err);
    openrouter_client_free(c);
    json_object *root = stub_requests(&srv), *list = NULL, *v = NULL;
    CU_ASSERT_FATAL(root && json_object_object_get_ex(root, "requests", &list));
    CU_ASSERT_EQUAL_FATAL(json_object_array_length(list), 1u);
    CU_ASSERT_FATAL(json_object_object_get_ex(json_object_array_get_idx(list, 0), "body_raw", &v));
    snprintf(sent, n, "%s", json_object_get_string(v));
    json_object_put(root);
    return rc;
}

/* A union request body goes out as the variant its kind names (the tag
 * written for the caller) or as its raw text; a union response comes back
 * as its variant, or kept as raw text, or (strict) an error. */
static void test_union_body_and_response(void)
{
    char sent[256];
    un_pet *out = NULL;
    un_pet dog = UN_PET_INIT;
    dog.kind = UN_PET_KIND_DOGGO;
    dog.doggo.barks = OPENROUTER_BOOL(true);
    CU_ASSERT_EQUAL(create_pet(&dog, "{\"kind\":\"cat\",\"name\":\"Tom\"}", 0, &out, sent, sizeof sent),
                    OPENROUTER_OK);
    CU_ASSERT_STRING_EQUAL(sent, "{\"kind\":\"doggo\",\"barks\":true}");
    CU_ASSERT_FATAL(out != NULL);
    CU_ASSERT_EQUAL(out->kind, UN_PET_KIND_CAT);
    CU_ASSERT_STRING_EQUAL(out->cat.name.value, "Tom");
    un_pet_free(out);

    un_pet parrot = UN_PET_INIT;
    parrot.raw = "{\"kind\":\"parrot\",\"wings\":2}";
    out = NULL;
    CU_ASSERT_EQUAL(create_pet(&parrot, "{\"kind\":\"emu\",\"legs\":2}", 0, &out, sent, sizeof sent),
                    OPENROUTER_OK);
    CU_ASSERT_STRING_EQUAL(sent, parrot.raw);
    CU_ASSERT_FATAL(out != NULL);
    CU_ASSERT_EQUAL(out->kind, UN_PET_KIND_UNKNOWN);
    CU_ASSERT_STRING_EQUAL(out->raw, "{\"kind\":\"emu\",\"legs\":2}");
    warnings_are(out, ":unknown_variant");
    un_pet_free(out);

    out = NULL;
    CU_ASSERT_EQUAL(create_pet(&dog, "{\"kind\":\"emu\"}", 1, &out, sent, sizeof sent), OPENROUTER_EDECODE);
    CU_ASSERT_PTR_NULL(out);
}

int main(void)
{
    if (or_test_fail_alloc_install(NULL) != 0)
        return 1;
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("unions", NULL, NULL);
    CU_add_test(s, "discriminated, with a mapping", test_discriminated);
    CU_add_test(s, "unknown variants are warnings", test_unknown_variant_warnings);
    CU_add_test(s, "tags written, checked", test_tags_written);
    CU_add_test(s, "implicit discriminator, null items", test_implicit_discriminator_and_null_items);
    CU_add_test(s, "scalars by kind", test_scalars);
    CU_add_test(s, "arrays by first item", test_lists);
    CU_add_test(s, "objects by required and const members", test_fitted);
    CU_add_test(s, "merged enum, string or object", test_choice_and_mode);
    CU_add_test(s, "equality and copies", test_equal_and_copy);
    CU_add_test(s, "a union body or response", test_union_at_the_top);
    CU_add_test(s, "other members of an object", test_additional_members);
    CU_add_test(s, "allocation failures", test_allocation_failures);
    CU_add_test(s, "selection among many variants", test_wide_union_selection);
    CU_add_test(s, "round trip: every model, every variant", test_round_trip_everything);
    CU_pSuite w = CU_add_suite("unions over the wire", wire_init, wire_clean);
    CU_add_test(w, "a union request body and response", test_union_body_and_response);
    return or_test_run();
}
