/* libFuzzer target: or_json_parse, the json-c trees of untyped JSON
 * (json_tree.c). Whatever the reader accepts becomes a tree (unless json-c
 * cannot hold it: a \u0000 key); whatever it refuses gets no tree. A tree
 * serialised by json-c parses back into an equal tree. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    or_jr r;
    or_jr_init(&r, text, size, 0);
    int valid = or_jr_validate(&r) == 0;
    json_object *tree = NULL;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    int rc = or_json_parse(text, size, 0, &tree, &err);
    if (rc != OPENROUTER_OK) {
        if (tree || err.kind != rc)
            abort();
        if (rc == OPENROUTER_EDECODE && valid && !strstr(err.message, "json-c cannot"))
            abort(); /* valid JSON refused for another reason */
        if (rc != OPENROUTER_EDECODE && rc != OPENROUTER_ENOMEM)
            abort();
        openrouter_error_clear(&err);
        return 0;
    }
    if (!valid)
        abort();
    const char *again_text = tree ? json_object_to_json_string_ext(tree, JSON_C_TO_STRING_PLAIN) : "null";
    json_object *again = NULL;
    if (or_json_parse(again_text, strlen(again_text), 0, &again, &err) != OPENROUTER_OK)
        abort();
    if (!json_object_equal(tree, again))
        abort();
    json_object_put(again);
    json_object_put(tree);
    openrouter_error_clear(&err);
    return 0;
}
