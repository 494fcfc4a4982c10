/* openrouter-c: arenas. A decoded model lives in one arena: blocks of up
 * to 60 KiB (one for a typical response; a large array gets a block of
 * its own, sized exactly), all wiped and released together. The fast
 * path (or_arena_alloc) is inline in arena.h. */
#include "arena.h"

#include "internal.h"

or_arena *or_arena_new(size_t cap)
{
    if (cap < OR_ARENA_HDR)
        cap = OR_ARENA_HDR;
    or_arena *a = or_malloc(cap);
    if (!a)
        return NULL;
    a->warnings = NULL;
    a->n_warnings = 0;
    a->chunks = NULL;
    a->current = NULL;
    a->cur = (char *)a + OR_ARENA_HDR;
    a->end = (char *)a + cap;
    a->first_used = 0;
    a->first_cap = cap;
    a->next_cap = cap < OR_BLOCK_MAX / 2 ? cap * 2 : OR_BLOCK_MAX;
    return a;
}

/* Records how much of the block being filled is in use, before leaving it. */
static void note_current_used(or_arena *a)
{
    if (a->current)
        a->current->used = (size_t)(a->cur - ((char *)a->current + OR_CHUNK_HDR));
    else
        a->first_used = (size_t)(a->cur - (char *)a);
}

void or_arena_free(or_arena *a)
{
    if (!a)
        return;
    note_current_used(a);
    or_chunk *c = a->chunks;
    while (c) {
        or_chunk *next = c->next;
        or_wipe((char *)c + OR_CHUNK_HDR, c->used);
        or_free(c);
        c = next;
    }
    or_wipe(a, a->first_used);
    or_free(a);
}

void *or_arena_grow(or_arena *a, size_t n, size_t align)
{
    if (n > SIZE_MAX / 2)
        return NULL;
    size_t need = OR_CHUNK_HDR + n + align;
    int dedicated = need > a->next_cap;
    size_t cap = dedicated ? need : a->next_cap;
    or_chunk *c = or_malloc(cap);
    if (!c)
        return NULL;
    c->next = a->chunks;
    a->chunks = c;
    char *data = (char *)c + OR_CHUNK_HDR;
    uintptr_t p = ((uintptr_t)data + (align - 1)) & ~(uintptr_t)(align - 1);
    if (dedicated) {
        /* The current block keeps serving small requests. */
        c->used = (size_t)((char *)p + n - data);
        return (void *)p;
    }
    note_current_used(a);
    c->used = 0;
    a->current = c;
    a->cur = (char *)p + n;
    a->end = (char *)c + cap;
    if (a->next_cap < OR_BLOCK_MAX)
        a->next_cap = a->next_cap < OR_BLOCK_MAX / 2 ? a->next_cap * 2 : OR_BLOCK_MAX;
    return (void *)p;
}

/* Only for diagnosing a misused free (ownership.c), so a linear walk. */
int or_arena_owns(const or_arena *a, const void *p)
{
    uintptr_t x = (uintptr_t)p, first = (uintptr_t)a + OR_ARENA_HDR;
    if (x >= first && x < (uintptr_t)a + a->first_cap)
        return 1;
    for (const or_chunk *c = a->chunks; c; c = c->next) {
        uintptr_t data = (uintptr_t)c + OR_CHUNK_HDR;
        size_t used = c == a->current ? (size_t)((uintptr_t)a->cur - data) : c->used;
        if (x >= data && x < data + used)
            return 1;
    }
    return 0;
}
