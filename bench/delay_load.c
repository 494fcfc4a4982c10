/* The least a client can do against the delay server: C keep-alive
 * connections, each sending one GET and reading the whole response before
 * the next, until N responses have arrived. No HTTP library, no decoding:
 * just sockets. bench/run uses it twice:
 * - the server's own capacity (bench "server-capacity"): many connections,
 *   or no delay, to show the server is not the benchmark's bottleneck;
 * - the limit row of the concurrency table (bench "conc"): the same gets at
 *   the same concurrency as the SDK, so wall time over the ideal can be told
 *   apart from what this machine adds to any client.
 *
 *   delay_load --port P --path /api/v1/keys/H --conns C --n N [--label L] [--bench B]
 *
 * Prints one JSON line: wall and CPU time, requests per second, and the
 * body bytes read as the checksum. Fails (exit 1) on any connection error
 * or non-200 response. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUF 16384

typedef struct lconn {
    int fd;
    char in[BUF];
    size_t in_len;
} lconn;

static char req[512];
static size_t req_len;
static long sent, done, n_total;
static unsigned long long body_bytes;

static void fail(const char *what) {
    fprintf(stderr, "delay_load: %s: %s\n", what, errno ? strerror(errno) : "protocol error");
    exit(1);
}

static void send_request(lconn *c) {
    /* small request on an idle keep-alive socket: one send does it */
    if (send(c->fd, req, req_len, MSG_NOSIGNAL) != (ssize_t)req_len) fail("send");
    sent++;
}

/* Returns 1 when c->in holds a complete response (consumed), 0 if not yet. */
static int take_response(lconn *c) {
    char *end = memmem(c->in, c->in_len, "\r\n\r\n", 4), *cl;
    size_t head, body;
    if (!end) return 0;
    head = (size_t)(end - c->in) + 4;
    if (strncmp(c->in, "HTTP/1.1 200 ", 13) != 0) { errno = 0; fail("status is not 200"); }
    cl = memmem(c->in, head, "Content-Length: ", 16);
    if (!cl) { errno = 0; fail("no Content-Length"); }
    body = strtoul(cl + 16, NULL, 10);
    if (c->in_len < head + body) return 0;
    body_bytes += body;
    memmove(c->in, c->in + head + body, c->in_len - head - body);
    c->in_len -= head + body;
    return 1;
}

int main(int argc, char **argv) {
    const char *path = NULL, *label = "delay-server", *bench = "server-capacity";
    int port = 0, ep;
    long conns = 64, inflight;
    struct timespec t0, t1;
    struct rusage r0, r1;
    struct epoll_event evs[256];
    lconn *cs;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--port")) port = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--path")) path = argv[i + 1];
        else if (!strcmp(argv[i], "--conns")) conns = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--n")) n_total = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--label")) label = argv[i + 1];
        else if (!strcmp(argv[i], "--bench")) bench = argv[i + 1];
    }
    if (!port || !path || conns < 1 || n_total < 1) {
        fprintf(stderr, "usage: %s --port P --path PATH --conns C --n N [--label L] [--bench B]\n", argv[0]);
        return 2;
    }
    inflight = conns;
    if (conns > n_total) conns = n_total; /* never more connections than gets */
    req_len = (size_t)snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n", path, port);
    cs = calloc((size_t)conns, sizeof *cs);
    ep = epoll_create1(0);
    if (!cs || ep < 0) fail("setup");
    clock_gettime(CLOCK_MONOTONIC, &t0);
    getrusage(RUSAGE_SELF, &r0);
    for (long i = 0; i < conns; i++) {
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port),
                                 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &cs[i]};
        int one = 1;
        cs[i].fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (cs[i].fd < 0 || connect(cs[i].fd, (struct sockaddr *)&sa, sizeof sa) != 0) fail("connect");
        setsockopt(cs[i].fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev) != 0) fail("epoll_ctl");
        send_request(&cs[i]);
    }
    while (done < n_total) {
        int n = epoll_wait(ep, evs, 256, 30000);
        if (n == 0) { errno = 0; fail("no response in 30 s"); }
        if (n < 0 && errno != EINTR) fail("epoll_wait");
        for (int i = 0; i < n; i++) {
            lconn *c = evs[i].data.ptr;
            ssize_t r = recv(c->fd, c->in + c->in_len, BUF - c->in_len, 0);
            if (r <= 0) fail("recv");
            c->in_len += (size_t)r;
            while (take_response(c)) {
                done++;
                if (sent < n_total) send_request(c);
            }
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    getrusage(RUSAGE_SELF, &r1);
    double wall = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    double user = (double)(r1.ru_utime.tv_sec - r0.ru_utime.tv_sec) + (r1.ru_utime.tv_usec - r0.ru_utime.tv_usec) / 1e6;
    double sys = (double)(r1.ru_stime.tv_sec - r0.ru_stime.tv_sec) + (r1.ru_stime.tv_usec - r0.ru_stime.tv_usec) / 1e6;
    printf("{\"client\":\"%s\",\"bench\":\"%s\",\"api\":\"sockets\",\"path\":\"%s\",\"conns\":%ld,"
           "\"inflight\":%ld,\"warmup\":0,\"n\":%ld,\"calls\":%ld,\"wall_s\":%.6f,\"user_s\":%.6f,\"sys_s\":%.6f,"
           "\"cpu_ns_per_call\":%.1f,\"req_per_s\":%.1f,\"checksum\":\"%llx\"}\n",
           label, bench, path, conns, inflight, n_total, done, wall, user, sys, (user + sys) * 1e9 / (double)n_total,
           (double)n_total / wall, body_bytes);
    for (long i = 0; i < conns; i++) close(cs[i].fd);
    free(cs);
    return 0;
}
