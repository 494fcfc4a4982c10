/* A header declaring what libopenrouter.so does not export: the CTest
 * abi_exports_can_fail_unexported adds it to prove check_exports.py fails. */
int openrouter_abi_check_fixture(void);
extern const int openrouter_abi_check_object;
