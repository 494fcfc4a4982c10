/* examples/provision.c: create the key "acme" with a $10 monthly limit that
 * expires 30 days from now, then read it back.
 *   OPENROUTER_API_KEY=<management key> [OPENROUTER_BASE_URL=...] ./provision */
#include <stdio.h>

#include <openrouter/openrouter.h>

int main(void)
{
    openrouter_error err = OPENROUTER_ERROR_INIT;
    openrouter_client *client = NULL;
    openrouter_created_key *created = NULL; /* created->key is the secret, returned only this once */
    openrouter_key_response *got = NULL;
    openrouter_datetime_text expiry = openrouter_datetime_from_now(30 * 86400); /* text held by value */
    openrouter_create_key_request create = OPENROUTER_CREATE_KEY_REQUEST_INIT;
    create.body.name = OPENROUTER_STRING("acme");
    create.body.limit = OPENROUTER_NUMBER(10);
    create.body.limit_reset = OPENROUTER_LIMIT_RESET(MONTHLY);
    create.body.expires_at = OPENROUTER_DATETIME(expiry.text);

    /* Each step runs only if the one before succeeded; err says what failed. */
    if (openrouter_client_new_from_env(&client, NULL, &err) == OPENROUTER_OK &&
        openrouter_create_key(client, &create, &created, NULL, &err) == OPENROUTER_OK &&
        openrouter_get_key_by_hash(client, OPENROUTER_VALUE(created, data, hash), &got, NULL, &err) == OPENROUTER_OK)
        printf("%s: $%.2f %s, expires %s\n", OPENROUTER_VALUE(got, data, name), OPENROUTER_VALUE(got, data, limit),
               got->data.value.limit_reset.text, OPENROUTER_VALUE(got, data, expires_at));

    openrouter_key_response_free(got); /* every free is NULL-safe */
    openrouter_created_key_free(created); /* wipes the secret */
    openrouter_client_free(client);
    openrouter_error_print(stderr, &err); /* the error with a hint, when there is one */
    return openrouter_error_clear(&err) != OPENROUTER_OK;
}
