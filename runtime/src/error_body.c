/* openrouter-c: API error bodies. Every operation, undocumented statuses
 * (a 502 from a gateway) and code generated from other descriptions share
 * one envelope, {"error": {"code", "message", "metadata"}, ...}, so the
 * runtime owns its table, in the form the generator emits, and decodes it
 * with the table decoder, leniently: unknown members are ignored and a
 * member of an odd type is left out, so whatever is usable is kept.
 * `code` is widened to any JSON value (the spec says integer; some
 * responses send a string). Anything else (not JSON, not an object, no
 * "error" object) is kept as a bounded, printable snippet. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct or_error_detail {
    openrouter_json code;       /* a number or a string, as JSON text */
    openrouter_string message;
    openrouter_json metadata;
} or_error_detail;

typedef struct or_error_detail_field {
    openrouter_presence state;
    or_error_detail value;
} or_error_detail_field;

typedef struct or_error_envelope {
    or_error_detail_field error;
} or_error_envelope;

/* Scalar slot types are scalar_types.c's (openrouter/descriptor.h). */
static const openrouter_field_desc detail_fields[] = {
    {.json_name = "code", .offset = offsetof(or_error_detail, code), .type = &openrouter_json_type_desc,
     .flags = OPENROUTER_F_REQUIRED, .min_length = -1, .max_length = -1},
    {.json_name = "message", .offset = offsetof(or_error_detail, message), .type = &openrouter_string_type_desc,
     .flags = OPENROUTER_F_REQUIRED, .min_length = -1, .max_length = -1},
    {.json_name = "metadata", .offset = offsetof(or_error_detail, metadata), .type = &openrouter_json_type_desc,
     .flags = OPENROUTER_F_NULLABLE, .min_length = -1, .max_length = -1},
};

const openrouter_object_desc or_error_detail_desc = {
    .name = "or_error_detail", .size = sizeof(or_error_detail), .n_fields = 3, .fields = detail_fields};

static const openrouter_type_desc detail_field_type = {
    .kind = OPENROUTER_KIND_OBJECT, .slot_size = sizeof(or_error_detail_field), .object = &or_error_detail_desc};

static const openrouter_field_desc envelope_fields[] = {
    {.json_name = "error", .offset = offsetof(or_error_envelope, error), .type = &detail_field_type,
     .flags = OPENROUTER_F_REQUIRED, .min_length = -1, .max_length = -1},
};

const openrouter_object_desc or_error_envelope_desc = {
    .name = "or_error_envelope", .size = sizeof(or_error_envelope), .n_fields = 1, .fields = envelope_fields};

/* error.code as text and number: a string as it is (its number when it is
 * one, e.g. "429"); an integer as its digits; any other number as its
 * literal, with no number. *text stays NULL when the code is unusable:
 * another type, or a string holding \u0000. 0 or ENOMEM. */
static int read_code(const char *json, char **text, long *number)
{
    or_jr r;
    or_jr_init(&r, json, strlen(json), 0);
    or_jtok tok = or_jr_peek(&r);
    if (tok == OR_JT_STRING) {
        or_jr_str s;
        if (or_jr_string(&r, &s) != 0)
            return 0;
        char *t = or_malloc(s.len + 1);
        if (!t)
            return OPENROUTER_ENOMEM;
        size_t n = s.len;
        if (s.escaped)
            n = or_jr_unescape(json + s.start, s.len, t);
        else
            memcpy(t, json + s.start, n);
        t[n] = '\0';
        if (memchr(t, '\0', n)) {
            or_wipe(t, n);
            or_free(t);
            return 0;
        }
        char *end = NULL;
        long v = strtol(t, &end, 10);
        if (*t && *end == '\0')
            *number = v;
        *text = t;
        return 0;
    }
    or_jr_num num;
    int64_t v;
    if (tok != OR_JT_NUMBER || or_jr_number(&r, &num) != 0)
        return 0;
    if (or_jr_num_int(&r, &num, LONG_MIN, LONG_MAX, &v) == 0) {
        char digits[32];
        *number = (long)v;
        snprintf(digits, sizeof digits, "%ld", *number);
        *text = or_strdup(digits);
    } else {
        *text = or_strndup(json + num.start, num.len);
    }
    return *text ? 0 : OPENROUTER_ENOMEM;
}

/* 1: the body holds an "error" object, whose detail is now in `error`; 0:
 * it does not (a snippet of it stored when `snippet`); or ENOMEM. */
static int parse_envelope(openrouter_error *error, const char *body, size_t len, int snippet)
{
    or_decode_options lenient = {.lenient = 1};
    void *model = NULL;
    int rc = or_model_decode(&or_error_envelope_desc, body, len, &lenient, &model, NULL);
    if (rc == OPENROUTER_ENOMEM)
        return OPENROUTER_ENOMEM;
    const or_error_envelope *env = model;
    if (rc != OPENROUTER_OK || env->error.state != OPENROUTER_PRESENT) {
        openrouter_model_free(model);
        return snippet ? or_error_set_snippet(error, body, len) : 0;
    }
    const or_error_detail *d = &env->error.value;
    char *code = NULL;
    long number = 0;
    if (d->code.state == OPENROUTER_PRESENT)
        rc = read_code(d->code.value, &code, &number);
    if (rc == 0)
        rc = or_error_set_api(error, code, number,
                              d->message.state == OPENROUTER_PRESENT ? d->message.value : NULL,
                              d->metadata.state == OPENROUTER_PRESENT ? d->metadata.value : NULL);
    if (code) {
        or_wipe(code, strlen(code));
        or_free(code);
    }
    openrouter_model_free(model);
    return rc == 0 ? 1 : rc;
}

int or_error_parse_body(openrouter_error *error, const char *body, size_t len)
{
    if (!error || !body || len == 0)
        return 0;
    int rc = parse_envelope(error, body, len, 1);
    return rc < 0 ? rc : 0;
}

int or_error_parse_event(openrouter_error *error, const char *data, size_t len)
{
    return error && data && len ? parse_envelope(error, data, len, 0) : 0;
}
