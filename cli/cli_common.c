/* What openrouter-keys and openrouter-api share (cli_common.h). */
#include "cli_common.h"

#include <openrouter/error.h>

int cli_exit_code(int rc)
{
    switch (rc) {
    case OPENROUTER_OK: return EXIT_OK;
    case OPENROUTER_EINVAL: return EXIT_USAGE;
    case OPENROUTER_ETRANSPORT:
    case OPENROUTER_ETIMEOUT: return EXIT_TRANSPORT;
    default: return EXIT_API; /* EHTTP, EDECODE, ENOMEM */
    }
}

void put_clean(FILE *f, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        fputc(c < 0x20 || c == 0x7f ? '?' : c, f);
    }
}
