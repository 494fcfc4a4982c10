/* openrouter-c: the paging engine behind the generated *_iter_* and *_all
 * functions (see openrouter/pagination.h for the behaviour callers see).
 *
 * Decisions worth knowing:
 * - The pager keeps its own copy of the request (strings duplicated), so
 *   the caller's request may go away after *_iter_new.
 * - One page model is held at a time; it is freed before the next request.
 *   Besides it, the pager holds the ids of the items yielded most recently
 *   in two generations of open-addressing hash sets (copies of the id
 *   strings): when the newer one is full the older one is dropped, so at
 *   least `window` / 2 and at most `window` recent ids are remembered.
 * - Next page at offset + count - 1 (an "anchor" item shared by adjacent
 *   pages; none when the page size is 1). A page fetched past the start
 *   that does not begin with a known id means items before it were deleted
 *   and some not yet seen slid below the offset: the page is dropped and
 *   the walk steps back by page_size - 1 (not below the start offset).
 * - A full page with no new id is "no progress" (EDECODE, final).
 * - More than max_pages fetches is "page cap reached" (EDECODE, final).
 * - Other failures leave the pager as it was: next() retries the page.
 * - Warnings: a page's warnings are in the order of its text, so those of
 *   item i ("data[i]...") follow those of earlier items. The iterator
 *   offers the yielded item's (page paths); *_all gives its model each
 *   kept item's warnings, renumbered ("data[n]..." for the n-th item kept).
 *   Warnings outside the items (the page's other members) are dropped
 *   with those members. */
#include <stdio.h>
#include <string.h>

#include "openrouter/pagination.h"

#include "internal.h"

#define PAGER_OK 0
#define PAGER_FAILED 1 /* final error recorded in fail_* */
#define PAGER_DONE 2   /* the last page was fetched; yield what is left */

/* Open-addressing set of id strings (linear probing, power-of-two size). */
typedef struct id_set {
    char **slots;
    size_t cap;  /* 0 or a power of two */
    size_t used;
} id_set;

struct openrouter_pager {
    openrouter_client *client;
    const openrouter_operation_desc *op;
    const openrouter_object_desc *page_desc;   /* the success body */
    const openrouter_type_desc *item_type;     /* ARRAY item: a bare object */
    const openrouter_param_desc *offset_param; /* INT64 or INT32 query slot */
    size_t items_field, id_field, page_size, overlap;
    const char *items_name;                    /* JSON name of the items field */
    void *request;                             /* private copy, or NULL */
    size_t request_size;

    int64_t start, offset;                     /* first and next offset */
    size_t max_pages, pages, items;
    void (*progress)(void *ctx, size_t pages, size_t items);
    void *progress_ctx;
    const openrouter_call_options *call;

    void *page;                                /* current page model */
    const char *page_items;
    size_t *fresh;                             /* indexes of the page's new items */
    size_t n_fresh, pos;
    const openrouter_warning *item_warnings;   /* the last yielded item's, in the page */
    size_t n_item_warnings, warn_pos;          /* warn_pos: page warnings looked at */
    int state;

    id_set seen, older;                        /* recent ids, two generations */
    size_t generation;                         /* ids per generation */
    int fail_rc;
    char fail_message[OPENROUTER_ERROR_MESSAGE_SIZE];
    char fail_field[sizeof(((openrouter_error *)0)->field)];
};

/* ---- the id set --------------------------------------------------------------- */

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

static char **set_find(const id_set *set, const char *id)
{
    size_t mask = set->cap - 1;
    for (size_t i = (size_t)hash_str(id) & mask;; i = (i + 1) & mask)
        if (!set->slots[i] || strcmp(set->slots[i], id) == 0)
            return &set->slots[i];
}

static int set_contains(const id_set *set, const char *id)
{
    return set->cap && *set_find(set, id) != NULL;
}

/* 1 added, 0 already there, -1 out of memory. */
static int set_add(id_set *set, const char *id)
{
    if (set->cap == 0 || (set->used + 1) * 2 > set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 256;
        if (cap / 2 < set->cap)
            return -1;
        id_set bigger = {or_calloc(cap, sizeof(char *)), cap, set->used};
        if (!bigger.slots)
            return -1;
        for (size_t i = 0; i < set->cap; i++)
            if (set->slots[i])
                *set_find(&bigger, set->slots[i]) = set->slots[i];
        or_free(set->slots);
        *set = bigger;
    }
    char **slot = set_find(set, id);
    if (*slot)
        return 0;
    if (!(*slot = or_strdup(id)))
        return -1;
    set->used++;
    return 1;
}

static void set_free(id_set *set)
{
    for (size_t i = 0; i < set->cap; i++)
        or_free(set->slots[i]);
    or_free(set->slots);
    set->slots = NULL;
    set->cap = set->used = 0;
}

static int seen_contains(const openrouter_pager *p, const char *id)
{
    return set_contains(&p->seen, id) || set_contains(&p->older, id);
}

/* 1 newly remembered, 0 seen recently, -1 out of memory. */
static int seen_add(openrouter_pager *p, const char *id)
{
    if (set_contains(&p->older, id))
        return 0;
    if (p->seen.used >= p->generation && !set_contains(&p->seen, id)) {
        set_free(&p->older);
        p->older = p->seen;
        p->seen = (id_set){NULL, 0, 0};
    }
    return set_add(&p->seen, id);
}

/* ---- the request copy ------------------------------------------------------------ */

static const char **param_text(const openrouter_param_desc *q, void *request)
{
    char *slot = (char *)request + q->offset;
    if (q->location == OPENROUTER_PARAM_PATH || !q->type)
        return (const char **)(void *)slot;
    switch (q->type->kind) {
    case OPENROUTER_KIND_STRING:
    case OPENROUTER_KIND_DATETIME:
        return &((openrouter_string *)slot)->value;
    case OPENROUTER_KIND_JSON:
        return &((openrouter_json *)slot)->value;
    case OPENROUTER_KIND_ENUM:
        return &((openrouter_enum_value *)slot)->text;
    default:
        return NULL;
    }
}

static void request_free(openrouter_pager *p)
{
    if (!p->request)
        return;
    for (size_t i = 0; i < p->op->n_params; i++) {
        const char **text = param_text(&p->op->params[i], p->request);
        if (text)
            or_free((char *)*text); /* the pager's own copy (request_copy) */
    }
    or_free(p->request);
    p->request = NULL;
}

/* Copies the caller's request, duplicating every string parameter. */
static int request_copy(openrouter_pager *p, const void *request)
{
    p->request = or_calloc(1, p->request_size);
    if (!p->request)
        return -1;
    if (request)
        memcpy(p->request, request, p->request_size);
    for (size_t i = 0; i < p->op->n_params; i++) {
        const char **text = param_text(&p->op->params[i], p->request);
        if (text && *text) {
            char *copy = or_strdup(*text);
            *text = copy;
            if (!copy) {
                /* Clear the remaining caller pointers, so request_free only
                 * frees copies. */
                for (size_t j = i + 1; j < p->op->n_params; j++) {
                    const char **rest = param_text(&p->op->params[j], p->request);
                    if (rest)
                        *rest = NULL;
                }
                return -1;
            }
        }
    }
    return 0;
}

/* ---- setup ---------------------------------------------------------------------- */

static const openrouter_field_desc *field_at(const openrouter_object_desc *od, size_t offset)
{
    for (size_t i = 0; od && i < od->n_fields; i++)
        if (od->fields[i].offset == offset)
            return &od->fields[i];
    return NULL;
}

static int check_desc(openrouter_pager *p, const openrouter_pagination_desc *desc, openrouter_error *error)
{
    const openrouter_operation_desc *op = desc->operation;
    const char *opid = op && op->operation_id ? op->operation_id : "pagination";
    if (!op || op->body || !op->request_size || desc->page_size == 0)
        return or_error_set(error, OPENROUTER_EINVAL, "%s: unsupported pagination description", opid);
    for (size_t i = 0; i < op->n_responses && !p->page_desc; i++)
        p->page_desc = op->responses[i].body;
    const openrouter_field_desc *items = field_at(p->page_desc, desc->items_field);
    if (!items || items->type->kind != OPENROUTER_KIND_ARRAY || !items->type->item ||
        items->type->item->kind != OPENROUTER_KIND_OBJECT ||
        items->type->item->slot_size != items->type->item->object->size)
        return or_error_set(error, OPENROUTER_EINVAL, "%s: pagination items field is not an array of objects",
                            opid);
    p->item_type = items->type->item;
    p->items_name = items->json_name;
    const openrouter_field_desc *id = field_at(p->item_type->object, desc->id_field);
    if (!id || id->type->kind != OPENROUTER_KIND_STRING)
        return or_error_set(error, OPENROUTER_EINVAL, "%s: pagination id field is not a string", opid);
    for (size_t i = 0; i < op->n_params; i++) {
        const openrouter_param_desc *q = &op->params[i];
        if (q->location == OPENROUTER_PARAM_QUERY && q->offset == desc->offset_param && q->type &&
            (q->type->kind == OPENROUTER_KIND_INT64 || q->type->kind == OPENROUTER_KIND_INT32))
            p->offset_param = q;
    }
    if (!p->offset_param)
        return or_error_set(error, OPENROUTER_EINVAL, "%s: pagination offset is not an integer query parameter",
                            opid);
    p->op = op;
    p->items_field = desc->items_field;
    p->id_field = desc->id_field;
    p->page_size = desc->page_size;
    p->overlap = desc->page_size > 1 ? 1 : 0;
    p->request_size = op->request_size;
    return OPENROUTER_OK;
}

static int64_t read_offset(const openrouter_pager *p, const void *request, int *present)
{
    const char *slot = (const char *)request + p->offset_param->offset;
    if (p->offset_param->type->kind == OPENROUTER_KIND_INT64) {
        const openrouter_int64 *v = (const openrouter_int64 *)slot;
        *present = v->state == OPENROUTER_PRESENT;
        return v->value;
    }
    const openrouter_int32 *v = (const openrouter_int32 *)slot;
    *present = v->state == OPENROUTER_PRESENT;
    return v->value;
}

int openrouter_pager_new(openrouter_pager **out, const openrouter_pagination_desc *desc,
                         openrouter_client *client, const void *request,
                         const openrouter_pagination_options *options, openrouter_error *error)
{
    if (error)
        openrouter_error_clear(error);
    if (!out)
        return or_error_set(error, OPENROUTER_EINVAL, "out must not be NULL");
    *out = NULL;
    if (!client)
        return or_error_set(error, OPENROUTER_EINVAL, "client must not be NULL");
    if (!desc)
        return or_error_set(error, OPENROUTER_EINVAL, "pagination description must not be NULL");
    if (options) {
        if (options->version != OPENROUTER_PAGINATION_OPTIONS_VERSION)
            return or_error_set_field(error, OPENROUTER_EINVAL, "options.version",
                                      "options.version must be OPENROUTER_PAGINATION_OPTIONS_VERSION");
    }
    openrouter_pager *p = or_calloc(1, sizeof *p);
    if (!p)
        return or_error_set(error, OPENROUTER_ENOMEM, "out of memory");
    int rc = check_desc(p, desc, error);
    if (rc != OPENROUTER_OK) {
        or_free(p);
        return rc;
    }
    p->client = client;
    p->max_pages = options && options->max_pages ? options->max_pages : OPENROUTER_DEFAULT_MAX_PAGES;
    size_t window = options && options->remember_ids ? options->remember_ids : OPENROUTER_DEFAULT_REMEMBER_IDS;
    /* Two pages' worth at least: the anchor and items shifted by one page. */
    if (window < 2 * desc->page_size)
        window = 2 * desc->page_size;
    p->generation = window == OPENROUTER_REMEMBER_ALL_IDS ? SIZE_MAX : window / 2;
    if (options) {
        p->progress = options->progress;
        p->progress_ctx = options->progress_ctx;
        p->call = options->call;
    }
    if (request) {
        int present = 0;
        int64_t start = read_offset(p, request, &present);
        if (present && start < 0) {
            rc = or_error_set_field(error, OPENROUTER_EINVAL, p->offset_param->name, "%s: %s must be >= 0",
                                    desc->operation->operation_id, p->offset_param->name);
            or_free(p);
            return rc;
        }
        p->start = present ? start : 0;
    }
    p->offset = p->start;
    if (request_copy(p, request) != 0) {
        openrouter_pager_free(p);
        return or_error_set(error, OPENROUTER_ENOMEM, "out of memory");
    }
    *out = p;
    return OPENROUTER_OK;
}

size_t openrouter_pager_pages(const openrouter_pager *pager)
{
    return pager ? pager->pages : 0;
}

/* ---- walking --------------------------------------------------------------------- */

/* options->call->raw_body: each page's body is left there for progress()
 * to take over; one it did not take is wiped and freed here, before the
 * next page and when the walk ends. */
static void drop_raw(openrouter_pager *p)
{
    if (p->call && p->call->version >= 2 && p->call->raw_body && *p->call->raw_body) {
        openrouter_buffer_free(*p->call->raw_body);
        *p->call->raw_body = NULL;
        if (p->call->raw_body_len)
            *p->call->raw_body_len = 0;
    }
}

static void drop_page(openrouter_pager *p)
{
    openrouter_model_free(p->page);
    p->page = NULL;
    p->page_items = NULL;
    or_free(p->fresh);
    p->fresh = NULL;
    p->n_fresh = p->pos = 0;
    p->item_warnings = NULL;
    p->n_item_warnings = p->warn_pos = 0;
}

/* The item number of a warning path under the items field ("data[7].x"
 * is 7, *rest then pointing at ".x"); SIZE_MAX for any other path. */
static size_t warning_item(const openrouter_pager *p, const char *path, const char **rest)
{
    size_t n = strlen(p->items_name);
    if (strncmp(path, p->items_name, n) != 0 || path[n] != '[')
        return SIZE_MAX;
    size_t index = 0;
    const char *s = path + n + 1;
    for (; *s >= '0' && *s <= '9'; s++)
        index = index * 10 + (size_t)(*s - '0');
    if (*s != ']')
        return SIZE_MAX;
    *rest = s + 1;
    return index;
}

/* Points item_warnings at the warnings of page item `index`; items come
 * in increasing order, so the search goes on from where it stopped. */
static void find_item_warnings(openrouter_pager *p, size_t index)
{
    size_t n;
    const openrouter_warning *w = or_model_warnings_of(p->page, &n);
    const char *rest;
    size_t i = p->warn_pos;
    for (size_t at; i < n && ((at = warning_item(p, w[i].path, &rest)) == SIZE_MAX || at < index); i++)
        ;
    size_t first = i;
    while (i < n && warning_item(p, w[i].path, &rest) == index)
        i++;
    p->item_warnings = i > first ? w + first : NULL;
    p->n_item_warnings = i - first;
    p->warn_pos = i;
}

static int fail(openrouter_pager *p, openrouter_error *error, int rc, const char *field, const char *fmt,
                ...) OR_PRINTF(5, 6);
static int fail(openrouter_pager *p, openrouter_error *error, int rc, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->fail_message, sizeof p->fail_message, fmt, ap);
    va_end(ap);
    snprintf(p->fail_field, sizeof p->fail_field, "%s", field);
    p->fail_rc = rc;
    p->state = PAGER_FAILED;
    drop_page(p);
    or_log(p->client, OPENROUTER_LOG_ERROR, "%s", p->fail_message);
    return or_error_set_field(error, (openrouter_status)rc, p->fail_field, "%s", p->fail_message);
}

static const char *item_id(const openrouter_pager *p, const char *item)
{
    const openrouter_string *id = (const openrouter_string *)(item + p->id_field);
    return id->state == OPENROUTER_PRESENT ? id->value : NULL;
}

static int set_offset(openrouter_pager *p, openrouter_error *error)
{
    char *slot = (char *)p->request + p->offset_param->offset;
    if (p->offset_param->type->kind == OPENROUTER_KIND_INT64) {
        *(openrouter_int64 *)slot = (openrouter_int64){OPENROUTER_PRESENT, p->offset};
        return OPENROUTER_OK;
    }
    if (p->offset > INT32_MAX)
        return fail(p, error, OPENROUTER_EDECODE, p->offset_param->name, "%s: offset %lld out of range",
                    p->op->operation_id, (long long)p->offset);
    *(openrouter_int32 *)slot = (openrouter_int32){OPENROUTER_PRESENT, (int32_t)p->offset};
    return OPENROUTER_OK;
}

/* Fetches the page at p->offset and keeps the items not seen yet; steps
 * back instead when the page shows that items slid below the offset. */
static int fetch(openrouter_pager *p, openrouter_error *error)
{
    const char *opid = p->op->operation_id;
    if (p->pages >= p->max_pages)
        return fail(p, error, OPENROUTER_EDECODE, "max_pages", "%s: page cap of %zu reached", opid, p->max_pages);
    int rc = set_offset(p, error);
    if (rc != OPENROUTER_OK)
        return rc;
    void *page = NULL;
    drop_raw(p);
    rc = openrouter_call(p->client, p->op, p->request, &page, p->call, error);
    if (rc != OPENROUTER_OK)
        return rc; /* nothing consumed: next() tries this page again */
    p->pages++;
    p->page = page;
    const or_array_slot *arr = (const or_array_slot *)((const char *)page + p->items_field);
    size_t count = arr->state == OPENROUTER_PRESENT && arr->items ? arr->count : 0;
    size_t sz = p->item_type->slot_size;
    p->page_items = arr->items;

    /* The anchor: past the start, a page must begin with an item already
     * seen, else items slid below this offset (deletions). Items without
     * an id cannot tell: trust them. */
    if (p->overlap && p->offset > p->start) {
        const char *first = count ? item_id(p, p->page_items) : NULL;
        if (count == 0 || (first && !seen_contains(p, first))) {
            int64_t back = p->offset - (int64_t)(p->page_size - p->overlap);
            if (back < p->start)
                back = p->start;
            or_log(p->client, OPENROUTER_LOG_INFO,
                   "%s: the page at offset %lld does not continue the previous one (items were removed); "
                   "stepping back to offset %lld", opid, (long long)p->offset, (long long)back);
            drop_page(p);
            p->offset = back;
            if (p->progress)
                p->progress(p->progress_ctx, p->pages, p->items);
            return OPENROUTER_OK;
        }
    }

    if (count && !(p->fresh = or_calloc(count, sizeof *p->fresh))) {
        drop_page(p);
        p->pages--;
        return or_error_set(error, OPENROUTER_ENOMEM, "%s: out of memory", opid);
    }
    for (size_t i = 0; i < count; i++) {
        const char *id = item_id(p, p->page_items + i * sz);
        int added = id ? seen_add(p, id) : 1;
        if (added < 0) {
            /* Ids added so far stay in the set; a retry of this page finds
             * them seen and yields only the rest. Acceptable under OOM. */
            drop_page(p);
            p->pages--;
            return or_error_set(error, OPENROUTER_ENOMEM, "%s: out of memory", opid);
        }
        if (added)
            p->fresh[p->n_fresh++] = i;
    }
    int full = count >= p->page_size;
    if (full && p->n_fresh == 0)
        return fail(p, error, OPENROUTER_EDECODE, p->offset_param->name,
                    "%s: pagination made no progress at offset %lld", opid, (long long)p->offset);
    p->items += p->n_fresh;
    if (full)
        p->offset += (int64_t)(count - p->overlap);
    else
        p->state = PAGER_DONE;
    or_log(p->client, OPENROUTER_LOG_DEBUG, "%s: page %zu: %zu items, %zu new%s", opid, p->pages, count,
           p->n_fresh, full ? "" : " (last page)");
    if (p->progress)
        p->progress(p->progress_ctx, p->pages, p->items);
    return OPENROUTER_OK;
}

int openrouter_pager_next(openrouter_pager *pager, const void **item, openrouter_error *error)
{
    if (error)
        openrouter_error_clear(error);
    if (item)
        *item = NULL;
    if (!pager || !item)
        return or_error_set(error, OPENROUTER_EINVAL, "pager and item must not be NULL");
    openrouter_pager *p = pager;
    for (;;) {
        if (p->state == PAGER_FAILED)
            return or_error_set_field(error, (openrouter_status)p->fail_rc, p->fail_field, "%s", p->fail_message);
        if (p->page && p->pos < p->n_fresh) {
            size_t index = p->fresh[p->pos++];
            *item = p->page_items + index * p->item_type->slot_size;
            find_item_warnings(p, index);
            return 1;
        }
        drop_page(p); /* before the next request: one page at a time */
        if (p->state == PAGER_DONE)
            return 0;
        int rc = fetch(p, error);
        if (rc != OPENROUTER_OK)
            return rc;
    }
}

const openrouter_warning *openrouter_pager_warnings(const openrouter_pager *pager, size_t *count)
{
    if (count)
        *count = pager ? pager->n_item_warnings : 0;
    return pager ? pager->item_warnings : NULL;
}

int openrouter_pager_each(openrouter_pager **pager, const openrouter_pagination_desc *desc,
                          openrouter_client *client, const void *request, const void **item,
                          openrouter_error *error)
{
    if (item)
        *item = NULL;
    if (!pager) {
        or_error_set(error, OPENROUTER_EINVAL, "pager must not be NULL");
        return 0;
    }
    if (!*pager && openrouter_pager_new(pager, desc, client, request, NULL, error) != OPENROUTER_OK)
        return 0;
    if (openrouter_pager_next(*pager, item, error) == 1)
        return 1;
    openrouter_pager_free(*pager);
    *pager = NULL;
    return 0;
}

void openrouter_pager_free(openrouter_pager *pager)
{
    if (!pager)
        return;
    drop_page(pager);
    drop_raw(pager);
    if (pager->op)
        request_free(pager);
    set_free(&pager->seen);
    set_free(&pager->older);
    or_free(pager);
}

/* ---- everything at once ------------------------------------------------------------ */

/* The warnings of the item just yielded, for the n-th item of `model`. */
static int keep_item_warnings(const openrouter_pager *p, void *model, or_warnings *kept, size_t n)
{
    for (size_t i = 0; i < p->n_item_warnings; i++) {
        const openrouter_warning *w = &p->item_warnings[i];
        const char *rest = "";
        warning_item(p, w->path, &rest);
        char path[512];
        snprintf(path, sizeof path, "%s[%zu]%s", p->items_name, n, rest);
        if (or_warnings_add(kept, model, w->kind, path, w->message) != 0)
            return -1;
    }
    return 0;
}

int openrouter_pager_all(const openrouter_pagination_desc *desc, openrouter_client *client,
                         const void *request, const openrouter_pagination_options *options, void **out,
                         openrouter_error *error)
{
    if (error)
        openrouter_error_clear(error);
    if (!out)
        return or_error_set(error, OPENROUTER_EINVAL, "out must not be NULL");
    *out = NULL;
    /* Everything is held anyway, so by default every id is remembered. */
    openrouter_pagination_options all = OPENROUTER_PAGINATION_OPTIONS_INIT;
    if (options)
        all = *options;
    if (all.remember_ids == 0)
        all.remember_ids = OPENROUTER_REMEMBER_ALL_IDS;
    openrouter_pager *p = NULL;
    int rc = openrouter_pager_new(&p, desc, client, request, &all, error);
    if (rc != OPENROUTER_OK)
        return rc;
    const char *opid = p->op->operation_id;
    size_t sz = p->item_type->slot_size;
    void *model = or_model_new(p->page_desc);
    /* Item structs collect here (their strings go straight into the
     * model's arena), then move into one array of the exact size. */
    char *tmp = NULL;
    size_t n = 0, cap = 0;
    or_warnings kept = OR_WARNINGS_INIT;
    if (!model) {
        rc = or_error_set(error, OPENROUTER_ENOMEM, "%s: out of memory", opid);
        goto done;
    }
    for (;;) {
        const void *item = NULL;
        rc = openrouter_pager_next(p, &item, error);
        if (rc < 0)
            goto done;
        if (rc == 0)
            break;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 128;
            char *bigger = ncap <= SIZE_MAX / sz / 2 ? or_realloc(tmp, ncap * sz) : NULL;
            if (!bigger) {
                rc = or_error_set(error, OPENROUTER_ENOMEM, "%s: out of memory", opid);
                goto done;
            }
            tmp = bigger;
            cap = ncap;
        }
        if (or_model_copy_slot(model, p->item_type, tmp + n * sz, item) != 0 ||
            keep_item_warnings(p, model, &kept, n) != 0) {
            rc = or_error_set(error, OPENROUTER_ENOMEM, "%s: out of memory", opid);
            goto done;
        }
        n++;
    }
    or_array_slot *arr = (or_array_slot *)((char *)model + p->items_field);
    arr->state = OPENROUTER_PRESENT;
    arr->items = NULL;
    arr->count = n;
    if (n) {
        if (!(arr->items = or_model_alloc(model, n * sz))) {
            rc = or_error_set(error, OPENROUTER_ENOMEM, "%s: out of memory", opid);
            goto done;
        }
        memcpy(arr->items, tmp, n * sz);
    }
    rc = or_warnings_attach(&kept, model) == 0 ? OPENROUTER_OK
                                               : or_error_set(error, OPENROUTER_ENOMEM, "%s: out of memory", opid);
done:
    or_warnings_release(&kept);
    if (tmp) {
        or_wipe(tmp, n * sz);
        or_free(tmp);
    }
    openrouter_pager_free(p);
    if (rc != OPENROUTER_OK) {
        openrouter_model_free(model);
        return rc;
    }
    *out = model;
    return OPENROUTER_OK;
}
