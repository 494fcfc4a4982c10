/* Uses the public API's macros as a program would: every *_INIT macro (the
 * list OR_INIT_MACROS comes from check_compile.py) and every value macro.
 * Compiled as C11 with -Wwrite-strings -Wcast-qual and as C++17: string
 * literals and const strings go into requests without a cast. */
#include <openrouter/openrouter.h>

#define X(type, init)  \
    {                  \
        type v = init; \
        (void)v;       \
    }

static int values(const char *borrowed, long count, int flag)
{
    openrouter_create_key_request req = OPENROUTER_CREATE_KEY_REQUEST_INIT;
    req.body.name = OPENROUTER_STRING("a literal");
    req.body.workspace_id = OPENROUTER_STRING(borrowed);
    req.body.limit = OPENROUTER_NUMBER(count); /* long -> double: no narrowing error in C++ */
    req.body.include_byok_in_limit = OPENROUTER_BOOL(flag);
    req.body.limit_reset = OPENROUTER_LIMIT_RESET(MONTHLY);
    OPENROUTER_SET_NULL(req.body.limit_reset);
    OPENROUTER_SET_ABSENT(req.body.limit_reset);
    OPENROUTER_SET_NULL(req.body.external);
    openrouter_datetime_text when = openrouter_datetime_from_now(3600);
    req.body.expires_at = OPENROUTER_DATETIME(when.text);
    openrouter_list_keys_request list = OPENROUTER_LIST_KEYS_REQUEST_INIT;
    list.offset = OPENROUTER_INT64(count);
    openrouter_get_key_request get = OPENROUTER_GET_KEY_REQUEST_INIT;
    get.hash = borrowed;
    openrouter_json meta = OPENROUTER_JSON("{}");
    openrouter_int32 small = OPENROUTER_INT32(count);
    openrouter_created_key created = OPENROUTER_CREATED_KEY_INIT;
    const char *hash = OPENROUTER_VALUE(&created, data, hash);
    return (hash == NULL) + (meta.value != NULL) + small.state + (get.hash != NULL) + list.offset.state;
}

int main(void)
{
    OR_INIT_MACROS
    return values("borrowed", 3, 1) > 0 ? 0 : 1;
}
