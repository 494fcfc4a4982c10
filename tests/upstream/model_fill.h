/* Fills any generated model from its descriptor table, deterministically,
 * so round-trip tests cover every model without naming one. */
#ifndef OR_TEST_MODEL_FILL_H
#define OR_TEST_MODEL_FILL_H

#include <stddef.h>

#include <openrouter/descriptor.h>
#include <openrouter/error.h>

typedef struct model_fill {
    void **blocks;  /* everything allocated, released by model_fill_release */
    size_t n, cap;
    int failed;     /* out of memory */
} model_fill;

/* Fills `model` (sizeof desc->size, zeroed) for `variant` 0, 1 or 2. Field
 * number i gets state (i + variant) % 3 (ABSENT, NULL, PRESENT), moved to
 * PRESENT where the table does not allow it (required, not nullable), so
 * the three variants give every field each state it can take. Read-only and
 * write-only fields stay ABSENT: they do not survive an encode-decode trip
 * by design. Values respect length and range limits and include escapes,
 * non-ASCII text, integer extremes and unknown enum values. */
void model_fill_object(model_fill *f, const openrouter_object_desc *desc, void *model, int variant);

/* Fills the union model `model` (desc->union_desc) with member `kind`
 * (1..n_variants; 0 leaves it empty) so that decoding selects it: a
 * discriminated variant gets its tag, const members their value, an array
 * at least one item, a free-form member a JSON value of a kind no other
 * variant takes. `minimal`: only the required members of an object. */
void model_fill_union(model_fill *f, const openrouter_object_desc *desc, void *model, size_t kind, int variant,
                      int minimal);

void model_fill_release(model_fill *f);

#endif
