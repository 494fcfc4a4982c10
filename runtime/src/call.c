/* openrouter-c: openrouter_call, the one entry point every generated
 * operation goes through, and the steps of call.h around the transfers:
 * checking the arguments, each attempt (classify, decide on a retry, trace
 * and log), and the end of the call (release, wipe, redact, log).
 * request.c builds the request, outcome.c turns the last attempt into the
 * result; the blocking loop at the end of this file runs them in order.
 *
 * Decisions worth knowing:
 * - The call holds reusable buffers (URL, parameter text, bodies: the
 *   client's for a blocking call) from or_call_begin to or_call_end and
 *   wipes what they held.
 * - A failed call's error is redacted (rule 1 of redact.h) before it is
 *   logged or returned. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "call.h"
#include "redact.h"
#include "stream.h"

/* ---- the beginning ------------------------------------------------------------------ */

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

/* The per-call options over the client's defaults (already in x). */
static int apply_call_options(or_call *x, const openrouter_call_options *options, openrouter_error *error)
{
    /* Older versions are shorter structs: never read past what they have. */
    if (options->version < 1 || options->version > OPENROUTER_CALL_OPTIONS_VERSION)
        return or_error_set_field(error, OPENROUTER_EINVAL, "options.version",
                                  "%s: options.version must be OPENROUTER_CALL_OPTIONS_VERSION", x->opid);
    if (options->timeout_ms < 0)
        return or_error_set_field(error, OPENROUTER_EINVAL, "options.timeout_ms",
                                  "%s: options.timeout_ms must be > 0 (or 0 for the client's)", x->opid);
    if (options->timeout_ms > 0) {
        x->timeout_ms = options->timeout_ms;
        x->timeout_given = 1;
    }
    if (options->retry) {
        int rc = or_retry_policy_check(options->retry, "options.retry", error);
        if (rc != OPENROUTER_OK) {
            or_error_prefix(error, x->opid);
            return rc;
        }
        x->policy = options->retry;
    }
    if (options->version >= 4) {
        if (options->stream_idle_timeout_ms < 0)
            return or_error_set_field(error, OPENROUTER_EINVAL, "options.stream_idle_timeout_ms",
                                      "%s: options.stream_idle_timeout_ms must be > 0 (or 0 for the client's)",
                                      x->opid);
        x->idle_timeout_ms = options->stream_idle_timeout_ms;
    }
    if (options->version >= 2 && options->raw_body) {
        x->raw_body = options->raw_body;
        x->raw_body_len = options->raw_body_len;
        *x->raw_body = NULL;
        if (x->raw_body_len)
            *x->raw_body_len = 0;
    }
    if (options->version >= 3) {
        x->headers = options->headers;
        x->header_count = options->header_count;
        x->cancel = options->cancel;
    }
    return OPENROUTER_OK;
}

/* The transport's sink for openrouter_call_sink: the caller's, with the
 * response's Content-Type. */
static int body_sink_write(void *ctx, const char *bytes, size_t n)
{
    or_call *x = ctx;
    return x->body_sink.write(x->body_sink.ctx, bytes, n, x->res.content_type);
}

/* or_call_begin, with openrouter_call_sink's sink (NULL: none). */
static int call_begin(or_call *x, openrouter_client *client, or_call_bufs *bufs, const openrouter_operation_desc *op,
                      const void *request, void **out, const openrouter_body_sink *sink,
                      const openrouter_call_options *options, openrouter_error *error)
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
    if (sink && !sink->write)
        return or_error_set_field(error, OPENROUTER_EINVAL, "sink.write", "%s: sink.write must not be NULL",
                                  opid);
    if (!out && !sink && op_has_success_body(op))
        return or_error_set_field(error, OPENROUTER_EINVAL, "out", "%s: out must not be NULL", opid);
    if (!request && op_needs_request(op))
        return or_error_set_field(error, OPENROUTER_EINVAL, "request", "%s: request must not be NULL", opid);
    memset(x, 0, sizeof *x);
    x->c = client;
    x->bufs = bufs ? bufs : &client->bufs;
    x->op = op;
    x->opid = opid;
    x->request = request;
    x->policy = &client->retry;
    x->timeout_ms = client->http.settings.timeout_ms;
    x->delay = -1;
    x->retry_after = -1;
    if (sink) {
        x->body_sink = *sink;
        /* The response size limit applies: see openrouter_call_sink. */
        x->sink = (or_http_sink){NULL, body_sink_write, NULL, x, 1};
    }
    if (options) {
        int rc = apply_call_options(x, options, error);
        if (rc != OPENROUTER_OK)
            return rc;
    }
    if (openrouter_cancel_requested(x->cancel))
        return or_error_set(error, OPENROUTER_ECANCELED, "%s: cancelled before it was sent", opid);
    /* Lent until or_call_end, which hands it back. */
    x->res.body = x->bufs->response_body;
    x->bufs->response_body = (or_buf)OR_BUF_INIT;
    return OPENROUTER_OK;
}

int or_call_begin(or_call *x, openrouter_client *client, or_call_bufs *bufs, const openrouter_operation_desc *op,
                  const void *request, void **out, const openrouter_call_options *options,
                  openrouter_error *error)
{
    return call_begin(x, client, bufs, op, request, out, NULL, options, error);
}

/* ---- the attempts ---------------------------------------------------------------------- */

static void trace(const or_call *x, int before, long status, long duration, int result, long delay)
{
    if (!x->c->trace)
        return;
    openrouter_trace_event ev;
    ev.operation_id = x->opid;
    ev.method = x->op->method;
    ev.url = x->trace_url ? x->trace_url : "";
    ev.attempt = x->attempts;
    ev.http_status = status;
    ev.duration_ms = duration;
    ev.result = result;
    ev.delay_ms = delay;
    x->c->trace(x->c->trace_ctx, before, &ev);
}

void or_attempt_begin(or_call *x)
{
    /* The duration is only reported to trace and log hooks. */
    int timed = x->c->trace || x->c->log;
    x->attempt_start_ms = timed || x->attempts == 0 ? or_clock_now_ms(x->c) : 0;
    if (x->attempts == 0)
        x->start_ms = x->attempt_start_ms;
    x->attempts++;
    if (x->stream)
        or_stream_attempt_begin(x->stream);
    trace(x, 1, 0, 0, OPENROUTER_OK, -1);
    or_log(x->c, OPENROUTER_LOG_DEBUG, "%s: %s %s (attempt %d)", x->opid, x->op->method, x->trace_url,
           x->attempts);
}

static long response_retry_after(const or_http_response *res)
{
    long ms = -1;
    if (res->retry_after_ms[0])
        ms = or_parse_retry_after_ms(res->retry_after_ms);
    if (ms < 0 && res->retry_after[0])
        ms = openrouter_parse_retry_after(res->retry_after, (int64_t)time(NULL));
    return ms;
}

void or_attempt_classify(or_call *x)
{
    if (x->stream && or_stream_classify(x))
        return;
    const or_http_response *res = &x->res;
    int idempotent = x->op->idempotent;
    x->retry_after = -1;
    if (res->curl_code == CURLE_ABORTED_BY_CALLBACK) {
        /* Only a cancel aborts a transfer: the call's token (the progress
         * callback) or openrouter_async_cancel() (async.c removes it from
         * the multi). A stream's own aborts are classified by stream.c. */
        x->kind = OPENROUTER_ECANCELED;
        x->cancelled = OR_CANCELLED_TRANSFER;
        x->retryable = 0;
    } else if (res->curl_code != CURLE_OK) {
        if (res->too_large)
            x->kind = OPENROUTER_ETRANSPORT;
        else if (res->curl_code == CURLE_OPERATION_TIMEDOUT)
            x->kind = OPENROUTER_ETIMEOUT;
        else if (res->curl_code == CURLE_OUT_OF_MEMORY)
            x->kind = OPENROUTER_ENOMEM;
        else
            x->kind = OPENROUTER_ETRANSPORT;
        /* Bytes a sink already took cannot be taken back: no retry. */
        x->retryable = !res->too_large && x->kind != OPENROUTER_ENOMEM && res->sunk == 0 && !res->sink_stopped &&
                       or_retry_curl_code_retryable(res->curl_code) &&
                       or_retry_should(x->policy, idempotent, 0, x->kind, res->nothing_sent);
    } else if (res->status >= 200 && res->status <= 299) {
        x->kind = OPENROUTER_OK;
        x->retryable = 0;
    } else {
        x->kind = OPENROUTER_EHTTP;
        x->retry_after = response_retry_after(res);
        x->retryable = or_retry_should(x->policy, idempotent, res->status, OPENROUTER_OK, 0);
    }
    x->status = res->curl_code == CURLE_OK ? res->status : 0;
    x->processed |= res->curl_code != CURLE_OK
                        ? or_retry_may_have_been_processed(idempotent, 0, OPENROUTER_ETRANSPORT, res->nothing_sent)
                        : or_retry_may_have_been_processed(idempotent, res->status, OPENROUTER_OK, 0);
}

long or_attempt_decide(or_call *x)
{
    x->delay = -1;
    x->stop = OR_RETRY_GO;
    if (x->retryable) {
        double unit = x->retry_after < 0 ? or_clock_random_unit(x->c) : 0.0;
        x->delay = or_retry_next_delay(x->policy, x->attempts, x->retry_after,
                                       or_clock_now_ms(x->c) - x->start_ms, unit, &x->stop);
    }
    return x->delay;
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
static void log_attempt(const or_call *x, long duration_ms)
{
    openrouter_client *c = x->c;
    const or_http_response *res = &x->res;
    if (!c->log)
        return;
    char what[160];
    if (x->kind == OPENROUTER_ECANCELED)
        snprintf(what, sizeof what, "cancelled");
    else if (res->curl_code != CURLE_OK && !res->too_large)
        snprintf(what, sizeof what, "%s: %s", x->kind == OPENROUTER_ETIMEOUT ? "timeout" : "transport error",
                 curl_easy_strerror(res->curl_code));
    else if (res->too_large)
        snprintf(what, sizeof what, "response body too large");
    else
        snprintf(what, sizeof what, "HTTP %ld", res->status);
    if (x->kind == OPENROUTER_OK || !x->retryable)
        or_log(c, OPENROUTER_LOG_DEBUG, "%s: attempt %d: %s in %ld ms", x->opid, x->attempts, what, duration_ms);
    else if (x->delay >= 0)
        or_log(c, OPENROUTER_LOG_WARN, "%s: attempt %d failed (%s); retrying in %ld ms", x->opid, x->attempts,
               what, x->delay);
    else
        or_log(c, OPENROUTER_LOG_WARN, "%s: attempt %d failed (%s); not retrying: %s", x->opid, x->attempts, what,
               stop_reason(x->stop));
}

void or_attempt_report(or_call *x, long duration_ms)
{
    trace(x, 0, x->status, duration_ms, x->kind, x->delay);
    log_attempt(x, duration_ms);
}

long or_attempt_end(or_call *x)
{
    int64_t t1 = x->c->trace || x->c->log ? or_clock_now_ms(x->c) : 0;
    or_attempt_classify(x);
    long delay = or_attempt_decide(x);
    or_attempt_report(x, t1 > x->attempt_start_ms ? (long)(t1 - x->attempt_start_ms) : 0);
    return delay;
}

/* ---- the end ---------------------------------------------------------------------------- */

void or_call_bufs_free(or_call_bufs *b)
{
    or_buf_free(&b->url);
    or_buf_free(&b->param_text);
    or_buf_free(&b->request_body);
    or_buf_free(&b->response_body);
}

void or_call_end(or_call *x, int rc, void **out, openrouter_error *error)
{
    openrouter_client *c = x->c;
    /* Bodies may carry secrets (a created key, external.api_key). */
    or_buf_wipe(&x->res.body); /* every attempt's, not just the last */
    x->bufs->response_body = x->res.body;
    x->res.body = (or_buf)OR_BUF_INIT;
    or_buf_wipe(&x->bufs->request_body);
    if (rc != OPENROUTER_OK) {
        if (out && *out) {
            or_outcome_free(x, *out);
            *out = NULL;
        }
        or_redact_error(error, c->api_key);
    }
    or_outcome_log(x, rc, error);
    /* After the log, which may still have shown the URL. */
    or_request_release(x);
    or_buf_wipe(&x->bufs->url);
    or_buf_wipe(&x->bufs->param_text);
}

/* ---- a call's beginning and end, for the blocking and the non-blocking call ------------------ */

static int call_start(or_call *x, openrouter_client *client, or_call_bufs *bufs, const openrouter_operation_desc *op,
                      const void *request, void **out, const openrouter_body_sink *sink,
                      const openrouter_call_options *options, int streaming, openrouter_error *error)
{
    int rc = call_begin(x, client, bufs, op, request, out, sink, options, error);
    if (rc != OPENROUTER_OK) {
        if (client) {
            or_redact_error(error, client->api_key);
            or_log(client, rc == OPENROUTER_EINVAL ? OPENROUTER_LOG_WARN : OPENROUTER_LOG_ERROR, "%s (%s)",
                   error && error->message[0] ? error->message : "call failed", openrouter_status_name(rc));
        }
        return rc;
    }
    x->streaming = streaming;
    rc = or_request_build(x, error);
    if (rc != OPENROUTER_OK)
        or_call_end(x, rc, out, error);
    return rc;
}

int or_call_start(or_call *x, openrouter_client *client, or_call_bufs *bufs, const openrouter_operation_desc *op,
                  const void *request, void **out, const openrouter_call_options *options, int streaming,
                  openrouter_error *error)
{
    return call_start(x, client, bufs, op, request, out, NULL, options, streaming, error);
}

int or_call_finish(or_call *x, void **out, openrouter_error *error)
{
    int rc = or_outcome_finish(x, out, error);
    or_call_end(x, rc, out, error);
    return rc;
}

/* ---- the blocking call ------------------------------------------------------------------- */

/* The wait before a retry; 1 when the call's token cancelled it. The real
 * clock's wait ends the moment the token is cancelled; an injected
 * sleep_ms cannot be interrupted, so the token is checked before and after
 * it (client.h says so). */
static int wait_to_retry(or_call *x, long delay)
{
    openrouter_client *c = x->c;
    if (openrouter_cancel_requested(x->cancel))
        return 1;
    if (delay > 0) {
        if (x->cancel && !c->clock.sleep_ms)
            return or_cancel_wait(x->cancel, delay);
        or_clock_sleep_ms(c, delay);
    }
    return openrouter_cancel_requested(x->cancel);
}

static void run_attempts(or_call *x)
{
    for (;;) {
        or_attempt_begin(x);
        or_http_perform(&x->c->http, &x->req, &x->res);
        long delay = or_attempt_end(x);
        if (delay < 0)
            break;
        if (wait_to_retry(x, delay)) {
            x->cancelled = OR_CANCELLED_WAIT;
            break;
        }
    }
}

/* A blocking call: its body to `sink` when one is given (openrouter_call_sink),
 * streamed when `callback` is given (openrouter_call_stream). */
static int call_blocking(openrouter_client *client, const openrouter_operation_desc *op, const void *request,
                         void **out, const openrouter_body_sink *sink, const openrouter_call_options *options,
                         openrouter_error *error, const or_stream *callback)
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
    or_call x;
    or_stream stream;
    int rc = call_start(&x, client, NULL, op, request, out, sink, options, callback != NULL, error);
    if (rc == OPENROUTER_OK) {
        if (callback)
            or_stream_attach(&stream, &x, callback->thunk, callback->fn, callback->user);
        run_attempts(&x);
        rc = or_call_finish(&x, out, error);
        if (callback)
            or_stream_release(&stream);
    }
    if (use_local)
        openrouter_error_clear(&local);
    return rc;
}

int openrouter_call(openrouter_client *client, const openrouter_operation_desc *op, const void *request,
                    void **out, const openrouter_call_options *options, openrouter_error *error)
{
    return call_blocking(client, op, request, out, NULL, options, error, NULL);
}

int openrouter_call_sink(openrouter_client *client, const openrouter_operation_desc *op,
                         const void *request, const openrouter_body_sink *sink,
                         const openrouter_call_options *options, openrouter_error *error)
{
    if (!sink) {
        if (error)
            openrouter_error_clear(error);
        return or_error_set_field(error, OPENROUTER_EINVAL, "sink", "sink must not be NULL");
    }
    return call_blocking(client, op, request, NULL, sink, options, error, NULL);
}

int openrouter_call_stream(openrouter_client *client, const openrouter_operation_desc *op, const void *request,
                           openrouter_stream_thunk_fn thunk, void (*fn)(void), void *user,
                           const openrouter_call_options *options, openrouter_error *error)
{
    int rc = or_stream_check(op, thunk, fn, options, error);
    if (rc != OPENROUTER_OK)
        return rc;
    or_stream callback = {.thunk = thunk, .fn = fn, .user = user};
    void *none = NULL;
    return call_blocking(client, op, request, &none, NULL, options, error, &callback);
}
