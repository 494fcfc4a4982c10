/* Reports every key's spending from a libuv event loop: the non-blocking
 * interface in socket mode, with libuv watching the sockets and the timer.
 *
 *   OPENROUTER_API_KEY=<management key> [OPENROUTER_BASE_URL=...] ./async_libuv
 *
 * Lists the keys (first page), then fetches every key again with getKey,
 * 8 at a time, from inside the list's callback, and prints one line per key
 * as each answer arrives, then the total. The glue is the three functions
 * below: on_socket (a uv_poll_t per socket, attached to it with
 * openrouter_async_assign), on_timer (one uv_timer_t) and the libuv
 * callbacks that call openrouter_async_action(). uv_run() returns when the
 * last call has completed: the handle then stops its timer and sockets.
 * Exit status: 0 every lookup succeeded, 1 some failed, 2 bad setup. */
#define _POSIX_C_SOURCE 200809L /* what <uv.h> needs (pthread types) */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include <openrouter/openrouter.h>

typedef struct app {
    uv_loop_t *loop;
    uv_timer_t timer;
    openrouter_async *async;
    int keys, failures;
    double usage;
} app;

/* One watched socket. */
typedef struct watcher {
    uv_poll_t poll;
    int fd;
    app *owner;
} watcher;

/* ---- the glue between libuv and the handle ------------------------------------------- */

static void on_readable_or_writable(uv_poll_t *poll, int status, int events)
{
    watcher *w = (watcher *)poll->data;
    int what = status < 0 ? OPENROUTER_ASYNC_ERROR
                          : ((events & UV_READABLE) ? OPENROUTER_ASYNC_IN : 0) |
                                ((events & UV_WRITABLE) ? OPENROUTER_ASYNC_OUT : 0);
    openrouter_async_action(w->owner->async, w->fd, what);
}

static void free_watcher(uv_handle_t *handle)
{
    free(handle->data);
}

static int on_socket(void *ctx, int fd, int what, void *socket_data)
{
    app *a = (app *)ctx;
    watcher *w = (watcher *)socket_data;
    if (what & OPENROUTER_ASYNC_REMOVE) {
        if (w) {
            openrouter_async_assign(a->async, fd, NULL);
            uv_poll_stop(&w->poll);
            uv_close((uv_handle_t *)&w->poll, free_watcher);
        }
        return 0;
    }
    if (!w) {
        if (!(w = (watcher *)malloc(sizeof *w)) || uv_poll_init_socket(a->loop, &w->poll, fd) != 0) {
            free(w);
            return -1;
        }
        w->fd = fd;
        w->owner = a;
        w->poll.data = w;
        openrouter_async_assign(a->async, fd, w);
    }
    int events = ((what & OPENROUTER_ASYNC_IN) ? UV_READABLE : 0) | ((what & OPENROUTER_ASYNC_OUT) ? UV_WRITABLE : 0);
    return uv_poll_start(&w->poll, events, on_readable_or_writable) == 0 ? 0 : -1;
}

static void on_uv_timer(uv_timer_t *timer)
{
    app *a = (app *)timer->data;
    openrouter_async_action(a->async, OPENROUTER_ASYNC_TIMEOUT, 0);
}

static void on_timer(void *ctx, long ms)
{
    app *a = (app *)ctx;
    if (ms < 0)
        uv_timer_stop(&a->timer);
    else
        uv_timer_start(&a->timer, on_uv_timer, (uint64_t)ms, 0);
}

/* ---- the work ------------------------------------------------------------------------------ */

static void on_key(void *ctx, openrouter_async_call *call, int status, openrouter_key_response *key,
                   openrouter_error *error)
{
    (void)call;
    app *a = (app *)ctx;
    if (status != OPENROUTER_OK) {
        fprintf(stderr, "getKey: %s\n", error->message);
        a->failures++;
        return;
    }
    const openrouter_key *k = &key->data.value;
    a->keys++;
    a->usage += k->usage.value;
    printf("%.12s %-24s $%8.2f used\n", k->hash.value, k->name.state == OPENROUTER_PRESENT ? k->name.value : "",
           k->usage.value);
    openrouter_key_response_free(key);
}

static void on_list(void *ctx, openrouter_async_call *call, int status, openrouter_key_list *list,
                    openrouter_error *error)
{
    (void)call;
    app *a = (app *)ctx;
    if (status != OPENROUTER_OK) {
        fprintf(stderr, "listKeys: %s\n", error->message);
        a->failures++;
        return;
    }
    for (size_t i = 0; i < list->data.count; i++) {
        openrouter_get_key_request req = OPENROUTER_GET_KEY_REQUEST_INIT;
        req.hash = list->data.items[i].hash.value;
        openrouter_error err = OPENROUTER_ERROR_INIT;
        if (openrouter_get_key_start(a->async, &req, NULL, on_key, a, NULL, &err) != OPENROUTER_OK) {
            fprintf(stderr, "getKey: %s\n", err.message);
            a->failures++;
        }
        openrouter_error_clear(&err);
    }
    openrouter_key_list_free(list);
}

int main(void)
{
    const char *api_key = getenv("OPENROUTER_API_KEY");
    if (!api_key || !*api_key) {
        fprintf(stderr, "set OPENROUTER_API_KEY (a management key)\n");
        return 2;
    }
    app a;
    memset(&a, 0, sizeof a);
    a.loop = uv_default_loop();
    uv_timer_init(a.loop, &a.timer);
    a.timer.data = &a;

    openrouter_client_options options = OPENROUTER_CLIENT_OPTIONS_INIT;
    options.api_key = api_key;
    options.base_url = getenv("OPENROUTER_BASE_URL");
    openrouter_async_options ao = OPENROUTER_ASYNC_OPTIONS_INIT;
    ao.max_in_flight = 8;
    ao.socket_fn = on_socket;
    ao.timer_fn = on_timer;
    ao.loop_ctx = &a;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    openrouter_client *client = NULL;
    int rc = openrouter_client_new(&client, &options, &err);
    if (rc == OPENROUTER_OK)
        rc = openrouter_async_new(&a.async, client, &ao, &err);
    if (rc == OPENROUTER_OK)
        rc = openrouter_list_keys_start(a.async, NULL, NULL, on_list, &a, NULL, &err);
    if (rc != OPENROUTER_OK)
        fprintf(stderr, "%s\n", err.message);

    uv_run(a.loop, UV_RUN_DEFAULT); /* until the last call completed */
    printf("%d key(s), $%.2f used in all\n", a.keys, a.usage);

    openrouter_error_clear(&err);
    openrouter_async_free(a.async);
    openrouter_client_free(client);
    uv_close((uv_handle_t *)&a.timer, NULL);
    uv_run(a.loop, UV_RUN_DEFAULT); /* the close callbacks */
    uv_loop_close(a.loop);
    if (rc != OPENROUTER_OK)
        return 2;
    return a.failures ? 1 : 0;
}
