/* decode(encode(x)) == x over whole generated tables: every model filled
 * three ways (model_fill.h), every union in every variant and with a raw
 * value no variant matches. */
#ifndef OR_TEST_ROUND_TRIP_H
#define OR_TEST_ROUND_TRIP_H

#include <stddef.h>

#include <openrouter/descriptor.h>

typedef struct round_trip_stats {
    size_t models;    /* object models checked (three fills each) */
    size_t unions;    /* union models checked */
    size_t variants;  /* union variants that came back as themselves */
    size_t shadowed;  /* variants that came back as the earlier variant the report names */
    size_t raw;       /* unions whose kind-0 raw text came back as it was */
    size_t no_raw;    /* unions whose variants take every JSON value (no raw test) */
    size_t failures;  /* what did not hold (each printed on stderr) */
} round_trip_stats;

/* Checks every model of `table`. `report` is the text of the set's
 * GENERATION_REPORT.md (may be NULL): a variant its "never selects" table
 * lists may decode as the earlier variant, provided that re-encodes to
 * the same JSON. */
void round_trip_table(const char *set, const openrouter_object_desc *const *table, size_t n, const char *report,
                      round_trip_stats *st);

#endif
