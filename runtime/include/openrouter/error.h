/* openrouter-c: result codes and the caller-owned error detail.
 *
 * Every function returns OPENROUTER_OK (0) or one of the negative codes
 * below. When the caller passes an openrouter_error, it is filled with the
 * detail; release it with openrouter_error_clear() (safe to call on an
 * error that was never filled, and more than once).
 *
 *   openrouter_error err = OPENROUTER_ERROR_INIT;
 *   if (openrouter_get_key(client, &req, &key, NULL, &err) != OPENROUTER_OK)
 *       fprintf(stderr, "%s\n", err.message);
 *   openrouter_error_clear(&err);
 *
 * Nothing in an error ever contains the API key or a created key's secret. */
#ifndef OPENROUTER_ERROR_H
#define OPENROUTER_ERROR_H

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
} openrouter_error;

/* A cleared error: kind OPENROUTER_OK, no strings, retry_after_ms -1. */
#define OPENROUTER_ERROR_INIT {OPENROUTER_OK, 0, {0}, 0, 0, 0, 0, 0, -1, 0, 0, {0}, 0}

/* Frees what the error owns and resets it to OPENROUTER_ERROR_INIT. */
void openrouter_error_clear(openrouter_error *error);

/* Stable name of a status code, e.g. "OPENROUTER_EHTTP". */
const char *openrouter_status_name(int status);

#ifdef __cplusplus
}
#endif
#endif
