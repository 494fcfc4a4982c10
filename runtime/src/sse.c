/* openrouter-c: incremental Server-Sent-Events parser (see sse.h).
 *
 * Two stages, both resumable at any byte: a UTF-8 decoder (WHATWG Encoding's
 * decoder, with replacement) hands valid text to a line machine that splits
 * fields as the bytes come, so values go straight into their buffers
 * without a per-line copy. Runs of valid text skip the byte-wise decoder. */
#include <string.h>

#include "sse.h"

enum { SSE_LINE_START, SSE_NAME, SSE_SPACE, SSE_VALUE, SSE_COMMENT };
enum { SSE_F_OTHER, SSE_F_DATA, SSE_F_EVENT, SSE_F_ID, SSE_F_RETRY };

static const char REPLACEMENT[] = "\xEF\xBF\xBD"; /* U+FFFD */
static const char BOM[] = "\xEF\xBB\xBF";        /* U+FEFF */

void or_sse_init(or_sse *p, const or_sse_options *options)
{
    memset(p, 0, sizeof *p);
    if (options)
        p->opt = *options;
    if (!p->opt.max_event_bytes)
        p->opt.max_event_bytes = OR_SSE_DEFAULT_MAX_EVENT_BYTES;
    or_sse_reset(p);
}

void or_sse_reset(or_sse *p)
{
    or_buf_reset(&p->data);
    or_buf_reset(&p->type);
    or_buf_reset(&p->id);
    or_buf_reset(&p->id_next);
    or_buf_reset(&p->text);
    p->state = SSE_LINE_START;
    p->field = SSE_F_OTHER;
    p->name_len = p->value_len = p->data_lines = 0;
    p->id_has_nul = p->retry_ok = 0;
    p->retry_value = 0;
    p->retry_ms = -1;
    p->after_cr = p->mid_event = 0;
    p->at_start = 1;
    p->u8_len = p->u8_need = 0;
    p->u8_lower = 0x80;
    p->u8_upper = 0xBF;
    p->stopped = 0;
}

void or_sse_free(or_sse *p)
{
    if (!p)
        return;
    or_buf_free(&p->data);
    or_buf_free(&p->type);
    or_buf_free(&p->id);
    or_buf_free(&p->id_next);
    or_buf_free(&p->text);
}

int64_t or_sse_retry_ms(const or_sse *p)
{
    return p->retry_ms;
}

int or_sse_finish(or_sse *p)
{
    /* Pending UTF-8 bytes are line content (a U+FFFD) after the last line end. */
    return p->u8_need || p->state != SSE_LINE_START || p->mid_event;
}

/* ---- the line machine -------------------------------------------------------- */

static int too_large(const or_sse *p, openrouter_error *error)
{
    return or_error_set(error, OPENROUTER_EDECODE,
                        "server-sent event larger than the limit of %zu bytes (data and event type)",
                        p->opt.max_event_bytes);
}

static int line_too_long(const or_sse *p, openrouter_error *error)
{
    return or_error_set(error, OPENROUTER_EDECODE,
                        "server-sent event stream line longer than the limit of %zu bytes",
                        p->opt.max_event_bytes);
}

static int no_memory(openrouter_error *error)
{
    return or_error_set(error, OPENROUTER_ENOMEM, "out of memory reading a server-sent event");
}

/* Appends to the event's data or type, keeping data + type within the limit. */
static int event_append(or_sse *p, or_buf *b, const char *s, size_t n, openrouter_error *error)
{
    if (n > p->opt.max_event_bytes - p->data.len - p->type.len)
        return too_large(p, error);
    return or_buf_append(b, s, n) == 0 ? 0 : no_memory(error);
}

static int field_of(const or_sse *p)
{
    static const struct { const char *name; int field; } known[] = {
        {"data", SSE_F_DATA}, {"event", SSE_F_EVENT}, {"id", SSE_F_ID}, {"retry", SSE_F_RETRY}};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (p->name_len == strlen(known[i].name) && memcmp(p->name, known[i].name, p->name_len) == 0)
            return known[i].field;
    return SSE_F_OTHER;
}

/* The field name is complete: get its value's destination ready. */
static int begin_value(or_sse *p, openrouter_error *error)
{
    p->field = field_of(p);
    p->value_len = 0;
    switch (p->field) {
    case SSE_F_DATA:
        /* Lines are joined with "\n": the separator goes in before the second. */
        return p->data_lines++ ? event_append(p, &p->data, "\n", 1, error) : 0;
    case SSE_F_EVENT:
        or_buf_reset(&p->type); /* `event` replaces the type */
        return 0;
    case SSE_F_ID:
        or_buf_reset(&p->id_next);
        p->id_has_nul = 0;
        return 0;
    case SSE_F_RETRY:
        p->retry_ok = 1;
        p->retry_value = 0;
        return 0;
    default:
        return 0;
    }
}

static void retry_digits(or_sse *p, const char *s, size_t n)
{
    for (size_t i = 0; i < n && p->retry_ok; i++) {
        unsigned d = (unsigned char)s[i] - '0';
        if (d > 9)
            p->retry_ok = 0;
        else if (p->retry_value > ((uint64_t)INT64_MAX - d) / 10)
            p->retry_value = INT64_MAX; /* saturates: "a very long time" */
        else
            p->retry_value = p->retry_value * 10 + d;
    }
}

static int value_bytes(or_sse *p, const char *s, size_t n, openrouter_error *error)
{
    if (p->field == SSE_F_DATA)
        return event_append(p, &p->data, s, n, error);
    if (p->field == SSE_F_EVENT)
        return event_append(p, &p->type, s, n, error);
    if (n > p->opt.max_event_bytes - p->value_len)
        return line_too_long(p, error);
    p->value_len += n;
    if (p->field == SSE_F_ID) {
        if (memchr(s, '\0', n))
            p->id_has_nul = 1;
        return or_buf_append(&p->id_next, s, n) == 0 ? 0 : no_memory(error);
    }
    if (p->field == SSE_F_RETRY)
        retry_digits(p, s, n);
    return 0;
}

static int comment_bytes(or_sse *p, const char *s, size_t n, openrouter_error *error)
{
    /* Counted even when nobody reads them, so the limit does not depend on
     * whether on_comment is set. */
    if (n > p->opt.max_event_bytes - p->value_len)
        return line_too_long(p, error);
    p->value_len += n;
    if (p->opt.on_comment && or_buf_append(&p->text, s, n) != 0)
        return no_memory(error);
    return 0;
}

static void end_value(or_sse *p)
{
    if (p->field == SSE_F_ID && !p->id_has_nul) {
        or_buf t = p->id; /* id_next becomes the id in force */
        p->id = p->id_next;
        p->id_next = t;
    } else if (p->field == SSE_F_RETRY && p->retry_ok && p->value_len) {
        p->retry_ms = (int64_t)p->retry_value;
    }
}

static int dispatch(or_sse *p)
{
    p->mid_event = 0;
    if (!p->data_lines) {
        or_buf_reset(&p->type);
        return 0;
    }
    p->data_lines = 0;
    or_sse_event ev;
    ev.type = p->type.len ? p->type.data : "message";
    ev.type_len = p->type.len ? p->type.len : strlen("message");
    ev.data = p->data.len ? p->data.data : "";
    ev.data_len = p->data.len;
    ev.id = p->id.len ? p->id.data : "";
    ev.id_len = p->id.len;
    int rc = p->opt.on_event ? p->opt.on_event(p->opt.ctx, &ev) : 0;
    or_buf_reset(&p->data);
    or_buf_reset(&p->type);
    return rc;
}

static int end_line(or_sse *p, openrouter_error *error)
{
    int state = p->state;
    p->state = SSE_LINE_START;
    switch (state) {
    case SSE_LINE_START:
        return dispatch(p);
    case SSE_COMMENT: {
        if (!p->opt.on_comment)
            return 0;
        int rc = p->opt.on_comment(p->opt.ctx, p->text.len ? p->text.data : "", p->text.len);
        or_buf_reset(&p->text);
        return rc;
    }
    case SSE_NAME: { /* a field without a colon: empty value */
        int rc = begin_value(p, error);
        if (rc)
            return rc;
        end_value(p);
        return 0;
    }
    default:
        end_value(p);
        return 0;
    }
}

/* Bytes of one line (no CR or LF in them), any number, any state. */
static int line_bytes(or_sse *p, const char *s, size_t n, openrouter_error *error)
{
    while (n) {
        switch (p->state) {
        case SSE_LINE_START:
            p->name_len = p->value_len = 0;
            if (*s == ':') {
                p->state = SSE_COMMENT;
                s++, n--;
            } else {
                p->state = SSE_NAME;
                p->mid_event = 1;
            }
            break;
        case SSE_NAME: {
            const char *colon = memchr(s, ':', n);
            size_t k = colon ? (size_t)(colon - s) : n;
            /* A tiny limit still lets every known field name through. */
            size_t cap = p->opt.max_event_bytes > sizeof p->name ? p->opt.max_event_bytes : sizeof p->name;
            if (k > cap - p->name_len)
                return line_too_long(p, error);
            if (p->name_len < sizeof p->name) { /* longer names are no known field */
                size_t room = sizeof p->name - p->name_len;
                memcpy(p->name + p->name_len, s, k < room ? k : room);
            }
            p->name_len += k;
            s += k, n -= k;
            if (colon) {
                s++, n--;
                p->state = SSE_SPACE;
                int rc = begin_value(p, error);
                if (rc)
                    return rc;
            }
            break;
        }
        case SSE_SPACE: /* one space after the colon is not part of the value */
            p->state = SSE_VALUE;
            if (*s == ' ')
                s++, n--;
            break;
        case SSE_VALUE:
            return value_bytes(p, s, n, error);
        default:
            return comment_bytes(p, s, n, error);
        }
    }
    return 0;
}

/* Decoded text: valid UTF-8, any line ends. */
static int text_bytes(or_sse *p, const char *s, size_t n, openrouter_error *error)
{
    size_t i = 0;
    if (p->at_start && n) {
        p->at_start = 0;
        if (n >= 3 && memcmp(s, BOM, 3) == 0)
            i = 3; /* a BOM arrives whole: the decoder emits sequences whole */
    }
    while (i < n) {
        char c = s[i];
        int rc;
        if (c == '\n' || c == '\r') {
            int crlf_tail = c == '\n' && p->after_cr;
            p->after_cr = c == '\r';
            i++;
            if (crlf_tail)
                continue;
            rc = end_line(p, error);
        } else {
            p->after_cr = 0;
            size_t k = i;
            while (k < n && s[k] != '\n' && s[k] != '\r')
                k++;
            rc = line_bytes(p, s + i, k - i, error);
            i = k;
        }
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- UTF-8 decoding -------------------------------------------------------------- */

/* Length of the longest prefix that is complete, valid UTF-8. */
static size_t valid_run(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        size_t k = or_utf8_seq(s + i, n - i);
        if (!k)
            break;
        i += k;
    }
    return i;
}

/* One byte through the WHATWG UTF-8 decoder. *again is set when the byte
 * ended a bad sequence and must be read once more on its own. */
static int decode_byte(or_sse *p, unsigned char b, int *again, openrouter_error *error)
{
    *again = 0;
    if (!p->u8_need) {
        if (b < 0x80)
            return text_bytes(p, (const char *)&b, 1, error);
        if (b < 0xC2 || b > 0xF4)
            return text_bytes(p, REPLACEMENT, 3, error);
        p->u8_need = b < 0xE0 ? 1 : b < 0xF0 ? 2 : 3;
        p->u8_lower = b == 0xE0 ? 0xA0 : b == 0xF0 ? 0x90 : 0x80;
        p->u8_upper = b == 0xED ? 0x9F : b == 0xF4 ? 0x8F : 0xBF;
        p->u8[0] = b;
        p->u8_len = 1;
        return 0;
    }
    if (b < p->u8_lower || b > p->u8_upper) {
        p->u8_need = p->u8_len = 0;
        p->u8_lower = 0x80;
        p->u8_upper = 0xBF;
        *again = 1;
        return text_bytes(p, REPLACEMENT, 3, error);
    }
    p->u8_lower = 0x80;
    p->u8_upper = 0xBF;
    p->u8[p->u8_len++] = b;
    if (p->u8_len <= p->u8_need)
        return 0;
    size_t len = p->u8_len;
    p->u8_need = p->u8_len = 0;
    return text_bytes(p, (const char *)p->u8, len, error);
}

int or_sse_feed(or_sse *p, const char *bytes, size_t n, openrouter_error *error)
{
    if (p->stopped)
        return p->stopped;
    const unsigned char *s = (const unsigned char *)bytes;
    size_t i = 0;
    int rc = 0;
    while (i < n && !rc) {
        size_t run = p->u8_need ? 0 : valid_run(s + i, n - i);
        if (run) {
            rc = text_bytes(p, (const char *)s + i, run, error);
            i += run;
        } else {
            int again;
            rc = decode_byte(p, s[i], &again, error);
            i += !again;
        }
    }
    p->stopped = rc;
    return rc;
}
