/* openrouter-c: the two redaction rules, documented in redact.h: the
 * client's API key (with cut-off tails), and key-shaped text a server
 * echoed. */
#include <stdio.h>
#include <string.h>

#include "redact.h"

/* ---- rule 1: the client's API key -------------------------------------------- */

/* Shortest cut-off piece of the secret, at the very end of a string that
 * was truncated, that still gets redacted. */
static size_t tail_min(size_t slen)
{
    size_t m = slen / 2 > 12 ? slen / 2 : 12;
    return m < slen ? m : slen;
}

/* Length of the suffix of s[0..n) that is a proper prefix of the secret
 * (at least tail_min long), i.e. a key cut off by truncation; else 0. */
static size_t secret_tail(const char *s, size_t n, const char *secret, size_t slen)
{
    size_t min = tail_min(slen);
    for (size_t k = slen - 1; k >= min && k > 0; k--)
        if (k <= n && memcmp(s + n - k, secret, k) == 0)
            return k;
    return 0;
}

static int has_secret_bytes(const char *s, size_t n, const char *secret, size_t slen)
{
    for (size_t i = 0; i + slen <= n; i++)
        if (s[i] == secret[0] && memcmp(s + i, secret, slen) == 0)
            return 1;
    return secret_tail(s, n, secret, slen) > 0;
}

/* Writes the redacted form of `s` into `out` (reset first). */
static int redact_into(or_buf *out, const char *s, size_t n, const char *secret, size_t slen)
{
    or_buf_reset(out);
    size_t i = 0, min = tail_min(slen);
    while (i < n) {
        size_t left = n - i;
        if (left >= slen && s[i] == secret[0] && memcmp(s + i, secret, slen) == 0) {
            if (or_buf_puts(out, OR_REDACTED) != 0)
                return -1;
            i += slen;
            continue;
        }
        if (left < slen && left >= min && memcmp(s + i, secret, left) == 0) {
            if (or_buf_puts(out, OR_REDACTED) != 0)
                return -1;
            break;
        }
        if (or_buf_append(out, s + i, 1) != 0)
            return -1;
        i++;
    }
    if (!out->data && or_buf_reserve(out, 0) != 0)
        return -1;
    out->data[out->len] = '\0';
    return 0;
}

/* In-place fallback when memory is short: same length, '*' over secrets. */
static void mask_in_place(char *s, size_t n, const char *secret, size_t slen)
{
    for (size_t i = 0; i + slen <= n; i++)
        if (memcmp(s + i, secret, slen) == 0)
            memset(s + i, '*', slen);
    size_t k = secret_tail(s, n, secret, slen);
    if (k)
        memset(s + n - k, '*', k);
}

int or_redact_buf(or_buf *b, const char *secret)
{
    if (!b->data || !secret || !*secret)
        return 0;
    size_t slen = strlen(secret);
    if (!has_secret_bytes(b->data, b->len, secret, slen))
        return 0;
    or_buf tmp = OR_BUF_INIT;
    if (redact_into(&tmp, b->data, b->len, secret, slen) != 0) {
        or_buf_free(&tmp);
        mask_in_place(b->data, b->len, secret, slen);
        return -1;
    }
    or_buf_free(b); /* wipes the original */
    *b = tmp;
    return 0;
}

int or_redact_dup(const char *s, size_t n, const char *secret, size_t slen, char **copy)
{
    *copy = NULL;
    if (!secret || !slen || !has_secret_bytes(s, n, secret, slen))
        return 0;
    or_buf tmp = OR_BUF_INIT;
    if (redact_into(&tmp, s, n, secret, slen) == 0)
        *copy = or_strndup(tmp.data, tmp.len);
    or_buf_free(&tmp);
    return *copy ? 0 : -1;
}

static void redact_heap(char **field, const char *secret, size_t slen)
{
    if (!*field)
        return;
    size_t n = strlen(*field);
    char *copy;
    if (or_redact_dup(*field, n, secret, slen, &copy) != 0) {
        mask_in_place(*field, n, secret, slen);
    } else if (copy) {
        or_wipe(*field, n);
        or_free(*field);
        *field = copy;
    }
}

static void redact_array(char *arr, size_t size, const char *secret, size_t slen)
{
    size_t n = strlen(arr);
    char *copy;
    if (or_redact_dup(arr, n, secret, slen, &copy) != 0) {
        mask_in_place(arr, n, secret, slen);
    } else if (copy) {
        /* Cutting "[REDACTED]" short cannot expose anything. */
        snprintf(arr, size, "%s", copy);
        or_wipe(copy, strlen(copy));
        or_free(copy);
    }
}

void or_redact_error(openrouter_error *error, const char *secret)
{
    if (!error || !secret || !*secret)
        return;
    size_t slen = strlen(secret);
    redact_array(error->message, sizeof error->message, secret, slen);
    redact_array(error->field, sizeof error->field, secret, slen);
    redact_array(error->request_id, sizeof error->request_id, secret, slen);
    redact_heap(&error->api_code, secret, slen);
    redact_heap(&error->api_message, secret, slen);
    redact_heap(&error->api_metadata, secret, slen);
    redact_heap(&error->body_snippet, secret, slen);
}

/* ---- rule 2: key-shaped text ----------------------------------------------------- */

static int key_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
           c == '_';
}

void or_redact_key_shaped(char *s)
{
    static const char tag[] = OR_REDACTED;
    if (!s)
        return;
    size_t before = strlen(s);
    char *p = s;
    while ((p = strstr(p, "sk-or-")) != NULL) {
        size_t run = 6;
        while (key_char(p[run]))
            run++;
        if (run - 6 < 8 && p[run] != '\0') {
            p += 6;
            continue;
        }
        if (run >= sizeof tag - 1) {
            memcpy(p, tag, sizeof tag - 1);
            memmove(p + sizeof tag - 1, p + run, strlen(p + run) + 1);
            p += sizeof tag - 1;
        } else {
            memset(p, '*', run);
            p += run;
        }
    }
    size_t after = strlen(s);
    or_wipe(s + after, before - after); /* what the shift left behind */
}
