"""Every keyword the generator may meet, and what it does with it.

One table per kind of object (schema, operation, parameter, ...): keyword ->
Rule. A keyword is HANDLED (the generator reads it), IGNORED on purpose
(the reason says why that is safe), or REJECTED (generation stops with
"unsupported <keyword>" at its JSON pointer). A keyword in no table is
rejected too (a schema keyword as "unsupported keyword 'k'", a field of an
OpenAPI object as "invalid spec: unknown <object> field 'k'"), so a typo
such as `nulable` cannot silently change what is generated. `x-*`
extensions in no table are ignored (any vendor may add some); the ones
OpenRouter's description and spec/overlays/ use are listed, each with its
reason.

To support a construct, move its keyword to HANDLED and teach model.py;
generator/README.md lists the same rules for spec authors, and
tests/generator/test_constructs.py checks both against this file.
"""
from collections import namedtuple

from .errors import SpecError, UnsupportedError, child

HANDLED, IGNORED, REJECTED = "handled", "ignored", "rejected"

# kind: HANDLED, IGNORED or REJECTED; why: one line for the docs;
# beside_ref: allowed next to $ref (an annotation of the referring slot);
# shown: an unchecked constraint the doc comment of the slot states.
Rule = namedtuple("Rule", "kind why beside_ref shown")


def _handled(why, beside_ref=False):
    return Rule(HANDLED, why, beside_ref, False)


def _ignored(why):
    return Rule(IGNORED, why, True, False)


def _unchecked(why=""):
    """A constraint on valid values that the library leaves to the server:
    every value it allows fits the C type anyway, and responses are read
    liberally. The slot's doc comment states it."""
    return Rule(IGNORED, "not checked, stated in the doc comment" + why, True, True)


def _rejected(why):
    return Rule(REJECTED, why, False, False)

SCHEMA = {
    # The shape of the value: what the C type is.
    "$ref": _handled("a local reference (#/...) to another schema"),
    "type": _handled("the C type; [T, 'null'] makes it nullable"),
    "format": _handled("int32/int64 width, date-time, password (secret); other formats stay strings"),
    "enum": _handled("string values become a C enum (open: unknown text is kept)"),
    "const": _handled("the type of the value; the value appears in the doc comment"),
    "properties": _handled("the struct's fields"),
    "required": _handled("the REQUIRED flag"),
    "additionalProperties": _handled("a map when typed; ignored beside properties when free-form"),
    "items": _handled("the array item type"),
    "allOf": _handled("objects merged into one struct"),
    "x-openrouter-type": _handled("`boolean` on a string: a bool sent as true/false"),
    "x-openrouter-name": _handled("names the C type of an object or enum schema, inline or "
                                  "beside a $ref", beside_ref=True),
    "x-openrouter-order": _handled("the members listed first, in that order (C struct, tables, "
                                   "JSON sent)"),
    # Checked when a request is sent (descriptor limits).
    "minLength": _handled("checked when sending"),
    "maxLength": _handled("checked when sending"),
    "minItems": _handled("checked when sending"),
    "maxItems": _handled("checked when sending"),
    "minimum": _handled("checked when sending"),
    "maximum": _handled("checked when sending"),
    # Annotations of a slot, also allowed beside $ref.
    "nullable": _handled("OpenAPI 3.0 nullability", beside_ref=True),
    "readOnly": _handled("never sent", beside_ref=True),
    "writeOnly": _handled("never decoded", beside_ref=True),
    "deprecated": _handled("a C deprecation attribute", beside_ref=True),
    "description": _handled("the doc comment", beside_ref=True),
    "default": _handled("the doc comment only: the library never fills in a default",
                        beside_ref=True),
    "x-sensitive": _handled("a secret: wiped on free, never traced", beside_ref=True),
    "x-utc-only": _handled("a date-time that must be UTC when sent", beside_ref=True),
    # Documentation, nothing to generate.
    "title": _ignored("documentation"),
    "summary": _ignored("documentation (3.1 Reference Object)"),
    "$comment": _ignored("a comment for spec authors"),
    "example": _ignored("documentation"),
    "examples": _ignored("documentation"),
    "externalDocs": _ignored("documentation"),
    "xml": _ignored("XML serialisation; the library speaks JSON"),
    "$schema": _ignored("the dialect is OpenAPI 3.0/3.1's"),
    "$defs": _ignored("a container: its schemas are read where a $ref uses them"),
    "definitions": _ignored("a container: its schemas are read where a $ref uses them"),
    "$anchor": _ignored("only #/ pointers are followed; a $ref to an anchor is rejected"),
    "contentMediaType": _ignored("the value stays the string sent or received"),
    "contentEncoding": _ignored("the value stays the string sent or received (no base64 decoding)"),
    # Other SDK generators' instructions (OpenRouter's description carries them).
    "x-speakeasy-unknown-values": _ignored("every enum is open here: unknown text is kept"),
    "x-speakeasy-entity": _ignored("another generator's type name; x-openrouter-name names "
                                   "C types"),
    "x-speakeasy-deprecation-message": _ignored("documentation; `deprecated` is read"),
    "x-speakeasy-ignore": _ignored("other SDKs leave the member out; a member the API sends "
                                   "is kept here"),
    "x-fern-ignore": _ignored("other SDKs leave the member out; a member the API sends is "
                              "kept here"),
    # Constraints on valid values, left to the server.
    "pattern": _unchecked(": patterns are ECMA-262 regular expressions, which no C library "
                          "at hand matches faithfully (POSIX regcomp differs)"),
    "multipleOf": _unchecked(": binary floating point cannot tell whether 0.3 is a "
                             "multiple of 0.1"),
    "uniqueItems": _unchecked(),
    "minProperties": _unchecked(),
    "maxProperties": _unchecked(),
    "propertyNames": _unchecked(),
    "dependentRequired": _unchecked(),
    "contains": _unchecked(),
    "minContains": _unchecked(),
    "maxContains": _unchecked(),
    "oneOf": _handled("a tagged union (a kind and one member per variant), or a nullable "
                      "type when one variant is null"),
    "anyOf": _handled("a tagged union, as oneOf: the first variant that matches is the value"),
    "discriminator": _handled("the member whose value selects a union variant"),
    # What a C struct cannot express.
    "not": _rejected("a negated schema"),
    "if": _rejected("a conditional schema"),
    "then": _rejected("a conditional schema"),
    "else": _rejected("a conditional schema"),
    "patternProperties": _rejected("member types chosen by name patterns"),
    "dependentSchemas": _rejected("a schema that depends on present members"),
    "unevaluatedProperties": _rejected("members typed by what other keywords left over"),
    "unevaluatedItems": _rejected("items typed by what other keywords left over"),
    "prefixItems": _rejected("a tuple"),
    "additionalItems": _rejected("a tuple"),
    "$dynamicRef": _rejected("a dynamic reference"),
    "$dynamicAnchor": _rejected("a dynamic reference target"),
    "$recursiveRef": _rejected("a dynamic reference"),
    "$recursiveAnchor": _rejected("a dynamic reference target"),
    "$id": _rejected("a new base URI for the $refs below it"),
    "exclusiveMinimum": _rejected("the runtime checks inclusive bounds only; rejected rather "
                                  "than checked wrongly"),
    "exclusiveMaximum": _rejected("the runtime checks inclusive bounds only; rejected rather "
                                  "than checked wrongly"),
}

ROOT = {
    "openapi": _handled("3.0.x or 3.1.x"),
    "paths": _handled("the operations"),
    "components": _handled("schemas, parameters, responses and request bodies behind $refs"),
    "info": _ignored("documentation"),
    "tags": _ignored("documentation"),
    "externalDocs": _ignored("documentation"),
    "servers": _ignored("the base URL is a client option (OPENROUTER_DEFAULT_BASE_URL)"),
    "security": _ignored("the client sends its API key on every request"),
    "webhooks": _ignored("requests the server makes, not the client"),
    "jsonSchemaDialect": _ignored("schemas are read as OpenAPI 3.1's dialect"),
    "x-speakeasy-retries": _ignored("another generator's retry settings; retries are the "
                                    "client's openrouter_retry_policy"),
    "x-retry-strategy": _ignored("the published retry settings; retries are the client's "
                                 "openrouter_retry_policy"),
}

PATH_ITEM = {
    "$ref": _handled("a local reference to a path item"),
    "parameters": _handled("parameters shared by the path's operations"),
    **{m: _handled("an operation") for m in
       ("get", "put", "post", "delete", "options", "head", "patch", "trace")},
    "summary": _ignored("documentation"),
    "description": _ignored("documentation"),
    "servers": _rejected("a base URL of its own"),
}

OPERATION = {
    "operationId": _handled("the function name"),
    "summary": _handled("the doc comment"),
    "description": _handled("the doc comment"),
    "parameters": _handled("request struct members"),
    "requestBody": _handled("the request body"),
    "responses": _handled("success models, documented error statuses"),
    "deprecated": _handled("a C deprecation attribute"),
    "x-openrouter-pagination": _handled("iterator and list-all functions"),
    "x-openrouter-idempotent": _handled("whether a retry may repeat the request"),
    "tags": _ignored("documentation"),
    "externalDocs": _ignored("documentation"),
    "security": _ignored("the client sends its API key on every request"),
    "callbacks": _ignored("requests the server makes, not the client"),
    # Other SDK generators' instructions (OpenRouter's description carries them).
    "x-speakeasy-name-override": _ignored("another generator's method name; operationId names "
                                          "the C function"),
    "x-speakeasy-pagination": _ignored("another generator's paging; x-openrouter-pagination "
                                       "is read"),
    "x-speakeasy-group": _ignored("another generator's namespace; C names are flat"),
    "x-speakeasy-max-method-params": _ignored("another generator's argument style; C takes a "
                                              "request struct"),
    "x-speakeasy-stream-request-field": _handled("the boolean body member *_stream sets to true"),
    "x-speakeasy-ignore": _ignored("other SDKs leave the operation out; spec/operations.txt "
                                   "selects the operations"),
    "x-fern-ignore": _ignored("other SDKs leave the operation out; spec/operations.txt "
                              "selects the operations"),
    "servers": _rejected("a base URL of its own"),
}

PARAMETER = {
    "name": _handled("the wire name"),
    "in": _handled("path, query or header"),
    "schema": _handled("the member's type"),
    "required": _handled("the REQUIRED flag"),
    "description": _handled("the doc comment"),
    "deprecated": _handled("a C deprecation attribute"),
    "x-also-send-as": _handled("a header sent again under a second name"),
    "example": _ignored("documentation"),
    "examples": _ignored("documentation"),
    "explode": _ignored("only array and object parameters explode, and those are rejected"),
    "allowReserved": _ignored("reserved characters are percent-encoded, which servers decode "
                              "the same"),
    "allowEmptyValue": _ignored("deprecated by OpenAPI; an empty string is sent as such"),
    "style": _handled("only the default for the location (form for query, simple for path "
                      "and header)"),
    "content": _rejected("a parameter serialised as a media type"),
}

REQUEST_BODY = {
    "content": _handled("application/json only"),
    "required": _handled("whether the body must be sent"),
    "description": _handled("the doc comment"),
}

RESPONSE = {
    "content": _handled("application/json and text/event-stream (a stream of events), or none"),
    "description": _ignored("documentation"),
    "headers": _ignored("response headers are not decoded (Retry-After is the runtime's)"),
    "links": _ignored("documentation"),
}

MEDIA_TYPE = {
    "schema": _handled("the body's model"),
    "example": _ignored("documentation"),
    "examples": _ignored("documentation"),
    "encoding": _ignored("applies to multipart and form bodies, which are rejected"),
    "x-speakeasy-sse-sentinel": _handled("text/event-stream: the data that ends the stream"),
}

# Keywords a slot's doc comment states, in this order.
SHOWN = tuple(k for k, rule in SCHEMA.items() if rule.shown)

# Default `style` of a parameter, by location.
DEFAULT_STYLE = {"path": "simple", "query": "form", "header": "simple", "cookie": "form"}


def check_schema(node, ptr, describe=None):
    """Rejects the first rejected or unknown keyword of a schema object.
    `describe(node, keyword)` may name a rejected construct more exactly."""
    for key, rule in SCHEMA.items():
        if rule.kind == REJECTED and key in node:
            what = describe(node, key) if describe else key
            raise UnsupportedError(what, child(ptr, key))
    for key in sorted(map(str, node)):
        if key not in SCHEMA and not key.startswith("x-"):
            raise UnsupportedError("keyword %r" % key, child(ptr, key))


def beside_ref(key):
    """Whether `key` may appear next to $ref (annotations, ignored keywords
    and extensions)."""
    rule = SCHEMA.get(key)
    return key.startswith("x-") or (rule is not None and rule.beside_ref)


def check_object(node, ptr, table, what):
    """Rejects the first rejected or unknown field of an OpenAPI object
    (`what` names it in messages: "operation", "parameter", ...)."""
    for key in sorted(map(str, node)):
        rule = table.get(key)
        if rule is None and not key.startswith("x-"):
            raise SpecError("unknown %s field %r" % (what, key), child(ptr, key))
        if rule is not None and rule.kind == REJECTED:
            raise UnsupportedError("%s %s" % (what, key), child(ptr, key))
