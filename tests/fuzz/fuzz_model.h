/* libFuzzer harness shared by the response-model targets (fuzz_<model>.c).
 *
 * For one generated response model M:
 *   decode(input) -> on success encode -> decode the encoding -> the two
 *   models must be equal, and encoding the second must give the same bytes.
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
            /* What we encode we must read back as the same model. */                          \
            FUZZ_CHECK(json != NULL && strlen(json) == len);                                    \
            M *second = NULL;                                                                   \
            FUZZ_CHECK(M##_decode(json, len, &second, &err) == OPENROUTER_OK);                  \
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
