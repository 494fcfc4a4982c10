/* examples/audit.c: walk every enabled key, page after page, and disable
 * those that used more than 80% of their spending limit.
 *   OPENROUTER_API_KEY=<management key> [OPENROUTER_BASE_URL=...] ./audit */
#include <stdio.h>

#include <openrouter/openrouter.h>

int main(void)
{
    openrouter_error err = OPENROUTER_ERROR_INIT;
    openrouter_client *client = NULL;
    openrouter_list_keys_iter *it = NULL;
    openrouter_key_response *updated = NULL;
    openrouter_update_key_request off = OPENROUTER_UPDATE_KEY_REQUEST_INIT;
    off.body.disabled = OPENROUTER_BOOL(true);

    openrouter_client_new_from_env(&client, NULL, &err);
    /* Until the list ends or something fails (err.kind then says what). */
    for (const openrouter_key *k;
         err.kind == OPENROUTER_OK && openrouter_list_keys_each(&it, client, NULL, &k, &err);) {
        if (k->limit.state != OPENROUTER_PRESENT || k->usage.value <= 0.8 * k->limit.value)
            continue; /* no limit (null), or within 80% of it */
        off.hash = k->hash.value;
        if (openrouter_update_key(client, &off, &updated, NULL, &err) == OPENROUTER_OK)
            printf("disabled %s: $%.2f of $%.2f used\n", k->name.value, k->usage.value, k->limit.value);
        openrouter_key_response_free(updated);
    }
    openrouter_list_keys_iter_free(it); /* NULL after a walk that ended */
    openrouter_client_free(client);
    openrouter_error_print(stderr, &err);
    return openrouter_error_clear(&err) != OPENROUTER_OK;
}
