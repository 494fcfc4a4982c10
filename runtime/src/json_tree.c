/* openrouter-c: json-c trees of untyped JSON (free-form values kept as
 * openrouter_json text; later the raw fallback of unions). The strict
 * reader validates the whole text first, with the same rules and messages
 * as typed decoding; only then is the tree built, by walking the text
 * again with the reader and creating json-c objects. json-c's own parser
 * never runs, so nothing depends on how its tokener treats text, and no
 * token buffer is left unwiped.
 *
 * Where json-c cannot hold what the reader accepted:
 *  - an object key holding \u0000 (json-c keys are C strings, so it would
 *    cut the key and merge it with another): refused, EDECODE;
 *  - integers beyond uint64 (json-c's parser saturates them to
 *    INT64_MIN / UINT64_MAX): a double that keeps the literal as its text,
 *    so json_object_to_json_string() writes it back unchanged; doubles
 *    beyond the range of double become +-HUGE_VAL with their literal (what
 *    json-c's parser does);
 *  - strings longer than INT_MAX bytes: refused.
 * Everything else is what json-c's parser gives: int64 (uint64 above
 * INT64_MAX) for integer literals, doubles that keep their literal text,
 * strings with embedded NULs, duplicate keys replaced in place (the last
 * value wins at the first key's position). */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "openrouter/json_c.h"

#include "internal.h"

typedef struct tree_build {
    or_jr *r;
    or_buf stack; /* unescaped keys and strings, number literals; NUL-terminated */
    openrouter_error *error;
} tree_build;

static int tb_value(tree_build *b, json_object **out);

static int tb_nomem(tree_build *b)
{
    return or_error_set(b->error, OPENROUTER_ENOMEM, "out of memory");
}

/* Pushes the contents of the string token js, unescaped and NUL-terminated,
 * onto b->stack at *at; tb_pop() takes it off. */
static int tb_push_string(tree_build *b, const or_jr_str *js, size_t *at, size_t *len)
{
    *at = b->stack.len;
    *len = 0; /* set on every path: gcc -O3 cannot tell that tb_nomem() is nonzero */
    if (or_buf_reserve(&b->stack, js->len + 1) != 0)
        return tb_nomem(b);
    char *dst = b->stack.data + *at;
    const char *src = b->r->s + js->start;
    if (js->escaped) {
        *len = or_jr_unescape(src, js->len, dst);
    } else {
        memcpy(dst, src, js->len);
        *len = js->len;
    }
    dst[*len] = '\0';
    b->stack.len += *len + 1;
    b->stack.data[b->stack.len] = '\0';
    return 0;
}

/* Wipes what was pushed since `at` and takes it off the stack. */
static void tb_pop(tree_build *b, size_t at)
{
    or_wipe(b->stack.data + at, b->stack.len - at);
    b->stack.len = at;
}

static int tb_string(tree_build *b, json_object **out)
{
    or_jr_str js;
    size_t at, len;
    int rc = 0;
    if (or_jr_string(b->r, &js) != 0 || (rc = tb_push_string(b, &js, &at, &len)) != 0)
        return rc ? rc : or_jr_error(b->r, b->error);
    if (len > INT_MAX)
        rc = or_error_set(b->error, OPENROUTER_EDECODE, "JSON string at offset %zu too long for json-c",
                          js.start - 1);
    else if (!(*out = json_object_new_string_len(b->stack.data + at, (int)len)))
        rc = tb_nomem(b);
    tb_pop(b, at);
    return rc;
}

/* Magnitude of an integer literal of digits only, if it fits in 64 bits. */
static int literal_u64(const char *s, size_t n, uint64_t *out)
{
    uint64_t u = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (u > (UINT64_MAX - d) / 10)
            return 0;
        u = u * 10 + d;
    }
    *out = u;
    return 1;
}

/* A number json-c cannot hold as an integer: a double keeping its literal. */
static int tb_double(tree_build *b, const or_jr_num *num, json_object **out)
{
    double d;
    size_t at = b->stack.len;
    if (or_buf_append(&b->stack, b->r->s + num->start, num->len) != 0)
        return tb_nomem(b);
    const char *literal = b->stack.data + at;
    if (num->is_int) {
        d = strtod(literal, NULL); /* digits only: the locale cannot matter */
    } else {
        int rc = or_jr_num_double(b->r, num, &d);
        if (rc == OR_JR_NUM_NOMEM) {
            tb_pop(b, at);
            return tb_nomem(b);
        }
        if (rc)
            d = num->neg ? -HUGE_VAL : HUGE_VAL;
    }
    *out = json_object_new_double_s(d, literal);
    tb_pop(b, at);
    return *out ? 0 : tb_nomem(b);
}

static int tb_number(tree_build *b, json_object **out)
{
    or_jr_num num;
    if (or_jr_number(b->r, &num) != 0)
        return or_jr_error(b->r, b->error);
    int64_t i;
    if (num.is_int && or_jr_num_int(b->r, &num, INT64_MIN, INT64_MAX, &i) == 0) {
        *out = json_object_new_int64(i);
        return *out ? 0 : tb_nomem(b);
    }
#if JSON_C_VERSION_NUM >= ((0 << 16) | (14 << 8))
    uint64_t u;
    if (num.is_int && !num.neg && literal_u64(b->r->s + num.start, num.len, &u)) {
        *out = json_object_new_uint64(u);
        return *out ? 0 : tb_nomem(b);
    }
#else
    (void)literal_u64;
#endif
    return tb_double(b, &num, out);
}

static int tb_array(tree_build *b, json_object **out)
{
    json_object *array = json_object_new_array();
    if (!array)
        return tb_nomem(b);
    or_jr_begin(b->r);
    int rc = 0;
    for (size_t i = 0; rc == 0; i++) {
        int more = or_jr_item(b->r, i);
        if (more <= 0) {
            rc = more < 0 ? or_jr_error(b->r, b->error) : 0;
            break;
        }
        json_object *v = NULL;
        if ((rc = tb_value(b, &v)) == 0 && json_object_array_add(array, v) != 0) {
            json_object_put(v);
            rc = tb_nomem(b);
        }
    }
    if (rc) {
        or_json_put_wiped(array);
        return rc;
    }
    *out = array;
    return 0;
}

/* One member of the object being built: its key, then its value. */
static int tb_member(tree_build *b, json_object *object, const or_jr_str *key)
{
    size_t at, len;
    int rc = tb_push_string(b, key, &at, &len);
    if (rc)
        return rc;
    json_object *v = NULL;
    if (memchr(b->stack.data + at, '\0', len))
        rc = or_error_set(b->error, OPENROUTER_EDECODE,
                          "JSON object key at offset %zu holds \\u0000, which json-c cannot represent",
                          key->start - 1);
    else if ((rc = tb_value(b, &v)) == 0 && json_object_object_add(object, b->stack.data + at, v) != 0) {
        json_object_put(v);
        rc = tb_nomem(b);
    }
    tb_pop(b, at);
    return rc;
}

static int tb_object(tree_build *b, json_object **out)
{
    json_object *object = json_object_new_object();
    if (!object)
        return tb_nomem(b);
    or_jr_begin(b->r);
    int rc = 0;
    for (size_t i = 0; rc == 0; i++) {
        or_jr_str key;
        int more = or_jr_member(b->r, i, &key);
        if (more <= 0) {
            rc = more < 0 ? or_jr_error(b->r, b->error) : 0;
            break;
        }
        rc = tb_member(b, object, &key);
    }
    if (rc) {
        or_json_put_wiped(object);
        return rc;
    }
    *out = object;
    return 0;
}

static int tb_value(tree_build *b, json_object **out)
{
    *out = NULL;
    or_jtok tok = or_jr_peek(b->r);
    switch (tok) {
    case OR_JT_OBJECT: return tb_object(b, out);
    case OR_JT_ARRAY: return tb_array(b, out);
    case OR_JT_STRING: return tb_string(b, out);
    case OR_JT_NUMBER: return tb_number(b, out);
    case OR_JT_TRUE:
    case OR_JT_FALSE:
        if (or_jr_literal(b->r, tok) != 0)
            break;
        *out = json_object_new_boolean(tok == OR_JT_TRUE);
        return *out ? 0 : tb_nomem(b);
    case OR_JT_NULL:
        return or_jr_literal(b->r, tok) == 0 ? 0 : or_jr_error(b->r, b->error); /* json-c's null is NULL */
    case OR_JT_ERROR:
        break;
    }
    return or_jr_error(b->r, b->error);
}

int or_json_parse(const char *json, size_t len, int max_depth, json_object **out, openrouter_error *error)
{
    if (out)
        *out = NULL;
    if (!out || (!json && len))
        return or_error_set(error, OPENROUTER_EINVAL, "or_json_parse: invalid arguments");
    if (max_depth <= 0)
        max_depth = OR_DEFAULT_MAX_DEPTH;
    or_jr r;
    or_jr_init(&r, json, len, max_depth);
    if (or_jr_validate(&r) != 0)
        return or_jr_error(&r, error);
    or_jr_init(&r, json, len, max_depth);
    tree_build b = {&r, OR_BUF_INIT, error};
    int rc = tb_value(&b, out);
    or_buf_free(&b.stack);
    return rc;
}

/* Zeroes every string and object key of a tree, then releases it. json-c
 * frees without wiping. json_object_get_string() returns const char *, but
 * json-c keeps string values in writable memory it owns (inline in the
 * object in 0.14+), and lh_table_free() does not hash keys again while
 * freeing them. */
static void wipe_tree(json_object *v, int depth)
{
    if (!v || depth > OR_JR_MAX_DEPTH)
        return;
    switch (json_object_get_type(v)) {
    case json_type_string:
        or_wipe((char *)json_object_get_string(v), (size_t)json_object_get_string_len(v));
        break;
    case json_type_array: {
        size_t n = json_object_array_length(v);
        for (size_t i = 0; i < n; i++)
            wipe_tree(json_object_array_get_idx(v, i), depth + 1);
        break;
    }
    case json_type_object: {
        for (struct lh_entry *e = lh_table_head(json_object_get_object(v)); e; e = lh_entry_next(e)) {
            wipe_tree((json_object *)lh_entry_v(e), depth + 1);
            if (!lh_entry_k_is_constant(e))
                or_wipe((char *)lh_entry_k(e), strlen((const char *)lh_entry_k(e)));
        }
        break;
    }
    default:
        break;
    }
}

void or_json_put_wiped(json_object *root)
{
    if (!root)
        return;
    wipe_tree(root, 0);
    json_object_put(root);
}

int openrouter_json_tree(const openrouter_json *value, struct json_object **out, openrouter_error *error)
{
    if (out)
        *out = NULL;
    if (!value || !out)
        return or_error_set(error, OPENROUTER_EINVAL, "openrouter_json_tree: value and out are required");
    if (value->state == OPENROUTER_NULL)
        return OPENROUTER_OK;
    if (value->state != OPENROUTER_PRESENT)
        return or_error_set(error, OPENROUTER_EINVAL, "openrouter_json_tree: the value is %s",
                            value->state == OPENROUTER_ABSENT ? "absent" : "in an invalid state");
    if (!value->value)
        return or_error_set(error, OPENROUTER_EINVAL, "openrouter_json_tree: PRESENT value with NULL text");
    return or_json_parse(value->value, strlen(value->value), OR_DEFAULT_MAX_DEPTH, out, error);
}
