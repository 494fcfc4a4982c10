/* openrouter-c: the arena every model lives in (arena.c). Private: only
 * the files that build, copy or free models include it.
 *
 * A model is the first allocation of its arena, right after the header,
 * so the header is found from the model at a fixed offset. Only
 * ownership.c goes from a pointer the caller hands back to its arena, and
 * only after the registry of live models has confirmed it is one. */
#ifndef OPENROUTER_ARENA_H
#define OPENROUTER_ARENA_H

#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define OR_ALIGN (alignof(max_align_t))
#define OR_ROUND(n) (((n) + OR_ALIGN - 1) & ~(size_t)(OR_ALIGN - 1))
/* Regular blocks stay below glibc's FASTBIN_CONSOLIDATION_THRESHOLD (64 KiB):
 * freeing a bigger block makes free() consolidate every small chunk just
 * released, which costs more than a few extra mallocs. Requests that do
 * not fit (a large array) get a block of their own. */
#define OR_BLOCK_MAX ((size_t)60 * 1024)
#define OR_BLOCK_MIN ((size_t)1024)

typedef struct or_chunk {
    struct or_chunk *next;
    size_t used; /* bytes used after the header, for wiping */
} or_chunk;

struct openrouter_warning;

/* Lives at the start of the first block; the model follows it. */
typedef struct or_arena {
    const struct openrouter_warning *warnings; /* the model's warnings (warnings.c), in the arena */
    size_t n_warnings;
    or_chunk *chunks;   /* further blocks, newest first */
    or_chunk *current;  /* block `cur` points into; NULL: the first block */
    char *cur, *end;    /* free space in the current block */
    size_t first_used;  /* bytes of the first block in use, once left */
    size_t first_cap;   /* size of the first block */
    size_t next_cap;    /* size of the next regular block */
} or_arena;

#define OR_ARENA_HDR OR_ROUND(sizeof(or_arena))
#define OR_CHUNK_HDR OR_ROUND(sizeof(or_chunk))

/* A new arena whose first block is `cap` bytes (header included); NULL on
 * OOM. */
or_arena *or_arena_new(size_t cap);
/* Wipes every byte handed out, then frees every block. NULL-safe. */
void or_arena_free(or_arena *a);
/* The slow path of or_arena_alloc: a new block. NULL on OOM. */
void *or_arena_grow(or_arena *a, size_t n, size_t align);
/* Nonzero if p lies in memory this arena handed out (any block). */
int or_arena_owns(const or_arena *a, const void *p);

static inline void *or_arena_alloc(or_arena *a, size_t n, size_t align)
{
    uintptr_t p = ((uintptr_t)a->cur + (align - 1)) & ~(uintptr_t)(align - 1);
    if (p <= (uintptr_t)a->end && n <= (uintptr_t)a->end - p) {
        a->cur = (char *)p + n;
        return (void *)p;
    }
    return or_arena_grow(a, n, align);
}

static inline void *or_arena_zalloc(or_arena *a, size_t n)
{
    void *p = or_arena_alloc(a, n, OR_ALIGN);
    if (p)
        memset(p, 0, n);
    return p;
}

static inline char *or_arena_strndup(or_arena *a, const char *s, size_t n)
{
    char *p = or_arena_alloc(a, n + 1, 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

/* After allocating `reserved` bytes at p and using only `used` of them:
 * gives the tail back when p was the last allocation. */
static inline void or_arena_trim(or_arena *a, char *p, size_t reserved, size_t used)
{
    if (a->cur == p + reserved)
        a->cur = p + used;
}

/* The model of an arena made for one (its first allocation), and back. */
static inline void *or_arena_model(or_arena *a)
{
    return (char *)a + OR_ARENA_HDR;
}

static inline or_arena *or_model_arena(void *model)
{
    return (or_arena *)((char *)model - OR_ARENA_HDR);
}

#endif
