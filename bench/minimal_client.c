/* The limit: the least any C client of the keys API must do.
 *
 * One libcurl easy handle reused for every call (so one keep-alive
 * connection), an Authorization header, the body collected into one reused
 * buffer, parsed with json-c (one reused json_tokener) and every field of
 * every key read into plain C variables. Strings are read in place (pointers
 * into json-c's tree), nulls are told apart from values, no types are
 * checked beyond what json-c's getters do, nothing is copied or validated.
 * The SDK is measured against this: it can't do less and still be correct.
 *
 * Command line and output: see bench_common.h. */
#include "bench_common.h"

#include <curl/curl.h>
#include <json-c/json.h>

#define CLIENT "minimal"
#define API_KEY "sk-or-v1-0000000000000000000000000000000000000000000000000000000000000000"
#define PAGE_SIZE 100

/* ---- the key object, in plain C variables ---- */

typedef struct key_plain {
    const char *hash, *name, *label, *limit_reset, *created_at, *updated_at, *expires_at,
        *creator_user_id, *workspace_id, *external_user;
    int disabled, include_byok_in_limit;
    int limit_null, limit_remaining_null;
    double limit, limit_remaining, usage, usage_daily, usage_weekly, usage_monthly, byok_usage,
        byok_usage_daily, byok_usage_weekly, byok_usage_monthly;
} key_plain;

static const char *str_field(json_object *o, const char *name) {
    json_object *v;
    if (!json_object_object_get_ex(o, name, &v) || v == NULL) return NULL; /* absent or null */
    return json_object_get_string(v);
}

static double num_field(json_object *o, const char *name, int *is_null) {
    json_object *v;
    if (!json_object_object_get_ex(o, name, &v) || v == NULL) {
        if (is_null) *is_null = 1;
        return 0.0;
    }
    if (is_null) *is_null = 0;
    return json_object_get_double(v);
}

static int bool_field(json_object *o, const char *name) {
    json_object *v;
    if (!json_object_object_get_ex(o, name, &v) || v == NULL) return 0;
    return json_object_get_boolean(v);
}

static int read_key(json_object *o, key_plain *k) {
    if (!json_object_is_type(o, json_type_object)) return -1;
    k->hash = str_field(o, "hash");
    k->name = str_field(o, "name");
    k->label = str_field(o, "label");
    k->disabled = bool_field(o, "disabled");
    k->limit = num_field(o, "limit", &k->limit_null);
    k->limit_remaining = num_field(o, "limit_remaining", &k->limit_remaining_null);
    k->limit_reset = str_field(o, "limit_reset");
    k->include_byok_in_limit = bool_field(o, "include_byok_in_limit");
    k->usage = num_field(o, "usage", NULL);
    k->usage_daily = num_field(o, "usage_daily", NULL);
    k->usage_weekly = num_field(o, "usage_weekly", NULL);
    k->usage_monthly = num_field(o, "usage_monthly", NULL);
    k->byok_usage = num_field(o, "byok_usage", NULL);
    k->byok_usage_daily = num_field(o, "byok_usage_daily", NULL);
    k->byok_usage_weekly = num_field(o, "byok_usage_weekly", NULL);
    k->byok_usage_monthly = num_field(o, "byok_usage_monthly", NULL);
    k->created_at = str_field(o, "created_at");
    k->updated_at = str_field(o, "updated_at");
    k->expires_at = str_field(o, "expires_at");
    k->creator_user_id = str_field(o, "creator_user_id");
    k->workspace_id = str_field(o, "workspace_id");
    k->external_user = str_field(o, "external_user");
    return 0;
}

/* Same fields, same order, same folding as MIX_KEY in sdk_client.c. */
static uint64_t mix_key(uint64_t h, const key_plain *k) {
    h = bench_mix_s(h, k->hash);
    h = bench_mix_s(h, k->name);
    h = bench_mix_s(h, k->label);
    h = bench_mix(h, (uint64_t)k->disabled);
    h = bench_mix_num(h, !k->limit_null, k->limit);
    h = bench_mix_num(h, !k->limit_remaining_null, k->limit_remaining);
    h = bench_mix_s(h, k->limit_reset);
    h = bench_mix(h, (uint64_t)k->include_byok_in_limit);
    h = bench_mix_d(h, k->usage);
    h = bench_mix_d(h, k->usage_daily);
    h = bench_mix_d(h, k->usage_weekly);
    h = bench_mix_d(h, k->usage_monthly);
    h = bench_mix_d(h, k->byok_usage);
    h = bench_mix_d(h, k->byok_usage_daily);
    h = bench_mix_d(h, k->byok_usage_weekly);
    h = bench_mix_d(h, k->byok_usage_monthly);
    h = bench_mix_s(h, k->created_at);
    h = bench_mix_s(h, k->updated_at);
    h = bench_mix_s(h, k->expires_at);
    h = bench_mix_s(h, k->creator_user_id);
    h = bench_mix_s(h, k->workspace_id);
    h = bench_mix_s(h, k->external_user);
    return h;
}

/* ---- parsing ---- */

static json_tokener *tok;

static json_object *parse(const char *buf, size_t len) {
    json_object *root;
    json_tokener_reset(tok);
    root = json_tokener_parse_ex(tok, buf, (int)len);
    if (json_tokener_get_error(tok) != json_tokener_success) {
        fprintf(stderr, CLIENT ": bad JSON: %s\n",
                json_tokener_error_desc(json_tokener_get_error(tok)));
        exit(1);
    }
    return root;
}

/* {"data": key} -> checksum */
static uint64_t decode_key_response(const char *buf, size_t len, uint64_t h) {
    json_object *root = parse(buf, len), *data;
    key_plain k;
    if (!json_object_object_get_ex(root, "data", &data) || read_key(data, &k) != 0) {
        fprintf(stderr, CLIENT ": unexpected key response\n");
        exit(1);
    }
    h = mix_key(h, &k);
    json_object_put(root);
    return h;
}

/* {"data": [key, ...]} -> checksum; *count = keys */
static uint64_t decode_key_list(const char *buf, size_t len, uint64_t h, size_t *count) {
    json_object *root = parse(buf, len), *data;
    size_t n;
    if (!json_object_object_get_ex(root, "data", &data) || !json_object_is_type(data, json_type_array)) {
        fprintf(stderr, CLIENT ": unexpected list response\n");
        exit(1);
    }
    n = json_object_array_length(data);
    for (size_t i = 0; i < n; i++) {
        key_plain k;
        if (read_key(json_object_array_get_idx(data, i), &k) != 0) {
            fprintf(stderr, CLIENT ": list item %zu is not an object\n", i);
            exit(1);
        }
        h = mix_key(h, &k);
    }
    json_object_put(root);
    *count = n;
    return h;
}

/* ---- HTTP ---- */

typedef struct body { char *p; size_t len, cap; } body;

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ud) {
    body *b = ud;
    size_t n = size * nmemb;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 16384;
        while (cap < b->len + n + 1) cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) return 0;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, ptr, n);
    b->len += n;
    b->p[b->len] = '\0';
    return n;
}

typedef struct http { CURL *h; struct curl_slist *headers; body b; long connects; } http;

static void http_init(http *c) {
    memset(c, 0, sizeof *c);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    c->h = curl_easy_init();
    c->headers = curl_slist_append(NULL, "Authorization: Bearer " API_KEY);
    c->headers = curl_slist_append(c->headers, "Accept: application/json");
    curl_easy_setopt(c->h, CURLOPT_HTTPHEADER, c->headers);
    curl_easy_setopt(c->h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c->h, CURLOPT_WRITEDATA, &c->b);
    curl_easy_setopt(c->h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c->h, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(c->h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
}

static void http_get(http *c, const char *url) {
    long status = 0, conns = 0;
    CURLcode rc;
    c->b.len = 0;
    curl_easy_setopt(c->h, CURLOPT_URL, url);
    rc = curl_easy_perform(c->h);
    if (rc != CURLE_OK) {
        fprintf(stderr, CLIENT ": GET %s: %s\n", url, curl_easy_strerror(rc));
        exit(1);
    }
    curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(c->h, CURLINFO_NUM_CONNECTS, &conns);
    c->connects += conns;
    if (status != 200) {
        fprintf(stderr, CLIENT ": GET %s: HTTP %ld\n", url, status);
        exit(1);
    }
}

static void http_free(http *c) {
    curl_easy_cleanup(c->h);
    curl_slist_free_all(c->headers);
    free(c->b.p);
    curl_global_cleanup();
}

/* ---- benchmarks ---- */

static void run_get(const bench_args *a) {
    http c;
    char url[1024];
    uint64_t h = 0;
    bench_clock t0, t1;
    http_init(&c);
    t0 = bench_now();
    for (long i = 0; i < a->warmup + a->n; i++) {
        if (i == a->warmup) t0 = bench_now();
        snprintf(url, sizeof url, "%s/keys/%s", a->url, a->hash);
        http_get(&c, url);
        h = decode_key_response(c.b.p, c.b.len, h);
    }
    t1 = bench_now();
    bench_report(CLIENT, "get", a, a->n, -1, 0, t0, t1, c.connects, h, -1, -1);
    http_free(&c);
}

static void run_list(const bench_args *a) {
    http c;
    char url[1024];
    uint64_t h = 0;
    size_t keys = 0, bytes = 0, count;
    bench_clock t0, t1;
    http_init(&c);
    t0 = bench_now();
    for (long i = 0; i < a->warmup + a->n; i++) {
        if (i == a->warmup) { t0 = bench_now(); keys = 0; bytes = 0; }
        /* walk the first 1,000 pages over and over (never the empty end) */
        snprintf(url, sizeof url, "%s/keys?offset=%ld", a->url, (i % 1000) * (long)PAGE_SIZE);
        http_get(&c, url);
        h = decode_key_list(c.b.p, c.b.len, h, &count);
        keys += count;
        bytes += c.b.len;
    }
    t1 = bench_now();
    bench_report(CLIENT, "list", a, a->n, (long)keys, bytes, t0, t1, c.connects, h, -1, -1);
    http_free(&c);
}

/* The pagination path: offset 0, 100, ... until a short page. */
static void run_paginate(const bench_args *a) {
    http c;
    char url[1024];
    uint64_t h = 0;
    size_t keys = 0, bytes = 0, count;
    long pages = 0, rss_base;
    bench_clock t0, t1;
    http_init(&c);
    rss_base = bench_rss_kb();
    t0 = bench_now();
    for (long offset = 0;; offset += PAGE_SIZE) {
        snprintf(url, sizeof url, "%s/keys?offset=%ld", a->url, offset);
        http_get(&c, url);
        h = decode_key_list(c.b.p, c.b.len, h, &count);
        pages++;
        keys += count;
        bytes += c.b.len;
        if (count < PAGE_SIZE || (a->pages > 0 && pages >= a->pages)) break;
    }
    t1 = bench_now();
    bench_report(CLIENT, "paginate", a, pages, (long)keys, bytes, t0, t1, c.connects, h, rss_base,
                 bench_peak_rss_kb());
    http_free(&c);
}

static void run_decode(const bench_args *a, int rss_only) {
    size_t len, count = 0;
    char *buf;
    uint64_t h = 0;
    long rss_base = bench_rss_kb(), n = rss_only ? 1 : a->n;
    bench_clock t0, t1;
    buf = bench_read_file(a->file, &len);
    if (!rss_only) h = decode_key_list(buf, len, h, &count); /* warm-up */
    t0 = bench_now();
    for (long i = 0; i < n; i++) h = decode_key_list(buf, len, h, &count);
    t1 = bench_now();
    bench_report(CLIENT, rss_only ? "decode-rss" : "decode", a, n, (long)count * n, len * (size_t)n,
                 t0, t1, -1, h, rss_only ? rss_base : -1, rss_only ? bench_peak_rss_kb() : -1);
    free(buf);
}

/* json-c tokenizer alone: build the tree and free it, read nothing. */
static void run_parse_only(const bench_args *a) {
    size_t len;
    char *buf = bench_read_file(a->file, &len);
    uint64_t h = 0;
    long count = 0;
    bench_clock t0, t1;
    json_object_put(parse(buf, len));
    t0 = bench_now();
    for (long i = 0; i < a->n; i++) {
        json_object *root = parse(buf, len), *data;
        if (json_object_object_get_ex(root, "data", &data))
            count = (long)json_object_array_length(data);
        h = bench_mix(h, (uint64_t)count);
        json_object_put(root);
    }
    t1 = bench_now();
    bench_report("json-c-parse", "decode", a, a->n, count * a->n, len * (size_t)a->n, t0, t1, -1,
                 h, -1, -1);
    free(buf);
}

/* Request bodies built with json-c, timed separately:
 *   create: {"name":"bench key <i>","limit":50}
 *   update: {"limit":null,"disabled":false} */
static void run_encode(const bench_args *a) {
    uint64_t h = 0;
    bench_clock t0, t1;
    char name[64];
    t0 = bench_now();
    for (long i = 0; i < a->n; i++) {
        json_object *c = json_object_new_object();
        size_t len;
        const char *s;
        snprintf(name, sizeof name, "bench key %ld", i & 1023);
        json_object_object_add(c, "name", json_object_new_string(name));
        json_object_object_add(c, "limit", json_object_new_double(50));
        s = json_object_to_json_string_length(c, JSON_C_TO_STRING_PLAIN, &len);
        h = bench_mix(h, len + (unsigned char)s[1]);
        json_object_put(c);
    }
    t1 = bench_now();
    bench_report(CLIENT, "encode-create", a, a->n, -1, 0, t0, t1, -1, h, -1, -1);
    t0 = bench_now();
    for (long i = 0; i < a->n; i++) {
        json_object *u = json_object_new_object();
        size_t len;
        const char *s;
        json_object_object_add(u, "limit", NULL);
        json_object_object_add(u, "disabled", json_object_new_boolean(0));
        s = json_object_to_json_string_length(u, JSON_C_TO_STRING_PLAIN, &len);
        h = bench_mix(h, len + (unsigned char)s[1]);
        json_object_put(u);
    }
    t1 = bench_now();
    bench_report(CLIENT, "encode-update", a, a->n, -1, 0, t0, t1, -1, h, -1, -1);
}

int main(int argc, char **argv) {
    bench_args a = bench_parse_args(argc, argv);
    tok = json_tokener_new();
    if (!strcmp(a.mode, "get") || !strcmp(a.mode, "list") || !strcmp(a.mode, "paginate")) {
        if (!a.url) bench_usage(argv[0]);
        if (!strcmp(a.mode, "get")) run_get(&a);
        else if (!strcmp(a.mode, "list")) run_list(&a);
        else run_paginate(&a);
    } else if (!strcmp(a.mode, "decode") || !strcmp(a.mode, "decode-rss") ||
               !strcmp(a.mode, "parse-only")) {
        if (!a.file) bench_usage(argv[0]);
        if (!strcmp(a.mode, "parse-only")) run_parse_only(&a);
        else run_decode(&a, !strcmp(a.mode, "decode-rss"));
    } else if (!strcmp(a.mode, "encode")) {
        run_encode(&a);
    } else {
        bench_usage(argv[0]);
    }
    json_tokener_free(tok);
    return 0;
}
