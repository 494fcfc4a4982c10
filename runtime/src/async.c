/* openrouter-c: the non-blocking interface (openrouter/async.h). Runs the
 * steps of call.h for many calls at once over one curl multi handle, with
 * the waits between attempts as timers on the client's clock.
 *
 * A call moves QUEUED -> RUNNING (an easy handle in the multi) -> WAITING
 * (a retry's timer) -> QUEUED ... -> DONE (its callback not run yet). The
 * handle's lists hold it in each state; the timers are a binary heap by due
 * time (async_heap.c).
 *
 * Decisions worth knowing:
 * - Everything before the first byte (arguments, URL, headers, body) is
 *   done in openrouter_async_start, so it fails there, as the blocking call
 *   would, and the caller's request struct is not needed afterwards.
 * - A drive step: take the cross-thread flags, start what may start, let
 *   libcurl work, collect finished transfers, start again, run callbacks.
 *   Callbacks run only there (and in free), never inside start or cancel.
 * - Attempts start in order: retries that came due first, then the queue;
 *   none starts before `not_before`, the shared back-pressure time a 429 or
 *   503 with an honoured Retry-After sets.
 * - Easy handles are set up once by http.c (or_http_init, the transport's
 *   one setup function, with PIPEWAIT) and reused from an idle list; call
 *   structs are recycled with their buffers (wiped) up to max_in_flight.
 * - A cancel of a running call removes its handle from the multi (libcurl
 *   closes that connection) and finishes the attempt as aborted, which
 *   classifies as OPENROUTER_ECANCELED (call.c). A cancel token in the call
 *   options is seen mid-transfer (http.c's progress callback, and every
 *   drive step, as libcurl calls no progress callback for an idle transfer
 *   driven by sockets) and when an attempt would start; a retry's timer
 *   runs out first. */
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "async_impl.h"
#include "stream.h"

/* ---- lists ------------------------------------------------------------------------ */

static void list_push(or_call_list *l, openrouter_async_call *k)
{
    k->next = NULL;
    k->prev = l->tail;
    if (l->tail)
        l->tail->next = k;
    else
        l->head = k;
    l->tail = k;
}

static void list_unlink(or_call_list *l, openrouter_async_call *k)
{
    if (k->prev)
        k->prev->next = k->next;
    else
        l->head = k->next;
    if (k->next)
        k->next->prev = k->prev;
    else
        l->tail = k->prev;
    k->prev = k->next = NULL;
}

static openrouter_async_call *list_pop(or_call_list *l)
{
    openrouter_async_call *k = l->head;
    if (k)
        list_unlink(l, k);
    return k;
}

/* Puts `front` (in order) before everything in `l`. */
static void list_prepend(or_call_list *l, or_call_list *front)
{
    if (!front->head)
        return;
    if (l->head) {
        front->tail->next = l->head;
        l->head->prev = front->tail;
    } else {
        l->tail = front->tail;
    }
    l->head = front->head;
    front->head = front->tail = NULL;
}

/* ---- calls ---------------------------------------------------------------------------- */

static openrouter_async_call *call_new(openrouter_async *a)
{
    openrouter_async_call *k = a->spare;
    if (k) {
        a->spare = k->next;
        a->n_spare--;
        or_call_bufs bufs = k->bufs;
        memset(k, 0, sizeof *k);
        k->bufs = bufs;
    } else if (!(k = or_calloc(1, sizeof *k))) {
        return NULL;
    }
    k->a = a;
    k->heap_index = OR_HEAP_NONE;
    openrouter_error fresh = OPENROUTER_ERROR_INIT;
    k->error = fresh;
    return k;
}

void or_async_free_spares(openrouter_async *a)
{
    while (a->spare) {
        openrouter_async_call *k = a->spare;
        a->spare = k->next;
        or_call_bufs_free(&k->bufs);
        or_free(k);
    }
    a->n_spare = 0;
}

/* The buffers were wiped by or_call_end (or never used). */
static void call_release(openrouter_async *a, openrouter_async_call *k)
{
    if (a->n_spare < a->max_in_flight) {
        k->next = a->spare;
        a->spare = k;
        a->n_spare++;
        return;
    }
    or_call_bufs_free(&k->bufs);
    or_free(k);
}

/* The call is over: its outcome into k->rc / result / error, then onto the
 * done list for its callback. */
static void call_done(openrouter_async *a, openrouter_async_call *k)
{
    k->rc = or_call_finish(&k->x, &k->result, &k->error);
    if (k->stream) {
        or_stream_release(k->stream);
        or_free(k->stream);
        k->stream = NULL;
        k->x.stream = NULL;
    }
    k->state = OR_ASYNC_DONE;
    list_push(&a->done, k);
}

/* ---- transfers ------------------------------------------------------------------------- */

static or_xfer *xfer_take(openrouter_async *a)
{
    or_xfer *xf = a->idle;
    if (xf) {
        a->idle = xf->next_idle;
        return xf;
    }
    if (!(xf = or_calloc(1, sizeof *xf)))
        return NULL;
    /* The client's transport settings and default headers: every option
     * a blocking call's handle has, set by the same function. */
    if (or_http_init(&xf->http, &a->settings, a->c->headers, NULL) != OPENROUTER_OK) {
        or_http_cleanup(&xf->http);
        or_free(xf);
        return NULL;
    }
    return xf;
}

static void xfer_put(openrouter_async *a, or_xfer *xf)
{
    xf->call = NULL;
    xf->next_idle = a->idle;
    a->idle = xf;
}

/* A retry waits `delay` ms; a 429/503 with a Retry-After the call's policy
 * accepts holds every attempt of the handle back as long. */
static void after_attempt(openrouter_async *a, openrouter_async_call *k)
{
    long delay = or_attempt_end(&k->x);
    int64_t now = or_clock_now_ms(a->c);
    long ra = k->x.retry_after;
    if ((k->x.status == 429 || k->x.status == 503) && ra >= 0 && ra <= k->x.policy->max_retry_after_ms &&
        now + ra > a->not_before)
        a->not_before = now + ra;
    if (delay < 0) {
        call_done(a, k);
        return;
    }
    k->due = now + delay;
    k->state = OR_ASYNC_WAITING;
    if (or_heap_push(&a->timers, k) != 0) {
        /* No room to wait: the attempt's own failure stands. */
        k->x.delay = -1;
        call_done(a, k);
    }
}

/* The transfer of running call `k` ended with `rc`: frees its slot. */
static void transfer_ended(openrouter_async *a, openrouter_async_call *k, CURLcode rc)
{
    or_xfer *xf = k->xfer;
    a->n_stoppable -= or_async_stoppable(k);
    curl_multi_remove_handle(a->multi, xf->http.curl);
    or_http_finish(&xf->http, &k->x.req, rc, &k->x.res);
    list_unlink(&a->running, k);
    a->in_flight--;
    k->xfer = NULL;
    xfer_put(a, xf);
    after_attempt(a, k);
}

/* Starts the next attempt of `k`; 0, or -1 when no easy handle could be
 * had (k is untouched then). */
static int attempt_start(openrouter_async *a, openrouter_async_call *k)
{
    or_xfer *xf = xfer_take(a);
    if (!xf)
        return -1;
    or_attempt_begin(&k->x);
    CURLcode rc = or_http_prepare(&xf->http, &k->x.req, &k->x.res);
    if (rc == CURLE_OK && curl_multi_add_handle(a->multi, xf->http.curl) != CURLM_OK)
        rc = CURLE_OUT_OF_MEMORY;
    if (rc != CURLE_OK) {
        or_http_finish(&xf->http, &k->x.req, rc, &k->x.res);
        xfer_put(a, xf);
        after_attempt(a, k);
        return 0;
    }
    xf->call = k;
    k->xfer = xf;
    k->state = OR_ASYNC_RUNNING;
    list_push(&a->running, k);
    a->in_flight++;
    a->n_stoppable += or_async_stoppable(k);
    return 0;
}

/* Starts what may start: due retries first, then queued calls, while
 * there is a free slot and the back-pressure time has passed. */
static void pump(openrouter_async *a)
{
    if (!a->queued.head && !a->timers.n)
        return;
    int64_t now = or_clock_now_ms(a->c);
    or_call_list due = {NULL, NULL};
    while (a->timers.n && a->timers.items[0]->due <= now) {
        openrouter_async_call *k = or_heap_pop(&a->timers);
        k->state = OR_ASYNC_QUEUED;
        list_push(&due, k);
    }
    list_prepend(&a->queued, &due);
    if (now < a->not_before)
        return;
    while (a->queued.head && a->in_flight < a->max_in_flight) {
        openrouter_async_call *k = list_pop(&a->queued);
        if (openrouter_cancel_requested(k->x.cancel)) {
            /* The call options' token: seen here and, mid-transfer, by
             * http.c's progress callback. */
            k->x.cancelled = OR_CANCELLED_WAIT;
            call_done(a, k);
            continue;
        }
        if (attempt_start(a, k) != 0) {
            list_prepend(&a->queued, &(or_call_list){k, k});
            if (a->in_flight > 0)
                return; /* a slot will free up */
            k = list_pop(&a->queued);
            k->x.kind = OPENROUTER_ENOMEM;
            k->x.res.curl_code = CURLE_OUT_OF_MEMORY;
            call_done(a, k);
        }
    }
}

/* Finished transfers, from libcurl's messages. */
static void collect(openrouter_async *a)
{
    CURLMsg *m;
    int left = 0;
    while ((m = curl_multi_info_read(a->multi, &left))) {
        if (m->msg != CURLMSG_DONE)
            continue;
        CURLcode rc = m->data.result; /* m dies with the handle's removal */
        or_xfer *xf = (or_xfer *)(void *)or_http_of(m->easy_handle);
        if (xf && xf->call)
            transfer_ended(a, xf->call, rc);
    }
}

/* ---- cancelling ------------------------------------------------------------------------ */

static void cancel_now(openrouter_async *a, openrouter_async_call *k)
{
    switch (k->state) {
    case OR_ASYNC_RUNNING:
        transfer_ended(a, k, CURLE_ABORTED_BY_CALLBACK);
        return;
    case OR_ASYNC_QUEUED:
        list_unlink(&a->queued, k);
        break;
    case OR_ASYNC_WAITING:
        or_heap_remove(&a->timers, k);
        break;
    default:
        return;
    }
    k->x.cancelled = OR_CANCELLED_WAIT;
    call_done(a, k);
}

void or_async_cancel_all_now(openrouter_async *a)
{
    while (a->running.head)
        cancel_now(a, a->running.head);
    while (a->queued.head)
        cancel_now(a, a->queued.head);
    while (a->timers.n)
        cancel_now(a, a->timers.items[a->timers.n - 1]);
}

/* Transfers the progress callback would stop if libcurl called it: a multi
 * handle driven by sockets calls none while a transfer is idle. Streams
 * past their idle limit end as a timeout, calls whose token was cancelled
 * as cancelled. */
static void end_stopped_transfers(openrouter_async *a)
{
    if (a->n_stoppable == 0)
        return;
    openrouter_async_call *k = a->running.head;
    while (k) {
        openrouter_async_call *next = k->next;
        if ((k->stream && or_stream_idle_expired(k->stream)) || openrouter_cancel_requested(k->x.cancel))
            transfer_ended(a, k, CURLE_ABORTED_BY_CALLBACK);
        k = next;
    }
}

/* When end_stopped_transfers must look again, INT64_MAX if never: the
 * earliest idle deadline of the running streams, and soon while a running
 * call has a cancel token (cancelled from another thread, it wakes
 * nothing). */
static int64_t stop_check_due(openrouter_async *a)
{
    int64_t due = INT64_MAX;
    if (a->n_stoppable == 0)
        return due;
    int token = 0;
    for (const openrouter_async_call *k = a->running.head; k; k = k->next) {
        if (k->stream)
            due = or_min_i64(due, or_stream_idle_deadline(k->stream));
        token |= k->x.cancel != NULL;
    }
    if (token)
        due = or_min_i64(due, or_clock_now_ms(a->c) + OR_ASYNC_TOKEN_CHECK_MS);
    return due;
}

/* ---- the drive step -------------------------------------------------------------------- */

/* Runs the callbacks of finished calls, oldest first; a callback may start
 * or cancel calls, which may add to the list. */
void or_async_deliver(openrouter_async *a)
{
    openrouter_async_call *k;
    while ((k = list_pop(&a->done))) {
        a->pending--;
        k->state = OR_ASYNC_DELIVERING;
        void *result = k->result;
        k->result = NULL;
        k->thunk(k->fn, k->ctx, k, k->rc, result, &k->error);
        openrouter_error_clear(&k->error);
        call_release(a, k);
    }
}

void or_async_step(openrouter_async *a, int fd, int events)
{
    a->depth++;
    if (atomic_exchange(&a->wake_flags, 0u) & OPENROUTER_ASYNC_CANCEL_ALL)
        or_async_cancel_all_now(a);
    pump(a);
    int running = 0;
    if (fd == OR_ASYNC_PERFORM)
        curl_multi_perform(a->multi, &running);
    else
        curl_multi_socket_action(a->multi, fd == OPENROUTER_ASYNC_TIMEOUT ? CURL_SOCKET_TIMEOUT : fd,
                                 ((events & OPENROUTER_ASYNC_IN) ? CURL_CSELECT_IN : 0) |
                                     ((events & OPENROUTER_ASYNC_OUT) ? CURL_CSELECT_OUT : 0) |
                                     ((events & OPENROUTER_ASYNC_ERROR) ? CURL_CSELECT_ERR : 0),
                                 &running);
    collect(a);
    end_stopped_transfers(a);
    /* openrouter_async_cancel_all() from an event callback, in this step. */
    if (atomic_exchange(&a->wake_flags, 0u) & OPENROUTER_ASYNC_CANCEL_ALL)
        or_async_cancel_all_now(a);
    pump(a);
    or_async_deliver(a);
    if (a->free_requested) {
        or_async_cancel_all_now(a);
        or_async_deliver(a);
    }
    a->depth--;
}

long or_async_next_timeout(openrouter_async *a)
{
    if (a->done.head)
        return 0;
    long t = -1;
    if (a->in_flight > 0 && curl_multi_timeout(a->multi, &t) != CURLM_OK)
        t = 0;
    int64_t due = INT64_MAX;
    if (a->timers.n)
        due = a->timers.items[0]->due;
    if (a->queued.head && a->in_flight < a->max_in_flight)
        due = or_min_i64(due, 0);
    int64_t idle = stop_check_due(a);
    if (due == INT64_MAX && idle == INT64_MAX)
        return t;
    int64_t now = or_clock_now_ms(a->c);
    int64_t wait = due == INT64_MAX ? INT64_MAX : or_max_i64(due, a->not_before) - now;
    wait = or_min_i64(wait, idle == INT64_MAX ? INT64_MAX : idle - now);
    wait = or_max_i64(wait, 0);
    if (wait > LONG_MAX)
        wait = LONG_MAX;
    return t < 0 || (long)wait < t ? (long)wait : t;
}

void or_async_update_timer(openrouter_async *a)
{
    if (!a->timer_fn || a->depth > 0 || a->free_requested)
        return;
    long ms = or_async_next_timeout(a);
    if (ms < 0) {
        if (a->timer_armed) {
            a->timer_armed = 0;
            a->timer_fn(a->loop_ctx, -1);
        }
        return;
    }
    int64_t deadline = or_clock_now_ms(a->c) + ms;
    if (a->timer_armed && deadline == a->timer_deadline)
        return;
    a->timer_armed = 1;
    a->timer_deadline = deadline;
    a->timer_fn(a->loop_ctx, ms);
}

/* ---- starting and cancelling ------------------------------------------------------------- */

/* The event callbacks run inside libcurl, where the handle must not be
 * changed: what may not run there refuses. */
static int refuse_in_event(const openrouter_async *a, openrouter_error *error)
{
    return a->in_event ? or_error_set(error, OPENROUTER_EINVAL, "not allowed inside a stream's event callback")
                       : OPENROUTER_OK;
}

/* A stream's event reaches the caller's callback with the handle marked. */
static int async_event_thunk(void (*fn)(void), void *user, const void *event)
{
    (void)fn; /* the caller's is kept in the call */
    openrouter_async_call *k = user;
    k->a->in_event++;
    int rc = k->event_thunk(k->event_fn, k->event_user, event);
    k->a->in_event--;
    return rc;
}

/* Starts a call: a stream when `ev_thunk` is set. */
static int start_call(openrouter_async *async, const openrouter_operation_desc *op, const void *request,
                      const openrouter_call_options *options, openrouter_async_thunk_fn thunk, void (*fn)(void),
                      void *ctx, openrouter_stream_thunk_fn ev_thunk, void (*ev_fn)(void), void *ev_user,
                      openrouter_async_call **call, openrouter_error *error)
{
    if (call)
        *call = NULL;
    if (error)
        openrouter_error_clear(error);
    if (!async)
        return or_error_set(error, OPENROUTER_EINVAL, "async must not be NULL");
    if (!thunk || !fn)
        return or_error_set_field(error, OPENROUTER_EINVAL, "done", "done must not be NULL");
    if (async->free_requested)
        return or_error_set(error, OPENROUTER_EINVAL, "the async handle is being freed");
    int rc = refuse_in_event(async, error);
    if (rc == OPENROUTER_OK && ev_thunk)
        rc = or_stream_check(op, ev_thunk, ev_fn, options, error);
    if (rc != OPENROUTER_OK)
        return rc;
    openrouter_async_call *k = call_new(async);
    or_stream *stream = ev_thunk ? or_calloc(1, sizeof *stream) : NULL;
    if (!k || (ev_thunk && !stream)) {
        if (k)
            call_release(async, k);
        or_free(stream);
        return or_error_set(error, OPENROUTER_ENOMEM, "out of memory");
    }
    rc = or_call_start(&k->x, async->c, &k->bufs, op, request, &k->result, options, ev_thunk != NULL, error);
    if (rc != OPENROUTER_OK) {
        or_free(stream);
        call_release(async, k);
        return rc;
    }
    if (stream) {
        k->event_thunk = ev_thunk;
        k->event_fn = ev_fn;
        k->event_user = ev_user;
        or_stream_attach(stream, &k->x, async_event_thunk, ev_fn, k);
        k->stream = stream;
    }
    /* Nothing the caller passed is read after this. */
    k->policy = *k->x.policy;
    k->x.policy = &k->policy;
    k->x.request = NULL;
    k->thunk = thunk;
    k->fn = fn;
    k->ctx = ctx;
    k->state = OR_ASYNC_QUEUED;
    list_push(&async->queued, k);
    async->pending++;
    pump(async);
    or_async_update_timer(async);
    if (call)
        *call = k;
    return OPENROUTER_OK;
}

int openrouter_async_start_typed(openrouter_async *async, const openrouter_operation_desc *op, const void *request,
                                 const openrouter_call_options *options, openrouter_async_thunk_fn thunk,
                                 void (*fn)(void), void *ctx, openrouter_async_call **call, openrouter_error *error)
{
    return start_call(async, op, request, options, thunk, fn, ctx, NULL, NULL, NULL, call, error);
}

static void stream_done_thunk(void (*fn)(void), void *ctx, openrouter_async_call *call, int status, void *result,
                              openrouter_error *error)
{
    (void)result; /* a stream's events went to its callback */
    ((openrouter_async_stream_done_fn)fn)(ctx, call, status, error);
}

int openrouter_async_stream_start(openrouter_async *async, const openrouter_operation_desc *op, const void *request,
                                  openrouter_stream_thunk_fn thunk, void (*fn)(void), void *user,
                                  const openrouter_call_options *options, openrouter_async_stream_done_fn done,
                                  void *ctx, openrouter_async_call **call, openrouter_error *error)
{
    if (!thunk || !fn) {
        if (call)
            *call = NULL;
        return or_error_set_field(error, OPENROUTER_EINVAL, "callback", "callback must not be NULL");
    }
    return start_call(async, op, request, options, stream_done_thunk, (void (*)(void))done, ctx, thunk, fn, user,
                      call, error);
}

static void plain_thunk(void (*fn)(void), void *ctx, openrouter_async_call *call, int status, void *result,
                        openrouter_error *error)
{
    ((openrouter_async_done_fn)fn)(ctx, call, status, result, error);
}

int openrouter_async_start(openrouter_async *async, const openrouter_operation_desc *op, const void *request,
                           const openrouter_call_options *options, openrouter_async_done_fn done, void *ctx,
                           openrouter_async_call **call, openrouter_error *error)
{
    return openrouter_async_start_typed(async, op, request, options, plain_thunk, (void (*)(void))done, ctx, call,
                                        error);
}

int openrouter_async_cancel(openrouter_async_call *call)
{
    if (!call || call->state == OR_ASYNC_DONE || call->state == OR_ASYNC_DELIVERING || call->a->in_event)
        return OPENROUTER_EINVAL;
    openrouter_async *a = call->a;
    cancel_now(a, call);
    or_async_update_timer(a);
    return OPENROUTER_OK;
}

void openrouter_async_cancel_all(openrouter_async *async)
{
    if (!async)
        return;
    if (async->in_event) { /* inside libcurl: at the next drive step */
        atomic_fetch_or(&async->wake_flags, OPENROUTER_ASYNC_CANCEL_ALL);
        return;
    }
    or_async_cancel_all_now(async);
    or_async_update_timer(async);
}

size_t openrouter_async_pending(const openrouter_async *async)
{
    return async ? async->pending : 0;
}

int openrouter_async_wakeup(openrouter_async *async, unsigned int flags)
{
    if (!async || (flags & ~OPENROUTER_ASYNC_CANCEL_ALL))
        return OPENROUTER_EINVAL;
    atomic_fetch_or(&async->wake_flags, flags);
    atomic_store(&async->woken, 1);
    return curl_multi_wakeup(async->multi) == CURLM_OK ? OPENROUTER_OK : OPENROUTER_ETRANSPORT;
}
