/* openrouter-c: the slot layouts of descriptor.h and the one rule for a
 * slot's presence. Private; included through internal.h.
 *
 * Two names, one meaning ("is this value absent, null or present?"):
 *  - or_wrapper_state(slot): the state word at the start of every wrapper
 *    slot (scalars, enums, wrapped objects, arrays, maps, request
 *    parameters). Only for slots known to have one.
 *  - or_slot_presence(t, slot): for any slot of type t. Array items and map
 *    values of kind OBJECT are bare structs without a state word: they are
 *    always PRESENT (a null item decodes as an all-ABSENT struct). */
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

/* Whether a slot of type t begins with a state word. */
static inline int or_slot_has_state(const openrouter_type_desc *t)
{
    return !(t->kind == OPENROUTER_KIND_OBJECT && or_object_is_bare(t));
}

static inline openrouter_presence or_slot_presence(const openrouter_type_desc *t, const void *slot)
{
    return or_slot_has_state(t) ? or_wrapper_state(slot) : OPENROUTER_PRESENT;
}

#endif
