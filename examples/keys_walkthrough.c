/* Walks through the six API-key operations: create a key with a monthly
 * limit, list, get, update (disable, clear the limit), delete, and read the
 * current key's metadata.
 *
 *   OPENROUTER_API_KEY=sk-or-v1-... [OPENROUTER_BASE_URL=...] ./keys_walkthrough
 *
 * Needs a management key. Against the real service this creates and then
 * deletes one key named "openrouter-c walkthrough". */
#include <stdio.h>
#include <string.h>

#include <openrouter/openrouter.h>

static void print_money(const char *label, const openrouter_number *n)
{
    if (n->state == OPENROUTER_PRESENT)
        printf("%s=%.2f", label, n->value);
    else
        printf("%s=%s", label, n->state == OPENROUTER_NULL ? "none" : "?");
}

static void print_key(const char *prefix, const openrouter_key *key)
{
    printf("%s%.12s... name=\"%s\" disabled=%s ", prefix,
           key->hash.state == OPENROUTER_PRESENT ? key->hash.value : "?",
           key->name.state == OPENROUTER_PRESENT ? key->name.value : "",
           key->disabled.state == OPENROUTER_PRESENT && key->disabled.value ? "yes" : "no");
    print_money("limit", &key->limit);
    printf(" reset=%s ", key->limit_reset.state == OPENROUTER_PRESENT ? key->limit_reset.text : "never");
    print_money("usage", &key->usage);
    putchar('\n');
}

int main(void)
{
    openrouter_client_options options = OPENROUTER_CLIENT_OPTIONS_INIT;
    options.http_referer = "https://github.com/openrouter-c/openrouter-c";
    options.app_title = "openrouter-c walkthrough";
    openrouter_error err = OPENROUTER_ERROR_INIT;
    openrouter_client *client = NULL;
    char hash[128] = "";
    const char *step = "client";
    openrouter_created_key *created = NULL;
    openrouter_key_list *list = NULL;
    openrouter_key_response *got = NULL, *updated = NULL;
    openrouter_delete_key_response *deleted = NULL;
    openrouter_current_key_response *current = NULL;
    openrouter_create_key_request create = OPENROUTER_CREATE_KEY_REQUEST_INIT;
    openrouter_list_keys_request list_req = OPENROUTER_LIST_KEYS_REQUEST_INIT;
    openrouter_update_key_request update = OPENROUTER_UPDATE_KEY_REQUEST_INIT;

    /* The key (a management key) and base URL (NULL: the real service)
     * from OPENROUTER_API_KEY and OPENROUTER_BASE_URL. */
    if (openrouter_client_new_from_env(&client, &options, &err) != OPENROUTER_OK)
        goto done;

    /* 1. create: a key with a $25 monthly limit. */
    step = "create";
    create.body.name = OPENROUTER_STRING("openrouter-c walkthrough");
    create.body.limit = OPENROUTER_NUMBER(25);
    create.body.limit_reset = OPENROUTER_LIMIT_RESET(MONTHLY);
    if (openrouter_create_key(client, &create, &created, NULL, &err) != OPENROUTER_OK)
        goto done;
    snprintf(hash, sizeof hash, "%s", OPENROUTER_VALUE(created, data, hash));
    print_key("create: ", &created->data.value);
    /* The secret is returned only once; a real program stores it now. */
    printf("create: secret of %zu characters received (store it now; it is never shown again)\n",
           created->key.state == OPENROUTER_PRESENT ? strlen(created->key.value) : (size_t)0);

    /* 2. list: the first page of enabled keys. */
    step = "list";
    list_req.include_disabled = OPENROUTER_BOOL(false);
    if (openrouter_list_keys(client, &list_req, &list, NULL, &err) != OPENROUTER_OK)
        goto done;
    printf("list: %zu key(s)\n", list->data.count);
    for (size_t i = 0; i < list->data.count; i++)
        print_key("  ", &list->data.items[i]);

    /* 3. get */
    step = "get";
    if (openrouter_get_key_by_hash(client, hash, &got, NULL, &err) != OPENROUTER_OK)
        goto done;
    print_key("get: ", &got->data.value);

    /* 4. update: disable it and remove the limit (explicit null). */
    step = "update";
    update.hash = hash;
    update.body.disabled = OPENROUTER_BOOL(true);
    OPENROUTER_SET_NULL(update.body.limit);
    if (openrouter_update_key(client, &update, &updated, NULL, &err) != OPENROUTER_OK)
        goto done;
    print_key("update: ", &updated->data.value);

    /* 5. delete */
    step = "delete";
    if (openrouter_delete_key_by_hash(client, hash, &deleted, NULL, &err) != OPENROUTER_OK)
        goto done;
    printf("delete: deleted=%s\n",
           deleted->deleted.state == OPENROUTER_PRESENT && deleted->deleted.value ? "true" : "false");

    /* 6. the key this program authenticates with */
    step = "current key";
    if (openrouter_get_current_key_metadata(client, NULL, &current, NULL, &err) != OPENROUTER_OK)
        goto done;
    printf("current key: label=%s management=%s ",
           current->data.value.label.state == OPENROUTER_PRESENT ? current->data.value.label.value : "?",
           current->data.value.is_management_key.value ? "yes" : "no");
    print_money("usage", &current->data.value.usage);
    putchar('\n');

done:
    if (err.kind != OPENROUTER_OK) {
        fprintf(stderr, "%s failed: ", step);
        openrouter_error_print(stderr, &err);
    }
    openrouter_created_key_free(created);
    openrouter_key_list_free(list);
    openrouter_key_response_free(got);
    openrouter_key_response_free(updated);
    openrouter_delete_key_response_free(deleted);
    openrouter_current_key_response_free(current);
    openrouter_client_free(client);
    return openrouter_error_clear(&err) != OPENROUTER_OK;
}
