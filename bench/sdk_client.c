/* The SDK side of the benchmarks: the same calls as minimal_client.c, made
 * through libopenrouter, reading every field of every key the same way.
 * Command line and output: see bench_common.h. Built by bench/run against
 * the repository's CMake build (target openrouter_static); when the library
 * does not build yet, bench/run reports the SDK rows as "not built".
 *
 * Connection reuse is measured by the server (nginx stub_status, or the delay
 * server's /_status for conc), not here. */
#include "bench_common.h"

#include <openrouter/async.h>
#include <openrouter/openrouter.h>

#define CLIENT "sdk"
#define API_KEY "sk-or-v1-0000000000000000000000000000000000000000000000000000000000000000"
#define PAGE_SIZE 100

/* Offsets are `integer` in the spec; the generator maps that to int64. */
#ifndef BENCH_OFFSET
#define BENCH_OFFSET(v) OPENROUTER_INT64(v)
#endif

#define S_(w) ((w).state == OPENROUTER_PRESENT ? (w).value : NULL)
#define N_(h, w) bench_mix_num((h), (w).state == OPENROUTER_PRESENT, (w).value)
#define B_(h, w) bench_mix((h), (uint64_t)(w).value)

/* Every field of one key (a pointer to the generated key struct): the same
 * fields, order and folding as minimal_client.c's mix_key(), so the two
 * checksums agree when both decoded the same values. The enum is read as
 * its `value` constant too, so the SDK pays for what a caller would use. */
#define MIX_KEY(h, k)                                                                       \
    do {                                                                                    \
        (h) = bench_mix_s((h), S_((k)->hash));                                              \
        (h) = bench_mix_s((h), S_((k)->name));                                              \
        (h) = bench_mix_s((h), S_((k)->label));                                             \
        (h) = B_((h), (k)->disabled);                                                       \
        (h) = N_((h), (k)->limit);                                                          \
        (h) = N_((h), (k)->limit_remaining);                                                \
        enum_sink += (k)->limit_reset.value;                                                \
        (h) = bench_mix_s((h), (k)->limit_reset.state == OPENROUTER_PRESENT                 \
                                   ? (k)->limit_reset.text : NULL);                         \
        (h) = B_((h), (k)->include_byok_in_limit);                                          \
        (h) = bench_mix_d((h), (k)->usage.value);                                           \
        (h) = bench_mix_d((h), (k)->usage_daily.value);                                     \
        (h) = bench_mix_d((h), (k)->usage_weekly.value);                                    \
        (h) = bench_mix_d((h), (k)->usage_monthly.value);                                   \
        (h) = bench_mix_d((h), (k)->byok_usage.value);                                      \
        (h) = bench_mix_d((h), (k)->byok_usage_daily.value);                                \
        (h) = bench_mix_d((h), (k)->byok_usage_weekly.value);                               \
        (h) = bench_mix_d((h), (k)->byok_usage_monthly.value);                              \
        (h) = bench_mix_s((h), S_((k)->created_at));                                        \
        (h) = bench_mix_s((h), S_((k)->updated_at));                                        \
        (h) = bench_mix_s((h), S_((k)->expires_at));                                        \
        (h) = bench_mix_s((h), S_((k)->creator_user_id));                                   \
        (h) = bench_mix_s((h), S_((k)->workspace_id));                                      \
        (h) = bench_mix_s((h), S_((k)->external_user));                                     \
    } while (0)

static volatile long enum_sink;

static void fail(const char *what, int rc, openrouter_error *err) {
    fprintf(stderr, CLIENT ": %s failed: %s (%d) http=%ld field=%s: %s\n", what,
            openrouter_status_name(rc), rc, err->http_status, err->field, err->message);
    openrouter_error_clear(err);
    exit(1);
}

static openrouter_client *make_client(const bench_args *a) {
    openrouter_client_options o = OPENROUTER_CLIENT_OPTIONS_INIT;
    openrouter_client *c = NULL;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    int rc;
    o.api_key = API_KEY;
    o.base_url = a->url;
    rc = openrouter_client_new(&c, &o, &err);
    if (rc != 0) fail("openrouter_client_new", rc, &err);
    return c;
}

static void run_get(const bench_args *a) {
    openrouter_client *c = make_client(a);
    openrouter_error err = OPENROUTER_ERROR_INIT;
    uint64_t h = 0;
    bench_clock t0 = bench_now(), t1;
    for (long i = 0; i < a->warmup + a->n; i++) {
        openrouter_get_key_request r = OPENROUTER_GET_KEY_REQUEST_INIT;
        openrouter_key_response *out = NULL;
        int rc;
        if (i == a->warmup) t0 = bench_now();
        r.hash = a->hash;
        rc = openrouter_get_key(c, &r, &out, NULL, &err);
        if (rc != 0) fail("openrouter_get_key", rc, &err);
        MIX_KEY(h, &out->data.value);
        openrouter_key_response_free(out);
    }
    t1 = bench_now();
    bench_report(CLIENT, "get", a, a->n, -1, 0, t0, t1, -1, h, -1, -1);
    openrouter_client_free(c);
}

static void run_list(const bench_args *a) {
    openrouter_client *c = make_client(a);
    openrouter_error err = OPENROUTER_ERROR_INIT;
    uint64_t h = 0;
    size_t keys = 0;
    bench_clock t0 = bench_now(), t1;
    for (long i = 0; i < a->warmup + a->n; i++) {
        openrouter_list_keys_request lr = OPENROUTER_LIST_KEYS_REQUEST_INIT;
        openrouter_key_list *l = NULL;
        int rc;
        if (i == a->warmup) { t0 = bench_now(); keys = 0; }
        lr.offset = BENCH_OFFSET((i % 1000) * PAGE_SIZE);
        rc = openrouter_list_keys(c, &lr, &l, NULL, &err);
        if (rc != 0) fail("openrouter_list_keys", rc, &err);
        for (size_t k = 0; k < l->data.count; k++) MIX_KEY(h, &l->data.items[k]);
        keys += l->data.count;
        openrouter_key_list_free(l);
    }
    t1 = bench_now();
    bench_report(CLIENT, "list", a, a->n, (long)keys, 0, t0, t1, -1, h, -1, -1);
    openrouter_client_free(c);
}

/* The pagination path. With the generated iterator (the default), every
 * key of the list once, in order; built with -DBENCH_NO_ITER (bench/run
 * falls back to that when this SDK build has no openrouter_list_keys_iter),
 * a plain offset loop like minimal_client.c's. */
#ifndef BENCH_NO_ITER
static void on_progress(void *ctx, size_t pages, size_t items) {
    (void)items;
    *(long *)ctx = (long)pages;
}
#endif

static void run_paginate(const bench_args *a) {
    openrouter_client *c = make_client(a);
    openrouter_error err = OPENROUTER_ERROR_INIT;
    openrouter_list_keys_request lr = OPENROUTER_LIST_KEYS_REQUEST_INIT;
    uint64_t h = 0;
    size_t keys = 0;
    long pages = 0, rss_base = bench_rss_kb();
    bench_clock t0 = bench_now(), t1;
    int rc;
#ifndef BENCH_NO_ITER
    openrouter_list_keys_iter *it = NULL;
    openrouter_pagination_options po = OPENROUTER_PAGINATION_OPTIONS_INIT;
    const openrouter_key *key;
    po.max_pages = a->pages > 0 ? (size_t)a->pages : 100000; /* the default (1,000) is too few here */
    po.progress = on_progress;
    po.progress_ctx = &pages;
    rc = openrouter_list_keys_iter_new(&it, c, &lr, &po, &err);
    if (rc != 0) fail("openrouter_list_keys_iter_new", rc, &err);
    while ((rc = openrouter_list_keys_iter_next(it, &key, &err)) == 1) {
        MIX_KEY(h, key);
        keys++;
    }
    if (rc < 0) fail("openrouter_list_keys_iter_next", rc, &err);
    openrouter_list_keys_iter_free(it);
#else
    for (long offset = 0;; offset += PAGE_SIZE) {
        openrouter_key_list *l = NULL;
        size_t count;
        lr.offset = BENCH_OFFSET(offset);
        rc = openrouter_list_keys(c, &lr, &l, NULL, &err);
        if (rc != 0) fail("openrouter_list_keys", rc, &err);
        for (size_t k = 0; k < l->data.count; k++) MIX_KEY(h, &l->data.items[k]);
        count = l->data.count;
        openrouter_key_list_free(l);
        pages++;
        keys += count;
        if (count < PAGE_SIZE || (a->pages > 0 && pages >= a->pages)) break;
    }
#endif
    t1 = bench_now();
    bench_report(CLIENT, "paginate", a, pages, (long)keys, 0, t0, t1, -1, h, rss_base,
                 bench_peak_rss_kb());
    openrouter_client_free(c);
}

/* The concurrency benchmark (conc): N gets of one key, against
 * bench/delay_server.c, which answers after a fixed delay.
 * - api async: a pool of K calls on one openrouter_async handle in run
 *   mode (max_in_flight K, so K connections): each completion starts the
 *   next call, like the TypeScript SDK's concurrency-limited Promise.all.
 * - api blocking: openrouter_get_key() one after another (K = 1), the
 *   baseline for CPU per call.
 * One untimed warm-up get first, so one-time set-up (libcurl's, the first
 * connection) is neither timed nor counted as memory per call; the other
 * K - 1 connections are set up inside the timed run. Heap in use is sampled
 * every 16 completions, with the completed call's result still held, so
 * the peak is K calls' worth (max_pending says how many were in flight). */
#define CONC_SAMPLE_EVERY 16

typedef struct conc_run {
    const bench_args *a;
    openrouter_async *async;
    openrouter_get_key_request req;
    long started, completed, total; /* total: calls to start */
    size_t heap_peak, max_pending;
    uint64_t h;
} conc_run;

static void conc_sample(conc_run *r, size_t pending) {
    size_t heap;
    if (pending > r->max_pending) r->max_pending = pending;
    if (r->completed % CONC_SAMPLE_EVERY != 0) return;
    heap = bench_heap_bytes();
    if (heap > r->heap_peak) r->heap_peak = heap;
}

static void conc_start(conc_run *r);

static void conc_done(void *ctx, openrouter_async_call *call, int status, openrouter_key_response *out,
                      openrouter_error *err) {
    conc_run *r = ctx;
    (void)call;
    if (status != 0) fail("openrouter_get_key_start (completion)", status, err);
    conc_sample(r, openrouter_async_pending(r->async) + 1); /* + this one */
    MIX_KEY(r->h, &out->data.value);
    openrouter_key_response_free(out);
    r->completed++;
    if (r->started < r->total) conc_start(r);
}

static void conc_start(conc_run *r) {
    openrouter_error err = OPENROUTER_ERROR_INIT;
    int rc = openrouter_get_key_start(r->async, &r->req, NULL, conc_done, r, NULL, &err);
    if (rc != 0) fail("openrouter_get_key_start", rc, &err);
    r->started++;
}

/* Runs `total` calls, `inflight` at a time, and starts afresh (counts,
 * checksum, heap peak) for the next batch. */
static void conc_async_batch(conc_run *r, long total) {
    int rc;
    r->started = r->completed = 0;
    r->total = total;
    r->h = 0;
    r->max_pending = 0;
    r->heap_peak = bench_heap_bytes();
    for (long i = 0; i < r->a->inflight && i < total; i++) conc_start(r);
    rc = openrouter_async_run(r->async, -1);
    if (rc != 0) { fprintf(stderr, CLIENT ": openrouter_async_run returned %d\n", rc); exit(1); }
}

static void conc_async_new(conc_run *r, openrouter_client *c) {
    openrouter_async_options o = OPENROUTER_ASYNC_OPTIONS_INIT;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    int rc;
    o.max_in_flight = (unsigned)r->a->inflight;
    rc = openrouter_async_new(&r->async, c, &o, &err);
    if (rc != 0) fail("openrouter_async_new", rc, &err);
    conc_async_batch(r, 1); /* warm-up */
}

static void conc_blocking(conc_run *r, openrouter_client *c, long total) {
    openrouter_error err = OPENROUTER_ERROR_INIT;
    r->completed = 0;
    r->h = 0;
    r->heap_peak = bench_heap_bytes();
    for (long i = 0; i < total; i++) {
        openrouter_key_response *out = NULL;
        int rc = openrouter_get_key(c, &r->req, &out, NULL, &err);
        if (rc != 0) fail("openrouter_get_key", rc, &err);
        conc_sample(r, 1);
        MIX_KEY(r->h, &out->data.value);
        openrouter_key_response_free(out);
        r->completed++;
    }
}

static void run_conc(const bench_args *a) {
    openrouter_client *c = make_client(a);
    conc_run r = {0};
    int async = !strcmp(a->api, "async");
    long warmup = 1;
    size_t heap_base;
    long rss_base;
    char extra[256];
    bench_clock t0, t1;
    if ((!async && (strcmp(a->api, "blocking") || a->inflight != 1)) || a->inflight < 1 || a->n < 1) {
        fprintf(stderr, CLIENT ": conc needs --n >= 1 and --api async --inflight K, or --api blocking --inflight 1\n");
        exit(2);
    }
    r.a = a;
    r.req.hash = (char *)a->hash; /* the SDK only reads it */
    if (async) conc_async_new(&r, c);
    else conc_blocking(&r, c, warmup);
    heap_base = bench_heap_bytes();
    rss_base = bench_rss_kb();
    t0 = bench_now();
    if (async) conc_async_batch(&r, a->n);
    else conc_blocking(&r, c, a->n);
    t1 = bench_now();
    if (async) openrouter_async_free(r.async);
    if (r.completed != a->n) { fprintf(stderr, CLIENT ": %ld of %ld calls completed\n", r.completed, a->n); exit(1); }
    snprintf(extra, sizeof extra,
             "\"api\":\"%s\",\"inflight\":%ld,\"warmup\":%ld,\"max_pending\":%zu,\"heap_base\":%zu,\"heap_peak\":%zu,",
             a->api, a->inflight, warmup, r.max_pending, heap_base, r.heap_peak);
    /* VmHWM, from the same file and counters as rss_base (ru_maxrss reads
     * the kernel's approximate counters: it can come out below VmRSS) */
    bench_report_ex(CLIENT, "conc", a, a->n, -1, 0, t0, t1, -1, r.h, rss_base, bench_status_kb("VmHWM:"), extra);
    openrouter_client_free(c);
}

static uint64_t decode_once(const char *buf, size_t len, uint64_t h, size_t *count) {
    openrouter_error err = OPENROUTER_ERROR_INIT;
    openrouter_key_list *l = NULL;
    int rc = openrouter_key_list_decode(buf, len, &l, &err);
    if (rc != 0) fail("openrouter_key_list_decode", rc, &err);
    for (size_t k = 0; k < l->data.count; k++) MIX_KEY(h, &l->data.items[k]);
    *count = l->data.count;
    openrouter_key_list_free(l);
    return h;
}

static void run_decode(const bench_args *a, int rss_only) {
    size_t len, count = 0;
    long rss_base = bench_rss_kb(), n = rss_only ? 1 : a->n;
    char *buf = bench_read_file(a->file, &len);
    uint64_t h = 0;
    bench_clock t0, t1;
    if (!rss_only) h = decode_once(buf, len, h, &count); /* warm-up */
    t0 = bench_now();
    for (long i = 0; i < n; i++) h = decode_once(buf, len, h, &count);
    t1 = bench_now();
    bench_report(CLIENT, rss_only ? "decode-rss" : "decode", a, n, (long)count * n, len * (size_t)n,
                 t0, t1, -1, h, rss_only ? rss_base : -1, rss_only ? bench_peak_rss_kb() : -1);
    free(buf);
}

/* Same bodies as minimal_client.c, timed separately:
 *   create: {"name":"bench key <i>","limit":50}
 *   update: {"limit":null,"disabled":false} */
static void run_encode(const bench_args *a) {
    openrouter_error err = OPENROUTER_ERROR_INIT;
    uint64_t h = 0;
    char name[64];
    bench_clock t0 = bench_now(), t1;
    for (long i = 0; i < a->n; i++) {
        openrouter_create_key_body b = OPENROUTER_CREATE_KEY_BODY_INIT;
        char *json = NULL;
        size_t len = 0;
        int rc;
        snprintf(name, sizeof name, "bench key %ld", i & 1023);
        b.name = OPENROUTER_STRING(name);
        b.limit = OPENROUTER_NUMBER(50);
        rc = openrouter_create_key_body_encode(&b, &json, &len, &err);
        if (rc != 0) fail("openrouter_create_key_body_encode", rc, &err);
        h = bench_mix(h, len + (unsigned char)json[1]);
        openrouter_buffer_free(json);
    }
    t1 = bench_now();
    bench_report(CLIENT, "encode-create", a, a->n, -1, 0, t0, t1, -1, h, -1, -1);
    t0 = bench_now();
    for (long i = 0; i < a->n; i++) {
        openrouter_update_key_body u = OPENROUTER_UPDATE_KEY_BODY_INIT;
        char *json = NULL;
        size_t len = 0;
        int rc;
        u.limit.state = OPENROUTER_NULL;
        u.disabled = OPENROUTER_BOOL(false);
        rc = openrouter_update_key_body_encode(&u, &json, &len, &err);
        if (rc != 0) fail("openrouter_update_key_body_encode", rc, &err);
        h = bench_mix(h, len + (unsigned char)json[1]);
        openrouter_buffer_free(json);
    }
    t1 = bench_now();
    bench_report(CLIENT, "encode-update", a, a->n, -1, 0, t0, t1, -1, h, -1, -1);
}

int main(int argc, char **argv) {
    bench_args a = bench_parse_args(argc, argv);
    if (!strcmp(a.mode, "get") || !strcmp(a.mode, "list") || !strcmp(a.mode, "paginate") ||
        !strcmp(a.mode, "conc")) {
        if (!a.url) bench_usage(argv[0]);
        if (!strcmp(a.mode, "get")) run_get(&a);
        else if (!strcmp(a.mode, "conc")) run_conc(&a);
        else if (!strcmp(a.mode, "list")) run_list(&a);
        else run_paginate(&a);
    } else if (!strcmp(a.mode, "decode") || !strcmp(a.mode, "decode-rss")) {
        if (!a.file) bench_usage(argv[0]);
        run_decode(&a, !strcmp(a.mode, "decode-rss"));
    } else if (!strcmp(a.mode, "encode")) {
        run_encode(&a);
    } else {
        bench_usage(argv[0]);
    }
    return 0;
}
