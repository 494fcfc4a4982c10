/* Contract test client, driven by tests/contract/run.sh against Stoplight
 * Prism mocking the upstream OpenAPI description with --errors:
 *
 *   contract_client BASE_URL EXAMPLES_JSON
 *
 * - Every operation, with realistic arguments in several variants (every
 *   optional parameter and body field, PATCH's three states), must succeed.
 *   Prism answers a request that breaks the description with an error
 *   status (and an sl-violations header), which the library reports as
 *   EHTTP: so success means the request passed validation. run.sh also
 *   fails on any "Violation" line in Prism's log.
 * - Each success answer is Prism's example for that response. It must decode
 *   (default, tolerant decoding) and equal the example as decoded directly
 *   from EXAMPLES_JSON ({"operationId": {"status": example}}, from run.sh).
 * - Every documented error example (requested with "Prefer: code=N" through
 *   a raw libcurl handle) must parse as an API error with that code.
 * Prints one line per check and a total; exits 0 only if all passed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include <openrouter/openrouter.h>

#include "internal.h"

#define API_KEY "sk-or-v1-contract-test-management-key"
#define HASH "f01d52606dc8f0a8303a7b5cc3fa07109c2e346cec7c0a16b40de462992ce943"
#define WORKSPACE "0df9e665-d932-5740-b2c7-b52af166bc11"

static const char *base_url;
static json_object *examples;
static int checks, failures;

static void check(int ok, const char *what, const openrouter_error *err)
{
    checks++;
    if (!ok)
        failures++;
    printf("%s  %s", ok ? "ok  " : "FAIL", what);
    if (!ok && err && err->kind != OPENROUTER_OK)
        printf("  [%s: %s%s%s]", openrouter_status_name(err->kind), err->message,
               err->body_snippet ? " body: " : "", err->body_snippet ? err->body_snippet : "");
    printf("\n");
}

/* The example of operation `opid`, response `status`, as JSON text. */
static const char *example(const char *opid, const char *status)
{
    json_object *op = NULL, *ex = NULL;
    if (!json_object_object_get_ex(examples, opid, &op) || !json_object_object_get_ex(op, status, &ex))
        return NULL;
    return json_object_to_json_string_ext(ex, JSON_C_TO_STRING_PLAIN);
}

static openrouter_client *new_client(void)
{
    openrouter_client_options o = OPENROUTER_CLIENT_OPTIONS_INIT;
    o.api_key = API_KEY;
    o.base_url = base_url;
    o.http_referer = "https://example.test/provisioner";
    o.app_title = "Contract Test";
    o.app_categories = "cli-agent,cloud-agent";
    /* Default (tolerant) decoding: our spec marks fields required that the
     * 2026-08-22 examples predate (external_user), and a client must read
     * those answers. */
    o.retry.max_attempts = 1;
    openrouter_client *c = NULL;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    if (openrouter_client_new(&c, &o, &err) != OPENROUTER_OK) {
        fprintf(stderr, "client_new: %s\n", err.message);
        exit(2);
    }
    return c;
}

/* Decodes the example with the same typed decoder and compares. */
#define CHECK_MATCHES_EXAMPLE(M, got, opid, status, label)                                          \
    do {                                                                                           \
        const char *text_ = example(opid, status);                                                 \
        M *want_ = NULL;                                                                           \
        openrouter_error e_ = OPENROUTER_ERROR_INIT;                                               \
        int drc_ = text_ ? M##_decode(text_, strlen(text_), &want_, &e_) : OPENROUTER_EINVAL;      \
        char what_[200];                                                                           \
        snprintf(what_, sizeof what_, "%s: %s %s example decodes and matches", label, opid, status); \
        check(drc_ == OPENROUTER_OK && (got) && M##_equal(want_, got), what_, &e_);                \
        M##_free(want_);                                                                           \
        openrouter_error_clear(&e_);                                                               \
    } while (0)

static void run_list(openrouter_client *c)
{
    for (int v = 0; v < 3; v++) {
        openrouter_list_keys_request r = OPENROUTER_LIST_KEYS_REQUEST_INIT;
        if (v >= 1) {
            r.include_disabled = OPENROUTER_BOOL(v == 1);
            r.offset = OPENROUTER_INT64(100 * v);
        }
        if (v == 2)
            r.workspace_id = OPENROUTER_STRING(WORKSPACE);
        openrouter_key_list *out = NULL;
        openrouter_error err = OPENROUTER_ERROR_INIT;
        char what[96];
        snprintf(what, sizeof what, "list_keys variant %d accepted", v);
        check(openrouter_list_keys(c, &r, &out, NULL, &err) == OPENROUTER_OK, what, &err);
        CHECK_MATCHES_EXAMPLE(openrouter_key_list, out, "list", "200", what);
        openrouter_key_list_free(out);
        openrouter_error_clear(&err);
    }
}

static void run_create(openrouter_client *c)
{
    for (int v = 0; v < 4; v++) {
        openrouter_create_key_request r = OPENROUTER_CREATE_KEY_REQUEST_INIT;
        r.body.name = OPENROUTER_STRING("customer-42");
        if (v == 1) { /* every field with a value */
            r.body.limit = OPENROUTER_NUMBER(25.5);
            r.body.limit_reset = OPENROUTER_LIMIT_RESET(MONTHLY);
            r.body.include_byok_in_limit = OPENROUTER_BOOL(true);
            r.body.expires_at = OPENROUTER_DATETIME("2027-12-31T23:59:59Z");
            r.body.creator_user_id = OPENROUTER_STRING("user_2dHFtVWx2n56w6HkM0000000000");
            r.body.workspace_id = OPENROUTER_STRING(WORKSPACE);
        } else if (v == 2) { /* explicit nulls where the description allows them */
            r.body.limit.state = OPENROUTER_NULL;
            r.body.limit_reset.state = OPENROUTER_NULL;
            r.body.expires_at.state = OPENROUTER_NULL;
            r.body.creator_user_id.state = OPENROUTER_NULL;
        } else if (v == 3) { /* zero and false are values, not absence */
            r.body.limit = OPENROUTER_NUMBER(0);
            r.body.include_byok_in_limit = OPENROUTER_BOOL(false);
            r.body.limit_reset = OPENROUTER_LIMIT_RESET(DAILY);
        }
        openrouter_created_key *out = NULL;
        openrouter_error err = OPENROUTER_ERROR_INIT;
        char what[96];
        snprintf(what, sizeof what, "create_key variant %d accepted", v);
        check(openrouter_create_key(c, &r, &out, NULL, &err) == OPENROUTER_OK, what, &err);
        CHECK_MATCHES_EXAMPLE(openrouter_created_key, out, "createKeys", "201", what);
        openrouter_created_key_free(out);
        openrouter_error_clear(&err);
    }
}

static void run_get_delete_current(openrouter_client *c)
{
    openrouter_error err = OPENROUTER_ERROR_INIT;
    {
        openrouter_get_key_request r = OPENROUTER_GET_KEY_REQUEST_INIT;
        r.hash = HASH;
        openrouter_key_response *out = NULL;
        check(openrouter_get_key(c, &r, &out, NULL, &err) == OPENROUTER_OK, "get_key accepted", &err);
        CHECK_MATCHES_EXAMPLE(openrouter_key_response, out, "getKey", "200", "get_key");
        openrouter_key_response_free(out);
        openrouter_error_clear(&err);
    }
    {
        openrouter_delete_key_request r = OPENROUTER_DELETE_KEY_REQUEST_INIT;
        r.hash = HASH;
        openrouter_delete_key_response *out = NULL;
        check(openrouter_delete_key(c, &r, &out, NULL, &err) == OPENROUTER_OK, "delete_key accepted", &err);
        CHECK_MATCHES_EXAMPLE(openrouter_delete_key_response, out, "deleteKeys", "200", "delete_key");
        openrouter_delete_key_response_free(out);
        openrouter_error_clear(&err);
    }
    {
        openrouter_get_current_key_metadata_request r = OPENROUTER_GET_CURRENT_KEY_METADATA_REQUEST_INIT;
        openrouter_current_key_response *out = NULL;
        check(openrouter_get_current_key_metadata(c, &r, &out, NULL, &err) == OPENROUTER_OK,
              "get_current_key_metadata accepted", &err);
        CHECK_MATCHES_EXAMPLE(openrouter_current_key_response, out, "getCurrentKey", "200",
                              "get_current_key_metadata");
        openrouter_current_key_response_free(out);
        openrouter_error_clear(&err);
    }
}

static void run_update(openrouter_client *c)
{
    for (int v = 0; v < 4; v++) {
        openrouter_update_key_request r = OPENROUTER_UPDATE_KEY_REQUEST_INIT;
        r.hash = HASH;
        if (v == 0) { /* change everything */
            r.body.name = OPENROUTER_STRING("renamed");
            r.body.disabled = OPENROUTER_BOOL(true);
            r.body.limit = OPENROUTER_NUMBER(75);
            r.body.limit_reset = OPENROUTER_LIMIT_RESET(WEEKLY);
            r.body.include_byok_in_limit = OPENROUTER_BOOL(false);
        } else if (v == 1) { /* clear the limit and the reset: explicit nulls */
            r.body.limit.state = OPENROUTER_NULL;
            r.body.limit_reset.state = OPENROUTER_NULL;
        } else if (v == 2) { /* zero and false */
            r.body.limit = OPENROUTER_NUMBER(0);
            r.body.disabled = OPENROUTER_BOOL(false);
        } /* v == 3: an empty PATCH {} */
        openrouter_key_response *out = NULL;
        openrouter_error err = OPENROUTER_ERROR_INIT;
        char what[96];
        snprintf(what, sizeof what, "update_key variant %d accepted", v);
        check(openrouter_update_key(c, &r, &out, NULL, &err) == OPENROUTER_OK, what, &err);
        CHECK_MATCHES_EXAMPLE(openrouter_key_response, out, "updateKeys", "200", what);
        openrouter_key_response_free(out);
        openrouter_error_clear(&err);
    }
}

/* ---- documented error examples --------------------------------------------- */

static size_t collect(char *p, size_t size, size_t n, void *ud)
{
    or_buf *b = ud;
    return or_buf_append(b, p, size * n) == 0 ? size * n : 0;
}

static void run_error_examples(void)
{
    static const struct {
        const char *opid, *method, *path, *body;
    } ops[] = {
        {"getCurrentKey", "GET", "/key", NULL},
        {"list", "GET", "/keys", NULL},
        {"createKeys", "POST", "/keys", "{\"name\":\"x\"}"},
        {"getKey", "GET", "/keys/" HASH, NULL},
        {"deleteKeys", "DELETE", "/keys/" HASH, NULL},
        {"updateKeys", "PATCH", "/keys/" HASH, "{\"name\":\"y\"}"},
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        json_object *op = NULL;
        if (!json_object_object_get_ex(examples, ops[i].opid, &op))
            continue;
        json_object_object_foreach(op, status, ex) {
            (void)ex;
            long code = strtol(status, NULL, 10);
            if (code < 400)
                continue;
            CURL *h = curl_easy_init();
            char url[256], prefer[64];
            snprintf(url, sizeof url, "%s%s", base_url, ops[i].path);
            snprintf(prefer, sizeof prefer, "Prefer: code=%ld", code);
            struct curl_slist *hd = curl_slist_append(NULL, "Authorization: Bearer " API_KEY);
            hd = curl_slist_append(hd, prefer);
            hd = curl_slist_append(hd, "Content-Type: application/json");
            or_buf body = OR_BUF_INIT;
            curl_easy_setopt(h, CURLOPT_URL, url);
            curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, ops[i].method);
            if (ops[i].body)
                curl_easy_setopt(h, CURLOPT_POSTFIELDS, ops[i].body);
            curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
            curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
            curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
            long got = 0;
            CURLcode rc = curl_easy_perform(h);
            curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &got);
            openrouter_error err = OPENROUTER_ERROR_INIT;
            int prc = or_error_parse_body(&err, body.data ? body.data : "", body.len);
            char what[160];
            snprintf(what, sizeof what, "%s %s error example parses (api code %s, message \"%s\")", ops[i].opid,
                     status, err.api_code ? err.api_code : "-", err.api_message ? err.api_message : "-");
            check(rc == CURLE_OK && got == code && prc == 0 && err.api_code_number == code && err.api_message &&
                      !err.body_snippet,
                  what, NULL);
            openrouter_error_clear(&err);
            or_buf_free(&body);
            curl_slist_free_all(hd);
            curl_easy_cleanup(h);
        }
    }
}

/* Control: a request that breaks the description (offset < 0), sent by a
 * raw handle, is refused with an sl-violations header. Shows the checks
 * above can fail. run.sh expects exactly this one violation in Prism's log. */
static size_t find_violations(char *p, size_t size, size_t n, void *ud)
{
    if (size * n >= 13 && strncasecmp(p, "sl-violations", 13) == 0)
        *(int *)ud = 1;
    return size * n;
}

static void run_control(void)
{
    CURL *h = curl_easy_init();
    char url[256];
    snprintf(url, sizeof url, "%s/keys?offset=-5", base_url);
    struct curl_slist *hd = curl_slist_append(NULL, "Authorization: Bearer " API_KEY);
    or_buf body = OR_BUF_INIT;
    int flagged = 0;
    long got = 0;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, find_violations);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &flagged);
    CURLcode rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &got);
    check(rc == CURLE_OK && got >= 400 && flagged, "control: an invalid request (offset=-5) is flagged by Prism",
          NULL);
    or_buf_free(&body);
    curl_slist_free_all(hd);
    curl_easy_cleanup(h);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: contract_client BASE_URL EXAMPLES_JSON\n");
        return 2;
    }
    base_url = argv[1];
    examples = json_object_from_file(argv[2]);
    if (!examples) {
        fprintf(stderr, "cannot read %s\n", argv[2]);
        return 2;
    }
    if (openrouter_global_init() != OPENROUTER_OK)
        return 2;
    openrouter_client *c = new_client();
    run_list(c);
    run_create(c);
    run_get_delete_current(c);
    run_update(c);
    openrouter_client_free(c);
    run_error_examples();
    run_control();
    openrouter_global_cleanup();
    json_object_put(examples);
    printf("contract: %d checks, %d failed\n", checks, failures);
    return failures == 0 && checks > 0 ? 0 : 1;
}
