/* openrouter-c: the runtime's allocator, with a test hook that fails the
 * Nth allocation so every error path can be exercised for leaks. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* 0 = never fail; otherwise the countdown to the failing allocation. Not
 * thread-safe by design: only single-threaded tests set it. */
static long alloc_fail_countdown;
static long alloc_count;

static int should_fail(void)
{
    alloc_count++;
    if (alloc_fail_countdown > 0 && --alloc_fail_countdown == 0)
        return 1;
    return 0;
}

/* Test hook: make the nth allocation from now fail (n >= 1), or 0 to turn
 * off. Returns the number of allocations made since the previous call. */
long openrouter_test_set_alloc_fail(long nth)
{
    long made = alloc_count;
    alloc_count = 0;
    alloc_fail_countdown = nth;
    return made;
}

void *or_malloc(size_t n)
{
    if (should_fail())
        return NULL;
    return malloc(n ? n : 1);
}

void *or_calloc(size_t count, size_t n)
{
    if (should_fail())
        return NULL;
    return calloc(count ? count : 1, n ? n : 1);
}

void *or_realloc(void *p, size_t n)
{
    if (should_fail())
        return NULL;
    return realloc(p, n ? n : 1);
}

void or_free(void *p)
{
    free(p);
}

char *or_strndup(const char *s, size_t n)
{
    char *copy = or_malloc(n + 1);
    if (!copy)
        return NULL;
    memcpy(copy, s, n);
    copy[n] = '\0';
    return copy;
}

char *or_strdup(const char *s)
{
    return or_strndup(s, strlen(s));
}

void or_wipe(void *p, size_t n)
{
    /* A volatile function pointer keeps the compiler from eliding the wipe. */
    static void *(*const volatile wipe)(void *, int, size_t) = memset;
    if (p && n)
        wipe(p, 0, n);
}
