/* See model_fill.h. Slot layouts are those documented in descriptor.h. */
#include "model_fill.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct { openrouter_presence state; void *items; size_t count; } fill_container;

static void *fill_alloc(model_fill *f, size_t size)
{
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 64;
        void **b = realloc(f->blocks, cap * sizeof *b);
        if (!b) {
            f->failed = 1;
            return NULL;
        }
        f->blocks = b;
        f->cap = cap;
    }
    void *p = calloc(1, size ? size : 1);
    if (!p)
        f->failed = 1;
    else
        f->blocks[f->n++] = p;
    return p;
}

void model_fill_release(model_fill *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->blocks[i]);
    free(f->blocks);
    f->blocks = NULL;
    f->n = f->cap = 0;
}

/* A string of `n` code points starting with characters JSON must escape
 * and a two-byte UTF-8 character. */
static char *fill_text(model_fill *f, int64_t n)
{
    static const char *const head[] = {"\"", "\\", "\n", "\xc3\xa9", "/", "\t"};
    char *s = fill_alloc(f, (size_t)n * 2 + 1);
    if (!s)
        return NULL;
    size_t len = 0;
    for (int64_t i = 0; i < n; i++) {
        const char *piece = i < 6 ? head[i] : "a";
        size_t pl = strlen(piece);
        memcpy(s + len, piece, pl);
        len += pl;
    }
    s[len] = '\0';
    return s;
}

static double clamp(double v, unsigned flags, double lo, double hi)
{
    if ((flags & OPENROUTER_F_HAS_MINIMUM) && v < lo)
        v = lo;
    if ((flags & OPENROUTER_F_HAS_MAXIMUM) && v > hi)
        v = hi;
    return v;
}

typedef struct fill_limits {
    unsigned flags;
    int64_t min_length, max_length;
    double minimum, maximum;
} fill_limits;

static const fill_limits no_limits = {0, -1, -1, 0, 0};

static int64_t fill_count(const fill_limits *l, int64_t want)
{
    if (l->min_length >= 0 && want < l->min_length)
        want = l->min_length;
    if (l->max_length >= 0 && want > l->max_length)
        want = l->max_length;
    return want;
}

static void fill_present(model_fill *f, const openrouter_type_desc *t, const fill_limits *l, char *slot,
                         int variant, size_t salt);
static void fill_union_slot(model_fill *f, const openrouter_type_desc *t, char *slot, int variant, size_t salt);

/* Sets an array item or map value: bare objects are filled in place,
 * wrappers get PRESENT (or NULL for the second item where allowed). */
static void fill_item(model_fill *f, const openrouter_type_desc *container, char *slot, int variant,
                      size_t j)
{
    const openrouter_type_desc *it = container->item;
    if (it->kind == OPENROUTER_KIND_OBJECT && it->slot_size == it->object->size) {
        model_fill_object(f, it->object, slot, (variant + (int)j) % 3);
        return;
    }
    if ((container->item_flags & OPENROUTER_F_NULLABLE) && j == 1) {
        if (it->kind != OPENROUTER_KIND_UNION || it->slot_size != it->object->size)
            *(openrouter_presence *)slot = OPENROUTER_NULL; /* a bare union: all zero is null */
        return;
    }
    if (it->kind == OPENROUTER_KIND_UNION && it->slot_size == it->object->size) {
        fill_union_slot(f, it, slot, variant, j);
        return;
    }
    fill_present(f, it, &no_limits, slot, variant, j + 1);
}

static void fill_present(model_fill *f, const openrouter_type_desc *t, const fill_limits *l, char *slot,
                         int variant, size_t salt)
{
    *(openrouter_presence *)slot = OPENROUTER_PRESENT;
    int v = (variant + (int)salt) % 3;
    switch (t->kind) {
    case OPENROUTER_KIND_STRING:
        ((openrouter_string *)slot)->value = fill_text(f, fill_count(l, v == 0 ? 0 : v == 1 ? 3 : 9));
        break;
    case OPENROUTER_KIND_DATETIME:
        ((openrouter_datetime *)slot)->value =
            (l->flags & OPENROUTER_F_UTC_ONLY) || v != 1 ? "2027-12-31T23:59:59Z"
                                                          : "2025-02-19T20:52:27.363244+00:00";
        break;
    case OPENROUTER_KIND_JSON: {
        static const char *const docs[] = {"{\"k\":[1,true,null,\"\\u00e9\"]}", "\"text\"", "-42"};
        ((openrouter_json *)slot)->value = docs[v];
        break;
    }
    case OPENROUTER_KIND_BOOL:
        ((openrouter_bool *)slot)->value = v != 1;
        break;
    case OPENROUTER_KIND_INT32: {
        static const double vals[] = {0, -123456, 2147483647.0};
        ((openrouter_int32 *)slot)->value = (int32_t)clamp(vals[v], l->flags, l->minimum, l->maximum);
        break;
    }
    case OPENROUTER_KIND_INT64: {
        static const int64_t vals[] = {0, -9007199254740993LL, INT64_MAX};
        int64_t x = vals[v];
        if ((l->flags & OPENROUTER_F_HAS_MINIMUM) && (double)x < l->minimum)
            x = (int64_t)l->minimum;
        if ((l->flags & OPENROUTER_F_HAS_MAXIMUM) && (double)x > l->maximum)
            x = (int64_t)l->maximum;
        ((openrouter_int64 *)slot)->value = x;
        break;
    }
    case OPENROUTER_KIND_NUMBER: {
        static const double vals[] = {0.1, -123.456e-7, 1e300};
        ((openrouter_number *)slot)->value = clamp(vals[v], l->flags, l->minimum, l->maximum);
        break;
    }
    case OPENROUTER_KIND_ENUM: {
        openrouter_enum_value *e = (openrouter_enum_value *)slot;
        if (v == 2) { /* a value this library version does not know */
            e->value = 0;
            e->text = "brand-new-value";
        } else {
            size_t k = (salt + (size_t)variant) % t->enumeration->count;
            e->value = (int)k + 1;
            e->text = t->enumeration->values[k];
        }
        break;
    }
    case OPENROUTER_KIND_OBJECT:
        model_fill_object(f, t->object, slot + t->slot_size - t->object->size, v);
        break;
    case OPENROUTER_KIND_UNION:
        fill_union_slot(f, t, slot, variant, salt);
        break;
    case OPENROUTER_KIND_ARRAY:
    case OPENROUTER_KIND_MAP: {
        fill_container *c = (fill_container *)slot;
        int64_t n = fill_count(l, v == 0 ? 0 : 2);
        size_t each = t->kind == OPENROUTER_KIND_ARRAY ? t->item->slot_size : t->entry_size;
        char *mem = n ? fill_alloc(f, (size_t)n * each) : NULL;
        if (n && !mem)
            return;
        for (int64_t j = 0; j < n; j++) {
            char *e = mem + (size_t)j * each;
            if (t->kind == OPENROUTER_KIND_MAP) {
                static const char *const keys[] = {"k\xc3\xa9y", "with space"};
                *(const char **)e = keys[j % 2];
                e += t->map_value_offset;
            }
            fill_item(f, t, e, variant, (size_t)j);
        }
        c->items = mem;
        c->count = (size_t)n;
        break;
    }
    case OPENROUTER_KIND_FILE: /* never in JSON: the round trip leaves it out */
        *(openrouter_presence *)slot = OPENROUTER_ABSENT;
        break;
    }
}

void model_fill_object(model_fill *f, const openrouter_object_desc *desc, void *model, int variant)
{
    for (size_t i = 0; i < desc->n_fields; i++) {
        const openrouter_field_desc *fd = &desc->fields[i];
        char *slot = (char *)model + fd->offset;
        if (fd->flags & (OPENROUTER_F_READ_ONLY | OPENROUTER_F_WRITE_ONLY))
            continue;
        int state = (int)((i + (size_t)variant) % 3);
        if (state == 0 && (fd->flags & OPENROUTER_F_REQUIRED))
            state = 2;
        if (state == 1 && !(fd->flags & OPENROUTER_F_NULLABLE))
            state = 2;
        if (state == 0)
            continue;
        if (state == 1) {
            *(openrouter_presence *)slot = OPENROUTER_NULL;
            continue;
        }
        fill_limits l = {fd->flags, fd->min_length, fd->max_length, fd->minimum, fd->maximum};
        fill_present(f, fd->type, &l, slot, variant, i);
    }
}

/* ---- unions ------------------------------------------------------------------ */

/* Sets the member of an object named `name` (a string or enum field) to
 * `text`: a discriminator tag or a const value the variant is pinned to. */
static void pin_member(const openrouter_object_desc *od, char *obj, const char *name, const char *text)
{
    for (size_t i = 0; i < od->n_fields; i++) {
        const openrouter_field_desc *fd = &od->fields[i];
        if (strcmp(fd->json_name, name) != 0)
            continue;
        char *slot = obj + fd->offset;
        if (fd->type->kind == OPENROUTER_KIND_STRING) {
            *(openrouter_string *)slot = (openrouter_string){OPENROUTER_PRESENT, (char *)text};
        } else if (fd->type->kind == OPENROUTER_KIND_ENUM) {
            openrouter_enum_value *e = (openrouter_enum_value *)slot;
            const openrouter_enum_desc *ed = fd->type->enumeration;
            e->state = OPENROUTER_PRESENT;
            e->value = 0;
            e->text = (char *)text;
            for (size_t k = 0; ed && k < ed->count; k++)
                if (strcmp(ed->values[k], text) == 0)
                    e->value = (int)k + 1;
        }
    }
}

/* Only the required members, filled as model_fill_object would. */
static void fill_required(model_fill *f, const openrouter_object_desc *od, char *obj, int variant)
{
    for (size_t i = 0; i < od->n_fields; i++) {
        const openrouter_field_desc *fd = &od->fields[i];
        if (!(fd->flags & OPENROUTER_F_REQUIRED) || (fd->flags & (OPENROUTER_F_READ_ONLY | OPENROUTER_F_WRITE_ONLY)))
            continue;
        fill_limits l = {fd->flags, fd->min_length, fd->max_length, fd->minimum, fd->maximum};
        fill_present(f, fd->type, &l, obj + fd->offset, variant, i);
    }
}

/* A JSON value for a free-form variant `v`: of a kind it takes and, when
 * there is one, no other variant of the union takes. */
static const char *free_form_value(const openrouter_union_desc *ud, const openrouter_union_variant *v)
{
    static const struct { unsigned kind; const char *doc; } docs[] = {
        {OPENROUTER_JSON_OBJECT, "{\"k\":[1,true,null,\"\\u00e9\"]}"}, {OPENROUTER_JSON_ARRAY, "[1,\"a\"]"},
        {OPENROUTER_JSON_STRING, "\"text\""}, {OPENROUTER_JSON_BOOLEAN, "true"},
        {OPENROUTER_JSON_NUMBER, "0.5"}, {OPENROUTER_JSON_INTEGER, "-42"}};
    const char *fallback = NULL;
    for (size_t d = 0; d < sizeof docs / sizeof docs[0]; d++) {
        if (!(v->json_kinds & docs[d].kind))
            continue;
        int taken = 0;
        for (size_t i = 0; i < ud->n_variants; i++)
            if (&ud->variants[i] != v && (ud->variants[i].json_kinds & docs[d].kind))
                taken = 1;
        if (!taken)
            return docs[d].doc;
        if (!fallback)
            fallback = docs[d].doc;
    }
    return fallback ? fallback : docs[0].doc;
}

void model_fill_union(model_fill *f, const openrouter_object_desc *desc, void *model, size_t kind, int variant,
                      int minimal)
{
    const openrouter_union_desc *ud = desc->union_desc;
    char *u = model;
    memset(u, 0, desc->size);
    if (kind == 0 || kind > ud->n_variants)
        return;
    *(int *)u = (int)kind;
    const openrouter_union_variant *v = &ud->variants[kind - 1];
    const openrouter_type_desc *t = v->type;
    char *m = u + ud->value_offset;
    if (t->kind == OPENROUTER_KIND_OBJECT) {
        if (minimal)
            fill_required(f, t->object, m, variant);
        else
            model_fill_object(f, t->object, m, variant);
        if (ud->discriminator && v->n_tags)
            pin_member(t->object, m, ud->discriminator, v->tags[0]);
        for (size_t c = 0; c < v->n_consts; c++)
            pin_member(t->object, m, v->consts[c].name, v->consts[c].value);
    } else if (t->kind == OPENROUTER_KIND_JSON) {
        *(openrouter_json *)m = (openrouter_json){OPENROUTER_PRESENT, (char *)free_form_value(ud, v)};
    } else if (t->kind == OPENROUTER_KIND_ARRAY) {
        fill_limits one = {0, 1, -1, 0, 0}; /* an empty array would select the first array variant */
        fill_present(f, t, &one, m, minimal ? 1 : variant, 1);
    } else {
        fill_present(f, t, &no_limits, m, variant, 0);
    }
}

/* Whether the union model at `u` comes back from JSON as it is. */
static int union_survives(const openrouter_object_desc *desc, const void *u)
{
    char *json = NULL;
    void *back = NULL;
    int same = openrouter_model_encode(desc, u, &json, NULL, NULL) == OPENROUTER_OK &&
               openrouter_model_decode(desc, json, strlen(json), &back, NULL) == OPENROUTER_OK &&
               openrouter_model_equal(desc, u, back);
    openrouter_model_free(back);
    openrouter_buffer_free(json);
    return same;
}

/* A union nested in a model: the first variant (from `salt` on, full
 * then required members only) that decoding gives back as it is. */
static void fill_union_slot(model_fill *f, const openrouter_type_desc *t, char *slot, int variant, size_t salt)
{
    const openrouter_object_desc *desc = t->object;
    if (t->slot_size != desc->size) {
        *(openrouter_presence *)slot = OPENROUTER_PRESENT;
        slot += t->slot_size - desc->size;
    }
    size_t n = desc->union_desc->n_variants;
    for (size_t tries = 0; tries < 2 * n; tries++) {
        size_t kind = 1 + (salt + tries / 2) % n;
        model_fill_union(f, desc, slot, kind, variant, (int)(tries % 2));
        if (union_survives(desc, slot))
            return;
    }
    model_fill_union(f, desc, slot, 1 + salt % n, variant, 0);
}
