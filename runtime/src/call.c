/* openrouter-c: openrouter_call, the one entry point every generated
 * operation goes through: validate, build the URL and headers, encode the
 * body, send with retries, classify, decode, and fill a secret-free error.
 *
 * Decisions worth knowing:
 * - Nothing touches the network until the whole request validated.
 * - Query and header parameters are sent only when PRESENT; a parameter set
 *   to OPENROUTER_NULL is left out (there is no "null" on the query line).
 * - A 2xx status the operation does not list is decoded with the first
 *   listed response's body description.
 * - A success body whose Content-Type is not JSON (application/json or
 *   *+json) is EDECODE; a missing Content-Type is tolerated.
 * - request_may_have_been_processed is only ever set for non-idempotent
 *   operations: retrying or re-reading an idempotent one is harmless.
 * - A non-idempotent request (POST create) is sent on a fresh connection
 *   (unless retry_non_idempotent is set), because libcurl transparently
 *   re-sends a request whose reused connection died before any response
 *   byte arrived, which could create a key twice. Later calls reuse it.
 * - The API key is redacted from every error string and traced URL. */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "http.h"

#define OR_REDACTED "[REDACTED]"

/* ---- redaction -------------------------------------------------------------- */

/* Shortest cut-off piece of the secret, at the very end of a string that
 * was truncated, that still gets redacted. */
static size_t tail_min(size_t slen)
{
    size_t m = slen / 2 > 12 ? slen / 2 : 12;
    return m < slen ? m : slen;
}

/* Length of the suffix of s[0..n) that is a proper prefix of the secret
 * (at least tail_min long), i.e. a key cut off by truncation; else 0. */
static size_t secret_tail(const char *s, size_t n, const char *secret, size_t slen)
{
    size_t min = tail_min(slen);
    for (size_t k = slen - 1; k >= min && k > 0; k--)
        if (k <= n && memcmp(s + n - k, secret, k) == 0)
            return k;
    return 0;
}

static int has_secret_bytes(const char *s, size_t n, const char *secret, size_t slen)
{
    for (size_t i = 0; i + slen <= n; i++)
        if (s[i] == secret[0] && memcmp(s + i, secret, slen) == 0)
            return 1;
    return secret_tail(s, n, secret, slen) > 0;
}

static int contains_secret(const char *s, const char *secret, size_t slen)
{
    return has_secret_bytes(s, strlen(s), secret, slen);
}

/* Writes the redacted form of `s` into `out` (reset first). */
static int redact_into(or_buf *out, const char *s, size_t n, const char *secret, size_t slen)
{
    or_buf_reset(out);
    size_t i = 0, min = tail_min(slen);
    while (i < n) {
        size_t left = n - i;
        if (left >= slen && s[i] == secret[0] && memcmp(s + i, secret, slen) == 0) {
            if (or_buf_puts(out, OR_REDACTED) != 0)
                return -1;
            i += slen;
            continue;
        }
        if (left < slen && left >= min && memcmp(s + i, secret, left) == 0) {
            if (or_buf_puts(out, OR_REDACTED) != 0)
                return -1;
            break;
        }
        if (or_buf_append(out, s + i, 1) != 0)
            return -1;
        i++;
    }
    if (!out->data && or_buf_reserve(out, 0) != 0)
        return -1;
    out->data[out->len] = '\0';
    return 0;
}

/* In-place fallback when memory is short: same length, '*' over secrets. */
static void mask_in_place(char *s, size_t n, const char *secret, size_t slen)
{
    for (size_t i = 0; i + slen <= n; i++)
        if (memcmp(s + i, secret, slen) == 0)
            memset(s + i, '*', slen);
    size_t k = secret_tail(s, n, secret, slen);
    if (k)
        memset(s + n - k, '*', k);
}

int or_buf_redact(or_buf *b, const char *secret)
{
    if (!b->data || !secret || !*secret)
        return 0;
    size_t slen = strlen(secret);
    if (!has_secret_bytes(b->data, b->len, secret, slen))
        return 0;
    or_buf tmp = OR_BUF_INIT;
    if (redact_into(&tmp, b->data, b->len, secret, slen) != 0) {
        or_buf_free(&tmp);
        mask_in_place(b->data, b->len, secret, slen);
        return -1;
    }
    or_buf_free(b); /* wipes the original */
    *b = tmp;
    return 0;
}

static void redact_heap(char **field, const char *secret, size_t slen)
{
    if (!*field || !contains_secret(*field, secret, slen))
        return;
    size_t n = strlen(*field);
    or_buf tmp = OR_BUF_INIT;
    if (redact_into(&tmp, *field, n, secret, slen) != 0) {
        or_buf_free(&tmp);
        mask_in_place(*field, n, secret, slen);
        return;
    }
    char *copy = or_strndup(tmp.data, tmp.len);
    or_buf_free(&tmp);
    if (!copy) {
        mask_in_place(*field, n, secret, slen);
        return;
    }
    or_wipe(*field, n);
    or_free(*field);
    *field = copy;
}

static void redact_array(char *arr, size_t size, const char *secret, size_t slen)
{
    if (!contains_secret(arr, secret, slen))
        return;
    size_t n = strlen(arr);
    or_buf tmp = OR_BUF_INIT;
    if (redact_into(&tmp, arr, n, secret, slen) != 0) {
        mask_in_place(arr, n, secret, slen);
    } else {
        snprintf(arr, size, "%s", tmp.data ? tmp.data : "");
        /* Cutting "[REDACTED]" short cannot expose anything. */
    }
    or_buf_free(&tmp);
}

void or_error_redact(openrouter_error *error, const char *secret)
{
    if (!error || !secret || !*secret)
        return;
    size_t slen = strlen(secret);
    redact_array(error->message, sizeof error->message, secret, slen);
    redact_array(error->field, sizeof error->field, secret, slen);
    redact_heap(&error->api_code, secret, slen);
    redact_heap(&error->api_message, secret, slen);
    redact_heap(&error->api_metadata, secret, slen);
    redact_heap(&error->body_snippet, secret, slen);
}

/* ---- helpers ------------------------------------------------------------------ */

/* Appends `s` to dst (size `size`, `*used` bytes filled so far), cutting
 * it short if it does not fit; dst stays NUL-terminated. */
static void append_cut(char *dst, size_t size, size_t *used, const char *s)
{
    size_t n = strlen(s);
    if (*used + 1 >= size)
        return;
    if (n > size - 1 - *used)
        n = size - 1 - *used;
    memcpy(dst + *used, s, n);
    *used += n;
    dst[*used] = '\0';
}

/* Puts "opid: " in front of a message another module wrote. */
static void prefix_message(openrouter_error *error, const char *opid)
{
    if (!error || !opid)
        return;
    size_t n = strlen(opid);
    if (strncmp(error->message, opid, n) == 0 && error->message[n] == ':')
        return;
    char copy[OPENROUTER_ERROR_MESSAGE_SIZE];
    memcpy(copy, error->message, sizeof copy);
    /* No allocation here: this also runs while reporting ENOMEM. */
    size_t used = 0;
    append_cut(error->message, sizeof error->message, &used, opid);
    append_cut(error->message, sizeof error->message, &used, ": ");
    append_cut(error->message, sizeof error->message, &used, copy);
}

static int has_control(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            return 1;
    }
    return 0;
}

static int op_has_success_body(const openrouter_operation_desc *op)
{
    for (size_t i = 0; i < op->n_responses; i++)
        if (op->responses[i].body)
            return 1;
    return 0;
}

static int op_needs_request(const openrouter_operation_desc *op)
{
    if (op->body && op->body_required)
        return 1;
    for (size_t i = 0; i < op->n_params; i++)
        if (op->params[i].location == OPENROUTER_PARAM_PATH || (op->params[i].flags & OPENROUTER_F_REQUIRED))
            return 1;
    return 0;
}

static int is_json_media_type(const char *ct)
{
    const char *end = strchr(ct, ';');
    size_t n = end ? (size_t)(end - ct) : strlen(ct);
    while (n && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
        n--;
    if (n == 16 && strncasecmp(ct, "application/json", 16) == 0)
        return 1;
    return n > 5 && strncasecmp(ct + n - 5, "+json", 5) == 0 && memchr(ct, '/', n) != NULL;
}

static int looks_like_json(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && isspace((unsigned char)s[i]))
        i++;
    return i < n && (s[i] == '{' || s[i] == '[');
}

/* ---- request building ------------------------------------------------------------ */

typedef struct call_ctx {
    openrouter_client *c;
    const openrouter_operation_desc *op;
    const char *opid;
    const void *request;
    or_buf *tmp;                /* one parameter's text (the client's, reused) */
    const char *url;            /* in c->url */
    const char *trace_url;      /* url, or trace_url_owned; NULL without trace/log hooks */
    char *trace_url_owned;      /* a redacted copy of url (or_free) */
    struct curl_slist *extra;   /* per-call headers, wiped on free */
    struct curl_slist *linked_tail; /* extra's last node, linked to the defaults */
    int attempts;               /* for the log: requests made */
    long status;                /* for the log: the last HTTP status, 0 if none */
    int64_t start_ms;           /* for the log: when the first attempt began */
} call_ctx;

/* Appends s[0..n) percent-encoded by libcurl's curl_easy_escape(): every
 * byte but RFC 3986's unreserved ones is encoded, '/' and space included. */
static int append_escaped(or_buf *b, CURL *h, const char *s, size_t n)
{
    if (n > INT_MAX)
        return -1;
    char *esc = curl_easy_escape(h, s, (int)n);
    if (!esc)
        return -1;
    int bad = or_buf_puts(b, esc);
    curl_free(esc);
    return bad;
}

/* The request URL, in the client's reused buffer: the base URL (checked and
 * normalised by libcurl's URL API once, when the client was created), the
 * path template with every parameter escaped by curl_easy_escape as one
 * segment, and the query parameters that are present. */
static int build_url(call_ctx *x, openrouter_error *error)
{
    const openrouter_operation_desc *op = x->op;
    openrouter_client *c = x->c;
    or_buf *url = &c->url;
    int rc = OPENROUTER_OK;
    or_buf_reset(url);
    if (or_buf_append(url, c->base_url, c->base_url_len) != 0)
        goto oom;
    for (const char *p = op->path; *p;) {
        if (*p != '{') {
            const char *brace = strchr(p, '{');
            size_t n = brace ? (size_t)(brace - p) : strlen(p);
            if (or_buf_append(url, p, n) != 0)
                goto oom;
            p += n;
            continue;
        }
        const char *close = strchr(p, '}');
        if (!close) {
            rc = or_error_set(error, OPENROUTER_EINVAL, "%s: malformed path template", x->opid);
            goto done;
        }
        size_t name_len = (size_t)(close - p - 1);
        const openrouter_param_desc *param = NULL;
        for (size_t i = 0; i < op->n_params; i++) {
            const openrouter_param_desc *q = &op->params[i];
            if (q->location == OPENROUTER_PARAM_PATH && strlen(q->name) == name_len &&
                strncmp(q->name, p + 1, name_len) == 0) {
                param = q;
                break;
            }
        }
        if (!param) {
            rc = or_error_set(error, OPENROUTER_EINVAL, "%s: path template names an undeclared parameter",
                              x->opid);
            goto done;
        }
        const void *slot = (const char *)x->request + param->offset;
        const char *value = *(const char *const *)slot;
        if (!value) {
            rc = or_error_set_field(error, OPENROUTER_EINVAL, param->name,
                                    "%s: missing required path parameter %s", x->opid, param->name);
            goto done;
        }
        rc = or_param_to_text(param, slot, x->tmp, error);
        if (rc != OPENROUTER_OK) {
            prefix_message(error, x->opid);
            goto done;
        }
        const char *text = x->tmp->data ? x->tmp->data : "";
        /* curl_easy_escape leaves '.' alone, and "." / ".." would be
         * collapsed by URL normalisation into another resource. */
        if (x->tmp->len == 0 || strcmp(text, ".") == 0 || strcmp(text, "..") == 0) {
            rc = or_error_set_field(error, OPENROUTER_EINVAL, param->name,
                                    "%s: path parameter %s must not be empty, \".\" or \"..\"",
                                    x->opid, param->name);
            goto done;
        }
        if (append_escaped(url, c->curl, text, x->tmp->len) != 0)
            goto oom;
        p = close + 1;
    }

    char sep = '?';
    for (size_t i = 0; x->request && i < op->n_params; i++) {
        const openrouter_param_desc *q = &op->params[i];
        if (q->location != OPENROUTER_PARAM_QUERY)
            continue;
        const void *slot = (const char *)x->request + q->offset;
        rc = or_param_to_text(q, slot, x->tmp, error);
        if (rc == OR_PARAM_ABSENT) {
            rc = OPENROUTER_OK;
            continue; /* absent or null: not sent */
        }
        if (rc != OPENROUTER_OK) {
            prefix_message(error, x->opid);
            goto done;
        }
        /* name=value, both percent-encoded ('&', '#', '%', '+', '=' and
         * space, which becomes %20, so no server can read it two ways). */
        if (or_buf_append(url, &sep, 1) != 0 || append_escaped(url, c->curl, q->name, strlen(q->name)) != 0 ||
            or_buf_append(url, "=", 1) != 0 ||
            append_escaped(url, c->curl, x->tmp->data ? x->tmp->data : "", x->tmp->len) != 0)
            goto oom;
        sep = '&';
    }
    x->url = url->data;
    goto done;
oom:
    rc = or_error_set(error, OPENROUTER_ENOMEM, "%s: out of memory", x->opid);
done:
    return rc;
}

static int name_eq(const char *a, size_t alen, const char *b)
{
    return b && strlen(b) == alen && strncasecmp(a, b, alen) == 0;
}

static int append_line(struct curl_slist **list, const char *line)
{
    struct curl_slist *next = curl_slist_append(*list, line);
    if (!next)
        return -1;
    *list = next;
    return 0;
}

static int add_param_header(call_ctx *x, const char *name, or_buf *line)
{
    or_buf_reset(line);
    /* "Name;" is libcurl's way to send a header with an empty value. */
    if (x->tmp->len == 0)
        return or_buf_printf(line, "%s;", name) || append_line(&x->extra, line->data);
    return or_buf_printf(line, "%s: %s", name, x->tmp->data) || append_line(&x->extra, line->data);
}

/* Builds per-call headers (header parameters, Content-Type) in x->extra.
 * When none override a default header, the defaults are linked after them
 * (no copy); otherwise the non-overridden defaults are copied. */
static int build_headers(call_ctx *x, int has_body, openrouter_error *error)
{
    const openrouter_operation_desc *op = x->op;
    or_buf line = OR_BUF_INIT;
    int rc = OPENROUTER_OK;
    int overrides = 0;
    if (x->request) {
        for (size_t i = 0; i < op->n_params; i++) {
            const openrouter_param_desc *q = &op->params[i];
            if (q->location != OPENROUTER_PARAM_HEADER)
                continue;
            const void *slot = (const char *)x->request + q->offset;
            rc = or_param_to_text(q, slot, x->tmp, error);
            if (rc == OR_PARAM_ABSENT) {
                rc = OPENROUTER_OK;
                continue; /* absent or null: the default header (if any) stays */
            }
            if (rc != OPENROUTER_OK) {
                prefix_message(error, x->opid);
                goto done;
            }
            if (x->tmp->len && has_control(x->tmp->data, x->tmp->len)) {
                rc = or_error_set_field(error, OPENROUTER_EINVAL, q->name,
                                        "%s: header %s must not contain CR, LF or control characters",
                                        x->opid, q->name);
                goto done;
            }
            if (add_param_header(x, q->name, &line) != 0 ||
                (q->also_send_as && add_param_header(x, q->also_send_as, &line) != 0)) {
                rc = or_error_set(error, OPENROUTER_ENOMEM, "%s: out of memory", x->opid);
                goto done;
            }
            for (struct curl_slist *d = x->c->headers; d; d = d->next) {
                size_t n = strcspn(d->data, ":;");
                if (name_eq(d->data, n, q->name) || name_eq(d->data, n, q->also_send_as))
                    overrides = 1;
            }
        }
    }
    if (has_body && append_line(&x->extra, "Content-Type: application/json") != 0) {
        rc = or_error_set(error, OPENROUTER_ENOMEM, "%s: out of memory", x->opid);
        goto done;
    }
    if (!x->extra)
        goto done; /* the defaults alone */
    if (!overrides) {
        struct curl_slist *tail = x->extra;
        while (tail->next)
            tail = tail->next;
        tail->next = x->c->headers;
        x->linked_tail = tail;
        goto done;
    }
    for (struct curl_slist *d = x->c->headers; d; d = d->next) {
        size_t n = strcspn(d->data, ":;");
        int skip = 0;
        for (size_t i = 0; i < op->n_params && !skip; i++) {
            const openrouter_param_desc *q = &op->params[i];
            if (q->location == OPENROUTER_PARAM_HEADER &&
                or_wrapper_state((const char *)x->request + q->offset) == OPENROUTER_PRESENT &&
                (name_eq(d->data, n, q->name) || name_eq(d->data, n, q->also_send_as)))
                skip = 1;
        }
        if (!skip && append_line(&x->extra, d->data) != 0) {
            rc = or_error_set(error, OPENROUTER_ENOMEM, "%s: out of memory", x->opid);
            goto done;
        }
    }
done:
    or_buf_free(&line);
    return rc;
}

static void free_headers(call_ctx *x)
{
    if (x->linked_tail) {
        x->linked_tail->next = NULL; /* the defaults belong to the client */
        x->linked_tail = NULL;
    }
    or_slist_free_wiped(x->extra);
    x->extra = NULL;
}

/* ---- trace ------------------------------------------------------------------------- */

static void trace(call_ctx *x, int before, int attempt, long status, long duration, int result, long delay)
{
    if (!x->c->trace)
        return;
    openrouter_trace_event ev;
    ev.operation_id = x->opid;
    ev.method = x->op->method;
    ev.url = x->trace_url ? x->trace_url : "";
    ev.attempt = attempt;
    ev.http_status = status;
    ev.duration_ms = duration;
    ev.result = result;
    ev.delay_ms = delay;
    x->c->trace(x->c->trace_ctx, before, &ev);
}

/* ---- log ---------------------------------------------------------------------------- */

void or_log(openrouter_client *client, openrouter_log_level level, const char *fmt, ...)
{
    if (!client || !client->log || level < client->log_level)
        return;
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    or_buf b = OR_BUF_INIT;
    if (n >= 0 && or_buf_reserve(&b, (size_t)n + 1) == 0) {
        vsnprintf(b.data, (size_t)n + 1, fmt, ap2);
        b.len = (size_t)n;
        /* or_buf_redact falls back to masking in place when short of memory. */
        or_buf_redact(&b, client->api_key);
        client->log(client->log_ctx, level, b.data);
    }
    va_end(ap2);
    or_buf_free(&b);
}

static const char *stop_reason(int stop)
{
    switch (stop) {
    case OR_RETRY_STOP_ATTEMPTS:
        return "max_attempts reached";
    case OR_RETRY_STOP_ELAPSED:
        return "max_elapsed_ms reached";
    case OR_RETRY_STOP_RETRY_AFTER:
        return "Retry-After exceeds max_retry_after_ms";
    default:
        return "not retryable";
    }
}

/* One attempt's outcome: DEBUG normally, WARN when it failed but will be
 * (or could have been) retried. */
static void log_attempt(call_ctx *x, int attempt, const or_http_result *res, int kind, int retryable,
                        long delay, int stop)
{
    openrouter_client *c = x->c;
    if (!c->log)
        return;
    char what[160];
    if (res->curl_code != CURLE_OK && !res->too_large)
        snprintf(what, sizeof what, "%s: %s", kind == OPENROUTER_ETIMEOUT ? "timeout" : "transport error",
                 curl_easy_strerror(res->curl_code));
    else if (res->too_large)
        snprintf(what, sizeof what, "response body too large");
    else
        snprintf(what, sizeof what, "HTTP %ld", res->status);
    if (kind == OPENROUTER_OK || !retryable)
        or_log(c, OPENROUTER_LOG_DEBUG, "%s: attempt %d: %s in %ld ms", x->opid, attempt, what, res->duration_ms);
    else if (delay >= 0)
        or_log(c, OPENROUTER_LOG_WARN, "%s: attempt %d failed (%s); retrying in %ld ms", x->opid, attempt, what,
               delay);
    else
        or_log(c, OPENROUTER_LOG_WARN, "%s: attempt %d failed (%s); not retrying: %s", x->opid, attempt, what,
               stop_reason(stop));
}

/* The call's outcome: INFO on success; on failure WARN for the caller's
 * mistakes (EINVAL, 4xx), ERROR otherwise. `error` is already redacted. */
static void log_outcome(call_ctx *x, int rc, const openrouter_error *error)
{
    openrouter_client *c = x->c;
    if (!c->log)
        return;
    const char *url = x->trace_url ? x->trace_url : x->op->path;
    long elapsed = x->attempts ? (long)(or_clock_now_ms(c) - x->start_ms) : 0;
    if (rc == OPENROUTER_OK) {
        or_log(c, OPENROUTER_LOG_INFO, "%s: %s %s -> HTTP %ld in %ld ms (%d attempt%s)", x->opid, x->op->method,
               url, x->status, elapsed < 0 ? 0 : elapsed, x->attempts, x->attempts == 1 ? "" : "s");
        return;
    }
    int caller = rc == OPENROUTER_EINVAL || (rc == OPENROUTER_EHTTP && x->status >= 400 && x->status <= 499);
    char tries[48] = "before sending";
    if (x->attempts)
        snprintf(tries, sizeof tries, "after %d attempt%s", x->attempts, x->attempts == 1 ? "" : "s");
    or_log(c, caller ? OPENROUTER_LOG_WARN : OPENROUTER_LOG_ERROR, "%s: %s %s failed %s: %s (%s)%s", x->opid,
           x->op->method, url, tries, error && error->message[0] ? error->message : "no detail",
           openrouter_status_name(rc),
           error && error->request_may_have_been_processed ? "; the server may still have acted on it" : "");
}

/* ---- response ----------------------------------------------------------------------- */

static long response_retry_after(openrouter_client *c)
{
    long ms = -1;
    if (c->retry_after_ms[0])
        ms = or_parse_retry_after_ms(c->retry_after_ms);
    if (ms < 0 && c->retry_after[0])
        ms = openrouter_parse_retry_after(c->retry_after, (int64_t)time(NULL));
    return ms;
}

static const openrouter_response_desc *find_response(const openrouter_operation_desc *op, long status)
{
    for (size_t i = 0; i < op->n_responses; i++)
        if (op->responses[i].status == status)
            return &op->responses[i];
    if (status >= 200 && status <= 299 && op->n_responses > 0)
        return &op->responses[0];
    return NULL;
}

static int decode_success(call_ctx *x, long status, void **out, openrouter_error *error)
{
    openrouter_client *c = x->c;
    const openrouter_response_desc *resp = find_response(x->op, status);
    if (!resp || !resp->body)
        return OPENROUTER_OK; /* nothing to decode; *out stays NULL */
    if (c->response.len == 0)
        return or_error_set(error, OPENROUTER_EDECODE, "%s: empty response body (HTTP %ld)", x->opid, status);
    if (c->content_type[0] && !is_json_media_type(c->content_type)) {
        or_error_set(error, OPENROUTER_EDECODE, "%s: expected a JSON response, got Content-Type \"%s\" (HTTP %ld)",
                     x->opid, c->content_type, status);
        /* Keep a snippet of what came back (an HTML page, say), but never of
         * something JSON-shaped: a success body may hold a new key's secret. */
        or_buf_redact(&c->response, c->api_key);
        if (error && !looks_like_json(c->response.data, c->response.len) &&
            or_error_parse_body(error, c->response.data, c->response.len) != 0)
            return or_error_set(error, OPENROUTER_ENOMEM, "%s: out of memory", x->opid);
        if (error) {
            or_free(error->api_code);
            or_free(error->api_message);
            or_free(error->api_metadata);
            error->api_code = error->api_message = error->api_metadata = NULL;
            error->api_code_number = 0;
        }
        return OPENROUTER_EDECODE;
    }
    or_decode_options opts = {.strict_required = c->strict_required};
    void *model = NULL;
    int rc = or_model_decode(resp->body, c->response.data, c->response.len, &opts, &model, error);
    if (rc != OPENROUTER_OK) {
        if (model)
            openrouter_model_free(model);
        prefix_message(error, x->opid);
        return rc;
    }
    if (out)
        *out = model;
    else
        openrouter_model_free(model);
    return OPENROUTER_OK;
}

static void fill_http_error(call_ctx *x, long status, int stop, long retry_after, openrouter_error *error)
{
    openrouter_client *c = x->c;
    or_error_set(error, OPENROUTER_EHTTP, "%s: HTTP %ld", x->opid, status);
    if (!error)
        return;
    /* Redact before parsing, so neither the API fields nor the bounded
     * snippet can ever hold (part of) an echoed key. */
    or_buf_redact(&c->response, c->api_key);
    if (or_error_parse_body(error, c->response.data ? c->response.data : "", c->response.len) != 0) {
        or_error_set(error, OPENROUTER_ENOMEM, "%s: out of memory", x->opid);
        return;
    }
    char detail[160] = "";
    if (error->api_message)
        snprintf(detail, sizeof detail, ": %s", error->api_message);
    else if (status >= 300 && status <= 399)
        snprintf(detail, sizeof detail, ": redirect not followed");
    char extra[96] = "";
    if (stop == OR_RETRY_STOP_RETRY_AFTER)
        snprintf(extra, sizeof extra, " (server asked to wait %ld ms, more than max_retry_after_ms)",
                 retry_after);
    /* Built without allocating, so a parsed API message is never lost to
     * a failed allocation of the line that shows it. */
    char code[32];
    snprintf(code, sizeof code, ": HTTP %ld", status);
    size_t used = 0;
    append_cut(error->message, sizeof error->message, &used, x->opid);
    append_cut(error->message, sizeof error->message, &used, code);
    append_cut(error->message, sizeof error->message, &used, detail);
    append_cut(error->message, sizeof error->message, &used, extra);
}

/* ---- the call --------------------------------------------------------------------------- */

static int call_impl(openrouter_client *client, const openrouter_operation_desc *op, const void *request,
                     void **out, const openrouter_call_options *options, openrouter_error *error, int *logged)
{
    if (error)
        openrouter_error_clear(error);
    if (out)
        *out = NULL;
    if (!client)
        return or_error_set(error, OPENROUTER_EINVAL, "client must not be NULL");
    if (!op || !op->method || !*op->method || !op->path)
        return or_error_set(error, OPENROUTER_EINVAL, "operation description must not be NULL");
    const char *opid = op->operation_id ? op->operation_id : op->path;
    if (!out && op_has_success_body(op))
        return or_error_set_field(error, OPENROUTER_EINVAL, "out", "%s: out must not be NULL", opid);
    if (!request && op_needs_request(op))
        return or_error_set_field(error, OPENROUTER_EINVAL, "request", "%s: request must not be NULL", opid);
    const openrouter_retry_policy *policy = &client->retry;
    long timeout_ms = client->settings.timeout_ms;
    char **raw_body = NULL;       /* options->raw_body (version >= 2) */
    size_t *raw_body_len = NULL;
    if (options) {
        if (options->version != OPENROUTER_CALL_OPTIONS_VERSION && options->version != 1)
            return or_error_set_field(error, OPENROUTER_EINVAL, "options.version",
                                      "%s: options.version must be OPENROUTER_CALL_OPTIONS_VERSION", opid);
        if (options->timeout_ms < 0)
            return or_error_set_field(error, OPENROUTER_EINVAL, "options.timeout_ms",
                                      "%s: options.timeout_ms must be > 0 (or 0 for the client's)", opid);
        if (options->timeout_ms > 0)
            timeout_ms = options->timeout_ms;
        if (options->retry) {
            int rc = or_retry_policy_check(options->retry, "options.retry", error);
            if (rc != OPENROUTER_OK) {
                prefix_message(error, opid);
                return rc;
            }
            policy = options->retry;
        }
        if (options->version >= 2 && options->raw_body) {
            raw_body = options->raw_body;
            raw_body_len = options->raw_body_len;
            *raw_body = NULL;
            if (raw_body_len)
                *raw_body_len = 0;
        }
    }

    call_ctx x;
    memset(&x, 0, sizeof x);
    x.c = client;
    x.op = op;
    x.opid = opid;
    x.request = request;
    x.tmp = &client->param_text;
    int rc = OPENROUTER_OK;
    int has_body = 0;
    or_buf_reset(&client->request_body);

    /* ---- everything is validated and built before any network I/O */
    rc = build_url(&x, error);
    if (rc == OPENROUTER_OK && op->body && request) {
        rc = or_model_encode(op->body, (const char *)request + op->body_offset, &client->request_body, error);
        if (rc != OPENROUTER_OK)
            prefix_message(error, opid);
        else if (!client->request_body.data && or_buf_puts(&client->request_body, "{}") != 0)
            rc = or_error_set(error, OPENROUTER_ENOMEM, "%s: out of memory", opid);
        has_body = rc == OPENROUTER_OK;
    }
    if (rc == OPENROUTER_OK)
        rc = build_headers(&x, has_body, error);
    /* The URL as traces and logs show it: only needed when there is a hook. */
    if (rc == OPENROUTER_OK && (client->trace || client->log)) {
        size_t url_len = client->url.len;
        if (has_secret_bytes(x.url, url_len, client->api_key, client->api_key_len)) {
            or_buf tmp = OR_BUF_INIT;
            if (redact_into(&tmp, x.url, url_len, client->api_key, client->api_key_len) == 0)
                x.trace_url_owned = or_strndup(tmp.data, tmp.len);
            or_buf_free(&tmp);
            if (!x.trace_url_owned)
                rc = or_error_set(error, OPENROUTER_ENOMEM, "%s: out of memory", opid);
            x.trace_url = x.trace_url_owned;
        } else {
            x.trace_url = x.url;
        }
    }
    if (rc != OPENROUTER_OK)
        goto finish;

    /* ---- send, with retries */
    /* A non-idempotent request gets a connection of its own unless the
     * caller opted into retrying it: see or_http_request.fresh_connect. */
    or_http_request req = {op->method, x.url, has_body ? client->request_body.data : NULL,
                           has_body ? client->request_body.len : 0, x.extra, timeout_ms,
                           !op->idempotent && !policy->retry_non_idempotent};
    or_http_result res;
    int attempts = 0;
    int kind = OPENROUTER_OK;
    int stop = OR_RETRY_GO;
    long retry_after = -1;
    int64_t start = or_clock_now_ms(client);
    x.start_ms = start;
    for (;;) {
        attempts++;
        x.attempts = attempts;
        trace(&x, 1, attempts, 0, 0, OPENROUTER_OK, -1);
        or_log(client, OPENROUTER_LOG_DEBUG, "%s: %s %s (attempt %d)", opid, op->method, x.trace_url, attempts);
        or_http_perform(client, &req, &res);
        int retryable;
        retry_after = -1;
        if (res.curl_code != CURLE_OK) {
            if (res.too_large)
                kind = OPENROUTER_ETRANSPORT;
            else if (res.curl_code == CURLE_OPERATION_TIMEDOUT)
                kind = OPENROUTER_ETIMEOUT;
            else if (res.curl_code == CURLE_OUT_OF_MEMORY)
                kind = OPENROUTER_ENOMEM;
            else
                kind = OPENROUTER_ETRANSPORT;
            retryable = !res.too_large && kind != OPENROUTER_ENOMEM &&
                        or_retry_curl_code_retryable(res.curl_code) &&
                        or_retry_should(policy, op->idempotent, 0, kind, res.nothing_sent);
        } else if (res.status >= 200 && res.status <= 299) {
            kind = OPENROUTER_OK;
            retryable = 0;
        } else {
            kind = OPENROUTER_EHTTP;
            retry_after = response_retry_after(client);
            retryable = or_retry_should(policy, op->idempotent, res.status, OPENROUTER_OK, 0);
        }
        long delay = -1;
        stop = OR_RETRY_GO;
        if (retryable) {
            double unit = retry_after < 0 ? or_clock_random_unit(client) : 0.0;
            delay = or_retry_next_delay(policy, attempts, retry_after, or_clock_now_ms(client) - start, unit,
                                        &stop);
        }
        long traced_status = res.curl_code == CURLE_OK ? res.status : 0;
        trace(&x, 0, attempts, traced_status, res.duration_ms, kind, delay);
        x.status = traced_status;
        log_attempt(&x, attempts, &res, kind, retryable, delay, stop);
        if (!retryable || delay < 0)
            break;
        if (delay > 0)
            or_clock_sleep_ms(client, delay);
    }

    /* ---- the last attempt decides */
    if (error)
        error->attempts = attempts;
    if (kind == OPENROUTER_OK) {
        rc = decode_success(&x, res.status, out, error);
        if (rc == OPENROUTER_OK && raw_body) {
            *raw_body = or_strndup(client->response.data ? client->response.data : "", client->response.len);
            if (!*raw_body)
                rc = or_error_set(error, OPENROUTER_ENOMEM, "%s: out of memory", opid);
            else if (raw_body_len)
                *raw_body_len = client->response.len;
        }
        if (rc != OPENROUTER_OK && error) {
            error->http_status = res.status;
            error->request_may_have_been_processed =
                or_retry_may_have_been_processed(op->idempotent, res.status, OPENROUTER_OK, 0);
        }
    } else if (kind == OPENROUTER_EHTTP) {
        fill_http_error(&x, res.status, stop, retry_after, error);
        rc = error ? error->kind : OPENROUTER_EHTTP;
        if (error) {
            error->http_status = res.status;
            error->retry_after_ms = retry_after;
            error->request_may_have_been_processed =
                or_retry_may_have_been_processed(op->idempotent, res.status, OPENROUTER_OK, 0);
        }
    } else {
        const char *detail = client->errbuf[0] ? client->errbuf : curl_easy_strerror(res.curl_code);
        if (res.too_large)
            rc = or_error_set(error, OPENROUTER_ETRANSPORT, "%s: response body exceeds limit of %zu bytes",
                              opid, client->settings.max_response_bytes);
        else if (kind == OPENROUTER_ETIMEOUT)
            rc = or_error_set(error, OPENROUTER_ETIMEOUT, "%s: timed out after %ld ms: %s", opid,
                              timeout_ms, detail);
        else if (kind == OPENROUTER_ENOMEM)
            rc = or_error_set(error, OPENROUTER_ENOMEM, "%s: out of memory while receiving", opid);
        else
            rc = or_error_set(error, OPENROUTER_ETRANSPORT, "%s: transport error: %s", opid, detail);
        if (error) {
            error->curl_code = (int)res.curl_code;
            error->http_status = res.too_large ? res.status : 0;
            error->request_may_have_been_processed =
                res.too_large ? or_retry_may_have_been_processed(op->idempotent, 200, OPENROUTER_OK, 0)
                              : or_retry_may_have_been_processed(op->idempotent, 0, kind, res.nothing_sent);
        }
    }

finish:
    free_headers(&x);
    /* Bodies may carry secrets (a created key, external.api_key): wipe the
     * used bytes but keep the memory for the next call. */
    or_wipe(client->response.data, client->response.len);
    or_buf_reset(&client->response);
    or_wipe(client->request_body.data, client->request_body.len);
    or_buf_reset(&client->request_body);
    if (rc != OPENROUTER_OK) {
        if (out && *out) {
            openrouter_model_free(*out);
            *out = NULL;
        }
        or_error_redact(error, client->api_key);
    }
    log_outcome(&x, rc, error);
    *logged = 1;
    or_free(x.trace_url_owned);
    /* Keep the memory for the next call, not what it held (log_outcome
     * above may still have shown the URL). */
    or_wipe(client->url.data, client->url.cap);
    or_buf_reset(&client->url);
    or_wipe(client->param_text.data, client->param_text.cap);
    or_buf_reset(&client->param_text);
    return rc;
}

int openrouter_call(openrouter_client *client, const openrouter_operation_desc *op, const void *request,
                    void **out, const openrouter_call_options *options, openrouter_error *error)
{
    /* With a log callback, failures are logged with their message even
     * when the caller passed no error. */
    openrouter_error local;
    int use_local = !error && client && client->log;
    if (use_local) {
        openrouter_error fresh = OPENROUTER_ERROR_INIT;
        local = fresh;
        error = &local;
    }
    int logged = 0;
    int rc = call_impl(client, op, request, out, options, error, &logged);
    if (rc != OPENROUTER_OK && !logged && client) {
        or_error_redact(error, client->api_key);
        or_log(client, rc == OPENROUTER_EINVAL ? OPENROUTER_LOG_WARN : OPENROUTER_LOG_ERROR, "%s (%s)",
               error && error->message[0] ? error->message : "call failed", openrouter_status_name(rc));
    }
    if (use_local)
        openrouter_error_clear(&local);
    return rc;
}
