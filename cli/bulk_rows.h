/* openrouter-keys: a bulk file (create --from / update --from) read into
 * requests: the columns, and every row checked before anything is sent. */
#ifndef OPENROUTER_KEYS_BULK_ROWS_H
#define OPENROUTER_KEYS_BULK_ROWS_H

#include <stddef.h>

#include <openrouter/openrouter.h>

#include "csv.h"

typedef enum { BULK_CREATE, BULK_UPDATE } bulk_kind;

typedef struct bulk_row {
    size_t number;          /* data row, from 1 (the header is row 0) */
    size_t line;            /* where it starts in the file */
    const char *name;       /* create: the key's name; update: the name cell or NULL */
    const char *hash;       /* update: the key's hash (cell, or found by name) */
    const char *workspace;  /* create: workspace_id, NULL for the default one */
    openrouter_datetime_text expires; /* expires_in's time */
    openrouter_create_key_request create;
    openrouter_update_key_request update;
} bulk_row;

typedef struct bulk_input {
    bulk_kind kind;
    const char *path;
    csv_table csv;
    bulk_row *rows;
    size_t count;
    int by_name; /* update: no hash column, the name column finds the key */
} bulk_input;

/* Reads and checks `path`. Returns 0, or EXIT_USAGE after saying on stderr
 * what is wrong (file, row, line, column). */
int bulk_load(bulk_input *in, bulk_kind kind, const char *path);

/* Wipes and frees what bulk_load() allocated. */
void bulk_input_free(bulk_input *in);

#endif
