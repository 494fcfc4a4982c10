/* Success bodies of the key operations that hold one value breaking the
 * description, all else valid (the fault matrix's "one bad item costs one
 * item" rows). */
#ifndef OR_TEST_ODD_BODIES_H
#define OR_TEST_ODD_BODIES_H

/* The odd value, in every key object of the body that has one. */
enum odd_value {
    ODD_DATETIME = 1,   /* "expires_at": "next tuesday" (upstream: format date-time) */
    ODD_NEGATIVE_USAGE, /* "usage": -5 (upstream sets no minimum) */
    ODD_UNKNOWN_RESET,  /* "limit_reset": "fortnightly" (an open enum) */
    ODD_WRONG_TYPE      /* "expires_at": 12345 (optional, a string or null) */
};

/* Which body: a page of ODD_PAGE_SIZE keys (item ODD_INDEX odd), a created
 * key with its secret, a key, a deletion, the current key. */
enum odd_shape { ODD_PAGE, ODD_CREATED, ODD_KEY, ODD_DELETED, ODD_CURRENT };
#define ODD_PAGE_SIZE 100
#define ODD_INDEX 37

/* The body as JSON text (malloc'd), NULL on OOM. */
char *odd_body(enum odd_shape shape, enum odd_value odd);

#endif
