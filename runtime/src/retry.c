/* openrouter-c: retry policy, backoff and Retry-After parsing. Everything
 * here is a pure function of its arguments so it can be tested exactly. */
#include <ctype.h>
#include <stdio.h>
#include <limits.h>
#include <string.h>

#include <curl/curl.h>

#include "internal.h"

/* Longest wait any parser here reports: keeps ms values inside a long
 * everywhere (also with a 32-bit long) and away from overflow. */
#define OR_MAX_WAIT_MS ((long)(LONG_MAX / 2))

long openrouter_backoff_delay_ms(const openrouter_retry_policy *policy, int retry, double unit)
{
    if (!policy || policy->initial_delay_ms <= 0 || policy->max_delay_ms <= 0)
        return 0;
    if (retry < 1)
        retry = 1;
    if (!(unit >= 0.0)) /* also NaN */
        unit = 0.0;
    if (unit >= 1.0)
        unit = 0.999999999;
    double cap = (double)policy->max_delay_ms;
    double mult = policy->multiplier >= 1.0 ? policy->multiplier : 1.0;
    /* initial * multiplier^(retry-1), computed in double and stopped as soon
     * as it reaches the cap, so it can neither overflow nor become inf. */
    double base = (double)policy->initial_delay_ms;
    for (int i = 1; i < retry && base < cap; i++)
        base *= mult;
    if (!(base <= cap))
        base = cap;
    double d = unit * base;
    if (d < 0.0)
        d = 0.0;
    if (d > cap)
        d = cap;
    return (long)d;
}

static const char *skip_ws(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/* Parses [digits] with optional trailing whitespace; returns the value in
 * units, saturated at `max`, or -1 when the text is not that. */
static long parse_uint_saturating(const char *s, long max, const char **end)
{
    if (!isdigit((unsigned char)*s))
        return -1;
    long v = 0;
    while (isdigit((unsigned char)*s)) {
        int d = *s - '0';
        if (v > (max - d) / 10)
            v = max;
        else
            v = v * 10 + d;
        s++;
    }
    *end = s;
    return v;
}

long openrouter_parse_retry_after(const char *value, int64_t now_unix_s)
{
    if (!value)
        return -1;
    const char *s = skip_ws(value);
    if (*s == '\0')
        return -1;
    const char *end = NULL;
    if (isdigit((unsigned char)*s)) {
        long secs = parse_uint_saturating(s, OR_MAX_WAIT_MS / 1000, &end);
        if (secs >= 0 && *skip_ws(end) == '\0')
            return secs * 1000;
        /* "1.5" or "12abc": not delta-seconds; may still be a date below
         * (none starts with a digit in IMF-fixdate, but RFC 850 / asctime
         * forms do not either, so this is simply invalid). */
    }
    int64_t when = 0;
    if (or_http_date_parse(s, &when) != 0)
        return -1;
    if (when <= now_unix_s)
        return 0;
    int64_t delta = when - now_unix_s;
    if (delta > (int64_t)(OR_MAX_WAIT_MS / 1000))
        return (OR_MAX_WAIT_MS / 1000) * 1000;
    return (long)delta * 1000;
}

long or_parse_retry_after_ms(const char *value)
{
    if (!value)
        return -1;
    const char *s = skip_ws(value);
    const char *end = NULL;
    long ms = parse_uint_saturating(s, OR_MAX_WAIT_MS, &end);
    if (ms < 0)
        return -1;
    if (*end == '.') { /* "1500.5": the fraction is dropped */
        end++;
        if (!isdigit((unsigned char)*end))
            return -1;
        while (isdigit((unsigned char)*end))
            end++;
    }
    return *skip_ws(end) == '\0' ? ms : -1;
}

int or_retry_curl_code_retryable(int curl_code)
{
    switch ((CURLcode)curl_code) {
    case CURLE_OK:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_NOT_BUILT_IN:
    case CURLE_OUT_OF_MEMORY:
    case CURLE_BAD_FUNCTION_ARGUMENT:
    case CURLE_WRITE_ERROR:          /* our write callback aborted (size) */
    case CURLE_FILESIZE_EXCEEDED:    /* max_response_bytes */
    case CURLE_TOO_MANY_REDIRECTS:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_FUNCTION_NOT_FOUND:
    case CURLE_ABORTED_BY_CALLBACK:
    case CURLE_LOGIN_DENIED:
        return 0;
    default:
        return 1;
    }
}

int or_retry_should(const openrouter_retry_policy *policy, int idempotent, long http_status,
                    int transport_kind, int nothing_sent)
{
    int opt_in = policy && policy->retry_non_idempotent;
    if (transport_kind == OPENROUTER_ETIMEOUT || transport_kind == OPENROUTER_ETRANSPORT) {
        /* The server never saw it: always safe. */
        if (nothing_sent)
            return 1;
        return idempotent || opt_in;
    }
    if (transport_kind != OPENROUTER_OK)
        return 0;
    if (http_status == 429)
        return 1; /* rate limited: the request was refused, not processed */
    if (http_status == 408 || (http_status >= 500 && http_status <= 599))
        return idempotent || opt_in;
    return 0; /* 2xx, 3xx, 400, 401, 403, 404, 409, 422, ... */
}

int or_retry_may_have_been_processed(int idempotent, long http_status, int transport_kind,
                                     int nothing_sent)
{
    if (idempotent)
        return 0;
    if (transport_kind == OPENROUTER_ETIMEOUT || transport_kind == OPENROUTER_ETRANSPORT)
        return !nothing_sent;
    if (transport_kind == OPENROUTER_OK)
        return (http_status >= 500 && http_status <= 599) || (http_status >= 200 && http_status <= 299);
    return 0;
}

long or_retry_next_delay(const openrouter_retry_policy *policy, int attempts_made,
                         long retry_after_ms, int64_t elapsed_ms, double unit, int *stop)
{
    int dummy;
    if (!stop)
        stop = &dummy;
    if (!policy || attempts_made >= policy->max_attempts) {
        *stop = OR_RETRY_STOP_ATTEMPTS;
        return -1;
    }
    long delay;
    if (retry_after_ms >= 0) {
        if (retry_after_ms > policy->max_retry_after_ms) {
            *stop = OR_RETRY_STOP_RETRY_AFTER;
            return -1;
        }
        delay = retry_after_ms;
    } else {
        delay = openrouter_backoff_delay_ms(policy, attempts_made, unit);
    }
    if (elapsed_ms < 0)
        elapsed_ms = 0;
    if (elapsed_ms > (int64_t)policy->max_elapsed_ms ||
        (int64_t)delay > (int64_t)policy->max_elapsed_ms - elapsed_ms) {
        *stop = OR_RETRY_STOP_ELAPSED;
        return -1;
    }
    *stop = OR_RETRY_GO;
    return delay;
}

int or_retry_policy_check(const openrouter_retry_policy *p, const char *what, openrouter_error *error)
{
    char field[96];
#define OR_BAD(name, msg)                                                                   \
    do {                                                                                    \
        snprintf(field, sizeof field, "%s.%s", what, name);                                 \
        return or_error_set_field(error, OPENROUTER_EINVAL, field, "%s.%s " msg, what, name); \
    } while (0)
    if (!p)
        return or_error_set_field(error, OPENROUTER_EINVAL, what, "%s is NULL", what);
    if (p->version != OPENROUTER_RETRY_POLICY_VERSION)
        OR_BAD("version", "must be OPENROUTER_RETRY_POLICY_VERSION");
    if (p->max_attempts < 1)
        OR_BAD("max_attempts", "must be at least 1");
    if (p->initial_delay_ms < 0)
        OR_BAD("initial_delay_ms", "must not be negative");
    if (p->max_delay_ms < 0)
        OR_BAD("max_delay_ms", "must not be negative");
    if (!(p->multiplier >= 1.0) || p->multiplier > 1e6)
        OR_BAD("multiplier", "must be between 1 and 1e6");
    if (p->max_elapsed_ms < 0)
        OR_BAD("max_elapsed_ms", "must not be negative");
    if (p->max_retry_after_ms < 0)
        OR_BAD("max_retry_after_ms", "must not be negative");
#undef OR_BAD
    return OPENROUTER_OK;
}
