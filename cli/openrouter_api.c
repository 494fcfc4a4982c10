/* openrouter-api: calls any operation of the description the library was
 * generated from, through the typed path, from the shell (like `gh api`).
 * Generic: it reads the generated operation table and the descriptors, and
 * holds no code of its own for any operation. README.md ("openrouter-api")
 * describes it.
 *
 *   openrouter-api --list
 *   openrouter-api OPERATION [--param NAME=VALUE]... [--body JSON|@FILE|@-] [--output FILE]
 *
 * The body is decoded into the operation's request struct (so a wrong type,
 * a missing required field or a member the type does not have is refused,
 * by name, before anything is sent); the response is decoded into its model
 * and printed as JSON encoded again from it, then its warnings (values that
 * break the description) on stderr as openrouter-keys prints them; --strict
 * makes the first such value an error. A body that is not JSON (audio,
 * video) is written as received, to stdout or --output, as it arrives.
 *
 * Environment and exit codes as openrouter-keys: OPENROUTER_API_KEY,
 * OPENROUTER_BASE_URL; 0 success, 1 the API answered with an error (or
 * something this tool could not understand), 2 usage error (nothing was
 * sent), 3 transport error. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openrouter/openrouter.h>
#include <openrouter/stream.h>

#include <json-c/json.h>

#include "cli_common.h"

#define PROG "openrouter-api"
#define MAX_PARAMS 64

typedef struct api_args {
    int list, help, version, stream, strict, allow_insecure_http;
    const char *operation;
    const char *body;   /* as given: JSON text, @file or @- */
    const char *output; /* file for a body that is not JSON */
    const char *base_url;
    const char *timeout;
    size_t n_params;
    const char *params[MAX_PARAMS]; /* "name=value" as given */
} api_args;

static const char USAGE[] =
    "usage: " PROG " --list\n"
    "       " PROG " OPERATION [--param NAME=VALUE]... [--body JSON|@FILE|@-] [--output FILE]\n"
    "\n"
    "Calls one operation of the OpenRouter API description this library was generated from.\n"
    "  --list                 every operation: its operationId, method and path, parameters\n"
    "  --param NAME=VALUE     a path, query or header parameter, by its name in the description\n"
    "  --body JSON|@FILE|@-   the JSON request body (text, a file, or standard input), decoded\n"
    "                         into the operation's request type before anything is sent\n"
    "  --output FILE          where a body that is not JSON (audio, video) goes; default stdout\n"
    "  --base-url URL         default $OPENROUTER_BASE_URL, else " OPENROUTER_DEFAULT_BASE_URL "\n"
    "  --allow-insecure-http  allow http:// to a host other than this machine\n"
    "  --timeout SECONDS      for the whole call\n"
    "  --stream               a streaming operation's events, one JSON line each\n"
    "  --strict               fail on a response value that breaks the description (a bad\n"
    "                         date-time, a missing field, ...) instead of warning on stderr\n"
    "  --help, --version\n"
    "The API key is read from $OPENROUTER_API_KEY. A response value that breaks the description\n"
    "is printed as received (left out when it cannot be kept) with a warning line on stderr.\n"
    "Exit codes: 0 success (warnings included), 1 the API answered with an error (or, with\n"
    "--strict, a value breaking the description), 2 usage error (nothing was sent), 3 transport\n"
    "error.\n";

static int usage_error(const char *what, const char *arg)
{
    fprintf(stderr, PROG ": %s", what);
    if (arg) {
        fputs(" '", stderr);
        put_clean(stderr, arg);
        fputc('\'', stderr);
    }
    fputs("\n" PROG ": see '" PROG " --help'\n", stderr);
    return EXIT_USAGE;
}

/* ---- the command line ------------------------------------------------------------------- */

/* "--name value" or "--name=value": the value, advancing *i; NULL if missing. */
static const char *option_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0)
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n] != '\0' || *i + 1 >= argc)
        return NULL;
    return argv[++*i];
}

static int is_option(const char *arg, const char *name)
{
    size_t n = strlen(name);
    return strncmp(arg, name, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

static int parse_valued(api_args *a, int argc, char **argv, int *i)
{
    static const char *const names[] = {"--param", "--body", "--output", "--base-url", "--timeout"};
    for (size_t k = 0; k < sizeof names / sizeof *names; k++) {
        if (!is_option(argv[*i], names[k]))
            continue;
        const char *v = option_value(argc, argv, i, names[k]);
        if (!v)
            return usage_error("missing value for", names[k]);
        if (k == 0) {
            if (a->n_params == MAX_PARAMS)
                return usage_error("too many parameters", NULL);
            a->params[a->n_params++] = v;
        } else {
            const char **slot[] = {NULL, &a->body, &a->output, &a->base_url, &a->timeout};
            if (*slot[k])
                return usage_error("given twice:", names[k]);
            *slot[k] = v;
        }
        return 0;
    }
    return usage_error("unknown option", argv[*i]);
}

static int parse_args(api_args *a, int argc, char **argv)
{
    memset(a, 0, sizeof *a);
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--list") == 0)
            a->list = 1;
        else if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0)
            a->help = 1;
        else if (strcmp(arg, "--version") == 0)
            a->version = 1;
        else if (strcmp(arg, "--stream") == 0)
            a->stream = 1;
        else if (strcmp(arg, "--strict") == 0)
            a->strict = 1;
        else if (strcmp(arg, "--allow-insecure-http") == 0)
            a->allow_insecure_http = 1;
        else if (arg[0] == '-' && arg[1] != '\0') {
            int rc = parse_valued(a, argc, argv, &i);
            if (rc)
                return rc;
        } else if (!a->operation)
            a->operation = arg;
        else
            return usage_error("unexpected argument", arg);
    }
    if (!a->help && !a->version && !a->list && !a->operation)
        return usage_error("name an operation (see --list)", NULL);
    if (a->list && a->operation)
        return usage_error("--list takes no operation", NULL);
    return 0;
}

/* ---- the operation table ------------------------------------------------------------------ */

static const openrouter_operation_desc *find_operation(const char *id)
{
    for (size_t i = 0; i < openrouter_operation_count; i++)
        if (strcmp(openrouter_operation_table[i]->operation_id, id) == 0)
            return openrouter_operation_table[i];
    return NULL;
}

static const char *location_name(openrouter_param_location loc)
{
    return loc == OPENROUTER_PARAM_PATH ? "path" : loc == OPENROUTER_PARAM_QUERY ? "query" : "header";
}

static const openrouter_response_desc *success_body(const openrouter_operation_desc *op)
{
    for (size_t i = 0; i < op->n_responses; i++)
        if (op->responses[i].body || op->responses[i].media_type)
            return &op->responses[i];
    return NULL;
}

static int cmd_list(void)
{
    for (size_t i = 0; i < openrouter_operation_count; i++) {
        const openrouter_operation_desc *op = openrouter_operation_table[i];
        printf("%-40s %-6s %s", op->operation_id, op->method, op->path);
        for (size_t k = 0; k < op->n_params; k++) {
            const openrouter_param_desc *p = &op->params[k];
            int required = p->location == OPENROUTER_PARAM_PATH || (p->flags & OPENROUTER_F_REQUIRED);
            printf(" %s--param %s=(%s)%s", required ? "" : "[", p->name, location_name(p->location),
                   required ? "" : "]");
        }
        if (op->body)
            printf(" %s--body%s", op->body_required ? "" : "[", op->body_required ? "" : "]");
        const openrouter_response_desc *r = success_body(op);
        if (r && r->media_type)
            printf(" -> %s", r->media_type);
        putchar('\n');
    }
    return EXIT_OK;
}

/* ---- parameters ------------------------------------------------------------------------------ */

static const openrouter_param_desc *find_param(const openrouter_operation_desc *op, const char *name, size_t n)
{
    for (size_t i = 0; i < op->n_params; i++) {
        const openrouter_param_desc *p = &op->params[i];
        int header = p->location == OPENROUTER_PARAM_HEADER;
        if (strlen(p->name) == n && (header ? strncasecmp(p->name, name, n) : strncmp(p->name, name, n)) == 0)
            return p;
    }
    return NULL;
}

static int bad_value(const openrouter_param_desc *p, const char *value, const char *expected)
{
    fprintf(stderr, PROG ": parameter %s: expected %s, got '", p->name, expected);
    put_clean(stderr, value);
    fputs("'\n", stderr);
    return EXIT_USAGE;
}

static int set_integer(const openrouter_param_desc *p, char *slot, const char *value)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(value, &end, 10);
    int int32 = p->type->kind == OPENROUTER_KIND_INT32;
    if (!*value || *end || errno || (int32 && (v < INT32_MIN || v > INT32_MAX)))
        return bad_value(p, value, int32 ? "a 32-bit integer" : "an integer");
    if (int32)
        *(openrouter_int32 *)(void *)slot = OPENROUTER_INT32((int32_t)v);
    else
        *(openrouter_int64 *)(void *)slot = OPENROUTER_INT64((int64_t)v);
    return 0;
}

static int set_enum(const openrouter_param_desc *p, char *slot, const char *value)
{
    openrouter_enum_value *e = (openrouter_enum_value *)(void *)slot;
    const openrouter_enum_desc *d = p->type->enumeration;
    e->state = OPENROUTER_PRESENT;
    e->value = 0; /* a value this version does not list is sent as its text */
    e->text = (char *)value;
    for (size_t i = 0; d && i < d->count; i++)
        if (strcmp(d->values[i], value) == 0)
            e->value = (int)i + 1;
    return 0;
}

/* Stores "value" into the request's slot for `p`; the slot borrows argv. */
static int set_param(const openrouter_param_desc *p, char *request, const char *value)
{
    char *slot = request + p->offset;
    if (p->location == OPENROUTER_PARAM_PATH) {
        *(const char **)(void *)slot = value;
        return 0;
    }
    switch (p->type->kind) {
    case OPENROUTER_KIND_STRING:
    case OPENROUTER_KIND_DATETIME:
        *(openrouter_string *)(void *)slot = OPENROUTER_STRING((char *)value);
        return 0;
    case OPENROUTER_KIND_BOOL:
        if (strcmp(value, "true") != 0 && strcmp(value, "false") != 0)
            return bad_value(p, value, "true or false");
        *(openrouter_bool *)(void *)slot = OPENROUTER_BOOL(value[0] == 't');
        return 0;
    case OPENROUTER_KIND_INT32:
    case OPENROUTER_KIND_INT64:
        return set_integer(p, slot, value);
    case OPENROUTER_KIND_NUMBER: {
        char *end = NULL;
        errno = 0;
        double v = strtod(value, &end);
        if (!*value || *end || errno || !isfinite(v))
            return bad_value(p, value, "a number");
        *(openrouter_number *)(void *)slot = OPENROUTER_NUMBER(v);
        return 0;
    }
    case OPENROUTER_KIND_ENUM:
        return set_enum(p, slot, value);
    default:
        return bad_value(p, value, "a kind of parameter this tool cannot set");
    }
}

static int set_params(const api_args *a, const openrouter_operation_desc *op, char *request)
{
    unsigned char seen[MAX_PARAMS] = {0};
    for (size_t i = 0; i < a->n_params; i++) {
        const char *eq = strchr(a->params[i], '=');
        if (!eq)
            return usage_error("--param expects NAME=VALUE, got", a->params[i]);
        const openrouter_param_desc *p = find_param(op, a->params[i], (size_t)(eq - a->params[i]));
        if (!p) {
            fprintf(stderr, PROG ": %s has no parameter '", op->operation_id);
            fwrite(a->params[i], 1, (size_t)(eq - a->params[i]), stderr);
            fputs("'; see '" PROG " --list'\n", stderr);
            return EXIT_USAGE;
        }
        size_t k = (size_t)(p - op->params);
        if (k < MAX_PARAMS && seen[k]++)
            return usage_error("parameter given twice:", p->name);
        int rc = set_param(p, request, eq + 1);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- the body --------------------------------------------------------------------------------- */

static char *read_stream(FILE *f, size_t *len)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n - 1, f);
        if (ferror(f) || feof(f))
            break;
        char *more = cap > SIZE_MAX / 2 ? NULL : realloc(buf, cap * 2);
        if (!more) {
            free(buf);
            return NULL;
        }
        buf = more;
        cap *= 2;
    }
    if (buf && ferror(f)) {
        free(buf);
        return NULL;
    }
    if (buf) {
        buf[n] = '\0';
        *len = n;
    }
    return buf;
}

/* The body's text: the argument itself, or a file's (@FILE) or stdin's (@-). */
static char *body_text(const char *arg, size_t *len)
{
    if (arg[0] != '@') {
        *len = strlen(arg);
        char *copy = malloc(*len + 1);
        if (copy)
            memcpy(copy, arg, *len + 1);
        return copy;
    }
    FILE *f = strcmp(arg, "@-") == 0 ? stdin : fopen(arg + 1, "rb");
    if (!f) {
        fprintf(stderr, PROG ": --body %s: %s\n", arg, strerror(errno));
        return NULL;
    }
    char *text = read_stream(f, len);
    if (!text)
        fprintf(stderr, PROG ": --body %s: could not read it\n", arg);
    if (f != stdin)
        fclose(f);
    return text;
}

/* A member of `given` that `sent` (the body encoded again from the typed
 * struct) lacks: the type has no such field (or never sends it). Prints its
 * path and returns 1. */
static int lost_member(json_object *given, json_object *sent, char *path, size_t used, size_t size)
{
    if (json_object_is_type(given, json_type_object) && json_object_is_type(sent, json_type_object)) {
        json_object_object_foreach(given, key, value) {
            json_object *there = NULL;
            int n = snprintf(path + used, size - used, "%s%s", used ? "." : "", key);
            size_t next = n < 0 || (size_t)n >= size - used ? size - 1 : used + (size_t)n;
            if (!json_object_object_get_ex(sent, key, &there)) {
                fputs(PROG ": request body: member ", stderr);
                put_clean(stderr, path);
                fputs(" is not a field of the request type (nothing was sent)\n", stderr);
                return 1;
            }
            if (lost_member(value, there, path, next, size))
                return 1;
        }
    } else if (json_object_is_type(given, json_type_array) && json_object_is_type(sent, json_type_array)) {
        size_t n = json_object_array_length(given);
        for (size_t i = 0; i < n && i < json_object_array_length(sent); i++) {
            int w = snprintf(path + used, size - used, "[%zu]", i);
            size_t next = w < 0 || (size_t)w >= size - used ? size - 1 : used + (size_t)w;
            if (lost_member(json_object_array_get_idx(given, i), json_object_array_get_idx(sent, i), path, next,
                            size))
                return 1;
        }
    }
    path[used] = '\0';
    return 0;
}

static int check_nothing_lost(const char *given, const openrouter_object_desc *desc, const void *model)
{
    char *sent = NULL;
    size_t sent_len = 0;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    int rc = openrouter_model_encode(desc, model, &sent, &sent_len, &err);
    if (rc != OPENROUTER_OK) {
        fputs(PROG ": request body: ", stderr);
        put_clean(stderr, err.message);
        fputs(" (nothing was sent)\n", stderr);
        openrouter_error_clear(&err);
        return cli_exit_code(rc);
    }
    json_object *a = json_tokener_parse(given), *b = json_tokener_parse(sent);
    char path[512] = "";
    int lost = a && b && lost_member(a, b, path, 0, sizeof path);
    json_object_put(a);
    json_object_put(b);
    openrouter_buffer_free(sent);
    return lost ? EXIT_USAGE : 0;
}

/* Decodes --body into the request struct; *model holds what it points to. */
static int set_body(const api_args *a, const openrouter_operation_desc *op, char *request, void **model)
{
    if (!a->body)
        return 0;
    if (!op->body)
        return usage_error("this operation takes no body:", op->operation_id);
    size_t len = 0;
    char *text = body_text(a->body, &len);
    if (!text)
        return EXIT_USAGE;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    int rc = openrouter_model_decode_request(op->body, text, len, model, &err);
    if (rc != OPENROUTER_OK) {
        fputs(PROG ": request body: ", stderr);
        put_clean(stderr, err.message);
        fputs(" (nothing was sent)\n", stderr);
        openrouter_error_clear(&err);
        free(text);
        return rc == OPENROUTER_ENOMEM ? EXIT_API : EXIT_USAGE;
    }
    rc = check_nothing_lost(text, op->body, *model);
    free(text);
    if (rc)
        return rc;
    /* The request's body member is the bare struct: a shallow copy whose
     * pointers stay in the decoded model until it is freed. */
    memcpy(request + op->body_offset, *model, op->body->size);
    return 0;
}

/* ---- the call ---------------------------------------------------------------------------------- */

static int report(int rc, openrouter_error *e)
{
    fputs(PROG ": ", stderr);
    put_clean(stderr, e->message[0] ? e->message : openrouter_status_name(rc));
    fputc('\n', stderr);
    if (rc == OPENROUTER_EHTTP && !e->api_message && e->body_snippet) {
        fputs(PROG ": response body: ", stderr);
        put_clean(stderr, e->body_snippet);
        fputc('\n', stderr);
    }
    if (e->request_may_have_been_processed)
        fputs(PROG ": the server may still have carried out the request\n", stderr);
    return cli_exit_code(rc);
}

static int write_out(void *ctx, const void *data, size_t len, const char *content_type)
{
    (void)content_type;
    return fwrite(data, 1, len, (FILE *)ctx) == len ? 0 : 1;
}

static int print_model(const openrouter_response_desc *r, const void *model)
{
    char *json = NULL;
    size_t len = 0;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    int rc = openrouter_model_encode_received(r->body, model, &json, &len, &err);
    if (rc != OPENROUTER_OK) {
        fputs(PROG ": the response could not be encoded again: ", stderr);
        put_clean(stderr, err.message);
        fputc('\n', stderr);
        openrouter_error_clear(&err);
        return EXIT_API;
    }
    fwrite(json, 1, len, stdout);
    putchar('\n');
    openrouter_buffer_free(json);
    return EXIT_OK;
}

/* --stream: each event encoded again from its model, one line each. */
static int print_event(void (*fn)(void), void *user, const void *event)
{
    (void)fn;
    const openrouter_object_desc *desc = user;
    char *json = NULL;
    size_t len = 0;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    if (openrouter_model_encode_received(desc, event, &json, &len, &err) != OPENROUTER_OK) {
        fputs(PROG ": an event could not be encoded again: ", stderr);
        put_clean(stderr, err.message);
        fputc('\n', stderr);
        openrouter_error_clear(&err);
        return 1; /* stops the stream */
    }
    fwrite(json, 1, len, stdout);
    putchar('\n');
    openrouter_buffer_free(json);
    cli_print_warnings(PROG, event); /* flushes stdout: lines go out as the events arrive */
    return 0;
}

/* The API streams only when asked: the body's `stream` member (the name
 * OpenRouter's description uses), when it has one, is set to true. */
static void ask_to_stream(const openrouter_operation_desc *op, char *request)
{
    for (size_t i = 0; op->body && i < op->body->n_fields; i++) {
        const openrouter_field_desc *f = &op->body->fields[i];
        if (strcmp(f->json_name, "stream") == 0 && f->type->kind == OPENROUTER_KIND_BOOL) {
            openrouter_bool *flag = (openrouter_bool *)(void *)(request + op->body_offset + f->offset);
            flag->state = OPENROUTER_PRESENT;
            flag->value = true;
        }
    }
}

static int perform(const api_args *a, openrouter_client *client, const openrouter_operation_desc *op,
                   const void *request)
{
    openrouter_error err = OPENROUTER_ERROR_INIT;
    const openrouter_response_desc *r = success_body(op);
    int rc, status;
    if (a->stream) {
        rc = openrouter_call_stream(client, op, request, print_event, (void (*)(void))print_event,
                                    (void *)op->stream->event, NULL, &err);
        status = rc == OPENROUTER_OK ? EXIT_OK : report(rc, &err);
    } else if (r && r->media_type) { /* bytes, written as they arrive */
        FILE *f = a->output ? fopen(a->output, "wb") : stdout;
        if (!f) {
            fprintf(stderr, PROG ": --output %s: %s\n", a->output, strerror(errno));
            return EXIT_USAGE;
        }
        openrouter_body_sink sink = {write_out, f};
        rc = openrouter_call_sink(client, op, request, &sink, NULL, &err);
        if (f != stdout && fclose(f) != 0 && rc == OPENROUTER_OK) {
            fprintf(stderr, PROG ": --output %s: %s\n", a->output, strerror(errno));
            return EXIT_API;
        }
        status = rc == OPENROUTER_OK ? EXIT_OK : report(rc, &err);
    } else {
        void *out = NULL;
        rc = openrouter_call(client, op, request, &out, NULL, &err);
        status = rc != OPENROUTER_OK ? report(rc, &err) : out && r ? print_model(r, out) : EXIT_OK;
        if (rc == OPENROUTER_OK)
            cli_print_warnings(PROG, out);
        openrouter_model_free(out);
    }
    openrouter_error_clear(&err);
    return status;
}

static int make_client(const api_args *a, openrouter_client **client)
{
    const char *key = getenv("OPENROUTER_API_KEY");
    if (!key || !*key)
        return usage_error("set OPENROUTER_API_KEY to an OpenRouter API key", NULL);
    openrouter_client_options o = OPENROUTER_CLIENT_OPTIONS_INIT;
    o.api_key = key;
    const char *env_url = getenv("OPENROUTER_BASE_URL");
    o.base_url = a->base_url ? a->base_url : env_url && *env_url ? env_url : NULL;
    o.allow_insecure_http = a->allow_insecure_http;
    o.strict_decoding = a->strict;
    o.user_agent = PROG "/" OPENROUTER_VERSION_STRING;
    if (a->timeout) {
        char *end = NULL;
        double s = strtod(a->timeout, &end);
        if (!*a->timeout || *end || !(s > 0) || s > 86400)
            return usage_error("--timeout expects seconds (> 0), got", a->timeout);
        o.timeout_ms = (long)ceil(s * 1000);
    }
    openrouter_error err = OPENROUTER_ERROR_INIT;
    int rc = openrouter_client_new(client, &o, &err);
    int status = rc == OPENROUTER_OK ? 0 : report(rc, &err);
    openrouter_error_clear(&err);
    return status;
}

static int cmd_call(const api_args *a)
{
    const openrouter_operation_desc *op = find_operation(a->operation);
    if (!op)
        return usage_error("no such operation (see --list):", a->operation);
    if (a->stream && !op->stream)
        return usage_error("this operation does not stream:", a->operation);
    char *request = calloc(1, op->request_size ? op->request_size : 1);
    if (!request)
        return EXIT_API;
    void *body_model = NULL;
    openrouter_client *client = NULL;
    int status = set_params(a, op, request);
    if (!status)
        status = set_body(a, op, request, &body_model);
    if (!status && a->stream && op->request_size)
        ask_to_stream(op, request);
    if (!status)
        status = make_client(a, &client);
    if (!status)
        status = perform(a, client, op, op->request_size ? request : NULL);
    openrouter_client_free(client);
    openrouter_model_free(body_model);
    free(request);
    return status;
}

int main(int argc, char **argv)
{
    api_args a;
    int status = parse_args(&a, argc, argv);
    if (status)
        return status;
    if (a.help) {
        fputs(USAGE, stdout);
        return EXIT_OK;
    }
    if (a.version) {
        printf(PROG " %s (openrouter-c %s, %zu operations)\n", OPENROUTER_VERSION_STRING, openrouter_version(),
               openrouter_operation_count);
        return EXIT_OK;
    }
    if (a.list)
        return cmd_list();
    if (openrouter_global_init() != OPENROUTER_OK) {
        fputs(PROG ": could not initialise libcurl\n", stderr);
        return EXIT_TRANSPORT;
    }
    status = cmd_call(&a);
    openrouter_global_cleanup();
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fputs(PROG ": error writing to stdout\n", stderr);
        return status ? status : EXIT_API;
    }
    return status;
}
