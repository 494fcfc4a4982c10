/* Smoke test for the stub-server helpers: start, add a key, call the API,
 * inspect the request log, stop.  Exit status 0 on success. */
#include "stub_server.h"

#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "stub_smoke: %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
            goto done;                                                                             \
        }                                                                                          \
    } while (0)

static size_t discard(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    (void)ptr;
    (void)userdata;
    return size * nmemb;
}

/* Two GETs of the given path on ONE easy handle (so one kept-alive
 * connection); returns the second status, or -1. */
static long two_gets(const stub_server *s, const char *path)
{
    char url[256];
    long status = -1;
    struct curl_slist *hdrs = curl_slist_append(NULL, "Authorization: Bearer " STUB_MANAGEMENT_KEY);
    CURL *h = curl_easy_init();

    if (!h || !hdrs)
        goto out;
    snprintf(url, sizeof url, "%s%s", s->base_url, path);
    if (curl_easy_setopt(h, CURLOPT_URL, url) != CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs) != CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_NOPROXY, "*") != CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L) != CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard) != CURLE_OK)
        goto out;
    for (int i = 0; i < 2; i++) {
        if (curl_easy_perform(h) != CURLE_OK ||
            curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK) {
            status = -1;
            goto out;
        }
    }
out:
    curl_slist_free_all(hdrs);
    if (h)
        curl_easy_cleanup(h);
    return status;
}

int main(void)
{
    stub_server s;
    json_object *log = NULL, *reqs = NULL, *first = NULL, *v = NULL;
    char hash[128];
    int ok = 0;

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return 2;
    CHECK(stub_start(&s, 3) == 0);
    CHECK(s.port > 0);
    CHECK(strstr(s.base_url, "/api/v1") != NULL);
    CHECK(stub_count_keys(&s) == 3);

    CHECK(stub_add_key(&s, "{\"name\":\"odd\",\"hash\":\"a/b?c#d%e..f\"}", hash, sizeof hash) == 0);
    CHECK(strcmp(hash, "a/b?c#d%e..f") == 0);
    CHECK(stub_add_key(&s, "{\"name\":\"plain\"}", hash, sizeof hash) == 0);
    CHECK(strlen(hash) == 64);
    CHECK(stub_add_key(&s, "{\"name\":\"tiny\"}", hash, 8) != 0); /* buffer too small */
    CHECK(stub_count_keys(&s) == 6);

    CHECK(stub_reset_connections(&s) == 0);
    CHECK(two_gets(&s, "/keys?offset=0") == 200);
    CHECK(stub_connections(&s) == 1);
    CHECK(stub_stat(&s, "requests") == 2);

    log = stub_requests(&s);
    CHECK(log != NULL);
    CHECK(json_object_object_get_ex(log, "requests", &reqs));
    CHECK(json_object_array_length(reqs) == 2);
    first = json_object_array_get_idx(reqs, 0);
    CHECK(json_object_object_get_ex(first, "path", &v));
    CHECK(strcmp(json_object_get_string(v), "/api/v1/keys") == 0);
    CHECK(json_object_object_get_ex(first, "query", &v));
    CHECK(strcmp(json_object_get_string(v), "offset=0") == 0);
    json_object_put(log);
    log = NULL;

    CHECK(stub_add_faults(&s, "{\"faults\":[{\"status\":503},{\"status\":503}]}") == 0);
    CHECK(two_gets(&s, "/keys") == 503);
    CHECK(stub_add_faults(&s, "not json") != 0);
    CHECK(stub_clear_requests(&s) == 0);
    log = stub_requests(&s);
    CHECK(log != NULL);
    CHECK(json_object_object_get_ex(log, "requests", &reqs));
    CHECK(json_object_array_length(reqs) == 0);

    CHECK(stub_reset(&s, 0) == 0);
    CHECK(stub_count_keys(&s) == 0);
    ok = 1;
done:
    json_object_put(log);
    stub_stop(&s);
    stub_stop(&s); /* idempotent */
    curl_global_cleanup();
    if (ok)
        printf("stub_smoke: OK\n");
    return ok ? 0 : 1;
}
