/* openrouter-c: value types shared by every generated model.
 *
 * Every model field is a small wrapper holding a presence state and a value,
 * so a request can say "leave out", "send null" or "send this value", and a
 * response can say "absent", "null" or "present". A zeroed wrapper is
 * OPENROUTER_ABSENT, so `= {0}` and the generated *_INIT macros never send
 * anything the caller did not set, even after new fields are added.
 *
 * Ownership: structs you fill in for a request are yours; the library only
 * reads them, and every string in them is `const char *`: a literal, a
 * getenv() result or your buffer, which must stay valid during the call
 * (a paged walk copies its request). Structs the library returns through `**out` are owned by the
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
#include <time.h>

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

/* Scalar wrappers. Strings are NUL-terminated UTF-8, borrowed in requests
 * and owned by the returned model in responses: read-only either way. */
/* A string value. */
typedef struct openrouter_string {
    openrouter_presence state; /* ABSENT, NULL or PRESENT */
    const char *value;         /* NUL-terminated UTF-8 when PRESENT */
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
    const char *value;         /* compact JSON text when PRESENT */
} openrouter_json;

/* Layout shared by every generated enum wrapper: `value` is one of the
 * generated constants, 0 meaning a string this library version does not
 * know; `text` always holds the string received. To send a value the enum
 * does not list yet, set value = 0 and text = "new-value". */
typedef struct openrouter_enum_value {
    openrouter_presence state; /* ABSENT, NULL or PRESENT */
    int value;                 /* a generated constant, 0 = unknown text */
    const char *text;          /* the string on the wire */
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

/* A present wrapper of type T holding `v`, converted as an assignment
 * would: a compound literal in C; in C++ (no compound literals) a braced
 * temporary, with a cast so that no conversion counts as narrowing. The
 * generated enum setters use OPENROUTER_LITERAL_ for all three members. */
#ifdef __cplusplus
#define OPENROUTER_WRAP_(T, v) (T{OPENROUTER_PRESENT, static_cast<decltype(T::value)>(v)})
#define OPENROUTER_LITERAL_(T, ...) (T{__VA_ARGS__})
#else
#define OPENROUTER_WRAP_(T, v) ((T){OPENROUTER_PRESENT, (v)})
#define OPENROUTER_LITERAL_(T, ...) ((T){__VA_ARGS__})
#endif

/* The initializer of a struct with every member zero (every wrapper
 * ABSENT): `{0}` in C, `{}` in C++, where 0 cannot initialise an enum
 * member. Every generated *_INIT macro is this. */
#ifdef __cplusplus
#define OPENROUTER_ZERO_INIT {}
#else
#define OPENROUTER_ZERO_INIT {0}
#endif

/* Setting request fields (values are copied when the call encodes them;
 * strings are borrowed, see above):
 *   req.body.name = OPENROUTER_STRING("acme");
 *   req.body.limit = OPENROUTER_NUMBER(10);
 *   req.body.limit_reset = OPENROUTER_LIMIT_RESET(MONTHLY);  (each enum has one)
 *   OPENROUTER_SET_NULL(req.body.limit);       send JSON null ("no limit")
 *   OPENROUTER_SET_ABSENT(req.body.limit);     leave it out again */
#define OPENROUTER_STRING(v) OPENROUTER_WRAP_(openrouter_string, v) /* a present string */
#define OPENROUTER_BOOL(v) OPENROUTER_WRAP_(openrouter_bool, v) /* a present bool */
#define OPENROUTER_INT32(v) OPENROUTER_WRAP_(openrouter_int32, v) /* a present int32 */
#define OPENROUTER_INT64(v) OPENROUTER_WRAP_(openrouter_int64, v) /* a present int64 */
#define OPENROUTER_NUMBER(v) OPENROUTER_WRAP_(openrouter_number, v) /* a present number */
#define OPENROUTER_DATETIME(v) OPENROUTER_WRAP_(openrouter_datetime, v) /* a present date-time */
#define OPENROUTER_JSON(v) OPENROUTER_WRAP_(openrouter_json, v) /* present JSON text */
/* Any wrapper (scalar, enum, object, array, map) set to JSON null. */
#define OPENROUTER_SET_NULL(slot) ((void)((slot).state = OPENROUTER_NULL))
/* Any wrapper set back to "left out". */
#define OPENROUTER_SET_ABSENT(slot) ((void)((slot).state = OPENROUTER_ABSENT))

/* Reading a value through a chain of fields, `.value` between each:
 *   OPENROUTER_VALUE(created, data, hash)  is  (created)->data.value.hash.value
 * (1 to 8 fields after the pointer). Meant for fields the API marks
 * required. Nested objects are held inline, never behind a pointer, so a
 * chain through an absent object reads zeroes (a NULL string, 0), never a
 * wild pointer; check `.state` where the API allows absent or null. */
#define OPENROUTER_VALUE(...)                                                                           \
    OPENROUTER_VALUE_PICK_(__VA_ARGS__, OPENROUTER_VALUE_8_, OPENROUTER_VALUE_7_, OPENROUTER_VALUE_6_, \
                           OPENROUTER_VALUE_5_, OPENROUTER_VALUE_4_, OPENROUTER_VALUE_3_,             \
                           OPENROUTER_VALUE_2_, OPENROUTER_VALUE_1_, unused)                          \
    (__VA_ARGS__)
#define OPENROUTER_VALUE_PICK_(p, a, b, c, d, e, f, g, h, name, ...) name
#define OPENROUTER_VALUE_1_(p, a) ((p)->a.value)
#define OPENROUTER_VALUE_2_(p, a, b) ((p)->a.value.b.value)
#define OPENROUTER_VALUE_3_(p, a, b, c) ((p)->a.value.b.value.c.value)
#define OPENROUTER_VALUE_4_(p, a, b, c, d) ((p)->a.value.b.value.c.value.d.value)
#define OPENROUTER_VALUE_5_(p, a, b, c, d, e) OPENROUTER_VALUE_1_(&OPENROUTER_VALUE_4_(p, a, b, c, d), e)
#define OPENROUTER_VALUE_6_(p, a, b, c, d, e, f) OPENROUTER_VALUE_2_(&OPENROUTER_VALUE_4_(p, a, b, c, d), e, f)
#define OPENROUTER_VALUE_7_(p, a, b, c, d, e, f, g)                                                      \
    OPENROUTER_VALUE_3_(&OPENROUTER_VALUE_4_(p, a, b, c, d), e, f, g)
#define OPENROUTER_VALUE_8_(p, a, b, c, d, e, f, g, h)                                                   \
    OPENROUTER_VALUE_4_(&OPENROUTER_VALUE_4_(p, a, b, c, d), e, f, g, h)

/* Parses an RFC 3339 date-time ("...Z" or "...+hh:mm", optional fraction).
 * Returns 0 and sets *unix_us (microseconds since the epoch, UTC) and
 * *utc_offset_minutes, or -1 when the text is not a valid date-time.
 * Either output may be NULL. */
int openrouter_datetime_parse(const char *text, int64_t *unix_us, int *utc_offset_minutes);

#define OPENROUTER_DATETIME_BUFSIZE 32 /* room for any openrouter_datetime_format() text */
/* Writes `unix_us` as "YYYY-MM-DDTHH:MM:SS[.ffffff]Z" into buf (at least
 * OPENROUTER_DATETIME_BUFSIZE bytes). Returns 0, or -1 if out of range. */
int openrouter_datetime_format(int64_t unix_us, char *buf, size_t bufsize);

/* ---- Warnings: values a response holds that break its description ------
 *
 * Responses decode leniently by default: one odd value never costs the
 * whole response. Each value that breaks what the description says is
 * handled as its kind says below and recorded as a warning on the decoded
 * model; strict decoding (openrouter_client_options.strict_decoding) makes
 * the first such value an OPENROUTER_EDECODE error naming it instead.
 * Malformed JSON, the size and depth limits, a body that is not an object
 * and a required member of the wrong JSON type fail in either mode. Enums
 * are open: unknown text is kept (constant 0, see openrouter_enum_value)
 * and is not a warning. */
typedef enum openrouter_warning_kind {
    /* A string that breaks its format (a date-time that is not RFC 3339):
     * kept as received, PRESENT. */
    OPENROUTER_WARNING_FORMAT = 1,
    /* A string (in characters) or an array (in items) outside its
     * length limits: kept as received, PRESENT. */
    OPENROUTER_WARNING_LENGTH,
    /* A number outside its minimum or maximum: kept, PRESENT. */
    OPENROUTER_WARNING_RANGE,
    /* JSON null where the description does not allow it: OPENROUTER_NULL
     * (an object item of an array cannot say null: all its fields ABSENT). */
    OPENROUTER_WARNING_NULL,
    /* A required member left out: OPENROUTER_ABSENT. */
    OPENROUTER_WARNING_MISSING,
    /* An optional member, an array item or a map value of the wrong JSON
     * type (a number with a fraction where an integer belongs included):
     * OPENROUTER_ABSENT (an object item: all its fields ABSENT). */
    OPENROUTER_WARNING_TYPE,
    /* A value its C type cannot hold: an integer beyond int64_t (int32_t
     * for int32 fields), a number beyond double, a string holding U+0000:
     * OPENROUTER_ABSENT. */
    OPENROUTER_WARNING_UNREPRESENTABLE,
    /* A union value no variant matches (a variant added since this
     * version): kind 0, the value kept as its JSON text (the union's raw). */
    OPENROUTER_WARNING_UNKNOWN_VARIANT,
    /* More than OPENROUTER_MAX_WARNINGS warnings: this last one says how
     * many more were counted and not kept (path ""). */
    OPENROUTER_WARNING_TRUNCATED
} openrouter_warning_kind;

/* Warnings kept per model; more are counted in a last TRUNCATED one. */
#define OPENROUTER_MAX_WARNINGS 1000

/* One warning. Strings live as long as the model; the message names the
 * rule broken, never the value (it may be a secret). */
typedef struct openrouter_warning {
    openrouter_warning_kind kind;
    const char *path;    /* the value's JSON path: "data[3].expires_at" */
    const char *message; /* e.g. "invalid date-time (expected RFC 3339)" */
} openrouter_warning;

/* The warnings of a model the library returned (a decoded response or a
 * *_all page), in the order of the response text; sets *count (may be
 * NULL) to their number. NULL and 0 when there are none or `model` is
 * NULL. A pointer the library did not return as a model is a bug and is
 * caught like a bad openrouter_model_free() (a message, then abort()). */
const openrouter_warning *openrouter_model_warnings(const void *model, size_t *count);

/* "format", "length", "range", "null", "missing", "type",
 * "unrepresentable", "unknown_variant", "truncated"; "?" for anything
 * else. */
const char *openrouter_warning_kind_name(openrouter_warning_kind kind);

/* A date-time's text held by value: no allocation, nothing to free. Keep
 * the variable alive while a request points at its text:
 *   openrouter_datetime_text expiry = openrouter_datetime_from_now(30 * 86400);
 *   req.body.expires_at = OPENROUTER_DATETIME(expiry.text);
 * `text` is "" when the time was out of range (years 0000-9999), which a
 * call rejects as OPENROUTER_EINVAL naming the field, before sending. */
typedef struct openrouter_datetime_text {
    char text[OPENROUTER_DATETIME_BUFSIZE]; /* "YYYY-MM-DDTHH:MM:SSZ" (UTC) */
} openrouter_datetime_text;

/* `t` (seconds since the epoch, as time() returns) as UTC text. */
openrouter_datetime_text openrouter_datetime_from_time(time_t t);
/* The wall clock now (time()) plus `seconds` (negative: in the past) as UTC
 * text, e.g. openrouter_datetime_from_now(30 * 86400) for 30 days out. */
openrouter_datetime_text openrouter_datetime_from_now(int64_t seconds);

#ifdef __cplusplus
}
#endif
#endif
