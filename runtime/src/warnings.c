/* openrouter-c: the warnings of a decoded model (see openrouter/types.h):
 * collected while decoding (or while the pager joins pages), then stored
 * with the model, in its arena, where openrouter_model_warnings() finds
 * them. Paths and messages are copied into the arena as they come; the
 * list itself grows in an allocator block until it is attached. */
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "internal.h"

const char *openrouter_warning_kind_name(openrouter_warning_kind kind)
{
    switch (kind) {
    case OPENROUTER_WARNING_FORMAT: return "format";
    case OPENROUTER_WARNING_LENGTH: return "length";
    case OPENROUTER_WARNING_RANGE: return "range";
    case OPENROUTER_WARNING_NULL: return "null";
    case OPENROUTER_WARNING_MISSING: return "missing";
    case OPENROUTER_WARNING_TYPE: return "type";
    case OPENROUTER_WARNING_UNREPRESENTABLE: return "unrepresentable";
    case OPENROUTER_WARNING_UNKNOWN_VARIANT: return "unknown_variant";
    case OPENROUTER_WARNING_TRUNCATED: return "truncated";
    }
    return "?";
}

/* Appends one warning, whatever the count (the list has room for
 * OPENROUTER_MAX_WARNINGS and the TRUNCATED one). 0 or -1 on OOM. */
static int push(or_warnings *w, or_arena *a, openrouter_warning_kind kind, const char *path, const char *message)
{
    if (w->count == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 8;
        if (cap > OPENROUTER_MAX_WARNINGS + 1)
            cap = OPENROUTER_MAX_WARNINGS + 1;
        openrouter_warning *bigger = or_realloc(w->items, cap * sizeof *bigger);
        if (!bigger)
            return -1;
        w->items = bigger;
        w->cap = cap;
    }
    char *p = or_arena_strndup(a, path, strlen(path));
    char *m = p ? or_arena_strndup(a, message, strlen(message)) : NULL;
    if (!m)
        return -1;
    w->items[w->count++] = (openrouter_warning){kind, p, m};
    return 0;
}

int or_warnings_add(or_warnings *w, void *model, openrouter_warning_kind kind, const char *path,
                    const char *message)
{
    if (w->count >= OPENROUTER_MAX_WARNINGS) {
        w->dropped++;
        return 0;
    }
    return push(w, or_model_arena(model), kind, path, message);
}

void or_warnings_release(or_warnings *w)
{
    or_free(w->items);
    *w = (or_warnings){NULL, 0, 0, 0};
}

int or_warnings_attach(or_warnings *w, void *model)
{
    or_arena *a = or_model_arena(model);
    int rc = 0;
    if (w->dropped) {
        char msg[96];
        snprintf(msg, sizeof msg, "%zu more warnings not kept (at most %d are)", w->dropped,
                 OPENROUTER_MAX_WARNINGS);
        rc = push(w, a, OPENROUTER_WARNING_TRUNCATED, "", msg);
    }
    openrouter_warning *stored = NULL;
    if (rc == 0 && w->count) {
        stored = or_arena_alloc(a, w->count * sizeof *stored, _Alignof(openrouter_warning));
        if (stored)
            memcpy(stored, w->items, w->count * sizeof *stored);
        else
            rc = -1;
    }
    if (rc == 0) {
        a->warnings = stored;
        a->n_warnings = stored ? w->count : 0;
    }
    or_warnings_release(w);
    return rc;
}

const openrouter_warning *or_model_warnings_of(const void *model, size_t *count)
{
    const or_arena *a = or_model_arena((void *)model);
    *count = a->n_warnings;
    return a->warnings;
}

const openrouter_warning *openrouter_model_warnings(const void *model, size_t *count)
{
    if (count)
        *count = 0;
    if (!model)
        return NULL;
    or_model_check_live("openrouter_model_warnings", model);
    size_t n;
    const openrouter_warning *w = or_model_warnings_of(model, &n);
    if (count)
        *count = n;
    return n ? w : NULL;
}
