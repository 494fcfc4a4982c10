/* What openrouter-keys and openrouter-api share (cli_common.h). */
#include "cli_common.h"

#include <stdint.h>
#include <string.h>

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

void cli_print_warning(const char *prog, const openrouter_warning *w, size_t index)
{
    fprintf(stderr, "%s: warning (%s): ", prog, openrouter_warning_kind_name(w->kind));
    const char *rest = strchr(w->path, ']');
    if (index != SIZE_MAX && rest) {
        fprintf(stderr, "%.*s%zu", (int)(strchr(w->path, '[') - w->path + 1), w->path, index);
        put_clean(stderr, rest);
    } else {
        put_clean(stderr, w->path);
    }
    fputs(": ", stderr);
    put_clean(stderr, w->message);
    fputc('\n', stderr);
}

void cli_print_warnings(const char *prog, const void *model)
{
    size_t n = 0;
    const openrouter_warning *w = openrouter_model_warnings(model, &n);
    fflush(stdout);
    for (size_t i = 0; i < n; i++)
        cli_print_warning(prog, &w[i], SIZE_MAX);
}
