/* What openrouter-keys and openrouter-api share: exit codes, safe
 * terminal output and the response's warnings. */
#ifndef OPENROUTER_CLI_COMMON_H
#define OPENROUTER_CLI_COMMON_H

#include <stddef.h>
#include <stdio.h>

#include <openrouter/types.h>

enum { EXIT_OK = 0, EXIT_API = 1, EXIT_USAGE = 2, EXIT_TRANSPORT = 3 };

/* The exit code of a library status: EINVAL is a usage error (nothing was
 * sent), transport and timeout failures are 3, the rest 1. */
int cli_exit_code(int rc);

/* Writes `s` with control characters replaced, so a key name or an error
 * message cannot move the terminal's cursor or change its colours. */
void put_clean(FILE *f, const char *s);

/* One line on stderr for a value the response holds that breaks the API's
 * description: "<prog>: warning (format): data.expires_at: ...". The
 * output shows such a value as received (or leaves it out when it could
 * not be kept). `index` replaces the item number of a "data[i]..." path
 * when it is not SIZE_MAX (openrouter-keys list --all numbers the keys
 * of all pages). */
void cli_print_warning(const char *prog, const openrouter_warning *w, size_t index);

/* Every warning of a model the library returned (a response, an event),
 * in order, after flushing stdout so they follow what was printed of it. */
void cli_print_warnings(const char *prog, const void *model);

#endif
