/* Hostile and careless callers: a table of bad arguments over every public
 * operation (NULL client, request, out or error; empty names; hashes that
 * are empty or hold '/', "..", "%00", CR/LF or are too long; NaN, infinite
 * or negative limits; a negative offset; non-UTC or malformed expires_at;
 * CR/LF in header values; bad enum and presence values; bad call options),
 * plus client construction (other schemes, plain http to a non-loopback
 * host, CR/LF in header values, bad keys) and the NULL-safety of every
 * other public function. Each case must give a clear EINVAL (naming the
 * field where there is one) with no network call, *out left NULL and the
 * caller's structs byte-for-byte untouched; the valgrind and ASan variants
 * check nothing leaks. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include <openrouter/openrouter.h>

#include "stub_server.h"
#include "test_util.h"

static stub_server srv;
static openrouter_client *client;

enum { OP_LIST, OP_CREATE, OP_GET, OP_UPDATE, OP_DELETE, OP_CURRENT, N_OPS };
static const char *const op_ids[N_OPS] = {"listKeys", "createKey", "getKey",
                                          "updateKey", "deleteKey", "getCurrentKeyMetadata"};

/* Every request and every string they point at, in one block, so a
 * snapshot (memcpy) covers the caller's data completely. */
typedef struct reqs {
    openrouter_list_keys_request list;
    openrouter_create_key_request create;
    openrouter_get_key_request get;
    openrouter_update_key_request update;
    openrouter_delete_key_request del;
    openrouter_get_current_key_metadata_request cur;
    openrouter_call_options options;
    char hash[400];
    char name[64];
    char text[128];
} reqs;

/* Fields are set member by member (never by assigning a whole struct,
 * whose padding bytes would be undefined), so the snapshot compares
 * defined bytes only. */
static void set_str(openrouter_string *s, char *v) { s->state = OPENROUTER_PRESENT; s->value = v; }
static void set_num(openrouter_number *n, double v) { n->state = OPENROUTER_PRESENT; n->value = v; }
static void set_bool(openrouter_bool *b, bool v) { b->state = OPENROUTER_PRESENT; b->value = v; }
static void set_i64(openrouter_int64 *i, int64_t v) { i->state = OPENROUTER_PRESENT; i->value = v; }

static void valid_requests(reqs *r)
{
    memset(r, 0, sizeof *r);
    snprintf(r->hash, sizeof r->hash, "valid-hash");
    snprintf(r->name, sizeof r->name, "valid-name");
    set_str(&r->create.body.name, r->name);
    r->get.hash = r->hash;
    r->update.hash = r->hash;
    set_bool(&r->update.body.disabled, true);
    r->del.hash = r->hash;
    r->options.version = OPENROUTER_CALL_OPTIONS_VERSION;
}

#define HASH_NULL ((const char *)1)
enum { NULL_CLIENT = 1, NULL_REQUEST = 2, NULL_OUT = 4, NULL_ERROR = 8, BAD_OPTIONS = 16 };

typedef struct hcase {
    const char *name;
    int op;
    int nulls;                 /* NULL_* flags */
    const char *hash;          /* copied into the hash buffer (HASH_NULL: a NULL pointer) */
    void (*setup)(reqs *r);
    const char *field;         /* expected error.field; NULL: not checked */
} hcase;

/* ---- mutations ------------------------------------------------------------ */

static void name_absent(reqs *r) { r->create.body.name.state = OPENROUTER_ABSENT; }
static void name_empty(reqs *r) { r->name[0] = '\0'; }
static void name_null_pointer(reqs *r) { r->create.body.name.value = NULL; }
static void name_json_null(reqs *r) { r->create.body.name.state = OPENROUTER_NULL; }
static void name_bad_utf8(reqs *r) { snprintf(r->name, sizeof r->name, "ab\xc3"); }
static void update_name_empty(reqs *r)
{
    r->name[0] = '\0';
    set_str(&r->update.body.name, r->name);
}
#define LIMIT_SETUP(fn, v)                                   \
    static void fn##_create(reqs *r) { set_num(&r->create.body.limit, v); } \
    static void fn##_update(reqs *r) { set_num(&r->update.body.limit, v); }
LIMIT_SETUP(limit_nan, NAN)
LIMIT_SETUP(limit_inf, INFINITY)
LIMIT_SETUP(limit_neg_inf, -INFINITY)
LIMIT_SETUP(limit_negative, -1.0)
LIMIT_SETUP(limit_tiny_negative, -1e-300)
static void offset_negative(reqs *r) { set_i64(&r->list.offset, -1); }
static void offset_min(reqs *r) { set_i64(&r->list.offset, INT64_MIN); }
#define EXPIRES(fn, v)                                                         \
    static void fn(reqs *r)                                                    \
    {                                                                          \
        snprintf(r->text, sizeof r->text, "%s", v);                           \
        set_str(&r->create.body.expires_at, r->text);                         \
    }
EXPIRES(expires_offset, "2027-12-31T23:59:59+01:00")
EXPIRES(expires_zero_offset, "2027-12-31T23:59:59+00:00")
EXPIRES(expires_no_zone, "2027-12-31T23:59:59")
EXPIRES(expires_date_only, "2027-12-31")
EXPIRES(expires_month_13, "2027-13-01T00:00:00Z")
EXPIRES(expires_feb_30, "2027-02-30T00:00:00Z")
EXPIRES(expires_text, "tomorrow")
EXPIRES(expires_empty, "")
static void expires_null_pointer(reqs *r) { set_str(&r->create.body.expires_at, NULL); }
static void header_crlf(reqs *r)
{
    snprintf(r->text, sizeof r->text, "Title\r\nX-Injected: 1");
    set_str(&r->list.x_openrouter_title, r->text);
    set_str(&r->create.x_openrouter_title, r->text);
    set_str(&r->get.x_openrouter_title, r->text);
    set_str(&r->update.x_openrouter_title, r->text);
    set_str(&r->del.x_openrouter_title, r->text);
    set_str(&r->cur.x_openrouter_title, r->text);
}
static void referer_lf(reqs *r)
{
    snprintf(r->text, sizeof r->text, "https://a.example/\nX: y");
    set_str(&r->list.http_referer, r->text);
    set_str(&r->create.http_referer, r->text);
    set_str(&r->get.http_referer, r->text);
    set_str(&r->update.http_referer, r->text);
    set_str(&r->del.http_referer, r->text);
    set_str(&r->cur.http_referer, r->text);
}
static void enum_out_of_range(reqs *r)
{
    r->create.body.limit_reset.state = OPENROUTER_PRESENT;
    r->create.body.limit_reset.value = 99;
}
static void enum_unset(reqs *r)
{
    r->update.body.limit_reset.state = OPENROUTER_PRESENT;
    r->update.body.limit_reset.value = 0;
    r->update.body.limit_reset.text = NULL;
}
static void bad_presence(reqs *r) { r->update.body.disabled.state = (openrouter_presence)7; }
static void bad_presence_query(reqs *r) { r->list.include_disabled.state = (openrouter_presence)-3; }
static void workspace_bad_utf8(reqs *r)
{
    snprintf(r->text, sizeof r->text, "\xff\xfe");
    set_str(&r->list.workspace_id, r->text);
}
static void options_version(reqs *r) { r->options.version = 0; }
static void options_timeout(reqs *r) { r->options.timeout_ms = -5; }

static char long_hash[258];

static const hcase cases[] = {
    /* NULL client / out / request / error, for every operation. */
    {"NULL client", OP_LIST, NULL_CLIENT, NULL, NULL, NULL},
    {"NULL client", OP_CREATE, NULL_CLIENT, NULL, NULL, NULL},
    {"NULL client", OP_GET, NULL_CLIENT, NULL, NULL, NULL},
    {"NULL client", OP_UPDATE, NULL_CLIENT, NULL, NULL, NULL},
    {"NULL client", OP_DELETE, NULL_CLIENT, NULL, NULL, NULL},
    {"NULL client", OP_CURRENT, NULL_CLIENT, NULL, NULL, NULL},
    {"NULL out", OP_LIST, NULL_OUT, NULL, NULL, "out"},
    {"NULL out", OP_CREATE, NULL_OUT, NULL, NULL, "out"},
    {"NULL out", OP_GET, NULL_OUT, NULL, NULL, "out"},
    {"NULL out", OP_UPDATE, NULL_OUT, NULL, NULL, "out"},
    {"NULL out", OP_DELETE, NULL_OUT, NULL, NULL, "out"},
    {"NULL out", OP_CURRENT, NULL_OUT, NULL, NULL, "out"},
    {"NULL request", OP_CREATE, NULL_REQUEST, NULL, NULL, "request"},
    {"NULL request", OP_GET, NULL_REQUEST, NULL, NULL, "request"},
    {"NULL request", OP_UPDATE, NULL_REQUEST, NULL, NULL, "request"},
    {"NULL request", OP_DELETE, NULL_REQUEST, NULL, NULL, "request"},
    {"NULL client and NULL error", OP_LIST, NULL_CLIENT | NULL_ERROR, NULL, NULL, NULL},
    {"NULL out and NULL error", OP_CREATE, NULL_OUT | NULL_ERROR, NULL, NULL, NULL},
    {"NULL request and NULL error", OP_GET, NULL_REQUEST | NULL_ERROR, NULL, NULL, NULL},
    {"bad name and NULL error", OP_CREATE, NULL_ERROR, NULL, name_empty, NULL},
    {"bad hash and NULL error", OP_DELETE, NULL_ERROR, "..", NULL, NULL},
    /* Names. */
    {"name absent", OP_CREATE, 0, NULL, name_absent, "name"},
    {"name empty", OP_CREATE, 0, NULL, name_empty, "name"},
    {"name NULL pointer", OP_CREATE, 0, NULL, name_null_pointer, "name"},
    {"name JSON null", OP_CREATE, 0, NULL, name_json_null, "name"},
    {"name invalid UTF-8", OP_CREATE, 0, NULL, name_bad_utf8, "name"},
    {"name empty (PATCH)", OP_UPDATE, 0, NULL, update_name_empty, "name"},
    /* Limits and offsets. */
    {"limit NaN", OP_CREATE, 0, NULL, limit_nan_create, "limit"},
    {"limit NaN", OP_UPDATE, 0, NULL, limit_nan_update, "limit"},
    {"limit +inf", OP_CREATE, 0, NULL, limit_inf_create, "limit"},
    {"limit +inf", OP_UPDATE, 0, NULL, limit_inf_update, "limit"},
    {"limit -inf", OP_CREATE, 0, NULL, limit_neg_inf_create, "limit"},
    {"limit -inf", OP_UPDATE, 0, NULL, limit_neg_inf_update, "limit"},
    {"limit -1", OP_CREATE, 0, NULL, limit_negative_create, "limit"},
    {"limit -1", OP_UPDATE, 0, NULL, limit_negative_update, "limit"},
    {"limit -1e-300", OP_CREATE, 0, NULL, limit_tiny_negative_create, "limit"},
    {"limit -1e-300", OP_UPDATE, 0, NULL, limit_tiny_negative_update, "limit"},
    {"offset -1", OP_LIST, 0, NULL, offset_negative, "offset"},
    {"offset INT64_MIN", OP_LIST, 0, NULL, offset_min, "offset"},
    /* expires_at must be RFC 3339 in UTC ("Z"). */
    {"expires_at +01:00", OP_CREATE, 0, NULL, expires_offset, "expires_at"},
    {"expires_at +00:00 (not Z)", OP_CREATE, 0, NULL, expires_zero_offset, "expires_at"},
    {"expires_at without zone", OP_CREATE, 0, NULL, expires_no_zone, "expires_at"},
    {"expires_at date only", OP_CREATE, 0, NULL, expires_date_only, "expires_at"},
    {"expires_at month 13", OP_CREATE, 0, NULL, expires_month_13, "expires_at"},
    {"expires_at February 30", OP_CREATE, 0, NULL, expires_feb_30, "expires_at"},
    {"expires_at text", OP_CREATE, 0, NULL, expires_text, "expires_at"},
    {"expires_at empty", OP_CREATE, 0, NULL, expires_empty, "expires_at"},
    {"expires_at NULL pointer", OP_CREATE, 0, NULL, expires_null_pointer, "expires_at"},
    /* Header parameters with CR/LF. */
    {"X-OpenRouter-Title with CR/LF", OP_LIST, 0, NULL, header_crlf, "X-OpenRouter-Title"},
    {"X-OpenRouter-Title with CR/LF", OP_CREATE, 0, NULL, header_crlf, "X-OpenRouter-Title"},
    {"X-OpenRouter-Title with CR/LF", OP_GET, 0, NULL, header_crlf, "X-OpenRouter-Title"},
    {"X-OpenRouter-Title with CR/LF", OP_UPDATE, 0, NULL, header_crlf, "X-OpenRouter-Title"},
    {"X-OpenRouter-Title with CR/LF", OP_DELETE, 0, NULL, header_crlf, "X-OpenRouter-Title"},
    {"X-OpenRouter-Title with CR/LF", OP_CURRENT, 0, NULL, header_crlf, "X-OpenRouter-Title"},
    {"HTTP-Referer with LF", OP_LIST, 0, NULL, referer_lf, "HTTP-Referer"},
    {"HTTP-Referer with LF", OP_CREATE, 0, NULL, referer_lf, "HTTP-Referer"},
    {"HTTP-Referer with LF", OP_GET, 0, NULL, referer_lf, "HTTP-Referer"},
    {"HTTP-Referer with LF", OP_UPDATE, 0, NULL, referer_lf, "HTTP-Referer"},
    {"HTTP-Referer with LF", OP_DELETE, 0, NULL, referer_lf, "HTTP-Referer"},
    {"HTTP-Referer with LF", OP_CURRENT, 0, NULL, referer_lf, "HTTP-Referer"},
    /* Enums, presence states, query strings. */
    {"limit_reset constant 99", OP_CREATE, 0, NULL, enum_out_of_range, "limit_reset"},
    {"limit_reset value 0 without text", OP_UPDATE, 0, NULL, enum_unset, "limit_reset"},
    {"presence state 7", OP_UPDATE, 0, NULL, bad_presence, "disabled"},
    {"query presence state -3", OP_LIST, 0, NULL, bad_presence_query, "include_disabled"},
    {"workspace_id invalid UTF-8", OP_LIST, 0, NULL, workspace_bad_utf8, "workspace_id"},
    /* Call options. */
    {"call options version 0", OP_LIST, BAD_OPTIONS, NULL, options_version, "options.version"},
    {"call options version 0", OP_CREATE, BAD_OPTIONS, NULL, options_version, "options.version"},
    {"call options timeout -5", OP_GET, BAD_OPTIONS, NULL, options_timeout, "options.timeout_ms"},
    {"call options timeout -5", OP_CURRENT, BAD_OPTIONS, NULL, options_timeout, "options.timeout_ms"},
};

/* Hashes refused for getKey, updateKey and deleteKey alike. */
static const char *const bad_hashes[] = {
    HASH_NULL, "", ".", "..", "/", "a/b", "../keys", "a\\b", "%00", "a%00b", "a%2Fb", "%2e%2e",
    "\r\n", "a\rb", "a\nb", "a\tb", "\x7f", "\xff", "ab\xc3", NULL /* long_hash, set at run time */,
};

/* ---- the runner --------------------------------------------------------- */

static int dispatch(int op, openrouter_client *c, reqs *r, int nulls, void **out, openrouter_error *err)
{
    const openrouter_call_options *co = (nulls & BAD_OPTIONS) ? &r->options : NULL;
    int no_req = nulls & NULL_REQUEST;
    switch (op) {
    case OP_LIST:
        return openrouter_list_keys(c, no_req ? NULL : &r->list, (openrouter_key_list **)out, co, err);
    case OP_CREATE:
        return openrouter_create_key(c, no_req ? NULL : &r->create, (openrouter_created_key **)out, co, err);
    case OP_GET:
        return openrouter_get_key(c, no_req ? NULL : &r->get, (openrouter_key_response **)out, co, err);
    case OP_UPDATE:
        return openrouter_update_key(c, no_req ? NULL : &r->update, (openrouter_key_response **)out, co, err);
    case OP_DELETE:
        return openrouter_delete_key(c, no_req ? NULL : &r->del, (openrouter_delete_key_response **)out, co,
                                     err);
    default:
        return openrouter_get_current_key_metadata(c, no_req ? NULL : &r->cur,
                                                   (openrouter_current_key_response **)out, co, err);
    }
}

static int cases_run;

static void run_case(const hcase *k)
{
    reqs r, snapshot;
    valid_requests(&r);
    if (k->hash) {
        if (k->hash == HASH_NULL) {
            r.get.hash = r.update.hash = r.del.hash = NULL;
        } else {
            snprintf(r.hash, sizeof r.hash, "%s", k->hash);
        }
    }
    if (k->setup)
        k->setup(&r);
    memcpy(&snapshot, &r, sizeof r);
    long before = stub_stat(&srv, "requests");
    void *out = NULL;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    int rc = dispatch(k->op, (k->nulls & NULL_CLIENT) ? NULL : client, &r, k->nulls,
                      (k->nulls & NULL_OUT) ? NULL : &out, (k->nulls & NULL_ERROR) ? NULL : &err);
    int ok = 1;
#define CHECK(cond)          \
    do {                     \
        CU_ASSERT(cond);     \
        if (!(cond))         \
            ok = 0;          \
    } while (0)
    CHECK(rc == OPENROUTER_EINVAL);
    CHECK(out == NULL);
    CHECK(memcmp(&snapshot, &r, sizeof r) == 0); /* caller's data untouched */
    CHECK(stub_stat(&srv, "requests") == before); /* no network call */
    if (!(k->nulls & NULL_ERROR)) {
        CHECK(err.kind == OPENROUTER_EINVAL);
        CHECK(err.message[0] != '\0');
        CHECK(strchr(err.message, '\n') == NULL);
        CHECK(err.attempts == 0);
        CHECK(err.http_status == 0);
        if (!(k->nulls & NULL_CLIENT))
            CHECK(strstr(err.message, op_ids[k->op]) != NULL);
        if (k->field)
            CHECK(strcmp(err.field, k->field) == 0);
        if (k->hash)
            CHECK(strcmp(err.field, "hash") == 0);
    }
#undef CHECK
    if (!ok)
        fprintf(stderr, "\n  case [%s] x %s: rc=%s field=\"%s\" message=\"%s\"\n", k->name, op_ids[k->op],
                openrouter_status_name(rc), err.field, err.message);
    openrouter_error_clear(&err);
    cases_run++;
}

static void test_operation_arguments(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run_case(&cases[i]);
    memset(long_hash, 'a', 257);
    long_hash[257] = '\0';
    size_t n_bad = sizeof bad_hashes / sizeof bad_hashes[0];
    for (size_t i = 0; i < n_bad; i++) {
        const int hash_ops[] = {OP_GET, OP_UPDATE, OP_DELETE};
        for (int j = 0; j < 3; j++) {
            hcase k = {"bad hash", hash_ops[j], 0, bad_hashes[i] ? bad_hashes[i] : long_hash, NULL, "hash"};
            run_case(&k);
        }
    }
    fprintf(stderr, "\n  %d operation cases\n", cases_run);
    CU_ASSERT_EQUAL(cases_run, (int)(sizeof cases / sizeof cases[0] + 3 * n_bad));
}

/* ---- client construction ------------------------------------------------- */

typedef struct ccase {
    const char *name;
    const char *base_url;
    const char *api_key;
    const char *app_title, *http_referer, *app_categories, *user_agent;
    long timeout_ms, connect_timeout_ms;
    int bad_retry;
    int bad_version;
    const char *field;
} ccase;

#define K STUB_MANAGEMENT_KEY
static const ccase client_cases[] = {
    {"file:// base URL", "file:///etc/passwd", K, NULL, NULL, NULL, NULL, 0, 0, 0, 0, "base_url"},
    {"ftp:// base URL", "ftp://openrouter.ai/api/v1", K, NULL, NULL, NULL, NULL, 0, 0, 0, 0, "base_url"},
    {"gopher:// base URL", "gopher://127.0.0.1/", K, NULL, NULL, NULL, NULL, 0, 0, 0, 0, "base_url"},
    {"scheme-less base URL", "openrouter.ai/api/v1", K, NULL, NULL, NULL, NULL, 0, 0, 0, 0, "base_url"},
    {"http to a public host", "http://openrouter.ai/api/v1", K, NULL, NULL, NULL, NULL, 0, 0, 0, 0, "base_url"},
    {"http to a private address", "http://10.1.2.3/api/v1", K, NULL, NULL, NULL, NULL, 0, 0, 0, 0, "base_url"},
    {"http to 127.evil.example", "http://127.0.0.1.nip.io/api", K, NULL, NULL, NULL, NULL, 0, 0, 0, 0,
     "base_url"},
    {"http to localhost.example", "http://localhost.example.com/", K, NULL, NULL, NULL, NULL, 0, 0, 0, 0,
     "base_url"},
    {"user info in base URL", "https://user:pw@openrouter.ai/api/v1", K, NULL, NULL, NULL, NULL, 0, 0, 0, 0,
     "base_url"},
    {"query in base URL", "https://openrouter.ai/api/v1?x=1", K, NULL, NULL, NULL, NULL, 0, 0, 0, 0, "base_url"},
    {"fragment in base URL", "https://openrouter.ai/api/v1#x", K, NULL, NULL, NULL, NULL, 0, 0, 0, 0,
     "base_url"},
    {"CR/LF in base URL", "https://openrouter.ai/api\r\nX: y", K, NULL, NULL, NULL, NULL, 0, 0, 0, 0,
     "base_url"},
    {"space in base URL", "https://openrouter.ai/a b", K, NULL, NULL, NULL, NULL, 0, 0, 0, 0, "base_url"},
    {"empty base URL", "", K, NULL, NULL, NULL, NULL, 0, 0, 0, 0, "base_url"},
    {"NULL api_key", NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, 0, "api_key"},
    {"empty api_key", NULL, "", NULL, NULL, NULL, NULL, 0, 0, 0, 0, "api_key"},
    {"CR/LF in api_key", NULL, "sk-or-v1-x\r\nX-Evil: 1", NULL, NULL, NULL, NULL, 0, 0, 0, 0, "api_key"},
    {"space in api_key", NULL, "sk-or-v1 x", NULL, NULL, NULL, NULL, 0, 0, 0, 0, "api_key"},
    {"CR/LF in app_title", NULL, K, "App\r\nX-Evil: 1", NULL, NULL, NULL, 0, 0, 0, 0, "app_title"},
    {"LF in http_referer", NULL, K, NULL, "https://x.example/\nX: 1", NULL, NULL, 0, 0, 0, 0, "http_referer"},
    {"CR in app_categories", NULL, K, NULL, NULL, "a,b\r", NULL, 0, 0, 0, 0, "app_categories"},
    {"NUL-adjacent control in user_agent", NULL, K, NULL, NULL, NULL, "ua\x01", 0, 0, 0, 0, "user_agent"},
    {"negative timeout", NULL, K, NULL, NULL, NULL, NULL, -1, 0, 0, 0, "timeout_ms"},
    {"negative connect timeout", NULL, K, NULL, NULL, NULL, NULL, 0, -1, 0, 0, "connect_timeout_ms"},
    {"retry max_attempts 0", NULL, K, NULL, NULL, NULL, NULL, 0, 0, 1, 0, "retry.max_attempts"},
    {"options version 0", NULL, K, NULL, NULL, NULL, NULL, 0, 0, 0, 1, "version"},
};
#undef K

static void fill_options(openrouter_client_options *o, const ccase *k)
{
    *o = (openrouter_client_options)OPENROUTER_CLIENT_OPTIONS_INIT;
    o->api_key = k->api_key;
    o->base_url = k->base_url ? k->base_url : srv.base_url;
    o->app_title = k->app_title;
    o->http_referer = k->http_referer;
    o->app_categories = k->app_categories;
    o->user_agent = k->user_agent;
    o->timeout_ms = k->timeout_ms;
    o->connect_timeout_ms = k->connect_timeout_ms;
    if (k->bad_retry)
        o->retry.max_attempts = 0;
    if (k->bad_version)
        o->version = 0;
}

static void test_client_construction(void)
{
    long before = stub_stat(&srv, "requests");
    for (size_t i = 0; i < sizeof client_cases / sizeof client_cases[0]; i++) {
        const ccase *k = &client_cases[i];
        openrouter_client_options o, snapshot;
        memset(&o, 0, sizeof o);
        fill_options(&o, k);
        memcpy(&snapshot, &o, sizeof o);
        openrouter_client *c = (openrouter_client *)&o; /* must be overwritten with NULL */
        openrouter_error err = OPENROUTER_ERROR_INIT;
        int rc = openrouter_client_new(&c, &o, &err);
        CU_ASSERT_EQUAL(rc, OPENROUTER_EINVAL);
        CU_ASSERT_PTR_NULL(c);
        CU_ASSERT_EQUAL(memcmp(&snapshot, &o, sizeof o), 0);
        CU_ASSERT(err.message[0] != '\0');
        CU_ASSERT_STRING_EQUAL(err.field, k->field);
        /* Neither the key nor the injected header text is echoed. */
        if (k->api_key && *k->api_key)
            CU_ASSERT_PTR_NULL(strstr(err.message, k->api_key));
        CU_ASSERT_PTR_NULL(strstr(err.message, "X-Evil"));
        if (rc != OPENROUTER_EINVAL || strcmp(err.field, k->field) != 0)
            fprintf(stderr, "\n  client case [%s]: rc=%s field=\"%s\" message=\"%s\"\n", k->name,
                    openrouter_status_name(rc), err.field, err.message);
        if (c && c != (openrouter_client *)&o)
            openrouter_client_free(c);
        openrouter_error_clear(&err);
        /* And with no error pointer at all. */
        c = NULL;
        CU_ASSERT_EQUAL(openrouter_client_new(&c, &o, NULL), OPENROUTER_EINVAL);
        CU_ASSERT_PTR_NULL(c);
    }
    openrouter_error err = OPENROUTER_ERROR_INIT;
    CU_ASSERT_EQUAL(openrouter_client_new(NULL, NULL, &err), OPENROUTER_EINVAL);
    openrouter_error_clear(&err);
    openrouter_client *c = NULL;
    CU_ASSERT_EQUAL(openrouter_client_new(&c, NULL, &err), OPENROUTER_EINVAL);
    CU_ASSERT_PTR_NULL(c);
    openrouter_error_clear(&err);

    /* The accepted forms, for contrast: loopback http, and any http host
     * once the caller opts in. */
    const char *fine[] = {"http://127.0.0.1:1/api/v1", "http://localhost:1/", "http://[::1]:1/x",
                          "https://openrouter.ai/api/v1/"};
    for (size_t i = 0; i < sizeof fine / sizeof fine[0]; i++) {
        openrouter_client_options o = OPENROUTER_CLIENT_OPTIONS_INIT;
        o.api_key = STUB_MANAGEMENT_KEY;
        o.base_url = fine[i];
        c = NULL;
        CU_ASSERT_EQUAL(openrouter_client_new(&c, &o, &err), OPENROUTER_OK);
        openrouter_client_free(c);
        openrouter_error_clear(&err);
    }
    openrouter_client_options o = OPENROUTER_CLIENT_OPTIONS_INIT;
    o.api_key = STUB_MANAGEMENT_KEY;
    o.base_url = "http://openrouter.ai/api/v1";
    o.allow_insecure_http = 1;
    c = NULL;
    CU_ASSERT_EQUAL(openrouter_client_new(&c, &o, &err), OPENROUTER_OK);
    openrouter_client_free(c);
    openrouter_error_clear(&err);
    CU_ASSERT_EQUAL(stub_stat(&srv, "requests"), before);
}

/* ---- everything else ----------------------------------------------------- */

static void test_other_public_functions(void)
{
    long before = stub_stat(&srv, "requests");
    openrouter_error err = OPENROUTER_ERROR_INIT;
    /* Frees and clears are NULL-safe. */
    openrouter_client_free(NULL);
    openrouter_error_clear(NULL);
    openrouter_model_free(NULL);
    openrouter_buffer_free(NULL);
    openrouter_key_list_free(NULL);
    openrouter_created_key_free(NULL);
    openrouter_key_response_free(NULL);
    openrouter_delete_key_response_free(NULL);
    openrouter_current_key_response_free(NULL);
    openrouter_key_free(NULL);
    openrouter_list_keys_iter_free(NULL);
    openrouter_error_clear(&err);
    openrouter_error_clear(&err); /* twice is fine */

    /* Generic call: NULL operation, NULL client. */
    void *out = NULL;
    CU_ASSERT_EQUAL(openrouter_call(client, NULL, NULL, &out, NULL, &err), OPENROUTER_EINVAL);
    CU_ASSERT_PTR_NULL(out);
    openrouter_error_clear(&err);
    CU_ASSERT_EQUAL(openrouter_call(NULL, &openrouter_list_keys_operation, NULL, &out, NULL, &err),
                    OPENROUTER_EINVAL);
    openrouter_error_clear(&err);

    /* Models. */
    CU_ASSERT_EQUAL(openrouter_model_decode(NULL, "{}", 2, &out, &err), OPENROUTER_EINVAL);
    CU_ASSERT_PTR_NULL(out);
    openrouter_error_clear(&err);
    CU_ASSERT_EQUAL(openrouter_model_decode(&openrouter_key_desc, NULL, 5, &out, &err), OPENROUTER_EINVAL);
    openrouter_error_clear(&err);
    CU_ASSERT_EQUAL(openrouter_model_decode(&openrouter_key_desc, "{}", 2, NULL, &err), OPENROUTER_EINVAL);
    openrouter_error_clear(&err);
    openrouter_key *key = NULL;
    CU_ASSERT(openrouter_key_decode(NULL, 0, &key, &err) < 0);
    CU_ASSERT_PTR_NULL(key);
    openrouter_error_clear(&err);
    CU_ASSERT(openrouter_key_decode("", 0, &key, NULL) < 0);
    CU_ASSERT_PTR_NULL(key);
    char *json = NULL;
    size_t len = 0;
    CU_ASSERT_EQUAL(openrouter_model_encode(NULL, NULL, &json, &len, &err), OPENROUTER_EINVAL);
    openrouter_error_clear(&err);
    CU_ASSERT_EQUAL(openrouter_key_encode(NULL, &json, &len, &err), OPENROUTER_EINVAL);
    CU_ASSERT_PTR_NULL(json);
    openrouter_error_clear(&err);
    openrouter_key blank;
    memset(&blank, 0, sizeof blank);
    CU_ASSERT_EQUAL(openrouter_key_encode(&blank, NULL, &len, &err), OPENROUTER_EINVAL);
    openrouter_error_clear(&err);
    CU_ASSERT_EQUAL(openrouter_model_equal(NULL, NULL, NULL), 1); /* nothing equals nothing */

    /* Date-times, Retry-After, backoff, status names. */
    int64_t us = 0;
    int off = 0;
    CU_ASSERT_EQUAL(openrouter_datetime_parse(NULL, &us, &off), -1);
    CU_ASSERT_EQUAL(openrouter_datetime_parse("2027-12-31T23:59:59Z", NULL, NULL), 0);
    char buf[OPENROUTER_DATETIME_BUFSIZE];
    CU_ASSERT_EQUAL(openrouter_datetime_format(0, NULL, 0), -1);
    CU_ASSERT_EQUAL(openrouter_datetime_format(0, buf, 4), -1);
    CU_ASSERT_EQUAL(openrouter_parse_retry_after(NULL, 0), -1);
    CU_ASSERT_EQUAL(openrouter_parse_retry_after("", 0), -1);
    CU_ASSERT_EQUAL(openrouter_parse_retry_after("-1", 0), -1);
    CU_ASSERT_EQUAL(openrouter_backoff_delay_ms(NULL, 1, 0.5), 0);
    openrouter_retry_policy p = OPENROUTER_RETRY_POLICY_INIT;
    CU_ASSERT_EQUAL(openrouter_backoff_delay_ms(&p, -5, NAN), 0);
    CU_ASSERT(openrouter_backoff_delay_ms(&p, 1000000, 0.999) <= p.max_delay_ms);
    CU_ASSERT_PTR_NOT_NULL(openrouter_status_name(12345));
    CU_ASSERT_PTR_NOT_NULL(openrouter_status_name(-12345));
    CU_ASSERT_PTR_NOT_NULL(openrouter_version());

    /* Pagination helpers. */
    openrouter_list_keys_iter *it = (openrouter_list_keys_iter *)&p;
    CU_ASSERT_EQUAL(openrouter_list_keys_iter_new(&it, NULL, NULL, NULL, &err), OPENROUTER_EINVAL);
    CU_ASSERT_PTR_NULL(it);
    openrouter_error_clear(&err);
    CU_ASSERT_EQUAL(openrouter_list_keys_iter_new(NULL, client, NULL, NULL, &err), OPENROUTER_EINVAL);
    openrouter_error_clear(&err);
    const openrouter_key *item = NULL;
    CU_ASSERT_EQUAL(openrouter_list_keys_iter_next(NULL, &item, &err), OPENROUTER_EINVAL);
    openrouter_error_clear(&err);
    openrouter_key_list *all = NULL;
    CU_ASSERT_EQUAL(openrouter_list_keys_all(NULL, NULL, NULL, &all, &err), OPENROUTER_EINVAL);
    CU_ASSERT_PTR_NULL(all);
    openrouter_error_clear(&err);
    CU_ASSERT_EQUAL(openrouter_list_keys_all(client, NULL, NULL, NULL, &err), OPENROUTER_EINVAL);
    openrouter_error_clear(&err);

    CU_ASSERT_EQUAL(stub_stat(&srv, "requests"), before);
}

static int suite_init(void)
{
    if (stub_start(&srv, 0) != 0)
        return -1;
    openrouter_client_options o = OPENROUTER_CLIENT_OPTIONS_INIT;
    o.api_key = STUB_MANAGEMENT_KEY;
    o.base_url = srv.base_url;
    return openrouter_client_new(&client, &o, NULL) == OPENROUTER_OK ? 0 : -1;
}

static int suite_clean(void)
{
    openrouter_client_free(client);
    stub_stop(&srv);
    return 0;
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("hostile callers", suite_init, suite_clean);
    CU_add_test(s, "bad arguments to every operation", test_operation_arguments);
    CU_add_test(s, "bad client options", test_client_construction);
    CU_add_test(s, "every other public function", test_other_public_functions);
    return or_test_run();
}
