/* openrouter-keys: shared helpers (see cli_util.h). */
#define _POSIX_C_SOURCE 200809L
#include "cli_util.h"

#include <stdlib.h>
#include <string.h>

#include <openrouter/openrouter.h>

#include "cli_args.h"

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
