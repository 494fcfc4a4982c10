/* See json_items.h. A small scanner, not a validator: the input has already
 * passed the library's strict JSON parse. */
#include "json_items.h"

#include <string.h>

typedef struct scan {
    const char *s;
    size_t n, i;
} scan;

static void skip_ws(scan *p)
{
    while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' || p->s[p->i] == '\r'))
        p->i++;
}

/* At a '"': moves past the closing quote. */
static int skip_string(scan *p)
{
    if (p->i >= p->n || p->s[p->i] != '"')
        return -1;
    for (p->i++; p->i < p->n; p->i++) {
        if (p->s[p->i] == '\\')
            p->i++;
        else if (p->s[p->i] == '"') {
            p->i++;
            return 0;
        }
    }
    return -1;
}

/* Moves past one value of any kind. */
static int skip_value(scan *p)
{
    if (p->i >= p->n)
        return -1;
    char c = p->s[p->i];
    if (c == '"')
        return skip_string(p);
    if (c == '{' || c == '[') {
        size_t depth = 0;
        while (p->i < p->n) {
            c = p->s[p->i];
            if (c == '"') {
                if (skip_string(p) != 0)
                    return -1;
                continue;
            }
            if (c == '{' || c == '[')
                depth++;
            else if (c == '}' || c == ']') {
                if (--depth == 0) {
                    p->i++;
                    return 0;
                }
            }
            p->i++;
        }
        return -1;
    }
    size_t start = p->i; /* number, true, false, null */
    while (p->i < p->n && !strchr(",}] \t\r\n", p->s[p->i]))
        p->i++;
    return p->i > start ? 0 : -1;
}

static int scan_array(scan *p, json_item_fn fn, void *ctx)
{
    if (p->i >= p->n || p->s[p->i] != '[')
        return -1;
    p->i++;
    skip_ws(p);
    if (p->i < p->n && p->s[p->i] == ']')
        return 0;
    for (;;) {
        skip_ws(p);
        size_t start = p->i;
        if (skip_value(p) != 0)
            return -1;
        int rc = fn(ctx, p->s + start, p->i - start);
        if (rc != 0)
            return rc;
        skip_ws(p);
        if (p->i >= p->n)
            return -1;
        if (p->s[p->i] == ']')
            return 0;
        if (p->s[p->i] != ',')
            return -1;
        p->i++;
    }
}

int json_data_items(const char *json, size_t len, json_item_fn fn, void *ctx)
{
    scan p = {json, len, 0};
    skip_ws(&p);
    if (p.i >= p.n || p.s[p.i] != '{')
        return -1;
    p.i++;
    for (;;) {
        skip_ws(&p);
        if (p.i >= p.n || p.s[p.i] == '}')
            return -1; /* no "data" */
        size_t key = p.i;
        if (skip_string(&p) != 0)
            return -1;
        int is_data = p.i - key == 6 && memcmp(p.s + key, "\"data\"", 6) == 0;
        skip_ws(&p);
        if (p.i >= p.n || p.s[p.i] != ':')
            return -1;
        p.i++;
        skip_ws(&p);
        if (is_data)
            return scan_array(&p, fn, ctx);
        if (skip_value(&p) != 0)
            return -1;
        skip_ws(&p);
        if (p.i < p.n && p.s[p.i] == ',')
            p.i++;
    }
}
