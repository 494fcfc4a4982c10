/* openrouter-c: table-driven encoding. Writes compact JSON straight into
 * an or_buf, checking every value against its field's constraints
 * (constraints.c) as it goes; on any error the partial output is wiped
 * and dropped.
 *
 *  - ABSENT is left out, NULL is `null` (when the field is nullable),
 *    PRESENT is the value; read-only fields are never written.
 *  - String min_length/max_length count Unicode code points (as JSON
 *    Schema does); array and map constraints count items.
 *  - A JSON value -0.0 is written as 0.
 *  - JSON-kind values must be one valid JSON document (checked by the
 *    strict reader) and are written as given.
 *  - Paths in messages start at the model ("external.api_key"); call.c
 *    may prefix "body.". */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

typedef struct or_enc {
    or_buf *b;
    openrouter_error *error;
    /* A model as received (openrouter_model_encode_received): no required,
     * null or constraint checks, read-only fields written. */
    int received;
} or_enc;

/* A member the encoder writes itself: a discriminated union variant's tag
 * (union.c), in place of the field of that name. */
typedef struct or_member {
    const char *name;
    const char *value;
} or_member;

static int enc_object(or_enc *e, const openrouter_object_desc *od, const char *base, const or_path *p,
                      int depth, const or_member *tag);
static int enc_present(or_enc *e, const openrouter_type_desc *t, const or_limits *lim, const char *slot,
                       const or_path *p, int depth);

static int enc_nomem(or_enc *e)
{
    return or_error_set(e->error, OPENROUTER_ENOMEM, "out of memory");
}

static int enc_append(or_enc *e, const char *s, size_t n)
{
    return or_buf_append(e->b, s, n) == 0 ? 0 : enc_nomem(e);
}

static int enc_json_string(or_enc *e, const or_path *p, const char *s, size_t n)
{
    int r = or_buf_json_string(e->b, s, n);
    if (r == -2)
        return or_path_error(e->error, OPENROUTER_EINVAL, p, "not valid UTF-8");
    return r == 0 ? 0 : enc_nomem(e);
}

static int enc_text(or_enc *e, const openrouter_type_desc *t, const or_limits *lim, const char *slot,
                    const or_path *p)
{
    const char *s = ((const openrouter_string *)slot)->value;
    int rc = or_check_string(e->error, p, lim, s);
    /* A date-time as received is written as received: decoding kept it
     * with a warning, and encoding must not lose the response over it. */
    if (rc == 0 && t->kind == OPENROUTER_KIND_DATETIME && !e->received)
        rc = or_check_datetime(e->error, p, lim->flags, s);
    return rc ? rc : enc_json_string(e, p, s, strlen(s));
}

static int enc_integer(or_enc *e, const openrouter_type_desc *t, const or_limits *lim, const char *slot,
                       const or_path *p)
{
    int64_t v = t->kind == OPENROUTER_KIND_INT32 ? ((const openrouter_int32 *)slot)->value
                                                 : ((const openrouter_int64 *)slot)->value;
    int rc = or_check_range(e->error, p, lim, (double)v);
    if (rc)
        return rc;
    char num[40];
    int n = snprintf(num, sizeof num, "%lld", (long long)v);
    return enc_append(e, num, (size_t)n);
}

static int enc_number(or_enc *e, const or_limits *lim, const char *slot, const or_path *p)
{
    double v = ((const openrouter_number *)slot)->value;
    if (!isfinite(v))
        return or_path_error(e->error, OPENROUTER_EINVAL, p, "not a finite number");
    int rc = or_check_range(e->error, p, lim, v);
    if (rc)
        return rc;
    char num[40];
    int n = or_format_double(v, num, sizeof num);
    if (n < 0)
        return or_path_error(e->error, OPENROUTER_EINVAL, p, "cannot format number");
    return enc_append(e, num, (size_t)n);
}

/* JSON text (a JSON-kind value, a union's raw text): sent as given, once
 * the reader accepts it. */
static int enc_json(or_enc *e, const char *s, const or_path *p)
{
    if (!s)
        return or_path_error(e->error, OPENROUTER_EINVAL, p, "value is NULL");
    size_t n = strlen(s);
    or_jr r;
    or_jr_init(&r, s, n, OR_DEFAULT_MAX_DEPTH);
    if (or_jr_validate(&r) != 0) {
        openrouter_error why = OPENROUTER_ERROR_INIT;
        or_jr_error(&r, &why);
        return or_path_error(e->error, OPENROUTER_EINVAL, p, "invalid JSON value: %s", why.message);
    }
    return enc_append(e, s, n);
}

/* One array item or map value (no constraints of its own). */
static int enc_item(or_enc *e, const openrouter_type_desc *t, const char *islot, const or_path *ip,
                    int depth, const char *unset)
{
    const openrouter_type_desc *it = t->item;
    openrouter_presence st = or_slot_presence(it, islot);
    if (st == OPENROUTER_PRESENT)
        return enc_present(e, it, &or_no_limits, islot, ip, depth + 1);
    if (st == OPENROUTER_NULL)
        return (t->item_flags & OPENROUTER_F_NULLABLE) ? enc_append(e, "null", 4)
                                                        : or_path_error(e->error, OPENROUTER_EINVAL, ip,
                                                                        "null not allowed");
    return or_path_error(e->error, OPENROUTER_EINVAL, ip, "%s", unset);
}

/* The checks an array or map slot passes before its items are written. */
static int enc_container_check(or_enc *e, const or_limits *lim, const void *items, size_t count,
                               const char *what, const or_path *p, int depth)
{
    if (count && !items)
        return or_path_error(e->error, OPENROUTER_EINVAL, p, "%s is NULL but count is %zu", what, count);
    int rc = or_check_length(e->error, p, lim, (int64_t)count, what);
    if (rc)
        return rc;
    if (depth >= OR_DEFAULT_MAX_DEPTH)
        return or_path_error(e->error, OPENROUTER_EINVAL, p, "nested too deeply");
    return 0;
}

static int enc_array(or_enc *e, const openrouter_type_desc *t, const or_limits *lim, const char *slot,
                     const or_path *p, int depth)
{
    const or_array_slot *a = (const or_array_slot *)slot;
    int rc = enc_container_check(e, lim, a->items, a->count, "items", p, depth);
    if (rc || (rc = enc_append(e, "[", 1)) != 0)
        return rc;
    size_t size = t->item->slot_size;
    for (size_t i = 0; i < a->count; i++) {
        or_path ip = {p, NULL, i};
        const char *islot = (const char *)a->items + i * size;
        if (i && (rc = enc_append(e, ",", 1)) != 0)
            return rc;
        openrouter_presence st = or_slot_presence(t->item, islot);
        const char *unset = st == OPENROUTER_ABSENT ? "array item not set (state ABSENT)"
                                                    : "array item not set (state invalid)";
        if ((rc = enc_item(e, t, islot, &ip, depth, unset)) != 0)
            return rc;
    }
    return enc_append(e, "]", 1);
}

/* "name": after a comma unless it is the object's first member. */
static int enc_member_name(or_enc *e, const or_path *p, const char *name, int *first)
{
    int rc = *first ? 0 : enc_append(e, ",", 1);
    *first = 0;
    if (rc || (rc = enc_json_string(e, p, name, strlen(name))) != 0)
        return rc;
    return enc_append(e, ":", 1);
}

/* The entries of a MAP slot as members "key":value. With `declared`, the
 * object whose ADDITIONAL map it is: a key naming one of its fields would
 * send that member twice, and is refused. */
static int enc_entries(or_enc *e, const openrouter_type_desc *t, const or_map_slot *m, const or_path *p, int depth,
                       int *first, const openrouter_object_desc *declared)
{
    for (size_t i = 0; i < m->count; i++) {
        const char *entry = (const char *)m->entries + i * t->entry_size;
        const char *key = *(char *const *)entry;
        or_path ip = {p, NULL, i};
        if (!key)
            return or_path_error(e->error, OPENROUTER_EINVAL, &ip, "map key is NULL");
        size_t kn = strlen(key);
        if (!or_utf8_valid(key, kn))
            return or_path_error(e->error, OPENROUTER_EINVAL, &ip, "map key is not valid UTF-8");
        for (size_t f = 0; declared && f + 1 < declared->n_fields; f++)
            if (strcmp(declared->fields[f].json_name, key) == 0)
                return or_path_error(e->error, OPENROUTER_EINVAL, &ip, "key \"%s\" is a member of its own",
                                     declared->fields[f].json_name);
        or_path kp = {p, key, 0};
        int rc = enc_member_name(e, &kp, key, first);
        if (rc || (rc = enc_item(e, t, entry + t->map_value_offset, &kp, depth, "map value not set")) != 0)
            return rc;
    }
    return 0;
}

static int enc_map(or_enc *e, const openrouter_type_desc *t, const or_limits *lim, const char *slot,
                   const or_path *p, int depth)
{
    const or_map_slot *m = (const or_map_slot *)slot;
    int first = 1;
    int rc = enc_container_check(e, lim, m->entries, m->count, "entries", p, depth);
    if (rc || (rc = enc_append(e, "{", 1)) != 0 || (rc = enc_entries(e, t, m, p, depth, &first, NULL)) != 0)
        return rc;
    return enc_append(e, "}", 1);
}

/* A union model at `slot`: the member its kind names, or its raw text. */
static int enc_union(or_enc *e, const openrouter_type_desc *t, const char *slot, const or_path *p, int depth)
{
    const openrouter_union_desc *ud = t->object->union_desc;
    if (!or_object_is_bare(t))
        slot += or_object_value_offset(t);
    const openrouter_union_variant *v;
    const char *tag;
    int rc = or_union_encode_check(ud, slot, p, &v, &tag, e->error);
    if (rc)
        return rc;
    if (!v && !or_union_raw(ud, slot))
        return or_path_error(e->error, OPENROUTER_EINVAL, p, "union not set (kind 0 and no raw text)");
    if (!v)
        return enc_json(e, or_union_raw(ud, slot), p);
    const char *member = slot + ud->value_offset;
    if (or_slot_presence(v->type, member) != OPENROUTER_PRESENT)
        return or_path_error(e->error, OPENROUTER_EINVAL, p, "member %s (the kind) not set", v->name);
    if (tag) {
        or_member m = {ud->discriminator, tag};
        return enc_object(e, v->type->object, member, p, depth + 1, &m);
    }
    size_t start = e->b->len;
    rc = enc_present(e, v->type, &or_no_limits, member, p, depth + 1);
    if (rc == 0 && v->type->kind == OPENROUTER_KIND_NUMBER && or_union_has_integer(ud) &&
        strspn(e->b->data + start, "-0123456789") == e->b->len - start)
        rc = enc_append(e, ".0", 2); /* 1000.0, not 1000: an integer literal would select the integer variant */
    return rc;
}

/* Encodes a slot whose state is PRESENT (or a bare object). */
static int enc_present(or_enc *e, const openrouter_type_desc *t, const or_limits *lim, const char *slot,
                       const or_path *p, int depth)
{
    switch (t->kind) {
    case OPENROUTER_KIND_STRING:
    case OPENROUTER_KIND_DATETIME: return enc_text(e, t, lim, slot, p);
    case OPENROUTER_KIND_BOOL:
        return ((const openrouter_bool *)slot)->value ? enc_append(e, "true", 4) : enc_append(e, "false", 5);
    case OPENROUTER_KIND_INT32:
    case OPENROUTER_KIND_INT64: return enc_integer(e, t, lim, slot, p);
    case OPENROUTER_KIND_NUMBER: return enc_number(e, lim, slot, p);
    case OPENROUTER_KIND_ENUM: {
        const char *s = or_enum_text(e->error, p, t, (const openrouter_enum_value *)slot);
        return s ? enc_json_string(e, p, s, strlen(s)) : OPENROUTER_EINVAL;
    }
    case OPENROUTER_KIND_JSON: return enc_json(e, ((const openrouter_json *)slot)->value, p);
    case OPENROUTER_KIND_OBJECT:
        if (!or_object_is_bare(t))
            slot += or_object_value_offset(t);
        return enc_object(e, t->object, slot, p, depth + 1, NULL);
    case OPENROUTER_KIND_ARRAY: return enc_array(e, t, lim, slot, p, depth);
    case OPENROUTER_KIND_MAP: return enc_map(e, t, lim, slot, p, depth);
    case OPENROUTER_KIND_UNION: return enc_union(e, t, slot, p, depth);
    case OPENROUTER_KIND_FILE:
        return or_path_error(e->error, OPENROUTER_EINVAL, p, "a file is sent only in a multipart/form-data body");
    }
    return or_path_error(e->error, OPENROUTER_EINVAL, p, "unsupported kind %d in descriptor", (int)t->kind);
}

/* Whether field f, in state st, is written: 1 yes, 0 left out, or an error. */
static int enc_field_wanted(or_enc *e, const openrouter_field_desc *f, openrouter_presence st, const or_path *fp)
{
    if (st == OPENROUTER_ABSENT)
        return (f->flags & OPENROUTER_F_REQUIRED) && !e->received
                   ? or_path_error(e->error, OPENROUTER_EINVAL, fp, "required field missing")
                   : 0;
    if (st != OPENROUTER_NULL && st != OPENROUTER_PRESENT)
        return or_path_error(e->error, OPENROUTER_EINVAL, fp, "invalid presence state %d", (int)st);
    if (st == OPENROUTER_NULL && !(f->flags & OPENROUTER_F_NULLABLE) && !e->received)
        return or_path_error(e->error, OPENROUTER_EINVAL, fp, "null not allowed");
    return 1;
}

/* The checks a field's value gets: its own, or none for a model as received. */
static or_limits field_limits(const or_enc *e, const openrouter_field_desc *f)
{
    if (e->received) {
        or_limits none = or_no_limits;
        none.flags = f->flags & ~(OPENROUTER_F_HAS_MINIMUM | OPENROUTER_F_HAS_MAXIMUM | OPENROUTER_F_UTC_ONLY);
        return none;
    }
    or_limits lim = {f->flags, f->min_length, f->max_length, f->minimum, f->maximum};
    return lim;
}

/* One field of an object, when its state says it is written. */
static int enc_field(or_enc *e, const openrouter_object_desc *od, const openrouter_field_desc *f, const char *base,
                     const or_path *p, int depth, int *first)
{
    const char *slot = base + f->offset;
    or_path fp = {p, f->json_name, 0};
    openrouter_presence st = or_slot_presence(f->type, slot);
    int rc = enc_field_wanted(e, f, st, &fp);
    if (rc != 1)
        return rc;
    if (f->flags & OPENROUTER_F_ADDITIONAL) { /* its entries are the object's other members */
        const or_map_slot *m = (const or_map_slot *)slot;
        or_limits lim = field_limits(e, f);
        if (st == OPENROUTER_NULL)
            return 0;
        rc = enc_container_check(e, &lim, m->entries, m->count, "entries", p, depth);
        return rc ? rc : enc_entries(e, f->type, m, p, depth, first, od);
    }
    if ((rc = enc_member_name(e, &fp, f->json_name, first)) != 0)
        return rc;
    if (st == OPENROUTER_NULL)
        return enc_append(e, "null", 4);
    or_limits lim = field_limits(e, f);
    return enc_present(e, f->type, &lim, slot, &fp, depth);
}

static int enc_object(or_enc *e, const openrouter_object_desc *od, const char *base, const or_path *p,
                      int depth, const or_member *tag)
{
    if (depth > OR_DEFAULT_MAX_DEPTH)
        return or_path_error(e->error, OPENROUTER_EINVAL, p, "nested too deeply");
    int first = 1;
    int rc = enc_append(e, "{", 1);
    if (rc == 0 && tag) {
        or_path tp = {p, tag->name, 0};
        if ((rc = enc_member_name(e, &tp, tag->name, &first)) == 0)
            rc = enc_json_string(e, &tp, tag->value, strlen(tag->value));
    }
    const openrouter_field_desc *f = od->fields;
    for (size_t i = 0; rc == 0 && i < od->n_fields; i++, f++) {
        if (((f->flags & OPENROUTER_F_READ_ONLY) && !e->received) || (tag && strcmp(f->json_name, tag->name) == 0))
            continue;
        rc = enc_field(e, od, f, base, p, depth, &first);
    }
    return rc ? rc : enc_append(e, "}", 1);
}

static int encode(const openrouter_object_desc *desc, const void *model, or_buf *out, int received,
                  openrouter_error *error)
{
    if (!desc || !model || !out)
        return or_error_set(error, OPENROUTER_EINVAL, "encode: invalid arguments");
    size_t start = out->len;
    or_enc e = {out, error, received};
    openrouter_type_desc whole = {.kind = OPENROUTER_KIND_UNION, .slot_size = desc->size, .object = desc};
    int rc = desc->union_desc ? enc_union(&e, &whole, model, NULL, 0) : enc_object(&e, desc, model, NULL, 0, NULL);
    if (rc && out->data) {
        /* Drop (and wipe) the partial output. */
        or_wipe(out->data + start, out->len - start);
        out->len = start;
        out->data[start] = '\0';
    }
    return rc;
}

int or_model_encode(const openrouter_object_desc *desc, const void *model, or_buf *out,
                    openrouter_error *error)
{
    return encode(desc, model, out, 0, error);
}

static int encode_to(const openrouter_object_desc *desc, const void *model, char **json_out, size_t *len_out,
                     int received, openrouter_error *error)
{
    if (json_out)
        *json_out = NULL;
    if (len_out)
        *len_out = 0;
    if (!json_out)
        return or_error_set(error, OPENROUTER_EINVAL, "encode: json_out is NULL");
    or_buf b = OR_BUF_INIT;
    int rc = encode(desc, model, &b, received, error);
    if (rc) {
        or_buf_free(&b);
        return rc;
    }
    *json_out = b.data;
    if (len_out)
        *len_out = b.len;
    return OPENROUTER_OK;
}

int openrouter_model_encode(const openrouter_object_desc *desc, const void *model, char **json_out,
                            size_t *len_out, openrouter_error *error)
{
    return encode_to(desc, model, json_out, len_out, 0, error);
}

int openrouter_model_encode_received(const openrouter_object_desc *desc, const void *model, char **json_out,
                                     size_t *len_out, openrouter_error *error)
{
    return encode_to(desc, model, json_out, len_out, 1, error);
}
