/* openrouter-c: an injectable memory allocator.
 *
 * By default the library allocates with malloc/realloc/free. An application
 * can route every allocation the library makes through its own functions
 * (a pool, a guarded or locked allocator, accounting) with
 * openrouter_set_allocator(), called before openrouter_global_init() and
 * before the first client is created:
 *
 *   static void *my_malloc(void *ctx, size_t n) { ... }
 *   static void *my_realloc(void *ctx, void *p, size_t n) { ... }
 *   static void my_free(void *ctx, void *p) { ... }
 *   openrouter_allocator a = {OPENROUTER_ALLOCATOR_VERSION, my_malloc, my_realloc, my_free, &pool};
 *   openrouter_set_allocator(&a);
 *
 * What goes through it:
 * - Everything openrouter-c allocates itself: clients, buffers, decoded
 *   models (the structs returned through **out), error strings.
 * - libcurl's memory, when this library is the one that initialises libcurl
 *   (no curl_global_init() earlier in the process): openrouter_global_init()
 *   installs wrappers with curl_global_init_mem() that take their blocks
 *   from this allocator and wipe every libcurl block (request headers with
 *   the Authorization line, received responses) before freeing it.
 * - Not json-c's (it has no allocator hook; the library parses JSON with
 *   its own reader and calls json-c only to build the trees you ask for
 *   with openrouter_json_tree()), nor OpenSSL's.
 *
 * Secrets: the library never reallocates a block that may hold a secret in
 * place; buffers grow by copying and wiping the old block, and every block
 * that held an API key, a request body or a response is zeroed before it
 * is given back to free_fn. A free_fn therefore never receives a block that
 * still holds the API key or a created key's secret.
 *
 * Threading: the functions may be called from any thread that uses a
 * client, concurrently; they must be thread-safe if clients are used from
 * several threads. */
#ifndef OPENROUTER_ALLOC_H
#define OPENROUTER_ALLOC_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The functions the library allocates with; see openrouter_set_allocator(). */
typedef struct openrouter_allocator {
    unsigned int version;                                 /* OPENROUTER_ALLOCATOR_VERSION */
    void *(*malloc_fn)(void *ctx, size_t size);           /* required; size > 0 */
    void *(*realloc_fn)(void *ctx, void *ptr, size_t size); /* required; size > 0 */
    void (*free_fn)(void *ctx, void *ptr);                /* required; never called with NULL */
    void *ctx;                                            /* passed to the three functions */
} openrouter_allocator;

#define OPENROUTER_ALLOCATOR_VERSION 1 /* current version of openrouter_allocator */

/* Installs `allocator` (copied), or restores malloc/realloc/free when it is
 * NULL. Returns OPENROUTER_OK, or OPENROUTER_EINVAL when the allocator is
 * incomplete or has the wrong version, or when the library is initialised
 * (between openrouter_global_init() and the matching last
 * openrouter_global_cleanup(), which includes while any client exists):
 * blocks must be released by the allocator that made them. For the same
 * reason, free every model, buffer and openrouter_error the library gave
 * you before switching allocators. Not to be called concurrently with any
 * other function of the library. */
int openrouter_set_allocator(const openrouter_allocator *allocator);

#ifdef __cplusplus
}
#endif
#endif
