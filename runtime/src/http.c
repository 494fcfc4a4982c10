/* openrouter-c: the libcurl side. One easy handle per client, configured
 * once (TLS verification on, no redirects, protocol allow-list, timeouts,
 * size limit) and reused for every request so connections and TLS sessions
 * are kept alive. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http.h"

/* ---- callbacks ---------------------------------------------------------------- */

size_t or_http_write_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    openrouter_client *c = userdata;
    size_t n = size * nmemb;
    size_t max = c->settings.max_response_bytes;
    /* Enforced while receiving: the transfer is aborted (curl sees a short
     * write, CURLE_WRITE_ERROR) before the limit is exceeded, so a hostile
     * or broken server cannot make us buffer more than max bytes, whether
     * it announced a Content-Length or not (chunked, compressed). */
    if (c->response.len > max || n > max - c->response.len) {
        c->too_large = 1;
        return 0;
    }
    if (or_buf_append(&c->response, ptr, n) != 0) {
        c->oom = 1;
        return 0;
    }
    return n;
}

static void trim(const char **start, size_t *len)
{
    const char *s = *start;
    size_t n = *len;
    while (n && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    *start = s;
    *len = n;
}

static void capture(char *dst, const char *value, size_t len, int cut_ok)
{
    if (len >= OR_HEADER_VALUE_MAX) {
        if (!cut_ok) {
            dst[0] = '\0'; /* a cut number would be a wrong number: ignore */
            return;
        }
        len = OR_HEADER_VALUE_MAX - 1;
    }
    memcpy(dst, value, len);
    dst[len] = '\0';
}

static size_t header_cb(char *buf, size_t size, size_t nitems, void *userdata)
{
    openrouter_client *c = userdata;
    size_t n = size * nitems;
    /* A new status line (interim 1xx, proxy CONNECT) starts a new header set. */
    if (n >= 5 && memcmp(buf, "HTTP/", 5) == 0) {
        c->retry_after[0] = c->retry_after_ms[0] = c->content_type[0] = '\0';
        return n;
    }
    const char *colon = memchr(buf, ':', n);
    if (!colon)
        return n;
    size_t name_len = (size_t)(colon - buf);
    const char *value = colon + 1;
    size_t value_len = n - name_len - 1;
    trim(&value, &value_len);
    if (name_len == 11 && strncasecmp(buf, "retry-after", 11) == 0)
        capture(c->retry_after, value, value_len, 0);
    else if (name_len == 14 && strncasecmp(buf, "retry-after-ms", 14) == 0)
        capture(c->retry_after_ms, value, value_len, 0);
    else if (name_len == 12 && strncasecmp(buf, "content-type", 12) == 0)
        capture(c->content_type, value, value_len, 1);
    return n;
}

/* ---- setup ------------------------------------------------------------------------ */

void or_slist_free_wiped(struct curl_slist *list)
{
    for (struct curl_slist *l = list; l; l = l->next)
        if (l->data)
            or_wipe(l->data, strlen(l->data));
    curl_slist_free_all(list);
}

/* Appends "Name: value" (skipped when value is NULL or empty: an empty
 * custom header would tell libcurl to drop the header instead). */
static int add_header(struct curl_slist **list, or_buf *tmp, const char *name, const char *value)
{
    if (!value || !*value)
        return 0;
    or_buf_reset(tmp);
    if (or_buf_printf(tmp, "%s: %s", name, value) != 0)
        return -1;
    struct curl_slist *next = curl_slist_append(*list, tmp->data);
    if (!next)
        return -1;
    *list = next;
    return 0;
}

static int build_default_headers(openrouter_client *c, const openrouter_client_options *o)
{
    or_buf tmp = OR_BUF_INIT;
    struct curl_slist *list = NULL;
    int bad = 0;
    or_buf auth = OR_BUF_INIT;
    if (or_buf_puts(&auth, "Bearer ") != 0 || or_buf_append(&auth, c->api_key, c->api_key_len) != 0)
        bad = 1;
    bad = bad || add_header(&list, &tmp, "Authorization", auth.data);
    bad = bad || add_header(&list, &tmp, "Accept", "application/json");
    bad = bad || add_header(&list, &tmp, "User-Agent",
                            o->user_agent && *o->user_agent ? o->user_agent
                                                            : "openrouter-c/" OPENROUTER_VERSION_STRING);
    bad = bad || add_header(&list, &tmp, "HTTP-Referer", o->http_referer);
    bad = bad || add_header(&list, &tmp, "X-OpenRouter-Title", o->app_title);
    bad = bad || add_header(&list, &tmp, "X-Title", o->app_title);
    bad = bad || add_header(&list, &tmp, "X-OpenRouter-Categories", o->app_categories);
    if (!bad) {
        /* No "Expect: 100-continue" round trip for request bodies. */
        struct curl_slist *next = curl_slist_append(list, "Expect:");
        if (next)
            list = next;
        else
            bad = 1;
    }
    or_buf_free(&auth); /* wipes */
    or_buf_free(&tmp);  /* wipes: held the Authorization line */
    if (bad) {
        or_slist_free_wiped(list);
        return -1;
    }
    c->headers = list;
    return 0;
}

int or_http_setup(openrouter_client *c, const openrouter_client_options *o, openrouter_error *error)
{
    c->curl = curl_easy_init();
    if (!c->curl)
        return or_error_set(error, OPENROUTER_ENOMEM, "curl_easy_init failed");
    if (build_default_headers(c, o) != 0)
        return or_error_set(error, OPENROUTER_ENOMEM, "out of memory");

    const or_transport_settings *s = &c->settings;
    CURL *h = c->curl;
    CURLcode rc = CURLE_OK;
    const char *what = NULL;
#define OR_SET(opt, val)                              \
    do {                                              \
        if (rc == CURLE_OK) {                         \
            rc = curl_easy_setopt(h, opt, val);       \
            if (rc != CURLE_OK)                       \
                what = #opt;                          \
        }                                             \
    } while (0)
    OR_SET(CURLOPT_NOSIGNAL, s->nosignal);
    OR_SET(CURLOPT_SSL_VERIFYPEER, s->ssl_verify_peer);
    OR_SET(CURLOPT_SSL_VERIFYHOST, s->ssl_verify_host);
    OR_SET(CURLOPT_FOLLOWLOCATION, s->follow_location);
    OR_SET(CURLOPT_MAXREDIRS, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500 /* 7.85.0: the string forms */
    OR_SET(CURLOPT_PROTOCOLS_STR, s->protocols);
    OR_SET(CURLOPT_REDIR_PROTOCOLS_STR, s->redir_protocols);
#else
    long mask = CURLPROTO_HTTPS | (s->http_allowed ? CURLPROTO_HTTP : 0);
    OR_SET(CURLOPT_PROTOCOLS, mask);
    OR_SET(CURLOPT_REDIR_PROTOCOLS, mask);
#endif
    OR_SET(CURLOPT_CONNECTTIMEOUT_MS, s->connect_timeout_ms);
    OR_SET(CURLOPT_TIMEOUT_MS, s->timeout_ms);
    OR_SET(CURLOPT_TCP_KEEPALIVE, s->tcp_keepalive);
    OR_SET(CURLOPT_ACCEPT_ENCODING, s->accept_encoding);
    if (s->max_response_bytes <= (size_t)INT64_MAX)
        OR_SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)s->max_response_bytes);
    OR_SET(CURLOPT_WRITEFUNCTION, or_http_write_cb);
    OR_SET(CURLOPT_WRITEDATA, (void *)c);
    OR_SET(CURLOPT_HEADERFUNCTION, header_cb);
    OR_SET(CURLOPT_HEADERDATA, (void *)c);
    OR_SET(CURLOPT_ERRORBUFFER, c->errbuf);
    OR_SET(CURLOPT_HTTPHEADER, c->headers);
    OR_SET(CURLOPT_NOPROGRESS, 1L);
#undef OR_SET
    /* What or_http_perform() sets per transfer, as set now. */
    c->plain_get = 0;
    c->set_headers = c->headers;
    c->set_timeout_ms = s->timeout_ms;
    c->set_fresh_connect = 0;
    if (rc != CURLE_OK)
        return or_error_set(error, rc == CURLE_OUT_OF_MEMORY ? OPENROUTER_ENOMEM : OPENROUTER_ETRANSPORT,
                            "libcurl refused %s: %s", what, curl_easy_strerror(rc));
    return OPENROUTER_OK;
}

void or_http_teardown(openrouter_client *c)
{
    if (c->curl) {
        curl_easy_cleanup(c->curl);
        c->curl = NULL;
    }
    if (c->headers) {
        or_slist_free_wiped(c->headers);
        c->headers = NULL;
    }
}

/* ---- one transfer -------------------------------------------------------------------- */

void or_http_perform(openrouter_client *c, const or_http_request *req, or_http_result *res)
{
    memset(res, 0, sizeof *res);
    or_buf_reset(&c->response);
    c->too_large = 0;
    c->oom = 0;
    c->retry_after[0] = c->retry_after_ms[0] = c->content_type[0] = '\0';
    c->errbuf[0] = '\0';

    /* Only what changed since the previous transfer is set again: the URL
     * (and a body) always, the method, header list, timeout and
     * fresh-connect flag when they differ. */
    CURL *h = c->curl;
    CURLcode rc = curl_easy_setopt(h, CURLOPT_URL, req->url);
    int is_get = strcmp(req->method, "GET") == 0;
    int is_post = strcmp(req->method, "POST") == 0;
    if (rc == CURLE_OK) {
        if (req->body || is_post) {
            curl_easy_setopt(h, CURLOPT_POST, 1L);
            curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(req->body ? req->body_len : 0));
            rc = curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body ? req->body : "");
            if (rc == CURLE_OK)
                rc = curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, is_post ? NULL : req->method);
            c->plain_get = 0;
        } else if (!is_get || !c->plain_get) {
            rc = curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
            if (rc == CURLE_OK)
                rc = curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, is_get ? NULL : req->method);
            /* A bodiless GET leaves the handle as the next one needs it. */
            c->plain_get = rc == CURLE_OK && is_get;
        }
    }
    struct curl_slist *headers = req->headers ? req->headers : c->headers;
    if (rc == CURLE_OK && headers != c->set_headers) {
        rc = curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
        c->set_headers = rc == CURLE_OK ? headers : NULL;
    }
    if (rc == CURLE_OK && req->timeout_ms != c->set_timeout_ms) {
        rc = curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, req->timeout_ms);
        c->set_timeout_ms = rc == CURLE_OK ? req->timeout_ms : -1;
    }
    int fresh = req->fresh_connect ? 1 : 0;
    if (rc == CURLE_OK && fresh != c->set_fresh_connect) {
        rc = curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, (long)fresh);
        c->set_fresh_connect = rc == CURLE_OK ? fresh : -1;
    }

    /* The duration is only reported to trace and log hooks. */
    int timed = c->trace || c->log;
    int64_t t0 = timed ? or_clock_now_ms(c) : 0;
    if (rc == CURLE_OK)
        rc = curl_easy_perform(h);
    int64_t t1 = timed ? or_clock_now_ms(c) : 0;
    res->duration_ms = t1 > t0 ? (long)(t1 - t0) : 0;
    res->curl_code = rc;

    long status = 0;
    if (curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK)
        res->status = status;
    res->too_large = c->too_large || rc == CURLE_FILESIZE_EXCEEDED;
    if (rc == CURLE_WRITE_ERROR && c->oom)
        res->curl_code = CURLE_OUT_OF_MEMORY;
    if (rc != CURLE_OK) {
        long sent = 0;
        if (curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &sent) != CURLE_OK)
            sent = 1; /* unknown: assume it may have been sent */
        res->nothing_sent = rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
                            rc == CURLE_COULDNT_RESOLVE_PROXY || sent == 0;
    }
    /* Drop the pointers to the caller's body and the per-call header list
     * so the handle never refers to freed memory between calls. */
    if (req->body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
    }
    if (c->set_headers != c->headers) {
        c->set_headers = curl_easy_setopt(h, CURLOPT_HTTPHEADER, c->headers) == CURLE_OK ? c->headers : NULL;
    }
}
