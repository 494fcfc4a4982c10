/* Small helpers shared by the CUnit suites. */
#ifndef OR_TEST_UTIL_H
#define OR_TEST_UTIL_H

/* Runs every registered CUnit suite in verbose mode, cleans the registry
 * and returns the process exit code (0 only when every assertion passed). */
int or_test_run(void);

/* Nonzero when CTest runs the suite under valgrind or helgrind
 * (OPENROUTER_TEST_UNDER_VALGRIND set and not "0"): suites scale loops down. */
int or_test_under_valgrind(void);

/* Reads a whole file; returns a malloc'd NUL-terminated buffer or NULL. */
char *or_test_read_file(const char *path, size_t *len_out);

#endif
