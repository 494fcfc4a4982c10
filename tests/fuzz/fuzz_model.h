/* libFuzzer harness shared by the response-model targets (fuzz_<model>.c).
 *
 * For one generated response model M:
 *   decode(input) -> on success encode -> decode the encoding -> the two
 *   models must be equal, less the fields an encoding leaves out on purpose
 *   (read-only: never sent, like a created key's secret), and encoding the
 *   second must give the same bytes.
 * And the two modes agree: strict decoding fails exactly when the default
 * one recorded warnings, naming the first of them with its message.
 * Every model and buffer is freed; ASan/UBSan and LeakSanitizer do the rest.
 * A decode or encode that fails must leave *out NULL and set an error
 * message, and must not crash. */
#ifndef OPENROUTER_FUZZ_MODEL_H
#define OPENROUTER_FUZZ_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openrouter/openrouter.h>

#include "internal.h"

#define FUZZ_CHECK(cond)    \
    do {                    \
        if (!(cond))        \
            abort();        \
    } while (0)

/* `lenient` decoded `data` without strict mode: strict mode must stop at
 * its first warning, or succeed when there is none. */
static inline void fuzz_check_strict(const openrouter_object_desc *desc, const uint8_t *data, size_t size,
                                     const void *lenient)
{
    size_t n = 0;
    const openrouter_warning *w = openrouter_model_warnings(lenient, &n);
    or_decode_options strict = {.strict = 1};
    openrouter_error err = OPENROUTER_ERROR_INIT;
    void *model = NULL;
    int rc = or_model_decode(desc, (const char *)data, size, &strict, &model, &err);
    FUZZ_CHECK((rc == OPENROUTER_OK) == (n == 0));
    if (rc != OPENROUTER_OK) {
        size_t k = strlen(err.field);
        FUZZ_CHECK(rc == OPENROUTER_EDECODE && model == NULL && strncmp(err.field, w[0].path, k) == 0);
        FUZZ_CHECK(strstr(err.message, w[0].message) != NULL || k + 2 + strlen(w[0].message) >= sizeof err.message);
    }
    openrouter_model_free(model);
    openrouter_error_clear(&err);
}

/* Marks a model's read-only fields ABSENT, in nested objects, array items
 * and map values too: what decode(encode(model)) is expected to hold. */
static void fuzz_drop_read_only(const openrouter_object_desc *od, char *obj);

static void fuzz_drop_read_only_in(const openrouter_type_desc *t, char *slot)
{
    /* ARRAY and MAP slots: { state; items or entries; count } (descriptor.h) */
    struct container {
        openrouter_presence state;
        char *data;
        size_t count;
    } *c = (struct container *)(void *)slot;
    if (t->kind == OPENROUTER_KIND_OBJECT) {
        size_t at = t->slot_size - t->object->size; /* 0: a bare array item or map value */
        if (at == 0 || *(openrouter_presence *)(void *)slot == OPENROUTER_PRESENT)
            fuzz_drop_read_only(t->object, slot + at);
    } else if (t->kind == OPENROUTER_KIND_ARRAY && c->state == OPENROUTER_PRESENT) {
        for (size_t i = 0; i < c->count; i++)
            fuzz_drop_read_only_in(t->item, c->data + i * t->item->slot_size);
    } else if (t->kind == OPENROUTER_KIND_MAP && c->state == OPENROUTER_PRESENT) {
        for (size_t i = 0; i < c->count; i++)
            fuzz_drop_read_only_in(t->item, c->data + i * t->entry_size + t->map_value_offset);
    } else if (t->kind == OPENROUTER_KIND_UNION) { /* the member its kind names */
        const openrouter_union_desc *ud = t->object->union_desc;
        size_t at = t->slot_size - t->object->size;
        int kind = *(int *)(void *)(slot + at);
        if ((at == 0 || *(openrouter_presence *)(void *)slot == OPENROUTER_PRESENT) && kind > 0 &&
            (size_t)kind <= ud->n_variants)
            fuzz_drop_read_only_in(ud->variants[kind - 1].type, slot + at + ud->value_offset);
    }
}

static void fuzz_drop_read_only(const openrouter_object_desc *od, char *obj)
{
    for (size_t i = 0; i < od->n_fields; i++) {
        const openrouter_field_desc *f = &od->fields[i];
        if (f->flags & OPENROUTER_F_READ_ONLY)
            *(openrouter_presence *)(void *)(obj + f->offset) = OPENROUTER_ABSENT;
        else
            fuzz_drop_read_only_in(f->type, obj + f->offset);
    }
}

#define FUZZ_MODEL(M)                                                                           \
    int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);                               \
    int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)                                \
    {                                                                                           \
        openrouter_error err = OPENROUTER_ERROR_INIT;                                           \
        M *first = NULL;                                                                        \
        int rc = M##_decode((const char *)data, size, &first, &err);                            \
        if (rc != OPENROUTER_OK) {                                                              \
            FUZZ_CHECK(first == NULL && err.kind == rc && err.message[0] != '\0');              \
            openrouter_error_clear(&err);                                                       \
            return 0;                                                                           \
        }                                                                                       \
        FUZZ_CHECK(first != NULL);                                                              \
        fuzz_check_strict(&M##_desc, data, size, first);                                        \
        char *json = NULL;                                                                      \
        size_t len = 0;                                                                         \
        rc = M##_encode(first, &json, &len, &err);                                              \
        if (rc == OPENROUTER_OK) {                                                              \
            /* What we encode we must read back, less read-only fields. */                     \
            FUZZ_CHECK(json != NULL && strlen(json) == len);                                    \
            M *second = NULL;                                                                   \
            FUZZ_CHECK(M##_decode(json, len, &second, &err) == OPENROUTER_OK);                  \
            fuzz_drop_read_only(&M##_desc, (char *)first);                                      \
            FUZZ_CHECK(M##_equal(first, second));                                               \
            char *again = NULL;                                                                 \
            size_t again_len = 0;                                                               \
            FUZZ_CHECK(M##_encode(second, &again, &again_len, &err) == OPENROUTER_OK);          \
            FUZZ_CHECK(again_len == len && memcmp(again, json, len) == 0);                      \
            openrouter_buffer_free(again);                                                      \
            M##_free(second);                                                                   \
        } else {                                                                                \
            /* A decoded response may break request-side constraints; fine. */                 \
            FUZZ_CHECK(json == NULL && err.message[0] != '\0');                                 \
        }                                                                                       \
        openrouter_buffer_free(json);                                                           \
        M##_free(first);                                                                        \
        openrouter_error_clear(&err);                                                           \
        return 0;                                                                               \
    }

#endif
