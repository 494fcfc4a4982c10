/* openrouter-keys: manage OpenRouter API keys from the command line, on top
 * of openrouter-c. The command line is in cli_args.c; README.md
 * ("Command-line tool") describes it.
 *
 * Exit codes: 0 success, 1 the API answered with an error (or something
 * this tool could not understand), 2 usage error (nothing was sent),
 * 3 transport error (connection, TLS, timeout).
 *
 * Secrets: the API key is read from the environment only, never from the
 * command line, and never printed. The secret of a created key is printed
 * exactly once, to stdout, with a warning on stderr. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openrouter/openrouter.h>
#include <openrouter/pagination.h>

#include <json-c/json.h>

#include "cli_args.h"
#include "bulk.h"
#include "cli_util.h"
#include "values.h"
#include "json_items.h"

typedef struct cli {
    cli_args a;
    int json;
    const char *base_url;        /* as given; NULL: the default */
    const char *base_url_origin; /* "--base-url" or the environment variable */
    openrouter_client *client;
    openrouter_error err;
    char *external_api_key;   /* read from env or stdin; wiped */
} cli;

/* ---- output helpers --------------------------------------------------------------- */

/* Display width of UTF-8 text (code points; good enough for names). */
static size_t text_width(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80)
            w++;
    return w;
}

/* Money and other decimals: at least two decimals, up to six, no trailing
 * zeros beyond two ("25.00", "0.0025"). */
static void fmt_number(char *buf, size_t size, double v)
{
    snprintf(buf, size, "%.6f", v);
    char *dot = strchr(buf, '.');
    if (!dot)
        return;
    char *end = buf + strlen(buf) - 1;
    while (end > dot + 2 && *end == '0')
        *end-- = '\0';
}

static const char *str_or(const openrouter_string *s, const char *absent, const char *null)
{
    if (s->state == OPENROUTER_PRESENT)
        return s->value;
    return s->state == OPENROUTER_NULL ? null : absent;
}

static const char *num_or(char *buf, size_t size, const openrouter_number *n, const char *null)
{
    if (n->state == OPENROUTER_PRESENT) {
        fmt_number(buf, size, n->value);
        return buf;
    }
    return n->state == OPENROUTER_NULL ? null : "-";
}

static const char *bool_text(const openrouter_bool *b)
{
    if (b->state != OPENROUTER_PRESENT)
        return "-";
    return b->value ? "yes" : "no";
}

static const char *reset_text(const openrouter_limit_reset_value *r)
{
    if (r->state == OPENROUTER_PRESENT)
        return r->text ? r->text : "?";
    return r->state == OPENROUTER_NULL ? "never" : "-";
}

static void field(const char *label, const char *value)
{
    printf("%-22s ", label);
    put_clean(stdout, value);
    putchar('\n');
}

/* "total (day d, week w, month m)" for one of the usage families. */
static void usage_field(const char *label, const openrouter_number *total, const openrouter_number *day,
                        const openrouter_number *week, const openrouter_number *month)
{
    char a[64], b[64], c[64], d[64], line[300];
    snprintf(line, sizeof line, "%s (day %s, week %s, month %s)", num_or(a, sizeof a, total, "-"),
             num_or(b, sizeof b, day, "-"), num_or(c, sizeof c, week, "-"), num_or(d, sizeof d, month, "-"));
    field(label, line);
}

static void print_key_detail(const openrouter_key *k)
{
    char a[64];
    field("hash", str_or(&k->hash, "-", "-"));
    field("name", str_or(&k->name, "-", "-"));
    field("label", str_or(&k->label, "-", "-"));
    field("disabled", bool_text(&k->disabled));
    field("limit", num_or(a, sizeof a, &k->limit, "none"));
    field("limit_remaining", num_or(a, sizeof a, &k->limit_remaining, "none"));
    field("limit_reset", reset_text(&k->limit_reset));
    field("include_byok_in_limit", bool_text(&k->include_byok_in_limit));
    usage_field("usage", &k->usage, &k->usage_daily, &k->usage_weekly, &k->usage_monthly);
    usage_field("byok_usage", &k->byok_usage, &k->byok_usage_daily, &k->byok_usage_weekly,
                &k->byok_usage_monthly);
    field("created_at", str_or(&k->created_at, "-", "-"));
    field("updated_at", str_or(&k->updated_at, "-", "never"));
    field("expires_at", str_or(&k->expires_at, "never", "never"));
    field("creator_user_id", str_or(&k->creator_user_id, "-", "none"));
    field("workspace_id", str_or(&k->workspace_id, "-", "none"));
    field("external_user", str_or(&k->external_user, "-", "none"));
}

/* ---- the key table ------------------------------------------------------------------ */

enum { COL_HASH, COL_NAME, COL_LABEL, COL_DISABLED, COL_LIMIT, COL_REMAINING, COL_RESET, COL_USAGE,
       COL_EXPIRES, N_COLS };
static const char *const col_titles[N_COLS] = {"HASH", "NAME", "LABEL", "DISABLED", "LIMIT",
                                               "REMAINING", "RESET", "USAGE", "EXPIRES"};

typedef struct table {
    char **cells; /* rows * N_COLS */
    size_t rows, cap;
} table;

static void table_add(table *t, const openrouter_key *k)
{
    if (t->rows == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        char **cells = realloc(t->cells, cap * N_COLS * sizeof *cells);
        if (!cells) {
            fputs(PROG ": out of memory\n", stderr);
            exit(EXIT_API);
        }
        t->cells = cells;
        t->cap = cap;
    }
    char buf[64];
    char **row = t->cells + t->rows * N_COLS;
    row[COL_HASH] = xstrdup(str_or(&k->hash, "-", "-"));
    row[COL_NAME] = xstrdup(str_or(&k->name, "-", "-"));
    row[COL_LABEL] = xstrdup(str_or(&k->label, "-", "-"));
    row[COL_DISABLED] = xstrdup(bool_text(&k->disabled));
    row[COL_LIMIT] = xstrdup(num_or(buf, sizeof buf, &k->limit, "none"));
    row[COL_REMAINING] = xstrdup(num_or(buf, sizeof buf, &k->limit_remaining, "none"));
    row[COL_RESET] = xstrdup(reset_text(&k->limit_reset));
    row[COL_USAGE] = xstrdup(num_or(buf, sizeof buf, &k->usage, "-"));
    row[COL_EXPIRES] = xstrdup(str_or(&k->expires_at, "never", "never"));
    t->rows++;
}

/* The table and its count; an incomplete one (a walk that failed) says so. */
static void table_print(const table *t, int complete)
{
    size_t width[N_COLS];
    for (int c = 0; c < N_COLS; c++)
        width[c] = strlen(col_titles[c]);
    for (size_t r = 0; r < t->rows; r++)
        for (int c = 0; c < N_COLS; c++) {
            size_t w = text_width(t->cells[r * N_COLS + c]);
            if (w > width[c])
                width[c] = w;
        }
    for (int c = 0; c < N_COLS; c++)
        printf("%-*s%s", c == N_COLS - 1 ? 0 : (int)width[c], col_titles[c], c == N_COLS - 1 ? "\n" : "  ");
    for (size_t r = 0; r < t->rows; r++)
        for (int c = 0; c < N_COLS; c++) {
            const char *cell = t->cells[r * N_COLS + c];
            put_clean(stdout, cell);
            if (c == N_COLS - 1) {
                putchar('\n');
                continue;
            }
            for (size_t pad = text_width(cell); pad < width[c] + 2; pad++)
                putchar(' ');
        }
    printf("%zu key%s%s\n", t->rows, t->rows == 1 ? "" : "s", complete ? "" : " so far (incomplete)");
}

static void table_free(table *t)
{
    for (size_t i = 0; i < t->rows * N_COLS; i++)
        free(t->cells[i]);
    free(t->cells);
}

/* ---- errors ----------------------------------------------------------------------------- */

/* The base URL with any user:password@ masked (the library refuses those,
 * but the value is echoed before that is known). */
static void put_url(FILE *f, const char *url)
{
    const char *host = strstr(url, "://");
    host = host ? host + 3 : url;
    const char *at = strchr(host, '@'), *end = host + strcspn(host, "/?#");
    if (at && at < end) {
        fwrite(url, 1, (size_t)(host - url), f);
        fputs("***", f);
        url = at;
    }
    put_clean(f, url);
}

/* "base URL 'X' (from --base-url)" */
static void put_base_url(FILE *f, const cli *c)
{
    fputs("base URL '", f);
    put_url(f, c->base_url ? c->base_url : OPENROUTER_DEFAULT_BASE_URL);
    fprintf(f, "' (%s%s)", c->base_url ? "from " : "the default", c->base_url ? c->base_url_origin : "");
}

/* A 404 for a path that cannot be missing (list, create, current), or one
 * whose body is not an OpenRouter error (a web server's page): the base
 * URL is wrong, not the key's hash. */
static int wrong_path(const cli *c, int rc)
{
    return rc == OPENROUTER_EHTTP && c->err.http_status == 404 && (!c->a.cmd->takes_hash || !c->err.api_message);
}

/* The library's account of the error (openrouter_error_print: the message,
 * kind, status, request id, a hint, whether a create may have happened),
 * after "openrouter-keys: "; then what only the tool knows: the start of a
 * body that was no JSON error, and where a wrong base URL came from. */
static int report(cli *c, int rc)
{
    openrouter_error *e = &c->err;
    fputs(PROG ": ", stderr);
    if (openrouter_error_print(stderr, e) == OPENROUTER_OK)
        fprintf(stderr, "%s\n", openrouter_status_name(rc));
    if (rc == OPENROUTER_EHTTP && !e->api_message && e->body_snippet) {
        char snippet[161];
        snprintf(snippet, sizeof snippet, "%s", e->body_snippet);
        fputs(PROG ": response body: ", stderr);
        put_clean(stderr, snippet);
        fputc('\n', stderr);
    }
    if (wrong_path(c, rc)) {
        fputs(PROG ": the server has no such path: check the ", stderr);
        put_base_url(stderr, c);
        fputs("; OpenRouter's is " OPENROUTER_DEFAULT_BASE_URL "\n", stderr);
    }
    openrouter_error_clear(e);
    return cli_exit_code(rc);
}

/* ---- raw JSON output --------------------------------------------------------------------- */

/* Prints a body exactly as received, plus a newline if it has none. */
static void print_raw(const char *raw, size_t len)
{
    fwrite(raw, 1, len, stdout);
    if (len == 0 || raw[len - 1] != '\n')
        putchar('\n');
}

static void free_raw(char **raw, size_t *len)
{
    openrouter_buffer_free(*raw); /* wipes */
    *raw = NULL;
    *len = 0;
}

/* ---- flag values -------------------------------------------------------------------------- */

/* The wire value of a boolean flag that was given (see cli_flag()). */
static openrouter_bool flag_value(const cli *c, int id)
{
    return OPENROUTER_BOOL(cli_flag(&c->a, id) ? true : false);
}

static int parse_limit(const char *v, openrouter_number *out)
{
    const char *want = value_limit(v, out);
    return want ? cli_usage_error("--limit expects %s, got '%s'", want, v) : 0;
}

static int parse_limit_reset(const char *v, openrouter_limit_reset_value *out)
{
    const char *want = value_limit_reset(v, out);
    return want ? cli_usage_error("--limit-reset expects %s, got '%s'", want, v) : 0;
}

static int parse_nonneg(const char *flag, const char *v, long long max, long long *out)
{
    char *end = NULL;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (!*v || *end || errno || n < 0 || n > max)
        return cli_usage_error("--%s expects a whole number from 0 to %lld, got '%s'", flag, max, v);
    *out = n;
    return 0;
}

/* ---- commands ------------------------------------------------------------------------------ */

static int cmd_current(cli *c, openrouter_call_options *co, char **raw, size_t *raw_len)
{
    openrouter_current_key_response *out = NULL;
    int rc = openrouter_get_current_key_metadata(c->client, NULL, &out, co, &c->err);
    if (rc != OPENROUTER_OK)
        return report(c, rc);
    if (c->json) {
        print_raw(*raw, *raw_len);
    } else {
        const openrouter_current_key *k = &out->data.value;
        char a[64], line[300];
        field("label", str_or(&k->label, "-", "-"));
        field("limit", num_or(a, sizeof a, &k->limit, "none"));
        field("limit_remaining", num_or(a, sizeof a, &k->limit_remaining, "none"));
        field("limit_reset", reset_text(&k->limit_reset));
        field("include_byok_in_limit", bool_text(&k->include_byok_in_limit));
        usage_field("usage", &k->usage, &k->usage_daily, &k->usage_weekly, &k->usage_monthly);
        usage_field("byok_usage", &k->byok_usage, &k->byok_usage_daily, &k->byok_usage_weekly,
                    &k->byok_usage_monthly);
        field("is_free_tier", bool_text(&k->is_free_tier));
        field("is_management_key", bool_text(&k->is_management_key));
        field("expires_at", str_or(&k->expires_at, "never", "never"));
        field("creator_user_id", str_or(&k->creator_user_id, "-", "none"));
        field("organization_id", str_or(&k->organization_id, "-", "none"));
        field("workspace_id", str_or(&k->workspace_id, "-", "none"));
        if (k->allowed_data_regions.state == OPENROUTER_PRESENT) {
            line[0] = '\0';
            for (size_t i = 0; i < k->allowed_data_regions.count; i++) {
                const openrouter_data_region_value *r = &k->allowed_data_regions.items[i];
                size_t n = strlen(line);
                snprintf(line + n, sizeof line - n, "%s%s", i ? "," : "",
                         r->state == OPENROUTER_PRESENT && r->text ? r->text : "null");
            }
            field("allowed_data_regions", line);
        }
        if (k->free_model_daily_requests.state == OPENROUTER_PRESENT) {
            const openrouter_free_model_daily_requests *f = &k->free_model_daily_requests.value;
            snprintf(line, sizeof line, "%lld of %lld left today (%lld used)",
                     (long long)f->remaining.value, (long long)f->limit.value, (long long)f->used.value);
            field("free_model_requests", line);
        }
    }
    cli_print_warnings(PROG, out);
    openrouter_current_key_response_free(out);
    return EXIT_OK;
}

static int cmd_get(cli *c, openrouter_call_options *co, char **raw, size_t *raw_len)
{
    openrouter_get_key_request req = OPENROUTER_GET_KEY_REQUEST_INIT;
    req.hash = c->a.hash;
    openrouter_key_response *out = NULL;
    int rc = openrouter_get_key(c->client, &req, &out, co, &c->err);
    if (rc != OPENROUTER_OK)
        return report(c, rc);
    if (c->json)
        print_raw(*raw, *raw_len);
    else
        print_key_detail(&out->data.value);
    cli_print_warnings(PROG, out);
    openrouter_key_response_free(out);
    return EXIT_OK;
}

static int cmd_delete(cli *c, openrouter_call_options *co, char **raw, size_t *raw_len)
{
    openrouter_delete_key_request req = OPENROUTER_DELETE_KEY_REQUEST_INIT;
    req.hash = c->a.hash;
    openrouter_delete_key_response *out = NULL;
    int rc = openrouter_delete_key(c->client, &req, &out, co, &c->err);
    if (rc != OPENROUTER_OK)
        return report(c, rc);
    if (c->json) {
        print_raw(*raw, *raw_len);
    } else {
        fputs("deleted ", stdout);
        put_clean(stdout, c->a.hash);
        putchar('\n');
    }
    cli_print_warnings(PROG, out);
    openrouter_delete_key_response_free(out);
    return EXIT_OK;
}

static int cmd_update(cli *c, openrouter_call_options *co, char **raw, size_t *raw_len)
{
    openrouter_update_key_request req = OPENROUTER_UPDATE_KEY_REQUEST_INIT;
    req.hash = c->a.hash;
    const char *const *o = c->a.opt;
    if (o[O_NAME])
        req.body.name = OPENROUTER_STRING(o[O_NAME]);
    if (o[O_DISABLED])
        req.body.disabled = flag_value(c, O_DISABLED);
    if (o[O_LIMIT] && parse_limit(o[O_LIMIT], &req.body.limit))
        return EXIT_USAGE;
    if (o[O_LIMIT_RESET] && parse_limit_reset(o[O_LIMIT_RESET], &req.body.limit_reset))
        return EXIT_USAGE;
    if (o[O_INCLUDE_BYOK])
        req.body.include_byok_in_limit = flag_value(c, O_INCLUDE_BYOK);
    if (!o[O_NAME] && !o[O_DISABLED] && !o[O_LIMIT] && !o[O_LIMIT_RESET] && !o[O_INCLUDE_BYOK])
        return cli_usage_error("update: nothing to change; give at least one of --name, --disabled, --limit, "
                           "--limit-reset, --include-byok-in-limit");
    openrouter_key_response *out = NULL;
    int rc = openrouter_update_key(c->client, &req, &out, co, &c->err);
    if (rc != OPENROUTER_OK)
        return report(c, rc);
    if (c->json)
        print_raw(*raw, *raw_len);
    else
        print_key_detail(&out->data.value);
    cli_print_warnings(PROG, out);
    openrouter_key_response_free(out);
    return EXIT_OK;
}

/* Reads the external user's secret from an environment variable or one
 * line of stdin, never from argv (visible to every user in ps). */
static int read_external_api_key(cli *c)
{
    int from_stdin = cli_flag(&c->a, O_EXTERNAL_API_KEY_STDIN);
    if (c->a.opt[O_EXTERNAL_API_KEY_ENV] && from_stdin)
        return cli_usage_error("give only one of --external-api-key-env and --external-api-key-stdin");
    if (c->a.opt[O_EXTERNAL_API_KEY_ENV]) {
        const char *v = getenv(c->a.opt[O_EXTERNAL_API_KEY_ENV]);
        if (!v || !*v)
            return cli_usage_error("--external-api-key-env: variable %s is not set", c->a.opt[O_EXTERNAL_API_KEY_ENV]);
        c->external_api_key = xstrdup(v);
    } else if (from_stdin) {
        char *line = NULL;
        size_t cap = 0;
        ssize_t n = getline(&line, &cap, stdin);
        if (n <= 0) {
            free(line);
            return cli_usage_error("--external-api-key-stdin: nothing to read on stdin");
        }
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        c->external_api_key = line;
        if (n == 0)
            return cli_usage_error("--external-api-key-stdin: empty line");
    }
    return 0;
}

/* --expires-at or --expires-in into `out`; `when` holds the text the
 * latter computes. */
static int expiry(const cli *c, openrouter_datetime_text *when, openrouter_datetime *out)
{
    const char *at = c->a.opt[O_EXPIRES_AT], *in = c->a.opt[O_EXPIRES_IN];
    if (at && in)
        return cli_usage_error("give only one of --expires-at and --expires-in");
    const char *want = NULL;
    if (at && (want = value_expires_at(at, out)) != NULL)
        return cli_usage_error("--expires-at expects %s; got '%s'", want, at);
    if (in && (want = value_expires_in(in, when, out)) != NULL)
        return cli_usage_error("--expires-in expects %s, got '%s'", want, in);
    return 0;
}

static int cmd_create(cli *c, openrouter_call_options *co, char **raw, size_t *raw_len)
{
    openrouter_create_key_request req = OPENROUTER_CREATE_KEY_REQUEST_INIT;
    const char *const *o = c->a.opt;
    if (!o[O_NAME])
        return cli_usage_error("create: --name is required");
    req.body.name = OPENROUTER_STRING(o[O_NAME]);
    if (o[O_LIMIT] && parse_limit(o[O_LIMIT], &req.body.limit))
        return EXIT_USAGE;
    if (o[O_LIMIT_RESET] && parse_limit_reset(o[O_LIMIT_RESET], &req.body.limit_reset))
        return EXIT_USAGE;
    if (o[O_INCLUDE_BYOK])
        req.body.include_byok_in_limit = flag_value(c, O_INCLUDE_BYOK);
    openrouter_datetime_text expires;
    if (expiry(c, &expires, &req.body.expires_at))
        return EXIT_USAGE;
    if (o[O_CREATOR_USER_ID])
        value_string_or_null(o[O_CREATOR_USER_ID], &req.body.creator_user_id);
    if (o[O_WORKSPACE_ID])
        req.body.workspace_id = OPENROUTER_STRING(o[O_WORKSPACE_ID]);
    if ((o[O_EXTERNAL_API_KEY_ENV] || cli_flag(&c->a, O_EXTERNAL_API_KEY_STDIN)) && !o[O_EXTERNAL_USER])
        return cli_usage_error("create: the external user's API key needs --external-user");
    if (o[O_EXTERNAL_USER]) {
        if (read_external_api_key(c))
            return EXIT_USAGE;
        req.body.external.state = OPENROUTER_PRESENT;
        req.body.external.value.user = OPENROUTER_STRING(o[O_EXTERNAL_USER]);
        if (c->external_api_key)
            req.body.external.value.api_key = OPENROUTER_STRING(c->external_api_key);
    }

    openrouter_created_key *out = NULL;
    int rc = openrouter_create_key(c->client, &req, &out, co, &c->err);
    if (rc != OPENROUTER_OK)
        return report(c, rc);
    /* The one and only time the secret is shown. */
    if (c->json) {
        print_raw(*raw, *raw_len);
    } else {
        print_key_detail(&out->data.value);
        printf("%-22s %s\n", "key", out->key.state == OPENROUTER_PRESENT ? out->key.value : "(not returned)");
    }
    fflush(stdout);
    fputs(PROG ": warning: the key's secret (\"key\") is shown only this once and cannot be fetched "
               "again; store it safely now\n",
          stderr);
    cli_print_warnings(PROG, out);
    openrouter_created_key_free(out);
    return EXIT_OK;
}

/* ---- list and list --all ------------------------------------------------------------------ */

static int fill_list_request(cli *c, openrouter_list_keys_request *req)
{
    const char *const *o = c->a.opt;
    if (o[O_OFFSET]) {
        long long n;
        if (parse_nonneg("offset", o[O_OFFSET], INT64_MAX, &n))
            return EXIT_USAGE;
        req->offset = OPENROUTER_INT64(n);
    }
    if (o[O_INCLUDE_DISABLED])
        req->include_disabled = flag_value(c, O_INCLUDE_DISABLED);
    if (o[O_WORKSPACE_ID])
        req->workspace_id = OPENROUTER_STRING(o[O_WORKSPACE_ID]);
    return 0;
}

/* `list --all --json`: the walk is the library's iterator (order, no
 * duplicates, recovery from deletions during the walk); the text of each
 * item is taken byte for byte from the raw body of the page the iterator
 * took it from. The progress callback runs after each page is fetched and
 * before its items are yielded, with that page's raw body in *raw. */
typedef struct raw_item {
    char *hash;
    const char *text; /* into the page body */
    size_t len;
} raw_item;

typedef struct all_ctx {
    cli *c;
    int tty;                 /* progress on stderr */
    int progress_shown;
    char **raw;              /* the call options' raw body (--json) */
    size_t *raw_len;
    char *page;              /* the current page's body, owned */
    size_t page_len;
    raw_item *items;         /* its items */
    size_t n_items, cap_items;
    int bad_page;
} all_ctx;

static void clear_page(all_ctx *a)
{
    for (size_t i = 0; i < a->n_items; i++)
        free(a->items[i].hash);
    a->n_items = 0;
    if (a->page) {
        size_t len = a->page_len;
        openrouter_buffer_free(a->page);
        (void)len;
    }
    a->page = NULL;
    a->page_len = 0;
}

static int collect_item(void *ctx, const char *item, size_t len)
{
    all_ctx *a = ctx;
    json_tokener *tok = json_tokener_new();
    if (!tok)
        return -1;
    json_object *obj = json_tokener_parse_ex(tok, item, (int)len), *hash = NULL;
    json_tokener_free(tok);
    char *h = NULL;
    if (obj && json_object_object_get_ex(obj, "hash", &hash) && json_object_is_type(hash, json_type_string))
        h = xstrdup(json_object_get_string(hash));
    json_object_put(obj);
    if (!h)
        return 0; /* an item without a hash cannot be matched; the iterator yields it, we report it */
    if (a->n_items == a->cap_items) {
        size_t cap = a->cap_items ? a->cap_items * 2 : 128;
        raw_item *items = realloc(a->items, cap * sizeof *items);
        if (!items) {
            free(h);
            return -1;
        }
        a->items = items;
        a->cap_items = cap;
    }
    a->items[a->n_items].hash = h;
    a->items[a->n_items].text = item;
    a->items[a->n_items].len = len;
    a->n_items++;
    return 0;
}

static void on_page(void *ctx, size_t pages, size_t items)
{
    all_ctx *a = ctx;
    if (a->raw && *a->raw) {
        clear_page(a);
        a->page = *a->raw; /* take it over; the library wipes and frees the next one */
        a->page_len = *a->raw_len;
        *a->raw = NULL;
        *a->raw_len = 0;
        if (json_data_items(a->page, a->page_len, collect_item, a) != 0)
            a->bad_page = 1;
    }
    if (a->tty) {
        fprintf(stderr, "\r" PROG ": fetched %zu page%s, %zu key%s", pages, pages == 1 ? "" : "s", items,
                items == 1 ? "" : "s");
        fflush(stderr);
        a->progress_shown = 1;
    }
}

/* Writes the raw text of `k` from the current page; 0, or -1 if not found. */
static int emit_raw_item(all_ctx *a, const openrouter_key *k, size_t index)
{
    if (k->hash.state != OPENROUTER_PRESENT)
        return -1;
    for (size_t i = 0; i < a->n_items; i++)
        if (strcmp(a->items[i].hash, k->hash.value) == 0) {
            if (index)
                putchar(',');
            fwrite(a->items[i].text, 1, a->items[i].len, stdout);
            return 0;
        }
    return -1;
}

static int cmd_list_all(cli *c, const openrouter_list_keys_request *req, openrouter_call_options *co,
                        char **raw, size_t *raw_len)
{
    all_ctx a;
    memset(&a, 0, sizeof a);
    a.c = c;
    a.tty = isatty(STDERR_FILENO);
    if (c->json) {
        a.raw = raw;
        a.raw_len = raw_len;
    }
    openrouter_pagination_options po = OPENROUTER_PAGINATION_OPTIONS_INIT;
    if (c->a.opt[O_MAX_PAGES]) {
        long long n;
        if (parse_nonneg("max-pages", c->a.opt[O_MAX_PAGES], 1000000, &n))
            return EXIT_USAGE;
        po.max_pages = (size_t)n;
    }
    po.progress = on_page;
    po.progress_ctx = &a;
    po.call = co;

    openrouter_list_keys_iter *it = NULL;
    int rc = openrouter_list_keys_iter_new(&it, c->client, req, &po, &c->err);
    if (rc != OPENROUTER_OK)
        return report(c, rc);
    table t = {NULL, 0, 0};
    const openrouter_key *k = NULL;
    size_t n = 0;
    int missing = 0;
    if (c->json)
        fputs("{\"data\":[", stdout);
    size_t index = 0, n_warn = 0;
    while ((rc = openrouter_list_keys_iter_next(it, &k, &c->err)) == 1) {
        const openrouter_warning *w = openrouter_list_keys_iter_warnings(it, &n_warn);
        for (size_t i = 0; i < n_warn; i++) /* numbered as in the output */
            cli_print_warning(PROG, &w[i], index);
        index++;
        if (!c->json)
            table_add(&t, k);
        else if (emit_raw_item(&a, k, n) != 0)
            missing++;
        else
            n++;
    }
    openrouter_list_keys_iter_free(it);
    clear_page(&a);
    free(a.items);
    if (*raw)
        free_raw(raw, raw_len);
    if (a.progress_shown)
        fputc('\n', stderr);
    if (c->json)
        fputs("]}\n", stdout); /* valid JSON even when the walk failed; the exit code says so */
    if (!c->json && (rc == 0 || t.rows > 0))
        table_print(&t, rc == 0); /* what was fetched, also before a failure */
    table_free(&t);
    if (rc < 0) {
        fflush(stdout);
        int capped = strcmp(c->err.field, "max_pages") == 0;
        size_t pages = po.max_pages ? po.max_pages : OPENROUTER_DEFAULT_MAX_PAGES;
        rc = report(c, rc);
        if (capped)
            fprintf(stderr, PROG ": stopped after %zu page%s (--max-pages); raise it to fetch more\n", pages,
                    pages == 1 ? "" : "s");
        return rc;
    }
    if (missing || a.bad_page) {
        fprintf(stderr, PROG ": %d key%s could not be matched to the raw page text and %s left out\n", missing,
                missing == 1 ? "" : "s", missing == 1 ? "was" : "were");
        return EXIT_API;
    }
    return EXIT_OK;
}


/* Items in a full GET /keys page (the spec's page size): a full page may
 * have a successor, a shorter one is the last. */
#define LIST_PAGE_SIZE 100

static int cmd_list(cli *c, openrouter_call_options *co, char **raw, size_t *raw_len)
{
    openrouter_list_keys_request req = OPENROUTER_LIST_KEYS_REQUEST_INIT;
    if (fill_list_request(c, &req))
        return EXIT_USAGE;
    if (c->a.opt[O_MAX_PAGES] && !cli_flag(&c->a, O_ALL))
        return cli_usage_error("list: --max-pages needs --all");
    if (cli_flag(&c->a, O_ALL))
        return cmd_list_all(c, &req, co, raw, raw_len);
    openrouter_key_list *out = NULL;
    int rc = openrouter_list_keys(c->client, &req, &out, co, &c->err);
    if (rc != OPENROUTER_OK)
        return report(c, rc);
    if (c->json) {
        print_raw(*raw, *raw_len);
    } else {
        table t = {NULL, 0, 0};
        for (size_t i = 0; i < out->data.count; i++)
            table_add(&t, &out->data.items[i]);
        table_print(&t, 1);
        table_free(&t);
    }
    /* stderr, so the table and --json's exact body stay as they are */
    if (out->data.count >= LIST_PAGE_SIZE) {
        fflush(stdout);
        long long next = (req.offset.state == OPENROUTER_PRESENT ? req.offset.value : 0) + (long long)out->data.count;
        fprintf(stderr, PROG ": a full page of %zu keys: more may follow; the next page: --offset %lld, "
                        "every key: --all\n", out->data.count, next);
    }
    cli_print_warnings(PROG, out);
    openrouter_key_list_free(out);
    return EXIT_OK;
}

/* ---- main ----------------------------------------------------------------------------------- */

static const char *opt_or_env(const cli *c, int id, const char *env)
{
    if (c->a.opt[id])
        return c->a.opt[id];
    const char *v = getenv(env);
    return v && *v ? v : NULL;
}

/* Says what is wrong with the base URL, where it came from, and what a
 * user of this tool (not of the C API) can do about it. */
static int bad_base_url(cli *c, openrouter_client_options *o)
{
    /* Checked again with plain http allowed: what still fails is a fault
     * whatever the scheme; if nothing does, plain http was the only one
     * (and the library's advice names a C option). */
    openrouter_error probe = OPENROUTER_ERROR_INIT;
    openrouter_client *client = NULL;
    o->allow_insecure_http = 1;
    int only_insecure = openrouter_client_new(&client, o, &probe) == OPENROUTER_OK;
    openrouter_client_free(client);

    fputs(PROG ": bad ", stderr);
    put_base_url(stderr, c);
    if (only_insecure) {
        fputs(": plain http to a host other than this machine would send the API key unencrypted; use "
              "https, a loopback host (127.0.0.1, [::1], localhost), or --allow-insecure-http\n",
              stderr);
    } else {
        const char *why = probe.message;
        if (strncmp(why, "base_url ", 9) == 0)
            why += 9; /* "base_url must not contain ..." */
        fputs(": ", stderr);
        put_clean(stderr, why);
        fputc('\n', stderr);
    }
    openrouter_error_clear(&probe);
    openrouter_error_clear(&c->err);
    return EXIT_USAGE;
}

static int make_client(cli *c)
{
    const char *key_env = c->a.opt[O_API_KEY_ENV] ? c->a.opt[O_API_KEY_ENV] : "OPENROUTER_API_KEY";
    const char *api_key = getenv(key_env);
    if (!api_key || !*api_key)
        return cli_usage_error("set %s to an OpenRouter management key", key_env);

    openrouter_client_options o = OPENROUTER_CLIENT_OPTIONS_INIT;
    o.api_key = api_key;
    o.base_url = c->base_url = opt_or_env(c, O_BASE_URL, "OPENROUTER_BASE_URL");
    c->base_url_origin = c->a.opt[O_BASE_URL] ? "--base-url" : "OPENROUTER_BASE_URL";
    o.allow_insecure_http = cli_flag(&c->a, O_ALLOW_INSECURE_HTTP);
    o.http_referer = opt_or_env(c, O_REFERER, "OPENROUTER_HTTP_REFERER");
    o.app_title = opt_or_env(c, O_TITLE, "OPENROUTER_APP_TITLE");
    o.app_categories = opt_or_env(c, O_CATEGORIES, "OPENROUTER_APP_CATEGORIES");
    o.user_agent = PROG "/" OPENROUTER_VERSION_STRING;
    o.strict_decoding = cli_flag(&c->a, O_STRICT);
    if (c->a.opt[O_TIMEOUT]) {
        char *end = NULL;
        errno = 0;
        double s = strtod(c->a.opt[O_TIMEOUT], &end);
        if (!*c->a.opt[O_TIMEOUT] || *end || errno || !(s > 0) || s > 86400)
            return cli_usage_error("--timeout expects seconds (> 0), got '%s'", c->a.opt[O_TIMEOUT]);
        o.timeout_ms = (long)ceil(s * 1000);
        o.connect_timeout_ms = o.timeout_ms < OPENROUTER_DEFAULT_CONNECT_TIMEOUT_MS
                                   ? o.timeout_ms : OPENROUTER_DEFAULT_CONNECT_TIMEOUT_MS;
    }
    if (c->a.opt[O_RETRIES]) {
        long long n;
        if (parse_nonneg("retries", c->a.opt[O_RETRIES], 10, &n))
            return EXIT_USAGE;
        o.retry.max_attempts = (int)n + 1;
    }
    int rc = openrouter_client_new(&c->client, &o, &c->err);
    if (rc == OPENROUTER_EINVAL && strcmp(c->err.field, "base_url") == 0)
        return bad_base_url(c, &o);
    if (rc != OPENROUTER_OK)
        return report(c, rc); /* a bad option: EINVAL, exit 2 */
    return 0;
}

int main(int argc, char **argv)
{
    cli c;
    memset(&c, 0, sizeof c);
    openrouter_error init = OPENROUTER_ERROR_INIT;
    c.err = init;
    int status = cli_parse_args(&c.a, argc, argv);
    if (status)
        return status;
    if (c.a.opt[O_HELP]) {
        cli_help(stdout, c.a.cmd);
        return EXIT_OK;
    }
    if (c.a.opt[O_VERSION]) {
        printf(PROG " %s (openrouter-c %s)\n", OPENROUTER_VERSION_STRING, openrouter_version());
        return EXIT_OK;
    }
    if (openrouter_global_init() != OPENROUTER_OK) {
        fputs(PROG ": could not initialise libcurl\n", stderr);
        return EXIT_TRANSPORT;
    }
    c.json = cli_flag(&c.a, O_JSON);
    status = make_client(&c);
    if (status == 0) {
        char *raw = NULL;
        size_t raw_len = 0;
        openrouter_call_options co = OPENROUTER_CALL_OPTIONS_INIT;
        if (c.json) {
            co.raw_body = &raw;
            co.raw_body_len = &raw_len;
        }
        if (c.a.opt[O_FROM])
            status = bulk_main(c.client, &c.a);
        else if (c.a.opt[O_CONCURRENCY] || c.a.opt[O_RESULTS] || c.a.opt[O_KEEP_LOST])
            status = cli_usage_error("--concurrency, --results and --keep-lost go with --from");
        else switch (c.a.cmd->bit) {
        case C_LIST: status = cmd_list(&c, &co, &raw, &raw_len); break;
        case C_CREATE: status = cmd_create(&c, &co, &raw, &raw_len); break;
        case C_GET: status = cmd_get(&c, &co, &raw, &raw_len); break;
        case C_UPDATE: status = cmd_update(&c, &co, &raw, &raw_len); break;
        case C_DELETE: status = cmd_delete(&c, &co, &raw, &raw_len); break;
        default: status = cmd_current(&c, &co, &raw, &raw_len); break;
        }
        if (raw)
            free_raw(&raw, &raw_len);
    }
    openrouter_client_free(c.client);
    openrouter_error_clear(&c.err);
    cli_wipe_free(c.external_api_key);
    openrouter_global_cleanup();
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fputs(PROG ": error writing to stdout\n", stderr);
        return status ? status : EXIT_API;
    }
    return status;
}
