/* Test helper of whole_api.py: reads lines "<C type name>\t<JSON>" and
 * writes, per line, the JSON decoded into that generated model (found by
 * name in openrouter_model_table) and encoded again, or "!<error>" when
 * either step failed. Linked against a library built with
 * -DOPENROUTER_SPEC. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openrouter/openrouter.h>

static const openrouter_object_desc *find_model(const char *name)
{
    for (size_t i = 0; i < openrouter_model_count; i++)
        if (strcmp(openrouter_model_table[i]->name, name) == 0)
            return openrouter_model_table[i];
    return NULL;
}

static void round_trip(const char *name, const char *json, size_t len)
{
    const openrouter_object_desc *desc = find_model(name);
    if (!desc) {
        printf("!no model %s\n", name);
        return;
    }
    openrouter_error err = OPENROUTER_ERROR_INIT;
    void *model = NULL;
    char *out = NULL;
    size_t out_len = 0;
    if (openrouter_model_decode(desc, json, len, &model, &err) != OPENROUTER_OK)
        printf("!decode: %s\n", err.message);
    else if (openrouter_model_encode_received(desc, model, &out, &out_len, &err) != OPENROUTER_OK)
        printf("!encode: %s\n", err.message);
    else
        printf("%s\n", out);
    openrouter_buffer_free(out);
    openrouter_model_free(model);
    openrouter_error_clear(&err);
}

int main(void)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, stdin)) > 0) {
        if (line[n - 1] == '\n')
            line[--n] = '\0';
        char *tab = strchr(line, '\t');
        if (!tab) {
            puts("!bad input line");
            continue;
        }
        *tab = '\0';
        round_trip(line, tab + 1, (size_t)(n - (tab + 1 - line)));
        fflush(stdout);
    }
    free(line);
    return ferror(stdout) ? 1 : 0;
}
