/* Uses the public API's macros as a program would: every *_INIT macro (the
 * list OR_INIT_MACROS comes from check_compile.py) and every value macro.
 * Compiled as C11 with -Wwrite-strings -Wcast-qual and as C++17. */
#include <openrouter/openrouter.h>

#define X(type, init)       \
    {                       \
        type v = init;      \
        (void)v;            \
    }

int main(void)
{
    OR_INIT_MACROS
    return 0;
}
