/* openrouter-keys: RFC 4180 CSV, read whole and written field by field, for
 * the bulk commands' input and results files. */
#ifndef OPENROUTER_KEYS_CSV_H
#define OPENROUTER_KEYS_CSV_H

#include <stddef.h>

typedef struct csv_row {
    char **fields;
    size_t count;
    size_t line; /* line of the file where the record starts, from 1 */
} csv_row;

typedef struct csv_table {
    csv_row *rows; /* the header too, when the file has one: rows[0] */
    size_t count;
} csv_table;

/* Parses `len` bytes: records end with LF or CRLF (the last one may lack
 * it), fields are split by commas, a field in double quotes may hold
 * commas, line ends and "" (one quote). A leading UTF-8 byte order mark is
 * dropped; blank lines are skipped. Every record must have as many fields
 * as the first. Returns 0, or -1 with `why` (size `why_size`) saying what
 * is wrong and on which line. A NUL byte, a quote inside an unquoted field
 * and text after a closing quote are errors. */
int csv_parse(const char *text, size_t len, csv_table *out, char *why, size_t why_size);

/* Wipes every field (they may hold secrets) and frees the table. */
void csv_free(csv_table *t);

/* Appends `field` and then the character `after` (',' or '\n') to `buf`
 * (NUL-terminated, grown as needed, old blocks wiped), the field quoted when
 * it holds a comma, a quote, CR or LF, starts or ends with a space, starts
 * with a byte order mark, or is empty and alone on its line, so csv_parse
 * reads back exactly what was written.
 * Returns 0, or -1 when out of memory. */
int csv_append_field(char **buf, size_t *len, size_t *cap, const char *field, char after);

#endif
