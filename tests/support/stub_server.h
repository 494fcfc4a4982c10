/*
 * Test helpers: start, drive and stop the local OpenRouter stub server
 * (tests/server/openrouter_stub.py) from C tests.
 *
 * The script path comes from the compile definition STUB_SERVER_SCRIPT (a
 * string literal) if defined, else from the environment variable
 * OPENROUTER_STUB_SCRIPT.  The interpreter is $PYTHON, or "python3".
 *
 * Every helper uses its own fresh libcurl easy handle and a new connection,
 * so helper calls never disturb the connection the client under test uses.
 * Return convention: 0 on success, -1 on failure (a message goes to stderr).
 */
#ifndef OPENROUTER_TESTS_STUB_SERVER_H
#define OPENROUTER_TESTS_STUB_SERVER_H

#include <stddef.h>
#include <sys/types.h>

#include <json-c/json.h>

#define STUB_MANAGEMENT_KEY "sk-or-v1-mgmt-test"
#define STUB_NORMAL_KEY "sk-or-v1-normal-test"
#define STUB_DEFAULT_WORKSPACE_ID "0df9e665-d932-5740-b2c7-b52af166bc11"

typedef struct stub_server {
    pid_t pid;               /* 0 when not running */
    int port;
    char base_url[128];      /* "http://127.0.0.1:PORT/api/v1" */
    char control_url[128];   /* "http://127.0.0.1:PORT/_control" */
    char tmp_dir[256];       /* private directory holding the port file */
    char port_file[320];
} stub_server;

/* Starts the stub with --seed-keys N and waits up to 10 s for its port file. */
int stub_start(stub_server *s, int seed_keys);

/* POST /_control/shutdown, then waits; SIGTERM (and finally SIGKILL) if it
 * does not exit.  Removes the port file.  Safe to call twice. */
void stub_stop(stub_server *s);

/* POST /_control/reset {"seed_keys": N}: clears keys, request log, faults
 * and counters, then seeds N keys. */
int stub_reset(stub_server *s, int seed_keys);

/* POST /_control/faults with faults_json as the body, e.g.
 * "{\"faults\":[{\"status\":503,\"headers\":{\"Retry-After\":\"1\"}}]}". */
int stub_add_faults(stub_server *s, const char *faults_json);

/* DELETE /_control/faults. */
int stub_clear_faults(stub_server *s);

/* POST /_control/keys with a (partial) key object; copies the stored key's
 * hash into hash_out (if non-NULL; fails if it does not fit). */
int stub_add_key(stub_server *s, const char *key_json, char *hash_out, size_t hash_size);

/* GET /_control/requests: the parsed object {"requests":[...]}.  The caller
 * json_object_put()s it.  NULL on failure. */
json_object *stub_requests(stub_server *s);

/* DELETE /_control/requests. */
int stub_clear_requests(stub_server *s);

/* Number of stored keys (disabled ones included), -1 on failure. */
int stub_count_keys(stub_server *s);

/* Distinct TCP connections that carried at least one API request (control
 * requests excluded) since start / reset / stub_reset_connections; -1 on
 * failure. */
long stub_connections(stub_server *s);

/* Any counter of GET /_control/stats: "connections_accepted" (all TCP
 * connections incl. the helpers' own), "api_connections", "requests"
 * (API requests). -1 on failure. */
long stub_stat(stub_server *s, const char *name);

/* POST /_control/connections: zeroes the counters above. */
int stub_reset_connections(stub_server *s);

/* Generic control call: METHOD control_url+path with an optional JSON body.
 * On success (2xx) returns 0 and, if out is non-NULL, the parsed response
 * (caller puts it). */
int stub_control(stub_server *s, const char *method, const char *path, const char *body,
                 json_object **out);

#endif
