/* Walks through the six API-key operations: create a key with a monthly
 * limit, list, get, update (disable, clear the limit), delete, and read the
 * current key's metadata.
 *
 *   OPENROUTER_API_KEY=sk-or-v1-... [OPENROUTER_BASE_URL=...] ./keys_walkthrough
 *
 * Needs a management key. Against the real service this creates and then
 * deletes one key named "openrouter-c walkthrough". */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openrouter/openrouter.h>

static int fail(const char *what, int rc, openrouter_error *err)
{
    fprintf(stderr, "%s failed: %s: %s", what, openrouter_status_name(rc), err->message);
    if (err->http_status)
        fprintf(stderr, " (HTTP %ld, %d attempt(s))", err->http_status, err->attempts);
    fputc('\n', stderr);
    openrouter_error_clear(err);
    return 1;
}

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
    const char *api_key = getenv("OPENROUTER_API_KEY");
    if (!api_key || !*api_key) {
        fprintf(stderr, "set OPENROUTER_API_KEY (a management key)\n");
        return 2;
    }

    openrouter_client_options options = OPENROUTER_CLIENT_OPTIONS_INIT;
    options.api_key = api_key;
    options.base_url = getenv("OPENROUTER_BASE_URL"); /* NULL: the real service */
    options.http_referer = "https://github.com/openrouter-c/openrouter-c";
    options.app_title = "openrouter-c walkthrough";

    openrouter_error err = OPENROUTER_ERROR_INIT;
    openrouter_client *client = NULL;
    int rc = openrouter_client_new(&client, &options, &err);
    if (rc != OPENROUTER_OK)
        return fail("client", rc, &err);

    int status = 1;
    char *hash = NULL;
    openrouter_created_key *created = NULL;
    openrouter_key_list *list = NULL;
    openrouter_key_response *got = NULL, *updated = NULL;
    openrouter_delete_key_response *deleted = NULL;
    openrouter_current_key_response *current = NULL;

    /* 1. create: a key with a $25 monthly limit. */
    openrouter_create_key_request create = OPENROUTER_CREATE_KEY_REQUEST_INIT;
    create.body.name = OPENROUTER_STRING("openrouter-c walkthrough");
    create.body.limit = OPENROUTER_NUMBER(25);
    create.body.limit_reset.state = OPENROUTER_PRESENT;
    create.body.limit_reset.value = OPENROUTER_LIMIT_RESET_MONTHLY;
    if ((rc = openrouter_create_key(client, &create, &created, NULL, &err)) != OPENROUTER_OK) {
        fail("create", rc, &err);
        goto done;
    }
    hash = strdup(created->data.value.hash.value);
    if (!hash)
        goto done;
    print_key("create: ", &created->data.value);
    /* The secret is returned only once; a real program stores it now. */
    printf("create: secret of %zu characters received (store it now; it is never shown again)\n",
           created->key.state == OPENROUTER_PRESENT ? strlen(created->key.value) : (size_t)0);
    openrouter_created_key_free(created);
    created = NULL;

    /* 2. list: the first page of enabled keys. */
    openrouter_list_keys_request list_req = OPENROUTER_LIST_KEYS_REQUEST_INIT;
    list_req.include_disabled = OPENROUTER_BOOL(false);
    if ((rc = openrouter_list_keys(client, &list_req, &list, NULL, &err)) != OPENROUTER_OK) {
        fail("list", rc, &err);
        goto done;
    }
    printf("list: %zu key(s)\n", list->data.count);
    for (size_t i = 0; i < list->data.count; i++)
        print_key("  ", &list->data.items[i]);

    /* 3. get */
    openrouter_get_key_request get_req = OPENROUTER_GET_KEY_REQUEST_INIT;
    get_req.hash = hash;
    if ((rc = openrouter_get_key(client, &get_req, &got, NULL, &err)) != OPENROUTER_OK) {
        fail("get", rc, &err);
        goto done;
    }
    print_key("get: ", &got->data.value);

    /* 4. update: disable it and remove the limit (explicit null). */
    openrouter_update_key_request update = OPENROUTER_UPDATE_KEY_REQUEST_INIT;
    update.hash = hash;
    update.body.disabled = OPENROUTER_BOOL(true);
    update.body.limit.state = OPENROUTER_NULL;
    if ((rc = openrouter_update_key(client, &update, &updated, NULL, &err)) != OPENROUTER_OK) {
        fail("update", rc, &err);
        goto done;
    }
    print_key("update: ", &updated->data.value);

    /* 5. delete */
    openrouter_delete_key_request del = OPENROUTER_DELETE_KEY_REQUEST_INIT;
    del.hash = hash;
    if ((rc = openrouter_delete_key(client, &del, &deleted, NULL, &err)) != OPENROUTER_OK) {
        fail("delete", rc, &err);
        goto done;
    }
    printf("delete: deleted=%s\n",
           deleted->deleted.state == OPENROUTER_PRESENT && deleted->deleted.value ? "true" : "false");

    /* 6. the key this program authenticates with */
    if ((rc = openrouter_get_current_key_metadata(client, NULL, &current, NULL, &err)) != OPENROUTER_OK) {
        fail("current key", rc, &err);
        goto done;
    }
    printf("current key: label=%s management=%s ",
           current->data.value.label.state == OPENROUTER_PRESENT ? current->data.value.label.value : "?",
           current->data.value.is_management_key.value ? "yes" : "no");
    print_money("usage", &current->data.value.usage);
    putchar('\n');
    status = 0;

done:
    free(hash);
    openrouter_created_key_free(created);
    openrouter_key_list_free(list);
    openrouter_key_response_free(got);
    openrouter_key_response_free(updated);
    openrouter_delete_key_response_free(deleted);
    openrouter_current_key_response_free(current);
    openrouter_client_free(client);
    return status;
}
