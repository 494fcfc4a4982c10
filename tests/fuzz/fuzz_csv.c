/* libFuzzer target: the bulk commands' CSV reader and writer (cli/csv.c).
 *
 * Any input either parses or fails with a message naming a line. A table
 * that parsed is written back with csv_append_field and parsed again: the
 * same records with the same fields must come back (abort otherwise), and
 * the text written must parse the same way a second time. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../cli/csv.h"

static void check(int ok)
{
    if (!ok)
        abort();
}

static char *write_table(const csv_table *t, size_t *len)
{
    char *buf = NULL;
    size_t cap = 0;
    *len = 0;
    for (size_t r = 0; r < t->count; r++)
        for (size_t f = 0; f < t->rows[r].count; f++)
            check(csv_append_field(&buf, len, &cap, t->rows[r].fields[f],
                                   f + 1 < t->rows[r].count ? ',' : '\n') == 0);
    return buf;
}

static void same_records(const csv_table *a, const csv_table *b)
{
    check(a->count == b->count);
    for (size_t r = 0; r < a->count; r++) {
        check(a->rows[r].count == b->rows[r].count);
        for (size_t f = 0; f < a->rows[r].count; f++)
            check(strcmp(a->rows[r].fields[f], b->rows[r].fields[f]) == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    csv_table t = {0}, again = {0};
    char why[256] = "";
    if (csv_parse((const char *)data, size, &t, why, sizeof why) != 0) {
        check(why[0] != '\0' && memchr(why, '\0', sizeof why) != NULL);
        csv_free(&t);
        return 0;
    }
    for (size_t r = 1; r < t.count; r++)
        check(t.rows[r].count == t.rows[0].count && t.rows[r].line > t.rows[r - 1].line);
    size_t len = 0;
    char *text = write_table(&t, &len); /* NULL for a table without records */
    check(t.count == 0 || (text != NULL && strlen(text) == len));
    check(csv_parse(text ? text : "", len, &again, why, sizeof why) == 0);
    same_records(&t, &again);
    free(text);
    csv_free(&t);
    csv_free(&again);
    return 0;
}
