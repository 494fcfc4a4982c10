/* openrouter-c: filling and clearing the caller-owned openrouter_error.
 * What a server sent is redacted by rule 2 of redact.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "redact.h"

static void set_message(openrouter_error *error, openrouter_status kind, const char *fmt, va_list ap)
{
    error->kind = kind;
    vsnprintf(error->message, sizeof error->message, fmt, ap);
}

int or_error_set(openrouter_error *error, openrouter_status kind, const char *fmt, ...)
{
    if (error) {
        va_list ap;
        va_start(ap, fmt);
        set_message(error, kind, fmt, ap);
        va_end(ap);
    }
    return kind;
}

int or_error_set_field(openrouter_error *error, openrouter_status kind, const char *field,
                       const char *fmt, ...)
{
    if (error) {
        va_list ap;
        va_start(ap, fmt);
        set_message(error, kind, fmt, ap);
        va_end(ap);
        snprintf(error->field, sizeof error->field, "%s", field ? field : "");
    }
    return kind;
}

int openrouter_error_clear(openrouter_error *error)
{
    if (!error)
        return OPENROUTER_OK;
    int kind = error->kind;
    char **owned[] = {&error->api_code, &error->api_message, &error->api_metadata, &error->body_snippet};
    for (size_t i = 0; i < sizeof owned / sizeof owned[0]; i++) {
        if (*owned[i]) {
            or_wipe(*owned[i], strlen(*owned[i]));
            or_free(*owned[i]);
        }
    }
    openrouter_error fresh = OPENROUTER_ERROR_INIT;
    *error = fresh;
    return kind;
}

const char *openrouter_status_name(int status)
{
    switch (status) {
    case OPENROUTER_OK: return "OPENROUTER_OK";
    case OPENROUTER_EINVAL: return "OPENROUTER_EINVAL";
    case OPENROUTER_ETRANSPORT: return "OPENROUTER_ETRANSPORT";
    case OPENROUTER_ETIMEOUT: return "OPENROUTER_ETIMEOUT";
    case OPENROUTER_EHTTP: return "OPENROUTER_EHTTP";
    case OPENROUTER_EDECODE: return "OPENROUTER_EDECODE";
    case OPENROUTER_ENOMEM: return "OPENROUTER_ENOMEM";
    case OPENROUTER_ECANCELED: return "OPENROUTER_ECANCELED";
    default: return "OPENROUTER_UNKNOWN";
    }
}

/* Keeps a printable, bounded copy of a body that was not a JSON error. */
static int keep_snippet(openrouter_error *error, const char *body, size_t len)
{
    size_t n = len < OPENROUTER_ERROR_SNIPPET_MAX ? len : OPENROUTER_ERROR_SNIPPET_MAX;
    char *copy = or_malloc(n + 1);
    if (!copy)
        return OPENROUTER_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)body[i];
        /* Control bytes and non-ASCII are replaced so the snippet is safe to
         * print and always valid UTF-8 even when cut mid-character. */
        copy[i] = (c == '\n' || c == '\t' || (c >= 0x20 && c < 0x7f)) ? (char)c : '?';
    }
    copy[n] = '\0';
    or_redact_key_shaped(copy);
    error->body_snippet = copy;
    return 0;
}

static int dup_into(char **dst, const char *src)
{
    if (!src)
        return 0;
    *dst = or_strdup(src);
    return *dst ? 0 : OPENROUTER_ENOMEM;
}

int or_error_set_api(openrouter_error *error, const char *code, long code_number, const char *message,
                     const char *metadata)
{
    int rc = dup_into(&error->api_code, code);
    rc = rc ? rc : dup_into(&error->api_message, message);
    rc = rc ? rc : dup_into(&error->api_metadata, metadata);
    if (code)
        error->api_code_number = code_number;
    or_redact_key_shaped(error->api_code);
    or_redact_key_shaped(error->api_message);
    or_redact_key_shaped(error->api_metadata);
    return rc;
}

int or_error_set_snippet(openrouter_error *error, const char *body, size_t len)
{
    return keep_snippet(error, body, len);
}

void or_append_cut(char *dst, size_t size, size_t *used, const char *s)
{
    size_t n = strlen(s);
    if (*used + 1 >= size)
        return;
    if (n > size - 1 - *used)
        n = size - 1 - *used;
    memcpy(dst + *used, s, n);
    *used += n;
    dst[*used] = '\0';
}

void or_error_prefix(openrouter_error *error, const char *prefix)
{
    if (!error || !prefix)
        return;
    size_t n = strlen(prefix);
    if (strncmp(error->message, prefix, n) == 0 && error->message[n] == ':')
        return;
    char copy[OPENROUTER_ERROR_MESSAGE_SIZE];
    memcpy(copy, error->message, sizeof copy);
    size_t used = 0;
    or_append_cut(error->message, sizeof error->message, &used, prefix);
    or_append_cut(error->message, sizeof error->message, &used, ": ");
    or_append_cut(error->message, sizeof error->message, &used, copy);
}
