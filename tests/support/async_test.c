/* Helpers for the non-blocking suites; see async_test.h. */
#include "async_test.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>

#include <CUnit/CUnit.h>

int64_t or_test_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void or_test_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

void or_test_clock_sleep(void *ctx, long ms)
{
    or_test_clock *t = ctx;
    if (t->n_waits < OR_TEST_CLOCK_MAX_WAITS)
        t->waits[t->n_waits] = ms;
    t->n_waits++;
    t->now += ms;
}

int64_t or_test_clock_now(void *ctx)
{
    return ((or_test_clock *)ctx)->now;
}

static double half(void *ctx)
{
    (void)ctx;
    return 0.5;
}

void or_test_clock_init(or_test_clock *t)
{
    memset(t, 0, sizeof *t);
    t->clock.now_ms = or_test_clock_now;
    t->clock.sleep_ms = or_test_clock_sleep;
    t->clock.random_unit = half;
    t->clock.ctx = t;
}

openrouter_client_options or_test_client_options(const char *base_url, const openrouter_clock *clock)
{
    openrouter_client_options o = OPENROUTER_CLIENT_OPTIONS_INIT;
    o.api_key = STUB_MANAGEMENT_KEY;
    o.base_url = base_url;
    o.clock = clock;
    return o;
}

openrouter_client *or_test_client_from(const openrouter_client_options *o)
{
    openrouter_client *c = NULL;
    CU_ASSERT_EQUAL_FATAL(openrouter_client_new(&c, o, NULL), OPENROUTER_OK);
    return c;
}

openrouter_client *or_test_client(const char *base_url, const openrouter_clock *clock)
{
    openrouter_client_options o = or_test_client_options(base_url, clock);
    return or_test_client_from(&o);
}

openrouter_async *or_test_async(openrouter_client *c, unsigned max_in_flight)
{
    openrouter_async_options o = OPENROUTER_ASYNC_OPTIONS_INIT;
    o.max_in_flight = max_in_flight;
    openrouter_async *a = NULL;
    CU_ASSERT_EQUAL_FATAL(openrouter_async_new(&a, c, &o, NULL), OPENROUTER_OK);
    return a;
}

void or_test_done_fn(void *ctx, openrouter_async_call *call, int status, void *result, openrouter_error *error)
{
    (void)call;
    or_test_done *d = ctx;
    d->calls++;
    d->rc = status;
    d->result = result;
    d->err = *error;
    openrouter_error fresh = OPENROUTER_ERROR_INIT;
    *error = fresh; /* moved out: the handle clears an empty one */
    if (d->counter)
        d->order = ++*d->counter;
}

void or_test_done_clear(or_test_done *d)
{
    openrouter_model_free(d->result);
    d->result = NULL;
    openrouter_error_clear(&d->err);
}

/* ---- socket mode over poll() ---- */

static int find_fd(const or_test_loop *l, int fd)
{
    for (int i = 0; i < l->n; i++)
        if (l->fds[i] == fd)
            return i;
    return -1;
}

static int loop_socket(void *ctx, int fd, int what, void *socket_data)
{
    (void)socket_data;
    or_test_loop *l = ctx;
    l->socket_calls++;
    int i = find_fd(l, fd);
    if (what & OPENROUTER_ASYNC_REMOVE) {
        if (i >= 0) {
            l->n--;
            l->fds[i] = l->fds[l->n];
            l->events[i] = l->events[l->n];
        }
        return 0;
    }
    if (i < 0) {
        if (l->n == OR_TEST_LOOP_MAX_FDS)
            return -1;
        i = l->n++;
        l->fds[i] = fd;
    }
    l->events[i] = (short)(((what & OPENROUTER_ASYNC_IN) ? POLLIN : 0) | ((what & OPENROUTER_ASYNC_OUT) ? POLLOUT : 0));
    if (l->n > l->max_fds)
        l->max_fds = l->n;
    return 0;
}

static void loop_timer(void *ctx, long ms)
{
    or_test_loop *l = ctx;
    l->timer_calls++;
    l->timer_ms = ms;
    l->timer_set_at = or_test_now_ms();
    if (l->fake_now)
        l->timer_fake_due = l->fake_now(l->jump_ctx) + ms;
}

void or_test_loop_init(or_test_loop *l)
{
    memset(l, 0, sizeof *l);
    l->timer_ms = -1;
}

void or_test_loop_use_clock(or_test_loop *l, or_test_clock *t)
{
    l->jump = or_test_clock_sleep;
    l->fake_now = or_test_clock_now;
    l->jump_ctx = t;
}

openrouter_async_options or_test_loop_options(or_test_loop *l)
{
    openrouter_async_options o = OPENROUTER_ASYNC_OPTIONS_INIT;
    o.socket_fn = loop_socket;
    o.timer_fn = loop_timer;
    o.loop_ctx = l;
    return o;
}

/* Real milliseconds until the timer is due (-1: none). */
static long timer_left(const or_test_loop *l)
{
    if (l->timer_ms < 0)
        return -1;
    int64_t left = l->timer_set_at + l->timer_ms - or_test_now_ms();
    return left < 0 ? 0 : (long)left;
}

/* One turn: poll the sockets up to the timer, then tell the handle. */
static int loop_turn(or_test_loop *l, openrouter_async *a)
{
    long wait = timer_left(l);
    int jumped = l->n == 0 && l->jump && l->fake_now && wait > 0;
    if (jumped) {
        int64_t left = l->timer_fake_due - l->fake_now(l->jump_ctx);
        if (left > 0)
            l->jump(l->jump_ctx, (long)left);
        wait = 0;
    }
    struct pollfd p[OR_TEST_LOOP_MAX_FDS];
    int n = l->n;
    for (int i = 0; i < n; i++) {
        p[i].fd = l->fds[i];
        p[i].events = l->events[i];
        p[i].revents = 0;
    }
    int ready = poll(p, (nfds_t)n, wait < 0 || wait > 200 ? 200 : (int)wait);
    int pending = (int)openrouter_async_pending(a);
    for (int i = 0; ready > 0 && i < n; i++) {
        if (!p[i].revents)
            continue;
        int ev = ((p[i].revents & POLLIN) ? OPENROUTER_ASYNC_IN : 0) |
                 ((p[i].revents & POLLOUT) ? OPENROUTER_ASYNC_OUT : 0) |
                 ((p[i].revents & (POLLERR | POLLHUP)) ? OPENROUTER_ASYNC_ERROR : 0);
        pending = openrouter_async_action(a, p[i].fd, ev);
    }
    if (l->timer_ms >= 0 && (jumped || timer_left(l) == 0)) {
        l->timer_ms = -1;
        pending = openrouter_async_action(a, OPENROUTER_ASYNC_TIMEOUT, 0);
    }
    return pending;
}

int or_test_loop_run(or_test_loop *l, openrouter_async *a, long max_ms)
{
    int64_t until = or_test_now_ms() + max_ms;
    int pending = (int)openrouter_async_pending(a);
    while (pending > 0 && or_test_now_ms() < until)
        pending = loop_turn(l, a);
    return pending;
}
