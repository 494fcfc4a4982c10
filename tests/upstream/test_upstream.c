/* Code generated from both unedited upstream excerpts, each with its own
 * --prefix, linked into one program next to the main library's generated
 * code (so the prefixes keep every symbol apart), run against the
 * stand-in server. */
#include <CUnit/CUnit.h>

#include <openrouter/openrouter.h>

#include "test_util.h"

void upstream_0414_register(void);
void upstream_0822_register(void);

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    upstream_0414_register();
    upstream_0822_register();
    /* The main library's own code is linked in too. */
    if (openrouter_list_keys_operation.n_params == 0)
        return 1;
    return or_test_run();
}
