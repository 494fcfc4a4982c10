/* Unit tests for runtime/src/ownership.c: models are freed only when the
 * library handed them out. Misuse (an interior pointer, a struct the
 * caller owns, a double free, the wrong type's *_free) must print what was
 * wrong and abort, without reading memory the library did not allocate:
 * each case runs in a forked child (a death test) whose stderr and signal
 * the parent checks; under ASan an invalid read would end the child with
 * an AddressSanitizer report instead. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "openrouter/openrouter.h"

#include "internal.h"
#include "test_util.h"

static const char key_json[] =
    "{\"data\":{\"hash\":\"h-1\",\"name\":\"k\",\"label\":\"sk-or-v1-abc...xyz\",\"disabled\":false,"
    "\"limit\":null,\"usage\":0,\"created_at\":\"2025-02-19T20:52:27.363244+00:00\",\"updated_at\":null}}";
static const char created_json[] =
    "{\"data\":{\"hash\":\"h-2\",\"name\":\"n\",\"label\":\"l\",\"disabled\":false,\"limit\":5,\"usage\":0,"
    "\"created_at\":\"2025-02-19T20:52:27Z\",\"updated_at\":null},\"key\":\"sk-or-v1-secret\"}";
static const char list_json[] =
    "{\"data\":[{\"hash\":\"a\",\"name\":\"a\"},{\"hash\":\"b\",\"name\":\"b\"},{\"hash\":\"c\",\"name\":\"c\"}]}";

static openrouter_key_response *decode_key(void)
{
    openrouter_key_response *m = NULL;
    CU_ASSERT_EQUAL(openrouter_key_response_decode(key_json, sizeof key_json - 1, &m, NULL), OPENROUTER_OK);
    return m;
}

static openrouter_created_key *decode_created(void)
{
    openrouter_created_key *m = NULL;
    CU_ASSERT_EQUAL(openrouter_created_key_decode(created_json, sizeof created_json - 1, &m, NULL), OPENROUTER_OK);
    return m;
}

static openrouter_key_list *decode_list(void)
{
    openrouter_key_list *m = NULL;
    CU_ASSERT_EQUAL(openrouter_key_list_decode(list_json, sizeof list_json - 1, &m, NULL), OPENROUTER_OK);
    return m;
}

/* Runs misuse() in a child; the child must die of SIGABRT having written
 * `want` (printf-style, formatted by the parent with the same pointer) to
 * stderr, and nothing from a sanitizer. */
static void expect_abort(void (*misuse)(void), const char *want)
{
    int fd[2];
    CU_ASSERT_FATAL(pipe(fd) == 0);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        dup2(fd[1], 2);
        close(fd[0]);
        close(fd[1]);
        misuse();
        _exit(0); /* not reached when misuse is caught */
    }
    close(fd[1]);
    char out[8192];
    size_t n = 0;
    ssize_t got;
    while ((got = read(fd[0], out + n, sizeof out - 1 - n)) > 0)
        n += (size_t)got;
    out[n] = '\0';
    close(fd[0]);
    int status = 0;
    CU_ASSERT_EQUAL_FATAL(waitpid(pid, &status, 0), pid);
    int aborted = WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
    CU_ASSERT_TRUE(aborted);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, want));
    CU_ASSERT_PTR_NULL(strstr(out, "Sanitizer"));
    if (!aborted || !strstr(out, want))
        fprintf(stderr, "\n  child status %d, stderr:\n%s\n  want: %s\n", status, out, want);
}

/* What the child frees, set up by the parent before forking (so the
 * expected message can name the same pointers). */
static void *victim;
static char want[512];

static void free_key_victim(void)
{
    openrouter_key_free(victim);
}

static void free_untyped_victim(void)
{
    openrouter_model_free(victim);
}

static void free_key_response_victim(void)
{
    openrouter_key_response_free(victim);
}

static void test_interior_pointer(void)
{
    openrouter_created_key *created = decode_created();
    CU_ASSERT_PTR_NOT_NULL_FATAL(created);
    /* The mistake from the issue: data.value is inside the model. */
    victim = &created->data.value;
    snprintf(want, sizeof want,
             "openrouter: openrouter_key_free(%p): that pointer is %zu bytes into a live model "
             "(openrouter_created_key, member \"data\"); only a whole model the library returned can be freed",
             victim, offsetof(openrouter_created_key, data) + offsetof(openrouter_key_field, value));
    expect_abort(free_key_victim, want);
    /* An array item lives in the model's arena, outside its struct. */
    openrouter_key_list *list = decode_list();
    CU_ASSERT_PTR_NOT_NULL_FATAL(list);
    victim = &list->data.items[1];
    snprintf(want, sizeof want,
             "openrouter: openrouter_key_free(%p): that pointer is inside a live model's memory "
             "(openrouter_key_list: one of its arrays, maps or strings)",
             victim);
    expect_abort(free_key_victim, want);
    /* ... and a string of it, through the untyped free. */
    victim = (char *)list->data.items[2].name.value; /* const to callers: a misuse on purpose */
    snprintf(want, sizeof want, "openrouter: openrouter_model_free(%p): that pointer is inside a live model's memory",
             victim);
    expect_abort(free_untyped_victim, want);
    /* The parent still owns both, and frees them normally. */
    openrouter_created_key_free(created);
    openrouter_key_list_free(list);
}

static void test_caller_owned(void)
{
    openrouter_key on_stack = {0};
    victim = &on_stack;
    snprintf(want, sizeof want,
             "openrouter: openrouter_key_free(%p): not a model the library returned (a struct you own, or a "
             "model freed before)",
             victim);
    expect_abort(free_key_victim, want);

    openrouter_key_response *on_heap = calloc(1, sizeof *on_heap);
    CU_ASSERT_PTR_NOT_NULL_FATAL(on_heap);
    victim = on_heap;
    snprintf(want, sizeof want, "openrouter: openrouter_key_response_free(%p): not a model the library returned",
             victim);
    expect_abort(free_key_response_victim, want);
    snprintf(want, sizeof want, "openrouter: openrouter_model_free(%p): not a model the library returned", victim);
    expect_abort(free_untyped_victim, want);
    free(on_heap);
}

static void warnings_of_victim(void)
{
    openrouter_model_warnings(victim, NULL);
}

/* openrouter_model_warnings() reads the model's arena: it checks the
 * pointer first, as a free does. */
static void test_warnings_of_a_non_model(void)
{
    openrouter_created_key *created = decode_created();
    CU_ASSERT_PTR_NOT_NULL_FATAL(created);
    size_t n = 0;
    const openrouter_warning *w = openrouter_model_warnings(created, &n); /* a whole model: fine */
    CU_ASSERT(n == 12 && w && w[0].kind == OPENROUTER_WARNING_MISSING); /* created_json is terse */
    CU_ASSERT_PTR_NULL(openrouter_model_warnings(NULL, &n));
    CU_ASSERT_EQUAL(n, 0);
    victim = &created->data.value;
    snprintf(want, sizeof want,
             "openrouter: openrouter_model_warnings(%p): that pointer is %zu bytes into a live model "
             "(openrouter_created_key, member \"data\"); only a whole model the library returned will do",
             victim, offsetof(openrouter_created_key, data) + offsetof(openrouter_key_field, value));
    expect_abort(warnings_of_victim, want);
    openrouter_key on_stack = {0};
    victim = &on_stack;
    snprintf(want, sizeof want, "openrouter: openrouter_model_warnings(%p): not a model the library returned",
             victim);
    expect_abort(warnings_of_victim, want);
    openrouter_created_key_free(created);
}

static void test_double_free(void)
{
    openrouter_key_response *m = decode_key();
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    openrouter_key_response_free(m);
    victim = m;
    snprintf(want, sizeof want,
             "openrouter: openrouter_key_response_free(%p): double free (that openrouter_key_response was freed "
             "already)",
             victim);
    expect_abort(free_key_response_victim, want);
}

static void test_wrong_type(void)
{
    openrouter_created_key *created = decode_created();
    CU_ASSERT_PTR_NOT_NULL_FATAL(created);
    victim = created;
    snprintf(want, sizeof want,
             "openrouter: openrouter_key_response_free(%p): wrong type: the model there is openrouter_created_key; "
             "free it with openrouter_created_key_free",
             victim);
    expect_abort(free_key_response_victim, want);
    /* The untyped free accepts any live model. */
    openrouter_model_free(created);
}

/* Legitimate use: NULL, many live models at once (the registry leaves its
 * static table and comes back), frees in any order, models built by the
 * pager's helper, and misuse still caught afterwards. */
static void test_many_live_models(void)
{
    openrouter_model_free(NULL);
    openrouter_key_free(NULL);
    openrouter_model_free_typed(&openrouter_key_desc, NULL);
    enum { N = 700 };
    void **models = calloc(N, sizeof *models);
    CU_ASSERT_PTR_NOT_NULL_FATAL(models);
    for (int i = 0; i < N; i++) {
        models[i] = i % 3 ? (void *)decode_key() : or_model_new(&openrouter_key_list_desc);
        CU_ASSERT_PTR_NOT_NULL_FATAL(models[i]);
    }
    /* Free in a scrambled order: a stride coprime with N visits each once. */
    for (int k = 0, i = 0; k < N; k++, i = (i + 293) % N) {
        if (i % 3)
            openrouter_key_response_free(models[i]);
        else
            openrouter_key_list_free(models[i]);
    }
    free(models);
    openrouter_key_response *m = decode_key();
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_STRING_EQUAL(m->data.value.hash.value, "h-1");
    openrouter_key_response_free(m);
    openrouter_key stranger = {0};
    victim = &stranger;
    snprintf(want, sizeof want, "openrouter: openrouter_key_free(%p): not a model the library returned", victim);
    expect_abort(free_key_victim, want);
}

static void *decode_free_loop(void *arg)
{
    int n = *(int *)arg;
    for (int i = 0; i < n; i++) {
        openrouter_key_response *m = NULL;
        if (openrouter_key_response_decode(key_json, sizeof key_json - 1, &m, NULL) != OPENROUTER_OK || !m)
            return (void *)1;
        openrouter_key_response_free(m);
    }
    return NULL;
}

/* The registry under concurrent decodes and frees (helgrind/TSan see the
 * same code through test_concurrency's clients). */
static void test_threads(void)
{
    int n = or_test_under_valgrind() ? 200 : 5000;
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        CU_ASSERT_EQUAL_FATAL(pthread_create(&t[i], NULL, decode_free_loop, &n), 0);
    for (int i = 0; i < 4; i++) {
        void *rc = (void *)1;
        pthread_join(t[i], &rc);
        CU_ASSERT_PTR_NULL(rc);
    }
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("ownership", NULL, NULL);
    CU_add_test(s, "free: interior pointers abort", test_interior_pointer);
    CU_add_test(s, "free: caller-owned structs abort", test_caller_owned);
    CU_add_test(s, "free: double free aborts", test_double_free);
    CU_add_test(s, "warnings: of a non-model aborts", test_warnings_of_a_non_model);
    CU_add_test(s, "free: wrong type aborts", test_wrong_type);
    CU_add_test(s, "free: many live models, any order", test_many_live_models);
    CU_add_test(s, "free: threads", test_threads);
    return or_test_run();
}
