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
 * "unrepresentable", "truncated"; "?" for anything else. */
const char *openrouter_warning_kind_name(openrouter_warning_kind kind);

#ifdef __cplusplus
}
#endif
#endif
