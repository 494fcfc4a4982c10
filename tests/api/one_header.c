/* One public header on its own (OR_HEADER, set by check_compile.py): it must
 * include what it needs and compile cleanly as C and as C++. */
#include OR_HEADER
