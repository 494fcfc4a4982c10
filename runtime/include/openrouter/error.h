/* openrouter-c: result codes and the caller-owned error detail.
 *
 * Every function returns OPENROUTER_OK (0) or one of the negative codes
 * below. When the caller passes an openrouter_error, it is filled with the
 * detail; release it with openrouter_error_clear() (safe to call on an
 * error that was never filled, and more than once).
 *
 *   openrouter_error err = OPENROUTER_ERROR_INIT;
 *   if (openrouter_get_key(client, &req, &key, NULL, &err) != OPENROUTER_OK)
 *       openrouter_error_print(stderr, &err);
 *   openrouter_error_clear(&err);
 *
 * Nothing in an error ever contains the API key or a created key's secret. */
#ifndef OPENROUTER_ERROR_H
#define OPENROUTER_ERROR_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Result of every call: OPENROUTER_OK or a negative code. */
typedef enum openrouter_status {
    OPENROUTER_OK = 0,
    OPENROUTER_EINVAL = -1,     /* invalid argument; no request was sent */
    OPENROUTER_ETRANSPORT = -2, /* connection, TLS or protocol failure */
    OPENROUTER_ETIMEOUT = -3,   /* connect or total timeout */
    OPENROUTER_EHTTP = -4,      /* the server answered with an error status */
    OPENROUTER_EDECODE = -5,    /* the response could not be understood */
    OPENROUTER_ENOMEM = -6,     /* out of memory */
    OPENROUTER_ECANCELED = -7   /* the caller cancelled the call */
} openrouter_status;

#define OPENROUTER_ERROR_MESSAGE_SIZE 256 /* bytes of openrouter_error.message */
#define OPENROUTER_ERROR_SNIPPET_MAX 512 /* bytes of a non-JSON body kept */
#define OPENROUTER_ERROR_REQUEST_ID_SIZE 128 /* bytes of openrouter_error.request_id */

/* What went wrong, filled by any call given one; yours to clear with
 * openrouter_error_clear(). */
typedef struct openrouter_error {
    openrouter_status kind;   /* OPENROUTER_OK when nothing failed */
    long http_status;         /* 0 when no response was received */
    /* One line saying what went wrong, with context (operation, field). */
    char message[OPENROUTER_ERROR_MESSAGE_SIZE];

    /* From the API's error body {"error": {"code", "message", "metadata"}};
     * NULL when absent or of an unusable type (the rest is still kept).
     * `api_code` is the code as text whether the server sent a number or a
     * string (an integer as its digits, another number as sent);
     * `api_code_number` is its value when it is an integer (or a string
     * holding one), else 0. `api_metadata` is the member's JSON text as
     * received, whitespace outside strings removed (openrouter_json_tree()
     * in openrouter/json_c.h parses it). */
    char *api_code;           /* error.code as text */
    long api_code_number;     /* error.code when numeric, else 0 */
    char *api_message;        /* error.message */
    char *api_metadata;       /* error.metadata as compact JSON */

    /* Up to OPENROUTER_ERROR_SNIPPET_MAX bytes of a body that was not a JSON
     * error (an HTML page from a proxy, say), NUL-terminated; else NULL. */
    char *body_snippet;

    long retry_after_ms;      /* server's Retry-After, -1 when not sent */
    int attempts;             /* requests made, including retries */
    int curl_code;            /* libcurl's CURLcode for transport errors */
    /* For EINVAL / EDECODE: the JSON path or parameter at fault, e.g.
     * "data[3].limit"; empty when not about one field. */
    char field[128];
    /* Nonzero when the request may have reached the server (the outcome of
     * a create is unknown and should be reconciled by listing keys). */
    int request_may_have_been_processed;
    /* The server's id of the request that failed, to quote when asking
     * OpenRouter about it; "" when the response carried none. Taken from
     * the first of these response headers present: X-Request-Id,
     * X-Generation-Id (what OpenRouter sends for generations), CF-Ray (the
     * Cloudflare edge in front of openrouter.ai adds it to every
     * response). Longer values are cut; control characters become '?'. */
    char request_id[OPENROUTER_ERROR_REQUEST_ID_SIZE];
    /* The header request_id came from ("x-request-id", "x-generation-id",
     * "cf-ray"), a static string; NULL when request_id is "". */
    const char *request_id_header;
} openrouter_error;

/* A cleared error: kind OPENROUTER_OK, no strings, retry_after_ms -1. */
#define OPENROUTER_ERROR_INIT {OPENROUTER_OK, 0, {0}, 0, 0, 0, 0, 0, -1, 0, 0, {0}, 0, {0}, 0}

/* Frees what the error owns and resets it to OPENROUTER_ERROR_INIT.
 * Returns the kind it had (OPENROUTER_OK for NULL), so a program can end
 * with `return openrouter_error_clear(&err) != OPENROUTER_OK;`. */
int openrouter_error_clear(openrouter_error *error);

/* Stable name of a status code, e.g. "OPENROUTER_EHTTP". */
const char *openrouter_status_name(int status);

/* The error as a person wants to read it:
 *
 *   <operationId>: HTTP 404: Resource not found
 *     OPENROUTER_EHTTP, HTTP 404, request id 8f1c2e3d4a5b6c7d-AMS (cf-ray), 1 attempt
 *     hint: no such resource: an unknown id (key hash), or a base URL that does not ...
 *
 * the message (which names the operation, the field or the API's message;
 * then "  API message: ..." when that did not fit in it), then the kind,
 * HTTP status, request id and attempts, then "  hint: " and a hint chosen
 * from the kind, status and transport failure (401: check the key; 403: a
 * management key is needed; 404: unknown id or wrong base URL; 429: rate
 * limited, retry after N s; timeouts (timeout_ms); network, proxy (proxy),
 * untrusted certificates (ca_bundle_file, ca_directory) or base URL
 * trouble), and "  note: " when a create may have happened anyway. Hints name no C
 * option, so a command-line tool can show them as they are. Text the
 * server sent has control characters replaced. Nothing here can hold the
 * API key.
 *
 * openrouter_error_format() writes it into buf like snprintf (NUL-
 * terminated, cut to size) and returns the length it needed; it writes ""
 * and returns 0 when error is NULL or its kind is OPENROUTER_OK.
 * openrouter_error_print() writes it to `stream` with a final newline when
 * there is an error and returns error->kind (OPENROUTER_OK: nothing was
 * printed), so a program can end with
 *   int failed = openrouter_error_print(stderr, &err) != OPENROUTER_OK;
 * Neither clears the error. */
size_t openrouter_error_format(const openrouter_error *error, char *buf, size_t size);
int openrouter_error_print(FILE *stream, const openrouter_error *error);

#ifdef __cplusplus
}
#endif
#endif
