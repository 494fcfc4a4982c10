/* openrouter-c: an openrouter_error as a person reads it (error.h):
 * the message, then kind, HTTP status, request id and attempts, then a hint.
 *
 * Decisions worth knowing:
 * - Nothing is allocated while formatting, so it works when memory ran out.
 * - Text from the server (inside the message, the API's message, the
 *   request id) gets control characters replaced: it goes to terminals.
 * - The hint is chosen from the kind, the HTTP status and libcurl's code,
 *   and names no C option: a command-line tool prints it too;
 *   an ETRANSPORT with an HTTP status is a response over max_response_bytes
 *   (outcome.c sets the status only then). */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* snprintf-like output: writes what fits, counts everything. */
typedef struct out {
    char *buf;
    size_t size;
    size_t len; /* needed so far */
} out;

static void put_bytes(out *o, const char *s, size_t n, int sanitize)
{
    for (size_t i = 0; i < n; i++, o->len++) {
        unsigned char c = (unsigned char)s[i];
        if (o->len + 1 < o->size)
            o->buf[o->len] = sanitize && (c < 0x20 || c == 0x7f) ? '?' : (char)c;
    }
}

static void put(out *o, const char *s)
{
    put_bytes(o, s, strlen(s), 0);
}

static void put_text(out *o, const char *s)
{
    put_bytes(o, s, strlen(s), 1);
}

static void putf(out *o, const char *fmt, long v)
{
    char tmp[64];
    snprintf(tmp, sizeof tmp, fmt, v);
    put(o, tmp);
}

static const char *http_hint(const openrouter_error *e)
{
    long s = e->http_status;
    switch (s) {
    case 400: return "the API refused the request's content: see its message";
    case 401:
        return "the API key was not accepted: check it (OPENROUTER_API_KEY), it may be wrong, disabled or expired";
    case 402: return "the account is out of credits";
    case 403:
        return "the key may not do this: key operations need a management key, other calls an ordinary API "
               "key with the permission";
    case 404:
        return "no such resource: an unknown id (key hash), or a base URL that does not point at the API "
               "(.../api/v1)";
    case 408: return "the server gave up waiting for the request: retry";
    case 413: return "the request body is too large for the server";
    case 429: return NULL; /* with the wait, below */
    default: break;
    }
    if (s >= 300 && s <= 399)
        return "the base URL redirects elsewhere and redirects are not followed: use the URL it points to";
    if (s >= 500)
        return "OpenRouter, or a gateway in front of it, failed: retry later";
    return NULL;
}

static const char *transport_hint(const openrouter_error *e)
{
    if (e->http_status)
        return "the response was larger than the limit on response bodies: raise it if that was expected";
    switch (e->curl_code) {
    case CURLE_COULDNT_RESOLVE_HOST:
        return "the base URL's host name does not resolve: check the base URL and DNS";
    case CURLE_COULDNT_RESOLVE_PROXY:
#if LIBCURL_VERSION_NUM >= 0x074900 /* 7.73.0 */
    case CURLE_PROXY:
#endif
        return "the proxy failed: check the proxy setting, or https_proxy / no_proxy in the environment";
    case CURLE_COULDNT_CONNECT:
        return "nothing answered at the base URL: check the URL, the network, a firewall or the proxy";
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
        return "the server's certificate is not trusted: behind a TLS-inspecting proxy or with a private CA, "
               "trust that CA (a CA bundle file or directory); check the base URL's host";
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
        return "the connection broke: check the network or the proxy; retrying may help";
    default:
        return "check the base URL, the network, the proxy and the CA settings";
    }
}

static void put_hint(out *o, const openrouter_error *e)
{
    const char *hint = NULL;
    switch (e->kind) {
    case OPENROUTER_EINVAL:
        if (e->field[0]) {
            put(o, "\n  hint: nothing was sent; fix ");
            put_text(o, e->field);
            return;
        }
        hint = "nothing was sent; check the arguments and options";
        break;
    case OPENROUTER_EHTTP:
        if (e->http_status == 429) {
            put(o, "\n  hint: rate limited: ");
            if (e->retry_after_ms >= 0)
                putf(o, "the server asks to wait %ld s before retrying", (e->retry_after_ms + 999) / 1000);
            else
                put(o, "slow down and retry later");
            return;
        }
        hint = http_hint(e);
        break;
    case OPENROUTER_ETIMEOUT:
        hint = "no complete answer in time: check the network and the proxy, or allow a longer timeout";
        break;
    case OPENROUTER_ETRANSPORT:
        hint = transport_hint(e);
        break;
    case OPENROUTER_EDECODE:
        hint = "the response is not what the API describes: this library may be older than the API, "
               "or the base URL may not point at it";
        break;
    case OPENROUTER_ECANCELED:
        hint = "the call was cancelled on request";
        break;
    default:
        break;
    }
    if (hint) {
        put(o, "\n  hint: ");
        put(o, hint);
    }
}

size_t openrouter_error_format(const openrouter_error *error, char *buf, size_t size)
{
    out o = {buf, buf ? size : 0, 0};
    if (o.size)
        buf[0] = '\0';
    if (!error || error->kind == OPENROUTER_OK)
        return 0;
    const openrouter_error *e = error;
    put_text(&o, e->message[0] ? e->message : openrouter_status_name(e->kind));
    if (e->api_message && !strstr(e->message, e->api_message)) {
        put(&o, "\n  API message: ");
        put_text(&o, e->api_message);
    }
    put(&o, "\n  ");
    put(&o, openrouter_status_name(e->kind));
    if (e->http_status)
        putf(&o, ", HTTP %ld", e->http_status);
    if (e->request_id[0]) {
        put(&o, ", request id ");
        put_text(&o, e->request_id);
        if (e->request_id_header) {
            put(&o, " (");
            put(&o, e->request_id_header);
            put(&o, ")");
        }
    }
    if (e->attempts > 0)
        putf(&o, e->attempts == 1 ? ", %ld attempt" : ", %ld attempts", e->attempts);
    put_hint(&o, e);
    if (e->request_may_have_been_processed)
        put(&o, "\n  note: the server may still have carried out the request: check (list the keys) "
                "before repeating it");
    if (o.size)
        buf[o.len < o.size ? o.len : o.size - 1] = '\0';
    return o.len;
}

int openrouter_error_print(FILE *stream, const openrouter_error *error)
{
    if (!error || error->kind == OPENROUTER_OK || !stream)
        return error ? error->kind : OPENROUTER_OK;
    char local[1024];
    size_t n = openrouter_error_format(error, local, sizeof local);
    char *text = local;
    if (n >= sizeof local) {
        char *big = or_malloc(n + 1);
        if (big) {
            openrouter_error_format(error, big, n + 1);
            text = big;
        }
    }
    fputs(text, stream);
    fputc('\n', stream);
    if (text != local)
        or_free(text);
    return error->kind;
}
