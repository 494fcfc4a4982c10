/* Helpers for the suites of the non-blocking interface (openrouter/async.h):
 * a completion that records what it was given, and a poll() loop that
 * drives a handle in socket mode the way an application's event loop would.
 * Single-threaded. */
#ifndef OR_TEST_ASYNC_TEST_H
#define OR_TEST_ASYNC_TEST_H

#include <stdint.h>

#include <openrouter/openrouter.h>

#include "stub_server.h"

/* An injected clock that moves only when waited on, recording the waits
 * (a retry's backoff or Retry-After as the library asked for it). */
#define OR_TEST_CLOCK_MAX_WAITS 16
typedef struct or_test_clock {
    int64_t now;
    long waits[OR_TEST_CLOCK_MAX_WAITS];
    int n_waits;                /* every wait, also those past the array */
    openrouter_clock clock;     /* for openrouter_client_options.clock */
} or_test_clock;

/* Time 0, no waits; random_unit() is always 0.5 (backoff: half the cap). */
void or_test_clock_init(or_test_clock *t);
/* The clock's functions, for or_test_loop.jump / fake_now (ctx: the
 * or_test_clock). */
void or_test_clock_sleep(void *ctx, long ms);
int64_t or_test_clock_now(void *ctx);

/* A client of the stand-in server at `base_url` with its management key,
 * and `clock` (NULL: the real one). A failure fails the running CUnit test.
 * The options such a client is made from, to add to, and the client made
 * from them. */
openrouter_client *or_test_client(const char *base_url, const openrouter_clock *clock);
openrouter_client_options or_test_client_options(const char *base_url, const openrouter_clock *clock);
openrouter_client *or_test_client_from(const openrouter_client_options *o);
/* A run-mode handle on `c`, `max_in_flight` at most (0: the default). A
 * failure fails the running CUnit test. */
openrouter_async *or_test_async(openrouter_client *c, unsigned max_in_flight);

/* What one call's completion brought. */
typedef struct or_test_done {
    int calls;              /* times the callback ran (must end at 1) */
    int rc;
    void *result;           /* yours: openrouter_model_free() */
    openrouter_error err;   /* moved out of the callback; openrouter_error_clear() */
    int order;              /* 1 for the first completion of a counter, ... */
    int *counter;           /* optional: shared completion counter */
} or_test_done;

#define OR_TEST_DONE_INIT {0, 1, NULL, OPENROUTER_ERROR_INIT, 0, NULL}

/* An openrouter_async_done_fn: ctx is an or_test_done. */
void or_test_done_fn(void *ctx, openrouter_async_call *call, int status, void *result, openrouter_error *error);
/* Frees the result and clears the error. */
void or_test_done_clear(or_test_done *d);

/* ---- socket mode over poll() ---- */

#define OR_TEST_LOOP_MAX_FDS 512

typedef struct or_test_loop {
    int fds[OR_TEST_LOOP_MAX_FDS];
    short events[OR_TEST_LOOP_MAX_FDS];
    int n;
    long timer_ms;          /* -1: no timer */
    int64_t timer_set_at;   /* real ms when it was armed */
    long timer_calls;       /* times timer_fn ran */
    long socket_calls;      /* times socket_fn ran */
    int max_fds;            /* most sockets watched at once */
    /* Optional, for a handle whose client has an injected clock: when no
     * socket is watched, the timer is one of the handle's own (a retry,
     * Retry-After): instead of waiting it out in real time, `jump` advances
     * the injected clock (read by `fake_now`) to when it is due. */
    void (*jump)(void *ctx, long ms);
    int64_t (*fake_now)(void *ctx);
    void *jump_ctx;
    int64_t timer_fake_due;  /* fake_now() + timer_ms when it was armed */
} or_test_loop;

void or_test_loop_init(or_test_loop *l);
/* Sets `jump` and `fake_now` to the test clock `t`'s. */
void or_test_loop_use_clock(or_test_loop *l, or_test_clock *t);
/* The options of a socket-mode handle driven by `l`. */
openrouter_async_options or_test_loop_options(or_test_loop *l);
/* Drives `a` until no call is pending or `max_ms` of real time passed;
 * returns the handle's pending count. */
int or_test_loop_run(or_test_loop *l, openrouter_async *a, long max_ms);

/* Real monotonic milliseconds. */
int64_t or_test_now_ms(void);
/* Sleeps `ms` real milliseconds. */
void or_test_sleep_ms(long ms);

#endif
