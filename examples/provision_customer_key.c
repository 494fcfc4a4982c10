/* Provisions a key for one customer: a monthly spending limit and an
 * expiry date, tagged with the customer's id. The new key's secret is
 * written to a file only you can read (created, never overwritten); it is
 * returned by the API only this once.
 *
 *   OPENROUTER_API_KEY=<management key> [OPENROUTER_BASE_URL=...] \
 *     ./provision_customer_key CUSTOMER_ID MONTHLY_LIMIT_USD DAYS_VALID SECRET_FILE
 *
 * e.g. ./provision_customer_key cust-42 25 90 cust-42.key
 * Exit status: 0 done, 1 the API refused, 2 bad arguments, 3 network. */
#define _POSIX_C_SOURCE 200809L /* open, fdopen */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

/* Writes the secret to a new file with mode 0600. */
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
    if (argc != 5) {
        fprintf(stderr, "usage: %s CUSTOMER_ID MONTHLY_LIMIT_USD DAYS_VALID SECRET_FILE\n", argv[0]);
        return 2;
    }
    const char *customer = argv[1], *secret_file = argv[4];
    char *end = NULL;
    double limit = strtod(argv[2], &end);
    if (*end || !(limit >= 0)) {
        fprintf(stderr, "MONTHLY_LIMIT_USD must be a number >= 0\n");
        return 2;
    }
    long days = strtol(argv[3], &end, 10);
    if (*end || days < 1 || days > 3650) {
        fprintf(stderr, "DAYS_VALID must be 1..3650\n");
        return 2;
    }
    const char *api_key = getenv("OPENROUTER_API_KEY");
    if (!api_key || !*api_key) {
        fprintf(stderr, "set OPENROUTER_API_KEY (a management key)\n");
        return 2;
    }
    /* Refuse early rather than create a key whose secret cannot be stored. */
    if (access(secret_file, F_OK) == 0) {
        fprintf(stderr, "%s already exists; not overwriting it\n", secret_file);
        return 2;
    }

    /* Expiry: midnight UTC, DAYS_VALID days from today. The API wants UTC. */
    time_t today = time(NULL) / 86400 * 86400;
    openrouter_datetime_text expires = openrouter_datetime_from_time(today + (time_t)days * 86400);
    char name[128];
    snprintf(name, sizeof name, "customer %s", customer);

    openrouter_client_options options = OPENROUTER_CLIENT_OPTIONS_INIT;
    options.api_key = api_key;
    options.base_url = getenv("OPENROUTER_BASE_URL"); /* NULL: the real service */
    options.app_title = "openrouter-c provisioning example";
    openrouter_error err = OPENROUTER_ERROR_INIT;
    openrouter_client *client = NULL;
    int rc = openrouter_client_new(&client, &options, &err);
    if (rc != OPENROUTER_OK) {
        openrouter_error_print(stderr, &err);
        openrouter_error_clear(&err);
        return exit_code(rc);
    }

    openrouter_create_key_request req = OPENROUTER_CREATE_KEY_REQUEST_INIT;
    req.body.name = OPENROUTER_STRING(name);
    req.body.limit = OPENROUTER_NUMBER(limit);
    req.body.limit_reset = OPENROUTER_LIMIT_RESET(MONTHLY);
    req.body.expires_at = OPENROUTER_DATETIME(expires.text);
    /* Partners can tie the key to their own user id. */
    req.body.external.state = OPENROUTER_PRESENT;
    req.body.external.value.user = OPENROUTER_STRING(customer);

    openrouter_created_key *created = NULL;
    rc = openrouter_create_key(client, &req, &created, NULL, &err);
    int status = 0;
    if (rc != OPENROUTER_OK) {
        /* With a note when the key may have been created anyway: then list
         * keys named "customer ..." before retrying. */
        openrouter_error_print(stderr, &err);
        status = exit_code(rc);
    } else if (store_secret(secret_file, created->key.value) != 0) {
        /* The secret is lost: disable the key rather than leave it usable. */
        fprintf(stderr, "could not write %s: %s; disabling the new key\n", secret_file, strerror(errno));
        openrouter_update_key_request off = OPENROUTER_UPDATE_KEY_REQUEST_INIT;
        off.hash = OPENROUTER_VALUE(created, data, hash);
        off.body.disabled = OPENROUTER_BOOL(true);
        openrouter_key_response *updated = NULL;
        if (openrouter_update_key(client, &off, &updated, NULL, &err) != OPENROUTER_OK) {
            fprintf(stderr, "disabling it failed too: ");
            openrouter_error_print(stderr, &err);
        }
        openrouter_key_response_free(updated);
        status = 1;
    } else {
        const openrouter_key *k = &created->data.value;
        printf("provisioned %s for %s: limit $%.2f monthly, expires %s; secret written to %s\n",
               k->hash.value, customer, k->limit.state == OPENROUTER_PRESENT ? k->limit.value : limit,
               k->expires_at.state == OPENROUTER_PRESENT ? k->expires_at.value : expires.text, secret_file);
    }
    openrouter_created_key_free(created); /* wipes the secret */
    openrouter_error_clear(&err);
    openrouter_client_free(client);
    return status;
}
