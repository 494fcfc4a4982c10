/* openrouter-keys: RFC 4180 CSV (see csv.h). */
#include "csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"

typedef struct growbuf {
    char *p;
    size_t len, cap;
} growbuf;

static int grow(growbuf *b, size_t more)
{
    if (b->len + more + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + more + 1)
        cap *= 2;
    char *p = malloc(cap);
    if (!p)
        return -1;
    if (b->p) {
        memcpy(p, b->p, b->len);
        cli_wipe(b->p, b->cap);
        free(b->p);
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

static int put(growbuf *b, const char *s, size_t n)
{
    if (grow(b, n))
        return -1;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

void csv_free(csv_table *t)
{
    for (size_t r = 0; r < t->count; r++) {
        for (size_t f = 0; f < t->rows[r].count; f++) {
            cli_wipe(t->rows[r].fields[f], strlen(t->rows[r].fields[f]));
            free(t->rows[r].fields[f]);
        }
        free(t->rows[r].fields);
    }
    free(t->rows);
    t->rows = NULL;
    t->count = 0;
}

/* The parser's state over one file. */
typedef struct csv_reader {
    const char *s, *end;
    size_t line;
    csv_table *t;
    csv_row row; /* the record being read */
    growbuf field;
    char *why;
    size_t why_size;
} csv_reader;

static int fail(csv_reader *r, const char *what)
{
    snprintf(r->why, r->why_size, "line %zu: %s", r->line, what);
    return -1;
}

static int end_field(csv_reader *r)
{
    char **fields = realloc(r->row.fields, (r->row.count + 1) * sizeof *fields);
    if (!fields)
        return fail(r, "out of memory");
    r->row.fields = fields;
    fields[r->row.count] = r->field.p ? r->field.p : calloc(1, 1);
    if (!fields[r->row.count])
        return fail(r, "out of memory");
    r->row.count++;
    r->field.p = NULL;
    r->field.len = r->field.cap = 0;
    return 0;
}

static int end_record(csv_reader *r)
{
    csv_table *t = r->t;
    if (t->count > 0 && r->row.count != t->rows[0].count) {
        char what[96];
        snprintf(what, sizeof what, "%zu field%s where the first record has %zu", r->row.count,
                 r->row.count == 1 ? "" : "s", t->rows[0].count);
        r->line = r->row.line; /* the record's first line, not the next one */
        return fail(r, what);
    }
    csv_row *rows = realloc(t->rows, (t->count + 1) * sizeof *rows);
    if (!rows)
        return fail(r, "out of memory");
    t->rows = rows;
    rows[t->count++] = r->row;
    memset(&r->row, 0, sizeof r->row);
    return 0;
}

/* A quoted field, from just after its opening quote to just after its
 * closing one. */
static int quoted_field(csv_reader *r)
{
    size_t start_line = r->line;
    for (;;) {
        if (r->s == r->end) {
            r->line = start_line;
            return fail(r, "a quoted field is not closed");
        }
        const char *q = memchr(r->s, '"', (size_t)(r->end - r->s));
        const char *stop = q ? q : r->end;
        for (const char *p = r->s; p < stop; p++)
            if (*p == '\n')
                r->line++;
        if (put(&r->field, r->s, (size_t)(stop - r->s)))
            return fail(r, "out of memory");
        r->s = stop;
        if (!q)
            continue;
        r->s = q + 1;
        if (r->s < r->end && *r->s == '"') {
            if (put(&r->field, "\"", 1))
                return fail(r, "out of memory");
            r->s++;
            continue;
        }
        return 0;
    }
}

/* One field and the separator after it; *eor set at the end of a record. */
static int next_field(csv_reader *r, int *eor)
{
    if (grow(&r->field, 0))
        return fail(r, "out of memory");
    r->field.p[0] = '\0';
    if (r->s < r->end && *r->s == '"') {
        r->s++;
        if (quoted_field(r))
            return -1;
    } else {
        const char *p = r->s;
        while (p < r->end && *p != ',' && *p != '\n' && *p != '\r' && *p != '"')
            p++;
        if (p < r->end && *p == '"')
            return fail(r, "a double quote inside a field that does not start with one (quote the whole field "
                           "and double the quote)");
        if (put(&r->field, r->s, (size_t)(p - r->s)))
            return fail(r, "out of memory");
        r->s = p;
    }
    if (end_field(r))
        return -1;
    *eor = 1;
    if (r->s == r->end)
        return 0;
    if (*r->s == ',') {
        r->s++;
        *eor = 0;
        return 0;
    }
    if (*r->s == '\r' && r->s + 1 < r->end && r->s[1] == '\n')
        r->s++;
    if (*r->s != '\n')
        return fail(r, *r->s == '\r' ? "a carriage return not followed by a line feed"
                                     : "text after a closing double quote (a field is either quoted whole or not at all)");
    r->s++;
    r->line++;
    return 0;
}

int csv_parse(const char *text, size_t len, csv_table *out, char *why, size_t why_size)
{
    csv_reader r;
    memset(&r, 0, sizeof r);
    memset(out, 0, sizeof *out);
    r.s = text;
    r.end = text + len;
    r.line = 1;
    r.t = out;
    r.why = why;
    r.why_size = why_size;
    if (memchr(text, '\0', len)) {
        for (const char *p = text; *p; p++)
            r.line += *p == '\n';
        csv_free(out);
        return fail(&r, "a NUL byte (is this a text file?)");
    }
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        r.s += 3;
    int rc = 0;
    while (rc == 0 && r.s < r.end) {
        if (*r.s == '\n' || (*r.s == '\r' && r.s + 1 < r.end && r.s[1] == '\n')) {
            r.s += *r.s == '\r' ? 2 : 1; /* a blank line */
            r.line++;
            continue;
        }
        r.row.line = r.line;
        int eor = 0;
        while (rc == 0 && !eor)
            rc = next_field(&r, &eor);
        if (rc == 0)
            rc = end_record(&r);
    }
    if (rc) {
        csv_row partial = r.row;
        r.row = (csv_row){0};
        for (size_t f = 0; f < partial.count; f++) {
            cli_wipe(partial.fields[f], strlen(partial.fields[f]));
            free(partial.fields[f]);
        }
        free(partial.fields);
        csv_free(out);
    }
    if (r.field.p) {
        cli_wipe(r.field.p, r.field.cap);
        free(r.field.p);
    }
    return rc;
}

int csv_append_field(char **buf, size_t *len, size_t *cap, const char *field, char after)
{
    growbuf b = {*buf, *len, *cap};
    size_t n = strlen(field);
    /* Quoted too: an empty field alone on its line (else a blank line, which
     * the reader skips) and a leading byte order mark (which it drops). */
    int alone = n == 0 && after == '\n' && (b.len == 0 || b.p[b.len - 1] == '\n');
    int quote = strpbrk(field, ",\"\r\n") != NULL || (n && (field[0] == ' ' || field[n - 1] == ' ')) || alone ||
                strncmp(field, "\xef\xbb\xbf", 3) == 0;
    int rc = 0;
    if (quote)
        rc |= put(&b, "\"", 1);
    for (const char *p = field; *p && rc == 0; p++)
        rc |= *p == '"' ? put(&b, "\"\"", 2) : put(&b, p, 1);
    if (quote && rc == 0)
        rc |= put(&b, "\"", 1);
    if (rc == 0)
        rc |= put(&b, &after, 1);
    *buf = b.p;
    *len = b.len;
    *cap = b.cap;
    return rc ? -1 : 0;
}
