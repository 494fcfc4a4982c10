/* openrouter-c: a multipart/form-data request body (curl_mime), built from
 * the operation's body model before anything is sent: a part per present
 * field, named by its JSON name. Files (openrouter_file) from memory or a
 * path; scalars and enums as their text, with the checks a query parameter
 * gets (request.c); an array of those as a part per item; an object or
 * union as its JSON (application/json). A null, or a map or array of
 * anything else, cannot be said in a form: EINVAL naming the field. */
#include <string.h>

#include "call.h"
#include "request.h"

static int nomem(openrouter_error *error)
{
    return or_error_set(error, OPENROUTER_ENOMEM, "out of memory");
}

static int file_part(curl_mimepart *part, const openrouter_file *f, const or_path *p, openrouter_error *error)
{
    CURLcode rc;
    if (f->path) {
        rc = curl_mime_filedata(part, f->path); /* sets the filename to the path's base name */
        if (rc == CURLE_READ_ERROR)
            return or_path_error(error, OPENROUTER_EINVAL, p, "cannot read the file to send");
    } else {
        if (!f->data && f->size)
            return or_path_error(error, OPENROUTER_EINVAL, p, "a file needs a path or data");
        rc = curl_mime_data(part, f->data ? f->data : "", f->size);
    }
    if (rc == CURLE_OK && f->filename)
        rc = curl_mime_filename(part, f->filename);
    if (rc == CURLE_OK)
        rc = curl_mime_type(part, f->content_type ? f->content_type : "application/octet-stream");
    return rc == CURLE_OK ? OPENROUTER_OK : nomem(error);
}

/* A scalar or enum slot as a text part (or nothing when it is ABSENT). */
static int text_part(curl_mime *mime, const char *name, const openrouter_field_desc *f,
                     const openrouter_type_desc *t, const char *slot, or_buf *text, openrouter_error *error)
{
    openrouter_param_desc as_param = {.name = name, .location = OPENROUTER_PARAM_QUERY, .type = t,
                                      .flags = f->flags & ~OPENROUTER_F_REQUIRED, .min_length = f->min_length,
                                      .max_length = f->max_length, .minimum = f->minimum, .maximum = f->maximum};
    int rc = or_param_to_text(&as_param, slot, text, error);
    if (rc == OR_PARAM_ABSENT)
        return OPENROUTER_OK;
    if (rc != OPENROUTER_OK)
        return rc;
    curl_mimepart *part = curl_mime_addpart(mime);
    if (!part || curl_mime_name(part, name) != CURLE_OK || curl_mime_data(part, text->data, text->len) != CURLE_OK)
        return nomem(error);
    return OPENROUTER_OK;
}

static int is_text_kind(openrouter_kind k)
{
    return k == OPENROUTER_KIND_STRING || k == OPENROUTER_KIND_DATETIME || k == OPENROUTER_KIND_ENUM ||
           k == OPENROUTER_KIND_BOOL || k == OPENROUTER_KIND_INT32 || k == OPENROUTER_KIND_INT64 ||
           k == OPENROUTER_KIND_NUMBER;
}

static int json_part(curl_mime *mime, const char *name, const openrouter_type_desc *t, const char *slot,
                     or_buf *text, openrouter_error *error)
{
    or_buf_reset(text);
    int rc = or_model_encode(t->object, slot + or_object_value_offset(t), text, error);
    if (rc != OPENROUTER_OK)
        return rc;
    curl_mimepart *part = curl_mime_addpart(mime);
    if (!part || curl_mime_name(part, name) != CURLE_OK || curl_mime_data(part, text->data, text->len) != CURLE_OK ||
        curl_mime_type(part, "application/json") != CURLE_OK)
        return nomem(error);
    return OPENROUTER_OK;
}

static int field_parts(curl_mime *mime, const openrouter_field_desc *f, const char *slot, or_buf *text,
                       openrouter_error *error)
{
    const openrouter_type_desc *t = f->type;
    or_path p = {NULL, f->json_name, 0};
    openrouter_presence st = or_slot_presence(t, slot);
    if (st == OPENROUTER_ABSENT)
        return (f->flags & OPENROUTER_F_REQUIRED) ? or_path_error(error, OPENROUTER_EINVAL, &p, "required field missing")
                                                  : OPENROUTER_OK;
    if (st != OPENROUTER_PRESENT)
        return or_path_error(error, OPENROUTER_EINVAL, &p, "null cannot be sent in a multipart/form-data body");
    if (t->kind == OPENROUTER_KIND_FILE) {
        curl_mimepart *part = curl_mime_addpart(mime);
        if (!part || curl_mime_name(part, f->json_name) != CURLE_OK)
            return nomem(error);
        return file_part(part, (const openrouter_file *)slot, &p, error);
    }
    if (is_text_kind(t->kind))
        return text_part(mime, f->json_name, f, t, slot, text, error);
    if (t->kind == OPENROUTER_KIND_OBJECT || t->kind == OPENROUTER_KIND_UNION)
        return json_part(mime, f->json_name, t, slot, text, error);
    if (t->kind == OPENROUTER_KIND_ARRAY && is_text_kind(t->item->kind)) {
        const or_array_slot *a = (const or_array_slot *)slot;
        for (size_t i = 0; i < a->count; i++) {
            int rc = text_part(mime, f->json_name, f, t->item, (const char *)a->items + i * t->item->slot_size, text,
                               error);
            if (rc != OPENROUTER_OK)
                return rc;
        }
        return OPENROUTER_OK;
    }
    return or_path_error(error, OPENROUTER_EINVAL, &p, "this kind of value cannot be sent as a form field");
}

int or_multipart_build(or_call *x, openrouter_error *error)
{
    const openrouter_object_desc *od = x->op->body;
    const char *body = (const char *)x->request + x->op->body_offset;
    if (od->union_desc)
        return or_error_set(error, OPENROUTER_EINVAL, "%s: a union cannot be a multipart/form-data body", x->opid);
    x->mime = curl_mime_init(x->c->http.curl);
    if (!x->mime)
        return or_error_set(error, OPENROUTER_ENOMEM, "%s: out of memory", x->opid);
    or_buf text = OR_BUF_INIT;
    int rc = OPENROUTER_OK;
    for (size_t i = 0; rc == OPENROUTER_OK && i < od->n_fields; i++)
        rc = field_parts(x->mime, &od->fields[i], body + od->fields[i].offset, &text, error);
    or_buf_free(&text);
    if (rc != OPENROUTER_OK) {
        or_error_prefix(error, x->opid);
        return rc;
    }
    x->req.mime = x->mime;
    return OPENROUTER_OK;
}
