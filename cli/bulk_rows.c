/* openrouter-keys: a bulk file read into requests (see bulk_rows.h).
 *
 * Columns are named by the header row; an empty cell leaves the field out,
 * "none" sends null, as the flags do. Nothing is sent before every row
 * passed: the column rules here (values.c, as for the flags), then the
 * library's own validation of the body it would send. */
#define _POSIX_C_SOURCE 200809L
#include "bulk_rows.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_args.h"
#include "cli_util.h"
#include "values.h"

enum col {
    COL_HASH, COL_NAME, COL_LIMIT, COL_LIMIT_RESET, COL_INCLUDE_BYOK, COL_EXPIRES_AT, COL_EXPIRES_IN,
    COL_CREATOR_USER_ID, COL_WORKSPACE_ID, COL_EXTERNAL_USER, COL_EXTERNAL_API_KEY, COL_DISABLED, N_COLS
};

#define FOR_CREATE 1u
#define FOR_UPDATE 2u

static const struct column {
    const char *name;
    unsigned kinds;
    int secret; /* its value is never echoed */
} columns[N_COLS] = {
    [COL_HASH] = {"hash", FOR_UPDATE, 0},
    [COL_NAME] = {"name", FOR_CREATE | FOR_UPDATE, 0},
    [COL_LIMIT] = {"limit", FOR_CREATE | FOR_UPDATE, 0},
    [COL_LIMIT_RESET] = {"limit_reset", FOR_CREATE | FOR_UPDATE, 0},
    [COL_INCLUDE_BYOK] = {"include_byok_in_limit", FOR_CREATE | FOR_UPDATE, 0},
    [COL_EXPIRES_AT] = {"expires_at", FOR_CREATE, 0},
    [COL_EXPIRES_IN] = {"expires_in", FOR_CREATE, 0},
    [COL_CREATOR_USER_ID] = {"creator_user_id", FOR_CREATE, 0},
    [COL_WORKSPACE_ID] = {"workspace_id", FOR_CREATE | FOR_UPDATE, 0}, /* update: where a name is looked up */
    [COL_EXTERNAL_USER] = {"external_user", FOR_CREATE, 0},
    [COL_EXTERNAL_API_KEY] = {"external_api_key", FOR_CREATE, 1},
    [COL_DISABLED] = {"disabled", FOR_UPDATE, 0},
};

static unsigned kind_bit(bulk_kind k) { return k == BULK_CREATE ? FOR_CREATE : FOR_UPDATE; }

/* "openrouter-keys: FILE: row 3 (line 4), column limit: ..." */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static int row_error(const bulk_input *in, const bulk_row *row, const char *column, const char *fmt, ...)
{
    fprintf(stderr, PROG ": ");
    put_clean(stderr, in->path);
    if (row)
        fprintf(stderr, ": row %zu (line %zu)", row->number, row->line);
    if (column)
        fprintf(stderr, ", column %s", column);
    fputs(": ", stderr);
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    put_clean(stderr, msg);
    fputs("\nNothing was sent.\n", stderr);
    return EXIT_USAGE;
}

/* Column index of each header cell into *map (-1: not there). */
static int map_header(const bulk_input *in, int map[N_COLS])
{
    const csv_row *h = &in->csv.rows[0];
    for (int c = 0; c < N_COLS; c++)
        map[c] = -1;
    for (size_t f = 0; f < h->count; f++) {
        char name[64];
        snprintf(name, sizeof name, "%s", h->fields[f]);
        for (char *p = name; *p; p++)
            if (*p == '-')
                *p = '_'; /* the flags' spelling works too */
        int found = -1;
        for (int c = 0; c < N_COLS; c++)
            if (strcmp(columns[c].name, name) == 0 && (columns[c].kinds & kind_bit(in->kind)))
                found = c;
        if (found < 0) {
            char known[400] = "";
            for (int c = 0; c < N_COLS; c++)
                if (columns[c].kinds & kind_bit(in->kind))
                    snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", *known ? ", " : "",
                             columns[c].name);
            return row_error(in, NULL, NULL, "unknown column '%s' in the header (line %zu); %s --from knows: %s",
                             h->fields[f], h->line, in->kind == BULK_CREATE ? "create" : "update", known);
        }
        if (map[found] >= 0)
            return row_error(in, NULL, NULL, "column '%s' appears twice in the header", columns[found].name);
        map[found] = (int)f;
    }
    if (in->kind == BULK_CREATE && map[COL_NAME] < 0)
        return row_error(in, NULL, NULL, "the header has no 'name' column (every key needs a name)");
    if (in->kind == BULK_UPDATE && map[COL_HASH] < 0 && map[COL_NAME] < 0)
        return row_error(in, NULL, NULL, "the header needs a 'hash' column, or a 'name' column to find keys by name");
    return 0;
}

/* A bad value: the expectation, and the value unless it is a secret. */
static int bad_value(const bulk_input *in, const bulk_row *row, int col, const char *want, const char *v)
{
    if (columns[col].secret)
        return row_error(in, row, columns[col].name, "expects %s", want);
    return row_error(in, row, columns[col].name, "expects %s, got '%s'", want, v);
}

/* Fills the create request of one row from its cells. */
static int fill_create(const bulk_input *in, bulk_row *row, const char *const cell[N_COLS])
{
    openrouter_create_key_body *b = &row->create.body;
    const char *want = NULL;
    if (!cell[COL_NAME])
        return row_error(in, row, "name", "empty: every key needs a name");
    row->name = cell[COL_NAME];
    b->name = OPENROUTER_STRING(row->name);
    if (cell[COL_LIMIT] && (want = value_limit(cell[COL_LIMIT], &b->limit)))
        return bad_value(in, row, COL_LIMIT, want, cell[COL_LIMIT]);
    if (cell[COL_LIMIT_RESET] && (want = value_limit_reset(cell[COL_LIMIT_RESET], &b->limit_reset)))
        return bad_value(in, row, COL_LIMIT_RESET, want, cell[COL_LIMIT_RESET]);
    if (cell[COL_INCLUDE_BYOK] && (want = value_bool(cell[COL_INCLUDE_BYOK], &b->include_byok_in_limit)))
        return bad_value(in, row, COL_INCLUDE_BYOK, want, cell[COL_INCLUDE_BYOK]);
    if (cell[COL_EXPIRES_AT] && cell[COL_EXPIRES_IN])
        return row_error(in, row, "expires_in", "give only one of expires_at and expires_in in a row");
    if (cell[COL_EXPIRES_AT] && (want = value_expires_at(cell[COL_EXPIRES_AT], &b->expires_at)))
        return bad_value(in, row, COL_EXPIRES_AT, want, cell[COL_EXPIRES_AT]);
    if (cell[COL_EXPIRES_IN] &&
        (want = value_expires_in(cell[COL_EXPIRES_IN], &row->expires, &b->expires_at)))
        return bad_value(in, row, COL_EXPIRES_IN, want, cell[COL_EXPIRES_IN]);
    if (cell[COL_CREATOR_USER_ID])
        value_string_or_null(cell[COL_CREATOR_USER_ID], &b->creator_user_id);
    if (cell[COL_WORKSPACE_ID]) {
        row->workspace = cell[COL_WORKSPACE_ID];
        b->workspace_id = OPENROUTER_STRING(row->workspace);
    }
    if (cell[COL_EXTERNAL_API_KEY] && !cell[COL_EXTERNAL_USER])
        return row_error(in, row, "external_api_key", "needs external_user in the same row");
    if (cell[COL_EXTERNAL_USER]) {
        b->external.state = OPENROUTER_PRESENT;
        b->external.value.user = OPENROUTER_STRING(cell[COL_EXTERNAL_USER]);
        if (cell[COL_EXTERNAL_API_KEY])
            b->external.value.api_key = OPENROUTER_STRING(cell[COL_EXTERNAL_API_KEY]);
    }
    return 0;
}

static int fill_update(const bulk_input *in, bulk_row *row, const char *const cell[N_COLS])
{
    openrouter_update_key_body *b = &row->update.body;
    const char *want = NULL;
    int fields = 0;
    row->name = cell[COL_NAME];
    if (!in->by_name) {
        if (!cell[COL_HASH])
            return row_error(in, row, "hash", "empty: every row names the key to change");
        row->hash = row->update.hash = cell[COL_HASH];
        if (row->name && ++fields)
            b->name = OPENROUTER_STRING(row->name);
    } else if (!row->name) {
        return row_error(in, row, "name", "empty: without a hash column, the name finds the key");
    }
    if (cell[COL_WORKSPACE_ID] && !in->by_name)
        return row_error(in, row, "workspace_id",
                         "only finds a key by name (without a hash column); a key's workspace cannot change");
    row->workspace = cell[COL_WORKSPACE_ID];
    if (cell[COL_DISABLED] && ++fields && (want = value_bool(cell[COL_DISABLED], &b->disabled)))
        return bad_value(in, row, COL_DISABLED, want, cell[COL_DISABLED]);
    if (cell[COL_LIMIT] && ++fields && (want = value_limit(cell[COL_LIMIT], &b->limit)))
        return bad_value(in, row, COL_LIMIT, want, cell[COL_LIMIT]);
    if (cell[COL_LIMIT_RESET] && ++fields && (want = value_limit_reset(cell[COL_LIMIT_RESET], &b->limit_reset)))
        return bad_value(in, row, COL_LIMIT_RESET, want, cell[COL_LIMIT_RESET]);
    if (cell[COL_INCLUDE_BYOK] && ++fields &&
        (want = value_bool(cell[COL_INCLUDE_BYOK], &b->include_byok_in_limit)))
        return bad_value(in, row, COL_INCLUDE_BYOK, want, cell[COL_INCLUDE_BYOK]);
    if (!fields)
        return row_error(in, row, NULL, "nothing to change: every cell but the key's %s is empty",
                         in->by_name ? "name" : "hash");
    return 0;
}

/* The library's validation of the body the row would send (lengths,
 * ranges, UTF-8, date-times), named by the column at fault. */
static int library_check(const bulk_input *in, const bulk_row *row)
{
    openrouter_error err = OPENROUTER_ERROR_INIT;
    char *json = NULL;
    size_t len = 0;
    int rc = in->kind == BULK_CREATE ? openrouter_create_key_body_encode(&row->create.body, &json, &len, &err)
                                     : openrouter_update_key_body_encode(&row->update.body, &json, &len, &err);
    openrouter_buffer_free(json);
    if (rc == OPENROUTER_OK)
        return 0;
    char column[sizeof err.field + 16];
    snprintf(column, sizeof column, "%s", err.field[0] ? err.field : "?");
    if (strcmp(column, "external.user") == 0 || strcmp(column, "external.api_key") == 0)
        column[8] = '_'; /* the column's name */
    rc = row_error(in, row, column, "%s", err.message);
    openrouter_error_clear(&err);
    return rc;
}

/* Names (per workspace) or hashes identify rows for resuming, so
 * no two rows may share one. Quadratic, which is fine for the sizes a
 * file of keys has and keeps the rule obvious. */
static int check_unique(const bulk_input *in)
{
    for (size_t i = 0; i < in->count; i++)
        for (size_t j = 0; j < i; j++) {
            const bulk_row *a = &in->rows[j], *b = &in->rows[i];
            const char *ka = in->kind == BULK_UPDATE && !in->by_name ? a->hash : a->name;
            const char *kb = in->kind == BULK_UPDATE && !in->by_name ? b->hash : b->name;
            const char *wa = a->workspace ? a->workspace : "", *wb = b->workspace ? b->workspace : "";
            if (strcmp(ka, kb) == 0 && strcmp(wa, wb) == 0)
                return row_error(in, b, in->kind == BULK_UPDATE && !in->by_name ? "hash" : "name",
                                 "'%s' is also row %zu's: each row must name a different key (names identify "
                                 "the keys when a run resumes)", kb, a->number);
        }
    return 0;
}

static int read_file(const char *path, char **text, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f)
        return -1;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *bigger = malloc(cap * 2);
            if (bigger)
                memcpy(bigger, buf, n);
            cli_wipe(buf, cap);
            free(buf);
            buf = bigger;
            cap *= 2;
        }
    }
    int failed = !buf || ferror(f);
    if (f != stdin)
        fclose(f);
    if (failed) {
        if (buf)
            cli_wipe(buf, cap);
        free(buf);
        errno = buf ? EIO : ENOMEM;
        return -1;
    }
    *text = buf;
    *len = n;
    return 0;
}

static int load_rows(bulk_input *in)
{
    int map[N_COLS];
    if (map_header(in, map))
        return EXIT_USAGE;
    in->by_name = in->kind == BULK_UPDATE && map[COL_HASH] < 0;
    in->count = in->csv.count - 1;
    in->rows = calloc(in->count ? in->count : 1, sizeof *in->rows);
    if (!in->rows)
        return row_error(in, NULL, NULL, "out of memory");
    for (size_t r = 0; r < in->count; r++) {
        bulk_row *row = &in->rows[r];
        const csv_row *cells = &in->csv.rows[r + 1];
        const char *cell[N_COLS];
        row->number = r + 1;
        row->line = cells->line;
        for (int c = 0; c < N_COLS; c++)
            cell[c] = map[c] >= 0 && cells->fields[map[c]][0] ? cells->fields[map[c]] : NULL;
        int rc = in->kind == BULK_CREATE ? fill_create(in, row, cell) : fill_update(in, row, cell);
        if (rc || library_check(in, row))
            return EXIT_USAGE;
    }
    return check_unique(in);
}

int bulk_load(bulk_input *in, bulk_kind kind, const char *path)
{
    memset(in, 0, sizeof *in);
    in->kind = kind;
    in->path = path;
    char *text = NULL, why[200];
    size_t len = 0;
    if (read_file(path, &text, &len) != 0)
        return row_error(in, NULL, NULL, "cannot read it: %s", strerror(errno));
    int rc = csv_parse(text, len, &in->csv, why, sizeof why);
    cli_wipe(text, len);
    free(text);
    if (rc != 0)
        return row_error(in, NULL, NULL, "not valid CSV (RFC 4180): %s", why);
    if (in->csv.count < 2)
        return row_error(in, NULL, NULL, "%s", in->csv.count ? "a header row and no keys" : "empty");
    return load_rows(in);
}

void bulk_input_free(bulk_input *in)
{
    csv_free(&in->csv);
    free(in->rows);
    in->rows = NULL;
    in->count = 0;
}
