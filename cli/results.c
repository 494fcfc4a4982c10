/* openrouter-keys: the bulk results file (see results.h). */
#define _POSIX_C_SOURCE 200809L
#include "results.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openrouter/openrouter.h>

#include "cli_args.h"
#include "cli_util.h"
#include "csv.h"

static const char *const status_names[RS_COUNT] = {
    [RS_NONE] = "", [RS_PENDING] = "pending", [RS_UNKNOWN] = "unknown", [RS_CREATED] = "created",
    [RS_EXISTS] = "exists", [RS_ORPHAN] = "deleted-orphan", [RS_LOST] = "lost", [RS_UPDATED] = "updated", [RS_FAILED] = "failed",
};

#define HEADER "row,status,name,hash,key,detail\n"
enum { F_ROW, F_STATUS, F_NAME, F_HASH, F_KEY, F_DETAIL, N_FIELDS };
static const char *const field_names[N_FIELDS] = {"row", "status", "name", "hash", "key", "detail"};

const char *result_status_name(result_status st) { return status_names[st]; }

char *results_default_path(const char *input)
{
    const char *base = strcmp(input, "-") == 0 ? "stdin" : input;
    size_t n = strlen(base);
    if (n > 4 && strcmp(base + n - 4, ".csv") == 0)
        n -= 4;
    char *out = malloc(n + sizeof ".results.csv");
    if (!out)
        return NULL;
    memcpy(out, base, n);
    strcpy(out + n, ".results.csv");
    return out;
}

static int refuse(const results *r, const char *why)
{
    fputs(PROG ": results file '", stderr);
    put_clean(stderr, r->path);
    fprintf(stderr, "': %s\n", why);
    return EXIT_USAGE;
}

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* One record read back into r->rows. */
static int take_record(results *r, const csv_row *rec, const char *const *ids, int by_hash)
{
    char why[300];
    char *end = NULL;
    unsigned long long row = strtoull(rec->fields[F_ROW], &end, 10);
    int st = RS_COUNT;
    for (int s = RS_PENDING; s < RS_COUNT; s++)
        if (strcmp(rec->fields[F_STATUS], status_names[s]) == 0)
            st = s;
    if (*end || row < 1 || row > r->count || st == RS_COUNT) {
        snprintf(why, sizeof why, "line %zu is not a record this tool writes", rec->line);
        return refuse(r, why);
    }
    const char *id = rec->fields[by_hash ? F_HASH : F_NAME];
    if (strcmp(id, ids[row - 1]) != 0) {
        snprintf(why, sizeof why, "line %zu is about row %llu as '%.80s', but that row is '%.80s' in the input: "
                                  "these results belong to another file (give --results)",
                 rec->line, row, id, ids[row - 1]);
        return refuse(r, why);
    }
    result_state *s = &r->rows[row - 1];
    if (st == RS_PENDING || (st == RS_UNKNOWN && s->status != RS_PENDING && s->status != RS_UNKNOWN)) {
        int64_t us = 0;
        s->since_us = openrouter_datetime_parse(rec->fields[F_DETAIL], &us, NULL) == 0 ? us : 0;
    }
    s->status = (result_status)st;
    if (rec->fields[F_HASH][0]) {
        free(s->hash);
        s->hash = xstrdup(rec->fields[F_HASH]);
    }
    return 0;
}

/* Reads the records back; a last line cut short by a crash is dropped
 * (truncated away, so the next record starts on a line of its own). */
static int read_back(results *r, const char *const *ids, int by_hash)
{
    struct stat st;
    if (fstat(r->fd, &st) != 0)
        return refuse(r, strerror(errno));
    size_t len = (size_t)st.st_size;
    char *text = malloc(len + 1);
    if (!text)
        return refuse(r, "out of memory");
    ssize_t got = pread(r->fd, text, len, 0);
    if (got < 0 || (size_t)got != len) {
        free(text);
        return refuse(r, "cannot read it back");
    }
    while (len > 0 && text[len - 1] != '\n')
        len--;
    int rc = 0;
    if (len != (size_t)st.st_size && ftruncate(r->fd, (off_t)len) != 0)
        rc = refuse(r, strerror(errno));
    csv_table t;
    char why[200];
    if (rc == 0 && len == 0) {
        if (write(r->fd, HEADER, sizeof HEADER - 1) != (ssize_t)(sizeof HEADER - 1) || fsync(r->fd) != 0)
            rc = refuse(r, strerror(errno));
    } else if (rc == 0 && csv_parse(text, len, &t, why, sizeof why) != 0) {
        rc = refuse(r, why);
    } else if (rc == 0) {
        if (t.rows[0].count != N_FIELDS || strcmp(t.rows[0].fields[F_ROW], "row") != 0)
            rc = refuse(r, "not a results file of this tool (its header is not " "row,status,name,hash,key,detail)");
        for (size_t i = 1; rc == 0 && i < t.count; i++)
            rc = take_record(r, &t.rows[i], ids, by_hash);
        csv_free(&t);
    }
    cli_wipe(text, (size_t)st.st_size);
    free(text);
    return rc;
}

/* One run per results file at a time: two would create the same rows. */
static int lock(results *r)
{
    if (flock(r->fd, LOCK_EX | LOCK_NB) == 0)
        return 0;
    return refuse(r, errno == EWOULDBLOCK ? "in use by another run (another openrouter-keys holds its lock)"
                                          : strerror(errno));
}

/* Syncs the directory holding `path`, so a new file's name survives a
 * crash as its records do. */
static int sync_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    int fd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    free(dir);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

int results_open(results *r, const char *path, size_t n_rows, const char *const *ids, int by_hash)
{
    memset(r, 0, sizeof *r);
    r->fd = -1;
    r->path = path;
    r->count = n_rows;
    r->rows = calloc(n_rows ? n_rows : 1, sizeof *r->rows);
    if (!r->rows)
        return refuse(r, "out of memory");
    /* Created here: 0600 from the start, never a moment readable by others. */
    r->fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (r->fd >= 0) {
        if (lock(r) != 0)
            return EXIT_USAGE;
        if (write(r->fd, HEADER, sizeof HEADER - 1) != (ssize_t)(sizeof HEADER - 1) || fsync(r->fd) != 0 ||
            sync_dir(path) != 0)
            return refuse(r, strerror(errno));
        return 0;
    }
    if (errno != EEXIST)
        return refuse(r, strerror(errno));
    r->fd = open(path, O_RDWR | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
    if (r->fd < 0)
        return refuse(r, strerror(errno));
    struct stat st;
    if (fstat(r->fd, &st) != 0)
        return refuse(r, strerror(errno));
    if (lock(r) != 0)
        return EXIT_USAGE;
    if (!S_ISREG(st.st_mode))
        return refuse(r, "not a regular file");
    if (st.st_uid != geteuid())
        return refuse(r, "owned by another user; it holds secrets, so this tool writes only its own files");
    if (st.st_mode & 077) {
        char why[200];
        snprintf(why, sizeof why, "mode %04o lets others read or write it and it holds secrets; "
                                  "'chmod 600' it (and check who read it) or give another --results",
                 (unsigned)(st.st_mode & 07777));
        return refuse(r, why);
    }
    return read_back(r, ids, by_hash);
}

int results_write(results *r, size_t row, result_status st, const char *name, const char *hash, const char *key,
                  const char *detail)
{
    result_state *s = &r->rows[row - 1];
    char when[OPENROUTER_DATETIME_BUFSIZE] = "", number[32];
    if (st == RS_PENDING) {
        s->since_us = now_us();
        openrouter_datetime_format(s->since_us, when, sizeof when);
        detail = when;
    }
    snprintf(number, sizeof number, "%zu", row);
    const char *fields[N_FIELDS] = {number, status_names[st], name, hash ? hash : "", key ? key : "",
                                    detail ? detail : ""};
    char *line = NULL;
    size_t len = 0, cap = 0;
    int rc = 0;
    for (int f = 0; f < N_FIELDS && rc == 0; f++)
        rc = csv_append_field(&line, &len, &cap, fields[f], f == N_FIELDS - 1 ? '\n' : ',');
    /* One write (O_APPEND) and fsync: the record is on disk before the
     * caller reports it or writes the next. */
    if (rc == 0 && (write(r->fd, line, len) != (ssize_t)len || fsync(r->fd) != 0))
        rc = -1;
    if (line) {
        cli_wipe(line, cap);
        free(line);
    }
    if (rc) {
        fputs(PROG ": cannot write the results file '", stderr);
        put_clean(stderr, r->path);
        fprintf(stderr, "': %s; stopping\n", strerror(errno));
        return -1;
    }
    s->status = st;
    if (hash) {
        free(s->hash);
        s->hash = xstrdup(hash);
    }
    return 0;
}

/* The compacted text: the header, then each row's last record, with the
 * hashes of the keys it deleted in its detail. */
static int compact_text(const csv_table *t, size_t n_rows, char **out, size_t *len)
{
    const csv_row **last = calloc(n_rows ? n_rows : 1, sizeof *last);
    char **replaced = calloc(n_rows ? n_rows : 1, sizeof *replaced);
    size_t cap = 0;
    int rc = last && replaced ? 0 : -1;
    *out = NULL;
    *len = 0;
    for (size_t i = 1; rc == 0 && i < t->count; i++) {
        const csv_row *rec = &t->rows[i];
        size_t row = (size_t)strtoull(rec->fields[F_ROW], NULL, 10) - 1; /* checked when read back */
        last[row] = rec;
        if (strcmp(rec->fields[F_STATUS], status_names[RS_ORPHAN]) == 0) {
            size_t had = replaced[row] ? strlen(replaced[row]) : 0;
            char *more = realloc(replaced[row], had + strlen(rec->fields[F_HASH]) + 10);
            if (!more) {
                rc = -1;
                break;
            }
            sprintf(more + had, "%s%s", had ? " " : "replaced ", rec->fields[F_HASH]);
            replaced[row] = more;
        }
    }
    for (int f = F_ROW; rc == 0 && f < N_FIELDS; f++)
        rc = csv_append_field(out, len, &cap, field_names[f], f == N_FIELDS - 1 ? '\n' : ',');
    for (size_t row = 0; rc == 0 && row < n_rows; row++)
        for (int f = F_ROW; rc == 0 && last[row] && f < N_FIELDS; f++) {
            const char *v = f == F_DETAIL && replaced[row] ? replaced[row] : last[row]->fields[f];
            rc = csv_append_field(out, len, &cap, v, f == N_FIELDS - 1 ? '\n' : ',');
        }
    for (size_t row = 0; replaced && row < n_rows; row++)
        free(replaced[row]);
    free(replaced);
    free(last);
    return rc;
}

int results_compact(results *r)
{
    struct stat st;
    if (fstat(r->fd, &st) != 0) {
        refuse(r, strerror(errno));
        return -1;
    }
    size_t size = (size_t)st.st_size, len = 0;
    char *text = malloc(size + 1), *out = NULL, why[200];
    csv_table t = {0};
    char *tmp = malloc(strlen(r->path) + sizeof ".compact");
    int fd = -1, rc = text && tmp && pread(r->fd, text, size, 0) == (ssize_t)size ? 0 : -1;
    if (rc == 0)
        rc = csv_parse(text, size, &t, why, sizeof why);
    if (rc == 0)
        rc = compact_text(&t, r->count, &out, &len);
    if (rc == 0) {
        sprintf(tmp, "%s.compact", r->path);
        unlink(tmp); /* a stale one from a crash: the file itself still holds everything */
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        rc = fd >= 0 && write(fd, out, len) == (ssize_t)len && fsync(fd) == 0 ? 0 : -1;
    }
    if (fd >= 0 && close(fd) != 0)
        rc = -1;
    if (rc == 0)
        rc = rename(tmp, r->path) == 0 && sync_dir(r->path) == 0 ? 0 : -1;
    if (rc != 0) {
        if (fd >= 0)
            unlink(tmp);
        refuse(r, "could not compact it to one record per row; it is whole as it was");
    }
    if (text)
        cli_wipe(text, size);
    if (out)
        cli_wipe(out, len);
    free(text);
    free(out);
    free(tmp);
    csv_free(&t);
    return rc;
}

void results_close(results *r)
{
    if (r->fd >= 0)
        close(r->fd);
    for (size_t i = 0; i < r->count && r->rows; i++)
        free(r->rows[i].hash);
    free(r->rows);
    r->rows = NULL;
}
