/* openrouter-c: deep equality of models over their tables, and deep
 * copies of slots into a model's arena (pager.c builds one list out of
 * many pages that way, so it is still freed, and wiped, at once). */
#include <string.h>

#include "arena.h"
#include "internal.h"

/* ---- equality --------------------------------------------------------------- */

static int eq_object(const openrouter_object_desc *od, const char *a, const char *b);
static int eq_value(const openrouter_type_desc *t, const char *a, const char *b);

static int eq_str(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

static int eq_array(const openrouter_type_desc *t, const or_array_slot *x, const or_array_slot *y)
{
    if (x->count != y->count)
        return 0;
    size_t size = t->item->slot_size;
    for (size_t i = 0; i < x->count; i++)
        if (!eq_value(t->item, (const char *)x->items + i * size, (const char *)y->items + i * size))
            return 0;
    return 1;
}

/* Entries compare in order. */
static int eq_map(const openrouter_type_desc *t, const or_map_slot *x, const or_map_slot *y)
{
    if (x->count != y->count)
        return 0;
    for (size_t i = 0; i < x->count; i++) {
        const char *ea = (const char *)x->entries + i * t->entry_size;
        const char *eb = (const char *)y->entries + i * t->entry_size;
        if (!eq_str(*(char *const *)ea, *(char *const *)eb) ||
            !eq_value(t->item, ea + t->map_value_offset, eb + t->map_value_offset))
            return 0;
    }
    return 1;
}

/* Union models: the same kind, then the same member, or the same raw text. */
static int eq_union(const openrouter_type_desc *t, const char *a, const char *b)
{
    const openrouter_union_desc *ud = t->object->union_desc;
    if (!or_object_is_bare(t)) {
        a += or_object_value_offset(t);
        b += or_object_value_offset(t);
    }
    int kind = or_union_kind(a);
    if (kind != or_union_kind(b))
        return 0;
    if (kind <= 0 || (size_t)kind > ud->n_variants)
        return eq_str(or_union_raw(ud, a), or_union_raw(ud, b));
    return eq_value(ud->variants[kind - 1].type, a + ud->value_offset, b + ud->value_offset);
}

static int eq_value(const openrouter_type_desc *t, const char *a, const char *b)
{
    openrouter_presence sa = or_slot_presence(t, a), sb = or_slot_presence(t, b);
    if (sa != sb)
        return 0;
    if (sa != OPENROUTER_PRESENT)
        return 1;
    switch (t->kind) {
    case OPENROUTER_KIND_STRING:
    case OPENROUTER_KIND_DATETIME:
        return eq_str(((const openrouter_string *)a)->value, ((const openrouter_string *)b)->value);
    case OPENROUTER_KIND_JSON:
        return eq_str(((const openrouter_json *)a)->value, ((const openrouter_json *)b)->value);
    case OPENROUTER_KIND_BOOL:
        return !((const openrouter_bool *)a)->value == !((const openrouter_bool *)b)->value;
    case OPENROUTER_KIND_INT32:
        return ((const openrouter_int32 *)a)->value == ((const openrouter_int32 *)b)->value;
    case OPENROUTER_KIND_INT64:
        return ((const openrouter_int64 *)a)->value == ((const openrouter_int64 *)b)->value;
    case OPENROUTER_KIND_NUMBER:
        return ((const openrouter_number *)a)->value == ((const openrouter_number *)b)->value;
    case OPENROUTER_KIND_ENUM: {
        const openrouter_enum_value *x = (const openrouter_enum_value *)a, *y = (const openrouter_enum_value *)b;
        if (x->value != y->value)
            return 0;
        return x->value != 0 || eq_str(x->text, y->text);
    }
    case OPENROUTER_KIND_OBJECT: {
        size_t off = or_object_is_bare(t) ? 0 : or_object_value_offset(t);
        return eq_object(t->object, a + off, b + off);
    }
    case OPENROUTER_KIND_ARRAY:
        return eq_array(t, (const or_array_slot *)a, (const or_array_slot *)b);
    case OPENROUTER_KIND_MAP:
        return eq_map(t, (const or_map_slot *)a, (const or_map_slot *)b);
    case OPENROUTER_KIND_UNION:
        return eq_union(t, a, b);
    case OPENROUTER_KIND_FILE: { /* the caller's: the same file, or the same bytes */
        const openrouter_file *x = (const openrouter_file *)a, *y = (const openrouter_file *)b;
        if (x->path || y->path)
            return eq_str(x->path, y->path);
        return x->size == y->size && (x->size == 0 || (x->data && y->data && !memcmp(x->data, y->data, x->size)));
    }
    }
    return 0;
}

static int eq_object(const openrouter_object_desc *od, const char *a, const char *b)
{
    for (size_t i = 0; i < od->n_fields; i++) {
        const openrouter_field_desc *f = &od->fields[i];
        if (!eq_value(f->type, a + f->offset, b + f->offset))
            return 0;
    }
    return 1;
}

int openrouter_model_equal(const openrouter_object_desc *desc, const void *a, const void *b)
{
    if (!a || !b)
        return a == b;
    if (!desc)
        return 0;
    if (desc->union_desc) {
        openrouter_type_desc whole = {.kind = OPENROUTER_KIND_UNION, .slot_size = desc->size, .object = desc};
        return eq_union(&whole, a, b);
    }
    return eq_object(desc, a, b);
}

/* ---- copies into a model's arena -------------------------------------------- */

static int copy_object(or_arena *a, const openrouter_object_desc *od, char *dst, const char *src);
static int copy_value(or_arena *a, const openrouter_type_desc *t, char *dst, const char *src);

static int copy_text(or_arena *a, const char **dst, const char *src)
{
    if (!src)
        return 0;
    *dst = or_arena_strndup(a, src, strlen(src));
    return *dst ? 0 : -1;
}

/* A copy of n elements of `size` bytes in the arena (*dst NULL when there
 * are none). 0 or -1. */
static int copy_block(or_arena *a, void **dst, const void *src, size_t n, size_t size)
{
    *dst = NULL;
    if (!src || !n)
        return 0;
    if (n > SIZE_MAX / size || !(*dst = or_arena_alloc(a, n * size, OR_ALIGN)))
        return -1;
    memcpy(*dst, src, n * size);
    return 0;
}

static int copy_array(or_arena *a, const openrouter_type_desc *t, or_array_slot *d, const or_array_slot *s)
{
    size_t sz = t->item->slot_size;
    if (copy_block(a, &d->items, s->items, s->count, sz) != 0)
        return -1;
    if (!d->items)
        d->count = 0;
    for (size_t i = 0; i < d->count; i++)
        if (copy_value(a, t->item, (char *)d->items + i * sz, (const char *)s->items + i * sz) != 0)
            return -1;
    return 0;
}

static int copy_map(or_arena *a, const openrouter_type_desc *t, or_map_slot *d, const or_map_slot *s)
{
    size_t sz = t->entry_size;
    if (copy_block(a, &d->entries, s->entries, s->count, sz) != 0)
        return -1;
    if (!d->entries)
        d->count = 0;
    for (size_t i = 0; i < d->count; i++) {
        char *de = (char *)d->entries + i * sz;
        const char *se = (const char *)s->entries + i * sz;
        if (copy_text(a, (const char **)de, *(const char *const *)se) != 0 ||
            copy_value(a, t->item, de + t->map_value_offset, se + t->map_value_offset) != 0)
            return -1;
    }
    return 0;
}

/* A union model: its raw text and the member its kind names. */
static int copy_union(or_arena *a, const openrouter_type_desc *t, char *dst, const char *src)
{
    const openrouter_union_desc *ud = t->object->union_desc;
    if (!or_object_is_bare(t)) {
        dst += or_object_value_offset(t);
        src += or_object_value_offset(t);
    }
    int kind = or_union_kind(src);
    if (copy_text(a, (const char **)(dst + ud->raw_offset), or_union_raw(ud, src)) != 0)
        return -1;
    if (kind <= 0 || (size_t)kind > ud->n_variants)
        return 0;
    return copy_value(a, ud->variants[kind - 1].type, dst + ud->value_offset, src + ud->value_offset);
}

/* `dst` holds a byte copy of `src`: replace every pointer in it with a copy
 * of what it points at, allocated in `a`. */
static int copy_value(or_arena *a, const openrouter_type_desc *t, char *dst, const char *src)
{
    switch (t->kind) {
    case OPENROUTER_KIND_STRING:
    case OPENROUTER_KIND_DATETIME:
        return copy_text(a, &((openrouter_string *)dst)->value, ((const openrouter_string *)src)->value);
    case OPENROUTER_KIND_JSON:
        return copy_text(a, &((openrouter_json *)dst)->value, ((const openrouter_json *)src)->value);
    case OPENROUTER_KIND_ENUM:
        return copy_text(a, &((openrouter_enum_value *)dst)->text, ((const openrouter_enum_value *)src)->text);
    case OPENROUTER_KIND_BOOL:
    case OPENROUTER_KIND_INT32:
    case OPENROUTER_KIND_INT64:
    case OPENROUTER_KIND_NUMBER:
        return 0;
    case OPENROUTER_KIND_OBJECT: {
        size_t off = or_object_is_bare(t) ? 0 : or_object_value_offset(t);
        return copy_object(a, t->object, dst + off, src + off);
    }
    case OPENROUTER_KIND_ARRAY:
        return copy_array(a, t, (or_array_slot *)dst, (const or_array_slot *)src);
    case OPENROUTER_KIND_MAP:
        return copy_map(a, t, (or_map_slot *)dst, (const or_map_slot *)src);
    case OPENROUTER_KIND_UNION:
        return copy_union(a, t, dst, src);
    case OPENROUTER_KIND_FILE:
        return 0; /* borrowed from the caller, as it was */
    }
    return -1;
}

static int copy_object(or_arena *a, const openrouter_object_desc *od, char *dst, const char *src)
{
    for (size_t i = 0; i < od->n_fields; i++) {
        const openrouter_field_desc *f = &od->fields[i];
        if (copy_value(a, f->type, dst + f->offset, src + f->offset) != 0)
            return -1;
    }
    return 0;
}

int or_model_copy_slot(void *model, const openrouter_type_desc *t, void *dst, const void *src)
{
    if (!model || !t || !dst || !src)
        return -1;
    memcpy(dst, src, t->slot_size);
    return copy_value(or_model_arena(model), t, dst, src);
}
