/* openrouter-c: who owns a model, and catching frees that are wrong.
 *
 * Every model the library hands out is recorded in a registry of live
 * models (its address -> its descriptor): a hash table under one mutex,
 * O(1) per decode and per free. openrouter_model_free() and the generated
 * *_free functions look the pointer up before touching anything, so a
 * pointer the library did not return (a struct the caller owns, a pointer
 * into a model such as &created->data.value, a model already freed) or a
 * model freed through the wrong type's *_free is caught without reading
 * memory the library did not allocate. Misuse is a bug in the caller that
 * would otherwise corrupt memory or leak a secret unwiped: like glibc on a
 * bad free(), it prints what was wrong to stderr and aborts.
 *
 * The table starts in static storage (64 slots, enough for 32 live
 * models) and moves to the allocator only beyond that; it goes back to
 * static storage when the last model is freed, so nothing the allocator
 * gave stays behind once no model is live (openrouter_set_allocator). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "internal.h"

typedef struct live_model {
    const void *model; /* NULL: free slot */
    const openrouter_object_desc *desc;
} live_model;

#define FIXED_BITS 6
#define RECENT_FREES 32

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static live_model fixed_slots[(size_t)1 << FIXED_BITS];
static live_model *slots = fixed_slots;
static unsigned slot_bits = FIXED_BITS;
static size_t live_count;
/* The last frees, to tell a double free from a pointer never seen. */
static live_model recent_frees[RECENT_FREES];
static size_t recent_next;

static size_t home_slot(const void *p, unsigned bits)
{
    uint64_t h = (uint64_t)(uintptr_t)p * 0x9E3779B97F4A7C15ull;
    return (size_t)(h >> (64 - bits));
}

static size_t slot_mask(void)
{
    return ((size_t)1 << slot_bits) - 1;
}

/* Index of p's slot, or SIZE_MAX when p is not a live model. */
static size_t find_slot(const void *p)
{
    for (size_t i = home_slot(p, slot_bits);; i = (i + 1) & slot_mask()) {
        if (slots[i].model == p)
            return i;
        if (!slots[i].model)
            return SIZE_MAX;
    }
}

static void put_slot(live_model *table, unsigned bits, live_model e)
{
    size_t mask = ((size_t)1 << bits) - 1, i = home_slot(e.model, bits);
    while (table[i].model)
        i = (i + 1) & mask;
    table[i] = e;
}

static int grow_table(void)
{
    unsigned bits = slot_bits + 1;
    live_model *bigger = or_calloc((size_t)1 << bits, sizeof *bigger);
    if (!bigger)
        return -1;
    for (size_t i = 0; i <= slot_mask(); i++)
        if (slots[i].model)
            put_slot(bigger, bits, slots[i]);
    if (slots == fixed_slots)
        memset(fixed_slots, 0, sizeof fixed_slots);
    else
        or_free(slots);
    slots = bigger;
    slot_bits = bits;
    return 0;
}

/* Linear probing without tombstones: later entries of the run move back
 * into the hole when their home slot allows it. */
static void erase_slot(size_t hole)
{
    size_t mask = slot_mask();
    for (size_t j = (hole + 1) & mask; slots[j].model; j = (j + 1) & mask) {
        size_t k = home_slot(slots[j].model, slot_bits);
        int stays = hole <= j ? (k > hole && k <= j) : (k > hole || k <= j);
        if (!stays) {
            slots[hole] = slots[j];
            hole = j;
        }
    }
    slots[hole].model = NULL;
    slots[hole].desc = NULL;
    if (--live_count == 0 && slots != fixed_slots) {
        or_free(slots);
        slots = fixed_slots;
        slot_bits = FIXED_BITS;
    }
}

int or_model_register(void *model, const openrouter_object_desc *desc)
{
    pthread_mutex_lock(&registry_lock);
    int rc = 0;
    if ((live_count + 1) * 2 > slot_mask() + 1)
        rc = grow_table();
    if (rc == 0) {
        put_slot(slots, slot_bits, (live_model){model, desc});
        live_count++;
    }
    pthread_mutex_unlock(&registry_lock);
    return rc;
}

/* ---- misuse --------------------------------------------------------------- */

static const char *model_name(const openrouter_object_desc *desc)
{
    return desc && desc->name ? desc->name : "model";
}

/* The member of `desc` at byte `offset`, or NULL. */
static const char *member_at(const openrouter_object_desc *desc, size_t offset)
{
    for (size_t i = 0; desc && i < desc->n_fields; i++) {
        const openrouter_field_desc *f = &desc->fields[i];
        if (offset >= f->offset && offset < f->offset + f->type->slot_size)
            return f->json_name;
    }
    return NULL;
}

/* The end of "only a whole model the library returned ...". */
static const char *will_do(const char *fn)
{
    size_t n = strlen(fn);
    return n >= 5 && strcmp(fn + n - 5, "_free") == 0 ? "can be freed" : "will do";
}

/* Explains why p is not a live model. Runs with the registry locked, and
 * reads only memory of live models. */
static void explain_unknown(const char *fn, const void *p)
{
    uintptr_t x = (uintptr_t)p;
    for (size_t i = 0; i <= slot_mask(); i++) {
        const live_model *e = &slots[i];
        if (!e->model)
            continue;
        uintptr_t start = (uintptr_t)e->model;
        size_t size = e->desc ? e->desc->size : 0;
        if (x > start && x < start + size) {
            const char *member = member_at(e->desc, (size_t)(x - start));
            fprintf(stderr,
                    "openrouter: %s(%p): that pointer is %zu bytes into a live model (%s%s%s%s); only a "
                    "whole model the library returned %s\n",
                    fn, p, (size_t)(x - start), model_name(e->desc), member ? ", member \"" : "",
                    member ? member : "", member ? "\"" : "", will_do(fn));
            return;
        }
        if (or_arena_owns(or_model_arena((void *)e->model), p)) {
            fprintf(stderr,
                    "openrouter: %s(%p): that pointer is inside a live model's memory (%s: one of its "
                    "arrays, maps or strings); only a whole model the library returned %s\n",
                    fn, p, model_name(e->desc), will_do(fn));
            return;
        }
    }
    for (size_t k = 1; k <= RECENT_FREES; k++) { /* newest first: addresses get reused */
        const live_model *e = &recent_frees[(recent_next + RECENT_FREES - k) % RECENT_FREES];
        if (e->model == p) {
            fprintf(stderr, "openrouter: %s(%p): double free (that %s was freed already)\n", fn, p,
                    model_name(e->desc));
            return;
        }
    }
    fprintf(stderr,
            "openrouter: %s(%p): not a model the library returned (a struct you own, or a model freed "
            "before)\n",
            fn, p);
}

/* `fn` was handed p, which is not a live model (found NULL) or not a
 * `want` (found: what it is): says so and aborts. */
static void misuse(const char *fn, const openrouter_object_desc *want, const void *p, const live_model *found)
{
    char name[160];
    if (!fn) {
        snprintf(name, sizeof name, "%s_free", want ? model_name(want) : "openrouter_model");
        fn = name;
    }
    if (found)
        fprintf(stderr, "openrouter: %s(%p): wrong type: the model there is %s; free it with %s_free\n", fn,
                p, model_name(found->desc), model_name(found->desc));
    else
        explain_unknown(fn, p);
    fflush(stderr);
    abort();
}

/* ---- freeing ---------------------------------------------------------------- */

void openrouter_model_free_typed(const openrouter_object_desc *desc, void *model)
{
    if (!model)
        return;
    pthread_mutex_lock(&registry_lock);
    size_t i = find_slot(model);
    if (i == SIZE_MAX)
        misuse(NULL, desc, model, NULL);
    if (desc && slots[i].desc != desc)
        misuse(NULL, desc, model, &slots[i]);
    recent_frees[recent_next] = slots[i];
    recent_next = (recent_next + 1) % RECENT_FREES;
    erase_slot(i);
    pthread_mutex_unlock(&registry_lock);
    or_arena_free(or_model_arena(model));
}

void openrouter_model_free(void *model)
{
    openrouter_model_free_typed(NULL, model);
}

void or_model_check_live(const char *fn, const void *model)
{
    pthread_mutex_lock(&registry_lock);
    if (find_slot(model) == SIZE_MAX)
        misuse(fn, NULL, model, NULL);
    pthread_mutex_unlock(&registry_lock);
}

void openrouter_buffer_free(char *buf)
{
    if (!buf)
        return;
    or_wipe(buf, strlen(buf));
    or_free(buf);
}

/* ---- models built outside the decoder (pager.c) ------------------------------------ */

void *or_model_new(const openrouter_object_desc *desc)
{
    if (!desc || desc->size > SIZE_MAX / 4)
        return NULL;
    size_t cap = OR_ARENA_HDR + OR_ROUND(desc->size) + 256;
    if (cap < OR_BLOCK_MIN)
        cap = OR_BLOCK_MIN;
    or_arena *a = or_arena_new(cap);
    if (!a)
        return NULL;
    void *model = or_arena_zalloc(a, desc->size); /* the first allocation: right after the header */
    if (or_model_register(model, desc) != 0) {
        or_arena_free(a);
        return NULL;
    }
    return model;
}

void *or_model_alloc(void *model, size_t n)
{
    if (!model || n == 0)
        return NULL;
    return or_arena_zalloc(or_model_arena(model), n);
}
