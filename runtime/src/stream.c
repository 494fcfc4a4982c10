/* openrouter-c: a streaming call's events (stream.h): the transport's sink
 * feeds the SSE parser, each event becomes the operation's event model and
 * goes to the caller; the idle limit; what a stream's end means.
 *
 * Decisions worth knowing:
 * - An event is decoded through its model's table from a JSON object built
 *   of the fields the model declares ({"data": <data>, "event": ..., "id":
 *   ...}), so the event model is an ordinary generated model and the
 *   decoder's leniency and strictness rules hold for events too.
 * - An event whose data is an object with an "error" member is the
 *   server's mid-stream error: the stream stops there and the call fails
 *   with it (the event is not delivered).
 * - A started stream is never retried, whatever happens to it: events were
 *   (or may have been) acted on by the caller.
 * - The idle limit is checked from libcurl's progress callback, so it is
 *   enforced within about a second of its expiry. */
#include <stdio.h>
#include <string.h>

#include "stream.h"

/* ---- events ---------------------------------------------------------------------------- */

static int build_doc(or_stream *s, const or_sse_event *ev)
{
    or_buf *b = &s->doc;
    or_buf_reset(b);
    int bad = or_buf_puts(b, "{");
    if (s->has_data) {
        bad = bad || or_buf_puts(b, "\"data\":");
        bad = bad || (s->data_is_text ? or_buf_json_string(b, ev->data, ev->data_len)
                                      : or_buf_append(b, ev->data, ev->data_len));
    }
    if (s->has_event) {
        bad = bad || or_buf_puts(b, s->has_data ? ",\"event\":" : "\"event\":");
        bad = bad || or_buf_json_string(b, ev->type, ev->type_len);
    }
    if (s->has_id && ev->id_len) {
        bad = bad || or_buf_puts(b, s->has_data || s->has_event ? ",\"id\":" : "\"id\":");
        bad = bad || or_buf_json_string(b, ev->id, ev->id_len);
    }
    return bad || or_buf_puts(b, "}");
}

/* Whether `data` mentions "error" in quotes: only then can it be an error
 * object, so only then is it parsed as one. */
static int mentions_error(const char *data, size_t n)
{
    for (const char *p = data; (p = memchr(p, '"', n - (size_t)(p - data))) != NULL; p++)
        if (n - (size_t)(p - data) >= 7 && memcmp(p, "\"error\"", 7) == 0)
            return 1;
    return 0;
}

static int failed(or_stream *s, int rc)
{
    s->stop = OR_STREAM_FAILED;
    return rc;
}

static int on_event(void *ctx, const or_sse_event *ev)
{
    or_stream *s = ctx;
    s->last_ms = or_clock_now_ms(s->c);
    if (s->ended)
        return 0;
    const char *sentinel = s->desc->sentinel;
    if (sentinel && ev->data_len == strlen(sentinel) && memcmp(ev->data, sentinel, ev->data_len) == 0) {
        s->ended = 1;
        return 0;
    }
    if (!s->has_event && strcmp(ev->type, "message") != 0) {
        s->passed_over++;
        return 0;
    }
    if (!s->data_is_text && mentions_error(ev->data, ev->data_len)) {
        int rc = or_error_parse_event(&s->detail, ev->data, ev->data_len);
        if (rc == 1) {
            s->stop = OR_STREAM_ERROR_EVENT;
            return 1;
        }
        if (rc != 0)
            return failed(s, or_error_set(&s->detail, OPENROUTER_ENOMEM, "out of memory"));
    }
    if (build_doc(s, ev) != 0)
        return failed(s, or_error_set(&s->detail, OPENROUTER_ENOMEM, "out of memory"));
    or_decode_options opts = {.strict = s->c->strict_decoding};
    void *model = NULL;
    int rc = or_model_decode(s->desc->event, s->doc.data, s->doc.len, &opts, &model, &s->detail);
    if (rc != OPENROUTER_OK) {
        if (model)
            openrouter_model_free(model);
        char where[48];
        snprintf(where, sizeof where, "event %zu", s->events + 1);
        or_error_prefix(&s->detail, where);
        return failed(s, rc);
    }
    s->events++;
    rc = s->thunk(s->fn, s->user, model);
    openrouter_model_free(model);
    if (rc != 0) {
        s->stop = OR_STREAM_CANCEL;
        return 1;
    }
    return 0;
}

static int on_comment(void *ctx, const char *text, size_t len)
{
    (void)text, (void)len;
    or_stream *s = ctx;
    s->last_ms = or_clock_now_ms(s->c);
    return 0;
}

/* ---- the transport's sink ------------------------------------------------------------------ */

static int sink_write(void *ctx, const char *bytes, size_t n)
{
    or_stream *s = ctx;
    if (s->ended)
        return 0; /* whatever follows the sentinel is not ours to read */
    int rc = or_sse_feed(&s->sse, bytes, n, &s->detail);
    if (rc != 0 && s->stop == OR_STREAM_RUNNING)
        s->stop = OR_STREAM_FAILED; /* the parser's own: an event over the limit, ENOMEM */
    return rc;
}

int or_stream_idle_expired(or_stream *s)
{
    if (s->ended || s->stop != OR_STREAM_RUNNING || or_clock_now_ms(s->c) - s->last_ms <= s->idle_ms)
        return 0;
    s->stop = OR_STREAM_IDLE;
    return 1;
}

int64_t or_stream_idle_deadline(const or_stream *s)
{
    return s->ended ? INT64_MAX : s->last_ms + s->idle_ms + 1;
}

static int sink_tick(void *ctx)
{
    return or_stream_idle_expired(ctx);
}

/* ---- a call's stream ------------------------------------------------------------------------ */

int or_stream_check(const openrouter_operation_desc *op, openrouter_stream_thunk_fn thunk, void (*fn)(void),
                    const openrouter_call_options *options, openrouter_error *error)
{
    const char *opid = op && op->operation_id ? op->operation_id : "stream";
    if (op && (!op->stream || !op->stream->event))
        return or_error_set(error, OPENROUTER_EINVAL, "%s: the operation has no event stream", opid);
    if (!thunk || !fn)
        return or_error_set_field(error, OPENROUTER_EINVAL, "callback", "%s: callback must not be NULL", opid);
    if (options && options->version >= 2 && options->raw_body)
        return or_error_set_field(error, OPENROUTER_EINVAL, "options.raw_body",
                                  "%s: options.raw_body is not available for a stream", opid);
    return OPENROUTER_OK;
}

static const openrouter_field_desc *field(const openrouter_object_desc *d, const char *name)
{
    for (size_t i = 0; i < d->n_fields; i++)
        if (strcmp(d->fields[i].json_name, name) == 0)
            return &d->fields[i];
    return NULL;
}

void or_stream_attach(or_stream *s, or_call *x, openrouter_stream_thunk_fn thunk, void (*fn)(void), void *user)
{
    memset(s, 0, sizeof *s);
    s->desc = x->op->stream;
    s->c = x->c;
    s->opid = x->opid;
    s->thunk = thunk;
    s->fn = fn;
    s->user = user;
    const openrouter_object_desc *ev = s->desc->event;
    const openrouter_field_desc *data = field(ev, "data");
    s->has_data = data != NULL;
    s->data_is_text = data && data->type->kind == OPENROUTER_KIND_STRING;
    s->has_event = field(ev, "event") != NULL;
    s->has_id = field(ev, "id") != NULL;
    openrouter_error fresh = OPENROUTER_ERROR_INIT;
    s->detail = fresh;
    or_sse_options so = {.max_event_bytes = x->c->http.settings.max_response_bytes,
                         .on_event = on_event, .on_comment = on_comment, .ctx = s};
    or_sse_init(&s->sse, &so);
    s->sink = (or_http_sink){"text/event-stream", sink_write, sink_tick, s, 0}; /* no size limit */
    /* The idle limit replaces the per-request one; a whole stream is limited
     * only when the caller asked. */
    s->idle_ms = x->idle_timeout_ms > 0 ? x->idle_timeout_ms : x->c->http.settings.timeout_ms;
    x->req.timeout_ms = x->timeout_given ? x->timeout_ms : 0;
    x->timeout_ms = s->idle_ms; /* what a timeout before the stream reports */
    x->req.sink = &s->sink;
    x->stream = s;
}

void or_stream_attempt_begin(or_stream *s)
{
    or_sse_reset(&s->sse);
    openrouter_error_clear(&s->detail);
    s->last_ms = or_clock_now_ms(s->c);
    s->ended = 0;
    s->stop = OR_STREAM_RUNNING;
}

int or_stream_classify(or_call *x)
{
    or_stream *s = x->stream;
    or_http_response *res = &x->res;
    if (!res->streamed) {
        /* The idle limit before any response: an ordinary timeout. */
        if (s->stop == OR_STREAM_IDLE && res->curl_code == CURLE_ABORTED_BY_CALLBACK) {
            res->curl_code = CURLE_OPERATION_TIMEDOUT;
            snprintf(res->error_detail, sizeof res->error_detail, "no response within the idle limit");
        }
        return 0;
    }
    x->retryable = 0;
    x->retry_after = -1;
    x->status = res->status;
    x->processed |= or_retry_may_have_been_processed(x->op->idempotent, res->status, OPENROUTER_OK, 0);
    if (s->stop == OR_STREAM_CANCEL)
        x->kind = OPENROUTER_ECANCELED;
    else if (s->stop == OR_STREAM_ERROR_EVENT)
        x->kind = OPENROUTER_EHTTP;
    else if (s->stop == OR_STREAM_FAILED)
        x->kind = s->detail.kind ? s->detail.kind : OPENROUTER_EDECODE;
    else if (s->stop == OR_STREAM_IDLE || res->curl_code == CURLE_OPERATION_TIMEDOUT)
        x->kind = OPENROUTER_ETIMEOUT;
    else if (res->curl_code == CURLE_ABORTED_BY_CALLBACK) {
        x->kind = OPENROUTER_ECANCELED; /* openrouter_async_cancel() */
        x->cancelled = OR_CANCELLED_TRANSFER;
    } else if (res->curl_code == CURLE_OUT_OF_MEMORY)
        x->kind = OPENROUTER_ENOMEM;
    else if (res->curl_code != CURLE_OK || !s->ended)
        x->kind = OPENROUTER_ETRANSPORT;
    else
        x->kind = OPENROUTER_OK;
    return 1;
}

int or_stream_decides(const or_call *x)
{
    return x->stream && (x->res.streamed || x->kind == OPENROUTER_OK);
}

/* The end of a stream that stopped early or went wrong: the message, with
 * how many events came before. */
static int stream_failure(or_call *x, or_stream *s, openrouter_error *error)
{
    const or_http_response *res = &x->res;
    size_t n = s->events;
    int rc = x->kind;
    switch (s->stop) {
    case OR_STREAM_CANCEL:
        or_error_set(error, rc, "%s: stream stopped by the event callback after %zu events", x->opid, n);
        break;
    case OR_STREAM_ERROR_EVENT:
        or_error_set(error, rc, "%s: error event after %zu events: %s", x->opid, n,
                     s->detail.api_message ? s->detail.api_message : "(no message)");
        if (error) {
            error->api_code = s->detail.api_code;
            error->api_code_number = s->detail.api_code_number;
            error->api_message = s->detail.api_message;
            error->api_metadata = s->detail.api_metadata;
            s->detail.api_code = s->detail.api_message = s->detail.api_metadata = NULL;
        }
        break;
    case OR_STREAM_FAILED:
        or_error_set(error, rc, "%s: %s", x->opid, s->detail.message);
        if (error)
            memcpy(error->field, s->detail.field, sizeof error->field);
        break;
    case OR_STREAM_IDLE:
        or_error_set(error, rc, "%s: no event for %ld ms (idle limit) after %zu events", x->opid, s->idle_ms, n);
        break;
    default:
        if (x->cancelled)
            or_error_set(error, rc, "%s: cancelled after %zu events", x->opid, n);
        else if (rc == OPENROUTER_ETIMEOUT)
            or_error_set(error, rc, "%s: stream exceeded its limit of %ld ms after %zu events", x->opid,
                         x->req.timeout_ms, n);
        else if (res->curl_code != CURLE_OK)
            or_error_set(error, rc, "%s: stream cut after %zu events: %s", x->opid, n, res->error_detail);
        else
            or_error_set(error, rc, "%s: stream ended without %s after %zu events%s", x->opid,
                         s->desc->sentinel ? s->desc->sentinel : "its end", n,
                         or_sse_finish(&s->sse) ? " (in the middle of an event)" : "");
        if (error)
            error->curl_code = (int)res->curl_code;
    }
    return rc;
}

int or_stream_outcome(or_call *x, openrouter_error *error)
{
    or_stream *s = x->stream;
    const or_http_response *res = &x->res;
    int rc;
    if (!res->streamed)
        rc = or_error_set(error, OPENROUTER_EDECODE, "%s: expected a text/event-stream response, got \"%s\" (HTTP %ld)",
                          x->opid, res->content_type, res->status);
    else if (x->kind == OPENROUTER_OK)
        return OPENROUTER_OK;
    else
        rc = stream_failure(x, s, error);
    if (error) {
        error->http_status = res->status;
        error->attempts = x->attempts;
        error->request_may_have_been_processed = x->processed;
    }
    return rc;
}

void or_stream_release(or_stream *s)
{
    or_sse_free(&s->sse);
    or_buf_free(&s->doc);
    openrouter_error_clear(&s->detail);
}
