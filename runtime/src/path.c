/* openrouter-c: field paths ("data[3].limit", "metadata.key") for the
 * messages and error->field of decode, encode and parameter errors, and
 * for decode warnings. A path
 * is a chain of stack frames; its text is built only when an error is
 * reported. */
#include <stdio.h>

#include "internal.h"

static size_t path_write(const or_path *p, char *buf, size_t size, size_t pos)
{
    if (!p)
        return pos;
    pos = path_write(p->up, buf, size, pos);
    if (pos >= size)
        return pos;
    int n;
    if (p->name)
        n = snprintf(buf + pos, size - pos, "%s%s", pos ? "." : "", p->name);
    else
        n = snprintf(buf + pos, size - pos, "[%zu]", p->index);
    return n < 0 ? size : pos + (size_t)n;
}

size_t or_path_text(const or_path *p, char *buf, size_t size)
{
    if (size == 0)
        return 0;
    buf[0] = '\0';
    size_t n = path_write(p, buf, size, 0);
    return n < size ? n : size - 1;
}

int or_path_error(openrouter_error *error, openrouter_status kind, const or_path *p, const char *fmt, ...)
{
    if (!error)
        return kind;
    char path[sizeof error->field];
    char msg[OPENROUTER_ERROR_MESSAGE_SIZE];
    or_path_text(p, path, sizeof path);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (path[0])
        return or_error_set_field(error, kind, path, "%s: %s", path, msg);
    return or_error_set_field(error, kind, "", "%s", msg);
}
