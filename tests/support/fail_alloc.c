/* The failing allocator of fail_alloc.h. */
#include <stdlib.h>

#include <curl/curl.h>

#include <openrouter/openrouter.h>

#include "fail_alloc.h"

static openrouter_allocator inner;
static long countdown; /* 0: never fail; else allocations left until the failing one */
static long made;

static int should_fail(void)
{
    made++;
    return countdown > 0 && --countdown == 0;
}

static void *fail_malloc(void *ctx, size_t n)
{
    (void)ctx;
    return should_fail() ? NULL : inner.malloc_fn(inner.ctx, n);
}

static void *fail_realloc(void *ctx, void *p, size_t n)
{
    (void)ctx;
    return should_fail() ? NULL : inner.realloc_fn(inner.ctx, p, n);
}

static void fail_free(void *ctx, void *p)
{
    (void)ctx;
    inner.free_fn(inner.ctx, p);
}

static void *std_malloc(void *ctx, size_t n) { (void)ctx; return malloc(n); }
static void *std_realloc(void *ctx, void *p, size_t n) { (void)ctx; return realloc(p, n); }
static void std_free(void *ctx, void *p) { (void)ctx; free(p); }

static void curl_cleanup_at_exit(void)
{
    curl_global_cleanup();
}

int or_test_fail_alloc_install(const openrouter_allocator *under)
{
    static const openrouter_allocator std = {OPENROUTER_ALLOCATOR_VERSION, std_malloc, std_realloc, std_free,
                                             NULL};
    inner = under ? *under : std;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return -1;
    atexit(curl_cleanup_at_exit);
    openrouter_allocator failing = {OPENROUTER_ALLOCATOR_VERSION, fail_malloc, fail_realloc, fail_free, NULL};
    return openrouter_set_allocator(&failing) == OPENROUTER_OK ? 0 : -1;
}

long or_test_fail_alloc(long nth)
{
    long n = made;
    made = 0;
    countdown = nth > 0 ? nth : 0;
    return n;
}
