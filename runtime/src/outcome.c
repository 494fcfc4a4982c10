/* openrouter-c: a call's outcome, from its last attempt: the decoded
 * success body, or an error filled from the HTTP error response or the
 * transport failure; and the log line that closes the call.
 *
 * Decisions worth knowing:
 * - A 2xx status the operation does not list is decoded with the first
 *   listed response's body description.
 * - A success body whose Content-Type is not JSON (application/json or
 *   *+json) is EDECODE; a missing Content-Type is tolerated. A response
 *   the spec describes as another media type (media_type) is kept as
 *   bytes whatever its Content-Type says.
 * - request_may_have_been_processed is only ever set for non-idempotent
 *   operations: retrying or re-reading an idempotent one is harmless.
 * - An error body is redacted (rule 1 of redact.h) before it is parsed, so
 *   neither the API fields nor the snippet can hold (part of) the key. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "call.h"
#include "redact.h"
#include "stream.h"

/* ---- success ----------------------------------------------------------------------- */

static const openrouter_response_desc *find_response(const openrouter_operation_desc *op, long status)
{
    for (size_t i = 0; i < op->n_responses; i++)
        if (op->responses[i].status == status)
            return &op->responses[i];
    if (status >= 200 && status <= 299 && op->n_responses > 0)
        return &op->responses[0];
    return NULL;
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

/* A 2xx whose Content-Type says it is not JSON: EDECODE, keeping a snippet
 * of what came back (an HTML page, say), but never of something JSON-shaped:
 * a success body may hold a new key's secret. */
static int not_json(or_call *x, long status, openrouter_error *error)
{
    or_http_response *res = &x->res;
    or_error_set(error, OPENROUTER_EDECODE, "%s: expected a JSON response, got Content-Type \"%s\" (HTTP %ld)",
                 x->opid, res->content_type, status);
    or_redact_buf(&res->body, x->c->api_key);
    if (error && !looks_like_json(res->body.data, res->body.len) &&
        or_error_parse_body(error, res->body.data, res->body.len) != 0)
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

/* A body that is not JSON: its bytes and Content-Type, as received. */
static int keep_bytes(or_call *x, void **out, openrouter_error *error)
{
    const or_http_response *res = &x->res;
    openrouter_bytes *b = NULL;
    if (or_bytes_new(res->body.data, res->body.len, res->content_type, &b) != OPENROUTER_OK)
        return or_error_set(error, OPENROUTER_ENOMEM, "%s: out of memory", x->opid);
    if (out)
        *out = b;
    else
        openrouter_bytes_free(b);
    return OPENROUTER_OK;
}

void or_outcome_free(const or_call *x, void *out)
{
    const openrouter_response_desc *resp = find_response(x->op, x->res.status);
    if (resp && resp->media_type)
        openrouter_bytes_free(out);
    else
        openrouter_model_free(out);
}

static int decode_success(or_call *x, long status, void **out, openrouter_error *error)
{
    const or_http_response *res = &x->res;
    const openrouter_response_desc *resp = find_response(x->op, status);
    if (x->body_sink.write)
        return OPENROUTER_OK; /* the sink took the body */
    if (resp && resp->media_type)
        return keep_bytes(x, out, error);
    if (!resp || !resp->body)
        return OPENROUTER_OK; /* nothing to decode; *out stays NULL */
    if (res->body.len == 0)
        return or_error_set(error, OPENROUTER_EDECODE, "%s: empty response body (HTTP %ld)", x->opid, status);
    if (res->content_type[0] && !is_json_media_type(res->content_type))
        return not_json(x, status, error);
    or_decode_options opts = {.strict = x->c->strict_decoding};
    void *model = NULL;
    int rc = or_model_decode(resp->body, res->body.data, res->body.len, &opts, &model, error);
    if (rc != OPENROUTER_OK) {
        if (model)
            openrouter_model_free(model);
        or_error_prefix(error, x->opid);
        return rc;
    }
    if (out)
        *out = model;
    else
        openrouter_model_free(model);
    return OPENROUTER_OK;
}

/* options->raw_body: the body exactly as received. */
static int copy_raw_body(or_call *x, openrouter_error *error)
{
    const or_buf *body = &x->res.body;
    *x->raw_body = or_strndup(body->data ? body->data : "", body->len);
    if (!*x->raw_body)
        return or_error_set(error, OPENROUTER_ENOMEM, "%s: out of memory", x->opid);
    if (x->raw_body_len)
        *x->raw_body_len = body->len;
    return OPENROUTER_OK;
}

static int finish_success(or_call *x, void **out, openrouter_error *error)
{
    long status = x->res.status;
    int rc = decode_success(x, status, out, error);
    if (rc == OPENROUTER_OK && x->raw_body)
        rc = copy_raw_body(x, error);
    if (rc != OPENROUTER_OK && error) {
        error->http_status = status;
        error->request_may_have_been_processed =
            or_retry_may_have_been_processed(x->op->idempotent, status, OPENROUTER_OK, 0);
    }
    return rc;
}

/* ---- failure ------------------------------------------------------------------------ */

static void fill_http_error(or_call *x, openrouter_error *error)
{
    long status = x->res.status;
    or_error_set(error, OPENROUTER_EHTTP, "%s: HTTP %ld", x->opid, status);
    if (!error)
        return;
    or_buf *body = &x->res.body;
    or_redact_buf(body, x->c->api_key);
    if (or_error_parse_body(error, body->data ? body->data : "", body->len) != 0) {
        or_error_set(error, OPENROUTER_ENOMEM, "%s: out of memory", x->opid);
        return;
    }
    char detail[160] = "";
    if (error->api_message)
        snprintf(detail, sizeof detail, ": %s", error->api_message);
    else if (status >= 300 && status <= 399)
        snprintf(detail, sizeof detail, ": redirect not followed");
    char extra[96] = "";
    if (x->stop == OR_RETRY_STOP_RETRY_AFTER)
        snprintf(extra, sizeof extra, " (server asked to wait %ld ms, more than max_retry_after_ms)",
                 x->retry_after);
    /* Built without allocating, so a parsed API message is never lost to
     * a failed allocation of the line that shows it. */
    char code[32];
    snprintf(code, sizeof code, ": HTTP %ld", status);
    size_t used = 0;
    or_append_cut(error->message, sizeof error->message, &used, x->opid);
    or_append_cut(error->message, sizeof error->message, &used, code);
    or_append_cut(error->message, sizeof error->message, &used, detail);
    or_append_cut(error->message, sizeof error->message, &used, extra);
}

static int finish_http_error(or_call *x, openrouter_error *error)
{
    fill_http_error(x, error);
    if (!error)
        return OPENROUTER_EHTTP;
    error->http_status = x->res.status;
    error->retry_after_ms = x->retry_after;
    error->request_may_have_been_processed =
        or_retry_may_have_been_processed(x->op->idempotent, x->res.status, OPENROUTER_OK, 0);
    return error->kind;
}

static int finish_transport_error(or_call *x, openrouter_error *error)
{
    const or_http_response *res = &x->res;
    int rc;
    if (res->too_large)
        rc = or_error_set(error, OPENROUTER_ETRANSPORT, "%s: response body exceeds limit of %zu bytes", x->opid,
                          x->c->http.settings.max_response_bytes);
    else if (x->kind == OPENROUTER_ETIMEOUT)
        rc = or_error_set(error, OPENROUTER_ETIMEOUT, "%s: timed out after %ld ms: %s", x->opid, x->timeout_ms,
                          res->error_detail);
    else if (x->kind == OPENROUTER_ENOMEM)
        rc = or_error_set(error, OPENROUTER_ENOMEM, "%s: out of memory while receiving", x->opid);
    else if (res->sink_stopped)
        rc = or_error_set(error, OPENROUTER_ETRANSPORT, "%s: the body sink stopped the transfer after %zu bytes",
                          x->opid, res->sunk);
    else
        rc = or_error_set(error, OPENROUTER_ETRANSPORT, "%s: transport error: %s", x->opid, res->error_detail);
    if (error) {
        error->curl_code = (int)res->curl_code;
        error->http_status = res->too_large ? res->status : 0;
        error->request_may_have_been_processed =
            res->too_large ? or_retry_may_have_been_processed(x->op->idempotent, 200, OPENROUTER_OK, 0)
                           : or_retry_may_have_been_processed(x->op->idempotent, 0, x->kind, res->nothing_sent);
    }
    return rc;
}

/* The last response's request id, printable and without key-shaped text
 * (a server sent it). */
static void keep_request_id(const or_call *x, openrouter_error *error)
{
    const or_http_response *res = &x->res;
    if (!res->request_id_header)
        return;
    size_t n = 0;
    for (; res->request_id[n] && n + 1 < sizeof error->request_id; n++) {
        unsigned char c = (unsigned char)res->request_id[n];
        error->request_id[n] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    error->request_id[n] = '\0';
    or_redact_key_shaped(error->request_id);
    error->request_id_header = res->request_id_header;
}

/* Cancelled by the caller (the call's token or openrouter_async_cancel()):
 * before the first attempt, during one, or waiting to retry after a failed
 * one (whose status is kept). Whether the server may have acted counts
 * every attempt, not only the last. */
static int finish_cancelled(or_call *x, openrouter_error *error)
{
    if (x->attempts == 0) {
        or_error_set(error, OPENROUTER_ECANCELED, "%s: cancelled before it was sent", x->opid);
    } else if (x->cancelled == OR_CANCELLED_TRANSFER) {
        or_error_set(error, OPENROUTER_ECANCELED, "%s: cancelled during attempt %d", x->opid, x->attempts);
    } else {
        char last[64];
        if (x->kind == OPENROUTER_EHTTP)
            snprintf(last, sizeof last, "HTTP %ld", x->status);
        else
            snprintf(last, sizeof last, "%s", openrouter_status_name(x->kind));
        or_error_set(error, OPENROUTER_ECANCELED, "%s: cancelled while waiting to retry (attempt %d: %s)", x->opid,
                     x->attempts, last);
        if (error) {
            error->http_status = x->status;
            error->curl_code = (int)x->res.curl_code;
            error->retry_after_ms = x->retry_after;
        }
    }
    if (error)
        error->request_may_have_been_processed = x->processed;
    return OPENROUTER_ECANCELED;
}

static int finish(or_call *x, void **out, openrouter_error *error)
{
    if (or_stream_decides(x))
        return or_stream_outcome(x, error);
    if (x->cancelled)
        return finish_cancelled(x, error);
    if (x->kind == OPENROUTER_OK)
        return finish_success(x, out, error);
    if (x->kind == OPENROUTER_EHTTP)
        return finish_http_error(x, error);
    return finish_transport_error(x, error);
}

int or_outcome_finish(or_call *x, void **out, openrouter_error *error)
{
    if (error)
        error->attempts = x->attempts;
    int rc = finish(x, out, error);
    if (rc != OPENROUTER_OK && error)
        keep_request_id(x, error);
    return rc;
}

/* ---- the log line ----------------------------------------------------------------------- */

void or_outcome_log(const or_call *x, int rc, const openrouter_error *error)
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
    int caller = rc == OPENROUTER_EINVAL || rc == OPENROUTER_ECANCELED ||
                 (rc == OPENROUTER_EHTTP && x->status >= 400 && x->status <= 499);
    char tries[48] = "before sending";
    if (x->attempts)
        snprintf(tries, sizeof tries, "after %d attempt%s", x->attempts, x->attempts == 1 ? "" : "s");
    or_log(c, caller ? OPENROUTER_LOG_WARN : OPENROUTER_LOG_ERROR, "%s: %s %s failed %s: %s (%s)%s", x->opid,
           x->op->method, url, tries, error && error->message[0] ? error->message : "no detail",
           openrouter_status_name(rc),
           error && error->request_may_have_been_processed ? "; the server may still have acted on it" : "");
}
