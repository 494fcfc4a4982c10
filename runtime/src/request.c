/* openrouter-c: building a request before anything is sent: parameters as
 * text, the URL, the headers, the body, and the URL as traces show it.
 *
 * Decisions worth knowing:
 * - Nothing touches the network until the whole request validated.
 * - Query and header parameters are sent only when PRESENT; a parameter set
 *   to OPENROUTER_NULL is left out (there is no "null" on the query line).
 * - Path and query values are percent-encoded by curl_easy_escape; header
 *   and path values must pass or_wire_text_ok (request.h).
 * - A non-idempotent request (POST create) is sent on a fresh connection
 *   (unless retry_non_idempotent is set), because libcurl transparently
 *   re-sends a request whose reused connection died before any response
 *   byte arrived, which could create a key twice. Later calls reuse it.
 * - The URL traces and logs show has the API key redacted (redact.h). */
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "call.h"
#include "redact.h"
#include "request.h"

/* ---- the one control-character rule ------------------------------------------ */

int or_wire_text_ok(const char *s, size_t n, int rule)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f || (c == ' ' && rule == OR_WIRE_TOKEN))
            return 0;
    }
    return 1;
}

/* ---- extra headers: the one rule for their names -------------------------------- */

int or_header_name_ok(const char *s)
{
    static const char tchar[] = "!#$%&'*+-.^_`|~";
    if (!s || !*s)
        return 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || strchr(tchar, c)))
            return 0;
    }
    return 1;
}

/* Headers an extra header may not name, and why. */
static const struct {
    const char *name;
    const char *why;
} reserved_headers[] = {
    {"Authorization", "the key comes from api_key"},
    {"Proxy-Authorization", "proxy credentials go in the proxy URL"},
    {"Host", "HTTP sets it"},
    {"Content-Length", "HTTP sets it"},
    {"Content-Type", "HTTP sets it"},
    {"Transfer-Encoding", "HTTP sets it"},
    {"Connection", "HTTP sets it"},
    {"Expect", "HTTP sets it"},
    {"TE", "HTTP sets it"},
    {"Trailer", "HTTP sets it"},
    {"Upgrade", "HTTP sets it"},
    {"Accept", "the library sets it"},
    {"User-Agent", "set user_agent or user_agent_suffix"},
    {"HTTP-Referer", "set http_referer (or the request's http_referer)"},
    {"X-Title", "set app_title (or the request's x_openrouter_title)"},
    {"X-OpenRouter-Title", "set app_title (or the request's x_openrouter_title)"},
    {"X-OpenRouter-Categories", "set app_categories (or the request's x_openrouter_categories)"},
};

static const char *reserved_why(const char *name, const openrouter_operation_desc *op)
{
    for (size_t i = 0; i < sizeof reserved_headers / sizeof reserved_headers[0]; i++)
        if (strcasecmp(name, reserved_headers[i].name) == 0)
            return reserved_headers[i].why;
    for (size_t i = 0; op && i < op->n_params; i++) {
        const openrouter_param_desc *q = &op->params[i];
        if (q->location == OPENROUTER_PARAM_HEADER &&
            (strcasecmp(name, q->name) == 0 || (q->also_send_as && strcasecmp(name, q->also_send_as) == 0)))
            return "the request has a parameter for it";
    }
    return NULL;
}

int or_headers_check(const openrouter_header *headers, size_t count, const char *what,
                     const openrouter_operation_desc *op, openrouter_error *error)
{
    if (count && !headers)
        return or_error_set_field(error, OPENROUTER_EINVAL, what, "%s is NULL but its count is %zu", what, count);
    char field[64];
    for (size_t i = 0; i < count; i++) {
        const openrouter_header *h = &headers[i];
        snprintf(field, sizeof field, "%s[%zu].name", what, i);
        if (!or_header_name_ok(h->name))
            return or_error_set_field(error, OPENROUTER_EINVAL, field,
                                      "%s must be a header name (letters, digits and !#$%%&'*+-.^_`|~)", field);
        const char *why = reserved_why(h->name, op);
        if (why)
            return or_error_set_field(error, OPENROUTER_EINVAL, field, "%s: %s cannot be set here: %s", field,
                                      h->name, why);
        for (size_t j = 0; j < i; j++)
            if (strcasecmp(h->name, headers[j].name) == 0)
                return or_error_set_field(error, OPENROUTER_EINVAL, field, "%s: %s is given twice", field,
                                          h->name);
        snprintf(field, sizeof field, "%s[%zu].value", what, i);
        if (!h->value || !or_wire_text_ok(h->value, strlen(h->value), OR_WIRE_VALUE))
            return or_error_set_field(error, OPENROUTER_EINVAL, field,
                                      "%s must be text without control characters", field);
    }
    return OPENROUTER_OK;
}

/* ---- parameters as text --------------------------------------------------------- */

static int path_param_text(const char *name, const or_limits *lim, const char *s, or_buf *out,
                           openrouter_error *error)
{
    or_path p = {NULL, name, 0};
    int rc;
    if (!s || !*s)
        return or_path_error(error, OPENROUTER_EINVAL, &p, "path parameter is missing or empty");
    if ((rc = or_check_string(error, &p, lim, s)) != 0)
        return rc;
    if (!or_wire_text_ok(s, strlen(s), OR_WIRE_VALUE))
        return or_path_error(error, OPENROUTER_EINVAL, &p, "contains a control character");
    if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
        return or_path_error(error, OPENROUTER_EINVAL, &p, "must not be \".\" or \"..\"");
    /* One path segment, sent exactly: no separators (some proxies
     * decode %2F / %5C back into them) and no "%XX" triplet (already
     * encoded input would be encoded twice; this covers "%00"). */
    if (strpbrk(s, "/\\"))
        return or_path_error(error, OPENROUTER_EINVAL, &p, "must not contain \"/\" or \"\\\"");
    for (const char *q = strchr(s, '%'); q; q = strchr(q + 1, '%'))
        if (isxdigit((unsigned char)q[1]) && isxdigit((unsigned char)q[2]))
            return or_path_error(error, OPENROUTER_EINVAL, &p, "must not contain a percent-encoded triplet (%%XX)");
    return or_buf_puts(out, s) == 0 ? OPENROUTER_OK : or_error_set(error, OPENROUTER_ENOMEM, "out of memory");
}

int or_param_to_text(const openrouter_param_desc *param, const void *slot, or_buf *out,
                     openrouter_error *error)
{
    if (!param || !slot || !out)
        return or_error_set(error, OPENROUTER_EINVAL, "parameter: invalid arguments");
    or_buf_reset(out);
    const char *name = param->name ? param->name : "?";
    or_path p = {NULL, name, 0};
    or_limits lim = {param->flags, param->min_length, param->max_length, param->minimum, param->maximum};
    int rc;

    if (param->location == OPENROUTER_PARAM_PATH || !param->type)
        return path_param_text(name, &lim, *(const char *const *)slot, out, error);

    const openrouter_type_desc *t = param->type;
    openrouter_presence st = or_wrapper_state(slot);
    if (st != OPENROUTER_PRESENT) {
        if (st != OPENROUTER_ABSENT && st != OPENROUTER_NULL)
            return or_path_error(error, OPENROUTER_EINVAL, &p, "invalid presence state %d", (int)st);
        if (param->flags & OPENROUTER_F_REQUIRED)
            return or_path_error(error, OPENROUTER_EINVAL, &p, "required parameter missing");
        return OR_PARAM_ABSENT;
    }
    char num[40];
    const char *text = NULL;
    switch (t->kind) {
    case OPENROUTER_KIND_BOOL:
        text = ((const openrouter_bool *)slot)->value ? "true" : "false";
        break;
    case OPENROUTER_KIND_INT32:
    case OPENROUTER_KIND_INT64: {
        int64_t v = t->kind == OPENROUTER_KIND_INT32 ? ((const openrouter_int32 *)slot)->value
                                                     : ((const openrouter_int64 *)slot)->value;
        if ((rc = or_check_range(error, &p, &lim, (double)v)) != 0)
            return rc;
        snprintf(num, sizeof num, "%lld", (long long)v);
        text = num;
        break;
    }
    case OPENROUTER_KIND_NUMBER: {
        double v = ((const openrouter_number *)slot)->value;
        if (!isfinite(v))
            return or_path_error(error, OPENROUTER_EINVAL, &p, "not a finite number");
        if ((rc = or_check_range(error, &p, &lim, v)) != 0)
            return rc;
        if (or_format_double(v, num, sizeof num) < 0)
            return or_path_error(error, OPENROUTER_EINVAL, &p, "cannot format number");
        text = num;
        break;
    }
    case OPENROUTER_KIND_STRING:
    case OPENROUTER_KIND_DATETIME:
        text = ((const openrouter_string *)slot)->value;
        if ((rc = or_check_string(error, &p, &lim, text)) != 0)
            return rc;
        if (t->kind == OPENROUTER_KIND_DATETIME && (rc = or_check_datetime(error, &p, param->flags, text)) != 0)
            return rc;
        break;
    case OPENROUTER_KIND_ENUM:
        if (!(text = or_enum_text(error, &p, t, (const openrouter_enum_value *)slot)))
            return OPENROUTER_EINVAL;
        break;
    default:
        return or_path_error(error, OPENROUTER_EINVAL, &p, "unsupported parameter kind %d", (int)t->kind);
    }
    if (param->location == OPENROUTER_PARAM_HEADER && !or_wire_text_ok(text, strlen(text), OR_WIRE_VALUE))
        return or_path_error(error, OPENROUTER_EINVAL, &p, "header value contains a control character");
    return or_buf_puts(out, text) == 0 ? OPENROUTER_OK : or_error_set(error, OPENROUTER_ENOMEM, "out of memory");
}

/* ---- the default headers ---------------------------------------------------------- */

/* Appends "Name: value" (skipped when value is NULL or empty: an empty
 * custom header would tell libcurl to drop the header instead). */
static int add_header(struct curl_slist **list, or_buf *tmp, const char *name, const char *value)
{
    if (!value || !*value)
        return 0;
    or_buf_reset(tmp);
    if (or_buf_printf(tmp, "%s: %s", name, value) != 0)
        return -1;
    struct curl_slist *next = curl_slist_append(*list, tmp->data);
    if (!next)
        return -1;
    *list = next;
    return 0;
}

/* "Name: value", or "Name;" for an empty value (libcurl's way to send one). */
static int add_extra_header(struct curl_slist **list, or_buf *tmp, const openrouter_header *h)
{
    or_buf_reset(tmp);
    if (*h->value ? or_buf_printf(tmp, "%s: %s", h->name, h->value) : or_buf_printf(tmp, "%s;", h->name))
        return -1;
    struct curl_slist *next = curl_slist_append(*list, tmp->data);
    if (!next)
        return -1;
    *list = next;
    return 0;
}

int or_default_headers(const openrouter_client_options *o, const char *api_key, size_t api_key_len,
                       struct curl_slist **out)
{
    or_buf tmp = OR_BUF_INIT;
    struct curl_slist *list = NULL;
    int bad = 0;
    or_buf auth = OR_BUF_INIT, agent = OR_BUF_INIT;
    if (or_buf_puts(&auth, "Bearer ") != 0 || or_buf_append(&auth, api_key, api_key_len) != 0)
        bad = 1;
    if (or_buf_puts(&agent, o->user_agent && *o->user_agent ? o->user_agent
                                                            : "openrouter-c/" OPENROUTER_VERSION_STRING) != 0 ||
        (o->user_agent_suffix && *o->user_agent_suffix && or_buf_printf(&agent, " %s", o->user_agent_suffix)))
        bad = 1;
    bad = bad || add_header(&list, &tmp, "Authorization", auth.data);
    bad = bad || add_header(&list, &tmp, "Accept", "application/json");
    bad = bad || add_header(&list, &tmp, "User-Agent", agent.data);
    bad = bad || add_header(&list, &tmp, "HTTP-Referer", o->http_referer);
    bad = bad || add_header(&list, &tmp, "X-OpenRouter-Title", o->app_title);
    bad = bad || add_header(&list, &tmp, "X-Title", o->app_title);
    bad = bad || add_header(&list, &tmp, "X-OpenRouter-Categories", o->app_categories);
    for (size_t i = 0; !bad && i < o->header_count; i++)
        bad = add_extra_header(&list, &tmp, &o->headers[i]);
    or_buf_free(&agent);
    if (!bad) {
        /* No "Expect: 100-continue" round trip for request bodies. */
        struct curl_slist *next = curl_slist_append(list, "Expect:");
        if (next)
            list = next;
        else
            bad = 1;
    }
    or_buf_free(&auth); /* wipes */
    or_buf_free(&tmp);  /* wipes: held the Authorization line */
    if (bad) {
        or_slist_free_wiped(list);
        return -1;
    }
    *out = list;
    return 0;
}

/* ---- the URL ---------------------------------------------------------------------- */

/* Appends s[0..n) percent-encoded by libcurl's curl_easy_escape(): every
 * byte but RFC 3986's unreserved ones is encoded, '/' and space included. */
static int append_escaped(or_buf *b, CURL *h, const char *s, size_t n)
{
    if (n > INT_MAX)
        return -1;
    char *esc = curl_easy_escape(h, s, (int)n);
    if (!esc)
        return -1;
    int bad = or_buf_puts(b, esc);
    curl_free(esc);
    return bad;
}

static const openrouter_param_desc *find_path_param(const openrouter_operation_desc *op, const char *name,
                                                    size_t name_len)
{
    for (size_t i = 0; i < op->n_params; i++) {
        const openrouter_param_desc *q = &op->params[i];
        if (q->location == OPENROUTER_PARAM_PATH && strlen(q->name) == name_len &&
            strncmp(q->name, name, name_len) == 0)
            return q;
    }
    return NULL;
}

/* Appends one "{name}" of the path template (at p), its value escaped by
 * curl_easy_escape as one segment; *end is set past the '}'. */
static int append_path_param(or_call *x, const char *p, const char **end, openrouter_error *error)
{
    or_buf *url = &x->bufs->url, *text = &x->bufs->param_text;
    const char *close = strchr(p, '}');
    if (!close)
        return or_error_set(error, OPENROUTER_EINVAL, "%s: malformed path template", x->opid);
    *end = close + 1;
    const openrouter_param_desc *param = find_path_param(x->op, p + 1, (size_t)(close - p - 1));
    if (!param)
        return or_error_set(error, OPENROUTER_EINVAL, "%s: path template names an undeclared parameter", x->opid);
    const void *slot = (const char *)x->request + param->offset;
    if (!*(const char *const *)slot)
        return or_error_set_field(error, OPENROUTER_EINVAL, param->name, "%s: missing required path parameter %s",
                                  x->opid, param->name);
    int rc = or_param_to_text(param, slot, text, error);
    if (rc != OPENROUTER_OK) {
        or_error_prefix(error, x->opid);
        return rc;
    }
    const char *value = text->data ? text->data : "";
    /* curl_easy_escape leaves '.' alone, and "." / ".." would be
     * collapsed by URL normalisation into another resource. */
    if (text->len == 0 || strcmp(value, ".") == 0 || strcmp(value, "..") == 0)
        return or_error_set_field(error, OPENROUTER_EINVAL, param->name,
                                  "%s: path parameter %s must not be empty, \".\" or \"..\"", x->opid, param->name);
    if (append_escaped(url, x->c->http.curl, value, text->len) != 0)
        return or_error_set(error, OPENROUTER_ENOMEM, "%s: out of memory", x->opid);
    return OPENROUTER_OK;
}

/* The query parameters that are present: name=value, both percent-encoded
 * ('&', '#', '%', '+', '=' and space, which becomes %20, so no server can
 * read it two ways). */
static int append_query(or_call *x, openrouter_error *error)
{
    const openrouter_operation_desc *op = x->op;
    or_buf *url = &x->bufs->url, *text = &x->bufs->param_text;
    CURL *h = x->c->http.curl;
    char sep = '?';
    for (size_t i = 0; x->request && i < op->n_params; i++) {
        const openrouter_param_desc *q = &op->params[i];
        if (q->location != OPENROUTER_PARAM_QUERY)
            continue;
        int rc = or_param_to_text(q, (const char *)x->request + q->offset, text, error);
        if (rc == OR_PARAM_ABSENT)
            continue; /* absent or null: not sent */
        if (rc != OPENROUTER_OK) {
            or_error_prefix(error, x->opid);
            return rc;
        }
        if (or_buf_append(url, &sep, 1) != 0 || append_escaped(url, h, q->name, strlen(q->name)) != 0 ||
            or_buf_append(url, "=", 1) != 0 || append_escaped(url, h, text->data ? text->data : "", text->len) != 0)
            return or_error_set(error, OPENROUTER_ENOMEM, "%s: out of memory", x->opid);
        sep = '&';
    }
    return OPENROUTER_OK;
}

/* The request URL, in the call's reused buffer: the base URL (checked and
 * normalised by libcurl's URL API once, when the client was created), the
 * path template with its parameters, and the query. */
static int build_url(or_call *x, openrouter_error *error)
{
    or_buf *url = &x->bufs->url;
    or_buf_reset(url);
    if (or_buf_append(url, x->c->base_url, x->c->base_url_len) != 0)
        return or_error_set(error, OPENROUTER_ENOMEM, "%s: out of memory", x->opid);
    for (const char *p = x->op->path; *p;) {
        if (*p == '{') {
            int rc = append_path_param(x, p, &p, error);
            if (rc != OPENROUTER_OK)
                return rc;
            continue;
        }
        const char *brace = strchr(p, '{');
        size_t n = brace ? (size_t)(brace - p) : strlen(p);
        if (or_buf_append(url, p, n) != 0)
            return or_error_set(error, OPENROUTER_ENOMEM, "%s: out of memory", x->opid);
        p += n;
    }
    int rc = append_query(x, error);
    if (rc == OPENROUTER_OK)
        x->req.url = url->data;
    return rc;
}

/* ---- the headers -------------------------------------------------------------------- */

static int name_eq(const char *a, size_t alen, const char *b)
{
    return b && strlen(b) == alen && strncasecmp(a, b, alen) == 0;
}

static int append_line(struct curl_slist **list, const char *line)
{
    struct curl_slist *next = curl_slist_append(*list, line);
    if (!next)
        return -1;
    *list = next;
    return 0;
}

static int add_param_header(or_call *x, const char *name, or_buf *line)
{
    const or_buf *text = &x->bufs->param_text;
    or_buf_reset(line);
    /* "Name;" is libcurl's way to send a header with an empty value. */
    if (text->len == 0)
        return or_buf_printf(line, "%s;", name) || append_line(&x->extra, line->data);
    return or_buf_printf(line, "%s: %s", name, text->data) || append_line(&x->extra, line->data);
}

/* Whether the default header line `d` is one the present header parameter
 * `q` replaces. */
static int overridden_by(const struct curl_slist *d, const openrouter_param_desc *q)
{
    size_t n = strcspn(d->data, ":;");
    return name_eq(d->data, n, q->name) || name_eq(d->data, n, q->also_send_as);
}

/* The header parameters that are present, into x->extra; *overrides is set
 * when one replaces a default header. */
static int add_param_headers(or_call *x, int *overrides, or_buf *line, openrouter_error *error)
{
    const openrouter_operation_desc *op = x->op;
    for (size_t i = 0; x->request && i < op->n_params; i++) {
        const openrouter_param_desc *q = &op->params[i];
        if (q->location != OPENROUTER_PARAM_HEADER)
            continue;
        int rc = or_param_to_text(q, (const char *)x->request + q->offset, &x->bufs->param_text, error);
        if (rc == OR_PARAM_ABSENT)
            continue; /* absent or null: the default header (if any) stays */
        if (rc != OPENROUTER_OK) {
            or_error_prefix(error, x->opid);
            return rc;
        }
        if (add_param_header(x, q->name, line) != 0 ||
            (q->also_send_as && add_param_header(x, q->also_send_as, line) != 0))
            return or_error_set(error, OPENROUTER_ENOMEM, "%s: out of memory", x->opid);
        for (const struct curl_slist *d = x->c->headers; d; d = d->next)
            if (overridden_by(d, q))
                *overrides = 1;
    }
    return OPENROUTER_OK;
}

/* The media type of the operation's non-JSON success body, or NULL. */
static const char *success_media_type(const openrouter_operation_desc *op)
{
    for (size_t i = 0; i < op->n_responses; i++)
        if (op->responses[i].media_type)
            return op->responses[i].media_type;
    return NULL;
}

/* Whether the default header line `d` is one of the call's extra headers
 * (a client extra header of the same name, which the call's replaces). */
static int replaced_by_call_header(const or_call *x, const struct curl_slist *d)
{
    size_t n = strcspn(d->data, ":;");
    for (size_t i = 0; i < x->header_count; i++)
        if (name_eq(d->data, n, x->headers[i].name))
            return 1;
    return 0;
}

/* The call's extra headers, into x->extra; *overrides is set when one
 * replaces a client extra header. */
static int add_call_headers(or_call *x, int *overrides, or_buf *line)
{
    for (size_t i = 0; i < x->header_count; i++)
        if (add_extra_header(&x->extra, line, &x->headers[i]) != 0)
            return -1;
    for (const struct curl_slist *d = x->c->headers; d && x->header_count; d = d->next)
        if (replaced_by_call_header(x, d))
            *overrides = 1;
    return 0;
}

/* Copies the default headers no present header parameter or extra header
 * of the call replaces (nor the Accept line, when the operation answers
 * with another media type). */
static int copy_kept_defaults(or_call *x, int own_accept)
{
    const openrouter_operation_desc *op = x->op;
    for (const struct curl_slist *d = x->c->headers; d; d = d->next) {
        int skip = replaced_by_call_header(x, d) ||
                   (own_accept && name_eq(d->data, strcspn(d->data, ":;"), "Accept"));
        for (size_t i = 0; x->request && i < op->n_params && !skip; i++) {
            const openrouter_param_desc *q = &op->params[i];
            skip = q->location == OPENROUTER_PARAM_HEADER &&
                   or_wrapper_state((const char *)x->request + q->offset) == OPENROUTER_PRESENT &&
                   overridden_by(d, q);
        }
        if (!skip && append_line(&x->extra, d->data) != 0)
            return -1;
    }
    return 0;
}

/* Builds per-call headers (header parameters, the call's extra headers,
 * Content-Type) in x->extra. When none override a default header, the
 * defaults are linked after them (no copy); otherwise the non-overridden
 * defaults are copied. */
static int build_headers(or_call *x, int has_body, openrouter_error *error)
{
    or_buf line = OR_BUF_INIT;
    int overrides = 0;
    int rc = add_param_headers(x, &overrides, &line, error);
    if (rc == OPENROUTER_OK && add_call_headers(x, &overrides, &line) != 0)
        rc = or_error_set(error, OPENROUTER_ENOMEM, "%s: out of memory", x->opid);
    /* Accept names the body's media type (a stream's events for a stream
     * call), and JSON for error bodies. */
    const char *media = x->streaming ? "text/event-stream" : success_media_type(x->op);
    if (rc == OPENROUTER_OK && media) {
        or_buf_reset(&line);
        if (or_buf_printf(&line, "Accept: %s, application/json", media) != 0 ||
            append_line(&x->extra, line.data) != 0)
            rc = or_error_set(error, OPENROUTER_ENOMEM, "%s: out of memory", x->opid);
        overrides = 1;
    }
    or_buf_free(&line); /* wipes: a header value may be a secret of the caller's */
    if (rc != OPENROUTER_OK)
        return rc;
    if (has_body && append_line(&x->extra, "Content-Type: application/json") != 0)
        return or_error_set(error, OPENROUTER_ENOMEM, "%s: out of memory", x->opid);
    if (!x->extra)
        return OPENROUTER_OK; /* the defaults alone */
    if (overrides)
        return copy_kept_defaults(x, media != NULL) == 0 ? OPENROUTER_OK
                                          : or_error_set(error, OPENROUTER_ENOMEM, "%s: out of memory", x->opid);
    struct curl_slist *tail = x->extra;
    while (tail->next)
        tail = tail->next;
    tail->next = x->c->headers;
    x->linked_tail = tail;
    return OPENROUTER_OK;
}

/* ---- the whole request ---------------------------------------------------------------- */

static int build_body(or_call *x, openrouter_error *error)
{
    or_buf *body = &x->bufs->request_body;
    int rc = or_model_encode(x->op->body, (const char *)x->request + x->op->body_offset, body, error);
    if (rc != OPENROUTER_OK) {
        or_error_prefix(error, x->opid);
        return rc;
    }
    if (!body->data && or_buf_puts(body, "{}") != 0)
        return or_error_set(error, OPENROUTER_ENOMEM, "%s: out of memory", x->opid);
    x->req.body = body->data;
    x->req.body_len = body->len;
    return OPENROUTER_OK;
}

int or_request_build(or_call *x, openrouter_error *error)
{
    openrouter_client *c = x->c;
    or_buf_reset(&x->bufs->request_body);
    x->req.method = x->op->method;
    x->req.timeout_ms = x->timeout_ms;
    /* A non-idempotent request gets a connection of its own unless the
     * caller opted into retrying it: see or_http_request.fresh_connect. */
    x->req.fresh_connect = !x->op->idempotent && !x->policy->retry_non_idempotent;
    x->req.sink = x->body_sink.write ? &x->sink : NULL;
    x->req.cancel = x->cancel;
    int rc = or_headers_check(x->headers, x->header_count, "options.headers", x->op, error);
    if (rc != OPENROUTER_OK) {
        or_error_prefix(error, x->opid);
        return rc;
    }
    rc = build_url(x, error);
    if (rc == OPENROUTER_OK && x->op->body && x->request)
        rc = x->op->body_multipart ? or_multipart_build(x, error) : build_body(x, error);
    if (rc == OPENROUTER_OK) /* libcurl writes a multipart body's Content-Type */
        rc = build_headers(x, x->req.body != NULL, error);
    if (rc != OPENROUTER_OK)
        return rc;
    x->req.headers = x->extra;
    /* The URL as traces and logs show it: only needed when there is a hook. */
    if (c->trace || c->log) {
        if (or_redact_dup(x->req.url, x->bufs->url.len, c->api_key, c->api_key_len, &x->trace_url_owned) != 0)
            return or_error_set(error, OPENROUTER_ENOMEM, "%s: out of memory", x->opid);
        x->trace_url = x->trace_url_owned ? x->trace_url_owned : x->req.url;
    }
    return OPENROUTER_OK;
}

void or_request_release(or_call *x)
{
    if (x->linked_tail) {
        x->linked_tail->next = NULL; /* the defaults belong to the client */
        x->linked_tail = NULL;
    }
    or_slist_free_wiped(x->extra);
    x->extra = NULL;
    x->req.headers = NULL;
    curl_mime_free(x->mime);
    x->mime = NULL;
    x->req.mime = NULL;
    or_free(x->trace_url_owned);
    x->trace_url_owned = NULL;
    x->trace_url = NULL;
}
