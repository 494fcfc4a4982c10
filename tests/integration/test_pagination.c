/* Paging GET /keys with the generated iterator and list-all helper against
 * the stand-in server: list sizes around the page size, keys created and
 * deleted during a walk (no duplicates, nothing missed that was there all
 * along), a server that makes no progress, the page cap, retrying a failed
 * page, argument checks, and memory held while walking. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <json-c/json.h>

#include <openrouter/openrouter.h>

#include "fail_alloc.h"
#include "stub_server.h"
#include "test_util.h"

static stub_server srv;

/* ---- memory accounting through the library's allocator ------------------ */

#ifdef OPENROUTER_ALLOCATOR_VERSION
#define HAVE_ALLOCATOR 1
#define HDR 16
static long long live_bytes;
static void *count_malloc(void *ctx, size_t n)
{
    (void)ctx;
    char *p = malloc(HDR + n);
    if (!p)
        return NULL;
    memcpy(p, &n, sizeof n);
    live_bytes += (long long)n;
    return p + HDR;
}
static void count_free(void *ctx, void *p)
{
    (void)ctx;
    size_t n;
    memcpy(&n, (char *)p - HDR, sizeof n);
    live_bytes -= (long long)n;
    free((char *)p - HDR);
}
static void *count_realloc(void *ctx, void *p, size_t n)
{
    if (!p)
        return count_malloc(ctx, n);
    size_t old;
    memcpy(&old, (char *)p - HDR, sizeof old);
    char *q = realloc((char *)p - HDR, HDR + n);
    if (!q)
        return NULL;
    memcpy(q, &n, sizeof n);
    live_bytes += (long long)n - (long long)old;
    return q + HDR;
}
static const openrouter_allocator counting = {OPENROUTER_ALLOCATOR_VERSION, count_malloc, count_realloc,
                                              count_free, NULL};
#else
#define HAVE_ALLOCATOR 0
#endif

/* ---- helpers -------------------------------------------------------------- */

static openrouter_client *client(void)
{
    openrouter_client_options o = OPENROUTER_CLIENT_OPTIONS_INIT;
    o.api_key = STUB_MANAGEMENT_KEY;
    o.base_url = srv.base_url;
    openrouter_client *c = NULL;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    CU_ASSERT_EQUAL_FATAL(openrouter_client_new(&c, &o, &err), OPENROUTER_OK);
    openrouter_error_clear(&err);
    return c;
}

typedef struct strlist {
    char **v;
    size_t n, cap;
} strlist;

static void sl_add(strlist *l, const char *s)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        CU_ASSERT_PTR_NOT_NULL_FATAL(l->v);
    }
    l->v[l->n++] = strdup(s);
}

static int sl_has(const strlist *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i], s) == 0)
            return 1;
    return 0;
}

static void sl_free(strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Number of values that occur more than once. */
static size_t sl_duplicates(const strlist *l)
{
    if (l->n == 0)
        return 0;
    char **copy = malloc(l->n * sizeof *copy);
    CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
    memcpy(copy, l->v, l->n * sizeof *copy);
    qsort(copy, l->n, sizeof *copy, cmp_str);
    size_t d = 0;
    for (size_t i = 1; i < l->n; i++)
        if (strcmp(copy[i - 1], copy[i]) == 0)
            d++;
    free(copy);
    return d;
}

/* Every stored key's hash (disabled ones included), from the control API. */
static void server_hashes(strlist *out)
{
    json_object *root = NULL, *keys = NULL;
    CU_ASSERT_EQUAL_FATAL(stub_control(&srv, "GET", "/keys", NULL, &root), 0);
    CU_ASSERT_FATAL(json_object_object_get_ex(root, "keys", &keys));
    for (size_t i = 0; i < json_object_array_length(keys); i++) {
        json_object *h = NULL;
        json_object_object_get_ex(json_object_array_get_idx(keys, i), "hash", &h);
        sl_add(out, json_object_get_string(h));
    }
    json_object_put(root);
}

static size_t api_requests(void)
{
    long n = stub_stat(&srv, "requests");
    CU_ASSERT(n >= 0);
    return (size_t)n;
}

typedef struct progress_log {
    size_t calls, pages, items;
    void (*hook)(struct progress_log *log);  /* mutations during the walk */
    openrouter_client *client;
    strlist *deleted;
    int step;
} progress_log;

static void on_progress(void *ctx, size_t pages, size_t items)
{
    progress_log *log = ctx;
    CU_ASSERT_EQUAL(pages, log->calls + 1);
    CU_ASSERT(items >= log->items);
    log->calls++;
    log->pages = pages;
    log->items = items;
    if (log->hook)
        log->hook(log);
}

/* Walks the whole list with the iterator; returns its final status. */
static int walk(openrouter_client *c, const openrouter_list_keys_request *req,
                const openrouter_pagination_options *po, strlist *out, openrouter_error *err)
{
    openrouter_list_keys_iter *it = NULL;
    int rc = openrouter_list_keys_iter_new(&it, c, req, po, err);
    if (rc != OPENROUTER_OK)
        return rc;
    const openrouter_key *key = NULL;
    while ((rc = openrouter_list_keys_iter_next(it, &key, err)) == 1) {
        CU_ASSERT_EQUAL_FATAL(key->hash.state, OPENROUTER_PRESENT);
        sl_add(out, key->hash.value);
    }
    openrouter_list_keys_iter_free(it);
    return rc;
}

/* Pagination options whose pages are tried once: copy `po`, then point
 * its `call` at `co` (the struct may move). */
typedef struct no_retry {
    openrouter_retry_policy once;
    openrouter_call_options co;
    openrouter_pagination_options po;
} no_retry;

static void no_retry_init(no_retry *nr)
{
    openrouter_retry_policy once = OPENROUTER_RETRY_POLICY_INIT;
    openrouter_call_options co = OPENROUTER_CALL_OPTIONS_INIT;
    openrouter_pagination_options po = OPENROUTER_PAGINATION_OPTIONS_INIT;
    nr->once = once;
    nr->once.max_attempts = 1;
    nr->co = co;
    nr->co.retry = &nr->once;
    nr->po = po;
}

static openrouter_list_keys_request all_keys(void)
{
    openrouter_list_keys_request req = OPENROUTER_LIST_KEYS_REQUEST_INIT;
    req.include_disabled = OPENROUTER_BOOL(true);
    return req;
}

/* ---- list sizes ------------------------------------------------------------- */

/* Pages of 100 with the last item of each full page asked again as the
 * first of the next: offsets 0, 99, 198, ... */
static size_t expected_pages(size_t n)
{
    size_t pages = 1;
    for (size_t off = 0; n >= off + 100; off += 99)
        pages++;
    return pages;
}

static void check_size(size_t n)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, (int)n), 0);
    openrouter_client *c = client();
    openrouter_error err = OPENROUTER_ERROR_INIT;
    openrouter_list_keys_request req = all_keys();
    progress_log log = {0};
    openrouter_pagination_options po = OPENROUTER_PAGINATION_OPTIONS_INIT;
    po.progress = on_progress;
    po.progress_ctx = &log;

    strlist got = {0}, want = {0};
    size_t before = api_requests();
    CU_ASSERT_EQUAL(walk(c, &req, &po, &got, &err), 0);
    CU_ASSERT_EQUAL(got.n, n);
    CU_ASSERT_EQUAL(sl_duplicates(&got), 0u);
    CU_ASSERT_EQUAL(log.pages, expected_pages(n));
    CU_ASSERT_EQUAL(log.items, n);
    CU_ASSERT_EQUAL(api_requests() - before, expected_pages(n));
    server_hashes(&want);
    CU_ASSERT_EQUAL(want.n, n);
    for (size_t i = 0; i < got.n && i < want.n; i++)
        CU_ASSERT_STRING_EQUAL(got.v[i], want.v[i]); /* newest first, as the server lists them */

    /* The list-all helper: the same keys, one model. */
    openrouter_key_list *list = NULL;
    CU_ASSERT_EQUAL(openrouter_list_keys_all(c, &req, NULL, &list, &err), OPENROUTER_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(list);
    CU_ASSERT_EQUAL(list->data.state, OPENROUTER_PRESENT);
    CU_ASSERT_EQUAL(list->data.count, n);
    for (size_t i = 0; i < list->data.count && i < got.n; i++) {
        CU_ASSERT_STRING_EQUAL(list->data.items[i].hash.value, got.v[i]);
        CU_ASSERT_EQUAL(list->data.items[i].name.state, OPENROUTER_PRESENT);
    }
    /* It encodes like any decoded model (every string was copied). */
    char *json = NULL;
    size_t len = 0;
    CU_ASSERT_EQUAL(openrouter_key_list_encode(list, &json, &len, &err), OPENROUTER_OK);
    openrouter_key_list *again = NULL;
    CU_ASSERT_EQUAL(openrouter_key_list_decode(json, len, &again, &err), OPENROUTER_OK);
    CU_ASSERT(openrouter_key_list_equal(list, again));
    openrouter_key_list_free(again);
    openrouter_buffer_free(json);
    openrouter_key_list_free(list);

    sl_free(&got);
    sl_free(&want);
    openrouter_error_clear(&err);
    openrouter_client_free(c);
}

/* ---- warnings: one odd key costs one key, and says which ---------------------- */

/* The warning kind of a path among `n` warnings, 0 when none has it. */
static int kind_at(const openrouter_warning *w, size_t n, const char *path)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(w[i].path, path) == 0)
            return (int)w[i].kind;
    return 0;
}

static void test_warnings_across_pages(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 0), 0);
    static const struct {
        size_t pos;             /* place in the list (newest first): pages 1, 1 and 2 */
        const char *hash, *key; /* the odd key */
        const char *member;     /* the member that breaks the description */
        openrouter_warning_kind kind;
    } odd[] = {
        {3, "odd-format", "{\"hash\":\"odd-format\",\"name\":\"f\",\"expires_at\":\"soon\"}", "expires_at",
         OPENROUTER_WARNING_FORMAT},
        {99, "odd-type", "{\"hash\":\"odd-type\",\"name\":\"t\",\"expires_at\":5}", "expires_at",
         OPENROUTER_WARNING_TYPE},
        {180, "odd-user", "{\"hash\":\"odd-user\",\"name\":\"u\",\"external_user\":[]}", "external_user",
         OPENROUTER_WARNING_TYPE},
    };
    for (size_t pos = 250; pos-- > 0;) { /* the last added is listed first */
        char json[96];
        const char *key = json;
        snprintf(json, sizeof json, "{\"hash\":\"plain-%03zu\",\"name\":\"p\"}", pos);
        for (size_t k = 0; k < 3; k++)
            if (odd[k].pos == pos)
                key = odd[k].key;
        CU_ASSERT_EQUAL_FATAL(stub_add_key(&srv, key, NULL, 0), 0);
    }
    openrouter_client *c = client();
    openrouter_error err = OPENROUTER_ERROR_INIT;
    openrouter_list_keys_request req = all_keys();
    /* The iterator: each item's own warnings, with their paths in its page. */
    openrouter_list_keys_iter *it = NULL;
    CU_ASSERT_EQUAL_FATAL(openrouter_list_keys_iter_new(&it, c, &req, NULL, &err), OPENROUTER_OK);
    const openrouter_key *key = NULL;
    size_t items = 0, marked = 0, n = 0;
    while (openrouter_list_keys_iter_next(it, &key, &err) == 1) {
        const openrouter_warning *w = openrouter_list_keys_iter_warnings(it, &n);
        CU_ASSERT_EQUAL(w == NULL, n == 0);
        for (size_t k = 0; k < 3; k++) {
            if (strcmp(key->hash.value, odd[k].hash) != 0)
                continue;
            CU_ASSERT_EQUAL_FATAL(n, 1);
            CU_ASSERT_EQUAL(w[0].kind, odd[k].kind);
            const char *dot = strrchr(w[0].path, '.');
            CU_ASSERT(strncmp(w[0].path, "data[", 5) == 0 && dot && strcmp(dot + 1, odd[k].member) == 0);
            marked++;
        }
        if (strncmp(key->hash.value, "odd-", 4) != 0)
            CU_ASSERT_EQUAL(n, 0);
        items++;
    }
    openrouter_list_keys_iter_free(it);
    CU_ASSERT_EQUAL(items, 250);
    CU_ASSERT_EQUAL(marked, 3);
    /* The list-all helper: renumbered as in the one list it returns. */
    openrouter_key_list *list = NULL;
    CU_ASSERT_EQUAL_FATAL(openrouter_list_keys_all(c, &req, NULL, &list, &err), OPENROUTER_OK);
    CU_ASSERT_EQUAL_FATAL(list->data.count, 250);
    const openrouter_warning *w = openrouter_model_warnings(list, &n);
    CU_ASSERT_EQUAL(n, 3);
    for (size_t k = 0; k < 3; k++) {
        char want[64];
        snprintf(want, sizeof want, "data[%zu].%s", odd[k].pos, odd[k].member);
        CU_ASSERT_EQUAL(kind_at(w, n, want), (int)odd[k].kind);
        CU_ASSERT_STRING_EQUAL(list->data.items[odd[k].pos].hash.value, odd[k].hash);
    }
    CU_ASSERT_STRING_EQUAL(list->data.items[3].expires_at.value, "soon"); /* kept as received */
    CU_ASSERT_EQUAL(list->data.items[99].expires_at.state, OPENROUTER_ABSENT);
    openrouter_key_list_free(list);
    openrouter_error_clear(&err);
    openrouter_client_free(c);
}

static void test_empty(void) { check_size(0); }
static void test_one(void) { check_size(1); }
static void test_exactly_one_page(void) { check_size(100); }
static void test_one_more_than_a_page(void) { check_size(101); }
static void test_1050(void) { check_size(1050); }

static void test_default_hides_disabled(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 1050), 0);
    openrouter_client *c = client();
    openrouter_error err = OPENROUTER_ERROR_INIT;
    openrouter_key_list *list = NULL;
    CU_ASSERT_EQUAL(openrouter_list_keys_all(c, NULL, NULL, &list, &err), OPENROUTER_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(list);
    CU_ASSERT_EQUAL(list->data.count, 1050u - 105u); /* seed i % 10 == 9 are disabled */
    openrouter_key_list_free(list);
    openrouter_client_free(c);
}

static void test_start_offset_and_copied_request(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 250), 0);
    openrouter_client *c = client();
    openrouter_error err = OPENROUTER_ERROR_INIT;
    openrouter_list_keys_request *req = calloc(1, sizeof *req);
    req->include_disabled = OPENROUTER_BOOL(true);
    req->offset = OPENROUTER_INT64(150);
    char *workspace = strdup(STUB_DEFAULT_WORKSPACE_ID), *app_title = strdup("Pager");
    req->workspace_id = OPENROUTER_STRING(workspace);
    req->x_openrouter_title = OPENROUTER_STRING(app_title);
    openrouter_list_keys_iter *it = NULL;
    CU_ASSERT_EQUAL_FATAL(openrouter_list_keys_iter_new(&it, c, req, NULL, &err), OPENROUTER_OK);
    /* The iterator keeps its own copy: the caller's may go now. */
    memset(workspace, 'x', strlen(workspace));
    free(workspace);
    free(app_title);
    free(req);
    strlist got = {0}, want = {0};
    const openrouter_key *key;
    int rc;
    while ((rc = openrouter_list_keys_iter_next(it, &key, &err)) == 1)
        sl_add(&got, key->hash.value);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_EQUAL(openrouter_list_keys_iter_next(it, &key, &err), 0); /* stays at the end */
    CU_ASSERT_PTR_NULL(key);
    openrouter_list_keys_iter_free(it);
    server_hashes(&want);
    CU_ASSERT_EQUAL_FATAL(got.n, 100u);
    for (size_t i = 0; i < got.n; i++)
        CU_ASSERT_STRING_EQUAL(got.v[i], want.v[150 + i]);
    json_object *log = stub_requests(&srv), *list = NULL;
    json_object_object_get_ex(log, "requests", &list);
    json_object *last = json_object_array_get_idx(list, json_object_array_length(list) - 1);
    json_object *headers = NULL, *title = NULL;
    json_object_object_get_ex(last, "headers", &headers);
    CU_ASSERT(json_object_object_get_ex(headers, "x-openrouter-title", &title));
    CU_ASSERT_STRING_EQUAL(json_object_get_string(title), "Pager");
    json_object_put(log);
    sl_free(&got);
    sl_free(&want);
    openrouter_error_clear(&err);
    openrouter_client_free(c);
}

/* ---- keys created or deleted during the walk -------------------------------- */

static void create_some(progress_log *log)
{
    if (log->calls != 1 && log->calls != 3)
        return;
    /* Newest first: new keys go to the front and push everything back. */
    for (int i = 0; i < 7; i++)
        CU_ASSERT_EQUAL(stub_add_key(&srv, "{\"name\":\"created-during-walk\"}", NULL, 0), 0);
    /* The same client may be used from the callback. */
    openrouter_create_key_request req = OPENROUTER_CREATE_KEY_REQUEST_INIT;
    req.body.name = OPENROUTER_STRING("created-through-the-api");
    openrouter_created_key *out = NULL;
    CU_ASSERT_EQUAL(openrouter_create_key(log->client, &req, &out, NULL, NULL), OPENROUTER_OK);
    openrouter_created_key_free(out);
}

static void test_keys_created_during_walk(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 450), 0);
    openrouter_client *c = client();
    strlist before = {0}, got = {0};
    server_hashes(&before);
    progress_log log = {0};
    log.hook = create_some;
    log.client = c;
    openrouter_pagination_options po = OPENROUTER_PAGINATION_OPTIONS_INIT;
    po.progress = on_progress;
    po.progress_ctx = &log;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    openrouter_list_keys_request req = all_keys();
    CU_ASSERT_EQUAL(walk(c, &req, &po, &got, &err), 0);
    CU_ASSERT_EQUAL(sl_duplicates(&got), 0u);
    size_t missed = 0;
    for (size_t i = 0; i < before.n; i++)
        missed += !sl_has(&got, before.v[i]);
    CU_ASSERT_EQUAL(missed, 0u);
    CU_ASSERT_EQUAL(stub_count_keys(&srv), 450 + 16);
    sl_free(&before);
    sl_free(&got);
    openrouter_client_free(c);
}

static void delete_key(openrouter_client *c, const char *hash)
{
    openrouter_delete_key_request req = OPENROUTER_DELETE_KEY_REQUEST_INIT;
    req.hash = hash;
    openrouter_delete_key_response *out = NULL;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    CU_ASSERT_EQUAL(openrouter_delete_key(c, &req, &out, NULL, &err), OPENROUTER_OK);
    openrouter_delete_key_response_free(out);
    openrouter_error_clear(&err);
}

/* After page 1: delete 5 keys already seen (the rest slides towards offset
 * 0, under the next offset) and 3 not seen yet. After page 3: delete 150
 * seen keys at once (more than a page). */
static void delete_some(progress_log *log)
{
    strlist now = {0};
    if (log->calls == 1) {
        server_hashes(&now);
        const size_t idx[] = {0, 10, 50, 98, 99, 200, 300, 301};
        for (size_t i = 0; i < sizeof idx / sizeof idx[0]; i++) {
            sl_add(log->deleted, now.v[idx[i]]);
            delete_key(log->client, now.v[idx[i]]);
        }
    } else if (log->calls == 3) {
        server_hashes(&now);
        for (size_t i = 10; i < 160; i++) {
            sl_add(log->deleted, now.v[i]);
            delete_key(log->client, now.v[i]);
        }
    }
    sl_free(&now);
}

static void test_keys_deleted_during_walk(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 450), 0);
    openrouter_client *c = client();
    strlist before = {0}, got = {0}, deleted = {0};
    server_hashes(&before);
    progress_log log = {0};
    log.hook = delete_some;
    log.client = c;
    log.deleted = &deleted;
    openrouter_pagination_options po = OPENROUTER_PAGINATION_OPTIONS_INIT;
    po.progress = on_progress;
    po.progress_ctx = &log;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    openrouter_list_keys_request req = all_keys();
    CU_ASSERT_EQUAL(walk(c, &req, &po, &got, &err), 0);
    CU_ASSERT_EQUAL(deleted.n, 158u);
    CU_ASSERT_EQUAL(sl_duplicates(&got), 0u);
    size_t missed = 0;
    for (size_t i = 0; i < before.n; i++)
        if (!sl_has(&deleted, before.v[i]))
            missed += !sl_has(&got, before.v[i]);
    CU_ASSERT_EQUAL(missed, 0u);
    /* Nothing yielded that was never there. */
    for (size_t i = 0; i < got.n; i++)
        CU_ASSERT(sl_has(&before, got.v[i]));
    sl_free(&before);
    sl_free(&got);
    sl_free(&deleted);
    openrouter_error_clear(&err);
    openrouter_client_free(c);
}

/* Between next() calls, without the callback: delete the key just
 * returned, then one further down. */
static void test_delete_between_next_calls(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 230), 0);
    openrouter_client *c = client();
    strlist before = {0}, got = {0}, deleted = {0};
    server_hashes(&before);
    openrouter_list_keys_request req = all_keys();
    openrouter_list_keys_iter *it = NULL;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    CU_ASSERT_EQUAL_FATAL(openrouter_list_keys_iter_new(&it, c, &req, NULL, &err), OPENROUTER_OK);
    const openrouter_key *key;
    int rc;
    size_t i = 0;
    while ((rc = openrouter_list_keys_iter_next(it, &key, &err)) == 1) {
        sl_add(&got, key->hash.value);
        if (i % 37 == 5) {
            sl_add(&deleted, key->hash.value);
            delete_key(c, key->hash.value);
        }
        i++;
    }
    CU_ASSERT_EQUAL(rc, 0);
    openrouter_list_keys_iter_free(it);
    CU_ASSERT_EQUAL(sl_duplicates(&got), 0u);
    CU_ASSERT_EQUAL(got.n, 230u); /* each was deleted only after it was returned */
    sl_free(&before);
    sl_free(&got);
    sl_free(&deleted);
    openrouter_error_clear(&err);
    openrouter_client_free(c);
}

/* ---- failures --------------------------------------------------------------- */

/* A full page of 100 made-up keys, as a body_override value. */
static char *fake_page(void)
{
    size_t cap = 100 * 64 + 64, n = 0;
    char *s = malloc(cap);
    n += (size_t)snprintf(s + n, cap - n, "{\"data\":[");
    for (int i = 0; i < 100; i++)
        n += (size_t)snprintf(s + n, cap - n, "%s{\"hash\":\"h%03d\",\"name\":\"k\"}", i ? "," : "", i);
    snprintf(s + n, cap - n, "]}");
    return s;
}

static void test_no_progress(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 150), 0);
    openrouter_client *c = client();
    char *page = fake_page();
    char faults[8192];
    /* Every request answers the same full page: the second makes no progress. */
    snprintf(faults, sizeof faults,
             "{\"faults\":[{\"match\":{\"method\":\"GET\",\"path_prefix\":\"/api/v1/keys\"},\"times\":4,"
             "\"body_override\":%s}]}",
             page);
    CU_ASSERT_EQUAL_FATAL(stub_add_faults(&srv, faults), 0);
    openrouter_list_keys_iter *it = NULL;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    CU_ASSERT_EQUAL_FATAL(openrouter_list_keys_iter_new(&it, c, NULL, NULL, &err), OPENROUTER_OK);
    const openrouter_key *key;
    int rc, n = 0;
    while ((rc = openrouter_list_keys_iter_next(it, &key, &err)) == 1)
        n++;
    CU_ASSERT_EQUAL(n, 100);
    CU_ASSERT_EQUAL(rc, OPENROUTER_EDECODE);
    CU_ASSERT_EQUAL(err.kind, OPENROUTER_EDECODE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "pagination made no progress at offset 99"));
    CU_ASSERT_STRING_EQUAL(err.field, "offset");
    /* Final: asking again reports it again, without another request. */
    size_t before = api_requests();
    CU_ASSERT_EQUAL(openrouter_list_keys_iter_next(it, &key, &err), OPENROUTER_EDECODE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "no progress"));
    CU_ASSERT_EQUAL(api_requests(), before);
    openrouter_list_keys_iter_free(it);

    openrouter_key_list *list = (openrouter_key_list *)&err; /* must be reset to NULL */
    CU_ASSERT_EQUAL(openrouter_list_keys_all(c, NULL, NULL, &list, &err), OPENROUTER_EDECODE);
    CU_ASSERT_PTR_NULL(list);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "no progress"));
    stub_clear_faults(&srv);
    free(page);
    openrouter_error_clear(&err);
    openrouter_client_free(c);
}

static void test_page_cap(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 350), 0);
    openrouter_client *c = client();
    openrouter_error err = OPENROUTER_ERROR_INIT;
    openrouter_list_keys_request req = all_keys();
    openrouter_pagination_options po = OPENROUTER_PAGINATION_OPTIONS_INIT;
    po.max_pages = 2;
    strlist got = {0};
    size_t before = api_requests();
    CU_ASSERT_EQUAL(walk(c, &req, &po, &got, &err), OPENROUTER_EDECODE);
    CU_ASSERT_EQUAL(got.n, 199u);
    CU_ASSERT_EQUAL(api_requests() - before, 2u);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "page cap of 2 reached"));
    CU_ASSERT_STRING_EQUAL(err.field, "max_pages");
    openrouter_key_list *list = NULL;
    CU_ASSERT_EQUAL(openrouter_list_keys_all(c, &req, &po, &list, &err), OPENROUTER_EDECODE);
    CU_ASSERT_PTR_NULL(list);
    /* Four pages are exactly enough for 350 keys (0, 99, 198, 297). */
    po.max_pages = 4;
    CU_ASSERT_EQUAL(openrouter_list_keys_all(c, &req, &po, &list, &err), OPENROUTER_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(list);
    CU_ASSERT_EQUAL(list->data.count, 350u);
    openrouter_key_list_free(list);
    sl_free(&got);
    openrouter_error_clear(&err);
    openrouter_client_free(c);
}

/* A page that fails is not consumed: next() again retries it. Per-page
 * call options apply (one attempt, so the failure surfaces at once). */
static void test_failed_page_is_retried(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 250), 0);
    openrouter_client *c = client();
    no_retry nr;
    no_retry_init(&nr);
    openrouter_pagination_options po = nr.po;
    po.call = &nr.co;
    openrouter_list_keys_request req = all_keys();
    openrouter_list_keys_iter *it = NULL;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    CU_ASSERT_EQUAL_FATAL(openrouter_list_keys_iter_new(&it, c, &req, &po, &err), OPENROUTER_OK);
    strlist got = {0};
    const openrouter_key *key;
    int rc, failures = 0;
    for (;;) {
        rc = openrouter_list_keys_iter_next(it, &key, &err);
        if (rc == 1) {
            sl_add(&got, key->hash.value);
            if (got.n == 100) /* the next request (page 2) fails once */
                CU_ASSERT_EQUAL_FATAL(stub_add_faults(&srv, "{\"faults\":[{\"status\":503}]}"), 0);
            continue;
        }
        if (rc == OPENROUTER_EHTTP) {
            CU_ASSERT_EQUAL(err.http_status, 503);
            CU_ASSERT_EQUAL(err.attempts, 1);
            failures++;
            continue;
        }
        break;
    }
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_EQUAL(failures, 1);
    CU_ASSERT_EQUAL(got.n, 250u);
    CU_ASSERT_EQUAL(sl_duplicates(&got), 0u);
    openrouter_list_keys_iter_free(it);
    sl_free(&got);
    openrouter_error_clear(&err);
    openrouter_client_free(c);
}

/* The loop in one condition: the same keys as the iterator, the walk freed
 * at the end and after a failure, and a walk started with options of one's
 * own continued by it. */
static void test_each(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 250), 0);
    openrouter_client *c = client();
    openrouter_error err = OPENROUTER_ERROR_INIT;
    openrouter_list_keys_request req = all_keys();
    strlist got = {0}, want = {0};
    CU_ASSERT_EQUAL(walk(c, &req, NULL, &want, &err), 0);
    openrouter_list_keys_iter *it = NULL;
    const openrouter_key *key = NULL;
    while (openrouter_list_keys_each(&it, c, &req, &key, &err))
        sl_add(&got, key->hash.value);
    CU_ASSERT_EQUAL(err.kind, OPENROUTER_OK);
    CU_ASSERT_PTR_NULL(it);
    CU_ASSERT_PTR_NULL(key);
    CU_ASSERT_EQUAL(got.n, 250u);
    for (size_t i = 0; i < got.n && i < want.n; i++)
        CU_ASSERT_STRING_EQUAL(got.v[i], want.v[i]);
    sl_free(&got);

    /* A failure ends the loop: the walk is freed, the error says why. */
    no_retry nr;
    no_retry_init(&nr);
    openrouter_pagination_options po = nr.po;
    po.call = &nr.co;
    CU_ASSERT_EQUAL_FATAL(openrouter_list_keys_iter_new(&it, c, &req, &po, &err), OPENROUTER_OK);
    size_t n = 0;
    while (openrouter_list_keys_each(&it, NULL, NULL, &key, &err)) {
        if (++n == 100) /* page 2 fails, and this walk does not retry */
            CU_ASSERT_EQUAL_FATAL(stub_add_faults(&srv, "{\"faults\":[{\"status\":503}]}"), 0);
    }
    CU_ASSERT_EQUAL(err.kind, OPENROUTER_EHTTP);
    CU_ASSERT_EQUAL(err.http_status, 503);
    CU_ASSERT_EQUAL(n, 100u);
    CU_ASSERT_PTR_NULL(it);

    /* Options of one's own: a page cap of 1 through iter_new. */
    po.max_pages = 1;
    CU_ASSERT_EQUAL_FATAL(openrouter_list_keys_iter_new(&it, c, &req, &po, &err), OPENROUTER_OK);
    n = 0;
    while (openrouter_list_keys_each(&it, c, &req, &key, &err))
        n++;
    CU_ASSERT_EQUAL(n, 100u);
    CU_ASSERT_EQUAL(err.kind, OPENROUTER_EDECODE);
    CU_ASSERT_STRING_EQUAL(err.field, "max_pages");

    /* Left early: freed by the caller (valgrind checks). */
    CU_ASSERT_EQUAL(openrouter_list_keys_each(&it, c, &req, &key, &err), 1);
    CU_ASSERT_PTR_NOT_NULL(it);
    openrouter_list_keys_iter_free(it);
    it = NULL;
    /* A walk that cannot start: 0, EINVAL. */
    CU_ASSERT_EQUAL(openrouter_list_keys_each(&it, NULL, &req, &key, &err), 0);
    CU_ASSERT_EQUAL(err.kind, OPENROUTER_EINVAL);
    CU_ASSERT_EQUAL(openrouter_list_keys_each(NULL, c, &req, &key, &err), 0);
    CU_ASSERT_EQUAL(err.kind, OPENROUTER_EINVAL);
    sl_free(&want);
    openrouter_error_clear(&err);
    openrouter_client_free(c);
}

static void test_invalid_arguments(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 5), 0);
    openrouter_client *c = client();
    openrouter_error err = OPENROUTER_ERROR_INIT;
    openrouter_list_keys_iter *it = (openrouter_list_keys_iter *)&err;
    size_t before = api_requests();
    CU_ASSERT_EQUAL(openrouter_list_keys_iter_new(NULL, c, NULL, NULL, &err), OPENROUTER_EINVAL);
    CU_ASSERT_EQUAL(openrouter_list_keys_iter_new(&it, NULL, NULL, NULL, &err), OPENROUTER_EINVAL);
    CU_ASSERT_PTR_NULL(it);
    openrouter_pagination_options po = OPENROUTER_PAGINATION_OPTIONS_INIT;
    po.version = 99;
    CU_ASSERT_EQUAL(openrouter_list_keys_iter_new(&it, c, NULL, &po, &err), OPENROUTER_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.field, "options.version");
    openrouter_list_keys_request req = OPENROUTER_LIST_KEYS_REQUEST_INIT;
    req.offset = OPENROUTER_INT64(-1);
    CU_ASSERT_EQUAL(openrouter_list_keys_iter_new(&it, c, &req, NULL, &err), OPENROUTER_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.field, "offset");
    openrouter_key_list *list = NULL;
    CU_ASSERT_EQUAL(openrouter_list_keys_all(c, &req, NULL, &list, &err), OPENROUTER_EINVAL);
    CU_ASSERT_EQUAL(openrouter_list_keys_all(c, NULL, NULL, NULL, &err), OPENROUTER_EINVAL);
    CU_ASSERT_EQUAL(openrouter_list_keys_iter_next(NULL, NULL, &err), OPENROUTER_EINVAL);
    openrouter_list_keys_iter_free(NULL);
    CU_ASSERT_EQUAL(api_requests(), before);
    /* A bad value the server rejects surfaces from next(). */
    req = all_keys();
    req.workspace_id = OPENROUTER_STRING("not-a-uuid");
    CU_ASSERT_EQUAL_FATAL(openrouter_list_keys_iter_new(&it, c, &req, NULL, &err), OPENROUTER_OK);
    const openrouter_key *key = NULL;
    CU_ASSERT_EQUAL(openrouter_list_keys_iter_next(it, &key, NULL), OPENROUTER_EHTTP);
    openrouter_list_keys_iter_free(it);
    openrouter_error_clear(&err);
    openrouter_client_free(c);
}

/* ---- memory ------------------------------------------------------------------- */

/* Every allocation the walk makes, failed in turn: ENOMEM (or the whole
 * list), never a crash or a leak (valgrind). */
static void test_out_of_memory_everywhere(void)
{
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 120), 0);
    openrouter_client *c = client();
    openrouter_list_keys_request req = all_keys();
    openrouter_error err = OPENROUTER_ERROR_INIT;
    or_test_fail_alloc(0);
    openrouter_key_list *list = NULL;
    CU_ASSERT_EQUAL_FATAL(openrouter_list_keys_all(c, &req, NULL, &list, &err), OPENROUTER_OK);
    openrouter_key_list_free(list);
    long total = or_test_fail_alloc(0);
    CU_ASSERT(total > 0);
    size_t failed = 0;
    for (long nth = 1; nth <= total; nth++) {
        list = NULL;
        or_test_fail_alloc(nth);
        int rc = openrouter_list_keys_all(c, &req, NULL, &list, &err);
        or_test_fail_alloc(0);
        CU_ASSERT(rc == OPENROUTER_OK || rc == OPENROUTER_ENOMEM);
        if (rc == OPENROUTER_OK) {
            CU_ASSERT_EQUAL(list->data.count, 120u);
        } else {
            CU_ASSERT_PTR_NULL(list);
            failed++;
        }
        openrouter_key_list_free(list);
        /* The iterator, failing once mid-walk, then retried. */
        openrouter_list_keys_iter *it = NULL;
        if (openrouter_list_keys_iter_new(&it, c, &req, NULL, &err) != OPENROUTER_OK)
            continue;
        or_test_fail_alloc(nth);
        size_t n = 0, errors = 0;
        const openrouter_key *key;
        for (;;) {
            rc = openrouter_list_keys_iter_next(it, &key, &err);
            if (rc == 1) {
                n++;
                continue;
            }
            if (rc == OPENROUTER_ENOMEM && ++errors < 3)
                continue; /* retry the page */
            break;
        }
        or_test_fail_alloc(0);
        CU_ASSERT(rc == 0 || rc == OPENROUTER_ENOMEM);
        CU_ASSERT(n <= 120);
        openrouter_list_keys_iter_free(it);
    }
    CU_ASSERT(failed > 0);
    openrouter_error_clear(&err);
    openrouter_client_free(c);
}

typedef struct mem_probe {
    long long at_page[16];
} mem_probe;

#if HAVE_ALLOCATOR
static void probe(void *ctx, size_t pages, size_t items)
{
    (void)items;
    mem_probe *m = ctx;
    if (pages < 16)
        m->at_page[pages] = live_bytes;
}
#endif

/* While iterating, what the library holds grows only by the id set (well
 * under 200 bytes an id), not by the pages (about 1 KB a key). */
static void test_memory_bounded(void)
{
#if HAVE_ALLOCATOR
    CU_ASSERT_EQUAL_FATAL(stub_reset(&srv, 1050), 0);
    openrouter_client *c = client();
    openrouter_list_keys_request req = all_keys();
    mem_probe m = {{0}};
    openrouter_pagination_options po = OPENROUTER_PAGINATION_OPTIONS_INIT;
    po.progress = probe;
    po.progress_ctx = &m;
    strlist got = {0};
    openrouter_error err = OPENROUTER_ERROR_INIT;
    CU_ASSERT_EQUAL(walk(c, &req, &po, &got, &err), 0);
    CU_ASSERT_EQUAL(got.n, 1050u);
    /* After page 2 the walk knows 199 ids, after page 10 991. */
    long long growth = m.at_page[10] - m.at_page[2];
    CU_ASSERT(m.at_page[2] > 0);
    CU_ASSERT(growth < (991 - 199) * 200LL);
    if (growth >= (991 - 199) * 200LL)
        fprintf(stderr, "live bytes after page 2: %lld, after page 10: %lld\n", m.at_page[2], m.at_page[10]);

    /* With a small id memory the walk holds the same from page 4 to 10:
     * one page and at most 100 ids (unbounded, 600 more ids would be held). */
    mem_probe small = {{0}};
    po.progress_ctx = &small;
    po.remember_ids = 100;
    strlist got_small = {0};
    CU_ASSERT_EQUAL(walk(c, &req, &po, &got_small, &err), 0);
    CU_ASSERT_EQUAL(got_small.n, 1050u);
    CU_ASSERT_EQUAL(sl_duplicates(&got_small), 0u);
    long long drift = small.at_page[10] - small.at_page[4];
    CU_ASSERT(drift < 20000 && drift > -20000);
    if (!(drift < 20000 && drift > -20000))
        fprintf(stderr, "bounded walk: live bytes after page 4: %lld, after page 10: %lld\n", small.at_page[4],
                small.at_page[10]);
    sl_free(&got_small);

    /* The list-all helper holds everything, and says so. */
    long long base = live_bytes;
    openrouter_key_list *list = NULL;
    CU_ASSERT_EQUAL(openrouter_list_keys_all(c, &req, NULL, &list, &err), OPENROUTER_OK);
    CU_ASSERT(live_bytes - base > 1050 * 200LL);
    openrouter_key_list_free(list);
    sl_free(&got);
    openrouter_client_free(c);
#else
    fprintf(stderr, "(no openrouter_set_allocator: skipped)\n");
#endif
}

static int suite_init(void) { return stub_start(&srv, 0); }
static int suite_clean(void) { stub_stop(&srv); return 0; }

int main(void)
{
#if HAVE_ALLOCATOR
    if (or_test_fail_alloc_install(&counting) != 0)
        return 1;
#else
    if (or_test_fail_alloc_install(NULL) != 0)
        return 1;
#endif
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("pagination", suite_init, suite_clean);
    CU_add_test(s, "no keys", test_empty);
    CU_add_test(s, "one key", test_one);
    CU_add_test(s, "exactly one page", test_exactly_one_page);
    CU_add_test(s, "one more than a page", test_one_more_than_a_page);
    CU_add_test(s, "1,050 keys", test_1050);
    CU_add_test(s, "disabled keys hidden by default", test_default_hides_disabled);
    CU_add_test(s, "start offset, request copied", test_start_offset_and_copied_request);
    CU_add_test(s, "keys created during the walk", test_keys_created_during_walk);
    CU_add_test(s, "keys deleted during the walk", test_keys_deleted_during_walk);
    CU_add_test(s, "delete between next() calls", test_delete_between_next_calls);
    CU_add_test(s, "no progress", test_no_progress);
    CU_add_test(s, "page cap", test_page_cap);
    CU_add_test(s, "failed page is retried", test_failed_page_is_retried);
    CU_add_test(s, "the walk as one loop condition (*_each)", test_each);
    CU_add_test(s, "invalid arguments", test_invalid_arguments);
    CU_add_test(s, "memory bounded while iterating", test_memory_bounded);
    CU_add_test(s, "out of memory everywhere", test_out_of_memory_everywhere);
    CU_add_test(s, "warnings of odd keys, per item and renumbered", test_warnings_across_pages);
    return or_test_run();
}
