/* libFuzzer target: or_error_parse_body, the parser of API error bodies
 * (JSON {"error":{...}} or anything else, kept as a bounded snippet). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    openrouter_error err = OPENROUTER_ERROR_INIT;
    int rc = or_error_parse_body(&err, (const char *)data, size);
    if (rc != 0 && rc != OPENROUTER_ENOMEM)
        abort();
    /* Whatever was kept is a NUL-terminated string; a snippet is bounded
     * and printable. */
    if (err.body_snippet) {
        size_t n = strlen(err.body_snippet);
        if (n > OPENROUTER_ERROR_SNIPPET_MAX)
            abort();
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)err.body_snippet[i];
            if (c < 0x20 && c != '\n' && c != '\t')
                abort();
        }
    }
    if (err.api_code && err.api_message && err.api_metadata)
        (void)(strlen(err.api_code) + strlen(err.api_message) + strlen(err.api_metadata));
    openrouter_error_clear(&err);
    return 0;
}
