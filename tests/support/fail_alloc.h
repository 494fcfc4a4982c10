/* An allocator that fails the Nth allocation, for the allocation-failure
 * tests. It goes in through the public openrouter_set_allocator(): the
 * library ships no test hook. */
#ifndef OR_TEST_FAIL_ALLOC_H
#define OR_TEST_FAIL_ALLOC_H

#include <openrouter/alloc.h>

/* Installs the failing allocator over `inner` (NULL: malloc/realloc/free).
 * Call it first in main(), before any client or openrouter_global_init().
 * It initialises libcurl first with libcurl's own malloc, so only the
 * library's allocations are counted and failed: libcurl's out-of-memory
 * handling is not what these tests test. libcurl is cleaned up at exit.
 * Returns 0, or -1. Single-threaded use only. */
int or_test_fail_alloc_install(const openrouter_allocator *inner);

/* Makes the nth allocation from now fail (n >= 1), or none (0). Returns
 * the number of allocations made since the previous call. */
long or_test_fail_alloc(long nth);

#endif
