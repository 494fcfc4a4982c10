/* examples/quickstart.c: create a key with a monthly limit, list all keys,
 * disable the new key (and remove its limit), delete it.
 *   OPENROUTER_API_KEY=<management key> [OPENROUTER_BASE_URL=...] ./quickstart */
#include <stdio.h>
#include <string.h>

#include <openrouter/openrouter.h>

int main(void)
{
    openrouter_client_options opts = OPENROUTER_CLIENT_OPTIONS_INIT;
    opts.app_title = "My Provisioner"; /* optional attribution */
    openrouter_error err = OPENROUTER_ERROR_INIT;
    openrouter_client *client = NULL;
    openrouter_created_key *created = NULL;
    openrouter_list_keys_iter *it = NULL;
    openrouter_key_response *updated = NULL;
    openrouter_delete_key_response *deleted = NULL;
    openrouter_create_key_request create = OPENROUTER_CREATE_KEY_REQUEST_INIT;
    openrouter_update_key_request update = OPENROUTER_UPDATE_KEY_REQUEST_INIT;
    char hash[128] = "";
    size_t n = 0;

    /* The key and the base URL (NULL: https://openrouter.ai/api/v1) from
     * OPENROUTER_API_KEY and OPENROUTER_BASE_URL. */
    if (openrouter_client_new_from_env(&client, &opts, &err) != OPENROUTER_OK)
        goto done;

    /* 1. Create a key with a $25 monthly limit. */
    create.body.name = OPENROUTER_STRING("customer-42");
    create.body.limit = OPENROUTER_NUMBER(25);
    create.body.limit_reset = OPENROUTER_LIMIT_RESET(MONTHLY);
    if (openrouter_create_key(client, &create, &created, NULL, &err) != OPENROUTER_OK)
        goto done;
    /* created->key.value is the secret, returned only this once: hand it to
     * your secret store here. Free wipes it. */
    snprintf(hash, sizeof hash, "%s", OPENROUTER_VALUE(created, data, hash));
    printf("created %s (secret of %zu characters)\n", hash, strlen(created->key.value));

    /* 2. List all keys: the loop fetches page after page (100 keys each). */
    for (const openrouter_key *key; openrouter_list_keys_each(&it, client, NULL, &key, &err);)
        n++;
    if (err.kind != OPENROUTER_OK)
        goto done;
    printf("%zu enabled keys\n", n);

    /* 3. Disable it and remove its limit: "limit": null on the wire. Fields
     * left alone (the name, ...) are not sent at all. */
    update.hash = hash;
    update.body.disabled = OPENROUTER_BOOL(true);
    OPENROUTER_SET_NULL(update.body.limit);
    if (openrouter_update_key(client, &update, &updated, NULL, &err) != OPENROUTER_OK)
        goto done;
    printf("disabled: %s\n", OPENROUTER_VALUE(updated, data, disabled) ? "yes" : "no");

    /* 4. Delete it. */
    if (openrouter_delete_key_by_hash(client, hash, &deleted, NULL, &err) == OPENROUTER_OK)
        printf("deleted\n");

done: /* every free is NULL-safe */
    openrouter_delete_key_response_free(deleted);
    openrouter_key_response_free(updated);
    openrouter_list_keys_iter_free(it);
    openrouter_created_key_free(created);
    openrouter_client_free(client);
    openrouter_error_print(stderr, &err); /* e.g. "createKey: HTTP 401: ..." and a hint */
    return openrouter_error_clear(&err) != OPENROUTER_OK;
}
