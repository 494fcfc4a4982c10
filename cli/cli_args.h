/* openrouter-keys: the command line itself: its commands and options (one
 * table, which both the parser and the help read), parsing and help. */
#ifndef OPENROUTER_KEYS_CLI_ARGS_H
#define OPENROUTER_KEYS_CLI_ARGS_H

#include <stdio.h>

#include "cli_common.h"

#define PROG "openrouter-keys"

enum {
    C_LIST = 1 << 0,
    C_CREATE = 1 << 1,
    C_GET = 1 << 2,
    C_UPDATE = 1 << 3,
    C_DELETE = 1 << 4,
    C_CURRENT = 1 << 5,
    C_ANY = 0x3f
};

typedef struct cli_command {
    const char *name;
    unsigned bit;
    int takes_hash;
    const char *args;    /* help: what follows the name */
    const char *summary; /* help: what it does */
} cli_command;

enum opt_id {
    O_HELP, O_VERSION, O_JSON, O_BASE_URL, O_ALLOW_INSECURE_HTTP, O_API_KEY_ENV, O_REFERER, O_TITLE,
    O_CATEGORIES, O_TIMEOUT, O_RETRIES, O_STRICT,
    O_OFFSET, O_INCLUDE_DISABLED, O_ALL, O_MAX_PAGES,
    O_NAME, O_LIMIT, O_LIMIT_RESET, O_INCLUDE_BYOK, O_EXPIRES_AT, O_EXPIRES_IN, O_CREATOR_USER_ID, O_WORKSPACE_ID,
    O_EXTERNAL_USER, O_EXTERNAL_API_KEY_ENV, O_EXTERNAL_API_KEY_STDIN, O_DISABLED,
    O_FROM, O_CONCURRENCY, O_RESULTS, O_KEEP_LOST,
    O_COUNT
};

typedef struct cli_args {
    const cli_command *cmd; /* NULL only with --help or --version and no command */
    const char *hash;       /* for commands that take one */
    /* Each option's value as given, NULL when not given; a boolean flag's
     * is "true" or "false" whichever way it was written. */
    const char *opt[O_COUNT];
} cli_args;

/* Fills `a` from argv; 0, or EXIT_USAGE after printing why. */
int cli_parse_args(cli_args *a, int argc, char **argv);

/* 1 when boolean flag `id` was given and is true. */
int cli_flag(const cli_args *a, int id);

/* The option's name, without the dashes. */
const char *cli_option_name(int id);

/* The whole help, or one command's (cmd not NULL). */
void cli_help(FILE *f, const cli_command *cmd);

/* Prints "openrouter-keys: <message>" and a pointer to --help to stderr;
 * returns EXIT_USAGE. */
#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
int cli_usage_error(const char *fmt, ...);

#endif
