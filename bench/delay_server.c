/* Loopback delay server for the concurrency benchmark: answers every
 * `GET /api/v1/keys/{hash}` with the key fixture after a fixed delay, so
 * wall time measures a client's concurrency, not the server.
 *
 *   delay_server --body FILE [--delay-ms 20] [--timeout-s 3600] [--port-file F]
 *
 * One thread, epoll, keep-alive HTTP/1.1, one request at a time per
 * connection (clients do not pipeline; a pipelined request waits its turn).
 * The delay is the same for every request, so deadlines arrive in order: a
 * FIFO of waiting connections and one timerfd armed for its head are all
 * the timers needed, O(1) per request.
 *
 * Routes:
 *   GET /api/v1/keys/{hash}           the body after the delay
 *   GET /nodelay/api/v1/keys/{hash}   the body at once (server capacity, delay_load.c)
 *   GET /_status[?reset]              at once: {"accepts":..,"requests":..,"delayed":..,
 *                                     "max_waiting":..,"max_open":..,"cpu_s":..} (accepts counts
 *                                     this request's connection; ?reset restarts the maxima)
 *   anything else                     404 at once
 * It binds 127.0.0.1 on an ephemeral port, writes the port to --port-file
 * (or stdout), and exits on SIGTERM/SIGINT or after --timeout-s. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define INBUF 8192

typedef struct conn {
    int fd;
    char in[INBUF];
    size_t in_len;
    size_t req_len;            /* bytes of the request being answered (head + body) */
    const char *out;           /* response being written */
    size_t out_len, out_off;
    char status_buf[256];      /* /_status responses are built per request */
    int waiting;               /* in the FIFO */
    uint32_t events;           /* what epoll watches for it */
    struct timespec due;
    struct conn *next, *prev;  /* FIFO links */
} conn;

static struct {
    int ep, lfd, tfd;
    long delay_ms;
    char *resp_key, *resp_404;
    size_t resp_key_len, resp_404_len;
    conn *head, *tail;         /* waiting connections, earliest deadline first */
    conn *dead;                /* closed during this epoll batch, freed after it */
    long waiting, max_waiting;
    unsigned long long accepts, requests, delayed, open, max_open;
    volatile sig_atomic_t stop;
} S;

static void die(const char *what) {
    perror(what);
    exit(1);
}

static char *build_response(const char *status, const char *body, size_t body_len, size_t *len) {
    char head[256];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n", status,
                     body_len);
    char *r = malloc((size_t)n + body_len);
    if (!r) die("malloc");
    memcpy(r, head, (size_t)n);
    memcpy(r + n, body, body_len);
    *len = (size_t)n + body_len;
    return r;
}

static void load_body(const char *path) {
    FILE *f = fopen(path, "rb");
    char *body;
    long sz;
    if (!f) die(path);
    fseek(f, 0, SEEK_END);
    sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    body = malloc((size_t)sz);
    if (!body || fread(body, 1, (size_t)sz, f) != (size_t)sz) die(path);
    fclose(f);
    S.resp_key = build_response("200 OK", body, (size_t)sz, &S.resp_key_len);
    free(body);
    static const char nf[] = "{\"error\":{\"code\":404,\"message\":\"Not Found\"}}";
    S.resp_404 = build_response("404 Not Found", nf, sizeof nf - 1, &S.resp_404_len);
}

static void ts_add_ms(struct timespec *t, long ms) {
    t->tv_sec += ms / 1000;
    t->tv_nsec += (ms % 1000) * 1000000L;
    if (t->tv_nsec >= 1000000000L) { t->tv_sec++; t->tv_nsec -= 1000000000L; }
}

static int ts_le(const struct timespec *a, const struct timespec *b) {
    return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec <= b->tv_nsec);
}

static void arm_timer(void) {
    struct itimerspec its = {0};
    if (S.head) its.it_value = S.head->due; /* absolute; zero disarms */
    if (timerfd_settime(S.tfd, TFD_TIMER_ABSTIME, &its, NULL) != 0) die("timerfd_settime");
}

static void fifo_push(conn *c) {
    clock_gettime(CLOCK_MONOTONIC, &c->due);
    ts_add_ms(&c->due, S.delay_ms);
    c->waiting = 1;
    c->next = NULL;
    c->prev = S.tail;
    if (S.tail) S.tail->next = c;
    else S.head = c;
    S.tail = c;
    if (++S.waiting > S.max_waiting) S.max_waiting = S.waiting;
    if (S.head == c) arm_timer();
}

static void fifo_remove(conn *c) {
    if (!c->waiting) return;
    if (c->prev) c->prev->next = c->next;
    else S.head = c->next;
    if (c->next) c->next->prev = c->prev;
    else S.tail = c->prev;
    c->waiting = 0;
    S.waiting--;
}

static void watch(conn *c, uint32_t events) {
    struct epoll_event ev = {.events = events, .data.ptr = c};
    if (c->events == events) return;
    if (epoll_ctl(S.ep, EPOLL_CTL_MOD, c->fd, &ev) != 0) die("epoll_ctl MOD");
    c->events = events;
}

/* The conn may still have an event later in this epoll batch (the timer
 * can close it first): it is freed after the batch, fd -1 meanwhile. */
static void close_conn(conn *c) {
    fifo_remove(c);
    epoll_ctl(S.ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    c->fd = -1;
    c->next = S.dead;
    S.dead = c;
    S.open--;
}

static void handle_input(conn *c);

/* Writes what is left of the response; when done, drops the request from
 * the input and looks at the next one. Returns -1 when the conn was closed. */
static int flush_out(conn *c) {
    while (c->out_off < c->out_len) {
        ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) { watch(c, EPOLLOUT); return 0; }
        if (n <= 0) { close_conn(c); return -1; }
        c->out_off += (size_t)n;
    }
    c->out = NULL;
    memmove(c->in, c->in + c->req_len, c->in_len - c->req_len);
    c->in_len -= c->req_len;
    c->req_len = 0;
    watch(c, EPOLLIN);
    handle_input(c);
    return 0;
}

static void respond(conn *c, const char *r, size_t len) {
    c->out = r;
    c->out_len = len;
    c->out_off = 0;
    flush_out(c);
}

static double cpu_s(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* With `reset`, the maxima start again after this answer, so the next
 * answer's are one client's. */
static void respond_status(conn *c, int reset) {
    char body[192];
    int n = snprintf(body, sizeof body,
                     "{\"accepts\":%llu,\"requests\":%llu,\"delayed\":%llu,\"max_waiting\":%ld,"
                     "\"max_open\":%llu,\"cpu_s\":%.6f}",
                     S.accepts, S.requests, S.delayed, S.max_waiting, S.max_open, cpu_s());
    int h = snprintf(c->status_buf, sizeof c->status_buf,
                     "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", n, body);
    if (reset) S.max_waiting = S.waiting, S.max_open = S.open;
    respond(c, c->status_buf, (size_t)h);
}

/* The header block's Content-Length value, 0 when absent. */
static size_t content_length(const char *head, size_t head_len) {
    const char *p = head, *end = head + head_len;
    while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        p++;
        if (end - p > 15 && !strncasecmp(p, "Content-Length:", 15)) return (size_t)strtoul(p + 15, NULL, 10);
    }
    return 0;
}

/* Starts answering the first complete request in c->in, if any. */
static void handle_input(conn *c) {
    char *end;
    size_t head_len, body_len;
    if (c->out || c->waiting || c->in_len == 0) return;
    end = memmem(c->in, c->in_len, "\r\n\r\n", 4);
    if (!end) {
        if (c->in_len == INBUF) close_conn(c); /* header too large for a benchmark client */
        return;
    }
    head_len = (size_t)(end - c->in) + 4;
    body_len = content_length(c->in, head_len);
    if (body_len > INBUF - head_len) { close_conn(c); return; }
    if (c->in_len < head_len + body_len) return;
    c->req_len = head_len + body_len;
    S.requests++;
    if (!strncmp(c->in, "GET /api/v1/keys/", 17)) {
        S.delayed++;
        fifo_push(c);
    } else if (!strncmp(c->in, "GET /nodelay/api/v1/keys/", 25)) {
        respond(c, S.resp_key, S.resp_key_len);
    } else if (!strncmp(c->in, "GET /_status", 12)) {
        respond_status(c, c->in[12] == '?');
    } else {
        respond(c, S.resp_404, S.resp_404_len);
    }
}

static void on_readable(conn *c) {
    for (;;) {
        ssize_t n;
        if (c->in_len == INBUF) break;
        n = recv(c->fd, c->in + c->in_len, INBUF - c->in_len, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) break;
        if (n <= 0) { close_conn(c); return; }
        c->in_len += (size_t)n;
    }
    handle_input(c);
}

static void on_accept(void) {
    for (;;) {
        int fd = accept4(S.lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), one = 1;
        conn *c;
        struct epoll_event ev;
        if (fd < 0) {
            if (errno == EINTR) continue;
            return; /* EAGAIN, or out of fds: the backlog keeps the rest */
        }
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        c = calloc(1, sizeof *c);
        if (!c) die("calloc");
        c->fd = fd;
        c->events = EPOLLIN;
        ev.events = EPOLLIN;
        ev.data.ptr = c;
        if (epoll_ctl(S.ep, EPOLL_CTL_ADD, fd, &ev) != 0) die("epoll_ctl ADD");
        S.accepts++;
        if (++S.open > S.max_open) S.max_open = S.open;
    }
}

/* Answers every waiting request whose deadline has passed. */
static void on_timer(void) {
    uint64_t ticks;
    struct timespec now;
    if (read(S.tfd, &ticks, sizeof ticks) < 0 && errno != EAGAIN) die("read timerfd");
    clock_gettime(CLOCK_MONOTONIC, &now);
    while (S.head && ts_le(&S.head->due, &now)) {
        conn *c = S.head;
        fifo_remove(c);
        respond(c, S.resp_key, S.resp_key_len);
    }
    arm_timer();
}

static void on_signal(int sig) {
    (void)sig;
    S.stop = 1;
}

static int listen_loopback(const char *port_file) {
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof sa;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;
    FILE *f;
    if (fd < 0) die("socket");
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 4096) != 0) die("bind/listen");
    if (getsockname(fd, (struct sockaddr *)&sa, &sl) != 0) die("getsockname");
    f = port_file ? fopen(port_file, "w") : stdout;
    if (!f) die(port_file);
    fprintf(f, "%d\n", ntohs(sa.sin_port));
    if (port_file) fclose(f);
    else fflush(f);
    return fd;
}

int main(int argc, char **argv) {
    const char *body = NULL, *port_file = NULL;
    long timeout_s = 3600;
    struct epoll_event ev, evs[256];
    struct sigaction sa = {.sa_handler = on_signal};
    time_t deadline;
    S.delay_ms = 20;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--body")) body = argv[i + 1];
        else if (!strcmp(argv[i], "--delay-ms")) S.delay_ms = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--timeout-s")) timeout_s = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--port-file")) port_file = argv[i + 1];
        else body = NULL, i = argc;
    }
    if (!body || argc % 2 == 0 || S.delay_ms < 0) {
        fprintf(stderr, "usage: %s --body FILE [--delay-ms MS] [--timeout-s S] [--port-file F]\n", argv[0]);
        return 2;
    }
    load_body(body);
    prctl(PR_SET_TIMERSLACK, 1UL); /* answer on time, not up to 50 us late */
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    S.ep = epoll_create1(EPOLL_CLOEXEC);
    S.tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (S.ep < 0 || S.tfd < 0) die("epoll/timerfd");
    S.lfd = listen_loopback(port_file);
    ev.events = EPOLLIN;
    ev.data.ptr = &S.lfd;
    if (epoll_ctl(S.ep, EPOLL_CTL_ADD, S.lfd, &ev) != 0) die("epoll_ctl listen");
    ev.data.ptr = &S.tfd;
    if (epoll_ctl(S.ep, EPOLL_CTL_ADD, S.tfd, &ev) != 0) die("epoll_ctl timer");
    deadline = time(NULL) + timeout_s;
    while (!S.stop && time(NULL) < deadline) {
        int n = epoll_wait(S.ep, evs, 256, 1000);
        if (n < 0 && errno != EINTR) die("epoll_wait");
        for (int i = 0; i < n; i++) {
            void *p = evs[i].data.ptr;
            if (p == &S.lfd) on_accept();
            else if (p == &S.tfd) on_timer();
            else if (((conn *)p)->fd < 0) continue;
            else if (((conn *)p)->out) flush_out(p);
            else on_readable(p);
        }
        while (S.dead) {
            conn *c = S.dead;
            S.dead = c->next;
            free(c);
        }
    }
    return 0;
}
