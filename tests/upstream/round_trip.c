/* See round_trip.h. */
#include "round_trip.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openrouter/error.h>
#include <openrouter/types.h>

#include "model_fill.h"

/* Encodes x, decodes that, encodes the result again. 1 when the model read
 * back equals x and both encodings are the same text; *json (the first
 * encoding) and *back are the caller's to free. */
static int trip(const openrouter_object_desc *d, const void *x, char **json, void **back, openrouter_error *err)
{
    char *again = NULL;
    size_t len = 0, len2 = 0;
    *json = NULL;
    *back = NULL;
    int rc = openrouter_model_encode(d, x, json, &len, err);
    if (rc == OPENROUTER_OK)
        rc = openrouter_model_decode(d, *json, len, back, err);
    if (rc == OPENROUTER_OK)
        rc = openrouter_model_encode(d, *back, &again, &len2, err);
    int same = rc == OPENROUTER_OK && openrouter_model_equal(d, x, *back) && len == len2 &&
               memcmp(*json, again, len) == 0;
    openrouter_buffer_free(again);
    return same;
}

static void fail(round_trip_stats *st, const char *set, const char *what, const openrouter_error *err,
                 const char *json)
{
    st->failures++;
    fprintf(stderr, "%s %s: %s [%s]\n  %s\n", set, what, err->message, err->field, json ? json : "(no json)");
}

static void check_object(const char *set, const openrouter_object_desc *d, round_trip_stats *st)
{
    for (int variant = 0; variant < 3; variant++) {
        model_fill f = {0};
        void *x = calloc(1, d->size), *y = NULL;
        char *json = NULL, what[256];
        openrouter_error err = OPENROUTER_ERROR_INIT;
        if (!x)
            abort();
        model_fill_object(&f, d, x, variant);
        if (f.failed || !trip(d, x, &json, &y, &err)) {
            snprintf(what, sizeof what, "%s fill %d", d->name, variant);
            fail(st, set, what, &err, json);
        }
        openrouter_buffer_free(json);
        openrouter_model_free(y);
        openrouter_error_clear(&err);
        model_fill_release(&f);
        free(x);
    }
    st->models++;
}

/* Whether the report lists member `member` of union `name` as never selected. */
static int listed_shadowed(const char *report, const char *name, const char *member)
{
    char needle[512];
    snprintf(needle, sizeof needle, "| `%s` | `%s` |", name, member);
    return report && strstr(report, needle) != NULL;
}

/* Member k: as itself (filled whole, else with its required members only),
 * or, when the report says decoding never selects it, as an earlier
 * variant with the same JSON. */
static void check_variant(const char *set, const openrouter_object_desc *d, size_t k, const char *report,
                          round_trip_stats *st)
{
    const openrouter_union_desc *ud = d->union_desc;
    int ok = 0, shadowed = 0;
    char *json = NULL, what[300];
    openrouter_error err = OPENROUTER_ERROR_INIT;
    for (int minimal = 0; minimal < 2 && !ok; minimal++) {
        model_fill f = {0};
        void *x = calloc(1, d->size), *y = NULL;
        if (!x)
            abort();
        openrouter_buffer_free(json);
        openrouter_error_clear(&err);
        model_fill_union(&f, d, x, k, 0, minimal);
        ok = !f.failed && trip(d, x, &json, &y, &err);
        if (!ok && minimal && y && listed_shadowed(report, d->name, ud->variants[k - 1].name)) {
            char *again = NULL;
            shadowed = *(const int *)y < (int)k &&
                       openrouter_model_encode(d, y, &again, NULL, &err) == OPENROUTER_OK &&
                       strcmp(again, json) == 0;
            openrouter_buffer_free(again);
        }
        openrouter_model_free(y);
        model_fill_release(&f);
        free(x);
    }
    if (ok)
        st->variants++;
    else if (shadowed)
        st->shadowed++;
    else {
        snprintf(what, sizeof what, "%s member %s", d->name, ud->variants[k - 1].name);
        fail(st, set, what, &err, json);
    }
    openrouter_buffer_free(json);
    openrouter_error_clear(&err);
}

/* A value no variant takes, if there is one: kept as raw text, sent back as is. */
static void check_raw(const char *set, const openrouter_object_desc *d, round_trip_stats *st)
{
    static const char *const values[] = {"{\"x-new-variant\":{\"n\":[1,2]}}", "\"x-new-variant\"", "true",
                                         "[true,{}]", "-7", "0.25", "[[[]]]", "{}"};
    char tagged[256];
    const char *disc = d->union_desc->discriminator;
    snprintf(tagged, sizeof tagged, "{\"%s\":\"x-new-variant\",\"x\":1}", disc ? disc : "x");
    for (size_t i = 0; i <= sizeof values / sizeof values[0]; i++) {
        const char *text = i == 0 ? tagged : values[i - 1];
        void *probe = NULL;
        if (openrouter_model_decode(d, text, strlen(text), &probe, NULL) != OPENROUTER_OK)
            continue;
        int unknown = *(const int *)probe == 0;
        openrouter_model_free(probe);
        if (!unknown)
            continue;
        char *x = calloc(1, d->size), *json = NULL;
        void *y = NULL;
        openrouter_error err = OPENROUTER_ERROR_INIT;
        if (!x)
            abort();
        *(char **)(x + d->union_desc->raw_offset) = (char *)text;
        if (trip(d, x, &json, &y, &err) && strcmp(json, text) == 0) {
            st->raw++;
        } else {
            char what[300];
            snprintf(what, sizeof what, "%s raw %s", d->name, text);
            fail(st, set, what, &err, json);
        }
        openrouter_buffer_free(json);
        openrouter_model_free(y);
        openrouter_error_clear(&err);
        free(x);
        return;
    }
    st->no_raw++;
}

void round_trip_table(const char *set, const openrouter_object_desc *const *table, size_t n, const char *report,
                      round_trip_stats *st)
{
    for (size_t m = 0; m < n; m++) {
        const openrouter_object_desc *d = table[m];
        if (!d->union_desc) {
            check_object(set, d, st);
            continue;
        }
        for (size_t k = 1; k <= d->union_desc->n_variants; k++)
            check_variant(set, d, k, report, st);
        check_raw(set, d, st);
        st->unions++;
    }
}
