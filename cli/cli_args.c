/* openrouter-keys: commands, options, parsing and help (see cli_args.h). */
#include "cli_args.h"

#include <stdarg.h>
#include <string.h>

#include <openrouter/openrouter.h>

static const cli_command commands[] = {
    {"list", C_LIST, 0, "[OPTIONS]",
     "One page of up to 100 keys, newest first, as a table; --all for every key."},
    {"create", C_CREATE, 0, "--name NAME [OPTIONS] | --from FILE",
     "Create a key. Its secret (\"key\") is printed once, to stdout: store it then.\n"
     "--from: one key per CSV row, secrets into the results file (see below)."},
    {"get", C_GET, 1, "HASH", "Show one key."},
    {"update", C_UPDATE, 1, "HASH OPTION... | --from FILE",
     "Change a key. Only the fields whose flags are given are sent; the rest stay as they are.\n"
     "--from: one key per CSV row (see below)."},
    {"delete", C_DELETE, 1, "HASH", "Delete a key."},
    {"current", C_CURRENT, 0, "", "Show the key this tool authenticates with."},
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

/* ACTION: no value (--help, --version). BOOL: --flag, --flag=true|false
 * or --flag true|false. VALUE: --opt VALUE or --opt=VALUE. */
enum { ARG_ACTION, ARG_BOOL, ARG_VALUE };

static const struct option_def {
    const char *name;
    int kind;
    unsigned commands;
    const char *metavar; /* help: the value's form (VALUE options) */
    const char *help;    /* help: one line, or several split by '\n' */
} options_def[O_COUNT] = {
    [O_HELP] = {"help", ARG_ACTION, C_ANY, NULL, "show this help; after a command, that command's (-h)"},
    [O_VERSION] = {"version", ARG_ACTION, C_ANY, NULL, "show the version"},
    [O_JSON] = {"json", ARG_BOOL, C_ANY, NULL,
                "print the API's JSON response exactly as received (list --all:\n"
                "{\"data\":[...]} holding every key's text exactly as received)"},
    [O_BASE_URL] = {"base-url", ARG_VALUE, C_ANY, "URL",
                    "API base URL [env OPENROUTER_BASE_URL, default " OPENROUTER_DEFAULT_BASE_URL "]"},
    [O_ALLOW_INSECURE_HTTP] = {"allow-insecure-http", ARG_BOOL, C_ANY, NULL,
                               "accept a plain-http base URL on a host other than this machine\n"
                               "(the API key then travels unencrypted)"},
    [O_API_KEY_ENV] = {"api-key-env", ARG_VALUE, C_ANY, "VAR",
                       "read the API key from VAR instead of OPENROUTER_API_KEY"},
    [O_REFERER] = {"referer", ARG_VALUE, C_ANY, "URL", "app attribution: HTTP-Referer [env OPENROUTER_HTTP_REFERER]"},
    [O_TITLE] = {"title", ARG_VALUE, C_ANY, "TITLE",
                 "app attribution: X-OpenRouter-Title [env OPENROUTER_APP_TITLE]"},
    [O_CATEGORIES] = {"categories", ARG_VALUE, C_ANY, "LIST",
                      "app attribution: X-OpenRouter-Categories [env OPENROUTER_APP_CATEGORIES]"},
    [O_TIMEOUT] = {"timeout", ARG_VALUE, C_ANY, "SECONDS", "limit for each request (default 60)"},
    [O_RETRIES] = {"retries", ARG_VALUE, C_ANY, "N",
                   "retries after a failed attempt (default 2; a create is only\n"
                   "retried when the server cannot have acted on it)"},
    [O_STRICT] = {"strict", ARG_BOOL, C_ANY, NULL,
                  "fail on a response value that breaks the API's description (a bad\n"
                  "date-time, a missing field, ...) instead of warning and showing it"},
    [O_OFFSET] = {"offset", ARG_VALUE, C_LIST, "N", "start at the N-th key (pages are 100: 0, 100, 200, ...)"},
    [O_INCLUDE_DISABLED] = {"include-disabled", ARG_BOOL, C_LIST, NULL, "list disabled keys too"},
    [O_WORKSPACE_ID] = {"workspace-id", ARG_VALUE, C_LIST | C_CREATE, "ID",
                        "list: only that workspace's keys; create: the new key's workspace"},
    [O_ALL] = {"all", ARG_BOOL, C_LIST, NULL, "every key: walks all pages (progress on stderr at a terminal)"},
    [O_MAX_PAGES] = {"max-pages", ARG_VALUE, C_LIST, "N", "with --all: fetch at most N pages (default 1000)"},
    [O_NAME] = {"name", ARG_VALUE, C_CREATE | C_UPDATE, "NAME", "the key's name (create: required)"},
    [O_LIMIT] = {"limit", ARG_VALUE, C_CREATE | C_UPDATE, "USD|none", "spending limit in US dollars; none: no limit"},
    [O_LIMIT_RESET] = {"limit-reset", ARG_VALUE, C_CREATE | C_UPDATE, "daily|weekly|monthly|none",
                       "when usage against the limit starts again; none: never"},
    [O_INCLUDE_BYOK] = {"include-byok-in-limit", ARG_BOOL, C_CREATE | C_UPDATE, NULL,
                        "count bring-your-own-key usage against the limit"},
    [O_EXPIRES_AT] = {"expires-at", ARG_VALUE, C_CREATE, "RFC3339Z|none",
                      "expiry, UTC, e.g. 2027-12-31T23:59:59Z; none: never"},
    [O_EXPIRES_IN] = {"expires-in", ARG_VALUE, C_CREATE, "DURATION",
                      "expiry from now: whole numbers with s, m, h, d or w, e.g. 30d,\n"
                      "12h, 1d12h (instead of --expires-at)"},
    [O_CREATOR_USER_ID] = {"creator-user-id", ARG_VALUE, C_CREATE, "ID|none", "the user the key is made for"},
    [O_EXTERNAL_USER] = {"external-user", ARG_VALUE, C_CREATE, "ID", "tie the key to your end user ID"},
    [O_EXTERNAL_API_KEY_ENV] = {"external-api-key-env", ARG_VALUE, C_CREATE, "VAR",
                                "that user's API key, from the variable VAR (never from argv)"},
    [O_EXTERNAL_API_KEY_STDIN] = {"external-api-key-stdin", ARG_BOOL, C_CREATE, NULL,
                                  "that user's API key, from one line of stdin"},
    [O_DISABLED] = {"disabled", ARG_BOOL, C_UPDATE, NULL, "disable the key (false: enable it)"},
    [O_FROM] = {"from", ARG_VALUE, C_CREATE | C_UPDATE, "FILE",
                "bulk: one key per row of a CSV file (- for stdin) instead of the\n"
                "flags above; resumable (see below)"},
    [O_CONCURRENCY] = {"concurrency", ARG_VALUE, C_CREATE | C_UPDATE, "N",
                       "bulk: calls at once, 1 to 64 (default 4)"},
    [O_RESULTS] = {"results", ARG_VALUE, C_CREATE | C_UPDATE, "FILE",
                   "bulk: the results file, mode 0600 (default: the input's name\n"
                   "with .results.csv in place of .csv)"},
    [O_KEEP_LOST] = {"keep-lost", ARG_BOOL, C_CREATE, NULL,
                     "bulk: a key made by an earlier try whose answer was lost is\n"
                     "kept and recorded without its secret, instead of being deleted\n"
                     "and made again"},
};

const char *cli_option_name(int id) { return options_def[id].name; }

int cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs(PROG ": ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry '" PROG " --help'.\n", stderr);
    return EXIT_USAGE;
}

int cli_flag(const cli_args *a, int id)
{
    return a->opt[id] && strcmp(a->opt[id], "true") == 0;
}

/* ---- help ---------------------------------------------------------------------- */

#define LABEL_WIDTH 28

/* "  --name NAME   the key's name", the text `indent` + LABEL_WIDTH in. */
static void option_help(FILE *f, int indent, const struct option_def *d)
{
    char label[64];
    snprintf(label, sizeof label, "--%s%s%s", d->name, d->metavar ? " " : "", d->metavar ? d->metavar : "");
    if (strlen(label) >= LABEL_WIDTH - 2)
        fprintf(f, "%*s%s\n%*s", indent, "", label, indent + LABEL_WIDTH, "");
    else
        fprintf(f, "%*s%-*s", indent, "", LABEL_WIDTH, label);
    for (const char *h = d->help; *h; h++) {
        fputc(*h, f);
        if (*h == '\n')
            fprintf(f, "%*s", indent + LABEL_WIDTH, "");
    }
    fputc('\n', f);
}

/* "create --name NAME [OPTIONS]" */
static void command_synopsis(FILE *f, const cli_command *cmd)
{
    fprintf(f, "%s%s%s\n", cmd->name, *cmd->args ? " " : "", cmd->args);
}

static void command_options(FILE *f, int indent, const cli_command *cmd)
{
    for (int k = 0; k < O_COUNT; k++)
        if (options_def[k].commands != C_ANY && (options_def[k].commands & cmd->bit))
            option_help(f, indent, &options_def[k]);
}

static const char notes[] =
    "Boolean flags (those without a value above) take --flag, --flag=true|false or --flag true|false.\n"
    "\"none\" sends JSON null: --limit none removes the cap, --limit-reset none stops resets.\n"
    "The API key is never taken from the command line. The secret of a created key is\n"
    "printed once, to stdout; store it then, it cannot be fetched again.\n"
    "\n"
    "Bulk (--from FILE): a CSV file (RFC 4180) whose header row names the columns.\n"
    "  create: name (required), limit, limit_reset, include_byok_in_limit, expires_at or\n"
    "          expires_in, creator_user_id, workspace_id, external_user, external_api_key\n"
    "  update: hash (or, without a hash column, name finds the key), name, disabled,\n"
    "          limit, limit_reset, include_byok_in_limit\n"
    "An empty cell leaves the field out; none sends null. Every row is checked before\n"
    "anything is sent. Each row's result (create: hash and secret) is written to the\n"
    "results file and synced to disk before it is reported; secrets go nowhere else.\n"
    "Run it again after a failure or an interruption: rows done are skipped, and a key\n"
    "that exists by that name is never created again (a create whose answer was lost is\n"
    "deleted and made anew, so every key has its secret in the file; --keep-lost keeps\n"
    "it instead, without its secret). docs/BULK.md.\n"
    "\n"
    "Exit status: 0 success, 1 API error, 2 usage error (nothing sent), 3 transport error\n"
    "(bulk: the worst row's; 130 interrupted).\n";

void cli_help(FILE *f, const cli_command *cmd)
{
    if (cmd) {
        fprintf(f, "Usage: " PROG " [GLOBAL OPTIONS] ");
        command_synopsis(f, cmd);
        fprintf(f, "\n%s\n\n", cmd->summary);
        command_options(f, 2, cmd);
        fprintf(f, "\nGlobal options (--json, --base-url, --timeout, ...): see '" PROG " --help'.\n%s", notes);
        return;
    }
    fputs("Usage: " PROG " [OPTIONS] COMMAND [ARGS]\n"
          "\n"
          "Manage OpenRouter API keys (needs a management key). '" PROG " COMMAND --help' shows\n"
          "one command.\n"
          "\nCommands:\n",
          f);
    for (size_t i = 0; i < N_COMMANDS; i++) {
        fputs("\n  ", f);
        command_synopsis(f, &commands[i]);
        fputs("      ", f);
        for (const char *p = commands[i].summary; *p; p++)
            fputs(*p == '\n' ? "\n      " : (char[2]){*p, 0}, f);
        fputc('\n', f);
        command_options(f, 6, &commands[i]);
    }
    fputs("\nOptions of every command:\n", f);
    for (int k = 0; k < O_COUNT; k++)
        if (options_def[k].commands == C_ANY)
            option_help(f, 2, &options_def[k]);
    fprintf(f, "\n%s", notes);
}

/* ---- parsing ----------------------------------------------------------------------- */

static int is_bool_word(const char *v) { return strcmp(v, "true") == 0 || strcmp(v, "false") == 0; }

/* Reads the option at argv[*i] (after its leading "--"), taking a value
 * from argv[*i + 1] when it has one there. *bare_bool is set when a boolean
 * flag stood alone, so a following word is a positional argument. */
static int parse_option(cli_args *a, int argc, char **argv, int *i, int *bare_bool)
{
    const char *name = argv[*i] + 2, *eq = strchr(name, '=');
    size_t name_len = eq ? (size_t)(eq - name) : strlen(name);
    if (strcmp(argv[*i], "-h") == 0)
        name = "help", name_len = 4;
    if (name_len == 7 && strncmp(name, "api-key", 7) == 0)
        return cli_usage_error("the API key is read from the environment only (OPENROUTER_API_KEY, or "
                               "the variable named by --api-key-env)");
    int id = -1;
    for (int k = 0; k < O_COUNT; k++)
        if (strlen(options_def[k].name) == name_len && strncmp(options_def[k].name, name, name_len) == 0)
            id = k;
    if (id < 0)
        return cli_usage_error("unknown option '--%.*s'", (int)name_len, name);
    const struct option_def *d = &options_def[id];
    const char *value = "";
    if (d->kind == ARG_ACTION && eq)
        return cli_usage_error("option '--%s' takes no value", d->name);
    if (d->kind == ARG_BOOL) {
        value = "true";
        if (eq && !is_bool_word(eq + 1))
            return cli_usage_error("option '--%s' takes true or false, got '%s'", d->name, eq + 1);
        if (eq)
            value = eq + 1;
        else if (*i + 1 < argc && is_bool_word(argv[*i + 1]))
            value = argv[++*i];
        else
            *bare_bool = id;
    } else if (d->kind == ARG_VALUE) {
        if (eq)
            value = eq + 1;
        else if (*i + 1 >= argc)
            return cli_usage_error("option '--%s' needs a value", d->name);
        else
            value = argv[++*i];
    }
    if (a->opt[id])
        return cli_usage_error("option '--%s' given twice", d->name);
    a->opt[id] = value;
    return 0;
}

/* An argument that is not what was expected, explained when it follows a
 * boolean flag (which may have been meant to take it). */
static int unexpected(const char *what, const char *arg, int after_bool)
{
    if (after_bool >= 0)
        return cli_usage_error("%s '%s' (--%s takes only true or false)", what, arg, options_def[after_bool].name);
    return cli_usage_error("%s '%s'", what, arg);
}

static int check_positionals(cli_args *a, const char *const *pos, const int *after_bool, int n_pos)
{
    if (n_pos == 0) {
        if (a->opt[O_HELP] || a->opt[O_VERSION])
            return 0;
        return cli_usage_error("missing command (list, create, get, update, delete, current)");
    }
    for (size_t k = 0; k < N_COMMANDS; k++)
        if (strcmp(commands[k].name, pos[0]) == 0)
            a->cmd = &commands[k];
    if (!a->cmd)
        return unexpected("unknown command", pos[0], after_bool[0]);
    if (a->opt[O_HELP] || a->opt[O_VERSION])
        return 0;
    char what[64];
    snprintf(what, sizeof what, "%s: unexpected argument", a->cmd->name);
    if (a->cmd->takes_hash && !a->opt[O_FROM]) {
        if (n_pos < 2)
            return cli_usage_error("%s: missing the key's HASH", a->cmd->name);
        a->hash = pos[1];
        if (n_pos > 2)
            return unexpected(what, pos[2], after_bool[2]);
    } else if (n_pos > 1) {
        return unexpected(what, pos[1], after_bool[1]);
    }
    for (int k = 0; k < O_COUNT; k++)
        if (a->opt[k] && !(options_def[k].commands & a->cmd->bit))
            return cli_usage_error("option '--%s' does not apply to '%s'", options_def[k].name, a->cmd->name);
    return 0;
}

int cli_parse_args(cli_args *a, int argc, char **argv)
{
    const char *pos[3];
    int after_bool[3];
    int n_pos = 0, options_done = 0, bare_bool = -1;
    memset(a, 0, sizeof *a);
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        int prev_bool = bare_bool;
        bare_bool = -1;
        if (!options_done && strcmp(arg, "--") == 0) {
            options_done = 1;
        } else if (options_done || arg[0] != '-' || arg[1] == '\0') {
            if (n_pos == 3)
                return unexpected("unexpected argument", arg, prev_bool);
            after_bool[n_pos] = prev_bool;
            pos[n_pos++] = arg;
        } else if (arg[1] != '-' && strcmp(arg, "-h") != 0) {
            return cli_usage_error("unknown option '%s'", arg);
        } else if (parse_option(a, argc, argv, &i, &bare_bool)) {
            return EXIT_USAGE;
        }
    }
    return check_positionals(a, pos, after_bool, n_pos) ? EXIT_USAGE : 0;
}
