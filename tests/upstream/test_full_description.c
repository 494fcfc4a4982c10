/* OpenRouter's whole published description (2026-06-09), unedited,
 * generated in whole-spec mode with --prefix orfull: decode(encode(x)) == x
 * for every model, every union in every variant (a variant the generation
 * report says decoding never selects comes back as the earlier variant with
 * the same JSON) and for a raw value no variant takes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "orfull/orfull.h"
#include "round_trip.h"
#include "test_util.h"

static void test_every_union_every_variant(void)
{
    size_t len = 0;
    char *report = or_test_read_file(ORFULL_REPORT, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(report);
    CU_ASSERT_PTR_NOT_NULL(strstr(report, "66 operations generated, 0 skipped"));
    round_trip_stats st = {0};
    round_trip_table("orfull", orfull_model_table, orfull_model_count, report, &st);
    printf("\n  %zu models, %zu unions: %zu variants as themselves, %zu as the earlier variant the report "
           "names; raw text kept by %zu unions (%zu take every JSON value)\n",
           st.models, st.unions, st.variants, st.shadowed, st.raw, st.no_raw);
    CU_ASSERT_EQUAL(st.failures, 0u);
    CU_ASSERT_EQUAL(st.models + st.unions, orfull_model_count);
    CU_ASSERT(st.unions >= 80);
    CU_ASSERT_EQUAL(st.raw + st.no_raw, st.unions);
    free(report);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("whole description", NULL, NULL);
    CU_add_test(s, "round trip: every model, every union variant", test_every_union_every_variant);
    return or_test_run();
}
