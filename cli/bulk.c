/* openrouter-keys: create --from / update --from (see bulk.h; the rules a
 * user relies on are in docs/BULK.md).
 *
 * A create is never sent twice for a row: its "pending" record is on disk
 * before the request leaves, so after any crash the row is known to be in
 * doubt, and a key in doubt is looked for by listing before anything else
 * is sent for it. A key found that way is ours whose answer was lost: its
 * secret cannot be fetched again, so it is deleted (recorded first) and
 * made anew, and the file ends up with a secret for every key. Results are
 * written and fsync'ed before they are reported. Calls run on one
 * non-blocking handle, at most --concurrency at once. */
#define _POSIX_C_SOURCE 200809L
#include "bulk.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openrouter/async.h>
#include <openrouter/pagination.h>

#include "bulk_rows.h"
#include "cli_util.h"
#include "results.h"

/* Passes over the rows in one run: the first, then again for creates whose
 * answer was lost and that the listing showed never happened. */
#define MAX_ROUNDS 4
/* A key found in doubt is taken for ours only if it was created no earlier
 * than this before our request (clocks of client and server differ). */
#define CLOCK_SLACK_US (10LL * 60 * 1000000)
#define EXIT_INTERRUPTED 130

typedef struct bulk bulk;

typedef struct row_ctx {
    bulk *b;
    size_t i; /* index into in.rows */
} row_ctx;

struct bulk {
    bulk_input in;
    results res;
    openrouter_client *client;
    openrouter_async *async;
    row_ctx *ctx;
    unsigned concurrency;
    size_t *todo, n_todo, next, in_flight;
    size_t created, updated, skipped, failed, replaced, lost, in_doubt;
    int keep_lost; /* --keep-lost */
    int worst;    /* exit status of the worst failure so far */
    int stopping; /* no more calls start */
    int io_error; /* the results file failed: stop */
    int tty, progress_shown;
    struct timespec last_progress;
    openrouter_key_list **lists; /* listings, by distinct workspace */
    const char **list_ws;
    size_t n_lists;
};

static volatile sig_atomic_t interrupts;

static void on_signal(int sig)
{
    (void)sig;
    interrupts++;
}

static void install_signals(struct sigaction *old_int, struct sigaction *old_term)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, old_int);
    sigaction(SIGTERM, &sa, old_term);
}

/* ---- output ---------------------------------------------------------------------------- */

static void clear_progress(bulk *b)
{
    if (b->progress_shown)
        fputs("\r\033[K", stderr);
    b->progress_shown = 0;
}

static void progress(bulk *b, int force)
{
    if (!b->tty)
        return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long ms = (now.tv_sec - b->last_progress.tv_sec) * 1000 + (now.tv_nsec - b->last_progress.tv_nsec) / 1000000;
    if (!force && ms < 100)
        return;
    b->last_progress = now;
    fprintf(stderr, "\r\033[K" PROG ": %zu of %zu rows: %s %zu, skipped %zu, failed %zu, in flight %zu",
            b->created + b->updated + b->skipped + b->failed, b->in.count,
            b->in.kind == BULK_CREATE ? "created" : "updated", b->in.kind == BULK_CREATE ? b->created : b->updated,
            b->skipped, b->failed, b->in_flight);
    fflush(stderr);
    b->progress_shown = 1;
}

/* "row 3: created HASH NAME" on stdout, once the record is on disk. */
static void report_row(bulk *b, const bulk_row *row, const char *what, const char *hash)
{
    clear_progress(b);
    printf("row %zu: %s %s", row->number, what, hash ? hash : "-");
    if (row->name) {
        putchar(' ');
        put_clean(stdout, row->name);
    }
    putchar('\n');
    fflush(stdout);
}

/* "openrouter-keys: row 3 (NAME): MESSAGE" on stderr. */
static void row_note(bulk *b, const bulk_row *row, const char *msg)
{
    clear_progress(b);
    fflush(stdout);
    fprintf(stderr, PROG ": row %zu (", row->number);
    put_clean(stderr, row->name ? row->name : row->hash ? row->hash : "");
    fputs("): ", stderr);
    put_clean(stderr, msg);
    fputc('\n', stderr);
}

static void count_failure(bulk *b, int exit_code)
{
    b->failed++;
    if (b->worst != EXIT_API)
        b->worst = exit_code;
}

static int record(bulk *b, const bulk_row *row, result_status st, const char *hash, const char *key,
                  const char *detail)
{
    if (!hash && b->in.kind == BULK_UPDATE)
        hash = row->hash; /* an update's record always names its key (the identity when by hash) */
    if (results_write(&b->res, row->number, st, row->name ? row->name : "", hash, key, detail) != 0) {
        b->io_error = b->stopping = 1;
        return -1;
    }
    return 0;
}

/* ---- completions -------------------------------------------------------------------------- */

static void start_more(bulk *b);

/* A call that did not succeed: in doubt when a create may have happened
 * (checked by listing before anything else is sent for the row), else
 * failed (a re-run tries again). */
static void call_failed(bulk *b, const bulk_row *row, int status, openrouter_error *error)
{
    char msg[sizeof error->message + 96];
    if (b->in.kind == BULK_CREATE && error->request_may_have_been_processed) {
        if (record(b, row, RS_UNKNOWN, NULL, NULL, error->message) == 0) {
            b->in_doubt++;
            snprintf(msg, sizeof msg, "%s; the key may exist: it is looked for by listing before the row is "
                                      "tried again", error->message[0] ? error->message : "no answer");
            row_note(b, row, msg);
        }
        return;
    }
    if (record(b, row, RS_FAILED, NULL, NULL, error->message) == 0) {
        row_note(b, row, error->message[0] ? error->message : openrouter_status_name(status));
        count_failure(b, cli_exit_code(status));
    }
}

/* A completion's run and row; the call no longer counts as in flight. */
static bulk *completed(void *ctx, const bulk_row **row)
{
    row_ctx *rc = ctx;
    rc->b->in_flight--;
    *row = &rc->b->in.rows[rc->i];
    return rc->b;
}

static void on_created(void *ctx, openrouter_async_call *call, int status, openrouter_created_key *out,
                       openrouter_error *error)
{
    (void)call;
    const bulk_row *row;
    bulk *b = completed(ctx, &row);
    if (status == OPENROUTER_OK) {
        const openrouter_key *k = &out->data.value;
        const char *hash = k->hash.state == OPENROUTER_PRESENT ? k->hash.value : "";
        const char *secret = out->key.state == OPENROUTER_PRESENT ? out->key.value : "";
        if (record(b, row, RS_CREATED, hash, secret, *secret ? NULL : "the answer held no secret") == 0) {
            b->created++;
            report_row(b, row, "created", hash);
        }
        openrouter_created_key_free(out); /* wipes the secret */
    } else {
        call_failed(b, row, status, error);
    }
    start_more(b);
}

static void on_updated(void *ctx, openrouter_async_call *call, int status, openrouter_key_response *out,
                       openrouter_error *error)
{
    (void)call;
    const bulk_row *row;
    bulk *b = completed(ctx, &row);
    if (status == OPENROUTER_OK) {
        if (record(b, row, RS_UPDATED, row->hash, NULL, NULL) == 0) {
            b->updated++;
            report_row(b, row, "updated", row->hash);
        }
        openrouter_key_response_free(out);
    } else {
        call_failed(b, row, status, error);
    }
    start_more(b);
}

/* ---- a pass: the rows of b->todo, at most b->concurrency at once ------------------------- */

static void start_row(bulk *b, size_t i)
{
    bulk_row *row = &b->in.rows[i];
    openrouter_error err = OPENROUTER_ERROR_INIT;
    int rc;
    if (b->in.kind == BULK_CREATE) {
        if (record(b, row, RS_PENDING, NULL, NULL, NULL) != 0)
            return;
        rc = openrouter_create_key_start(b->async, &row->create, NULL, on_created, &b->ctx[i], NULL, &err);
    } else {
        rc = openrouter_update_key_start(b->async, &row->update, NULL, on_updated, &b->ctx[i], NULL, &err);
    }
    if (rc == OPENROUTER_OK)
        b->in_flight++;
    else
        call_failed(b, row, rc, &err); /* nothing was sent */
    openrouter_error_clear(&err);
}

static void start_more(bulk *b)
{
    while (!b->stopping && b->in_flight < b->concurrency && b->next < b->n_todo)
        start_row(b, b->todo[b->next++]);
}

static void run_pass(bulk *b)
{
    b->next = 0;
    start_more(b);
    int seen = 0;
    while (b->in_flight > 0 || (!b->stopping && b->next < b->n_todo)) {
        openrouter_async_run(b->async, 200);
        if (interrupts != seen) {
            seen = interrupts;
            clear_progress(b);
            if (seen == 1)
                fprintf(stderr, PROG ": interrupted: no new calls; waiting for the %zu in flight so their "
                                "results are kept (interrupt again to cancel them)\n", b->in_flight);
            else
                openrouter_async_cancel_all(b->async); /* those in doubt are looked for next run */
            b->stopping = 1;
        }
        start_more(b);
        progress(b, 0);
    }
}

/* ---- listing and reconciling --------------------------------------------------------------- */

/* Every key of a workspace (NULL: the default one), disabled ones too,
 * listed once per round. NULL after reporting a failure. */
static const openrouter_key_list *listing(bulk *b, const char *ws)
{
    for (size_t k = 0; k < b->n_lists; k++)
        if ((!ws && !b->list_ws[k]) || (ws && b->list_ws[k] && strcmp(ws, b->list_ws[k]) == 0))
            return b->lists[k];
    openrouter_key_list **lists = realloc(b->lists, (b->n_lists + 1) * sizeof *lists);
    const char **names = lists ? realloc(b->list_ws, (b->n_lists + 1) * sizeof *names) : NULL;
    if (lists)
        b->lists = lists;
    if (!names)
        return NULL;
    b->list_ws = names;
    openrouter_list_keys_request req = OPENROUTER_LIST_KEYS_REQUEST_INIT;
    req.include_disabled = OPENROUTER_BOOL(true);
    if (ws)
        req.workspace_id = OPENROUTER_STRING(ws);
    openrouter_error err = OPENROUTER_ERROR_INIT;
    openrouter_key_list *out = NULL;
    int rc = openrouter_list_keys_all(b->client, &req, NULL, &out, &err);
    if (rc != OPENROUTER_OK) {
        clear_progress(b);
        fprintf(stderr, PROG ": listing the keys (to skip those that exist) failed; nothing more was sent: ");
        put_clean(stderr, err.message[0] ? err.message : openrouter_status_name(rc));
        fputc('\n', stderr);
        openrouter_error_clear(&err);
        if (b->worst != EXIT_API)
            b->worst = cli_exit_code(rc);
        return NULL;
    }
    b->lists[b->n_lists] = out;
    b->list_ws[b->n_lists++] = ws;
    return out;
}

static void drop_listings(bulk *b)
{
    for (size_t k = 0; k < b->n_lists; k++)
        openrouter_key_list_free(b->lists[k]);
    b->n_lists = 0;
}

static int is_named(const openrouter_key *k, const char *name)
{
    return k->name.state == OPENROUTER_PRESENT && strcmp(k->name.value, name) == 0;
}

/* The keys named `name` in `keys`: how many, and the first. */
static size_t named(const openrouter_key_list *keys, const char *name, const openrouter_key **first)
{
    size_t n = 0;
    *first = NULL;
    for (size_t k = 0; k < keys->data.count; k++)
        if (is_named(&keys->data.items[k], name) && n++ == 0)
            *first = &keys->data.items[k];
    return n;
}

static int is_zero(const openrouter_number *n) { return n->state != OPENROUTER_PRESENT || n->value == 0; }

/* A key found for a row whose create was in doubt is ours when it was
 * made no earlier than (our request - clock slack) and never used: nobody
 * ever had its secret. */
static int ours(const openrouter_key *k, int64_t since_us)
{
    int64_t created = 0;
    return since_us > 0 && k->created_at.state == OPENROUTER_PRESENT &&
           openrouter_datetime_parse(k->created_at.value, &created, NULL) == 0 &&
           created >= since_us - CLOCK_SLACK_US && is_zero(&k->usage) && is_zero(&k->byok_usage);
}

/* Deletes a key of ours whose secret was lost (recorded first); 0 when it
 * is gone. */
static int delete_orphan(bulk *b, const bulk_row *row, const char *hash)
{
    char *h = xstrdup(hash); /* may be the row's recorded hash, which record() replaces */
    int rc = record(b, row, RS_ORPHAN, h, NULL, "created, but the answer was lost; deleted to be made again");
    if (rc == 0) {
        openrouter_delete_key_request req = OPENROUTER_DELETE_KEY_REQUEST_INIT;
        req.hash = h;
        openrouter_error err = OPENROUTER_ERROR_INIT;
        openrouter_delete_key_response *out = NULL;
        int st = openrouter_delete_key(b->client, &req, &out, NULL, &err);
        openrouter_delete_key_response_free(out);
        if (st != OPENROUTER_OK && !(st == OPENROUTER_EHTTP && err.http_status == 404)) {
            char msg[sizeof err.message + 120];
            snprintf(msg, sizeof msg, "deleting %s, the key whose answer was lost, failed (%s); it is tried "
                                      "again next run", h, err.message);
            row_note(b, row, msg);
            count_failure(b, cli_exit_code(st));
            rc = -1;
        } else {
            b->replaced++;
        }
        openrouter_error_clear(&err);
    }
    free(h);
    return rc;
}

/* A key of ours whose answer was lost: deleted and made again, or with
 * --keep-lost recorded as it is. 1 send the row, 0 not, -1 stop. */
static int lost_answer(bulk *b, const bulk_row *row, const char *hash)
{
    if (!b->keep_lost)
        return delete_orphan(b, row, hash) == 0 ? 1 : (b->io_error ? -1 : 0);
    char *h = xstrdup(hash);
    int rc = record(b, row, RS_LOST, h, NULL, "created, but the answer was lost: its secret cannot be fetched again");
    if (rc == 0) {
        char msg[200];
        snprintf(msg, sizeof msg, "created as %s, but the answer was lost and its secret cannot be fetched again; "
                                  "kept (--keep-lost)", h);
        row_note(b, row, msg);
        b->lost++;
    }
    free(h);
    return rc;
}

/* What to do with create row i given the server's keys: 1 send it, 0 not
 * (done, skipped or failed for this run), -1 stop (results file). */
static int reconcile_create(bulk *b, size_t i, const openrouter_key_list *keys)
{
    bulk_row *row = &b->in.rows[i];
    result_state *s = &b->res.rows[row->number - 1];
    const openrouter_key *k = NULL;
    size_t n = named(keys, row->name, &k);
    if ((s->status == RS_ORPHAN || s->status == RS_LOST) && s->hash) {
        for (size_t j = 0; j < keys->data.count; j++) {
            const openrouter_key *o = &keys->data.items[j];
            if (o->hash.state == OPENROUTER_PRESENT && strcmp(o->hash.value, s->hash) == 0)
                return lost_answer(b, row, s->hash);
        }
        if (n == 0)
            return 1;
    } else if (s->status == RS_PENDING || s->status == RS_UNKNOWN) {
        if (n == 0)
            return 1;
        if (n == 1 && ours(k, s->since_us))
            return lost_answer(b, row, k->hash.value);
        row_note(b, row, "a create was in doubt and a key of that name exists that may not be this tool's "
                         "(made too early, or used, or several): left alone; see 'list'");
        count_failure(b, EXIT_API);
        return 0;
    } else if (n == 0) {
        return 1;
    }
    char detail[64];
    snprintf(detail, sizeof detail, "on the server already%s", n > 1 ? " (several keys of that name)" : "");
    const char *hash = k->hash.state == OPENROUTER_PRESENT ? k->hash.value : "";
    if (record(b, row, RS_EXISTS, hash, NULL, detail) != 0)
        return -1;
    b->skipped++;
    report_row(b, row, "exists", hash);
    return 0;
}

/* update by name: the one key of that name, or the row fails. */
static int resolve_update(bulk *b, size_t i, const openrouter_key_list *keys)
{
    bulk_row *row = &b->in.rows[i];
    if (!b->in.by_name)
        return 1;
    const openrouter_key *k = NULL;
    size_t n = named(keys, row->name, &k);
    if (n == 1 && k->hash.state == OPENROUTER_PRESENT) {
        row->hash = row->update.hash = k->hash.value; /* the listing lives until the end */
        return 1;
    }
    const char *why = n ? "several keys have that name: use a hash column" : "no key has that name";
    if (record(b, row, RS_FAILED, NULL, NULL, why) != 0)
        return -1;
    row_note(b, row, why);
    count_failure(b, EXIT_API);
    return 0;
}

static int done_before(result_status st) { return st == RS_CREATED || st == RS_EXISTS || st == RS_UPDATED; }

/* Fills b->todo for round `round`; -1 to stop. */
static int plan_round(bulk *b, int round)
{
    b->n_todo = 0;
    if (b->in.kind == BULK_CREATE)
        drop_listings(b); /* each round sees the server as it is now */
    for (size_t i = 0; i < b->in.count && !b->stopping; i++) {
        const bulk_row *row = &b->in.rows[i];
        result_status st = b->res.rows[row->number - 1].status;
        if (done_before(st) || (st == RS_LOST && b->keep_lost) || (round > 0 && st != RS_UNKNOWN))
            continue;
        if (b->in.kind == BULK_UPDATE && !b->in.by_name) {
            b->todo[b->n_todo++] = i;
            continue;
        }
        const openrouter_key_list *keys = listing(b, row->workspace);
        if (!keys)
            return -1;
        int go = b->in.kind == BULK_CREATE ? reconcile_create(b, i, keys) : resolve_update(b, i, keys);
        if (go < 0)
            return -1;
        if (go)
            b->todo[b->n_todo++] = i;
        if (interrupts)
            b->stopping = 1;
    }
    return 0;
}

/* ---- the command ---------------------------------------------------------------------------- */

static int check_options(const cli_args *a, unsigned *concurrency)
{
    static const int per_key[] = {O_NAME, O_LIMIT, O_LIMIT_RESET, O_INCLUDE_BYOK, O_EXPIRES_AT, O_EXPIRES_IN,
                                  O_CREATOR_USER_ID, O_WORKSPACE_ID, O_EXTERNAL_USER, O_EXTERNAL_API_KEY_ENV,
                                  O_EXTERNAL_API_KEY_STDIN, O_DISABLED, O_JSON};
    for (size_t k = 0; k < sizeof per_key / sizeof per_key[0]; k++)
        if (a->opt[per_key[k]])
            return cli_usage_error("%s --from: --%s does not go with --from (each row has its own values: "
                                   "use a column)", a->cmd->name, cli_option_name(per_key[k]));
    *concurrency = BULK_DEFAULT_CONCURRENCY;
    if (a->opt[O_CONCURRENCY]) {
        char *end = NULL;
        long n = strtol(a->opt[O_CONCURRENCY], &end, 10);
        if (!*a->opt[O_CONCURRENCY] || *end || n < 1 || n > BULK_MAX_CONCURRENCY)
            return cli_usage_error("--concurrency expects a whole number from 1 to %d, got '%s'",
                                   BULK_MAX_CONCURRENCY, a->opt[O_CONCURRENCY]);
        *concurrency = (unsigned)n;
    }
    return 0;
}

/* The input's row identities, which the results file's records must match. */
static const char **row_ids(const bulk_input *in)
{
    const char **ids = calloc(in->count ? in->count : 1, sizeof *ids);
    for (size_t i = 0; ids && i < in->count; i++)
        ids[i] = in->kind == BULK_UPDATE && !in->by_name ? in->rows[i].hash : in->rows[i].name;
    return ids;
}

static int setup(bulk *b, const cli_args *a, char **default_results)
{
    bulk_kind kind = a->cmd->bit == C_CREATE ? BULK_CREATE : BULK_UPDATE;
    b->keep_lost = cli_flag(a, O_KEEP_LOST);
    int rc = check_options(a, &b->concurrency);
    if (rc == 0)
        rc = bulk_load(&b->in, kind, a->opt[O_FROM]);
    if (rc)
        return rc;
    const char *path = a->opt[O_RESULTS];
    if (!path && !(path = *default_results = results_default_path(a->opt[O_FROM])))
        return cli_usage_error("out of memory");
    const char **ids = row_ids(&b->in);
    if (!ids)
        return cli_usage_error("out of memory");
    rc = results_open(&b->res, path, b->in.count, ids, kind == BULK_UPDATE && !b->in.by_name);
    free(ids);
    if (rc)
        return rc;
    b->todo = calloc(b->in.count, sizeof *b->todo);
    b->ctx = calloc(b->in.count, sizeof *b->ctx);
    if (!b->todo || !b->ctx)
        return cli_usage_error("out of memory");
    for (size_t i = 0; i < b->in.count; i++)
        b->ctx[i] = (row_ctx){b, i};
    for (size_t i = 0; i < b->in.count; i++) {
        b->skipped += done_before(b->res.rows[i].status);
        b->lost += b->keep_lost && b->res.rows[i].status == RS_LOST;
    }
    openrouter_async_options o = OPENROUTER_ASYNC_OPTIONS_INIT;
    o.max_in_flight = b->concurrency;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    rc = openrouter_async_new(&b->async, b->client, &o, &err);
    if (rc != OPENROUTER_OK) {
        fprintf(stderr, PROG ": %s\n", err.message);
        openrouter_error_clear(&err);
        return cli_exit_code(rc);
    }
    return 0;
}

/* Every row has its final record: nothing in doubt, nothing to retry. */
static int settled(const bulk *b)
{
    for (size_t i = 0; i < b->in.count; i++)
        if (!done_before(b->res.rows[i].status) && b->res.rows[i].status != RS_LOST)
            return 0;
    return 1;
}

static int summary(bulk *b)
{
    clear_progress(b);
    size_t left = 0;
    for (size_t i = 0; i < b->in.count; i++)
        left += !done_before(b->res.rows[i].status);
    printf("%s %zu, skipped %zu, failed %zu", b->in.kind == BULK_CREATE ? "created" : "updated",
           b->in.kind == BULK_CREATE ? b->created : b->updated, b->skipped, b->failed);
    if (b->replaced)
        printf(", %zu key%s whose answer was lost made again", b->replaced, b->replaced == 1 ? "" : "s");
    if (b->lost)
        printf(", %zu key%s whose answer was lost kept without %s secret", b->lost, b->lost == 1 ? "" : "s",
               b->lost == 1 ? "its" : "their");
    printf(" (%zu row%s; %zu not done); results in ", b->in.count, b->in.count == 1 ? "" : "s", left);
    put_clean(stdout, b->res.path);
    putchar('\n');
    if (b->io_error)
        return EXIT_API;
    if (interrupts)
        return EXIT_INTERRUPTED;
    if (b->worst)
        return b->worst;
    return left ? EXIT_API : EXIT_OK;
}

int bulk_main(openrouter_client *client, const cli_args *a)
{
    bulk b;
    memset(&b, 0, sizeof b);
    b.client = client;
    b.res.fd = -1;
    b.tty = isatty(STDERR_FILENO);
    char *default_results = NULL;
    struct sigaction old_int, old_term;
    install_signals(&old_int, &old_term);
    int status = setup(&b, a, &default_results);
    if (status == 0) {
        int rounds = b.in.kind == BULK_CREATE ? MAX_ROUNDS : 1;
        for (int round = 0; round < rounds && !b.stopping; round++) {
            b.in_doubt = 0;
            if (plan_round(&b, round) != 0 || b.n_todo == 0)
                break;
            run_pass(&b);
            if (b.in_doubt == 0)
                break;
        }
        if (!b.io_error && settled(&b))
            results_compact(&b.res); /* says so if it cannot; the file stays whole */
        status = summary(&b);
    }
    openrouter_async_free(b.async);
    drop_listings(&b);
    free(b.lists);
    free(b.list_ws);
    free(b.todo);
    free(b.ctx);
    results_close(&b.res);
    bulk_input_free(&b.in);
    free(default_results);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    return status;
}
