/* Bodies with one odd value (odd_bodies.h), built with json-c. */
#include "odd_bodies.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

static void put_usage(json_object *o, const char *family)
{
    static const char *const suffix[] = {"", "_daily", "_weekly", "_monthly"};
    for (size_t i = 0; i < 4; i++) {
        char name[40];
        snprintf(name, sizeof name, "%s%s", family, suffix[i]);
        json_object_object_add(o, name, json_object_new_double(1.5));
    }
}

/* The members a key object and the current key share, all valid. */
static json_object *common(void)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "label", json_object_new_string("sk-or-v1-abc...xyz"));
    json_object_object_add(o, "limit", json_object_new_double(10));
    json_object_object_add(o, "limit_remaining", json_object_new_double(8.5));
    json_object_object_add(o, "limit_reset", json_object_new_string("monthly"));
    json_object_object_add(o, "include_byok_in_limit", json_object_new_boolean(0));
    put_usage(o, "usage");
    put_usage(o, "byok_usage");
    json_object_object_add(o, "expires_at", json_object_new_string("2027-12-31T23:59:59Z"));
    json_object_object_add(o, "creator_user_id", NULL);
    return o;
}

static json_object *key(int i)
{
    char hash[32], name[32];
    snprintf(hash, sizeof hash, "odd-%03d", i);
    snprintf(name, sizeof name, "customer-%03d", i);
    json_object *o = common();
    json_object_object_add(o, "hash", json_object_new_string(hash));
    json_object_object_add(o, "name", json_object_new_string(name));
    json_object_object_add(o, "disabled", json_object_new_boolean(0));
    json_object_object_add(o, "created_at", json_object_new_string("2025-08-24T10:30:00Z"));
    json_object_object_add(o, "updated_at", NULL);
    json_object_object_add(o, "workspace_id", json_object_new_string("0df9e665-d932-5740-b2c7-b52af166bc11"));
    json_object_object_add(o, "external_user", NULL);
    return o;
}

static json_object *current_key(void)
{
    json_object *o = common(), *rate = json_object_new_object();
    json_object_object_add(o, "is_free_tier", json_object_new_boolean(0));
    json_object_object_add(o, "is_management_key", json_object_new_boolean(1));
    json_object_object_add(o, "is_provisioning_key", json_object_new_boolean(0));
    json_object_object_add(rate, "requests", json_object_new_int(-1));
    json_object_object_add(rate, "interval", json_object_new_string("10s"));
    json_object_object_add(rate, "note", json_object_new_string("deprecated"));
    json_object_object_add(o, "rate_limit", rate);
    return o;
}

static json_object *make_odd(json_object *o, enum odd_value odd)
{
    switch (odd) {
    case ODD_DATETIME: json_object_object_add(o, "expires_at", json_object_new_string("next tuesday")); break;
    case ODD_NEGATIVE_USAGE: json_object_object_add(o, "usage", json_object_new_double(-5)); break;
    case ODD_UNKNOWN_RESET: json_object_object_add(o, "limit_reset", json_object_new_string("fortnightly")); break;
    case ODD_WRONG_TYPE: json_object_object_add(o, "expires_at", json_object_new_int(12345)); break;
    }
    return o;
}

char *odd_body(enum odd_shape shape, enum odd_value odd)
{
    json_object *body = json_object_new_object();
    switch (shape) {
    case ODD_PAGE: {
        json_object *items = json_object_new_array();
        for (int i = 0; i < ODD_PAGE_SIZE; i++)
            json_object_array_add(items, i == ODD_INDEX ? make_odd(key(i), odd) : key(i));
        json_object_object_add(body, "data", items);
        break;
    }
    case ODD_CREATED:
        json_object_object_add(body, "data", make_odd(key(0), odd));
        json_object_object_add(body, "key", json_object_new_string("sk-or-v1-odd-bodies-new-key-secret"));
        break;
    case ODD_KEY: json_object_object_add(body, "data", make_odd(key(0), odd)); break;
    case ODD_DELETED: json_object_object_add(body, "deleted", json_object_new_boolean(1)); break;
    case ODD_CURRENT: json_object_object_add(body, "data", make_odd(current_key(), odd)); break;
    }
    const char *text = json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN);
    char *copy = text ? strdup(text) : NULL;
    json_object_put(body);
    return copy;
}
