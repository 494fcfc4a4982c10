"""An independent reading of a response body against the library's
description (spec/openrouter-keys.yaml), written from the schema and the
README's rules, not from the C decoder: what the library must mark, and
whether it must fail.

    marks, fatal = check(doc, schema, body_value)

`marks` is a list of (path, kind) in the library's path syntax
("data[3].expires_at"); `fatal` is None, or the path of a value the library
cannot decode at all (a required member of the wrong JSON type, or a body
that is not an object). Kinds (the library's openrouter_warning_kind_name):

  format       a string that breaks its `format` (date-time: RFC 3339)
  length       a string (code points) or array outside min/maxLength, min/maxItems
  range        a number outside minimum/maximum
  null         null where the schema does not allow it
  missing      a required member left out
  type         an optional value (or an array item, a map value) of the wrong JSON type
  unrepresentable  a value its C slot cannot hold: an integer beyond int64 (int32 with
                   format int32), a number beyond double, a string holding U+0000

Enums are open (unknown text is kept, never marked); other formats (uuid,
uri, ...) are plain strings; unknown members are ignored; write-only
members are never read.
"""
import math
import re

INT64 = (-(2 ** 63 - 1), 2 ** 63 - 1)
INT32 = (-(2 ** 31), 2 ** 31 - 1)

_DATE_TIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$")


def is_rfc3339(text):
    """RFC 3339 section 5.6 date-time, with each field's range checked
    (leap years; second 60 allowed, as the RFC does)."""
    m = _DATE_TIME.match(text)
    if not m:
        return False
    year, month, day, hour, minute, second = (int(m.group(i)) for i in range(1, 7))
    if not 1 <= month <= 12:
        return False
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    if not (1 <= day <= days and hour <= 23 and minute <= 59 and second <= 60):
        return False
    if m.group(9) is not None and (int(m.group(9)) > 23 or int(m.group(10)) > 59):
        return False
    return True


def resolve(doc, schema):
    while isinstance(schema, dict) and "$ref" in schema:
        node = doc
        for tok in schema["$ref"][2:].split("/"):
            node = node[tok.replace("~1", "/").replace("~0", "~")]
        schema = node
    return schema


def allowed_types(schema):
    t = schema.get("type")
    if t is None:
        return None
    types = set(t if isinstance(t, list) else [t])
    if schema.get("nullable") is True:
        types.add("null")
    return types


def json_type(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _fits(types, value):
    """Whether a non-null value has one of the allowed JSON types (an
    integral number counts as an integer, as JSON Schema says)."""
    jt = json_type(value)
    if jt in types:
        return True
    if jt == "number" and "integer" in types:
        return isinstance(value, int) or (math.isfinite(value) and value == int(value))
    return False


def _join(path, name):
    return name if not path else path + "." + name


class _Checker:
    def __init__(self, doc):
        self.doc = doc
        self.marks = []
        self.fatal = None

    def value(self, schema, value, path, required):
        """`required`: a required member (its wrong type is fatal)."""
        schema = resolve(self.doc, schema) or {}
        types = allowed_types(schema)
        if value is None:
            if types is not None and "null" not in types:
                self.marks.append((path, "null"))
            return
        if types is not None and not _fits(types, value):
            if required:
                self.fatal = self.fatal or path
            else:
                self.marks.append((path, "type"))
            return
        jt = json_type(value)
        if jt == "string":
            self.string(schema, value, path)
        elif jt == "number":
            self.number(schema, types, value, path)
        elif jt == "array":
            self.array(schema, value, path)
        elif jt == "object":
            self.object(schema, value, path)

    def string(self, schema, value, path):
        if "\0" in value:
            self.marks.append((path, "unrepresentable"))
            return
        if schema.get("format") == "date-time" and not is_rfc3339(value):
            self.marks.append((path, "format"))
        n = len(value)
        if n < schema.get("minLength", 0) or n > schema.get("maxLength", n):
            self.marks.append((path, "length"))

    def number(self, schema, types, value, path):
        if isinstance(value, float) and not math.isfinite(value):
            self.marks.append((path, "unrepresentable"))
            return
        if types is not None and "number" not in types:  # an integer slot
            lo, hi = INT32 if schema.get("format") == "int32" else INT64
            if not lo <= int(value) <= hi:
                self.marks.append((path, "unrepresentable"))
                return
        if value < schema.get("minimum", value) or value > schema.get("maximum", value):
            self.marks.append((path, "range"))

    def array(self, schema, value, path):
        n = len(value)
        if n < schema.get("minItems", 0) or n > schema.get("maxItems", n):
            self.marks.append((path, "length"))
        for i, item in enumerate(value):
            self.value(schema.get("items") or {}, item, "%s[%d]" % (path, i), False)

    def object(self, schema, value, path):
        props = schema.get("properties") or {}
        required = set(schema.get("required") or [])
        extra = schema.get("additionalProperties")
        if not props and isinstance(extra, dict):  # a map: every value typed
            for k, v in value.items():
                self.value(extra, v, _join(path, k), False)
            return
        readable = {n: p for n, p in ((n, resolve(self.doc, p)) for n, p in props.items())
                    if not p.get("writeOnly")}
        for name, member in value.items():  # in the order of the text, as the library reads
            if name in readable:
                self.value(readable[name], member, _join(path, name), name in required)
        for name in readable:
            if name in required and name not in value:
                self.marks.append((_join(path, name), "missing"))


def check(doc, schema, body):
    """(marks, fatal) for a decoded JSON body against a response schema of
    the OpenAPI document `doc`."""
    c = _Checker(doc)
    schema = resolve(doc, schema)
    if not isinstance(body, dict):
        return [], ""
    c.object(schema, body, "")
    return c.marks, c.fatal


def response_schema(doc, method, path, status=None):
    """The JSON schema of an operation's success response (the first 2xx
    with an application/json body when `status` is None)."""
    op = doc["paths"][path][method.lower()]
    for st, resp in op["responses"].items():
        resp = resolve(doc, resp)
        if (status is None and str(st).startswith("2")) or str(st) == str(status):
            media = (resp.get("content") or {}).get("application/json")
            if media and "schema" in media:
                return media["schema"]
    return None
