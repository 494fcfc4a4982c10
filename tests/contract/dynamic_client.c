/* The library path of the dynamic contract test (tests/contract/run.sh,
 * checked by dynamic.py): many calls of each operation against Stoplight
 * Prism answering with random responses (-d), all in this one process.
 *
 *   dynamic_client [--requests FILE] BASE_URL CALLS OUT_JSONL SYMBOL...
 *
 * SYMBOL names an operation descriptor the library exports
 * ("openrouter_list_keys_operation"), found with dlsym, so any operation
 * of any generated description can be listed without naming it here. Each
 * request holds only what the operation requires, filled from its table;
 * or, for a SYMBOL the requests file names ({SYMBOL: {"params": {NAME:
 * TEXT}, "body": JSON}}, which dynamic.py builds from the description's
 * examples), those parameters and that body: string parameters only, the
 * body read as openrouter-api reads --body. Unions, arrays with minItems
 * and formatted path parameters need the description's values.
 *
 * Every call runs with default (lenient) decoding and keeps the raw body;
 * the same body is then decoded again in strict mode. One JSON line per
 * call: {"op", "rc", "error", "body", "warnings": [[path, kind, message]],
 * "strict_rc", "strict_field", "strict_message"}. Exits 0 when every call
 * was made (whatever the outcomes: dynamic.py judges them), 2 on misuse. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include <openrouter/openrouter.h>

#include "internal.h"

#define API_KEY "sk-or-v1-dynamic-contract-management-key"

static char text_value[] = "contract";
static char datetime_value[] = "2030-01-01T00:00:00Z";
static char json_value[] = "{}";
static char path_value[] = "f01d52606dc8f0a8303a7b5cc3fa07109c2e346cec7c0a16b40de462992ce943";

static void fill_object(const openrouter_object_desc *od, char *base);

/* One required slot with a value its limits accept. */
static void fill_slot(const openrouter_type_desc *t, double minimum, int has_min, char *slot)
{
    switch (t->kind) {
    case OPENROUTER_KIND_STRING:
        *(openrouter_string *)slot = (openrouter_string){OPENROUTER_PRESENT, text_value};
        break;
    case OPENROUTER_KIND_DATETIME:
        *(openrouter_datetime *)slot = (openrouter_datetime){OPENROUTER_PRESENT, datetime_value};
        break;
    case OPENROUTER_KIND_ENUM: {
        openrouter_enum_value *e = (openrouter_enum_value *)slot;
        e->state = OPENROUTER_PRESENT;
        e->value = 1;
        break;
    }
    case OPENROUTER_KIND_BOOL:
        *(openrouter_bool *)slot = (openrouter_bool){OPENROUTER_PRESENT, true};
        break;
    case OPENROUTER_KIND_INT32:
        *(openrouter_int32 *)slot = (openrouter_int32){OPENROUTER_PRESENT, has_min ? (int32_t)minimum : 1};
        break;
    case OPENROUTER_KIND_INT64:
        *(openrouter_int64 *)slot = (openrouter_int64){OPENROUTER_PRESENT, has_min ? (int64_t)minimum : 1};
        break;
    case OPENROUTER_KIND_NUMBER:
        *(openrouter_number *)slot = (openrouter_number){OPENROUTER_PRESENT, has_min ? minimum : 1};
        break;
    case OPENROUTER_KIND_JSON:
        *(openrouter_json *)slot = (openrouter_json){OPENROUTER_PRESENT, json_value};
        break;
    case OPENROUTER_KIND_OBJECT:
        *(openrouter_presence *)slot = OPENROUTER_PRESENT;
        fill_object(t->object, slot + (t->slot_size - t->object->size));
        break;
    default: /* arrays and maps: present and empty */
        *(openrouter_presence *)slot = OPENROUTER_PRESENT;
        break;
    }
}

static void fill_object(const openrouter_object_desc *od, char *base)
{
    for (size_t i = 0; i < od->n_fields; i++) {
        const openrouter_field_desc *f = &od->fields[i];
        if ((f->flags & OPENROUTER_F_REQUIRED) && !(f->flags & OPENROUTER_F_READ_ONLY))
            fill_slot(f->type, f->minimum, (f->flags & OPENROUTER_F_HAS_MINIMUM) != 0, base + f->offset);
    }
}

/* A request holding what `op` requires (freed by the caller). */
static void *build_request(const openrouter_operation_desc *op)
{
    char *req = calloc(1, op->request_size ? op->request_size : 1);
    if (!req)
        return NULL;
    for (size_t i = 0; i < op->n_params; i++) {
        const openrouter_param_desc *p = &op->params[i];
        if (p->location == OPENROUTER_PARAM_PATH)
            *(char **)(req + p->offset) = path_value;
        else if (p->flags & OPENROUTER_F_REQUIRED)
            fill_slot(p->type, p->minimum, (p->flags & OPENROUTER_F_HAS_MINIMUM) != 0, req + p->offset);
    }
    if (op->body)
        fill_object(op->body, req + op->body_offset);
    return req;
}

/* Sets parameter `name` from text; the request borrows `text`. */
static void set_param_text(const openrouter_operation_desc *op, char *req, const char *name, const char *text)
{
    for (size_t i = 0; i < op->n_params; i++) {
        const openrouter_param_desc *p = &op->params[i];
        if (strcmp(p->name, name) != 0)
            continue;
        if (p->location == OPENROUTER_PARAM_PATH) {
            *(const char **)(req + p->offset) = text;
            return;
        }
        if (p->type->kind == OPENROUTER_KIND_STRING) {
            *(openrouter_string *)(req + p->offset) = (openrouter_string){OPENROUTER_PRESENT, (char *)text};
            return;
        }
    }
    fprintf(stderr, "dynamic_client: %s: no string parameter %s\n", op->operation_id, name);
    exit(2);
}

/* The request `given` describes ({"params", "body"}); *body_model holds
 * what the body points to (freed by the caller, after the request). */
static void *given_request(const openrouter_operation_desc *op, json_object *given, void **body_model)
{
    char *req = calloc(1, op->request_size ? op->request_size : 1);
    json_object *params = NULL, *body = NULL;
    if (!req)
        return NULL;
    if (json_object_object_get_ex(given, "params", &params)) {
        json_object_object_foreach(params, name, value) {
            set_param_text(op, req, name, json_object_get_string(value));
        }
    }
    if (json_object_object_get_ex(given, "body", &body) && op->body) {
        const char *text = json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN);
        openrouter_error err = OPENROUTER_ERROR_INIT;
        if (openrouter_model_decode_request(op->body, text, strlen(text), body_model, &err) != OPENROUTER_OK) {
            fprintf(stderr, "dynamic_client: %s: the given body: %s\n", op->operation_id, err.message);
            exit(2);
        }
        /* The body member is the bare struct: a shallow copy. */
        memcpy(req + op->body_offset, *body_model, op->body->size);
    }
    return req;
}

static void put_string(json_object *o, const char *key, const char *value)
{
    json_object_object_add(o, key, value ? json_object_new_string(value) : NULL);
}

/* The call's warnings as [[path, kind, message], ...]. */
static json_object *warnings_json(const void *model)
{
    json_object *list = json_object_new_array();
    size_t n = 0;
    const openrouter_warning *w = openrouter_model_warnings(model, &n);
    for (size_t i = 0; i < n; i++) {
        json_object *one = json_object_new_array();
        json_object_array_add(one, json_object_new_string(w[i].path));
        json_object_array_add(one, json_object_new_string(openrouter_warning_kind_name(w[i].kind)));
        json_object_array_add(one, json_object_new_string(w[i].message));
        json_object_array_add(list, one);
    }
    return list;
}

/* The same body decoded in strict mode, as a strict client would. */
static void strict_decode(const openrouter_operation_desc *op, const char *body, size_t len, json_object *line)
{
    const openrouter_object_desc *desc = op->n_responses ? op->responses[0].body : NULL;
    or_decode_options strict = {.strict = 1};
    openrouter_error err = OPENROUTER_ERROR_INIT;
    void *model = NULL;
    int rc = desc ? or_model_decode(desc, body, len, &strict, &model, &err) : OPENROUTER_OK;
    json_object_object_add(line, "strict_rc", json_object_new_int(rc));
    put_string(line, "strict_field", rc ? err.field : NULL);
    put_string(line, "strict_message", rc ? err.message : NULL);
    openrouter_model_free(model);
    openrouter_error_clear(&err);
}

static void run_op(openrouter_client *c, const char *symbol, const openrouter_operation_desc *op, long calls,
                   json_object *given, FILE *out)
{
    void *body_model = NULL;
    void *req = given ? given_request(op, given, &body_model) : build_request(op);
    if (!req) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    for (long i = 0; i < calls; i++) {
        char *raw = NULL;
        size_t raw_len = 0;
        openrouter_call_options co = OPENROUTER_CALL_OPTIONS_INIT;
        co.raw_body = &raw;
        co.raw_body_len = &raw_len;
        openrouter_error err = OPENROUTER_ERROR_INIT;
        void *model = NULL;
        int rc = openrouter_call(c, op, req, &model, &co, &err);
        json_object *line = json_object_new_object();
        put_string(line, "op", op->operation_id);
        put_string(line, "symbol", symbol);
        json_object_object_add(line, "rc", json_object_new_int(rc));
        put_string(line, "error", rc ? err.message : NULL);
        put_string(line, "body", raw);
        json_object_object_add(line, "warnings", warnings_json(model));
        if (rc == OPENROUTER_OK)
            strict_decode(op, raw, raw_len, line);
        fprintf(out, "%s\n", json_object_to_json_string_ext(line, JSON_C_TO_STRING_PLAIN));
        json_object_put(line);
        openrouter_model_free(model);
        openrouter_buffer_free(raw);
        openrouter_error_clear(&err);
    }
    free(req);
    openrouter_model_free(body_model);
}

int main(int argc, char **argv)
{
    json_object *requests = NULL;
    if (argc > 2 && strcmp(argv[1], "--requests") == 0) {
        requests = json_object_from_file(argv[2]);
        if (!requests) {
            fprintf(stderr, "dynamic_client: cannot read %s\n", argv[2]);
            return 2;
        }
        argc -= 2;
        argv += 2;
    }
    if (argc < 5) {
        fprintf(stderr, "usage: dynamic_client [--requests FILE] BASE_URL CALLS OUT_JSONL SYMBOL...\n");
        return 2;
    }
    long calls = strtol(argv[2], NULL, 10);
    FILE *out = fopen(argv[3], "w");
    if (calls <= 0 || !out) {
        fprintf(stderr, "dynamic_client: bad CALLS or cannot write %s\n", argv[3]);
        return 2;
    }
    if (openrouter_global_init() != OPENROUTER_OK)
        return 2;
    openrouter_client_options o = OPENROUTER_CLIENT_OPTIONS_INIT;
    o.api_key = API_KEY;
    o.base_url = argv[1];
    o.retry.max_attempts = 1;
    openrouter_client *c = NULL;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    if (openrouter_client_new(&c, &o, &err) != OPENROUTER_OK) {
        fprintf(stderr, "client_new: %s\n", err.message);
        return 2;
    }
    int status = 0;
    for (int i = 4; i < argc; i++) {
        const openrouter_operation_desc *op = dlsym(RTLD_DEFAULT, argv[i]);
        if (!op) {
            fprintf(stderr, "dynamic_client: no operation %s in the library\n", argv[i]);
            status = 2;
            break;
        }
        json_object *given = NULL;
        json_object_object_get_ex(requests, argv[i], &given);
        run_op(c, argv[i], op, calls, given, out);
    }
    json_object_put(requests);
    openrouter_client_free(c);
    openrouter_global_cleanup();
    fclose(out);
    return status;
}
