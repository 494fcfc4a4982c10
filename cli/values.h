/* openrouter-keys: the rules for a key field's value, one place for both
 * the command-line flags and the columns of a bulk file. Each function
 * fills *out and returns NULL when `v` is valid, else what the value should
 * be ("a number of US dollars or 'none'"), for the caller to put after the
 * flag or column it came from. "none" (or "null") means JSON null. */
#ifndef OPENROUTER_KEYS_VALUES_H
#define OPENROUTER_KEYS_VALUES_H

#include <stddef.h>

#include <openrouter/openrouter.h>

int value_is_none(const char *v);

const char *value_limit(const char *v, openrouter_number *out);
const char *value_limit_reset(const char *v, openrouter_limit_reset_value *out);
/* true or false */
const char *value_bool(const char *v, openrouter_bool *out);
/* An RFC 3339 time in UTC, or none. `out` points into `v`. */
const char *value_expires_at(const char *v, openrouter_datetime *out);
/* A duration from now ("30d", "1d12h"); the time is written to `when`,
 * which `out` then points into. */
const char *value_expires_in(const char *v, openrouter_datetime_text *when, openrouter_datetime *out);
/* Any text, or none. `out` points into `v`. */
void value_string_or_null(const char *v, openrouter_string *out);

#endif
