/* openrouter-c: free-form JSON values as json-c trees.
 *
 * Free-form values (openrouter_json: objects the API does not describe,
 * such as error metadata) are kept as compact JSON text. A C program that
 * wants to explore one usually knows json-c already: this header turns
 * the text into a json-c tree. It is the only public header that includes
 * <json-c/json.h>; openrouter.h does not, so programs that never include
 * it do not need json-c's headers. Programs that do: compile and link with
 * json-c too (`pkg-config --cflags --libs json-c`, or CMake's
 * PkgConfig::JSONC).
 *
 *   json_object *tree = NULL;
 *   if (openrouter_json_tree(&model->metadata, &tree, &err) == OPENROUTER_OK) {
 *       json_object *v = NULL;
 *       if (json_object_object_get_ex(tree, "provider", &v))
 *           printf("%s\n", json_object_get_string(v));
 *       json_object_put(tree);
 *   }
 *
 * For error metadata, wrap the text:
 *   openrouter_json meta = {OPENROUTER_PRESENT, err.api_metadata};   (when not NULL) */
#ifndef OPENROUTER_JSON_C_H
#define OPENROUTER_JSON_C_H

#include <json-c/json.h>

#include "openrouter/error.h"
#include "openrouter/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Parses `value` into a new json-c tree stored in *out, yours to release
 * with json_object_put() (json-c frees without wiping: do not use it for
 * secrets). The text is checked by the library's strict reader first, with
 * the same rules as responses (RFC 8259, valid UTF-8, no lone surrogates,
 * at most 64 levels deep); invalid text is OPENROUTER_EDECODE with the
 * offset. A value that is JSON null (state OPENROUTER_NULL, or the text
 * "null") gives *out == NULL, json-c's null, and OPENROUTER_OK.
 *
 * Where json-c cannot hold what JSON allows: an object key containing
 * \u0000 is OPENROUTER_EDECODE; an integer beyond the 64-bit range becomes
 * a double that keeps its literal text (json_object_to_json_string()
 * writes it back unchanged; json-c's own parser would saturate it).
 * Integers are json_type_int (int64, or uint64 above INT64_MAX), other
 * numbers json_type_double keeping their literal text.
 *
 * Returns OPENROUTER_OK; OPENROUTER_EINVAL when `value` or `out` is NULL,
 * the value is ABSENT, or PRESENT with NULL text; OPENROUTER_EDECODE;
 * OPENROUTER_ENOMEM. *out is NULL on failure. */
int openrouter_json_tree(const openrouter_json *value, struct json_object **out, openrouter_error *error);

#ifdef __cplusplus
}
#endif
#endif
