/* openrouter-c: run mode (openrouter_async_run). The handle drives itself
 * like a socket-mode loop: libcurl's socket callback keeps a table of the
 * sockets to watch, curl_multi_poll waits on them (and on
 * openrouter_async_wakeup), and each ready socket gets its own drive step.
 *
 * Decisions worth knowing:
 * - One step per ready socket, not one curl_multi_perform for all: a
 *   finished call's callback (which often starts the next call) runs before
 *   the other ready answers are read and decoded, so the next request goes
 *   out without waiting for the whole batch. With 64 calls in flight this
 *   keeps each call's turnaround at its own cost.
 * - curl_multi_poll only waits (it polls every transfer's sockets itself,
 *   and performs nothing; the table says which socket was ready). It
 *   reports no hang-up or error bits, so when it says something is ready
 *   and no watched socket shows it, every watched socket gets a step and
 *   libcurl finds out. A socket closed and reopened under the same number
 *   within one batch gets a spurious step, which libcurl shrugs off.
 * - A run with a timeout (0 included) looks at the sockets at least once.
 * - If the table cannot grow (out of memory), the handle falls back for good
 *   to curl_multi_perform over every transfer, which needs no table: slower,
 *   never wrong.
 * - It waits on the sockets in real time, but when nothing is in flight and
 *   only a timer is due it waits through an injected clock's sleep_ms, so a
 *   test clock sees (and skips) every wait. */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "async_impl.h"

static int64_t real_now_ms(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 0;
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the watch table --------------------------------------------------------------------- */

/* A socket's place in the table is kept with libcurl as its socketp (index
 * + 1, 0: not in the table), so each update is O(1). */
static void watch_place(openrouter_async *a, unsigned i)
{
    if (curl_multi_assign(a->multi, a->watch[i].fd, (void *)(uintptr_t)(i + 1)) != CURLM_OK)
        a->watch_lost = 1; /* a place libcurl does not keep: perform from here on */
}

/* The table, then as much room again for the ready sockets copied out of
 * it (wait_and_step). It may grow while those are stepped: their copy moves
 * to the new second half. */
static int watch_grow(openrouter_async *a)
{
    unsigned old = a->watch_cap, cap = old ? old * 2 : 16;
    struct curl_waitfd *w = or_realloc(a->watch, 2 * (size_t)cap * sizeof *w);
    if (!w)
        return -1;
    memcpy(w + cap, w + old, (size_t)old * sizeof *w);
    a->watch = w;
    a->watch_cap = cap;
    return 0;
}

static struct curl_waitfd *ready_copy(openrouter_async *a)
{
    return a->watch + a->watch_cap;
}

int or_async_watch_cb(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
    (void)easy;
    openrouter_async *a = userp;
    unsigned i = (unsigned)(uintptr_t)socketp;
    if (what == CURL_POLL_REMOVE) {
        if (i && !a->watch_lost) {
            a->watch[i - 1] = a->watch[--a->watch_n];
            if (i - 1 < a->watch_n)
                watch_place(a, i - 1);
        }
        return 0;
    }
    short events = (short)(((what & CURL_POLL_IN) ? CURL_WAIT_POLLIN : 0) |
                           ((what & CURL_POLL_OUT) ? CURL_WAIT_POLLOUT : 0));
    if (i) {
        a->watch[i - 1].events = events;
        return 0;
    }
    if (a->watch_lost)
        return 0;
    if (a->watch_n == a->watch_cap && watch_grow(a) != 0) {
        a->watch_lost = 1; /* curl_multi_perform from here on */
        return 0;
    }
    a->watch[a->watch_n] = (struct curl_waitfd){.fd = s, .events = events, .revents = 0};
    watch_place(a, a->watch_n++);
    return 0;
}

void or_async_watch_free(openrouter_async *a)
{
    or_free(a->watch);
    a->watch = NULL;
    a->watch_n = a->watch_cap = 0;
}

/* ---- waiting ------------------------------------------------------------------------------ */

static int ready_events(short revents)
{
    return ((revents & CURL_WAIT_POLLIN) ? OPENROUTER_ASYNC_IN : 0) |
           ((revents & CURL_WAIT_POLLOUT) ? OPENROUTER_ASYNC_OUT : 0);
}

/* Waits up to `ms` for a watched socket, then steps each ready one. The
 * ready ones are copied out first: steps change the table. */
static void wait_and_step(openrouter_async *a, int ms)
{
    if (a->watch_lost) {
        curl_multi_poll(a->multi, NULL, 0, ms, NULL);
        return; /* the next step performs every transfer */
    }
    for (unsigned i = 0; i < a->watch_n; i++)
        a->watch[i].revents = 0;
    int ready = 0;
    if (curl_multi_poll(a->multi, a->watch, a->watch_n, ms, &ready) != CURLM_OK || ready <= 0)
        return;
    struct curl_waitfd *todo = ready_copy(a);
    unsigned n = 0;
    for (unsigned i = 0; i < a->watch_n; i++)
        if (a->watch[i].revents)
            todo[n++] = a->watch[i];
    if (n == 0) /* a hang-up or an error curl_multi_poll does not report */
        for (unsigned i = 0; i < a->watch_n; i++)
            todo[n++] = (struct curl_waitfd){.fd = a->watch[i].fd, .events = 0, .revents = 0};
    for (unsigned i = 0; i < n && !a->free_requested && !a->watch_lost; i++) {
        struct curl_waitfd next = ready_copy(a)[i]; /* a step may move the table */
        or_async_step(a, (int)next.fd, ready_events(next.revents));
    }
}

int openrouter_async_run(openrouter_async *async, long timeout_ms)
{
    if (!async || async->timer_fn || async->depth > 0)
        return OPENROUTER_EINVAL;
    int64_t until = timeout_ms >= 0 ? real_now_ms() + timeout_ms : -1;
    for (;;) {
        /* What is due: queued calls, timers, the cross-thread flags. */
        or_async_step(async, async->watch_lost ? OR_ASYNC_PERFORM : OPENROUTER_ASYNC_TIMEOUT, 0);
        if (async->free_requested) {
            or_async_destroy(async);
            return 0;
        }
        if (async->pending == 0)
            return 0;
        if (atomic_exchange(&async->woken, 0))
            return or_async_pending_int(async);
        long wait = or_async_next_timeout(async);
        if (wait > 0 && async->in_flight == 0 && async->c->clock.sleep_ms) {
            /* Only a timer is due: an injected clock's wait, which spends
             * no real time, so `timeout_ms` does not cut it short. */
            or_clock_sleep_ms(async->c, wait);
            continue;
        }
        int64_t left = until >= 0 ? until - real_now_ms() : INT64_MAX;
        if (wait < 0 || wait > left)
            wait = left < 1000 ? (long)or_max_i64(left, 0) : 1000; /* then look again */
        if (wait > 0 || left <= 0) /* due now: step first; out of time: look once */
            wait_and_step(async, (int)wait);
        if (async->free_requested) {
            or_async_destroy(async);
            return 0;
        }
        if (left <= 0)
            return or_async_pending_int(async);
    }
}
