/* libFuzzer target: the date-time parsers. openrouter_datetime_parse (RFC
 * 3339) with a format/parse round trip, or_http_date_parse (IMF-fixdate,
 * RFC 850, asctime) and openrouter_parse_retry_after (seconds or a date). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';

    int64_t us = 0;
    int offset = 0;
    if (openrouter_datetime_parse(text, &us, &offset) == 0) {
        if (offset < -24 * 60 || offset > 24 * 60)
            abort();
        char buf[OPENROUTER_DATETIME_BUFSIZE];
        if (openrouter_datetime_format(us, buf, sizeof buf) == 0) {
            int64_t back = 0;
            int off2 = -1;
            if (openrouter_datetime_parse(buf, &back, &off2) != 0 || back != us || off2 != 0)
                abort();
        }
    }
    int64_t secs = 0;
    (void)or_http_date_parse(text, &secs);
    long ms = openrouter_parse_retry_after(text, 1767225600); /* 2026-01-01 */
    if (ms < -1)
        abort();
    (void)or_parse_retry_after_ms(text);
    free(text);
    return 0;
}
