/* examples/errors.c: what three mistakes look like, each printed by
 * openrouter_error_print() (kind, HTTP status, the API's message, request id,
 * a hint): a wrong key, an unknown key hash, and a bad argument, which is
 * refused before anything is sent.
 *   OPENROUTER_API_KEY=<management key> [OPENROUTER_BASE_URL=...] ./errors */
#include <stdio.h>

#include <openrouter/openrouter.h>

int main(void)
{
    openrouter_error err = OPENROUTER_ERROR_INIT;
    openrouter_client *wrong = NULL, *client = NULL;
    openrouter_current_key_response *me = NULL;
    openrouter_key_response *got = NULL;
    openrouter_client_options opts = OPENROUTER_CLIENT_OPTIONS_INIT;
    opts.api_key = "sk-or-v1-not-a-key"; /* the base URL still comes from the environment */

    if (openrouter_client_new_from_env(&wrong, &opts, &err) == OPENROUTER_OK)
        openrouter_get_current_key_metadata(wrong, NULL, &me, NULL, &err); /* HTTP 401 */
    openrouter_error_print(stderr, &err);
    if (openrouter_client_new_from_env(&client, NULL, &err) == OPENROUTER_OK)
        openrouter_get_key_by_hash(client, "0123456789abcdef", &got, NULL, &err); /* HTTP 404 */
    openrouter_error_print(stderr, &err);
    openrouter_get_key_by_hash(client, "../keys", &got, NULL, &err); /* EINVAL: not one path segment */
    openrouter_error_print(stderr, &err);

    openrouter_current_key_response_free(me);
    openrouter_key_response_free(got);
    openrouter_client_free(wrong);
    openrouter_client_free(client);
    return openrouter_error_clear(&err) != OPENROUTER_EINVAL; /* 0: the last mistake was caught */
}
