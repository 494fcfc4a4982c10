/* openrouter-keys: small helpers shared by the commands: allocation that
 * exits on failure, wiping secrets; with cli_common.h (clean output, exit
 * codes, warning lines), which openrouter-api shares. */
#ifndef OPENROUTER_KEYS_CLI_UTIL_H
#define OPENROUTER_KEYS_CLI_UTIL_H

#include <stddef.h>
#include <stdio.h>

#include "cli_common.h"

/* strdup(s), "" for NULL; exits with EXIT_API when out of memory. */
char *xstrdup(const char *s);

/* Zeroes `n` bytes in a way the compiler keeps. */
void cli_wipe(void *p, size_t n);

/* Wipes a string (up to its NUL) and frees it. NULL-safe. */
void cli_wipe_free(char *s);

#endif
