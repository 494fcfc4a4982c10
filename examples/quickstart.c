/* examples/quickstart.c: create a key with a monthly limit, list all keys,
 * disable the new key (and remove its limit), delete it.
 *   OPENROUTER_API_KEY=<management key> [OPENROUTER_BASE_URL=...] ./quickstart */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openrouter/openrouter.h>

static int failed(const char *what, openrouter_error *err)
{
    /* e.g. "create: createKey: HTTP 401: Invalid credentials" */
    fprintf(stderr, "%s: %s\n", what, err->message);
    openrouter_error_clear(err);
    return 1;
}

int main(void)
{
    openrouter_client_options opts = OPENROUTER_CLIENT_OPTIONS_INIT;
    opts.api_key = getenv("OPENROUTER_API_KEY");      /* a management key */
    opts.base_url = getenv("OPENROUTER_BASE_URL");    /* NULL: https://openrouter.ai/api/v1 */
    opts.app_title = "My Provisioner";                 /* optional attribution */

    openrouter_error err = OPENROUTER_ERROR_INIT;
    openrouter_client *client = NULL;
    if (openrouter_client_new(&client, &opts, &err) != OPENROUTER_OK)
        return failed("client", &err);

    /* 1. Create a key with a $25 monthly limit. */
    openrouter_create_key_request create = OPENROUTER_CREATE_KEY_REQUEST_INIT;
    create.body.name = OPENROUTER_STRING("customer-42");
    create.body.limit = OPENROUTER_NUMBER(25);
    create.body.limit_reset.state = OPENROUTER_PRESENT;
    create.body.limit_reset.value = OPENROUTER_LIMIT_RESET_MONTHLY;
    openrouter_created_key *created = NULL;
    if (openrouter_create_key(client, &create, &created, NULL, &err) != OPENROUTER_OK) {
        openrouter_client_free(client);
        return failed("create", &err);
    }
    /* created->key.value is the secret, returned only this once: hand it to
     * your secret store here. Free wipes it. */
    char hash[128];
    snprintf(hash, sizeof hash, "%s", created->data.value.hash.value);
    printf("created %s (secret of %zu characters)\n", hash, strlen(created->key.value));
    openrouter_created_key_free(created);

    /* 2. List all keys: the iterator fetches page after page (100 keys each). */
    openrouter_list_keys_iter *it = NULL;
    const openrouter_key *key = NULL;
    size_t n = 0;
    int rc = openrouter_list_keys_iter_new(&it, client, NULL, NULL, &err);
    while (rc == OPENROUTER_OK && (rc = openrouter_list_keys_iter_next(it, &key, &err)) == 1) {
        n++;
        rc = OPENROUTER_OK;
    }
    openrouter_list_keys_iter_free(it);
    if (rc < 0) {
        openrouter_client_free(client);
        return failed("list", &err);
    }
    printf("%zu enabled keys\n", n);

    /* 3. Disable it and remove its limit: "limit": null on the wire. Fields
     * left alone (the name, ...) are not sent at all. */
    openrouter_update_key_request update = OPENROUTER_UPDATE_KEY_REQUEST_INIT;
    update.hash = hash;
    update.body.disabled = OPENROUTER_BOOL(true);
    update.body.limit.state = OPENROUTER_NULL;
    openrouter_key_response *updated = NULL;
    if (openrouter_update_key(client, &update, &updated, NULL, &err) != OPENROUTER_OK) {
        openrouter_client_free(client);
        return failed("disable", &err);
    }
    printf("disabled: %s\n", updated->data.value.disabled.value ? "yes" : "no");
    openrouter_key_response_free(updated);

    /* 4. Delete it. */
    openrouter_delete_key_request del = OPENROUTER_DELETE_KEY_REQUEST_INIT;
    del.hash = hash;
    openrouter_delete_key_response *deleted = NULL;
    if (openrouter_delete_key(client, &del, &deleted, NULL, &err) != OPENROUTER_OK) {
        openrouter_client_free(client);
        return failed("delete", &err);
    }
    printf("deleted\n");
    openrouter_delete_key_response_free(deleted);
    openrouter_client_free(client);
    return 0;
}
