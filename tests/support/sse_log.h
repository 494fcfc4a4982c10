/* Records what runtime/src/sse.c delivers as one comparable text, for
 * tests/unit/test_sse.c and tests/fuzz/fuzz_sse.c (header-only: the fuzz
 * target is built without the test support library).
 *
 * An event is logged as "E type|data|id\n", a comment as "C text\n", with
 * '\\', LF, CR and NUL in them written as \\ \n \r \0. */
#ifndef OR_TEST_SSE_LOG_H
#define OR_TEST_SSE_LOG_H

#include <stdlib.h>
#include <string.h>

#include "sse.h"

typedef struct sse_log {
    char *text;   /* NUL-terminated once anything is logged */
    size_t len, cap;
    int events, comments;
    int stop_at;  /* the callback for event number stop_at (1-based) returns stop_rc */
    int stop_rc;
} sse_log;

static inline void sse_log_put(sse_log *l, const char *s, size_t n)
{
    if (l->len + n + 1 > l->cap) {
        size_t cap = l->cap ? l->cap : 256;
        while (cap < l->len + n + 1)
            cap *= 2;
        char *t = realloc(l->text, cap);
        if (!t)
            abort();
        l->text = t;
        l->cap = cap;
    }
    memcpy(l->text + l->len, s, n);
    l->len += n;
    l->text[l->len] = '\0';
}

static inline void sse_log_escaped(sse_log *l, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
        case '\\': sse_log_put(l, "\\\\", 2); break;
        case '\n': sse_log_put(l, "\\n", 2); break;
        case '\r': sse_log_put(l, "\\r", 2); break;
        case '\0': sse_log_put(l, "\\0", 2); break;
        default: sse_log_put(l, s + i, 1);
        }
    }
}

static inline int sse_log_event(void *ctx, const or_sse_event *ev)
{
    sse_log *l = ctx;
    /* The lengths agree with the NUL terminators. */
    if (ev->type[ev->type_len] || ev->data[ev->data_len] || ev->id[ev->id_len])
        abort();
    sse_log_put(l, "E ", 2);
    sse_log_escaped(l, ev->type, ev->type_len);
    sse_log_put(l, "|", 1);
    sse_log_escaped(l, ev->data, ev->data_len);
    sse_log_put(l, "|", 1);
    sse_log_escaped(l, ev->id, ev->id_len);
    sse_log_put(l, "\n", 1);
    return ++l->events == l->stop_at ? l->stop_rc : 0;
}

static inline int sse_log_comment(void *ctx, const char *text, size_t len)
{
    sse_log *l = ctx;
    if (text[len])
        abort();
    l->comments++;
    sse_log_put(l, "C ", 2);
    sse_log_escaped(l, text, len);
    sse_log_put(l, "\n", 1);
    return 0;
}

static inline void sse_log_free(sse_log *l)
{
    free(l->text);
    l->text = NULL;
    l->len = l->cap = 0;
}

/* Parses `stream` fed in pieces ending at each of cuts[0..ncuts) (ascending)
 * and then the rest, into `log`. Returns feed's first non-zero value, or 0;
 * *truncated gets or_sse_finish()'s answer (-1 when feeding stopped). */
static inline int sse_log_run(const char *stream, size_t n, const size_t *cuts, size_t ncuts,
                              size_t max_event_bytes, sse_log *log, openrouter_error *error,
                              int *truncated)
{
    or_sse_options o = {max_event_bytes, sse_log_event, sse_log_comment, log};
    or_sse p;
    or_sse_init(&p, &o);
    int rc = 0;
    size_t at = 0;
    for (size_t i = 0; i <= ncuts && !rc; i++) {
        size_t end = i < ncuts ? cuts[i] : n;
        rc = or_sse_feed(&p, stream + at, end - at, error);
        at = end;
    }
    *truncated = rc ? -1 : or_sse_finish(&p);
    or_sse_free(&p);
    return rc;
}

#endif
