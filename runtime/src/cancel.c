/* openrouter-c: cancel tokens (client.h). A token is an atomic flag and a
 * pipe: openrouter_cancel() sets the flag and writes a byte, which is all a
 * signal handler may do; a transfer polls the flag from libcurl's progress
 * callback (http.c); the wait between retries polls the pipe, so it ends
 * the moment the token is cancelled. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

struct openrouter_cancel_token {
    atomic_int cancelled;
    int fds[2]; /* [0] read end, polled by waiters; [1] write end */
};

static int set_flags(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    int fd_fl = fcntl(fd, F_GETFD);
    return fl < 0 || fd_fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0 ||
                   fcntl(fd, F_SETFD, fd_fl | FD_CLOEXEC) != 0
               ? -1
               : 0;
}

int openrouter_cancel_token_new(openrouter_cancel_token **out)
{
    if (!out)
        return OPENROUTER_EINVAL;
    *out = NULL;
    openrouter_cancel_token *t = or_calloc(1, sizeof *t);
    if (!t)
        return OPENROUTER_ENOMEM;
    atomic_init(&t->cancelled, 0);
    if (pipe(t->fds) != 0) {
        or_free(t);
        return OPENROUTER_ETRANSPORT;
    }
    if (set_flags(t->fds[0]) != 0 || set_flags(t->fds[1]) != 0) {
        close(t->fds[0]);
        close(t->fds[1]);
        or_free(t);
        return OPENROUTER_ETRANSPORT;
    }
    *out = t;
    return OPENROUTER_OK;
}

void openrouter_cancel(openrouter_cancel_token *token)
{
    if (!token)
        return;
    int saved = errno; /* a signal handler must leave errno as it was */
    if (atomic_exchange(&token->cancelled, 1) == 0) {
        char one = 1;
        /* Full pipe: a byte is there already, which is all a waiter needs. */
        ssize_t n = write(token->fds[1], &one, 1);
        (void)n;
    }
    errno = saved;
}

int openrouter_cancel_requested(const openrouter_cancel_token *token)
{
    return token && atomic_load(&token->cancelled) != 0;
}

void openrouter_cancel_token_reset(openrouter_cancel_token *token)
{
    if (!token)
        return;
    char drain[64];
    while (read(token->fds[0], drain, sizeof drain) > 0)
        ;
    atomic_store(&token->cancelled, 0);
}

void openrouter_cancel_token_free(openrouter_cancel_token *token)
{
    if (!token)
        return;
    close(token->fds[0]);
    close(token->fds[1]);
    or_free(token);
}

static int64_t monotonic_ms(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 0;
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int or_cancel_wait(const openrouter_cancel_token *token, long ms)
{
    int64_t end = monotonic_ms() + ms;
    for (;;) {
        if (openrouter_cancel_requested(token))
            return 1;
        int64_t left = end - monotonic_ms();
        if (left <= 0)
            return 0;
        struct pollfd p = {token->fds[0], POLLIN, 0};
        /* EINTR and spurious wake-ups go round again; the flag decides. */
        if (poll(&p, 1, left > 60000 ? 60000 : (int)left) < 0 && errno != EINTR)
            return openrouter_cancel_requested(token);
    }
}
