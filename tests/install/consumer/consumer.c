/* A program outside this repository using the installed library: checks
 * the version macros against the runtime version (and the version the test
 * expects), then makes real calls against the stand-in server named by
 * OPENROUTER_BASE_URL: the current key, one page, and a walk over all keys.
 * Prints "consumer ok <version> <n keys>" and exits 0 on success. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openrouter/openrouter.h>

int main(void)
{
    const char *expected = getenv("EXPECTED_VERSION");
    if (strcmp(openrouter_version(), OPENROUTER_VERSION_STRING) != 0 ||
        (expected && strcmp(expected, OPENROUTER_VERSION_STRING) != 0)) {
        fprintf(stderr, "version mismatch: header %s, library %s, expected %s\n", OPENROUTER_VERSION_STRING,
                openrouter_version(), expected ? expected : "-");
        return 1;
    }
    char macro_version[32];
    snprintf(macro_version, sizeof macro_version, "%d.%d.%d", OPENROUTER_VERSION_MAJOR, OPENROUTER_VERSION_MINOR,
             OPENROUTER_VERSION_PATCH);
    if (strcmp(macro_version, OPENROUTER_VERSION_STRING) != 0) {
        fprintf(stderr, "version macros disagree: %s vs %s\n", macro_version, OPENROUTER_VERSION_STRING);
        return 1;
    }

    openrouter_client_options o = OPENROUTER_CLIENT_OPTIONS_INIT;
    o.api_key = getenv("OPENROUTER_API_KEY");
    o.base_url = getenv("OPENROUTER_BASE_URL");
    openrouter_error err = OPENROUTER_ERROR_INIT;
    openrouter_client *client = NULL;
    if (!o.api_key || !o.base_url || openrouter_client_new(&client, &o, &err) != OPENROUTER_OK) {
        fprintf(stderr, "client: %s\n", err.message);
        return 1;
    }
    int status = 1;
    openrouter_current_key_response *cur = NULL;
    openrouter_key_list *page = NULL, *all = NULL;
    if (openrouter_get_current_key_metadata(client, NULL, &cur, NULL, &err) != OPENROUTER_OK ||
        openrouter_list_keys(client, NULL, &page, NULL, &err) != OPENROUTER_OK ||
        openrouter_list_keys_all(client, NULL, NULL, &all, &err) != OPENROUTER_OK) {
        fprintf(stderr, "call failed: %s\n", err.message);
        goto done;
    }
    printf("consumer ok %s %zu %zu\n", openrouter_version(), page->data.count, all->data.count);
    status = 0;
done:
    openrouter_current_key_response_free(cur);
    openrouter_key_list_free(page);
    openrouter_key_list_free(all);
    openrouter_error_clear(&err);
    openrouter_client_free(client);
    return status;
}
