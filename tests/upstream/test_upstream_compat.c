/* Old code, new API: upstream_0414.c is written against the 2026-04-14
 * generated API; this program builds it (with -Werror) against the
 * 2026-08-22 excerpt generated with the same prefix, and runs it. */
#include <CUnit/CUnit.h>

#include "test_util.h"

void upstream_0414_register(void);

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    upstream_0414_register();
    return or_test_run();
}
