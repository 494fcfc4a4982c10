/* Test helpers for the local OpenRouter stub server.  See stub_server.h. */
#include "stub_server.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#define STUB_START_TIMEOUT_MS 10000
#define STUB_HTTP_TIMEOUT_MS 15000L

static void stub_log(const char *what, const char *detail)
{
    fprintf(stderr, "stub_server: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
}

static void sleep_ms(long ms)
{
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* ------------------------------------------------------------------ HTTP */

struct buf {
    char *data;
    size_t len;
    size_t cap;
    int oom;
};

static size_t buf_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct buf *b = userdata;
    size_t n = size * nmemb;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->data, cap);
        if (!p) {
            b->oom = 1;
            return 0;
        }
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, ptr, n);
    b->len += n;
    b->data[b->len] = '\0';
    return n;
}

/* Performs one request on a fresh easy handle.  Returns 0 on a 2xx answer;
 * *body_out (if non-NULL) gets the NUL-terminated body (caller frees). */
static int http_call(const char *method, const char *url, const char *body, char **body_out)
{
    CURL *h = NULL;
    struct curl_slist *hdrs = NULL, *tmp;
    struct buf b = {0};
    long status = 0;
    int rc = -1;
    CURLcode cc = CURLE_OK;

    if (body_out)
        *body_out = NULL;
    h = curl_easy_init();
    if (!h) {
        stub_log("curl_easy_init failed", url);
        return -1;
    }
    tmp = curl_slist_append(hdrs, "Content-Type: application/json");
    if (!tmp)
        goto out;
    hdrs = tmp;
    tmp = curl_slist_append(hdrs, "Expect:");
    if (!tmp)
        goto out;
    hdrs = tmp;

#define SETOPT(opt, val)                                                                           \
    do {                                                                                           \
        if ((cc = curl_easy_setopt(h, opt, val)) != CURLE_OK)                                      \
            goto curl_fail;                                                                        \
    } while (0)
    SETOPT(CURLOPT_URL, url);
    SETOPT(CURLOPT_NOSIGNAL, 1L);
    SETOPT(CURLOPT_NOPROXY, "*");
    SETOPT(CURLOPT_TIMEOUT_MS, STUB_HTTP_TIMEOUT_MS);
    SETOPT(CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    SETOPT(CURLOPT_CUSTOMREQUEST, method);
    SETOPT(CURLOPT_HTTPHEADER, hdrs);
    SETOPT(CURLOPT_WRITEFUNCTION, buf_write);
    SETOPT(CURLOPT_WRITEDATA, &b);
    if (body) {
        SETOPT(CURLOPT_POSTFIELDS, body);
        SETOPT(CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    } else if (strcmp(method, "POST") == 0) {
        SETOPT(CURLOPT_POSTFIELDS, "");
        SETOPT(CURLOPT_POSTFIELDSIZE, 0L);
    }
#undef SETOPT

    cc = curl_easy_perform(h);
    if (cc != CURLE_OK)
        goto curl_fail;
    if (b.oom) {
        stub_log("out of memory reading response", url);
        goto out;
    }
    cc = curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (cc != CURLE_OK)
        goto curl_fail;
    if (status < 200 || status > 299) {
        fprintf(stderr, "stub_server: %s %s -> HTTP %ld: %s\n", method, url, status,
                b.data ? b.data : "");
        goto out;
    }
    if (body_out) {
        if (!b.data) {
            b.data = calloc(1, 1);
            if (!b.data)
                goto out;
        }
        *body_out = b.data;
        b.data = NULL;
    }
    rc = 0;
    goto out;

curl_fail:
    fprintf(stderr, "stub_server: %s %s: %s\n", method, url, curl_easy_strerror(cc));
out:
    free(b.data);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
    return rc;
}

int stub_control(stub_server *s, const char *method, const char *path, const char *body,
                 json_object **out)
{
    char url[512];
    char *resp = NULL;
    int n;

    if (out)
        *out = NULL;
    if (!s || s->pid <= 0 || !method || !path) {
        stub_log("stub_control: server not running or bad arguments", path);
        return -1;
    }
    n = snprintf(url, sizeof url, "%s%s", s->control_url, path);
    if (n < 0 || (size_t)n >= sizeof url) {
        stub_log("control URL too long", path);
        return -1;
    }
    if (http_call(method, url, body, out ? &resp : NULL) != 0)
        return -1;
    if (out) {
        enum json_tokener_error jerr = json_tokener_success;
        *out = json_tokener_parse_verbose(resp, &jerr);
        if (!*out) {
            fprintf(stderr, "stub_server: %s %s: bad JSON answer (%s)\n", method, url,
                    json_tokener_error_desc(jerr));
            free(resp);
            return -1;
        }
    }
    free(resp);
    return 0;
}

/* ---------------------------------------------------------- process mgmt */

static const char *stub_script(void)
{
#ifdef STUB_SERVER_SCRIPT
    return STUB_SERVER_SCRIPT;
#else
    const char *p = getenv("OPENROUTER_STUB_SCRIPT");
    return (p && *p) ? p : NULL;
#endif
}

/* Reads the port file; returns the port, 0 if not there yet, -1 on garbage. */
static int read_port_file(const char *path)
{
    char line[32];
    FILE *f = fopen(path, "r");
    char *end = NULL;
    long v;

    if (!f)
        return 0;
    if (!fgets(line, sizeof line, f)) {
        fclose(f);
        return 0;
    }
    fclose(f);
    errno = 0;
    v = strtol(line, &end, 10);
    if (errno != 0 || end == line || v <= 0 || v > 65535)
        return -1;
    return (int)v;
}

static void cleanup_files(stub_server *s)
{
    if (s->port_file[0]) {
        if (unlink(s->port_file) != 0 && errno != ENOENT)
            stub_log("could not remove port file", s->port_file);
        s->port_file[0] = '\0';
    }
    if (s->tmp_dir[0]) {
        if (rmdir(s->tmp_dir) != 0 && errno != ENOENT)
            stub_log("could not remove temp dir", s->tmp_dir);
        s->tmp_dir[0] = '\0';
    }
}

/* Waits up to ms for the child; returns 1 if it has been reaped. */
static int wait_child(pid_t pid, long ms)
{
    for (long waited = 0;; waited += 20) {
        int status;
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid || (r < 0 && errno == ECHILD))
            return 1;
        if (waited >= ms)
            return 0;
        sleep_ms(20);
    }
}

static void kill_child(pid_t pid)
{
    if (pid <= 0)
        return;
    if (wait_child(pid, 0))
        return;
    if (kill(pid, SIGTERM) == 0 && wait_child(pid, 3000))
        return;
    kill(pid, SIGKILL);
    wait_child(pid, 5000);
}

int stub_start(stub_server *s, int seed_keys)
{
    const char *script = stub_script();
    const char *python = getenv("PYTHON");
    const char *tmpdir = getenv("TMPDIR");
    char seeds[32];
    pid_t pid;
    int n;

    if (!s)
        return -1;
    memset(s, 0, sizeof *s);
    if (!script) {
        stub_log("no stub script: define STUB_SERVER_SCRIPT or set OPENROUTER_STUB_SCRIPT", NULL);
        return -1;
    }
    if (access(script, R_OK) != 0) {
        stub_log("stub script not readable", script);
        return -1;
    }
    if (!python || !*python)
        python = "python3";
    if (!tmpdir || !*tmpdir)
        tmpdir = "/tmp";
    if (seed_keys < 0)
        seed_keys = 0;

    n = snprintf(s->tmp_dir, sizeof s->tmp_dir, "%s/orstub-XXXXXX", tmpdir);
    if (n < 0 || (size_t)n >= sizeof s->tmp_dir) {
        stub_log("TMPDIR too long", tmpdir);
        s->tmp_dir[0] = '\0';
        return -1;
    }
    if (!mkdtemp(s->tmp_dir)) {
        stub_log("mkdtemp failed", strerror(errno));
        s->tmp_dir[0] = '\0';
        return -1;
    }
    n = snprintf(s->port_file, sizeof s->port_file, "%s/port", s->tmp_dir);
    if (n < 0 || (size_t)n >= sizeof s->port_file) {
        s->port_file[0] = '\0';
        cleanup_files(s);
        return -1;
    }
    snprintf(seeds, sizeof seeds, "%d", seed_keys);

    fflush(NULL);
    pid = fork();
    if (pid < 0) {
        stub_log("fork failed", strerror(errno));
        cleanup_files(s);
        return -1;
    }
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDWR);
        if (devnull >= 0) {
            dup2(devnull, STDIN_FILENO);
            dup2(devnull, STDOUT_FILENO); /* the stub prints LISTENING <port> */
            if (devnull > STDERR_FILENO)
                close(devnull);
        }
        execlp(python, python, script, "--port-file", s->port_file, "--seed-keys", seeds,
               (char *)NULL);
        fprintf(stderr, "stub_server: exec %s failed: %s\n", python, strerror(errno));
        _exit(127);
    }
    s->pid = pid;

    for (long waited = 0;; waited += 20) {
        int port = read_port_file(s->port_file);
        if (port > 0) {
            s->port = port;
            break;
        }
        if (port < 0) {
            stub_log("garbage in port file", s->port_file);
            goto fail;
        }
        int status;
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) {
            stub_log("stub server exited during start-up", script);
            s->pid = 0;
            goto fail;
        }
        if (waited >= STUB_START_TIMEOUT_MS) {
            stub_log("timed out waiting for the stub's port file", s->port_file);
            goto fail;
        }
        sleep_ms(20);
    }
    snprintf(s->base_url, sizeof s->base_url, "http://127.0.0.1:%d/api/v1", s->port);
    snprintf(s->control_url, sizeof s->control_url, "http://127.0.0.1:%d/_control", s->port);
    return 0;

fail:
    kill_child(s->pid);
    s->pid = 0;
    cleanup_files(s);
    return -1;
}

void stub_stop(stub_server *s)
{
    if (!s)
        return;
    if (s->pid > 0) {
        if (s->port > 0 && stub_control(s, "POST", "/shutdown", NULL, NULL) == 0 &&
            wait_child(s->pid, 3000)) {
            /* exited cleanly */
        } else {
            kill_child(s->pid);
        }
        s->pid = 0;
    }
    cleanup_files(s);
}

/* ------------------------------------------------------------- controls */

int stub_reset(stub_server *s, int seed_keys)
{
    char body[64];
    snprintf(body, sizeof body, "{\"seed_keys\":%d}", seed_keys < 0 ? 0 : seed_keys);
    return stub_control(s, "POST", "/reset", body, NULL);
}

int stub_add_faults(stub_server *s, const char *faults_json)
{
    if (!faults_json)
        return -1;
    return stub_control(s, "POST", "/faults", faults_json, NULL);
}

int stub_clear_faults(stub_server *s)
{
    return stub_control(s, "DELETE", "/faults", NULL, NULL);
}

int stub_add_key(stub_server *s, const char *key_json, char *hash_out, size_t hash_size)
{
    json_object *resp = NULL, *data = NULL, *hash = NULL;
    int rc = -1;

    if (!key_json)
        return -1;
    if (stub_control(s, "POST", "/keys", key_json, &resp) != 0)
        return -1;
    if (!json_object_object_get_ex(resp, "data", &data) ||
        !json_object_object_get_ex(data, "hash", &hash) ||
        !json_object_is_type(hash, json_type_string)) {
        stub_log("stub_add_key: answer has no data.hash", json_object_to_json_string(resp));
        goto out;
    }
    if (hash_out) {
        const char *h = json_object_get_string(hash);
        size_t len = strlen(h);
        if (len + 1 > hash_size) {
            stub_log("stub_add_key: hash buffer too small", h);
            goto out;
        }
        memcpy(hash_out, h, len + 1);
    }
    rc = 0;
out:
    json_object_put(resp);
    return rc;
}

json_object *stub_requests(stub_server *s)
{
    json_object *resp = NULL, *arr = NULL;
    if (stub_control(s, "GET", "/requests", NULL, &resp) != 0)
        return NULL;
    if (!json_object_object_get_ex(resp, "requests", &arr) ||
        !json_object_is_type(arr, json_type_array)) {
        stub_log("stub_requests: answer has no requests array", NULL);
        json_object_put(resp);
        return NULL;
    }
    return resp;
}

int stub_clear_requests(stub_server *s)
{
    return stub_control(s, "DELETE", "/requests", NULL, NULL);
}

static long get_int_field(stub_server *s, const char *path, const char *name)
{
    json_object *resp = NULL, *v = NULL;
    long out = -1;
    if (stub_control(s, "GET", path, NULL, &resp) != 0)
        return -1;
    if (json_object_object_get_ex(resp, name, &v) && json_object_is_type(v, json_type_int))
        out = (long)json_object_get_int64(v);
    else
        stub_log("missing integer field in control answer", name);
    json_object_put(resp);
    return out;
}

int stub_count_keys(stub_server *s)
{
    return (int)get_int_field(s, "/keys", "count");
}

long stub_stat(stub_server *s, const char *name)
{
    if (!name)
        return -1;
    return get_int_field(s, "/stats", name);
}

long stub_connections(stub_server *s)
{
    return stub_stat(s, "api_connections");
}

int stub_reset_connections(stub_server *s)
{
    return stub_control(s, "POST", "/connections", NULL, NULL);
}
