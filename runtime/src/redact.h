/* openrouter-c: keeping secrets out of everything the library shows
 * (redact.c). Runtime-private; not installed.
 *
 * Two rules, and only these:
 *
 * 1. The client's API key. Every occurrence becomes "[REDACTED]". So does
 *    a cut-off piece of it at the very end of a string (the string was
 *    truncated mid-key): a proper prefix of the key at least
 *    max(12, len/2) bytes long (the whole key if shorter). Applied to every
 *    string of a failed call's openrouter_error, to every log line, to the
 *    URL traces and logs show, and to an error response body before it is
 *    parsed. When memory is short the same bytes are overwritten with '*'
 *    in place instead, so the key is never shown either way.
 *
 * 2. Key-shaped text: "sk-or-" followed by a run of key characters
 *    ([A-Za-z0-9_-]) at least 8 long, or running to the end of the string
 *    (a key cut by a length limit). The whole match becomes "[REDACTED]"
 *    (or '*'s when the match is shorter than that; the string never grows).
 *    Key labels such as "sk-or-v1-abc...xyz" do not match. Applied, in
 *    place, to what a server sent in an error (api_code, api_message,
 *    api_metadata, body_snippet): it may echo any key, or a created key's
 *    secret, that rule 1 does not know. */
#ifndef OPENROUTER_REDACT_H
#define OPENROUTER_REDACT_H

#include "internal.h"

#define OR_REDACTED "[REDACTED]"

/* Rule 1 on every string of the error (message, field, request_id,
 * api_code, api_message, api_metadata, body_snippet). NULL-safe. */
void or_redact_error(openrouter_error *error, const char *secret);
/* Rule 1 on a buffer (may reallocate it). 0, or -1 when memory was short
 * (then masked in place). */
int or_redact_buf(or_buf *b, const char *secret);
/* Rule 1 on s[0..n): *copy is NULL when there is nothing to redact, else an
 * or_malloc'd redacted copy. 0, or -1 on OOM (*copy NULL). */
int or_redact_dup(const char *s, size_t n, const char *secret, size_t slen, char **copy);
/* Rule 2, in place. NULL-safe. */
void or_redact_key_shaped(char *s);

#endif
