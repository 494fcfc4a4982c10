/* openrouter-c: the non-blocking handle and its calls, for async.c (calls
 * and the drive step), async_handle.c (lifetime, run and socket modes) and
 * async_heap.c (the retry timers). Runtime-private; not installed. */
#ifndef OPENROUTER_ASYNC_IMPL_H
#define OPENROUTER_ASYNC_IMPL_H

#include <limits.h>
#include <stdatomic.h>

#include "call.h"
#include "openrouter/async.h"
#include "openrouter/stream.h"

/* Where a call is. */
enum or_async_state {
    OR_ASYNC_QUEUED = 1,  /* waiting for a slot or for not_before */
    OR_ASYNC_RUNNING,     /* its transfer is in the multi handle */
    OR_ASYNC_WAITING,     /* waiting for its retry's timer */
    OR_ASYNC_DONE,        /* finished; its callback has not run yet */
    OR_ASYNC_DELIVERING   /* its callback is running */
};

/* One easy handle, set up by or_http_init and reused by call after call. */
typedef struct or_xfer {
    or_http http;                     /* first: or_http_of() finds the or_xfer */
    openrouter_async_call *call;      /* while in the multi handle */
    struct or_xfer *next_idle;
} or_xfer;

struct openrouter_async_call {
    openrouter_async *a;
    or_call x;                        /* the steps' state (call.h) */
    or_call_bufs bufs;                /* its own: calls run side by side */
    openrouter_retry_policy policy;   /* a copy of the one in force */
    int state;                        /* enum or_async_state */
    int rc;                           /* the outcome, once DONE */
    int64_t due;                      /* WAITING: earliest start of the next attempt */
    size_t heap_index;                /* WAITING: place in the timer heap */
    or_xfer *xfer;                    /* RUNNING */
    void *result;
    struct or_stream *stream;         /* a stream's events (or_calloc'd), else NULL */
    openrouter_stream_thunk_fn event_thunk; /* the caller's event callback */
    void (*event_fn)(void);
    void *event_user;
    openrouter_error error;
    openrouter_async_thunk_fn thunk;  /* calls fn with the result's type */
    void (*fn)(void);
    void *ctx;
    openrouter_async_call *prev, *next; /* in one of the handle's lists */
};

typedef struct or_call_list {
    openrouter_async_call *head, *tail;
} or_call_list;

/* Calls waiting for a timer, earliest `due` first. */
#define OR_HEAP_NONE ((size_t)-1)
typedef struct or_timer_heap {
    openrouter_async_call **items;
    size_t n, cap;
} or_timer_heap;

struct openrouter_async {
    openrouter_client *c;             /* borrowed; outlives the handle */
    CURLM *multi;
    or_transport_settings settings;   /* the client's, with PIPEWAIT */
    unsigned max_in_flight;
    openrouter_async_socket_fn socket_fn; /* socket mode when set */
    openrouter_async_timer_fn timer_fn;
    void *loop_ctx;

    or_call_list queued;              /* oldest first */
    or_call_list running;
    or_call_list done;                /* callbacks to run, oldest first */
    or_timer_heap timers;             /* WAITING calls */
    size_t pending;                   /* started, callback not run yet */
    unsigned in_flight;
    unsigned n_stoppable;             /* running calls or_async_stoppable() */
    int64_t not_before;               /* no attempt starts earlier (back-pressure) */
    or_xfer *idle;                    /* easy handles not in use */
    openrouter_async_call *spare;     /* recycled calls, with their buffers */
    unsigned n_spare;

    int depth;                        /* inside a drive step (callbacks) */
    int in_event;                     /* inside a stream's event callback */
    int free_requested;               /* openrouter_async_free from a callback */
    int timer_armed;                  /* socket mode: the caller's timer */
    struct curl_waitfd *watch;        /* run mode: the sockets to watch, then */
    unsigned watch_n, watch_cap;      /*   as much room again (async_run.c) */
    int watch_lost;                   /* run mode: the table could not grow */
    int64_t timer_deadline;
    atomic_uint wake_flags;           /* openrouter_async_wakeup, any thread */
    atomic_int woken;
};

/* async.c */
/* One drive step: cross-thread flags, start what may start, libcurl's turn
 * (curl_multi_socket_action on fd / OPENROUTER_ASYNC_TIMEOUT with `events`;
 * OR_ASYNC_PERFORM: curl_multi_perform, for run mode without its socket
 * table), finished transfers, the callbacks. */
#define OR_ASYNC_PERFORM (-2)
void or_async_step(openrouter_async *a, int fd, int events);
/* Milliseconds until the handle needs a step (0: now), -1: nothing due. */
long or_async_next_timeout(openrouter_async *a);
/* Socket mode, outside a step: arms, moves or disarms the caller's timer. */
void or_async_update_timer(openrouter_async *a);
/* Cancels every pending call (their callbacks then wait on the done list). */
void or_async_cancel_all_now(openrouter_async *a);
/* Runs the callbacks on the done list. */
void or_async_deliver(openrouter_async *a);
/* Frees the recycled calls. */
void or_async_free_spares(openrouter_async *a);

/* async_handle.c */
void or_async_destroy(openrouter_async *a);
int or_async_pending_int(const openrouter_async *a); /* pending, capped at INT_MAX */

/* async_run.c: run mode's CURLMOPT_SOCKETFUNCTION, and its table's end. */
int or_async_watch_cb(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp);
void or_async_watch_free(openrouter_async *a);

/* async_heap.c: 0, or -1 when it cannot grow. */
int or_heap_push(or_timer_heap *h, openrouter_async_call *k);
openrouter_async_call *or_heap_pop(or_timer_heap *h);
void or_heap_remove(or_timer_heap *h, openrouter_async_call *k);
void or_heap_free(or_timer_heap *h);

/* How often a running call's cancel token is looked at while the handle
 * would otherwise sleep (libcurl calls no progress callback for an idle
 * transfer driven by sockets). */
#define OR_ASYNC_TOKEN_CHECK_MS 50

/* A running call that end_stopped_transfers (async.c) watches: a stream
 * (its idle limit) or a call with a cancel token. */
static inline int or_async_stoppable(const openrouter_async_call *k)
{
    return k->stream != NULL || k->x.cancel != NULL;
}

static inline int64_t or_min_i64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

static inline int64_t or_max_i64(int64_t a, int64_t b)
{
    return a > b ? a : b;
}

#endif
