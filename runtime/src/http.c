/* openrouter-c: the libcurl side. One easy handle, configured once (TLS
 * verification on, no redirects, protocol allow-list, timeouts, size
 * limit) and reused for every request so connections and TLS sessions are
 * kept alive. What a transfer brings back goes into the caller's
 * or_http_response, never into the client. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http.h"

/* ---- callbacks ---------------------------------------------------------------- */

/* A 2xx of the sink's media type (any, when it names none) goes to the
 * sink; decided at the first body byte, when the status and headers are
 * known. */
static int to_sink(or_http *t, or_http_response *res)
{
    if (!t->body_started) {
        t->body_started = 1;
        long status = 0;
        const char *mt = t->sink ? t->sink->media_type : NULL;
        if (t->sink && curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK &&
            status >= 200 && status <= 299 && (!mt || strncasecmp(res->content_type, mt, strlen(mt)) == 0))
            res->streamed = 1;
    }
    return res->streamed;
}

size_t or_http_write_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    or_http *t = userdata;
    or_http_response *res = t->receiving;
    size_t n = size * nmemb;
    int sunk = to_sink(t, res);
    size_t max = t->settings.max_response_bytes;
    /* Enforced while receiving: the transfer is aborted (curl sees a short
     * write, CURLE_WRITE_ERROR) before the limit is exceeded, so a hostile
     * or broken server cannot make us buffer more than max bytes, whether
     * it announced a Content-Length or not (chunked, compressed). A
     * stream's sink has no limit (an event has its own). */
    size_t had = res->body.len + res->sunk;
    if ((!sunk || t->sink->limited) && (had > max || n > max - had)) {
        res->too_large = 1;
        return 0;
    }
    if (sunk) {
        if (t->sink->write(t->sink->ctx, ptr, n) != 0) {
            res->sink_stopped = 1;
            return 0;
        }
        res->sunk += n;
        return n;
    }
    if (or_buf_append(&res->body, ptr, n) != 0) {
        t->oom = 1;
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

static void forget_headers(or_http_response *res)
{
    res->retry_after[0] = res->retry_after_ms[0] = res->content_type[0] = res->request_id[0] = '\0';
    res->request_id_header = NULL;
}

/* Response headers that identify a request, most preferred first. */
static const char *const request_id_headers[] = {"x-request-id", "x-generation-id", "cf-ray"};

static size_t id_rank(const char *name)
{
    size_t n = sizeof request_id_headers / sizeof request_id_headers[0];
    for (size_t i = 0; name && i < n; i++)
        if (name == request_id_headers[i])
            return i;
    return n;
}

static void capture_request_id(or_http_response *res, const char *name, size_t name_len, const char *value,
                               size_t value_len)
{
    for (size_t i = 0; i < id_rank(res->request_id_header); i++) {
        const char *h = request_id_headers[i];
        if (value_len && strlen(h) == name_len && strncasecmp(name, h, name_len) == 0) {
            capture(res->request_id, value, value_len, 1);
            res->request_id_header = h;
            return;
        }
    }
}

static size_t header_cb(char *buf, size_t size, size_t nitems, void *userdata)
{
    or_http_response *res = ((or_http *)userdata)->receiving;
    size_t n = size * nitems;
    /* A new status line (interim 1xx, proxy CONNECT) starts a new header set. */
    if (n >= 5 && memcmp(buf, "HTTP/", 5) == 0) {
        forget_headers(res);
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
        capture(res->retry_after, value, value_len, 0);
    else if (name_len == 14 && strncasecmp(buf, "retry-after-ms", 14) == 0)
        capture(res->retry_after_ms, value, value_len, 0);
    else if (name_len == 12 && strncasecmp(buf, "content-type", 12) == 0)
        capture(res->content_type, value, value_len, 1);
    else
        capture_request_id(res, buf, name_len, value, value_len);
    return n;
}

/* Called by libcurl about once a second at the least while a transfer
 * runs (when the progress meter is on: a cancellable call or a stream);
 * nonzero aborts it. */
static int progress_cb(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    const or_http *t = userdata;
    if (openrouter_cancel_requested(t->cancel))
        return 1;
    return t->sink && t->sink->tick ? t->sink->tick(t->sink->ctx) : 0;
}

/* ---- setup ------------------------------------------------------------------------ */

void or_slist_free_wiped(struct curl_slist *list)
{
    for (struct curl_slist *l = list; l; l = l->next)
        if (l->data)
            or_wipe(l->data, strlen(l->data));
    curl_slist_free_all(list);
}

int or_http_init(or_http *t, const or_transport_settings *settings, struct curl_slist *default_headers,
                 openrouter_error *error)
{
    memset(t, 0, sizeof *t);
    t->settings = *settings;
    t->default_headers = default_headers;
    t->curl = curl_easy_init();
    if (!t->curl)
        return or_error_set(error, OPENROUTER_ENOMEM, "curl_easy_init failed");

    const or_transport_settings *s = &t->settings;
    CURL *h = t->curl;
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
    OR_SET(CURLOPT_WRITEDATA, (void *)t);
    OR_SET(CURLOPT_HEADERFUNCTION, header_cb);
    OR_SET(CURLOPT_HEADERDATA, (void *)t);
    OR_SET(CURLOPT_ERRORBUFFER, t->errbuf);
    OR_SET(CURLOPT_HTTPHEADER, default_headers);
    OR_SET(CURLOPT_NOPROGRESS, 1L);
    OR_SET(CURLOPT_XFERINFOFUNCTION, progress_cb);
    OR_SET(CURLOPT_XFERINFODATA, (void *)t);
    /* Own CAs replace libcurl's defaults (both the bundle and the
     * directory), for the server and an https:// proxy alike. */
    if (s->ca_file || s->ca_dir) {
        OR_SET(CURLOPT_CAINFO, s->ca_file);
        OR_SET(CURLOPT_CAPATH, s->ca_dir);
        OR_SET(CURLOPT_PROXY_CAINFO, s->ca_file);
        OR_SET(CURLOPT_PROXY_CAPATH, s->ca_dir);
    }
    if (s->proxy) {
        OR_SET(CURLOPT_PROXY, s->proxy);
        OR_SET(CURLOPT_NOPROXY, "");
    }
    /* Under curl multi: wait for a connection to say whether it multiplexes
     * (HTTP/2) rather than open another; and find `t` from the handle. */
    OR_SET(CURLOPT_PIPEWAIT, s->pipewait);
    OR_SET(CURLOPT_PRIVATE, (void *)t);
#undef OR_SET
    /* What or_http_prepare() sets per transfer, as set now. */
    t->plain_get = 0;
    t->set_headers = default_headers;
    t->set_timeout_ms = s->timeout_ms;
    t->set_fresh_connect = 0;
    t->set_progress = 0;
    if (rc != CURLE_OK)
        return or_error_set(error, rc == CURLE_OUT_OF_MEMORY ? OPENROUTER_ENOMEM : OPENROUTER_ETRANSPORT,
                            "libcurl refused %s: %s", what, curl_easy_strerror(rc));
    return OPENROUTER_OK;
}

void or_http_cleanup(or_http *t)
{
    if (t->curl) {
        curl_easy_cleanup(t->curl);
        t->curl = NULL;
    }
    t->default_headers = t->set_headers = NULL;
    t->receiving = NULL;
}

/* ---- one transfer -------------------------------------------------------------------- */

/* Only what changed since the previous transfer is set again: the URL (and
 * a body) always, the method when it differs. */
static CURLcode set_method(or_http *t, const or_http_request *req)
{
    CURL *h = t->curl;
    CURLcode rc = curl_easy_setopt(h, CURLOPT_URL, req->url);
    int is_get = strcmp(req->method, "GET") == 0;
    int is_post = strcmp(req->method, "POST") == 0;
    if (rc != CURLE_OK)
        return rc;
    if (req->mime) {
        rc = curl_easy_setopt(h, CURLOPT_MIMEPOST, req->mime);
        if (rc == CURLE_OK)
            rc = curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, is_post ? NULL : req->method);
        t->plain_get = 0;
    } else if (req->body || is_post) {
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(req->body ? req->body_len : 0));
        rc = curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body ? req->body : "");
        if (rc == CURLE_OK)
            rc = curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, is_post ? NULL : req->method);
        t->plain_get = 0;
    } else if (!is_get || !t->plain_get) {
        rc = curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
        if (rc == CURLE_OK)
            rc = curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, is_get ? NULL : req->method);
        /* A bodiless GET leaves the handle as the next one needs it. */
        t->plain_get = rc == CURLE_OK && is_get;
    }
    return rc;
}

/* A stream has its own limits (the sink's tick, an event's size): no file
 * size limit (a stream has no length, and the sink only takes a 2xx: error
 * bodies are still bounded by the write callback). */
static CURLcode set_streaming(or_http *t, int on)
{
    size_t max = t->settings.max_response_bytes;
    curl_off_t limit = on || max > (size_t)INT64_MAX ? 0 : (curl_off_t)max;
    CURLcode rc = curl_easy_setopt(t->curl, CURLOPT_MAXFILESIZE_LARGE, limit);
    t->set_streaming = rc == CURLE_OK ? on : -1;
    return rc;
}

CURLcode or_http_prepare(or_http *t, const or_http_request *req, or_http_response *res)
{
    or_buf_reset(&res->body);
    res->curl_code = CURLE_OK;
    res->status = 0;
    res->nothing_sent = 0;
    res->too_large = 0;
    res->streamed = 0;
    res->sunk = 0;
    res->sink_stopped = 0;
    forget_headers(res);
    res->error_detail[0] = '\0';
    t->receiving = res;
    t->oom = 0;
    t->sink = req->sink;
    t->body_started = 0;
    t->errbuf[0] = '\0';

    /* The header list, timeout and fresh-connect flag only when they differ. */
    CURL *h = t->curl;
    CURLcode rc = set_method(t, req);
    struct curl_slist *headers = req->headers ? req->headers : t->default_headers;
    if (rc == CURLE_OK && headers != t->set_headers) {
        rc = curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
        t->set_headers = rc == CURLE_OK ? headers : NULL;
    }
    if (rc == CURLE_OK && req->timeout_ms != t->set_timeout_ms) {
        rc = curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, req->timeout_ms);
        t->set_timeout_ms = rc == CURLE_OK ? req->timeout_ms : -1;
    }
    int fresh = req->fresh_connect ? 1 : 0;
    if (rc == CURLE_OK && fresh != t->set_fresh_connect) {
        rc = curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, (long)fresh);
        t->set_fresh_connect = rc == CURLE_OK ? fresh : -1;
    }
    /* The progress callback only runs for a call that can be cancelled or
     * a sink with a tick (a stream's idle limit). */
    t->cancel = req->cancel;
    int progress = req->cancel != NULL || (req->sink != NULL && req->sink->tick != NULL);
    if (rc == CURLE_OK && progress != t->set_progress) {
        rc = curl_easy_setopt(h, CURLOPT_NOPROGRESS, progress ? 0L : 1L);
        t->set_progress = rc == CURLE_OK ? progress : -1;
    }
    int unlimited = req->sink != NULL && !req->sink->limited;
    if (rc == CURLE_OK && unlimited != t->set_streaming)
        rc = set_streaming(t, unlimited);
    return rc;
}

void or_http_finish(or_http *t, const or_http_request *req, CURLcode rc, or_http_response *res)
{
    CURL *h = t->curl;
    res->curl_code = rc;
    long status = 0;
    if (curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK)
        res->status = status;
    res->too_large = res->too_large || rc == CURLE_FILESIZE_EXCEEDED;
    if (rc == CURLE_WRITE_ERROR && t->oom)
        res->curl_code = CURLE_OUT_OF_MEMORY;
    if (rc != CURLE_OK) {
        long sent = 0;
        if (curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &sent) != CURLE_OK)
            sent = 1; /* unknown: assume it may have been sent */
        res->nothing_sent = rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
                            rc == CURLE_COULDNT_RESOLVE_PROXY || sent == 0;
        snprintf(res->error_detail, sizeof res->error_detail, "%s",
                 t->errbuf[0] ? t->errbuf : curl_easy_strerror(res->curl_code));
    }
    /* Drop the pointers to the caller's body, header list and response so
     * the handle never refers to freed memory between transfers. */
    if (req->body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
    }
    if (req->mime) {
        curl_easy_setopt(h, CURLOPT_MIMEPOST, (curl_mime *)NULL);
        t->plain_get = 0;
    }
    if (t->set_headers != t->default_headers)
        t->set_headers =
            curl_easy_setopt(h, CURLOPT_HTTPHEADER, t->default_headers) == CURLE_OK ? t->default_headers : NULL;
    t->receiving = NULL;
    t->sink = NULL;
    t->cancel = NULL;
}

or_http *or_http_of(CURL *h)
{
    char *t = NULL;
    return curl_easy_getinfo(h, CURLINFO_PRIVATE, &t) == CURLE_OK ? (or_http *)(void *)t : NULL;
}

void or_http_perform(or_http *t, const or_http_request *req, or_http_response *res)
{
    CURLcode rc = or_http_prepare(t, req, res);
    if (rc == CURLE_OK)
        rc = curl_easy_perform(t->curl);
    or_http_finish(t, req, rc, res);
}
