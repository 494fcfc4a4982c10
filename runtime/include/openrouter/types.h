/* openrouter-c: value types shared by every generated model.
 *
 * Every model field is a small wrapper holding a presence state and a value,
 * so a request can say "leave out", "send null" or "send this value", and a
 * response can say "absent", "null" or "present". A zeroed wrapper is
 * OPENROUTER_ABSENT, so `= {0}` and the generated *_INIT macros never send
 * anything the caller did not set, even after new fields are added.
 *
 * Ownership: structs you fill in for a request are yours; the library only
 * reads them. Structs the library returns through `**out` are owned by the
 * caller and released with the matching generated *_free function, which
 * frees every string and array inside them at once. Only the struct the
 * library returned can be freed, once, by its own type's *_free: anything
 * else (a pointer into it, a struct of yours, a second free) is reported
 * on stderr and aborts the program (see openrouter_model_free() in
 * descriptor.h). */
#ifndef OPENROUTER_TYPES_H
#define OPENROUTER_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Marks deprecated generated declarations (a compiler warning naming `msg`). */
#if defined(__GNUC__) || defined(__clang__)
#define OPENROUTER_DEPRECATED(msg) __attribute__((deprecated(msg)))
#else
#define OPENROUTER_DEPRECATED(msg)
#endif

/* The state of every wrapped value. */
typedef enum openrouter_presence {
    OPENROUTER_ABSENT = 0,  /* left out of the JSON object */
    OPENROUTER_NULL = 1,    /* JSON null */
    OPENROUTER_PRESENT = 2  /* a value; read `.value` */
} openrouter_presence;

/* Scalar wrappers. Strings are NUL-terminated UTF-8. */
/* A string value. */
typedef struct openrouter_string {
    openrouter_presence state; /* ABSENT, NULL or PRESENT */
    char *value;               /* NUL-terminated UTF-8 when PRESENT */
} openrouter_string;
/* A boolean value. */
typedef struct openrouter_bool {
    openrouter_presence state; /* ABSENT, NULL or PRESENT */
    bool value;                /* meaningful when PRESENT */
} openrouter_bool;
/* A 32-bit integer value. */
typedef struct openrouter_int32 {
    openrouter_presence state; /* ABSENT, NULL or PRESENT */
    int32_t value;             /* meaningful when PRESENT */
} openrouter_int32;
/* A 64-bit integer value. */
typedef struct openrouter_int64 {
    openrouter_presence state; /* ABSENT, NULL or PRESENT */
    int64_t value;             /* meaningful when PRESENT */
} openrouter_int64;
/* A JSON number. */
typedef struct openrouter_number {
    openrouter_presence state; /* ABSENT, NULL or PRESENT */
    double value;              /* meaningful when PRESENT; finite */
} openrouter_number;

/* An RFC 3339 date-time kept as the text sent or received, e.g.
 * "2027-12-31T23:59:59Z" or "2025-02-19T20:52:27.363244+00:00". Decoding
 * checks the syntax; openrouter_datetime_parse() turns it into a time. */
typedef openrouter_string openrouter_datetime;

/* Any JSON value (free-form objects such as error metadata), kept as
 * compact JSON text: as received, whitespace outside strings removed.
 * openrouter_json_tree() (openrouter/json_c.h) turns it into a json-c
 * tree. */
typedef struct openrouter_json {
    openrouter_presence state; /* ABSENT, NULL or PRESENT */
    char *value;               /* compact JSON text when PRESENT */
} openrouter_json;

/* Layout shared by every generated enum wrapper: `value` is one of the
 * generated constants, 0 meaning a string this library version does not
 * know; `text` always holds the string received. To send a value the enum
 * does not list yet, set value = 0 and text = "new-value". */
typedef struct openrouter_enum_value {
    openrouter_presence state; /* ABSENT, NULL or PRESENT */
    int value;                 /* a generated constant, 0 = unknown text */
    char *text;                /* the string on the wire */
} openrouter_enum_value;

/* A file sent as one part of a multipart/form-data request body, from
 * memory (`data`, `size`) or from a file the library reads when it sends
 * (`path`; `data` NULL). The library only borrows what it points at. */
typedef struct openrouter_file {
    openrouter_presence state; /* ABSENT or PRESENT */
    const char *path;          /* a file to read; NULL: `data` */
    const void *data;          /* `size` bytes, when path is NULL */
    size_t size;
    const char *filename;      /* the part's filename; NULL: the path's base name, or none */
    const char *content_type;  /* NULL: application/octet-stream */
} openrouter_file;

/* A response body that is not JSON (audio, video, any file): the bytes as
 * received and their Content-Type. One allocation the library owns;
 * release it with openrouter_bytes_free(), which wipes it first. */
typedef struct openrouter_bytes {
    unsigned char *data;  /* `size` bytes, then a NUL the size leaves out */
    size_t size;
    char *content_type;   /* the Content-Type header as received; "" when none */
} openrouter_bytes;

/* Wipes and releases a result of openrouter_call() for an operation whose
 * success body is not JSON (NULL-safe). */
void openrouter_bytes_free(openrouter_bytes *bytes);

/* Compound literals for setting request fields:
 *   req.body.limit = OPENROUTER_NUMBER(0);
 *   req.body.limit.state = OPENROUTER_NULL;   (send JSON null)          */
#define OPENROUTER_STRING(v) ((openrouter_string){OPENROUTER_PRESENT, (v)})
#define OPENROUTER_BOOL(v) ((openrouter_bool){OPENROUTER_PRESENT, (v)}) /* a present bool */
#define OPENROUTER_INT32(v) ((openrouter_int32){OPENROUTER_PRESENT, (v)}) /* a present int32 */
#define OPENROUTER_INT64(v) ((openrouter_int64){OPENROUTER_PRESENT, (v)}) /* a present int64 */
#define OPENROUTER_NUMBER(v) ((openrouter_number){OPENROUTER_PRESENT, (v)}) /* a present number */
#define OPENROUTER_DATETIME(v) ((openrouter_datetime){OPENROUTER_PRESENT, (v)}) /* a present date-time */

/* Parses an RFC 3339 date-time ("...Z" or "...+hh:mm", optional fraction).
 * Returns 0 and sets *unix_us (microseconds since the epoch, UTC) and
 * *utc_offset_minutes, or -1 when the text is not a valid date-time.
 * Either output may be NULL. */
int openrouter_datetime_parse(const char *text, int64_t *unix_us, int *utc_offset_minutes);

#define OPENROUTER_DATETIME_BUFSIZE 32 /* room for any openrouter_datetime_format() text */
/* Writes `unix_us` as "YYYY-MM-DDTHH:MM:SS[.ffffff]Z" into buf (at least
 * OPENROUTER_DATETIME_BUFSIZE bytes). Returns 0, or -1 if out of range. */
int openrouter_datetime_format(int64_t unix_us, char *buf, size_t bufsize);

#ifdef __cplusplus
}
#endif
#endif
