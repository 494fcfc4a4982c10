/* openrouter-c: a non-blocking handle's lifetime and socket mode (the
 * caller's loop, through socket_fn, timer_fn and openrouter_async_action).
 * Run mode is async_run.c's; the calls themselves are async.c's.
 *
 * Decisions worth knowing:
 * - The multi handle multiplexes HTTP/2 (CURLPIPE_MULTIPLEX; for https also
 *   PIPEWAIT on every easy handle, so calls wait for the first connection's
 *   ALPN answer rather than open more) and keeps at most max_connections
 *   connections to the host, open and idle alike, so HTTP/1.1 calls share a
 *   pool. */
#include <string.h>
#include <strings.h>

#include "async_impl.h"

int or_async_pending_int(const openrouter_async *a)
{
    return a->pending > INT_MAX ? INT_MAX : (int)a->pending;
}

/* ---- lifetime ------------------------------------------------------------------------------ */

static int socket_cb(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
    (void)easy;
    openrouter_async *a = userp;
    int w = OPENROUTER_ASYNC_REMOVE;
    if (what != CURL_POLL_REMOVE)
        w = ((what & CURL_POLL_IN) ? OPENROUTER_ASYNC_IN : 0) | ((what & CURL_POLL_OUT) ? OPENROUTER_ASYNC_OUT : 0);
    return a->socket_fn(a->loop_ctx, (int)s, w, socketp);
}

static int check_options(const openrouter_async_options *o, openrouter_error *error)
{
    if (o->version != OPENROUTER_ASYNC_OPTIONS_VERSION)
        return or_error_set_field(error, OPENROUTER_EINVAL, "version",
                                  "options.version must be OPENROUTER_ASYNC_OPTIONS_VERSION (%d), got %u",
                                  OPENROUTER_ASYNC_OPTIONS_VERSION, o->version);
    if (!o->socket_fn != !o->timer_fn)
        return or_error_set_field(error, OPENROUTER_EINVAL, o->socket_fn ? "timer_fn" : "socket_fn",
                                  "socket_fn and timer_fn are set together (socket mode) or not at all");
    if (o->max_in_flight > 100000 || o->max_connections > 100000)
        return or_error_set_field(error, OPENROUTER_EINVAL, o->max_in_flight > 100000 ? "max_in_flight"
                                                                                   : "max_connections",
                                  "max_in_flight and max_connections must be at most 100000");
    return OPENROUTER_OK;
}

static int setup_multi(openrouter_async *a, unsigned max_connections, openrouter_error *error)
{
    if (!(a->multi = curl_multi_init()))
        return or_error_set(error, OPENROUTER_ENOMEM, "curl_multi_init failed");
    CURLM *m = a->multi;
    CURLMcode rc = curl_multi_setopt(m, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
    if (rc == CURLM_OK)
        rc = curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, (long)max_connections);
    if (rc == CURLM_OK)
        rc = curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, (long)max_connections);
    /* Socket mode: the caller's loop watches the sockets; run mode: the
     * handle's own table (async_run.c). */
    if (rc == CURLM_OK)
        rc = curl_multi_setopt(m, CURLMOPT_SOCKETFUNCTION, a->socket_fn ? socket_cb : or_async_watch_cb);
    if (rc == CURLM_OK)
        rc = curl_multi_setopt(m, CURLMOPT_SOCKETDATA, (void *)a);
    if (rc != CURLM_OK)
        return or_error_set(error, rc == CURLM_OUT_OF_MEMORY ? OPENROUTER_ENOMEM : OPENROUTER_ETRANSPORT,
                            "libcurl refused a multi option: %s", curl_multi_strerror(rc));
    return OPENROUTER_OK;
}

void or_async_destroy(openrouter_async *a)
{
    a->free_requested = 1; /* no call starts from here on */
    a->depth++;
    or_async_cancel_all_now(a);
    or_async_deliver(a);
    a->depth--;
    if (a->multi)
        curl_multi_cleanup(a->multi);
    or_async_watch_free(a);
    while (a->idle) {
        or_xfer *xf = a->idle;
        a->idle = xf->next_idle;
        or_http_cleanup(&xf->http);
        or_free(xf);
    }
    or_heap_free(&a->timers);
    or_async_free_spares(a);
    or_free(a);
}

int openrouter_async_new(openrouter_async **out, openrouter_client *client, const openrouter_async_options *options,
                         openrouter_error *error)
{
    if (error)
        openrouter_error_clear(error);
    if (!out)
        return or_error_set(error, OPENROUTER_EINVAL, "out must not be NULL");
    *out = NULL;
    if (!client)
        return or_error_set(error, OPENROUTER_EINVAL, "client must not be NULL");
    openrouter_async_options o = OPENROUTER_ASYNC_OPTIONS_INIT;
    if (options)
        o = *options;
    int rc = check_options(&o, error);
    if (rc != OPENROUTER_OK)
        return rc;
    openrouter_async *a = or_calloc(1, sizeof *a);
    if (!a)
        return or_error_set(error, OPENROUTER_ENOMEM, "out of memory");
    a->c = client;
    a->settings = *or_client_settings(client);
    /* Only TLS can offer HTTP/2 (ALPN, known once connected); over plain
     * http PIPEWAIT would hold every call until the first one's answer. */
    a->settings.pipewait = strncasecmp(or_client_base_url(client), "https:", 6) == 0;
    a->max_in_flight = o.max_in_flight ? o.max_in_flight : OPENROUTER_ASYNC_DEFAULT_MAX_IN_FLIGHT;
    a->socket_fn = o.socket_fn;
    a->timer_fn = o.timer_fn;
    a->loop_ctx = o.loop_ctx;
    atomic_init(&a->wake_flags, 0u);
    atomic_init(&a->woken, 0);
    rc = setup_multi(a, o.max_connections ? o.max_connections : a->max_in_flight, error);
    if (rc != OPENROUTER_OK) {
        or_async_destroy(a);
        return rc;
    }
    *out = a;
    return OPENROUTER_OK;
}

void openrouter_async_free(openrouter_async *async)
{
    if (!async)
        return;
    if (async->depth > 0) {
        async->free_requested = 1; /* the drive function finishes the job */
        return;
    }
    or_async_destroy(async);
}

/* ---- socket mode ------------------------------------------------------------------------- */

int openrouter_async_action(openrouter_async *async, int fd, int events)
{
    if (!async || !async->timer_fn || async->depth > 0)
        return OPENROUTER_EINVAL;
    if (fd == OPENROUTER_ASYNC_TIMEOUT)
        async->timer_armed = 0; /* it fired */
    or_async_step(async, fd, events);
    if (async->free_requested) {
        or_async_destroy(async);
        return 0;
    }
    or_async_update_timer(async);
    return or_async_pending_int(async);
}

int openrouter_async_assign(openrouter_async *async, int fd, void *socket_data)
{
    if (!async || !async->socket_fn)
        return OPENROUTER_EINVAL;
    return curl_multi_assign(async->multi, (curl_socket_t)fd, socket_data) == CURLM_OK ? OPENROUTER_OK
                                                                                     : OPENROUTER_EINVAL;
}
