/* openrouter-c benchmarks: helpers shared by minimal_client.c and sdk_client.c.
 *
 * Both programs take the same command line and print one JSON line per run,
 * so bench/run treats them alike:
 *
 *   PROG get      --url BASE --hash H --n N [--warmup W]   N sequential GET /keys/{hash}
 *   PROG list     --url BASE --n N [--warmup W]            N sequential GET /keys?offset=...
 *   PROG paginate --url BASE [--pages P]                    every page until a short one; peak RSS
 *   PROG decode   --file F --n N                            decode a list body N times
 *   PROG decode-rss --file F                                decode once; peak RSS over baseline
 *   PROG encode   --n N                                     create + update bodies, N of each
 *   sdk_client conc --url BASE --hash H --n N --inflight K [--api async|blocking]
 *                 N GET /keys/{hash} with K in flight (bench/delay_server.c answers
 *                 after a fixed delay); blocking: one after another (K = 1)
 *
 * BASE is e.g. http://127.0.0.1:8080/api/v1. */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <malloc.h>
#include <sys/resource.h>
#include <time.h>

typedef struct bench_args {
    const char *mode;
    const char *url;
    const char *hash;
    const char *file;
    long n;
    long warmup;
    long pages;
    long inflight;
    const char *api;
} bench_args;

static void bench_usage(const char *prog) {
    fprintf(stderr,
            "usage: %s get|list|paginate|decode|decode-rss|encode [--url BASE] [--hash H]\n"
            "          [--file F] [--n N] [--warmup W] [--pages P] [--inflight K] [--api A]\n",
            prog);
    exit(2);
}

static bench_args bench_parse_args(int argc, char **argv) {
    bench_args a = {0};
    a.n = 1000;
    a.warmup = -1;
    a.pages = 0;
    a.inflight = 1;
    a.api = "async";
    a.hash = "0000000000000000000000000000000000000000000000000000000000000000";
    if (argc < 2) bench_usage(argv[0]);
    a.mode = argv[1];
    for (int i = 2; i < argc; i++) {
        if (i + 1 >= argc) bench_usage(argv[0]);
        const char *k = argv[i], *v = argv[++i];
        if (!strcmp(k, "--url")) a.url = v;
        else if (!strcmp(k, "--hash")) a.hash = v;
        else if (!strcmp(k, "--file")) a.file = v;
        else if (!strcmp(k, "--n")) a.n = atol(v);
        else if (!strcmp(k, "--warmup")) a.warmup = atol(v);
        else if (!strcmp(k, "--pages")) a.pages = atol(v);
        else if (!strcmp(k, "--inflight")) a.inflight = atol(v);
        else if (!strcmp(k, "--api")) a.api = v;
        else bench_usage(argv[0]);
    }
    if (a.warmup < 0) a.warmup = a.n >= 1000 ? 100 : a.n / 10;
    return a;
}

typedef struct bench_clock {
    struct timespec wall;
    struct rusage ru;
} bench_clock;

static bench_clock bench_now(void) {
    bench_clock c;
    clock_gettime(CLOCK_MONOTONIC, &c.wall);
    getrusage(RUSAGE_SELF, &c.ru);
    return c;
}

static double bench_tv(struct timeval tv) { return (double)tv.tv_sec + tv.tv_usec / 1e6; }

static double bench_wall_s(bench_clock a, bench_clock b) {
    return (double)(b.wall.tv_sec - a.wall.tv_sec) + (b.wall.tv_nsec - a.wall.tv_nsec) / 1e9;
}
static double bench_user_s(bench_clock a, bench_clock b) {
    return bench_tv(b.ru.ru_utime) - bench_tv(a.ru.ru_utime);
}
static double bench_sys_s(bench_clock a, bench_clock b) {
    return bench_tv(b.ru.ru_stime) - bench_tv(a.ru.ru_stime);
}

/* Peak resident set so far, in KiB (VmHWM; ru_maxrss is the same number). */
static long bench_peak_rss_kb(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* A line of /proc/self/status in KiB ("VmRSS:", "VmHWM:"), -1 if /proc is
 * unavailable. */
static long bench_status_kb(const char *field) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    size_t len = strlen(field);
    long kb = -1;
    if (!f) return -1;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, field, len)) { kb = atol(line + len); break; }
    fclose(f);
    return kb;
}

/* Current resident set in KiB (VmRSS), -1 if /proc is unavailable. */
static long bench_rss_kb(void) { return bench_status_kb("VmRSS:"); }

/* Heap bytes in use (malloc'd and mmapped chunks), every library's
 * allocations included: a counting allocator without interposing malloc. */
static inline size_t bench_heap_bytes(void) {
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
}

static char *bench_read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    char *buf;
    long sz;
    if (!f) { perror(path); exit(1); }
    fseek(f, 0, SEEK_END);
    sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)sz + 1);
    if (!buf || fread(buf, 1, (size_t)sz, f) != (size_t)sz) { perror(path); exit(1); }
    buf[sz] = '\0';
    fclose(f);
    *len = (size_t)sz;
    return buf;
}

/* Folds values into a checksum the program prints, so the compiler cannot
 * drop the field reads. minimal_client.c and sdk_client.c fold the same
 * fields in the same order, so for the same input their checksums are
 * equal; bench/run checks that, which proves the SDK decoded every field to
 * the same values. */
static inline uint64_t bench_mix(uint64_t h, uint64_t v) {
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h;
}
static inline uint64_t bench_mix_d(uint64_t h, double d) {
    uint64_t v;
    memcpy(&v, &d, sizeof v);
    return bench_mix(h, v);
}
static inline uint64_t bench_mix_s(uint64_t h, const char *s) {
    /* length and first byte: proves the string was reached without turning
     * the benchmark into a hashing benchmark */
    if (!s) return bench_mix(h, 1);
    return bench_mix(h, (uint64_t)strlen(s) * 131u + (unsigned char)s[0]);
}

/* A number that may be null or absent (present = 0 for either). */
static inline uint64_t bench_mix_num(uint64_t h, int present, double d) {
    return present ? bench_mix_d(h, d) : bench_mix(h, 0x6e756c6cu);
}

/* One result line. `calls` is what per-call numbers divide by (calls, keys
 * or requests); negative numbers are left out; `extra` (NULL or JSON
 * members ending in a comma) is added as is. */
static void bench_report_ex(const char *client, const char *bench, const bench_args *a, long calls,
                            long keys, size_t bytes, bench_clock t0, bench_clock t1, long connects,
                            uint64_t checksum, long rss_base_kb, long rss_peak_kb, const char *extra) {
    double wall = bench_wall_s(t0, t1), user = bench_user_s(t0, t1), sys = bench_sys_s(t0, t1);
    printf("{\"client\":\"%s\",\"bench\":\"%s\",\"mode\":\"%s\",\"n\":%ld,\"calls\":%ld,\"keys\":%ld,"
           "\"bytes\":%zu,\"wall_s\":%.9f,\"user_s\":%.6f,\"sys_s\":%.6f,"
           "\"wall_ns_per_call\":%.1f,\"cpu_ns_per_call\":%.1f,",
           client, bench, a->mode, a->n, calls, keys, bytes, wall, user, sys,
           calls > 0 ? wall * 1e9 / calls : 0.0, calls > 0 ? (user + sys) * 1e9 / calls : 0.0);
    if (keys > 0)
        printf("\"wall_ns_per_key\":%.2f,\"mb_per_s\":%.2f,", wall * 1e9 / keys,
               wall > 0 ? (double)bytes / 1e6 / wall : 0.0);
    if (connects >= 0) printf("\"client_connects\":%ld,", connects);
    if (rss_base_kb >= 0) printf("\"rss_base_kb\":%ld,", rss_base_kb);
    if (rss_peak_kb >= 0) printf("\"rss_peak_kb\":%ld,", rss_peak_kb);
    if (extra) fputs(extra, stdout);
    printf("\"checksum\":\"%016llx\"}\n", (unsigned long long)checksum);
    fflush(stdout);
}

static inline void bench_report(const char *client, const char *bench, const bench_args *a, long calls, long keys,
                                size_t bytes, bench_clock t0, bench_clock t1, long connects, uint64_t checksum,
                                long rss_base_kb, long rss_peak_kb) {
    bench_report_ex(client, bench, a, calls, keys, bytes, t0, t1, connects, checksum, rss_base_kb, rss_peak_kb, NULL);
}

#endif
