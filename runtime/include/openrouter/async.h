/* openrouter-c: the non-blocking interface. One handle runs many calls at
 * once over libcurl's multi interface; the library starts no thread.
 *
 *   openrouter_async *a = NULL;
 *   openrouter_async_new(&a, client, NULL, &err);          // run mode
 *   openrouter_get_key_start(a, &req, NULL, on_key, ctx, NULL, &err);
 *   openrouter_list_keys_start(a, NULL, NULL, on_list, ctx, NULL, &err);
 *   openrouter_async_run(a, -1);       // until every call has completed
 *   openrouter_async_free(a);
 *
 * A handle is bound to a client and uses its settings: API key, base URL,
 * timeouts, retry policy, clock, trace and log hooks. Every call goes
 * through the same steps as the blocking one (validation, retries and their
 * POST rules, decoding, redaction, logging); only the waiting differs:
 * retries and Retry-After become timers on the client's clock, never sleeps.
 *
 * Driving. Either
 * - run mode (no socket_fn/timer_fn in the options): openrouter_async_run()
 *   waits for sockets and timers itself; or
 * - socket mode (both set): your event loop watches the sockets and the one
 *   timer the handle asks for, in the manner of curl_multi_socket_action,
 *   and calls openrouter_async_action() when a socket is ready or the timer
 *   expires (examples/async_poll.c, examples/async_libuv.c).
 *
 * Calls. A started call is queued, then in flight (at most max_in_flight at
 * once), possibly waiting before a retry, then completed: its callback runs
 * exactly once. Connections are kept and reused across calls; HTTP/2 is
 * multiplexed when the server offers it (https), otherwise a pool of
 * HTTP/1.1 connections is used. When a call gets 429 or 503 with a
 * Retry-After it honours, no attempt of any call on the handle starts before
 * that time: the calls behind it wait it out instead of each getting 429.
 *
 * When callbacks run:
 * - A completion callback runs only inside openrouter_async_run(),
 *   openrouter_async_action() or openrouter_async_free(), never inside
 *   openrouter_async_start() or openrouter_async_cancel(). Inside one you
 *   may start and cancel calls, use the client's blocking functions and
 *   free the handle (it is then freed when the drive function returns);
 *   openrouter_async_run() and openrouter_async_action() refuse to run
 *   there (OPENROUTER_EINVAL).
 * - A stream's event callback (openrouter/stream.h, *_stream_start) runs
 *   inside the drive functions too, from inside libcurl: there it must not
 *   drive, start or cancel calls (they fail with OPENROUTER_EINVAL;
 *   openrouter_async_cancel_all() is done at the end of that drive step);
 *   it returns non-zero to stop its own stream.
 * - socket_fn and timer_fn may run inside any function of this header but
 *   openrouter_async_wakeup(); they may run inside libcurl and must not call
 *   back into the handle (openrouter_async_assign() excepted): note what to
 *   do and do it from your loop.
 *
 * Threading: a handle, its calls and its client belong to the thread that
 * drives the handle; only openrouter_async_wakeup() may be called from any
 * thread, while another thread drives the handle. Different handles (each
 * with its own client) may be driven on different threads. */
#ifndef OPENROUTER_ASYNC_H
#define OPENROUTER_ASYNC_H

#include <stddef.h>

#include "openrouter/client.h"
#include "openrouter/descriptor.h"
#include "openrouter/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A handle running many calls. Opaque. */
typedef struct openrouter_async openrouter_async;
/* One call started on a handle; valid until its completion callback
 * returns. Opaque. */
typedef struct openrouter_async_call openrouter_async_call;

/* A call's completion. `status` is OPENROUTER_OK or the negative status the
 * blocking call would have returned (OPENROUTER_ECANCELED when cancelled).
 * On success `result` is the decoded response (NULL for operations that
 * return no body) and is yours: release it with its *_free function (or
 * openrouter_model_free). On failure `result` is NULL and `error` holds the
 * detail, as the blocking call fills it. `error` belongs to the handle and
 * is cleared when the callback returns; to keep it, move it out:
 *     mine = *error; *error = (openrouter_error)OPENROUTER_ERROR_INIT;
 * (in C++: openrouter_error fresh = OPENROUTER_ERROR_INIT; *error = fresh;). */
typedef void (*openrouter_async_done_fn)(void *ctx, openrouter_async_call *call, int status, void *result,
                                         openrouter_error *error);

/* Socket mode: what socket_fn is told to watch. */
#define OPENROUTER_ASYNC_IN 1     /* readable */
#define OPENROUTER_ASYNC_OUT 2    /* writable */
#define OPENROUTER_ASYNC_REMOVE 4 /* stop watching this socket */
/* Socket mode: openrouter_async_action()'s `fd` when the timer expired. */
#define OPENROUTER_ASYNC_TIMEOUT (-1)
/* Socket mode: openrouter_async_action()'s `events` may also say this. */
#define OPENROUTER_ASYNC_ERROR 8

/* Watch `fd` for `what` (OPENROUTER_ASYNC_IN, _OUT or both), replacing
 * what was asked for it before, or stop watching it
 * (OPENROUTER_ASYNC_REMOVE; libcurl may close it right after). `socket_data`
 * is what you attached to `fd` with openrouter_async_assign() (which may be
 * called from here), NULL until then. Return 0; -1 is passed on to libcurl
 * (see CURLMOPT_SOCKETFUNCTION). */
typedef int (*openrouter_async_socket_fn)(void *loop_ctx, int fd, int what, void *socket_data);
/* Arm the one timer: call openrouter_async_action(a, OPENROUTER_ASYNC_TIMEOUT,
 * 0) in `timeout_ms` milliseconds (0: as soon as your loop can, not from
 * inside this callback), replacing any timer armed before; -1: disarm it. */
typedef void (*openrouter_async_timer_fn)(void *loop_ctx, long timeout_ms);

/* How a handle is created; start from OPENROUTER_ASYNC_OPTIONS_INIT. */
typedef struct openrouter_async_options {
    unsigned int version;        /* OPENROUTER_ASYNC_OPTIONS_VERSION */
    /* Transfers at once; further calls queue in the order they were
     * started. 0: OPENROUTER_ASYNC_DEFAULT_MAX_IN_FLIGHT. */
    unsigned int max_in_flight;
    /* Connections kept open to the API host (and opened at most at once).
     * 0: max_in_flight. With HTTP/2 one connection carries many calls. */
    unsigned int max_connections;
    /* Socket mode when both are set (see the top of this file); run mode
     * when both are NULL. */
    openrouter_async_socket_fn socket_fn;
    openrouter_async_timer_fn timer_fn;
    void *loop_ctx;              /* passed to socket_fn and timer_fn */
} openrouter_async_options;

#define OPENROUTER_ASYNC_OPTIONS_VERSION 1 /* current version of openrouter_async_options */
#define OPENROUTER_ASYNC_DEFAULT_MAX_IN_FLIGHT 16 /* max_in_flight when 0 */
/* Defaults: run mode, 16 calls in flight, as many connections. */
#define OPENROUTER_ASYNC_OPTIONS_INIT {OPENROUTER_ASYNC_OPTIONS_VERSION, 0, 0, NULL, NULL, NULL}

/* Creates a handle bound to `client`, which must outlive it. `options` may
 * be NULL (the defaults); it is copied. On failure *out is NULL. */
int openrouter_async_new(openrouter_async **out, openrouter_client *client, const openrouter_async_options *options,
                         openrouter_error *error);

/* Cancels every call still pending (their callbacks run here, with
 * OPENROUTER_ECANCELED), closes the connections (socket_fn may be told to
 * REMOVE sockets) and frees the handle. NULL-safe. Inside a completion
 * callback the handle is freed when the drive function returns. */
void openrouter_async_free(openrouter_async *async);

/* Starts operation `op` (a generated *_operation table) without blocking.
 * The request is validated and built here: on failure (invalid arguments,
 * out of memory) nothing is sent, `done` never runs and the status is
 * returned with `error` filled, as the blocking call would. On success
 * `done` runs exactly once, later, with `ctx`; `request` is no longer needed
 * (free it when you like); *call (if `call` is not NULL) identifies the call
 * for openrouter_async_cancel() until its callback returns. `options` are
 * read here, except options->raw_body and raw_body_len: what they point to
 * is written when the call completes, so it must live until then, and
 * options->cancel: a token cancelled from any thread stops the call during
 * a transfer or when its next attempt would start (a pending retry's timer
 * runs out first; openrouter_async_cancel() stops it at once).
 * The generated *_start functions are the typed form of this one. */
int openrouter_async_start(openrouter_async *async, const openrouter_operation_desc *op, const void *request,
                           const openrouter_call_options *options, openrouter_async_done_fn done, void *ctx,
                           openrouter_async_call **call, openrouter_error *error);

/* For generated *_start functions: as openrouter_async_start(), but the
 * completion goes to `thunk`, which is given back `fn` (the caller's typed
 * callback) to call with the result cast to its type. */
typedef void (*openrouter_async_thunk_fn)(void (*fn)(void), void *ctx, openrouter_async_call *call, int status,
                                          void *result, openrouter_error *error);
int openrouter_async_start_typed(openrouter_async *async, const openrouter_operation_desc *op, const void *request,
                                 const openrouter_call_options *options, openrouter_async_thunk_fn thunk,
                                 void (*fn)(void), void *ctx, openrouter_async_call **call, openrouter_error *error);

/* Run mode: drives the handle until no call is pending, `timeout_ms`
 * milliseconds passed (-1: no limit, 0: one step without waiting), or
 * openrouter_async_wakeup() was called. It waits on the sockets with
 * curl_multi_poll, or, when nothing is in flight and only a timer is due,
 * through the client clock's sleep_ms if one was injected (so a test clock
 * sees every wait). Returns the number of calls still pending (0: idle), or
 * OPENROUTER_EINVAL (socket mode, or inside a completion callback). */
int openrouter_async_run(openrouter_async *async, long timeout_ms);

/* Socket mode: `fd` is ready (`events`: OPENROUTER_ASYNC_IN, _OUT, _ERROR,
 * or 0 to let libcurl find out), or fd is OPENROUTER_ASYNC_TIMEOUT: the
 * timer expired. Does what is due, runs completion callbacks and asks for
 * sockets and the timer anew. Returns the number of calls still pending, or
 * OPENROUTER_EINVAL (run mode, or inside a completion callback). */
int openrouter_async_action(openrouter_async *async, int fd, int events);

/* Socket mode: attaches `socket_data` to `fd`, passed back to socket_fn
 * (e.g. your loop's watcher of that socket). OPENROUTER_OK, or
 * OPENROUTER_EINVAL when the handle does not know `fd`. */
int openrouter_async_assign(openrouter_async *async, int fd, void *socket_data);

/* Calls started and not yet completed (queued, in flight, waiting to retry,
 * or completed but whose callback has not run yet). */
size_t openrouter_async_pending(const openrouter_async *async);

/* Cancels a call wherever it is: queued, connecting, sending, receiving or
 * waiting to retry. Its callback runs with OPENROUTER_ECANCELED at the next
 * drive step (right after the running callback, when called from one),
 * never inside this function; in socket mode the timer is set to 0 for it.
 * error->request_may_have_been_processed tells whether the server may have
 * acted on a non-idempotent call anyway (an attempt was under way).
 * Returns OPENROUTER_OK, or OPENROUTER_EINVAL when `call` is NULL or has
 * already finished (its callback will bring the real outcome: a key that
 * was created is never hidden by a late cancel). */
int openrouter_async_cancel(openrouter_async_call *call);

/* Cancels every pending call, as openrouter_async_cancel() does. */
void openrouter_async_cancel_all(openrouter_async *async);

/* Flags of openrouter_async_wakeup(). */
#define OPENROUTER_ASYNC_CANCEL_ALL 1u /* also cancel every pending call */

/* The one function that may be called from any thread, while another
 * thread drives the handle. Makes a openrouter_async_run() in progress (or
 * the next one) return without waiting any longer, e.g. so the driving
 * thread can start calls another thread handed it. With
 * OPENROUTER_ASYNC_CANCEL_ALL the driving thread also cancels every call
 * pending at its next drive step. It never runs a callback; in socket mode
 * wake your own loop (uv_async_send, say) so it calls
 * openrouter_async_action(a, OPENROUTER_ASYNC_TIMEOUT, 0). Returns
 * OPENROUTER_OK, OPENROUTER_EINVAL (NULL handle or unknown flag) or
 * OPENROUTER_ETRANSPORT (libcurl could not signal the wait). */
int openrouter_async_wakeup(openrouter_async *async, unsigned int flags);

#ifdef __cplusplus
}
#endif
#endif
