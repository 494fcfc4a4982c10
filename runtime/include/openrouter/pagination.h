/* openrouter-c: walking offset-paged list operations.
 *
 * Some operations return one page of a longer list per request (GET /keys:
 * up to 100 keys, newest first, paged by `offset`, with no total and no
 * cursor). For each such operation the generator emits, next to the plain
 * function, an iterator and a list-everything helper:
 *
 *   openrouter_list_keys_iter *it = NULL;
 *   const openrouter_key *key;
 *   while (openrouter_list_keys_each(&it, client, &req, &key, &err))
 *       printf("%s\n", key->hash.value);
 *   if (err.kind != OPENROUTER_OK)
 *       openrouter_error_print(stderr, &err);
 *
 * (*_each starts the walk, yields item after item and frees it at the end
 * or on a failure; *_iter_new / *_iter_next / *_iter_free do the same in
 * steps, take pagination options, and let a failed page be retried.)
 *
 * Both walk the list with the engine below, which
 *  - starts at the request's offset (0 when absent) and requests each next
 *    page at the previous page's offset plus the number of items it ACTUALLY
 *    returned, minus one: the last item of a page is asked for again as the
 *    first item of the next page (an anchor, see below);
 *  - stops after a page shorter than the page size (the spec's, e.g. 100),
 *    or an empty one;
 *  - never yields an item twice: the ids of the items yielded most recently
 *    (e.g. key hashes; options->remember_ids of them, by default
 *    OPENROUTER_DEFAULT_REMEMBER_IDS = 20 pages' worth) are kept in a hash
 *    set, and only ONE page of items is held at a time, so memory stays
 *    bounded however many pages there are. Items shift between pages when
 *    others are created during the walk; an item could only come back
 *    after more than remember_ids creations between two page requests.
 *    The list-everything helper remembers every id by default (it holds
 *    every item anyway). Items without an id are always yielded;
 *  - does not miss items when earlier ones are deleted during the walk:
 *    deleting an item already seen shifts the rest towards offset 0, which
 *    plain offset paging would skip over. The anchor detects it: when a
 *    page does not start with an item already seen, that page is dropped
 *    and the walk steps back by page size - 1 items (never before the start
 *    offset) until it finds the seam again. Items created during the walk
 *    (newest first: at the front) shift the rest away from 0 and are
 *    caught by the id set. Items created or deleted after the position
 *    the walk has reached are seen or not seen as they are at that time;
 *  - fails with OPENROUTER_EDECODE, message "...: pagination made no
 *    progress at offset N" and error.field set to the offset parameter's
 *    name, when a full page holds only items already yielded (a server
 *    ignoring the offset would otherwise loop for ever);
 *  - fails with OPENROUTER_EDECODE, message "...: page cap of N reached"
 *    and error.field "max_pages", before fetching more than max_pages
 *    pages (EDECODE rather than EINVAL, because EINVAL promises that
 *    nothing was sent). Both failures are final: later calls to next()
 *    report them again.
 * Any other failure (transport, HTTP status, decoding) is returned as the
 * underlying call returned it, with nothing consumed: calling next() again
 * retries the same page. Each page is one openrouter_call(), with the
 * client's retry policy (or options->call's). */
#ifndef OPENROUTER_PAGINATION_H
#define OPENROUTER_PAGINATION_H

#include <stddef.h>

#include "openrouter/client.h"
#include "openrouter/descriptor.h"
#include "openrouter/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Default of openrouter_pagination_options.max_pages. */
#define OPENROUTER_DEFAULT_MAX_PAGES ((size_t)1000)
/* Default of openrouter_pagination_options.remember_ids for iterators. */
#define OPENROUTER_DEFAULT_REMEMBER_IDS ((size_t)2000)
/* remember_ids value meaning "every id" (the list-everything default). */
#define OPENROUTER_REMEMBER_ALL_IDS ((size_t)-1)

/* Options of a paged walk; start from OPENROUTER_PAGINATION_OPTIONS_INIT.
 * Pass NULL for all defaults. */
typedef struct openrouter_pagination_options {
    /* OPENROUTER_PAGINATION_OPTIONS_VERSION. */
    unsigned int version;
    /* Most pages fetched (step-backs included); 0: OPENROUTER_DEFAULT_MAX_PAGES. */
    size_t max_pages;
    /* Optional; called after each page is fetched, with the pages fetched
     * so far and the distinct items found so far. It may call the client
     * itself (create or delete items, say). */
    void (*progress)(void *ctx, size_t pages, size_t items);
    /* Passed to `progress`. */
    void *progress_ctx;
    /* Per-page call options (retry policy, timeout); NULL: the client's.
     * With raw_body set, each page's body as received is stored there
     * while `progress` runs for that page (before its items are yielded);
     * progress may take it over (set *raw_body to NULL, release it with
     * openrouter_buffer_free()), else the pager wipes and frees it before
     * the next page and when the walk ends. */
    const openrouter_call_options *call;
    /* How many of the most recent ids to remember against repeats (at
     * least 2 pages' worth are kept); 0: OPENROUTER_DEFAULT_REMEMBER_IDS for
     * iterators, every id for the list-everything helper;
     * OPENROUTER_REMEMBER_ALL_IDS: every id. */
    size_t remember_ids;
} openrouter_pagination_options;

/* Current version of openrouter_pagination_options. */
#define OPENROUTER_PAGINATION_OPTIONS_VERSION 1
/* Defaults: 1000 pages at most, no progress callback, the client's call
 * options, the default id memory. */
#define OPENROUTER_PAGINATION_OPTIONS_INIT {OPENROUTER_PAGINATION_OPTIONS_VERSION, 0, NULL, NULL, NULL, 0}

/* ---- The engine, used by generated code ------------------------------- */

/* How a generated list operation pages (emitted from the operation's
 * x-openrouter-pagination spec extension). */
typedef struct openrouter_pagination_desc {
    /* The list operation; its success body is the page model. */
    const openrouter_operation_desc *operation;
    /* offsetof(request struct, offset parameter): an openrouter_int64 or
     * openrouter_int32 query parameter slot. */
    size_t offset_param;
    /* offsetof(page model, items field): an array of objects. */
    size_t items_field;
    /* offsetof(item struct, id field): an openrouter_string. */
    size_t id_field;
    /* Items in a full page; a shorter page is the last. */
    size_t page_size;
} openrouter_pagination_desc;

/* A walk in progress (the generated *_iter types are this, typed). */
typedef struct openrouter_pager openrouter_pager;

/* Starts a walk. `request` (may be NULL) is copied, strings included, so
 * the caller may free it at once; its offset is the start. Nothing is sent
 * until the first openrouter_pager_next(). On failure *out is NULL. */
int openrouter_pager_new(openrouter_pager **out, const openrouter_pagination_desc *desc,
                         openrouter_client *client, const void *request,
                         const openrouter_pagination_options *options, openrouter_error *error);

/* Sets *item to the next item (a pointer into the current page, valid
 * until the next call or openrouter_pager_free()) and returns 1; returns 0
 * at the end of the list, or a negative openrouter_status. */
int openrouter_pager_next(openrouter_pager *pager, const void **item, openrouter_error *error);

/* The warnings (openrouter_model_warnings()) of the item the last
 * openrouter_pager_next() returned, with their paths in its page
 * ("data[37].expires_at"); valid as long as the item. NULL and *count 0
 * when it has none. */
const openrouter_warning *openrouter_pager_warnings(const openrouter_pager *pager, size_t *count);

/* A walk as one loop condition (the generated *_each functions): starts
 * it when *pager is NULL (default options), then returns 1 with the next
 * item; at the end or on a failure frees it, sets *pager to NULL and
 * returns 0 (error->kind: OPENROUTER_OK at the end, else the failure). */
int openrouter_pager_each(openrouter_pager **pager, const openrouter_pagination_desc *desc,
                          openrouter_client *client, const void *request, const void **item,
                          openrouter_error *error);

/* Pages fetched so far (step-backs included). */
size_t openrouter_pager_pages(const openrouter_pager *pager);

/* Releases the walk and the page it holds. NULL-safe. */
void openrouter_pager_free(openrouter_pager *pager);

/* Walks the whole list and stores every distinct item, in the order
 * found, in one newly allocated page model (only its items field is set;
 * its warnings are the items', renumbered: "data[n]..." for item n),
 * released with openrouter_model_free() or the model's *_free function.
 * On failure *out is NULL. */
int openrouter_pager_all(const openrouter_pagination_desc *desc, openrouter_client *client,
                         const void *request, const openrouter_pagination_options *options, void **out,
                         openrouter_error *error);

#ifdef __cplusplus
}
#endif
#endif
