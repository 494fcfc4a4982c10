/* openrouter-keys: finds the raw text of the items of a page's "data"
 * array, so `list --all --json` can pass every key through byte for byte. */
#ifndef OPENROUTER_KEYS_JSON_ITEMS_H
#define OPENROUTER_KEYS_JSON_ITEMS_H

#include <stddef.h>

typedef int (*json_item_fn)(void *ctx, const char *item, size_t len);

/* `json` (len bytes) must be one JSON object, as the library has already
 * validated it. Calls fn for each element of its top-level member "data"
 * (which must be an array), in order, with the element's exact bytes
 * (surrounding whitespace excluded). Returns 0; -1 if the text does not
 * have that shape; or the first nonzero value fn returned. A member name is
 * compared as written, so a "data" spelled with \u escapes is not found. */
int json_data_items(const char *json, size_t len, json_item_fn fn, void *ctx);

#endif
