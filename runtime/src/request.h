/* openrouter-c: the text a request is made of (request.c): the one rule for
 * text sent unencoded, parameters as text, the default headers.
 * Runtime-private; not installed. */
#ifndef OPENROUTER_REQUEST_H
#define OPENROUTER_REQUEST_H

#include "internal.h"

struct curl_slist;

/* The one control-character check, for text that reaches a header or the
 * URL without percent-encoding: header values (header parameters and the
 * client's header options), the API key, the base URL, and path parameters
 * (refused rather than escaped: no key hash holds one).
 * Query values are exempt: they are percent-encoded, any byte is fine.
 *
 * OR_WIRE_VALUE: no C0 control (0x00-0x1F, HTAB included) and no DEL.
 *   RFC 9110 allows HTAB inside a header value but not in a URL; it is
 *   refused in headers too: no header this library sends needs one, a
 *   leading or trailing one would be stripped by the receiver (so not sent
 *   exactly), and one rule for headers and URLs is simpler to audit.
 * OR_WIRE_TOKEN: the same, and no space either: for text that a space
 *   would end (the key in "Authorization: Bearer <key>", a URL).
 * Bytes from 0x80 up pass (UTF-8 is validated where it matters).
 * Returns 1 when s[0..n) may be sent, 0 when it must be refused. */
#define OR_WIRE_VALUE 0
#define OR_WIRE_TOKEN 1
int or_wire_text_ok(const char *s, size_t n, int rule);

/* The rule for extra header names (openrouter_header): an RFC 9110 token,
 * non-empty. 1 when `name` may be sent. */
int or_header_name_ok(const char *name);
/* Checks extra headers before anything is sent: names (the rule above,
 * none reserved: Authorization, framing, what options or `op`'s header
 * parameters set; `op` may be NULL), no name twice, values by
 * or_wire_text_ok. EINVAL with field "<what>[i].name" or "...value" (values
 * are never quoted), or OPENROUTER_OK. */
int or_headers_check(const openrouter_header *headers, size_t count, const char *what,
                     const openrouter_operation_desc *op, openrouter_error *error);

/* Validates one scalar/enum parameter slot (min/max, UTF-8, the rule above
 * for path and header values) and formats it as text into `out` (reset
 * first). Returns OPENROUTER_OK, or OPENROUTER_EINVAL naming the parameter,
 * or OR_PARAM_ABSENT (positive) when an optional query/header slot is ABSENT
 * or NULL: leave the parameter out. For path params `slot` points at the
 * `char *` member. */
#define OR_PARAM_ABSENT 1
int or_param_to_text(const openrouter_param_desc *param, const void *slot, or_buf *out,
                     openrouter_error *error);

/* The headers every request carries (Authorization, Accept, User-Agent
 * with its suffix, the app attribution headers, the client's extra headers,
 * no "Expect:"), from checked options (the current version's struct).
 * 0, or -1 on OOM. Free with or_slist_free_wiped (it holds the key). */
int or_default_headers(const openrouter_client_options *o, const char *api_key, size_t api_key_len,
                       struct curl_slist **out);

#endif
