/* openrouter-c: the tables the generator emits and the runtime walks.
 *
 * Generated code is data plus thin typed wrappers (the protobuf-c way): each
 * model has an openrouter_object_desc listing its fields with JSON name, kind,
 * offsetof, flags and nested descriptors; each operation has an
 * openrouter_operation_desc. One audited runtime (decode.c, encode.c,
 * equal_copy.c, ownership.c, call.c) encodes, decodes, validates, compares
 * and frees through these tables.
 *
 * Applications do not normally need this header; it is public so generated
 * code, tests and fuzzers can use the generic entry points below. */
#ifndef OPENROUTER_DESCRIPTOR_H
#define OPENROUTER_DESCRIPTOR_H

#include <stddef.h>
#include <stdint.h>

#include "openrouter/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct openrouter_error openrouter_error; /* see error.h */

/* What a slot holds. A "slot" is a field, an array element or a map value.
 * Scalar and enum slots are the wrapper types of types.h; OBJECT slots are
 * { openrouter_presence state; T value; } with T the nested struct inline.
 * The runtime finds `value` at offset slot_size - object->size: T is the
 * last member and, as every generated model holds at least one wrapper (so
 * alignof(T) >= alignof(openrouter_presence)), nothing pads the slot after
 * T. Array items and map values of kind OBJECT are the BARE struct T, with
 * no presence wrapper: their type desc has slot_size == object->size (a
 * null item then decodes as an all-ABSENT T). Scalar and enum items are
 * their wrapper types, with state;
 * ARRAY slots are { state; ITEM *items; size_t count; } and MAP slots are
 * { state; ENTRY *entries; size_t count; } where ENTRY is
 * { char *key; ITEM value; } (value at offsetof given by map_value_offset).
 * UNION slots are laid out like OBJECT slots (wrapped, or bare in arrays
 * and maps) around a union model U, whose descriptor (`object`) has a
 * union_desc: U is { int kind; char *raw; union { the variants }; } (see
 * openrouter_union_desc). A bare union item that is null decodes as kind
 * 0 with raw NULL, and encodes as null when the item is nullable. */
typedef enum openrouter_kind {
    OPENROUTER_KIND_STRING = 1,
    OPENROUTER_KIND_BOOL,
    OPENROUTER_KIND_INT32,
    OPENROUTER_KIND_INT64,
    OPENROUTER_KIND_NUMBER,
    OPENROUTER_KIND_DATETIME,
    OPENROUTER_KIND_ENUM,
    OPENROUTER_KIND_JSON,
    OPENROUTER_KIND_OBJECT,
    OPENROUTER_KIND_ARRAY,
    OPENROUTER_KIND_MAP,
    OPENROUTER_KIND_UNION,
    /* An openrouter_file: sent only as a part of a multipart/form-data
     * body; never read from JSON (such a member is passed over) nor
     * written to it (EINVAL). */
    OPENROUTER_KIND_FILE
} openrouter_kind;

/* Field flags. */
#define OPENROUTER_F_REQUIRED 0x01u   /* spec lists it in `required` */
#define OPENROUTER_F_NULLABLE 0x02u   /* null is a valid value */
#define OPENROUTER_F_SECRET 0x04u     /* never traced; wiped on free */
#define OPENROUTER_F_READ_ONLY 0x08u  /* never encoded into requests */
#define OPENROUTER_F_WRITE_ONLY 0x10u /* ignored when decoding */
#define OPENROUTER_F_DEPRECATED 0x20u /* marked deprecated in the spec */
#define OPENROUTER_F_UTC_ONLY 0x40u   /* date-time must be UTC when sent */
#define OPENROUTER_F_HAS_MINIMUM 0x80u /* `minimum` applies */
#define OPENROUTER_F_HAS_MAXIMUM 0x100u /* `maximum` applies */
/* A MAP field holding the object's members that no other field names
 * (`properties` beside a typed `additionalProperties`): decoded from them
 * and encoded as members of the object itself. Always the last field. */
#define OPENROUTER_F_ADDITIONAL 0x200u

/* The values of one enum, in constant order. */
typedef struct openrouter_enum_desc {
    const char *name;           /* C type name, for messages */
    size_t count;               /* number of values */
    const char *const *values;  /* values[i] is the text of constant i + 1 */
} openrouter_enum_desc;

typedef struct openrouter_object_desc openrouter_object_desc;

/* The type of a slot. */
typedef struct openrouter_type_desc {
    openrouter_kind kind;                       /* what the slot holds */
    size_t slot_size;                           /* sizeof the slot */
    const openrouter_object_desc *object;       /* OBJECT */
    const openrouter_enum_desc *enumeration;    /* ENUM */
    const struct openrouter_type_desc *item;    /* ARRAY element / MAP value */
    size_t entry_size;                          /* MAP: sizeof ENTRY */
    size_t map_value_offset;                    /* MAP: offsetof(ENTRY, value) */
    unsigned item_flags;                        /* ARRAY/MAP: NULLABLE for items */
} openrouter_type_desc;

/* The slot types of the scalar kinds. Generated tables point at these,
 * whatever --prefix generated them, so tables from several specs share one
 * definition in one program. */
extern const openrouter_type_desc openrouter_string_type_desc;   /* openrouter_string */
extern const openrouter_type_desc openrouter_bool_type_desc;     /* openrouter_bool */
extern const openrouter_type_desc openrouter_int32_type_desc;    /* openrouter_int32 */
extern const openrouter_type_desc openrouter_int64_type_desc;    /* openrouter_int64 */
extern const openrouter_type_desc openrouter_number_type_desc;   /* openrouter_number */
extern const openrouter_type_desc openrouter_datetime_type_desc; /* openrouter_datetime */
extern const openrouter_type_desc openrouter_json_type_desc;     /* openrouter_json */
extern const openrouter_type_desc openrouter_file_type_desc;     /* openrouter_file */

/* One field of a model. */
typedef struct openrouter_field_desc {
    const char *json_name;               /* member name in JSON */
    size_t offset;                       /* offsetof(struct, field) */
    const openrouter_type_desc *type;    /* the field's slot type */
    unsigned flags;                      /* OPENROUTER_F_* */
    int64_t min_length;                  /* strings/arrays; -1 = none */
    int64_t max_length;                  /* strings/arrays; -1 = none */
    double minimum;                      /* numbers, with F_HAS_MINIMUM */
    double maximum;                      /* numbers, with F_HAS_MAXIMUM */
} openrouter_field_desc;

/* ---- Unions (oneOf / anyOf) ---------------------------------------------
 * A union model is { K kind; char *raw; union { members }; } with K the
 * generated kind enum: kind k (1..n_variants) says member k - 1 holds the
 * value; kind 0 says no variant this library version knows matched and
 * `raw` holds the value's JSON text (compacted), which encoding sends as it
 * is once the reader accepts it. Decoding picks the variant without trial
 * and error, from the value itself (runtime/src/union.c; generator/README.md
 * "Unions"):
 *  1. by its JSON kind: the variants whose json_kinds accept it. An
 *     integer literal (no fraction, no exponent) goes to an INTEGER variant
 *     before a NUMBER one, another number to a NUMBER variant first; an
 *     array to the first array variant whose item_kinds accept its first
 *     item (an empty array: the first array variant);
 *  2. an object, in a union with a discriminator: the variant one of whose
 *     tags equals the discriminator member's string value (none: kind 0);
 *  3. an object otherwise: among the variants whose required members are
 *     all present and whose const members present hold their value, the
 *     one with the most const members matched, then the most required
 *     members, then the first; a variant accepting any JSON value only when
 *     no other matches;
 *  4. nothing matched: kind 0 with the raw text and an UNKNOWN_VARIANT
 *     warning (an error when decoding with strict_decoding).
 * Encoding writes the member the kind names, so that decoding selects it
 * again: a discriminated object variant whose discriminator member is
 * absent gets its first tag written (present, it must hold one of its
 * tags), and in a union with an integer variant a number variant's
 * integral value is written as 1000.0. */

/* JSON kinds a variant accepts. */
#define OPENROUTER_JSON_STRING 0x01u
#define OPENROUTER_JSON_NUMBER 0x02u  /* any number */
#define OPENROUTER_JSON_INTEGER 0x04u /* an integer (a literal without fraction or exponent first) */
#define OPENROUTER_JSON_BOOLEAN 0x08u
#define OPENROUTER_JSON_ARRAY 0x10u
#define OPENROUTER_JSON_OBJECT 0x20u

/* A member an object variant pins to one string value. */
typedef struct openrouter_union_const {
    const char *name;  /* the member */
    const char *value; /* its value */
} openrouter_union_const;

/* One variant: the member holding it and how decoding selects it. */
typedef struct openrouter_union_variant {
    const char *name;                    /* C member name, for messages */
    const openrouter_type_desc *type;    /* the member's slot type (objects bare) */
    unsigned json_kinds;                 /* OPENROUTER_JSON_* */
    unsigned item_kinds;                 /* arrays: OPENROUTER_JSON_* of the items */
    size_t n_tags;                       /* discriminator values naming it */
    const char *const *tags;
    size_t n_required;                   /* members an object must have */
    const char *const *required;
    size_t n_consts;                     /* members pinned to one value */
    const openrouter_union_const *consts;
} openrouter_union_variant;

/* The variants of a union model; kind k is variants[k - 1]. */
typedef struct openrouter_union_desc {
    const char *discriminator;           /* member whose value names the variant, or NULL */
    size_t raw_offset;                   /* offsetof(U, raw) */
    size_t value_offset;                 /* offsetof(U, the members) */
    size_t n_variants;
    const openrouter_union_variant *variants;
} openrouter_union_desc;

/* A model: its C struct and fields, in declaration order. */
struct openrouter_object_desc {
    const char *name;                    /* C type name, for messages */
    size_t size;                         /* sizeof the struct */
    size_t n_fields;                     /* entries in `fields` */
    const openrouter_field_desc *fields; /* the fields */
    const openrouter_union_desc *union_desc; /* a union model (no fields), or NULL */
};

/* Where a parameter goes. */
typedef enum openrouter_param_location {
    OPENROUTER_PARAM_PATH = 1, /* a {name} segment of the path */
    OPENROUTER_PARAM_QUERY,    /* name=value on the query line */
    OPENROUTER_PARAM_HEADER    /* a request header */
} openrouter_param_location;

/* A parameter lives in the operation's request struct at `offset`, as a
 * slot of `type` (scalar or enum kinds only). Path parameters are always
 * required and are plain `char *` (not wrapped). */
typedef struct openrouter_param_desc {
    const char *name;                    /* name on the wire */
    openrouter_param_location location;  /* path, query or header */
    size_t offset;                       /* offsetof(request struct, parameter) */
    const openrouter_type_desc *type;    /* NULL for path params (char *) */
    unsigned flags;                      /* OPENROUTER_F_* */
    int64_t min_length;                  /* strings; -1 = none */
    int64_t max_length;                  /* strings; -1 = none */
    double minimum;                      /* numbers, with F_HAS_MINIMUM */
    double maximum;                      /* numbers, with F_HAS_MAXIMUM */
    const char *also_send_as;            /* header sent again under this name */
} openrouter_param_desc;

/* A success response an operation documents. */
typedef struct openrouter_response_desc {
    int status;                          /* e.g. 200, 201, 204 */
    const openrouter_object_desc *body;  /* NULL: no JSON body expected */
    /* Non-NULL: the body is not JSON but bytes of this media type (as the
     * spec names it, e.g. "audio/mpeg"), returned as an openrouter_bytes. */
    const char *media_type;
} openrouter_response_desc;

/* A streaming (text/event-stream) response: each Server-Sent Event becomes
 * one `event` model, built from the event's fields the model declares
 * (`data` decoded as JSON, or kept as text when the model says string;
 * `event`, `id` as strings). A model without an `event` field receives only
 * events of the default type "message"; others are passed over. `sentinel`
 * is the data that ends the stream (x-speakeasy-sse-sentinel, "[DONE]"),
 * NULL when the stream just ends. See openrouter/stream.h. */
typedef struct openrouter_stream_desc {
    const openrouter_object_desc *event; /* the event model */
    const char *sentinel;                /* NULL: none */
} openrouter_stream_desc;

/* One API operation: everything openrouter_call() needs. */
typedef struct openrouter_operation_desc {
    const char *operation_id;            /* the spec's operationId, for messages */
    const char *method;                  /* "GET", "POST", ... */
    const char *path;                    /* template, e.g. "/keys/{hash}" */
    int idempotent;                      /* retried on ambiguous failures */
    size_t request_size;                 /* sizeof the request struct; 0 = none */
    size_t n_params;                     /* entries in `params` */
    const openrouter_param_desc *params; /* path, then query, then header parameters */
    const openrouter_object_desc *body;  /* request body model, or NULL */
    size_t body_offset;                  /* offsetof(request, body) */
    int body_required;                   /* nonzero: the body must be sent */
    size_t n_responses;                  /* success responses */
    const openrouter_response_desc *responses; /* the success responses */
    size_t n_error_statuses;             /* documented error statuses */
    const int *error_statuses;           /* e.g. 400, 401, 429, 500 */
    const openrouter_stream_desc *stream; /* its event stream, or NULL */
    /* Nonzero: the body is sent as multipart/form-data, a part per
     * present field: files as they are, scalars as text, arrays of scalars
     * as a part per item, other values as JSON. */
    int body_multipart;
} openrouter_operation_desc;

/* ---- Generic entry points used by generated wrappers ------------------- */

/* Decodes JSON text into a newly allocated model, as responses are read:
 * a value that breaks the description is kept or left absent and recorded
 * (openrouter_model_warnings() in types.h), never a failure. On success
 * *out must be released with openrouter_model_free(). */
int openrouter_model_decode(const openrouter_object_desc *desc, const char *json, size_t len,
                            void **out, openrouter_error *error);

/* Decodes JSON text as a request body to be sent (what a generic tool
 * such as openrouter-api reads from its user): write-only fields are read,
 * read-only ones skipped, and the first value that breaks the description
 * (a missing required field, a null where none is allowed, a wrong type) is
 * an error naming it (strict decoding, no warnings). Released like a model
 * from openrouter_model_decode(). */
int openrouter_model_decode_request(const openrouter_object_desc *desc, const char *json, size_t len,
                                    void **out, openrouter_error *error);

/* Encodes a model as compact JSON; *json_out is NUL-terminated and released
 * with openrouter_buffer_free(). Validates the model first. */
int openrouter_model_encode(const openrouter_object_desc *desc, const void *model,
                            char **json_out, size_t *len_out, openrouter_error *error);

/* Encodes a model as it was received, such as a decoded response, to
 * show or pass on: what was decoded is written back without the checks a
 * request gets (a required field the server left out stays out, a null
 * where none is allowed stays null, lengths, bounds and date-time syntax
 * are not checked)
 * and read-only fields are written too. Released like openrouter_model_encode's. */
int openrouter_model_encode_received(const openrouter_object_desc *desc, const void *model, char **json_out,
                                     size_t *len_out, openrouter_error *error);

/* Deep equality over the table: same presence, same values. */
int openrouter_model_equal(const openrouter_object_desc *desc, const void *a, const void *b);

/* Releases a model returned by the library (NULL-safe). Secret fields and
 * all string memory are wiped before release.
 *
 * Misuse is caught, not ignored: the library keeps a registry of the
 * models it handed out and that are not freed yet, and looks `model` up
 * there before touching it (without reading any memory it did not
 * allocate). A pointer it did not return, such as a struct you own, a
 * pointer into a model (&created->data.value, an array item) or a model
 * already freed, is a bug that would otherwise corrupt memory or leave a
 * secret unwiped: the library prints what was wrong to stderr
 * ("openrouter: openrouter_key_free(0x...): that pointer is 8 bytes into
 * a live model (openrouter_created_key, member "data") ...") and calls abort(), as glibc does on a bad
 * free(). */
void openrouter_model_free(void *model);

/* openrouter_model_free() that also checks the model is a `desc`: the
 * generated *_free functions call it, so freeing a model through another
 * type's *_free is caught (and aborts) as well. NULL desc: any model. */
void openrouter_model_free_typed(const openrouter_object_desc *desc, void *model);

/* Wipes and releases a buffer the library returned (encoded JSON, a raw
 * body). NULL-safe. */
void openrouter_buffer_free(char *buf);

typedef struct openrouter_client openrouter_client;             /* see client.h */
typedef struct openrouter_call_options openrouter_call_options; /* see client.h */

/* Runs one operation: validates `request` against the table (nothing is sent
 * if it is invalid), builds the URL with percent-encoded path and query
 * values, sends it with retries, and decodes the success body into a newly
 * allocated model stored in *out (NULL `out` for operations without a
 * response body); a body that is not JSON (a response with media_type) is
 * stored as an openrouter_bytes. `request` may be NULL when the operation
 * needs nothing. */
int openrouter_call(openrouter_client *client, const openrouter_operation_desc *op,
                    const void *request, void **out, const openrouter_call_options *options,
                    openrouter_error *error);

/* Where openrouter_call_sink() delivers a success body as it arrives
 * instead of keeping it (a large audio or video file straight to disk). */
typedef struct openrouter_body_sink {
    /* Called with each piece of a 2xx body, in order, `content_type` the
     * response's Content-Type ("" when none). Return 0 to go on; anything
     * else stops the transfer (the connection closes) and the call fails
     * with OPENROUTER_ETRANSPORT, saying the sink stopped it. */
    int (*write)(void *ctx, const void *data, size_t len, const char *content_type);
    void *ctx;
} openrouter_body_sink;

/* openrouter_call() whose success body, JSON or not, goes to `sink` piece
 * by piece and is neither kept nor decoded; error bodies are read as
 * always. The client's max_response_bytes still bounds what the sink is
 * given (raise it for large files). Once the sink got a byte the call is
 * never retried, so it never sees a body twice. */
int openrouter_call_sink(openrouter_client *client, const openrouter_operation_desc *op,
                         const void *request, const openrouter_body_sink *sink,
                         const openrouter_call_options *options, openrouter_error *error);

#ifdef __cplusplus
}
#endif
#endif
