/* openrouter-c: global init, client options validation, the client's
 * lifetime (it owns a transport, http.h), the real clock, the log hook and
 * the library version. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "client_impl.h"
#include "redact.h"
#include "request.h"

const char *openrouter_version(void)
{
    return OPENROUTER_VERSION_STRING;
}

/* ---- global init ---------------------------------------------------------- */

/* Reference counted and serialised by a mutex, so clients can be created
 * and freed from many threads at once. libcurl's own global init is only
 * thread-safe when libcurl says so (CURL_VERSION_THREADSAFE), and it must
 * not race with other libcurl users in the process: hence the advice to
 * call openrouter_global_init() once before starting threads. */
static pthread_mutex_t global_lock = PTHREAD_MUTEX_INITIALIZER;
/* The application's openrouter_global_init() calls not yet cleaned up, and
 * the live clients. Counted apart, so that an unmatched
 * openrouter_global_cleanup() cannot pull libcurl from under a client. */
static long global_user_refs;
static long global_client_refs;

static int global_acquire(long *refs)
{
    int rc = OPENROUTER_OK;
    pthread_mutex_lock(&global_lock);
    if (global_user_refs + global_client_refs == 0 && or_curl_global_init() != 0)
        rc = OPENROUTER_ETRANSPORT;
    else
        (*refs)++;
    pthread_mutex_unlock(&global_lock);
    return rc;
}

static void global_release(long *refs)
{
    pthread_mutex_lock(&global_lock);
    if (*refs > 0) {
        (*refs)--;
        if (global_user_refs + global_client_refs == 0)
            curl_global_cleanup();
    }
    pthread_mutex_unlock(&global_lock);
}

int openrouter_global_init(void)
{
    return global_acquire(&global_user_refs);
}

void openrouter_global_cleanup(void)
{
    global_release(&global_user_refs);
}

int openrouter_set_allocator(const openrouter_allocator *allocator)
{
    if (allocator && !or_allocator_valid(allocator))
        return OPENROUTER_EINVAL;
    int rc = OPENROUTER_OK;
    pthread_mutex_lock(&global_lock);
    if (global_user_refs + global_client_refs > 0)
        rc = OPENROUTER_EINVAL; /* blocks are out: they must go back where they came from */
    else
        or_alloc_install(allocator);
    pthread_mutex_unlock(&global_lock);
    return rc;
}

/* ---- the real clock --------------------------------------------------------- */

static int64_t real_now_ms(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 0;
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void real_sleep_ms(long ms)
{
    if (ms <= 0)
        return;
    struct timespec req = {ms / 1000, (ms % 1000) * 1000000L}, rem;
    while (nanosleep(&req, &rem) != 0 && errno == EINTR)
        req = rem;
}

static uint64_t xorshift64star(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * UINT64_C(2685821657736338717);
}

static uint64_t random_seed(const void *salt)
{
    uint64_t seed = 0;
    int fd = open("/dev/urandom", O_RDONLY);
    if (fd >= 0) {
        ssize_t n = read(fd, &seed, sizeof seed);
        close(fd);
        if (n != (ssize_t)sizeof seed)
            seed = 0;
    }
    if (seed == 0) {
        struct timespec ts = {0, 0};
        clock_gettime(CLOCK_REALTIME, &ts);
        seed = ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 16) ^
               (uint64_t)(uintptr_t)salt;
    }
    return seed ? seed : UINT64_C(0x9E3779B97F4A7C15);
}

int64_t or_clock_now_ms(openrouter_client *c)
{
    if (c->clock.now_ms)
        return c->clock.now_ms(c->clock.ctx);
    return real_now_ms();
}

void or_clock_sleep_ms(openrouter_client *c, long ms)
{
    if (c->clock.sleep_ms)
        c->clock.sleep_ms(c->clock.ctx, ms);
    else
        real_sleep_ms(ms);
}

double or_clock_random_unit(openrouter_client *c)
{
    double u;
    if (c->clock.random_unit)
        u = c->clock.random_unit(c->clock.ctx);
    else
        u = (double)(xorshift64star(&c->rng_state) >> 11) * (1.0 / 9007199254740992.0);
    if (!(u >= 0.0))
        u = 0.0;
    if (u >= 1.0)
        u = 0.999999999;
    return u;
}

/* ---- options validation -------------------------------------------------- */

static int check_header_value(const char *value, const char *name, openrouter_error *error)
{
    if (value && !or_wire_text_ok(value, strlen(value), OR_WIRE_VALUE))
        return or_error_set_field(error, OPENROUTER_EINVAL, name,
                                  "%s must not contain CR, LF or other control characters", name);
    return OPENROUTER_OK;
}

static int is_loopback_host(const char *host)
{
    if (strcasecmp(host, "localhost") == 0 || strcasecmp(host, "localhost.") == 0)
        return 1;
    unsigned char addr[16];
    if (inet_pton(AF_INET, host, addr) == 1)
        return addr[0] == 127;
    size_t n = strlen(host);
    if (n > 2 && n < 64 && host[0] == '[' && host[n - 1] == ']') {
        char inner[64];
        memcpy(inner, host + 1, n - 2);
        inner[n - 2] = '\0';
        char *zone = strchr(inner, '%');
        if (zone)
            *zone = '\0';
        if (inet_pton(AF_INET6, inner, addr) == 1) {
            static const unsigned char loop6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
            static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
            if (memcmp(addr, loop6, 16) == 0)
                return 1;
            if (memcmp(addr, mapped, 12) == 0 && addr[12] == 127)
                return 1;
        }
    }
    return 0;
}

/* Parses and checks base_url; on success *normalized is an or_malloc'd
 * copy without trailing '/', and *http_allowed tells whether plain http is
 * acceptable for this client. */
static int check_base_url(const char *url, int allow_insecure, char **normalized, int *http_allowed,
                          int *loopback, openrouter_error *error)
{
    *normalized = NULL;
    *http_allowed = 0;
    *loopback = 0;
    if (*url == '\0' || !or_wire_text_ok(url, strlen(url), OR_WIRE_TOKEN))
        return or_error_set_field(error, OPENROUTER_EINVAL, "base_url",
                                  "base_url must be a non-empty URL without spaces or control characters");
    CURLU *u = curl_url();
    if (!u)
        return or_error_set(error, OPENROUTER_ENOMEM, "out of memory");
    int rc = OPENROUTER_OK;
    char *scheme = NULL, *host = NULL, *part = NULL, *full = NULL;
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) {
        rc = or_error_set_field(error, OPENROUTER_EINVAL, "base_url",
                                "base_url is not a valid absolute URL");
        goto done;
    }
    if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !host || !*host) {
        rc = or_error_set_field(error, OPENROUTER_EINVAL, "base_url",
                                "base_url needs a scheme and a host");
        goto done;
    }
    int is_https = strcasecmp(scheme, "https") == 0;
    int is_http = strcasecmp(scheme, "http") == 0;
    if (!is_https && !is_http) {
        rc = or_error_set_field(error, OPENROUTER_EINVAL, "base_url",
                                "base_url scheme must be https (or http for loopback hosts)");
        goto done;
    }
    if (is_http && !allow_insecure && !is_loopback_host(host)) {
        rc = or_error_set_field(error, OPENROUTER_EINVAL, "base_url",
                                "base_url uses plain http for a non-loopback host; use https "
                                "or set allow_insecure_http");
        goto done;
    }
    /* Credentials in the URL would end up in traces and messages; a query
     * or fragment cannot be combined with operation paths. */
    static const struct { CURLUPart part; const char *what; } forbidden[] = {
        {CURLUPART_USER, "user info"},
        {CURLUPART_PASSWORD, "user info"},
        {CURLUPART_OPTIONS, "login options"},
        {CURLUPART_QUERY, "a query"},
        {CURLUPART_FRAGMENT, "a fragment"},
    };
    for (size_t i = 0; i < sizeof forbidden / sizeof forbidden[0]; i++) {
        if (curl_url_get(u, forbidden[i].part, &part, 0) == CURLUE_OK) {
            rc = or_error_set_field(error, OPENROUTER_EINVAL, "base_url",
                                    "base_url must not contain %s", forbidden[i].what);
            goto done;
        }
    }
    if (curl_url_get(u, CURLUPART_URL, &full, 0) != CURLUE_OK) {
        rc = or_error_set_field(error, OPENROUTER_EINVAL, "base_url", "base_url is not a valid URL");
        goto done;
    }
    size_t n = strlen(full);
    while (n > 0 && full[n - 1] == '/')
        n--;
    *normalized = or_strndup(full, n);
    if (!*normalized) {
        rc = or_error_set(error, OPENROUTER_ENOMEM, "out of memory");
        goto done;
    }
    *http_allowed = is_http || allow_insecure;
    *loopback = is_loopback_host(host);
done:
    curl_free(scheme);
    curl_free(host);
    curl_free(part);
    curl_free(full);
    curl_url_cleanup(u);
    return rc;
}

static int retry_policy_is_zero(const openrouter_retry_policy *p)
{
    return p->version == 0 && p->max_attempts == 0 && p->initial_delay_ms == 0 &&
           p->max_delay_ms == 0 && p->multiplier == 0.0 && p->max_elapsed_ms == 0 &&
           p->max_retry_after_ms == 0 && p->retry_non_idempotent == 0;
}

/* The caller's options as the current version: a version-1 or -2 struct
 * is shorter, so only its members are read and the newer ones stay zero
 * (their defaults). EINVAL for a version this library does not know. */
static int options_current(const openrouter_client_options *o, openrouter_client_options *cur,
                           openrouter_error *error)
{
    memset(cur, 0, sizeof *cur);
    if (o->version == 1)
        memcpy(cur, o, offsetof(openrouter_client_options, ca_bundle_file));
    else if (o->version == 2)
        memcpy(cur, o, offsetof(openrouter_client_options, strict_decoding));
    else if (o->version == OPENROUTER_CLIENT_OPTIONS_VERSION)
        *cur = *o;
    else
        return or_error_set_field(error, OPENROUTER_EINVAL, "version",
                                  "options.version must be OPENROUTER_CLIENT_OPTIONS_VERSION (%d), got %u",
                                  OPENROUTER_CLIENT_OPTIONS_VERSION, o->version);
    cur->version = OPENROUTER_CLIENT_OPTIONS_VERSION;
    return OPENROUTER_OK;
}

/* A CA file or directory must be there and readable when the client is
 * made, not fail as a TLS error at the first call. */
static int check_readable(const char *path, const char *name, int want_dir, openrouter_error *error)
{
    if (!path)
        return OPENROUTER_OK;
    struct stat st;
    const char *why = NULL;
    if (!*path)
        why = "is empty";
    else if (stat(path, &st) != 0)
        why = strerror(errno);
    else if (want_dir && !S_ISDIR(st.st_mode))
        why = "is not a directory";
    else if (!want_dir && S_ISDIR(st.st_mode))
        why = "is a directory";
    else if (access(path, want_dir ? R_OK | X_OK : R_OK) != 0)
        why = strerror(errno);
    if (!why)
        return OPENROUTER_OK;
    return or_error_set_field(error, OPENROUTER_EINVAL, name, "%s \"%s\": %s", name, path, why);
}

/* The options since version 2: trust, proxy, User-Agent suffix, headers. */
static int check_transport_options(const openrouter_client_options *o, openrouter_error *error)
{
    int rc;
    if ((rc = check_header_value(o->user_agent_suffix, "user_agent_suffix", error)) != 0 ||
        (rc = check_readable(o->ca_bundle_file, "ca_bundle_file", 0, error)) != 0 ||
        (rc = check_readable(o->ca_directory, "ca_directory", 1, error)) != 0)
        return rc;
    if (o->proxy && !or_wire_text_ok(o->proxy, strlen(o->proxy), OR_WIRE_TOKEN))
        return or_error_set_field(error, OPENROUTER_EINVAL, "proxy",
                                  "proxy must be a URL without spaces or control characters");
    return or_headers_check(o->headers, o->header_count, "headers", NULL, error);
}

static int check_options(const openrouter_client_options *o, openrouter_retry_policy *retry,
                         openrouter_error *error)
{
    if (!o->api_key || !*o->api_key)
        return or_error_set_field(error, OPENROUTER_EINVAL, "api_key", "api_key is required");
    if (!or_wire_text_ok(o->api_key, strlen(o->api_key), OR_WIRE_TOKEN))
        return or_error_set_field(error, OPENROUTER_EINVAL, "api_key",
                                  "api_key must not contain spaces or control characters");
    int rc;
    if ((rc = check_header_value(o->http_referer, "http_referer", error)) != 0 ||
        (rc = check_header_value(o->app_title, "app_title", error)) != 0 ||
        (rc = check_header_value(o->app_categories, "app_categories", error)) != 0 ||
        (rc = check_header_value(o->user_agent, "user_agent", error)) != 0 ||
        (rc = check_transport_options(o, error)) != 0)
        return rc;
    if (o->connect_timeout_ms < 0)
        return or_error_set_field(error, OPENROUTER_EINVAL, "connect_timeout_ms",
                                  "connect_timeout_ms must be > 0 (or 0 for the default)");
    if (o->timeout_ms < 0)
        return or_error_set_field(error, OPENROUTER_EINVAL, "timeout_ms",
                                  "timeout_ms must be > 0 (or 0 for the default)");
    if ((int)o->log_level < OPENROUTER_LOG_DEBUG || (int)o->log_level > OPENROUTER_LOG_ERROR)
        return or_error_set_field(error, OPENROUTER_EINVAL, "log_level",
                                  "log_level must be one of OPENROUTER_LOG_DEBUG..OPENROUTER_LOG_ERROR");
    /* An all-zero policy (options built with `= {0}`) means the default. */
    if (retry_policy_is_zero(&o->retry)) {
        openrouter_retry_policy def = OPENROUTER_RETRY_POLICY_INIT;
        *retry = def;
    } else {
        if ((rc = or_retry_policy_check(&o->retry, "retry", error)) != 0)
            return rc;
        *retry = o->retry;
    }
    return OPENROUTER_OK;
}

/* ---- lifetime ------------------------------------------------------------------ */

static void transport_settings(const openrouter_client_options *options, const openrouter_client *c,
                               int http_allowed, int loopback, or_transport_settings *s)
{
    memset(s, 0, sizeof *s);
    s->nosignal = 1;
    s->ssl_verify_peer = 1;
    s->ssl_verify_host = 2;
    s->follow_location = 0;
    s->tcp_keepalive = 1;
    s->connect_timeout_ms = options->connect_timeout_ms > 0 ? options->connect_timeout_ms
                                                             : OPENROUTER_DEFAULT_CONNECT_TIMEOUT_MS;
    s->timeout_ms = options->timeout_ms > 0 ? options->timeout_ms : OPENROUTER_DEFAULT_TIMEOUT_MS;
    s->http_allowed = http_allowed;
    s->protocols = http_allowed ? "http,https" : "https";
    s->redir_protocols = s->protocols;
    s->accept_encoding = "";
    s->max_response_bytes = options->max_response_bytes ? options->max_response_bytes
                                                        : OPENROUTER_DEFAULT_MAX_RESPONSE_BYTES;
    s->ca_file = c->ca_file;
    s->ca_dir = c->ca_dir;
    /* An environment proxy never sees a loopback base URL (as Go's
     * ProxyFromEnvironment): plain http there would hand it the key. */
    s->proxy = c->proxy ? c->proxy : loopback ? OPENROUTER_NO_PROXY : NULL;
}

/* The client's own copies of the transport strings (the proxy URL may hold
 * a password: wiped on free). 0 or -1 on OOM. */
static int copy_transport_strings(openrouter_client *c, const openrouter_client_options *o)
{
    if (o->ca_bundle_file && !(c->ca_file = or_strdup(o->ca_bundle_file)))
        return -1;
    if (o->ca_directory && !(c->ca_dir = or_strdup(o->ca_directory)))
        return -1;
    if (o->proxy && !(c->proxy = or_strdup(o->proxy)))
        return -1;
    return 0;
}

int openrouter_client_new(openrouter_client **out, const openrouter_client_options *options,
                          openrouter_error *error)
{
    if (error)
        openrouter_error_clear(error);
    if (!out)
        return or_error_set(error, OPENROUTER_EINVAL, "out must not be NULL");
    *out = NULL;
    if (!options)
        return or_error_set(error, OPENROUTER_EINVAL, "options must not be NULL");
    openrouter_client_options current;
    int rc = options_current(options, &current, error);
    if (rc != OPENROUTER_OK)
        return rc;
    options = &current;

    openrouter_retry_policy retry;
    rc = check_options(options, &retry, error);
    if (rc != OPENROUTER_OK)
        return rc;
    char *base_url = NULL;
    int http_allowed = 0, loopback = 0;
    rc = check_base_url(options->base_url ? options->base_url : OPENROUTER_DEFAULT_BASE_URL,
                        options->allow_insecure_http, &base_url, &http_allowed, &loopback, error);
    if (rc != OPENROUTER_OK)
        return rc;

    openrouter_client *c = or_calloc(1, sizeof *c);
    if (!c) {
        or_free(base_url);
        return or_error_set(error, OPENROUTER_ENOMEM, "out of memory");
    }
    c->base_url = base_url;
    c->base_url_len = strlen(base_url);
    c->api_key_len = strlen(options->api_key);
    c->api_key = or_strndup(options->api_key, c->api_key_len);
    if (!c->api_key || copy_transport_strings(c, options) != 0) {
        openrouter_client_free(c);
        return or_error_set(error, OPENROUTER_ENOMEM, "out of memory");
    }
    c->strict_decoding = options->strict_decoding != 0 || options->strict_required_fields != 0;
    c->retry = retry;
    if (options->clock)
        c->clock = *options->clock;
    c->rng_state = random_seed(c);
    c->trace = options->trace;
    c->trace_ctx = options->trace_ctx;
    c->log = options->log;
    c->log_ctx = options->log_ctx;
    c->log_level = options->log_level;

    or_transport_settings s;
    transport_settings(options, c, http_allowed, loopback, &s);
    if (global_acquire(&global_client_refs) != OPENROUTER_OK) {
        openrouter_client_free(c);
        return or_error_set(error, OPENROUTER_ETRANSPORT, "curl_global_init failed");
    }
    c->global_ref = 1;
    if (or_default_headers(options, c->api_key, c->api_key_len, &c->headers) != 0) {
        openrouter_client_free(c);
        return or_error_set(error, OPENROUTER_ENOMEM, "out of memory");
    }
    rc = or_http_init(&c->http, &s, c->headers, error);
    if (rc != OPENROUTER_OK) {
        openrouter_client_free(c);
        return rc;
    }
    *out = c;
    return OPENROUTER_OK;
}

int openrouter_client_new_from_env(openrouter_client **out, const openrouter_client_options *options,
                                   openrouter_error *error)
{
    openrouter_client_options o = OPENROUTER_CLIENT_OPTIONS_INIT;
    if (options && options_current(options, &o, NULL) != OPENROUTER_OK)
        return openrouter_client_new(out, options, error); /* reports the version */
    if (!o.api_key) {
        o.api_key = getenv("OPENROUTER_API_KEY");
        if (!o.api_key || !*o.api_key) {
            if (error)
                openrouter_error_clear(error);
            if (out)
                *out = NULL;
            return or_error_set_field(error, OPENROUTER_EINVAL, "OPENROUTER_API_KEY",
                                      "OPENROUTER_API_KEY is not set: export your API key (a management key "
                                      "for key operations)");
        }
    }
    int url_from_env = 0;
    if (!o.base_url) {
        const char *url = getenv("OPENROUTER_BASE_URL");
        if (url && *url) {
            o.base_url = url;
            url_from_env = 1;
        }
    }
    int rc = openrouter_client_new(out, &o, error);
    if (rc != OPENROUTER_OK && url_from_env && error && strcmp(error->field, "base_url") == 0) {
        size_t used = strlen(error->message);
        or_append_cut(error->message, sizeof error->message, &used, " (base_url from OPENROUTER_BASE_URL)");
    }
    return rc;
}

void openrouter_client_free(openrouter_client *client)
{
    if (!client)
        return;
    or_http_cleanup(&client->http);
    or_slist_free_wiped(client->headers);
    or_call_bufs_free(&client->bufs);
    if (client->api_key) {
        or_wipe(client->api_key, client->api_key_len);
        or_free(client->api_key);
    }
    or_free(client->base_url);
    or_free(client->ca_file);
    or_free(client->ca_dir);
    if (client->proxy) {
        or_wipe(client->proxy, strlen(client->proxy));
        or_free(client->proxy);
    }
    if (client->global_ref)
        global_release(&global_client_refs);
    or_wipe(client, sizeof *client);
    or_free(client);
}

const or_transport_settings *or_client_settings(const openrouter_client *client)
{
    return client ? &client->http.settings : NULL;
}

void *or_client_curl_handle(openrouter_client *client)
{
    return client ? client->http.curl : NULL;
}

const char *or_client_base_url(const openrouter_client *client)
{
    return client ? client->base_url : NULL;
}

/* ---- the log hook ---------------------------------------------------------------------- */

void or_log(openrouter_client *client, openrouter_log_level level, const char *fmt, ...)
{
    if (!client || !client->log || level < client->log_level)
        return;
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    or_buf b = OR_BUF_INIT;
    if (n >= 0 && or_buf_reserve(&b, (size_t)n + 1) == 0) {
        vsnprintf(b.data, (size_t)n + 1, fmt, ap2);
        b.len = (size_t)n;
        /* or_redact_buf falls back to masking in place when short of memory. */
        or_redact_buf(&b, client->api_key);
        client->log(client->log_ctx, level, b.data);
    }
    va_end(ap2);
    or_buf_free(&b);
}
