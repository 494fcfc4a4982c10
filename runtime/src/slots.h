/* openrouter-c: the slot layouts of descriptor.h and the one rule for a
 * slot's presence. Private; included through internal.h.
 *
 * Two names, one meaning ("is this value absent, null or present?"):
 *  - or_wrapper_state(slot): the state word at the start of every wrapper
 *    slot (scalars, enums, wrapped objects, arrays, maps, request
 *    parameters). Only for slots known to have one.
 *  - or_slot_presence(t, slot): for any slot of type t. Array items and map
 *    values of kind OBJECT are bare structs without a state word: they are
 *    always PRESENT (a null item decodes as an all-ABSENT struct); bare
 *    UNION items are NULL when they hold nothing (kind 0, raw NULL). */
#ifndef OPENROUTER_SLOTS_H
#define OPENROUTER_SLOTS_H

#include <stddef.h>

#include "openrouter/descriptor.h"

/* ARRAY slots: { state; ITEM *items; size_t count; }. */
typedef struct or_array_slot {
    openrouter_presence state;
    void *items;
    size_t count;
} or_array_slot;

/* MAP slots: { state; ENTRY *entries; size_t count; }, ENTRY being
 * { char *key; ITEM value; } with value at t->map_value_offset. */
typedef struct or_map_slot {
    openrouter_presence state;
    void *entries;
    size_t count;
} or_map_slot;

static inline openrouter_presence or_wrapper_state(const void *slot)
{
    return *(const openrouter_presence *)slot;
}

/* OBJECT slots are { openrouter_presence state; T value; } except array
 * items and map values, which are the bare struct (slot_size equals the
 * struct's size); the value is the slot's last object->size bytes. */
static inline int or_object_is_bare(const openrouter_type_desc *t)
{
    return t->slot_size <= t->object->size;
}

static inline size_t or_object_value_offset(const openrouter_type_desc *t)
{
    return t->slot_size - t->object->size;
}

/* Whether a slot of type t begins with a state word (UNION slots are laid
 * out as OBJECT slots). */
static inline int or_slot_has_state(const openrouter_type_desc *t)
{
    return !((t->kind == OPENROUTER_KIND_OBJECT || t->kind == OPENROUTER_KIND_UNION) &&
             or_object_is_bare(t));
}

/* A union model: { int kind; char *raw; union { ... }; }. */
static inline int or_union_kind(const void *u)
{
    return *(const int *)u;
}

static inline char *or_union_raw(const openrouter_union_desc *ud, const void *u)
{
    return *(char *const *)((const char *)u + ud->raw_offset);
}

/* A bare union item holding nothing (kind 0, no raw text) is null: what a
 * null item decodes to. */
static inline openrouter_presence or_slot_presence(const openrouter_type_desc *t, const void *slot)
{
    if (or_slot_has_state(t))
        return or_wrapper_state(slot);
    if (t->kind == OPENROUTER_KIND_UNION && !or_union_kind(slot) && !or_union_raw(t->object->union_desc, slot))
        return OPENROUTER_NULL;
    return OPENROUTER_PRESENT;
}

#endif
