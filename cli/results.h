/* openrouter-keys: the results file of a bulk command, mode 0600, one CSV
 * record per event of a row, each written and fsync'ed before the event is
 * reported:  row,status,name,hash,key,detail
 * The last record of a row is where it stands; a re-run reads them back
 * (docs/BULK.md). When every row is settled the file is compacted to one
 * record per row. */
#ifndef OPENROUTER_KEYS_RESULTS_H
#define OPENROUTER_KEYS_RESULTS_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    RS_NONE,      /* no record */
    RS_PENDING,   /* a create is about to be sent (detail: when) */
    RS_UNKNOWN,   /* a create may or may not have happened (its answer was lost) */
    RS_CREATED,   /* hash and key: the secret */
    RS_EXISTS,    /* the key was on the server already: skipped */
    RS_ORPHAN,    /* a key of ours whose answer was lost, deleted to be made again (hash) */
    RS_LOST,      /* the same kept as it is (--keep-lost): hash, no secret */
    RS_UPDATED,
    RS_FAILED,    /* detail: why; a re-run tries again */
    RS_COUNT
} result_status;

typedef struct result_state {
    result_status status;
    char *hash;        /* of the last record that had one */
    int64_t since_us;  /* RS_PENDING / RS_UNKNOWN: when the create was first sent */
} result_state;

typedef struct results {
    int fd;
    const char *path;
    result_state *rows; /* [row number - 1] */
    size_t count;
} results;

/* The default results path for input `path`: keys.csv -> keys.results.csv.
 * Caller frees. */
char *results_default_path(const char *input);

/* Opens `path`: created with mode 0600 (O_EXCL) or, when it exists, an own
 * regular file no one else can read, whose records are read back into
 * r->rows. `ids` are the input's row identities, checked against each
 * record's name (or hash, when `by_hash`) so a file of another input is
 * refused. Returns 0, or EXIT_USAGE after saying why on stderr. */
int results_open(results *r, const char *path, size_t n_rows, const char *const *ids, int by_hash);

/* Appends one record and fsyncs it; 0, or -1 after saying why on stderr
 * (the caller stops: nothing may be reported that is not on disk). */
int results_write(results *r, size_t row, result_status st, const char *name, const char *hash, const char *key,
                  const char *detail);

/* Once every row is settled: rewrites the file as one record per row (its
 * last; a row whose earlier keys were deleted lists their hashes in
 * detail, "replaced HASH ..."), through a 0600 temporary file that is
 * synced and renamed over it, so a crash leaves one whole file or the
 * other. 0, or -1 after saying why on stderr (the file is then as it was). */
int results_compact(results *r);

const char *result_status_name(result_status st);

void results_close(results *r);

#endif
