/* openrouter-c: openrouter_bytes, a success body that is not JSON (audio,
 * video, files), kept with its Content-Type in one allocation. */
#include <string.h>

#include "internal.h"

int or_bytes_new(const char *data, size_t len, const char *content_type, openrouter_bytes **out)
{
    size_t ct_len = strlen(content_type);
    /* The struct, the data and its NUL, the Content-Type and its NUL. */
    if (len > SIZE_MAX - sizeof(openrouter_bytes) - ct_len - 2)
        return OPENROUTER_ENOMEM;
    openrouter_bytes *b = or_malloc(sizeof *b + len + 1 + ct_len + 1);
    if (!b)
        return OPENROUTER_ENOMEM;
    b->data = (unsigned char *)(b + 1);
    b->size = len;
    if (len)
        memcpy(b->data, data, len);
    b->data[len] = '\0';
    b->content_type = (char *)b->data + len + 1;
    memcpy(b->content_type, content_type, ct_len + 1);
    *out = b;
    return OPENROUTER_OK;
}

void openrouter_bytes_free(openrouter_bytes *bytes)
{
    if (!bytes)
        return;
    /* Wiped like every body: a file may be as private as a key. */
    or_wipe(bytes, sizeof *bytes + bytes->size + 1 + strlen(bytes->content_type) + 1);
    or_free(bytes);
}
