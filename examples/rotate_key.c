/* Rotates a key: creates its successor with the same name, limit, reset
 * period, BYOK setting, expiry and workspace, stores the successor's secret
 * in a new file (mode 0600), and only then disables the old key. Deploy the
 * new secret, check traffic has moved, then delete the old key.
 *
 *   OPENROUTER_API_KEY=<management key> [OPENROUTER_BASE_URL=...] \
 *     ./rotate_key OLD_HASH SECRET_FILE
 *
 * Prints the successor's hash. Exit status: 0 done, 1 the API refused (the
 * message says which step), 2 bad arguments, 3 network. */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <openrouter/openrouter.h>

static int exit_code(int rc)
{
    if (rc == OPENROUTER_EINVAL)
        return 2;
    if (rc == OPENROUTER_ETRANSPORT || rc == OPENROUTER_ETIMEOUT)
        return 3;
    return 1;
}

static int store_secret(const char *path, const char *secret)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0)
        return -1;
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        return -1;
    }
    int bad = fprintf(f, "%s\n", secret) < 0;
    bad |= fclose(f) != 0;
    return bad ? -1 : 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s OLD_HASH SECRET_FILE\n", argv[0]);
        return 2;
    }
    if (access(argv[2], F_OK) == 0) {
        fprintf(stderr, "%s already exists; not overwriting it\n", argv[2]);
        return 2;
    }
    openrouter_client_options options = OPENROUTER_CLIENT_OPTIONS_INIT;
    options.app_title = "openrouter-c rotation example";
    openrouter_error err = OPENROUTER_ERROR_INIT;
    openrouter_client *client = NULL;
    openrouter_key_response *old = NULL, *disabled = NULL;
    openrouter_created_key *created = NULL;
    openrouter_create_key_request create = OPENROUTER_CREATE_KEY_REQUEST_INIT;
    openrouter_update_key_request off = OPENROUTER_UPDATE_KEY_REQUEST_INIT;
    const openrouter_key *o = NULL;
    char expires[OPENROUTER_DATETIME_BUFSIZE];
    int64_t expires_us;
    const char *step = "starting"; /* for the error message */
    int status = 1;

    /* The key (a management key) and base URL from OPENROUTER_API_KEY and
     * OPENROUTER_BASE_URL. */
    if (openrouter_client_new_from_env(&client, &options, &err) != OPENROUTER_OK)
        goto done;

    /* 1. Read the old key's settings. */
    step = "reading the old key";
    if (openrouter_get_key_by_hash(client, argv[1], &old, NULL, &err) != OPENROUTER_OK)
        goto done;
    o = &old->data.value;
    if (o->disabled.state == OPENROUTER_PRESENT && o->disabled.value) {
        fprintf(stderr, "the old key is already disabled; nothing to rotate\n");
        goto done;
    }

    /* 2. Create the successor with the same settings. A field the old key
     * reports as null (no limit, no reset, no expiry) is left out: the new
     * key gets the same "none". */
    step = "creating the successor (the old key is untouched)";
    create.body.name = o->name;
    if (o->limit.state == OPENROUTER_PRESENT)
        create.body.limit = o->limit;
    if (o->limit_reset.state == OPENROUTER_PRESENT)
        create.body.limit_reset = o->limit_reset; /* unknown values are sent as their text */
    if (o->include_byok_in_limit.state == OPENROUTER_PRESENT)
        create.body.include_byok_in_limit = o->include_byok_in_limit;
    /* The API takes an expiry only in UTC ("...Z"); it may report one as
     * "+00:00", so write it again in the Z form. */
    if (o->expires_at.state == OPENROUTER_PRESENT &&
        openrouter_datetime_parse(o->expires_at.value, &expires_us, NULL) == 0 &&
        openrouter_datetime_format(expires_us, expires, sizeof expires) == 0)
        create.body.expires_at = OPENROUTER_DATETIME(expires);
    if (o->workspace_id.state == OPENROUTER_PRESENT)
        create.body.workspace_id = o->workspace_id;
    if (openrouter_create_key(client, &create, &created, NULL, &err) != OPENROUTER_OK)
        goto done;
    if (store_secret(argv[2], created->key.value) != 0) {
        fprintf(stderr, "could not write %s; the old key stays enabled, delete the successor %s\n", argv[2],
                OPENROUTER_VALUE(created, data, hash));
        goto done;
    }

    /* 3. Only now disable the old key. */
    step = "disabling the old key (the successor exists, its secret is stored)";
    off.hash = argv[1];
    off.body.disabled = OPENROUTER_BOOL(true);
    if (openrouter_update_key(client, &off, &disabled, NULL, &err) != OPENROUTER_OK)
        goto done;
    printf("rotated %s -> %s (secret in %s); the old key is disabled\n", argv[1],
           OPENROUTER_VALUE(created, data, hash), argv[2]);
    status = 0;

done:
    if (err.kind != OPENROUTER_OK) {
        fprintf(stderr, "%s failed:\n", step);
        openrouter_error_print(stderr, &err); /* what, a request id, a hint */
        status = exit_code(err.kind);
    }
    openrouter_key_response_free(old);
    openrouter_key_response_free(disabled);
    openrouter_created_key_free(created);
    openrouter_error_clear(&err);
    openrouter_client_free(client);
    return status;
}
