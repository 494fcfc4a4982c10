/* Audits every key (all pages, disabled ones included) and lists the ones
 * that have used at least THRESHOLD percent of their spending limit
 * (default 80), plus the enabled keys without any limit.
 *
 *   OPENROUTER_API_KEY=<management key> [OPENROUTER_BASE_URL=...] \
 *     ./audit_limits [THRESHOLD_PERCENT]
 *
 * Exit status: 0 nothing near its limit, 4 some key is near its limit,
 * 1 the API refused, 2 bad arguments, 3 network. */
#include <stdio.h>
#include <stdlib.h>

#include <openrouter/openrouter.h>

static int exit_code(int rc)
{
    if (rc == OPENROUTER_EINVAL)
        return 2;
    if (rc == OPENROUTER_ETRANSPORT || rc == OPENROUTER_ETIMEOUT)
        return 3;
    return 1;
}

int main(int argc, char **argv)
{
    double threshold = 80;
    if (argc > 2 || (argc == 2 && ((threshold = strtod(argv[1], NULL)) <= 0 || threshold > 100))) {
        fprintf(stderr, "usage: %s [THRESHOLD_PERCENT (0-100], default 80]\n", argv[0]);
        return 2;
    }
    const char *api_key = getenv("OPENROUTER_API_KEY");
    if (!api_key || !*api_key) {
        fprintf(stderr, "set OPENROUTER_API_KEY (a management key)\n");
        return 2;
    }
    openrouter_client_options options = OPENROUTER_CLIENT_OPTIONS_INIT;
    options.api_key = api_key;
    options.base_url = getenv("OPENROUTER_BASE_URL");
    options.app_title = "openrouter-c audit example";
    openrouter_error err = OPENROUTER_ERROR_INIT;
    openrouter_client *client = NULL;
    int rc = openrouter_client_new(&client, &options, &err);
    if (rc != OPENROUTER_OK) {
        openrouter_error_print(stderr, &err);
        openrouter_error_clear(&err);
        return exit_code(rc);
    }

    /* The loop fetches page after page (100 keys each) as it goes,
     * holding one page at a time and never yielding a key twice. */
    openrouter_list_keys_request req = OPENROUTER_LIST_KEYS_REQUEST_INIT;
    req.include_disabled = OPENROUTER_BOOL(true);
    openrouter_list_keys_iter *it = NULL;
    size_t total = 0, near = 0, uncapped = 0;
    for (const openrouter_key *k; openrouter_list_keys_each(&it, client, &req, &k, &err);) {
        total++;
        int disabled = k->disabled.state == OPENROUTER_PRESENT && k->disabled.value;
        if (k->limit.state != OPENROUTER_PRESENT) {
            uncapped += !disabled;
            continue;
        }
        double limit = k->limit.value;
        double used = k->limit_remaining.state == OPENROUTER_PRESENT ? limit - k->limit_remaining.value
                                                                     : k->usage.value;
        double pct = limit > 0 ? 100.0 * used / limit : 100.0;
        if (pct >= threshold) {
            near++;
            printf("%-64s %5.1f%% of $%.2f used (%s%s) %s\n", k->hash.value, pct, limit,
                   k->limit_reset.state == OPENROUTER_PRESENT ? k->limit_reset.text : "no reset",
                   disabled ? ", disabled" : "", k->name.state == OPENROUTER_PRESENT ? k->name.value : "");
        }
    }
    int status;
    if (err.kind != OPENROUTER_OK) {
        openrouter_error_print(stderr, &err);
        status = exit_code(err.kind);
    } else {
        printf("%zu key(s) audited: %zu at or above %.0f%% of their limit, %zu enabled without a limit\n",
               total, near, threshold, uncapped);
        status = near ? 4 : 0;
    }
    openrouter_error_clear(&err);
    openrouter_client_free(client);
    return status;
}
