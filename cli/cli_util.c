/* openrouter-keys: shared helpers (see cli_util.h). */
#define _POSIX_C_SOURCE 200809L
#include "cli_util.h"

#include <stdlib.h>
#include <string.h>

#include <openrouter/openrouter.h>

#include "cli_args.h"

void put_clean(FILE *f, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        fputc(c < 0x20 || c == 0x7f ? '?' : c, f);
    }
}

char *xstrdup(const char *s)
{
    char *d = strdup(s ? s : "");
    if (!d) {
        fputs(PROG ": out of memory\n", stderr);
        exit(EXIT_API);
    }
    return d;
}

void cli_wipe(void *p, size_t n)
{
    volatile unsigned char *v = p;
    while (n--)
        *v++ = 0;
}

void cli_wipe_free(char *s)
{
    if (!s)
        return;
    cli_wipe(s, strlen(s));
    free(s);
}

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
