/* Python helper servers as child processes: see helper_proc.h. */
#define _XOPEN_SOURCE 700 /* nftw */
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helper_proc.h"
#include "test_util.h"

int helper_start(helper_proc *h, const char *script, const char *arg)
{
    memset(h, 0, sizeof *h);
    snprintf(h->dir, sizeof h->dir, "/tmp/or-helper-XXXXXX");
    if (!mkdtemp(h->dir)) {
        h->dir[0] = '\0';
        return -1;
    }
    int in[2], out[2];
    if (pipe(in) != 0)
        return -1;
    if (pipe(out) != 0) {
        close(in[0]);
        close(in[1]);
        return -1;
    }
    h->pid = fork();
    if (h->pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[1]);
        close(out[0]);
        execlp("python3", "python3", script, h->dir, arg, (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    h->stdin_fd = in[1];
    if (h->pid < 0) {
        h->pid = 0;
        close(out[0]);
        return -1;
    }
    FILE *f = fdopen(out[0], "r");
    char line[64] = "";
    int ok = f && fgets(line, sizeof line, f) && sscanf(line, "LISTENING %d", &h->port) == 1;
    if (f)
        fclose(f);
    else
        close(out[0]);
    return ok ? 0 : -1;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)type;
    (void)ftw;
    return remove(path);
}

void helper_stop(helper_proc *h)
{
    if (h->pid > 0) {
        close(h->stdin_fd);
        int status;
        if (waitpid(h->pid, &status, 0) < 0)
            kill(h->pid, SIGKILL);
        h->pid = 0;
    }
    if (h->dir[0])
        nftw(h->dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
    h->dir[0] = '\0';
}

const char *helper_path(const helper_proc *h, const char *name, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%s", h->dir, name);
    return buf;
}

char *helper_events(const helper_proc *h)
{
    char path[128];
    char *s = or_test_read_file(helper_path(h, "events", path, sizeof path), NULL);
    return s ? s : strdup("");
}

void helper_wait_events(const helper_proc *h, int lines)
{
    for (int i = 0; i < 100; i++) {
        char *e = helper_events(h);
        int n = 0;
        for (char *p = e; *p; p++)
            n += *p == '\n';
        free(e);
        if (n >= lines)
            return;
        struct timespec ts = {0, 50000000L};
        nanosleep(&ts, NULL);
    }
}
