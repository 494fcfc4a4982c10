/* openrouter-c: the runtime's allocator (injectable, see openrouter/alloc.h)
 * and libcurl's allocator wrappers that wipe every block. Tests fail
 * allocations through the same public hook (tests/support/fail_alloc.c). */
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "internal.h"

/* ---- the allocator in force ------------------------------------------------ */

static void *std_malloc(void *ctx, size_t n) { (void)ctx; return malloc(n); }
static void *std_realloc(void *ctx, void *p, size_t n) { (void)ctx; return realloc(p, n); }
static void std_free(void *ctx, void *p) { (void)ctx; free(p); }

static const openrouter_allocator std_allocator = {OPENROUTER_ALLOCATOR_VERSION, std_malloc, std_realloc,
                                                   std_free, NULL};
/* Written only by or_alloc_install(), which openrouter_set_allocator() calls
 * while the library is not initialised (no client, no other thread in the
 * library); read everywhere else. */
static openrouter_allocator current = {OPENROUTER_ALLOCATOR_VERSION, std_malloc, std_realloc, std_free, NULL};

int or_allocator_valid(const openrouter_allocator *a)
{
    return a && a->version == OPENROUTER_ALLOCATOR_VERSION && a->malloc_fn && a->realloc_fn && a->free_fn;
}

void or_alloc_install(const openrouter_allocator *a)
{
    current = a ? *a : std_allocator;
}

/* ---- the library's own allocations ------------------------------------------------ */

void *or_malloc(size_t n)
{
    return current.malloc_fn(current.ctx, n ? n : 1);
}

void *or_calloc(size_t count, size_t n)
{
    if (count && n > SIZE_MAX / count)
        return NULL;
    size_t total = count * n;
    void *p = current.malloc_fn(current.ctx, total ? total : 1);
    if (p)
        memset(p, 0, total ? total : 1);
    return p;
}

void *or_realloc(void *p, size_t n)
{
    return current.realloc_fn(current.ctx, p, n ? n : 1);
}

void or_free(void *p)
{
    if (p)
        current.free_fn(current.ctx, p);
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

/* ---- libcurl's allocations ----------------------------------------------------------
 * libcurl keeps the request it sends (the Authorization header line) and
 * the bytes it receives (a created key's secret) in heap blocks it frees
 * without clearing. These wrappers, installed with curl_global_init_mem(),
 * prefix every block with its size so it can be wiped before it is freed.
 * Tests that fail allocations initialise libcurl themselves first, so
 * libcurl keeps malloc and its own OOM handling is not what they test. */

#define OR_CURL_ALIGN _Alignof(max_align_t)
#define OR_CURL_HDR ((sizeof(size_t) + OR_CURL_ALIGN - 1) / OR_CURL_ALIGN * OR_CURL_ALIGN)

static void *curl_malloc_cb(size_t n)
{
    if (n > SIZE_MAX - OR_CURL_HDR)
        return NULL;
    char *p = current.malloc_fn(current.ctx, OR_CURL_HDR + n);
    if (!p)
        return NULL;
    memcpy(p, &n, sizeof n);
    return p + OR_CURL_HDR;
}

static size_t curl_block_size(void *p)
{
    size_t n;
    memcpy(&n, (char *)p - OR_CURL_HDR, sizeof n);
    return n;
}

static void curl_free_cb(void *p)
{
    if (!p)
        return;
    char *base = (char *)p - OR_CURL_HDR;
    or_wipe(base, OR_CURL_HDR + curl_block_size(p));
    current.free_fn(current.ctx, base);
}

static void *curl_realloc_cb(void *p, size_t n)
{
    if (!p)
        return curl_malloc_cb(n);
    if (n == 0) {
        curl_free_cb(p);
        return NULL;
    }
    /* Not realloc_fn: the old block is wiped before it is released. */
    void *q = curl_malloc_cb(n);
    if (!q)
        return NULL;
    size_t old = curl_block_size(p);
    memcpy(q, p, old < n ? old : n);
    curl_free_cb(p);
    return q;
}

static void *curl_calloc_cb(size_t count, size_t n)
{
    if (count && n > SIZE_MAX / count)
        return NULL;
    void *p = curl_malloc_cb(count * n);
    if (p)
        memset(p, 0, count * n);
    return p;
}

static char *curl_strdup_cb(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = curl_malloc_cb(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

int or_curl_global_init(void)
{
    /* When the application initialised libcurl first, this only bumps its
     * reference count and libcurl keeps the application's allocator. */
    return curl_global_init_mem(CURL_GLOBAL_DEFAULT, curl_malloc_cb, curl_free_cb, curl_realloc_cb,
                                curl_strdup_cb, curl_calloc_cb) == CURLE_OK
               ? 0
               : -1;
}
