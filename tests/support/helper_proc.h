/* Test helpers: a Python helper server run as a child process (the TLS
 * stand-in tests/integration/tls_server.py, the CONNECT proxy
 * tests/support/connect_proxy.py). Each gets a private working directory,
 * prints "LISTENING <port>" when ready, appends what it saw to
 * WORKDIR/events, and exits when its stdin closes. */
#ifndef OR_TEST_HELPER_PROC_H
#define OR_TEST_HELPER_PROC_H

#include <sys/types.h>

typedef struct helper_proc {
    pid_t pid;     /* 0 when not running */
    int port;
    int stdin_fd;
    char dir[64];  /* the working directory, removed by helper_stop() */
} helper_proc;

/* Starts `python3 SCRIPT WORKDIR [ARG]` (arg may be NULL) and waits for its
 * port. 0, or -1 (then call helper_stop() anyway). */
int helper_start(helper_proc *h, const char *script, const char *arg);

/* Closes its stdin, waits for it (SIGKILL if that fails) and removes the
 * working directory with everything in it. Safe to call twice. */
void helper_stop(helper_proc *h);

/* "WORKDIR/name" into buf (size bytes). */
const char *helper_path(const helper_proc *h, const char *name, char *buf, size_t size);

/* The events file so far (malloc'd; "" when empty). */
char *helper_events(const helper_proc *h);

/* Waits up to 5 s until the events file has at least `lines` lines. */
void helper_wait_events(const helper_proc *h, int lines);

#endif
