/* Looks up several keys at once from a plain poll() loop: the
 * non-blocking interface in socket mode, with no thread and no library
 * other than openrouter-c.
 *
 *   OPENROUTER_API_KEY=<management key> [OPENROUTER_BASE_URL=...] \
 *     ./async_poll HASH [HASH...]
 *
 * Starts one getKey per hash (4 in flight at most, the rest queued), then
 * runs the loop: the handle says which sockets to watch (on_socket) and
 * when to come back (on_timer); the loop tells it what happened with
 * openrouter_async_action(). Each key is printed as its answer arrives.
 * Exit status: 0 every key found, 1 some lookup failed, 2 bad arguments. */
#define _POSIX_C_SOURCE 200809L /* poll, clock_gettime */

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openrouter/openrouter.h>

#define MAX_SOCKETS 64

typedef struct loop {
    struct pollfd fds[MAX_SOCKETS];
    int n;
    long timer_ms;     /* -1: no timer */
    struct timespec timer_set;
} loop;

static long ms_since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - t->tv_sec) * 1000 + (now.tv_nsec - t->tv_nsec) / 1000000;
}

/* The handle asks to watch `fd` for `what`, or to forget it. */
static int on_socket(void *ctx, int fd, int what, void *socket_data)
{
    (void)socket_data;
    loop *l = (loop *)ctx;
    int i = 0;
    while (i < l->n && l->fds[i].fd != fd)
        i++;
    if (what & OPENROUTER_ASYNC_REMOVE) {
        if (i < l->n)
            l->fds[i] = l->fds[--l->n];
        return 0;
    }
    if (i == l->n) {
        if (l->n == MAX_SOCKETS)
            return -1;
        l->n++;
    }
    l->fds[i].fd = fd;
    l->fds[i].events = (short)(((what & OPENROUTER_ASYNC_IN) ? POLLIN : 0) | ((what & OPENROUTER_ASYNC_OUT) ? POLLOUT : 0));
    return 0;
}

/* The handle wants openrouter_async_action(TIMEOUT) in `ms` (-1: never). */
static void on_timer(void *ctx, long ms)
{
    loop *l = (loop *)ctx;
    l->timer_ms = ms;
    clock_gettime(CLOCK_MONOTONIC, &l->timer_set);
}

typedef struct lookup {
    const char *hash;
    int *failures;
} lookup;

static void on_key(void *ctx, openrouter_async_call *call, int status, openrouter_key_response *key,
                   openrouter_error *error)
{
    (void)call;
    lookup *job = (lookup *)ctx;
    if (status != OPENROUTER_OK) {
        fprintf(stderr, "%s: %s\n", job->hash, error->message);
        (*job->failures)++;
        return;
    }
    const openrouter_key *k = &key->data.value;
    printf("%s %s: $%.2f used", job->hash, k->name.state == OPENROUTER_PRESENT ? k->name.value : "(no name)",
           k->usage.value);
    if (k->limit.state == OPENROUTER_PRESENT)
        printf(" of $%.2f", k->limit.value);
    printf("%s\n", k->disabled.state == OPENROUTER_PRESENT && k->disabled.value ? " (disabled)" : "");
    openrouter_key_response_free(key);
}

/* One turn of the loop: wait for a socket or the timer, then report. */
static int turn(loop *l, openrouter_async *a)
{
    long wait = -1; /* no timer: until a socket is ready */
    if (l->timer_ms >= 0) {
        wait = l->timer_ms - ms_since(&l->timer_set);
        if (wait < 0)
            wait = 0; /* already due */
    }
    int ready = poll(l->fds, (nfds_t)l->n, (int)wait);
    int pending = (int)openrouter_async_pending(a);
    struct pollfd fired[MAX_SOCKETS]; /* on_socket may change l->fds meanwhile */
    int n = 0;
    for (int i = 0; ready > 0 && i < l->n; i++)
        if (l->fds[i].revents)
            fired[n++] = l->fds[i];
    for (int i = 0; i < n; i++)
        pending = openrouter_async_action(a, fired[i].fd,
                                          ((fired[i].revents & POLLIN) ? OPENROUTER_ASYNC_IN : 0) |
                                              ((fired[i].revents & POLLOUT) ? OPENROUTER_ASYNC_OUT : 0) |
                                              ((fired[i].revents & (POLLERR | POLLHUP)) ? OPENROUTER_ASYNC_ERROR : 0));
    if (l->timer_ms >= 0 && ms_since(&l->timer_set) >= l->timer_ms) {
        l->timer_ms = -1;
        pending = openrouter_async_action(a, OPENROUTER_ASYNC_TIMEOUT, 0);
    }
    return pending;
}

int main(int argc, char **argv)
{
    const char *api_key = getenv("OPENROUTER_API_KEY");
    if (argc < 2 || !api_key || !*api_key) {
        fprintf(stderr, "usage: OPENROUTER_API_KEY=<management key> %s HASH [HASH...]\n", argv[0]);
        return 2;
    }
    openrouter_client_options options = OPENROUTER_CLIENT_OPTIONS_INIT;
    options.api_key = api_key;
    options.base_url = getenv("OPENROUTER_BASE_URL");
    openrouter_error err = OPENROUTER_ERROR_INIT;
    openrouter_client *client = NULL;
    openrouter_async *async = NULL;
    loop l;
    memset(&l, 0, sizeof l);
    l.timer_ms = -1;
    openrouter_async_options ao = OPENROUTER_ASYNC_OPTIONS_INIT;
    ao.max_in_flight = 4;
    ao.socket_fn = on_socket;
    ao.timer_fn = on_timer;
    ao.loop_ctx = &l;
    if (openrouter_client_new(&client, &options, &err) != OPENROUTER_OK ||
        openrouter_async_new(&async, client, &ao, &err) != OPENROUTER_OK) {
        fprintf(stderr, "%s\n", err.message);
        openrouter_client_free(client);
        return 2;
    }

    int failures = 0;
    lookup *jobs = (lookup *)calloc((size_t)argc, sizeof *jobs);
    if (!jobs) {
        fprintf(stderr, "out of memory\n");
        failures = 1;
    }
    for (int i = 1; jobs && i < argc; i++) {
        openrouter_get_key_request req = OPENROUTER_GET_KEY_REQUEST_INIT;
        req.hash = argv[i];
        jobs[i].hash = argv[i];
        jobs[i].failures = &failures;
        /* Checked and built here; a bad hash fails now, not in the loop. */
        if (openrouter_get_key_start(async, &req, NULL, on_key, &jobs[i], NULL, &err) != OPENROUTER_OK) {
            fprintf(stderr, "%s: %s\n", argv[i], err.message);
            failures++;
        }
    }
    while (openrouter_async_pending(async) > 0)
        turn(&l, async);

    openrouter_error_clear(&err);
    openrouter_async_free(async);
    openrouter_client_free(client);
    free(jobs);
    return failures ? 1 : 0;
}
