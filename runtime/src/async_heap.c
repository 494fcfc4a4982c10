/* openrouter-c: the timers of calls waiting to retry: a binary min-heap by
 * due time. Each call knows its place (heap_index), so a cancel removes it
 * in O(log n). */
#include "async_impl.h"

static void place(or_timer_heap *h, size_t i, openrouter_async_call *k)
{
    h->items[i] = k;
    k->heap_index = i;
}

static void sift_up(or_timer_heap *h, size_t i)
{
    openrouter_async_call *k = h->items[i];
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (h->items[parent]->due <= k->due)
            break;
        place(h, i, h->items[parent]);
        i = parent;
    }
    place(h, i, k);
}

static void sift_down(or_timer_heap *h, size_t i)
{
    openrouter_async_call *k = h->items[i];
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= h->n)
            break;
        if (child + 1 < h->n && h->items[child + 1]->due < h->items[child]->due)
            child++;
        if (k->due <= h->items[child]->due)
            break;
        place(h, i, h->items[child]);
        i = child;
    }
    place(h, i, k);
}

int or_heap_push(or_timer_heap *h, openrouter_async_call *k)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 16;
        openrouter_async_call **items = or_realloc(h->items, cap * sizeof *items);
        if (!items)
            return -1;
        h->items = items;
        h->cap = cap;
    }
    place(h, h->n++, k);
    sift_up(h, h->n - 1);
    return 0;
}

void or_heap_remove(or_timer_heap *h, openrouter_async_call *k)
{
    size_t i = k->heap_index;
    if (i == OR_HEAP_NONE || i >= h->n || h->items[i] != k)
        return;
    k->heap_index = OR_HEAP_NONE;
    openrouter_async_call *last = h->items[--h->n];
    if (i == h->n)
        return;
    place(h, i, last);
    sift_down(h, i);
    sift_up(h, last->heap_index);
}

openrouter_async_call *or_heap_pop(or_timer_heap *h)
{
    if (h->n == 0)
        return NULL;
    openrouter_async_call *k = h->items[0];
    or_heap_remove(h, k);
    return k;
}

void or_heap_free(or_timer_heap *h)
{
    or_free(h->items);
    h->items = NULL;
    h->n = h->cap = 0;
}
