/* openrouter-c: table-driven decoding. One pass over the text with the
 * strict reader of json_reader.c (no parse tree), writing every value
 * straight into the model's arena (arena.h); any failure midway frees
 * everything.
 *
 *  - Members are matched against the object's field table (in table
 *    order from the field after the last match, so the usual
 *    server-ordered object costs one comparison per member). Unknown and
 *    write-only members are skipped, but still validated.
 *  - Liberal by default: a value that breaks the description costs that
 *    value only, never the response. What happens to it depends on its
 *    kind (openrouter_warning_kind in openrouter/types.h): kept as received
 *    (a bad date-time, a length or range outside the limits), NULL (null
 *    where not nullable), ABSENT (a required member missing, an optional
 *    member / array item / map value of the wrong JSON type, a value the C
 *    slot cannot hold); each is recorded as a warning on the model
 *    (warnings.c), in the order of the text. Strict decoding
 *    (or_decode_options.strict) makes the first of them an EDECODE error
 *    naming its path, with the same message as the warning.
 *  - Fatal in every mode: invalid JSON, the depth limit, a body that is
 *    not an object, and a required member of the wrong JSON type.
 *  - Lenient decoding (or_decode_options.lenient, used for error bodies):
 *    all of the above but invalid JSON leave the slot ABSENT (or NULL)
 *    silently; no warnings are recorded.
 *  - Arrays and maps are counted first by a quick pre-scan of their text,
 *    so their items are allocated once, at their exact size.
 *  - Strings without escapes are copied as they are; escaped ones are
 *    decoded into the arena. A string holding \u0000 is refused (a C
 *    string cannot hold it); a map key too.
 *  - Integer range: INT64 fields accept [-(2^63-1), 2^63-1] (-2^63 stays
 *    refused, as when json-c saturated to it). Integers are checked from
 *    the literal's digits, exactly: 5.0, 1e3 and 0.5e1 are accepted when
 *    in range; 0.5 and 1e-400 have a fraction; nothing is rounded through
 *    a double or clamped.
 *  - NUMBER: correctly rounded, never infinite (1e400 is "out of range",
 *    1e-400 is 0); an integer literal must lie in -(2^63-1) .. 2^64-2, the
 *    range the json-c based decoder could hold ("-0" is 0, "-0.0" is -0.0).
 *  - JSON-kind members keep the value as received, whitespace outside
 *    strings removed (escapes, number spellings and duplicate members are
 *    not rewritten).
 *  - Duplicate members: the last one wins, but every occurrence must
 *    decode; a map entry keeps the position of its key's first occurrence.
 *  - Depth counts nested values, the innermost scalar included: [[1]] is 3
 *    deep, [[]] is 2.
 *  - When a document is both invalid JSON and wrong for the model, the
 *    JSON error is reported: a model error is only reported after the
 *    whole text validated.
 *  - Error messages and error->field name fields, types and lengths, never
 *    string values (they may be secrets). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "internal.h"

typedef struct or_dec {
    or_arena *arena;
    or_jr *r;
    int strict;
    int lenient;
    openrouter_error *error;
    unsigned skipped; /* the fields this direction never reads: WRITE_ONLY, or READ_ONLY for a request */
    or_warnings warnings;
} or_dec;

/* Internal result: the reader holds a JSON syntax error. */
#define OR_DEC_SYNTAX 1

static int dec_value(or_dec *d, const openrouter_type_desc *t, unsigned flags, char *slot, const or_path *p);
static int dec_object(or_dec *d, const openrouter_object_desc *od, char *base, const or_path *p);

static const char *kind_expects(openrouter_kind k)
{
    switch (k) {
    case OPENROUTER_KIND_STRING:
    case OPENROUTER_KIND_DATETIME:
    case OPENROUTER_KIND_ENUM: return "string";
    case OPENROUTER_KIND_BOOL: return "boolean";
    case OPENROUTER_KIND_INT32:
    case OPENROUTER_KIND_INT64: return "integer";
    case OPENROUTER_KIND_NUMBER: return "number";
    case OPENROUTER_KIND_OBJECT:
    case OPENROUTER_KIND_MAP: return "object";
    case OPENROUTER_KIND_ARRAY: return "array";
    case OPENROUTER_KIND_JSON:
    case OPENROUTER_KIND_UNION: return "JSON value";
    case OPENROUTER_KIND_FILE: return "file";
    }
    return "?";
}

static const char *tok_label(or_jtok t)
{
    switch (t) {
    case OR_JT_NULL: return "null";
    case OR_JT_TRUE:
    case OR_JT_FALSE: return "boolean";
    case OR_JT_NUMBER: return "number";
    case OR_JT_OBJECT: return "object";
    case OR_JT_ARRAY: return "array";
    case OR_JT_STRING: return "string";
    case OR_JT_ERROR: break;
    }
    return "?";
}

static int dec_nomem(or_dec *d)
{
    return or_error_set(d->error, OPENROUTER_ENOMEM, "out of memory");
}

/* A value that breaks the description (see the file comment): in strict
 * mode the error, else a warning (none in lenient mode). 0 to go on. */
static int dec_mark(or_dec *d, const or_path *p, openrouter_warning_kind kind, const char *fmt, ...)
    OR_PRINTF(4, 5);
static int dec_mark(or_dec *d, const or_path *p, openrouter_warning_kind kind, const char *fmt, ...)
{
    if (d->lenient)
        return 0;
    char why[OPENROUTER_ERROR_MESSAGE_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    if (d->strict)
        return or_path_error(d->error, OPENROUTER_EDECODE, p, "%s", why);
    char path[512];
    or_path_text(p, path, sizeof path);
    return or_warnings_add(&d->warnings, or_arena_model(d->arena), kind, path, why) == 0 ? 0 : dec_nomem(d);
}

/* The next value (not yet consumed) is of the wrong type for the slot:
 * fatal for a required member, else skipped (the slot stays ABSENT). */
static int dec_type_error(or_dec *d, const or_path *p, const openrouter_type_desc *t, unsigned flags, or_jtok got)
{
    if ((flags & OPENROUTER_F_REQUIRED) && !d->lenient)
        return or_path_error(d->error, OPENROUTER_EDECODE, p, "expected %s, got %s", kind_expects(t->kind),
                             tok_label(got));
    int rc = dec_mark(d, p, OPENROUTER_WARNING_TYPE, "expected %s, got %s", kind_expects(t->kind), tok_label(got));
    if (rc)
        return rc;
    return or_jr_skip(d->r) == 0 ? 0 : OR_DEC_SYNTAX;
}

/* The value just consumed cannot be stored in the slot, which goes back
 * to ABSENT. A TYPE problem (a fraction for an integer) is fatal for a
 * required member, as a wrong JSON type is. */
static int dec_bad_value(or_dec *d, const openrouter_type_desc *t, unsigned flags, char *slot, const or_path *p,
                         openrouter_warning_kind kind, const char *why)
{
    memset(slot, 0, t->slot_size);
    if (kind == OPENROUTER_WARNING_TYPE && (flags & OPENROUTER_F_REQUIRED) && !d->lenient)
        return or_path_error(d->error, OPENROUTER_EDECODE, p, "%s", why);
    return dec_mark(d, p, kind, "%s", why);
}

/* Reads the string the reader is at into the arena, NUL-terminated; 0,
 * OR_DEC_SYNTAX, ENOMEM, or -1 when it holds a NUL (\u0000). */
static int dec_string(or_dec *d, const char **out)
{
    or_jr_str js;
    if (or_jr_string(d->r, &js) != 0)
        return OR_DEC_SYNTAX;
    const char *raw = d->r->s + js.start;
    char *copy = or_arena_alloc(d->arena, js.len + 1, 1);
    if (!copy)
        return dec_nomem(d);
    size_t n = js.len;
    if (js.escaped) {
        n = or_jr_unescape(raw, js.len, copy);
        if (memchr(copy, '\0', n))
            return -1;
        or_arena_trim(d->arena, copy, js.len + 1, n + 1);
    } else {
        memcpy(copy, raw, n);
    }
    copy[n] = '\0';
    *out = copy;
    return 0;
}

static int dec_null(or_dec *d, const openrouter_type_desc *t, unsigned flags, char *slot, const or_path *p)
{
    if (or_jr_literal(d->r, OR_JT_NULL) != 0)
        return OR_DEC_SYNTAX;
    int rc = flags & OPENROUTER_F_NULLABLE ? 0 : dec_mark(d, p, OPENROUTER_WARNING_NULL, "null not allowed");
    if (rc)
        return rc;
    if (or_slot_has_state(t))
        *(openrouter_presence *)slot = OPENROUTER_NULL;
    /* A bare object item cannot say null: it stays all-absent. */
    return 0;
}

/* The constant of an enum's text, 0 when this version does not know it. */
static int enum_constant(const openrouter_enum_desc *ed, const char *text)
{
    for (size_t i = 0; ed && i < ed->count; i++) {
        const char *c = ed->values[i];
        if (c[0] == text[0] && strcmp(c, text) == 0)
            return (int)(i + 1);
    }
    return 0;
}

/* STRING, DATETIME and ENUM slots: a string, checked and kept. */
static int dec_text(or_dec *d, const openrouter_type_desc *t, unsigned flags, or_jtok tok, char *slot,
                    const or_path *p)
{
    if (tok != OR_JT_STRING)
        return dec_type_error(d, p, t, flags, tok);
    int is_enum = t->kind == OPENROUTER_KIND_ENUM;
    const char **text = is_enum ? &((openrouter_enum_value *)slot)->text : &((openrouter_string *)slot)->value;
    int rc = dec_string(d, text);
    if (rc < 0)
        return dec_bad_value(d, t, flags, slot, p, OPENROUTER_WARNING_UNREPRESENTABLE,
                             "string contains a NUL character");
    if (rc)
        return rc;
    if (is_enum) /* unknown to this version: 0, the text kept */
        ((openrouter_enum_value *)slot)->value = enum_constant(t->enumeration, *text);
    *(openrouter_presence *)slot = OPENROUTER_PRESENT;
    const char *why = t->kind == OPENROUTER_KIND_DATETIME ? or_datetime_violation(0, *text) : NULL;
    return why ? dec_mark(d, p, OPENROUTER_WARNING_FORMAT, "%s", why) : 0; /* kept as received */
}

static int dec_bool(or_dec *d, const openrouter_type_desc *t, unsigned flags, or_jtok tok, char *slot,
                    const or_path *p)
{
    if (tok != OR_JT_TRUE && tok != OR_JT_FALSE)
        return dec_type_error(d, p, t, flags, tok);
    if (or_jr_literal(d->r, tok) != 0)
        return OR_DEC_SYNTAX;
    ((openrouter_bool *)slot)->value = tok == OR_JT_TRUE;
    ((openrouter_bool *)slot)->state = OPENROUTER_PRESENT;
    return 0;
}

/* INT32 and INT64 slots. INT64 takes -(2^63-1) .. 2^63-1: the range
 * json-c could tell apart (see the file comment); kept. */
static int dec_integer(or_dec *d, const openrouter_type_desc *t, unsigned flags, or_jtok tok, char *slot,
                       const or_path *p)
{
    if (tok != OR_JT_NUMBER)
        return dec_type_error(d, p, t, flags, tok);
    or_jr_num num;
    if (or_jr_number(d->r, &num) != 0)
        return OR_DEC_SYNTAX;
    int is32 = t->kind == OPENROUTER_KIND_INT32;
    int64_t x;
    switch (or_jr_num_int(d->r, &num, is32 ? INT32_MIN : -INT64_MAX, is32 ? INT32_MAX : INT64_MAX, &x)) {
    case 0:
        break;
    case OR_JR_NUM_FRACTION:
        return dec_bad_value(d, t, flags, slot, p, OPENROUTER_WARNING_TYPE,
                             "expected integer, got number with a fraction");
    default:
        return dec_bad_value(d, t, flags, slot, p, OPENROUTER_WARNING_UNREPRESENTABLE,
                             "integer out of range");
    }
    if (is32)
        *(openrouter_int32 *)slot = (openrouter_int32){OPENROUTER_PRESENT, (int32_t)x};
    else
        *(openrouter_int64 *)slot = (openrouter_int64){OPENROUTER_PRESENT, x};
    return 0;
}

static int dec_number(or_dec *d, const openrouter_type_desc *t, unsigned flags, or_jtok tok, char *slot,
                      const or_path *p)
{
    if (tok != OR_JT_NUMBER)
        return dec_type_error(d, p, t, flags, tok);
    or_jr_num num;
    double f;
    if (or_jr_number(d->r, &num) != 0)
        return OR_DEC_SYNTAX;
    switch (or_jr_num_double(d->r, &num, &f)) {
    case 0:
        break;
    case OR_JR_NUM_NOMEM:
        return dec_nomem(d);
    default:
        return dec_bad_value(d, t, flags, slot, p, OPENROUTER_WARNING_UNREPRESENTABLE, "number out of range");
    }
    ((openrouter_number *)slot)->value = f;
    ((openrouter_number *)slot)->state = OPENROUTER_PRESENT;
    return 0;
}

/* Any value, kept as its text without the whitespace outside strings. */
static int dec_json_text(or_dec *d, const char **out)
{
    or_jr *r = d->r;
    size_t start = r->pos;
    if (or_jr_skip(r) != 0)
        return OR_DEC_SYNTAX;
    size_t n = r->pos - start;
    char *text = or_arena_alloc(d->arena, n + 1, 1);
    if (!text)
        return dec_nomem(d);
    size_t m = or_jr_compact(r->s + start, n, text);
    text[m] = '\0';
    or_arena_trim(d->arena, text, n + 1, m + 1);
    *out = text;
    return 0;
}

static int dec_json(or_dec *d, char *slot)
{
    int rc = dec_json_text(d, &((openrouter_json *)slot)->value);
    if (rc == 0)
        ((openrouter_json *)slot)->state = OPENROUTER_PRESENT;
    return rc;
}

/* UNION slots: the variant union.c picks from the value, or, when none
 * matches (a variant this version does not know), kind 0 with the value's
 * text kept and an UNKNOWN_VARIANT warning; strict decoding makes that an
 * error. */
static int dec_union(or_dec *d, const openrouter_type_desc *t, or_jtok tok, char *slot, const or_path *p)
{
    const openrouter_union_desc *ud = t->object->union_desc;
    if (!or_object_is_bare(t)) {
        *(openrouter_presence *)slot = OPENROUTER_PRESENT;
        slot += or_object_value_offset(t);
    }
    size_t k = or_union_select(ud, d->r, tok);
    if (k == OR_UNION_NOMEM)
        return dec_nomem(d);
    if (k == 0) {
        int rc = dec_mark(d, p, OPENROUTER_WARNING_UNKNOWN_VARIANT, "no variant of %s matches", t->object->name);
        return rc ? rc : dec_json_text(d, (const char **)(slot + ud->raw_offset));
    }
    *(int *)slot = (int)k;
    return dec_value(d, ud->variants[k - 1].type, 0, slot + ud->value_offset, p);
}

static int dec_nested(or_dec *d, const openrouter_type_desc *t, unsigned flags, or_jtok tok, char *slot,
                      const or_path *p)
{
    if (tok != OR_JT_OBJECT)
        return dec_type_error(d, p, t, flags, tok);
    if (!or_object_is_bare(t)) {
        *(openrouter_presence *)slot = OPENROUTER_PRESENT;
        slot += or_object_value_offset(t);
    }
    or_jr_begin(d->r);
    return dec_object(d, t->object, slot, p);
}

/* After the type check of an ARRAY or MAP slot: enters the array (object),
 * counts its items (entries) with the pre-scan and gives the slot room
 * for them, `size` bytes each, zeroed (NULL when none); the slot is then
 * PRESENT with count 0. 0 or ENOMEM. */
static int dec_enter(or_dec *d, size_t size, openrouter_presence *state, void **items, size_t *count, size_t *n)
{
    or_jr_begin(d->r);
    *n = or_jr_count_items(d->r);
    *items = NULL;
    if (*n && (*n > SIZE_MAX / size || !(*items = or_arena_zalloc(d->arena, *n * size))))
        return dec_nomem(d);
    *state = OPENROUTER_PRESENT;
    *count = 0;
    return 0;
}

static int dec_array(or_dec *d, const openrouter_type_desc *t, unsigned flags, or_jtok tok, char *slot,
                     const or_path *p)
{
    if (tok != OR_JT_ARRAY)
        return dec_type_error(d, p, t, flags, tok);
    or_jr *r = d->r;
    or_array_slot *a = (or_array_slot *)slot;
    const openrouter_type_desc *it = t->item;
    size_t n;
    int rc = dec_enter(d, it->slot_size, &a->state, &a->items, &a->count, &n);
    if (rc)
        return rc;
    char *items = a->items;
    for (size_t i = 0;; i++) {
        int more = or_jr_item(r, i);
        if (more < 0)
            return OR_DEC_SYNTAX;
        if (!more)
            break;
        or_path ip = {p, NULL, i};
        if (i >= n) /* only invalid JSON gets here: it fails validation */
            return or_path_error(d->error, OPENROUTER_EDECODE, &ip, "more items than the array holds");
        a->count = i + 1;
        if ((rc = dec_value(d, it, t->item_flags, items + i * it->slot_size, &ip)) != 0)
            return rc;
    }
    if (!a->count)
        a->items = NULL;
    return 0;
}

/* Map entries with the same key: the last value wins, at the position of
 * the first (what json-c's object did). Finds them through a temporary
 * hash index, so a hostile map with many keys stays linear. Returns 0 or
 * ENOMEM. */
static int dec_map_dedupe(or_dec *d, const openrouter_type_desc *t, or_map_slot *m)
{
    size_t n = m->count;
    if (n < 2)
        return 0;
    size_t cap = 4;
    while (cap < n * 2)
        cap *= 2;
    size_t *index = or_calloc(cap, sizeof *index); /* entry number + 1; 0 = empty */
    if (!index)
        return dec_nomem(d);
    char *entries = m->entries;
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        char *e = entries + i * t->entry_size;
        const unsigned char *k = *(unsigned char **)e;
        size_t h = 1469598103934665603u;
        for (const unsigned char *q = k; *q; q++)
            h = (h ^ *q) * 1099511628211u;
        size_t slot = h & (cap - 1);
        for (;;) {
            if (!index[slot]) {
                /* a new key: moves down over the dropped duplicates */
                char *dst = entries + kept * t->entry_size;
                if (dst != e)
                    memcpy(dst, e, t->entry_size);
                index[slot] = ++kept;
                break;
            }
            char *prev = entries + (index[slot] - 1) * t->entry_size;
            if (strcmp(*(char **)prev, (const char *)k) == 0) {
                memcpy(prev + t->map_value_offset, e + t->map_value_offset, t->entry_size - t->map_value_offset);
                break;
            }
            slot = (slot + 1) & (cap - 1);
        }
    }
    or_free(index);
    if (kept < n)
        memset(entries + kept * t->entry_size, 0, (n - kept) * t->entry_size);
    m->count = kept;
    return 0;
}

/* The key of member number i of the map being read, into `entry`: 0, or a
 * decode result. A key holding \u0000 cannot be kept: the member is
 * skipped (*skip set) with a warning, or is an error in strict mode. */
static int dec_map_key(or_dec *d, const or_jr_str *key, char *entry, const or_path *ip, int *skip)
{
    or_jr *r = d->r;
    char *kcopy = or_arena_alloc(d->arena, key->len + 1, 1);
    if (!kcopy)
        return dec_nomem(d);
    size_t kn = key->len;
    if (key->escaped)
        kn = or_jr_unescape(r->s + key->start, key->len, kcopy);
    else
        memcpy(kcopy, r->s + key->start, kn);
    kcopy[kn] = '\0';
    if (memchr(kcopy, '\0', kn)) {
        int rc = dec_mark(d, ip, OPENROUTER_WARNING_UNREPRESENTABLE, "map key contains a NUL character");
        if (rc)
            return rc;
        *skip = 1;
        return or_jr_skip(r) == 0 ? 0 : OR_DEC_SYNTAX;
    }
    *(char **)entry = kcopy;
    return 0;
}

static int dec_map(or_dec *d, const openrouter_type_desc *t, unsigned flags, or_jtok tok, char *slot,
                   const or_path *p)
{
    if (tok != OR_JT_OBJECT)
        return dec_type_error(d, p, t, flags, tok);
    or_jr *r = d->r;
    or_map_slot *m = (or_map_slot *)slot;
    size_t n;
    int rc = dec_enter(d, t->entry_size, &m->state, &m->entries, &m->count, &n);
    if (rc)
        return rc;
    char *entries = m->entries;
    for (size_t i = 0;; i++) {
        or_jr_str key;
        int more = or_jr_member(r, i, &key);
        if (more < 0)
            return OR_DEC_SYNTAX;
        if (!more)
            break;
        or_path ip = {p, NULL, i};
        if (i >= n)
            return or_path_error(d->error, OPENROUTER_EDECODE, &ip, "more entries than the map holds");
        char *entry = entries + m->count * t->entry_size;
        int skip = 0;
        if ((rc = dec_map_key(d, &key, entry, &ip, &skip)) != 0)
            return rc;
        if (skip)
            continue;
        m->count++;
        or_path kp = {p, *(char **)entry, 0};
        if ((rc = dec_value(d, t->item, t->item_flags, entry + t->map_value_offset, &kp)) != 0)
            return rc;
    }
    if (!m->count)
        m->entries = NULL;
    return dec_map_dedupe(d, t, m);
}

/* Decodes the next value of the text into `slot` of type t. */
static int dec_value(or_dec *d, const openrouter_type_desc *t, unsigned flags, char *slot, const or_path *p)
{
    or_jtok tok = or_jr_peek(d->r);
    if (tok == OR_JT_ERROR)
        return OR_DEC_SYNTAX;
    if (tok == OR_JT_NULL)
        return dec_null(d, t, flags, slot, p);
    switch (t->kind) {
    case OPENROUTER_KIND_STRING:
    case OPENROUTER_KIND_DATETIME:
    case OPENROUTER_KIND_ENUM: return dec_text(d, t, flags, tok, slot, p);
    case OPENROUTER_KIND_BOOL: return dec_bool(d, t, flags, tok, slot, p);
    case OPENROUTER_KIND_INT32:
    case OPENROUTER_KIND_INT64: return dec_integer(d, t, flags, tok, slot, p);
    case OPENROUTER_KIND_NUMBER: return dec_number(d, t, flags, tok, slot, p);
    case OPENROUTER_KIND_JSON: return dec_json(d, slot);
    case OPENROUTER_KIND_OBJECT: return dec_nested(d, t, flags, tok, slot, p);
    case OPENROUTER_KIND_ARRAY: return dec_array(d, t, flags, tok, slot, p);
    case OPENROUTER_KIND_MAP: return dec_map(d, t, flags, tok, slot, p);
    case OPENROUTER_KIND_UNION: return dec_union(d, t, tok, slot, p);
    case OPENROUTER_KIND_FILE: return or_jr_skip(d->r) != 0 ? OR_DEC_SYNTAX : 0; /* no file in JSON: left ABSENT */
    }
    return or_path_error(d->error, OPENROUTER_EDECODE, p, "unsupported kind %d in descriptor", (int)t->kind);
}

/* The field named by `key` (raw text of length n, no escapes), searching
 * from *hint; NULL if none. */
static const openrouter_field_desc *find_field(const openrouter_object_desc *od, const char *key, size_t n,
                                               size_t *hint)
{
    size_t count = od->n_fields, i = *hint;
    for (size_t tried = 0; tried < count; tried++, i = i + 1 == count ? 0 : i + 1) {
        const char *name = od->fields[i].json_name;
        if (name[0] != (n ? key[0] : '\0'))
            continue;
        size_t k = 0;
        while (k < n && name[k] && name[k] == key[k])
            k++;
        if (k == n && name[n] == '\0') {
            *hint = i + 1 == count ? 0 : i + 1;
            return &od->fields[i];
        }
    }
    return NULL;
}

/* Every required member of the object just read was there (`seen`: one
 * bit per field, set when its member was read, whatever became of it). */
static int dec_check_required(or_dec *d, const openrouter_object_desc *od, const uint64_t *seen, const or_path *p)
{
    const openrouter_field_desc *f = od->fields;
    for (size_t i = 0; i < od->n_fields; i++, f++) {
        if ((f->flags & (OPENROUTER_F_REQUIRED | d->skipped)) == OPENROUTER_F_REQUIRED &&
            !(seen[i / 64] >> (i % 64) & 1)) {
            or_path fp = {p, f->json_name, 0};
            int rc = dec_mark(d, &fp, OPENROUTER_WARNING_MISSING, "required field missing");
            if (rc)
                return rc;
        }
    }
    return 0;
}

static int has_limits(const openrouter_field_desc *f)
{
    return f->min_length >= 0 || f->max_length >= 0 ||
           (f->flags & (OPENROUTER_F_HAS_MINIMUM | OPENROUTER_F_HAS_MAXIMUM));
}

/* The length and range limits of a field just decoded: a value outside
 * them is kept as received, with a warning. */
static int dec_check_limits(or_dec *d, const openrouter_field_desc *f, const char *slot, const or_path *p)
{
    const openrouter_type_desc *t = f->type;
    if (or_slot_presence(t, slot) != OPENROUTER_PRESENT)
        return 0;
    or_limits lim = {f->flags, f->min_length, f->max_length, f->minimum, f->maximum};
    char why[128];
    switch (t->kind) {
    case OPENROUTER_KIND_STRING:
    case OPENROUTER_KIND_DATETIME: {
        const char *s = ((const openrouter_string *)slot)->value;
        if (or_length_violation(&lim, or_utf8_length(s, strlen(s)), "characters", why, sizeof why))
            return dec_mark(d, p, OPENROUTER_WARNING_LENGTH, "%s", why);
        return 0;
    }
    case OPENROUTER_KIND_INT32:
    case OPENROUTER_KIND_INT64:
    case OPENROUTER_KIND_NUMBER: {
        double v = t->kind == OPENROUTER_KIND_NUMBER  ? ((const openrouter_number *)slot)->value
                   : t->kind == OPENROUTER_KIND_INT32 ? ((const openrouter_int32 *)slot)->value
                                                      : (double)((const openrouter_int64 *)slot)->value;
        return or_range_violation(&lim, v, why, sizeof why) ? dec_mark(d, p, OPENROUTER_WARNING_RANGE, "%s", why) : 0;
    }
    case OPENROUTER_KIND_ARRAY:
    case OPENROUTER_KIND_MAP: {
        size_t n = t->kind == OPENROUTER_KIND_ARRAY ? ((const or_array_slot *)slot)->count
                                                    : ((const or_map_slot *)slot)->count;
        if (or_length_violation(&lim, (int64_t)n, "items", why, sizeof why))
            return dec_mark(d, p, OPENROUTER_WARNING_LENGTH, "%s", why);
        return 0;
    }
    default:
        return 0;
    }
}

/* The member named by the reader's key `key`, or NULL. */
static const openrouter_field_desc *dec_member(or_dec *d, const openrouter_object_desc *od, const or_jr_str *key,
                                               size_t *hint)
{
    const char *k = d->r->s + key->start;
    size_t kn = key->len;
    char keybuf[128];
    if (!key->escaped)
        return find_field(od, k, kn, hint);
    if (kn > sizeof keybuf) /* more room than keybuf: names no field of a generated model */
        return NULL;
    kn = or_jr_unescape(k, kn, keybuf); /* "\u0068ash" is "hash" */
    return find_field(od, keybuf, kn, hint);
}

/* Decodes the members of the object the reader has just entered. */
/* The OPENROUTER_F_ADDITIONAL field of an object (always its last), or NULL. */
static const openrouter_field_desc *additional_field(const openrouter_object_desc *od)
{
    const openrouter_field_desc *f = od->n_fields ? &od->fields[od->n_fields - 1] : NULL;
    return f && (f->flags & OPENROUTER_F_ADDITIONAL) ? f : NULL;
}

/* A member no field names, into the object's ADDITIONAL map `f`; `n` is
 * the object's member count (room for every entry on first use). */
static int dec_additional(or_dec *d, const openrouter_field_desc *f, char *base, const or_jr_str *key, size_t n,
                          size_t i, const or_path *p)
{
    const openrouter_type_desc *t = f->type;
    or_map_slot *m = (or_map_slot *)(base + f->offset);
    if (m->state != OPENROUTER_PRESENT) {
        if (n > SIZE_MAX / t->entry_size || !(m->entries = or_arena_zalloc(d->arena, n * t->entry_size)))
            return dec_nomem(d);
        m->state = OPENROUTER_PRESENT;
        m->count = 0;
    }
    or_path ip = {p, NULL, i};
    if (m->count >= n) /* only invalid JSON gets here: it fails validation */
        return or_path_error(d->error, OPENROUTER_EDECODE, &ip, "more members than the object holds");
    char *entry = (char *)m->entries + m->count * t->entry_size;
    int skip = 0, rc = dec_map_key(d, key, entry, &ip, &skip);
    if (rc || skip)
        return rc;
    m->count++;
    or_path kp = {p, *(char **)entry, 0};
    return dec_value(d, t->item, t->item_flags, entry + t->map_value_offset, &kp);
}

static int dec_object(or_dec *d, const openrouter_object_desc *od, char *base, const or_path *p)
{
    or_jr *r = d->r;
    size_t hint = 0;
    uint64_t few[4] = {0}, *seen = few; /* which fields had a member */
    if (od->n_fields > 64 * 4 && !(seen = or_calloc((od->n_fields + 63) / 64, sizeof *seen)))
        return dec_nomem(d);
    const openrouter_field_desc *extra = additional_field(od);
    size_t members = extra ? or_jr_count_items(r) : 0;
    int rc = 0;
    for (size_t i = 0; rc == 0; i++) {
        or_jr_str key;
        int more = or_jr_member(r, i, &key);
        if (more <= 0) {
            rc = more < 0 ? OR_DEC_SYNTAX : 0;
            break;
        }
        const openrouter_field_desc *f = dec_member(d, od, &key, &hint);
        if ((!f || f == extra) && extra) {
            rc = dec_additional(d, extra, base, &key, members, i, p);
            continue;
        }
        if (!f || (f->flags & d->skipped)) {
            rc = or_jr_skip(r) != 0 ? OR_DEC_SYNTAX : 0;
            continue;
        }
        size_t fi = (size_t)(f - od->fields);
        seen[fi / 64] |= (uint64_t)1 << (fi % 64);
        char *slot = base + f->offset;
        if (!or_slot_has_state(f->type) || or_wrapper_state(slot) != OPENROUTER_ABSENT)
            memset(slot, 0, f->type->slot_size); /* a duplicate member: the last one wins */
        or_path fp = {p, f->json_name, 0};
        rc = dec_value(d, f->type, f->flags, slot, &fp);
        if (rc == 0 && !d->lenient && has_limits(f))
            rc = dec_check_limits(d, f, slot, &fp);
    }
    if (rc == 0 && extra && ((or_map_slot *)(base + extra->offset))->count > 1)
        rc = dec_map_dedupe(d, extra->type, (or_map_slot *)(base + extra->offset));
    if (rc == 0 && !d->lenient)
        rc = dec_check_required(d, od, seen, p);
    if (seen != few)
        or_free(seen);
    return rc;
}

/* The first block of a model's arena. Decoded models are usually about as
 * big as their JSON: sized from it (within OR_BLOCK_MIN..OR_BLOCK_MAX, and
 * always big enough for the model itself); large arrays get blocks of
 * their own, so the arena ends up close to the model's actual size. */
static size_t first_block_size(const openrouter_object_desc *desc, size_t len)
{
    size_t cap = len + len / 2;
    if (cap < OR_BLOCK_MIN)
        cap = OR_BLOCK_MIN;
    if (cap > OR_BLOCK_MAX)
        cap = OR_BLOCK_MAX;
    if (cap < OR_ARENA_HDR + OR_ROUND(desc->size) + 256)
        cap = OR_ARENA_HDR + OR_ROUND(desc->size) + 256;
    return cap;
}

/* After a failed decode: the error to report. Invalid JSON is reported as
 * such, wherever the model went wrong first. */
static int dec_failure(int rc, const or_jr *r, const char *json, size_t len, int max_depth,
                       openrouter_error *error)
{
    if (rc == OR_DEC_SYNTAX)
        return or_jr_error(r, error);
    if (rc == OPENROUTER_EDECODE) {
        or_jr check;
        or_jr_init(&check, json, len, max_depth);
        if (or_jr_validate(&check) != 0)
            return or_jr_error(&check, error);
    }
    return rc;
}

int or_model_decode(const openrouter_object_desc *desc, const char *json, size_t len,
                    const or_decode_options *options, void **out, openrouter_error *error)
{
    if (out)
        *out = NULL;
    if (!desc || !out || (!json && len) || desc->size > SIZE_MAX / 4)
        return or_error_set(error, OPENROUTER_EINVAL, "decode: invalid arguments");
    int max_depth = options ? options->max_depth : 0;
    or_jr r;
    or_jr_init(&r, json, len, max_depth);
    or_jtok tok = or_jr_peek(&r);
    if (tok == OR_JT_ERROR)
        return or_jr_error(&r, error);
    if (tok != OR_JT_OBJECT && !desc->union_desc) {
        if (or_jr_validate(&r) != 0)
            return or_jr_error(&r, error);
        return or_error_set_field(error, OPENROUTER_EDECODE, "", "expected a JSON object for %s, got %s",
                                  desc->name ? desc->name : "model", tok_label(tok));
    }
    or_arena *arena = or_arena_new(first_block_size(desc, len));
    if (!arena)
        return or_error_set(error, OPENROUTER_ENOMEM, "out of memory");
    /* The model is the first allocation, right after the header. */
    char *model = or_arena_zalloc(arena, desc->size);
    or_dec d = {arena, &r, options && options->strict, options && options->lenient, error,
                options && options->request ? OPENROUTER_F_READ_ONLY : OPENROUTER_F_WRITE_ONLY,
                OR_WARNINGS_INIT};
    int rc;
    if (desc->union_desc) { /* a union model: any JSON value at the top */
        openrouter_type_desc whole = {.kind = OPENROUTER_KIND_UNION, .slot_size = desc->size, .object = desc};
        rc = dec_value(&d, &whole, OPENROUTER_F_NULLABLE, model, NULL);
    } else {
        or_jr_begin(&r);
        rc = dec_object(&d, desc, model, NULL);
    }
    if (rc == 0 && or_jr_end(&r) != 0)
        rc = OR_DEC_SYNTAX;
    if (rc == 0 && (or_warnings_attach(&d.warnings, model) != 0 || or_model_register(model, desc) != 0))
        rc = or_error_set(error, OPENROUTER_ENOMEM, "out of memory");
    if (rc) {
        or_warnings_release(&d.warnings);
        or_arena_free(arena);
        return dec_failure(rc, &r, json, len, max_depth, error);
    }
    *out = model;
    return OPENROUTER_OK;
}

int openrouter_model_decode(const openrouter_object_desc *desc, const char *json, size_t len,
                            void **out, openrouter_error *error)
{
    or_decode_options options = {.strict = 0};
    return or_model_decode(desc, json, len, &options, out, error);
}

int openrouter_model_decode_request(const openrouter_object_desc *desc, const char *json, size_t len,
                                    void **out, openrouter_error *error)
{
    or_decode_options options = {.strict = 1, .request = 1};
    return or_model_decode(desc, json, len, &options, out, error);
}
