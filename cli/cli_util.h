/* openrouter-keys: small helpers shared by the commands: clean output,
 * allocation that exits on failure, wiping secrets. */
#ifndef OPENROUTER_KEYS_CLI_UTIL_H
#define OPENROUTER_KEYS_CLI_UTIL_H

#include <stddef.h>
#include <stdio.h>

/* Writes `s` with control characters replaced, so a key name or an error
 * message cannot move the terminal's cursor or change its colours. */
void put_clean(FILE *f, const char *s);

/* strdup(s), "" for NULL; exits with EXIT_API when out of memory. */
char *xstrdup(const char *s);

/* Zeroes `n` bytes in a way the compiler keeps. */
void cli_wipe(void *p, size_t n);

/* Wipes a string (up to its NUL) and frees it. NULL-safe. */
void cli_wipe_free(char *s);

/* The exit status for a library status: 0, 2 (EINVAL), 3 (transport,
 * timeout) or 1 (anything else the API or its answer caused). */
int cli_exit_code(int rc);

#endif
