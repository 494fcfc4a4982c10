/* Unit tests for runtime/src/redact.c: both redaction rules of redact.h in
 * one table (each row says what rule 1, the client's key, and rule 2,
 * key-shaped text, make of the same input), through every entry point, and
 * the in-place masking when memory is short. */
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "fail_alloc.h"
#include "internal.h"
#include "redact.h"
#include "test_util.h"

#define KEY "sk-or-v1-0123456789abcdef0123456789abcdef" /* 41 bytes: cut tails of 20+ redacted */
#define KEY20 "sk-or-v1-0123456789a"                      /* the shortest tail rule 1 takes */
#define KEY19 "sk-or-v1-0123456789"
#define KEY30 "sk-or-v1-0123456789abcdef01234"
#define SECRET "abcdefghijklmnopqrstuvwxyz" /* a client key that is not key-shaped */

static const struct redact_case {
    const char *what;
    const char *secret; /* the client's key (rule 1) */
    const char *in;
    const char *rule1;  /* NULL: unchanged */
    const char *rule2;  /* NULL: unchanged */
} cases[] = {
    {"nothing to redact", KEY, "no secret here", NULL, NULL},
    {"empty", KEY, "", NULL, NULL},
    {"the key", KEY, "x " KEY " y", "x [REDACTED] y", "x [REDACTED] y"},
    {"the key twice, adjacent", KEY, KEY KEY, "[REDACTED][REDACTED]", "[REDACTED]"},
    {"the key in a URL path", KEY, "http://h/keys/" KEY "?a=1", "http://h/keys/[REDACTED]?a=1",
     "http://h/keys/[REDACTED]?a=1"},
    {"a cut-off tail of the key, long enough", KEY, "pre " KEY20, "pre [REDACTED]", "pre [REDACTED]"},
    {"a cut-off tail too short for rule 1", KEY, "pre " KEY19, NULL, "pre [REDACTED]"},
    {"a piece of the key not at the end", KEY, "a " KEY30 " b", NULL, "a [REDACTED] b"},
    {"another key (a created key's secret)", KEY, "new sk-or-v1-ffffffffffffffff", NULL, "new [REDACTED]"},
    {"a key label", KEY, "label sk-or-v1-abc...xyz", NULL, NULL},
    {"key-shaped, cut short at the end", KEY, "id sk-or-ab", NULL, "id ********"},
    {"\"sk-or-\" and too few key characters", KEY, "sk-or-abc def", NULL, NULL},
    {"a client key that is not key-shaped", SECRET, "token=" SECRET "&x", "token=[REDACTED]&x", NULL},
    {"its cut-off tail", SECRET, "token=abcdefghijklm", "token=[REDACTED]", NULL},
};
#define N_CASES (sizeof cases / sizeof cases[0])

static const char *want1(const struct redact_case *k) { return k->rule1 ? k->rule1 : k->in; }
static const char *want2(const struct redact_case *k) { return k->rule2 ? k->rule2 : k->in; }

static void report(const struct redact_case *k, const char *entry, const char *got, const char *want)
{
    if (strcmp(got, want) != 0)
        fprintf(stderr, "\n  %s, %s: got \"%s\", want \"%s\"\n", k->what, entry, got, want);
    CU_ASSERT_STRING_EQUAL(got, want);
}

/* Rule 1 through or_redact_dup, or_redact_buf and or_redact_error. */
static void test_rule1_table(void)
{
    for (size_t i = 0; i < N_CASES; i++) {
        const struct redact_case *k = &cases[i];
        char *copy = (char *)"unset";
        CU_ASSERT_EQUAL(or_redact_dup(k->in, strlen(k->in), k->secret, strlen(k->secret), &copy), 0);
        CU_ASSERT_EQUAL(copy == NULL, k->rule1 == NULL);
        report(k, "or_redact_dup", copy ? copy : k->in, want1(k));
        or_free(copy);

        or_buf b = OR_BUF_INIT;
        CU_ASSERT_EQUAL_FATAL(or_buf_puts(&b, k->in), 0);
        CU_ASSERT_EQUAL(or_redact_buf(&b, k->secret), 0);
        report(k, "or_redact_buf", b.data, want1(k));
        CU_ASSERT_EQUAL(b.len, strlen(want1(k)));
        or_buf_free(&b);

        openrouter_error e = OPENROUTER_ERROR_INIT;
        snprintf(e.message, sizeof e.message, "%s", k->in);
        snprintf(e.field, sizeof e.field, "%s", k->in);
        e.api_code = or_strdup(k->in);
        e.api_message = or_strdup(k->in);
        e.api_metadata = or_strdup(k->in);
        e.body_snippet = or_strdup(k->in);
        or_redact_error(&e, k->secret);
        report(k, "error.message", e.message, want1(k));
        report(k, "error.field", e.field, want1(k));
        report(k, "error.api_code", e.api_code, want1(k));
        report(k, "error.api_message", e.api_message, want1(k));
        report(k, "error.api_metadata", e.api_metadata, want1(k));
        report(k, "error.body_snippet", e.body_snippet, want1(k));
        openrouter_error_clear(&e);
    }
}

static void test_rule2_table(void)
{
    for (size_t i = 0; i < N_CASES; i++) {
        const struct redact_case *k = &cases[i];
        char s[256];
        snprintf(s, sizeof s, "%s", k->in);
        size_t before = strlen(s);
        or_redact_key_shaped(s);
        report(k, "or_redact_key_shaped", s, want2(k));
        /* In place: never longer, and what the shift left behind is zeroed. */
        CU_ASSERT(strlen(s) <= before);
        for (size_t j = strlen(s); j < before; j++)
            CU_ASSERT_EQUAL(s[j], '\0');
    }
    or_redact_key_shaped(NULL); /* NULL-safe */
}

/* Short of memory, rule 1 masks the same bytes with '*' in place: the key
 * (and its tail) is gone, the rest and the length stay. */
static void test_rule1_masks_without_memory(void)
{
    for (size_t i = 0; i < N_CASES; i++) {
        const struct redact_case *k = &cases[i];
        if (!k->rule1)
            continue;
        size_t n = strlen(k->in);
        or_buf b = OR_BUF_INIT;
        CU_ASSERT_EQUAL_FATAL(or_buf_puts(&b, k->in), 0);
        or_test_fail_alloc(1);
        CU_ASSERT_EQUAL(or_redact_buf(&b, k->secret), -1);
        or_test_fail_alloc(0);
        CU_ASSERT_EQUAL(b.len, n);
        CU_ASSERT_PTR_NULL(strstr(b.data, k->secret));
        for (size_t j = 0; j < n; j++)
            CU_ASSERT(b.data[j] == k->in[j] || b.data[j] == '*');
        CU_ASSERT_PTR_NOT_NULL(strchr(b.data, '*'));
        or_buf_free(&b);

        /* One string per error, so the failed allocation is that string's. */
        openrouter_error e = OPENROUTER_ERROR_INIT;
        e.api_message = or_strdup(k->in);
        or_test_fail_alloc(1);
        or_redact_error(&e, k->secret);
        or_test_fail_alloc(0);
        CU_ASSERT_PTR_NULL(strstr(e.api_message, k->secret));
        CU_ASSERT_EQUAL(strlen(e.api_message), n);
        openrouter_error_clear(&e);
        snprintf(e.message, sizeof e.message, "%s", k->in);
        or_test_fail_alloc(1);
        or_redact_error(&e, k->secret);
        or_test_fail_alloc(0);
        CU_ASSERT_PTR_NULL(strstr(e.message, k->secret));
        CU_ASSERT_EQUAL(strlen(e.message), n);
        openrouter_error_clear(&e);

        char *copy = (char *)"unset";
        or_test_fail_alloc(1);
        CU_ASSERT_EQUAL(or_redact_dup(k->in, n, k->secret, strlen(k->secret), &copy), -1);
        or_test_fail_alloc(0);
        CU_ASSERT_PTR_NULL(copy);
    }
}

int main(void)
{
    if (or_test_fail_alloc_install(NULL) != 0)
        return 1;
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("redact", NULL, NULL);
    CU_add_test(s, "rule 1 (the client's key): the table, every entry point", test_rule1_table);
    CU_add_test(s, "rule 2 (key-shaped text): the table", test_rule2_table);
    CU_add_test(s, "rule 1 masks in place when memory is short", test_rule1_masks_without_memory);
    return or_test_run();
}
