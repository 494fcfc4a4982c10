/* Small helpers shared by the CUnit suites. */
#ifndef OR_TEST_UTIL_H
#define OR_TEST_UTIL_H

/* Runs every registered CUnit suite in verbose mode, cleans the registry
 * and returns the process exit code (0 only when every assertion passed). */
int or_test_run(void);

/* Nonzero when CTest runs the suite under valgrind or helgrind
 * (OPENROUTER_TEST_UNDER_VALGRIND set and not "0"): suites scale loops down. */
int or_test_under_valgrind(void);

/* A document generated from a suite's table (`suite --markdown > docs/X.md`):
 * asserts the file at `path` (under the source tree) equals `md` (malloc'd;
 * freed here), naming `regen` (the command) when it is stale. */
void or_test_doc_matches(const char *path, char *md, const char *regen);
/* For main(): with --markdown as the only argument, prints markdown() and
 * returns 1 (*exit_code set); else returns 0. */
int or_test_markdown_main(int argc, char **argv, char *(*markdown)(void), int *exit_code);

/* A loopback port that refuses connections: bound, never listening, held
 * by *fd (close it when done). Returns the port, or -1 (*fd then -1). */
int or_test_refused_port(int *fd);

/* Reads a whole file; returns a malloc'd NUL-terminated buffer or NULL. */
char *or_test_read_file(const char *path, size_t *len_out);

#endif
