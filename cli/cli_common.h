/* What openrouter-keys and openrouter-api share: exit codes and safe
 * terminal output. */
#ifndef OPENROUTER_CLI_COMMON_H
#define OPENROUTER_CLI_COMMON_H

#include <stdio.h>

enum { EXIT_OK = 0, EXIT_API = 1, EXIT_USAGE = 2, EXIT_TRANSPORT = 3 };

/* The exit code of a library status: EINVAL is a usage error (nothing was
 * sent), transport and timeout failures are 3, the rest 1. */
int cli_exit_code(int rc);

/* Writes `s` with control characters replaced, so a key name or an error
 * message cannot move the terminal's cursor or change its colours. */
void put_clean(FILE *f, const char *s);

#endif
