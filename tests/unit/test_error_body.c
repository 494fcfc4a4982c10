/* Unit tests for runtime/src/error_body.c: API error bodies decoded through
 * the runtime's envelope table with the table decoder (lenient), anything
 * else kept as a bounded snippet; and the envelope kept in step with the
 * spec's ErrorResponse / ErrorDetail. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "openrouter/openrouter.h"

#include "internal.h"
#include "test_util.h"

typedef struct parsed {
    const char *code;     /* NULL: api_code NULL */
    long number;
    const char *message;
    const char *metadata;
    int snippet;          /* body_snippet set */
} parsed;

static void expect_body(const char *body, parsed want)
{
    openrouter_error err = OPENROUTER_ERROR_INIT;
    CU_ASSERT_EQUAL(or_error_parse_body(&err, body, strlen(body)), 0);
    int ok = 1;
#define SAME_STR(got, w) ((w) ? (got) && strcmp((got), (w)) == 0 : (got) == NULL)
    ok &= SAME_STR(err.api_code, want.code);
    ok &= err.api_code_number == want.number;
    ok &= SAME_STR(err.api_message, want.message);
    ok &= SAME_STR(err.api_metadata, want.metadata);
    ok &= !!err.body_snippet == want.snippet;
#undef SAME_STR
    CU_ASSERT_TRUE(ok);
    if (!ok)
        fprintf(stderr, "\n  %s:\n  got code=%s (%ld) message=%s metadata=%s snippet=%s\n", body,
                err.api_code ? err.api_code : "NULL", err.api_code_number,
                err.api_message ? err.api_message : "NULL", err.api_metadata ? err.api_metadata : "NULL",
                err.body_snippet ? err.body_snippet : "NULL");
    openrouter_error_clear(&err);
}

static void test_envelope(void)
{
    expect_body("{\"error\":{\"code\":401,\"message\":\"No auth credentials found\"}}",
                (parsed){"401", 401, "No auth credentials found", NULL, 0});
    /* code as a string, numeric or not */
    expect_body("{\"error\":{\"code\":\"429\",\"message\":\"slow down\"}}", (parsed){"429", 429, "slow down", NULL, 0});
    expect_body("{\"error\":{\"code\":\"invalid_request\",\"message\":\"x\"}}",
                (parsed){"invalid_request", 0, "x", NULL, 0});
    expect_body("{\"error\":{\"code\":\"\\u0034\\u00e9\",\"message\":\"x\"}}", (parsed){"4\xc3\xa9", 0, "x", NULL, 0});
    /* integer spellings, and numbers that are not integers */
    expect_body("{\"error\":{\"code\":4e2,\"message\":\"x\"}}", (parsed){"400", 400, "x", NULL, 0});
    expect_body("{\"error\":{\"code\":-1,\"message\":\"x\"}}", (parsed){"-1", -1, "x", NULL, 0});
    expect_body("{\"error\":{\"code\":400.5}}", (parsed){"400.5", 0, NULL, NULL, 0});
    expect_body("{\"error\":{\"code\":99999999999999999999}}", (parsed){"99999999999999999999", 0, NULL, NULL, 0});
    /* metadata: kept as received, whitespace outside strings removed */
    expect_body("{\"error\":{\"code\":502,\"message\":\"Upstream\",\"metadata\":{ \"provider\" : \"x/y\", "
                "\"raw\" : [1.50, \"\\u00e9 a\"] }}}",
                (parsed){"502", 502, "Upstream", "{\"provider\":\"x/y\",\"raw\":[1.50,\"\\u00e9 a\"]}", 0});
    expect_body("{\"error\":{\"code\":400,\"message\":\"m\",\"metadata\":null}}", (parsed){"400", 400, "m", NULL, 0});
    expect_body("{\"error\":{\"code\":400,\"metadata\":\"text\"}}", (parsed){"400", 400, NULL, "\"text\"", 0});
    /* unknown members anywhere are ignored */
    expect_body("{\"user_id\":\"u\",\"openrouter_metadata\":{\"a\":1},\"error\":{\"extra\":[{}],\"message\":\"m\"},"
                "\"z\":null}",
                (parsed){NULL, 0, "m", NULL, 0});
    expect_body("{\"error\":{}}", (parsed){NULL, 0, NULL, NULL, 0});
}

/* Odd types in the error member: what can be used is kept. */
static void test_lenient(void)
{
    expect_body("{\"error\":{\"code\":401,\"message\":42}}", (parsed){"401", 401, NULL, NULL, 0});
    expect_body("{\"error\":{\"code\":true,\"message\":\"m\"}}", (parsed){NULL, 0, "m", NULL, 0});
    expect_body("{\"error\":{\"code\":[401],\"message\":{\"text\":\"m\"},\"metadata\":{\"k\":1}}}",
                (parsed){NULL, 0, NULL, "{\"k\":1}", 0});
    expect_body("{\"error\":{\"code\":\"a\\u0000b\",\"message\":\"m\\u0000n\",\"metadata\":[\"\\u0000\"]}}",
                (parsed){NULL, 0, NULL, "[\"\\u0000\"]", 0});
    /* duplicates: the last one wins */
    expect_body("{\"error\":{\"code\":1,\"code\":2,\"message\":\"a\",\"message\":\"b\"}}", (parsed){"2", 2, "b", NULL, 0});
}

/* Bodies that are not a JSON error object: a bounded, printable snippet. */
static void test_snippets(void)
{
    expect_body("<html><body>502 Bad Gateway</body></html>", (parsed){NULL, 0, NULL, NULL, 1});
    expect_body("{\"error\":\"boom\"}", (parsed){NULL, 0, NULL, NULL, 1});
    expect_body("{\"error\":null}", (parsed){NULL, 0, NULL, NULL, 1});
    expect_body("{\"message\":\"no error member\"}", (parsed){NULL, 0, NULL, NULL, 1});
    expect_body("[{\"error\":{\"code\":1}}]", (parsed){NULL, 0, NULL, NULL, 1});
    expect_body("{\"error\":{\"code\":401,\"message\":\"m\"}", (parsed){NULL, 0, NULL, NULL, 1}); /* cut */
    expect_body("{\"error\":{\"code\":401,\"message\":\"m\"}} trailing", (parsed){NULL, 0, NULL, NULL, 1});
    expect_body("{\"error\":{\"code\":401,\"message\":\"\\ud800\"}}", (parsed){NULL, 0, NULL, NULL, 1});

    openrouter_error err = OPENROUTER_ERROR_INIT;
    char big[4096];
    memset(big, 'x', sizeof big);
    big[10] = '\x01';
    big[11] = '\xc3';
    CU_ASSERT_EQUAL(or_error_parse_body(&err, big, sizeof big), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(err.body_snippet);
    CU_ASSERT_EQUAL(strlen(err.body_snippet), OPENROUTER_ERROR_SNIPPET_MAX);
    CU_ASSERT_EQUAL(err.body_snippet[10], '?');
    CU_ASSERT_EQUAL(err.body_snippet[11], '?');
    openrouter_error_clear(&err);
    /* nothing at all */
    CU_ASSERT_EQUAL(or_error_parse_body(&err, "", 0), 0);
    CU_ASSERT_PTR_NULL(err.body_snippet);
    CU_ASSERT_PTR_NULL(err.api_code);
}

/* Key-shaped text never reaches the error, whichever member holds it. */
static void test_redacted(void)
{
    expect_body("{\"error\":{\"code\":\"sk-or-v1-0123456789abcdef\",\"message\":\"bad sk-or-v1-0123456789abcdef\","
                "\"metadata\":{\"k\":\"sk-or-v1-0123456789abcdef\"}}}",
                (parsed){"[REDACTED]", 0, "bad [REDACTED]", "{\"k\":\"[REDACTED]\"}", 0});
}

/* The field of `desc` named `name`, or NULL. */
static const openrouter_field_desc *field_named(const openrouter_object_desc *desc, const char *name)
{
    for (size_t i = 0; i < desc->n_fields; i++)
        if (strcmp(desc->fields[i].json_name, name) == 0)
            return &desc->fields[i];
    return NULL;
}

/* The runtime's envelope and the spec's ErrorResponse / ErrorDetail (as
 * generated from spec/openrouter-keys.yaml) name the same members with the
 * same kinds, except `code`, widened on purpose to any JSON value. The
 * detail must match exactly; the envelope reads only `error` of the spec's
 * members (the others have no place in openrouter_error). */
static void test_matches_spec(void)
{
    const openrouter_object_desc *ours = &or_error_detail_desc, *spec = &openrouter_error_detail_desc;
    CU_ASSERT_EQUAL(ours->n_fields, spec->n_fields);
    for (size_t i = 0; i < spec->n_fields; i++) {
        const openrouter_field_desc *s = &spec->fields[i], *o = field_named(ours, s->json_name);
        CU_ASSERT_PTR_NOT_NULL(o);
        if (!o) {
            fprintf(stderr, "\n  spec's ErrorDetail member \"%s\" is not in the runtime's envelope\n", s->json_name);
            continue;
        }
        if (strcmp(s->json_name, "code") == 0) {
            CU_ASSERT_TRUE(s->type->kind == OPENROUTER_KIND_INT64 || s->type->kind == OPENROUTER_KIND_INT32 ||
                           s->type->kind == OPENROUTER_KIND_STRING);
            CU_ASSERT_EQUAL(o->type->kind, OPENROUTER_KIND_JSON);
        } else {
            CU_ASSERT_EQUAL(o->type->kind, s->type->kind);
        }
    }
    for (size_t i = 0; i < ours->n_fields; i++)
        CU_ASSERT_PTR_NOT_NULL(field_named(spec, ours->fields[i].json_name));

    const openrouter_object_desc *env = &or_error_envelope_desc, *resp = &openrouter_error_response_desc;
    for (size_t i = 0; i < env->n_fields; i++) {
        const openrouter_field_desc *o = &env->fields[i], *s = field_named(resp, o->json_name);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s);
        CU_ASSERT_EQUAL(o->type->kind, s->type->kind);
        CU_ASSERT_EQUAL(s->type->object, &openrouter_error_detail_desc);
        CU_ASSERT_EQUAL(o->type->object, &or_error_detail_desc);
    }
    CU_ASSERT_PTR_NOT_NULL(field_named(env, "error"));
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("error bodies", NULL, NULL);
    CU_add_test(s, "the envelope", test_envelope);
    CU_add_test(s, "odd types keep what is usable", test_lenient);
    CU_add_test(s, "snippets of everything else", test_snippets);
    CU_add_test(s, "key-shaped text redacted", test_redacted);
    CU_add_test(s, "envelope matches the spec", test_matches_spec);
    return or_test_run();
}
