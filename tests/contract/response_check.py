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

  unknown_variant  a oneOf/anyOf value no variant is selected for

Enums are open (unknown text is kept, never marked); other formats (uuid,
uri, ...) are plain strings; unknown members are ignored; write-only
members are never read; `const` is not checked.

Whole descriptions (the README's "The whole API" and generator/README.md's
"Unions", read as rules, not from union.c): `allOf` of annotations and one
schema is that schema, else its objects merged; in `oneOf`/`anyOf`, null
variants (also a bare `nullable: true`, OpenAPI 3.0's way) make the value
nullable, nested unions add their variants, strings, enums and date-times
merge (a date-time only if all are), as do integers, numbers, booleans and
free-form values; one variant left is the value's type; else the variant
is selected from the value (its JSON kind; objects by a discriminator,
given or a required member pinning each variant apart, or else by their
required and const members) and checked without its own length and range
limits, and no selection is an `unknown_variant` mark.
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
    if schema.get("nullable") is True or None in (schema.get("enum") or ()):
        types.add("null")
    return types


# What may stand beside a schema without changing its shape.
ANNOTATIONS = {"description", "nullable", "default", "example", "examples", "title", "deprecated",
               "readOnly", "writeOnly", "$comment", "externalDocs"}
LIMITS = ("minLength", "maxLength", "minItems", "maxItems", "minimum", "maximum")
ANY = ("string", "number", "integer", "boolean", "array", "object")


def annotates_only(schema):
    return all(k in ANNOTATIONS or str(k).startswith("x-") for k in schema)


def is_null_variant(part):
    """`type: 'null'`, `enum: [null]`, `const: null`, or annotations with
    `nullable: true` alone."""
    t = part.get("type")
    if t == "null" or t == ["null"] or part.get("enum") == [None] or ("const" in part and part["const"] is None):
        return True
    return part.get("nullable") is True and annotates_only(part)


def json_kind(value):
    """The JSON kind a union selects by: an int is an integer literal."""
    jt = json_type(value)
    return "integer" if jt == "number" and isinstance(value, int) else jt


def pinned(schema):
    """The strings a member is pinned to: a string const, or a string enum."""
    if isinstance(schema.get("const"), str):
        return (schema["const"],)
    enum = schema.get("enum")
    if isinstance(enum, list) and enum and all(isinstance(v, str) for v in enum):
        return tuple(enum)
    return None


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


class Variant:
    """One variant of a union after merging: its schema (flattened) and
    the component it refers to, for discriminator mappings."""

    def __init__(self, schema, ref=None):
        self.schema = schema
        self.ref = ref
        self.tags = ()


class _Checker:
    def __init__(self, doc):
        self.doc = doc
        self.marks = []
        self.fatal = None

    # ---- schemas as the library reads them -------------------------------------------

    def flat(self, schema):
        """The schema with $ref resolved (annotations beside it kept) and
        allOf merged: one shaped member with annotations is that member,
        several are objects whose members and `required` add up."""
        schema = schema or {}
        if "$ref" in schema:
            target = self.flat(resolve(self.doc, {"$ref": schema["$ref"]}))
            notes = {k: v for k, v in schema.items() if k != "$ref"}
            return dict(target, nullable=True) if notes.get("nullable") is True else target
        if "allOf" not in schema:
            return schema
        outer = {k: v for k, v in schema.items() if k != "allOf"}
        parts = [self.flat(p) for p in schema["allOf"]] + [outer]
        shaped = [p for p in parts if not annotates_only(p)]
        nullable = any(p.get("nullable") is True for p in parts)
        if len(shaped) == 1:
            return dict(shaped[0], nullable=True) if nullable else shaped[0]
        merged = {"type": "object", "properties": {}, "required": [], "nullable": nullable}
        for p in parts:
            merged["properties"].update(p.get("properties") or {})
            merged["required"] += p.get("required") or []
            if "additionalProperties" in p:
                merged["additionalProperties"] = p["additionalProperties"]
        return merged

    def slot(self, s):
        """What holds a flattened, non-union schema: text, bool, int,
        number, array, object, map, or json (free-form; json_object when
        only objects)."""
        t = s.get("type")
        if isinstance(t, list):
            rest = [x for x in t if x != "null"]
            t = rest[0] if len(rest) == 1 else None
        if t == "string" or (t is None and pinned(s)):
            return "text"
        if t in ("boolean", "integer", "number"):
            return {"boolean": "bool", "integer": "int", "number": "number"}[t]
        if t == "array" or "items" in s:
            return "array"
        if s.get("properties"):
            return "object"
        if isinstance(s.get("additionalProperties"), dict):
            return "map"
        return "json_object" if t == "object" else "json"

    def kinds(self, s):
        if "oneOf" in s or "anyOf" in s:
            nullable, variants, _ = self.variants(s)
            return {k for v in variants for k in self.kinds(v.schema)}
        slot = self.slot(s)
        return {"text": {"string"}, "bool": {"boolean"}, "int": {"integer"}, "number": {"number"},
                "array": {"array"}, "json": set(ANY)}.get(slot, {"object"})

    def variants(self, schema):
        """(nullable, [Variant] after merging, whether one variant was
        present before merging) of a oneOf/anyOf schema."""
        parts = schema.get("oneOf") or schema.get("anyOf")
        nullable = schema.get("nullable") is True or isinstance(schema.get("type"), list)
        present = [p for p in parts if not is_null_variant(p)]
        nullable = nullable or len(present) < len(parts)
        out = []
        for part in present:
            flat = self.flat(part)
            nullable = nullable or "null" in (allowed_types(flat) or ()) or flat.get("nullable") is True
            if "oneOf" in flat or "anyOf" in flat:
                inner_nullable, inner, _ = self.variants(flat)
                nullable = nullable or inner_nullable
                out += inner
            else:
                out.append(Variant(flat, part.get("$ref")))
        return nullable, self.merge(out), len(present) == 1

    def merge(self, variants):
        """Variants one C slot holds alike become one, where the first was."""
        group_of = {"text": "text", "bool": "bool", "int": "int", "number": "number", "json": "json",
                    "json_object": "json"}
        groups = {}  # a group's name, or a variant that merges with none: its members, first seen first
        for v in variants:
            groups.setdefault(group_of.get(self.slot(v.schema), v), []).append(v)
        return [self.merged(g, members) if isinstance(g, str) else g for g, members in groups.items()]

    def merged(self, group, members):
        if len(members) == 1:
            return members[0]
        if group == "text":
            if any(pinned(m.schema) for m in members):
                return Variant({"type": "string"})  # one open enum
            dates = all(m.schema.get("format") == "date-time" for m in members)
            return Variant({"type": "string", "format": "date-time"} if dates else {"type": "string"})
        if group == "int":
            narrow = all(m.schema.get("format") == "int32" for m in members)
            return Variant({"type": "integer", "format": "int32"} if narrow else {"type": "integer"})
        if group == "json":
            return Variant({})
        return members[0]

    # ---- selection (objects by discriminator or by required and const members) ------------

    def rules(self, v):
        """(required members, {member: value} of those pinned to one value)."""
        if self.slot(v.schema) != "object":
            return (), {}
        props = v.schema.get("properties") or {}
        required = tuple(n for n in v.schema.get("required") or () if n in props)
        consts = {}
        for name, p in props.items():
            values = pinned(self.flat(p))
            if values is not None and len(values) == 1:
                consts[name] = values[0]
        return required, consts

    def discriminator(self, schema, variants):
        """The member naming the variant of an object, setting each object
        variant's tags; None when objects are told apart otherwise."""
        objects = [v for v in variants if self.slot(v.schema) == "object"]
        disc = schema.get("discriminator")
        if disc is not None:
            name, mapping = disc["propertyName"], disc.get("mapping") or {}
            for v in objects:
                v.tags = self.given_tags(v, name, mapping)
            return name
        if len(objects) < 2:
            return None
        first = list((objects[0].schema.get("properties") or {}).keys())
        for name in sorted(first, key=lambda n: n != "type"):
            sets = []
            for v in objects:
                props = v.schema.get("properties") or {}
                required = name in (v.schema.get("required") or ()) and name in props
                sets.append(pinned(self.flat(props[name])) if required else None)
            if all(s is not None for s in sets) and sum(map(len, sets)) == len(set().union(*sets)):
                for v, tags in zip(objects, sets):
                    v.tags = tags
                return name
        return None

    def given_tags(self, v, name, mapping):
        def target(t):
            return t if str(t).startswith("#") else "#/components/schemas/" + str(t)
        tags = tuple(str(tag) for tag, t in mapping.items() if v.ref == target(t))
        if tags:
            return tags
        member = (v.schema.get("properties") or {}).get(name)
        values = pinned(self.flat(member)) if member is not None else None
        if values:
            return values
        return (v.ref.rsplit("/", 1)[1],) if v.ref else ()

    def select(self, schema, variants, value):
        """The index of the variant a non-null value decodes as, or None."""
        kinds = [self.kinds(v.schema) for v in variants]
        any_ = [k == set(ANY) for k in kinds]
        jk = json_kind(value)

        def first(kind, free):
            return next((i for i, k in enumerate(kinds) if kind in k and any_[i] == free), None)
        if jk == "object":
            return self.select_object(schema, variants, kinds, any_, value, first)
        if jk == "array":
            item = json_kind(value[0]) if value else None
            if item == "null":
                return first("array", True)
            for i, v in enumerate(variants):
                if "array" in kinds[i] and not any_[i]:
                    accepts = self.kinds(self.flat(v.schema.get("items") or {}))
                    if "number" in accepts:
                        accepts = accepts | {"integer"}
                    if item is None or item in accepts:
                        return i
            return first("array", True)
        k = first(jk, False)
        if k is None and jk in ("integer", "number"):
            k = first("number" if jk == "integer" else "integer", False)
        return k if k is not None else first(jk, True)

    def select_object(self, schema, variants, kinds, any_, value, first):
        disc = self.discriminator(schema, variants)
        if disc is not None:
            tag = value.get(disc)
            return next((i for i, v in enumerate(variants) if isinstance(tag, str) and tag in v.tags), None)
        best, best_score = None, None
        for i, v in enumerate(variants):
            if "object" not in kinds[i] or any_[i]:
                continue
            required, consts = self.rules(v)
            if any(r not in value for r in required) or \
                    any(n in value and value[n] != c for n, c in consts.items()):
                continue
            score = (sum(1 for n in consts if n in value), len(required))
            if best is None or score > best_score:
                best, best_score = i, score
        return best if best is not None else first("object", True)

    # ---- values --------------------------------------------------------------------------

    def value(self, schema, value, path, required, limits=True):
        """`required`: a required member (its wrong type is fatal);
        `limits`: its own length and range limits apply (not in a union)."""
        schema = self.flat(schema)
        if "oneOf" in schema or "anyOf" in schema:
            self.union(schema, value, path, required)
            return
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
            self.string(schema, value, path, limits)
        elif jt == "number":
            self.number(schema, types, value, path, limits)
        elif jt == "array":
            self.array(schema, value, path, limits)
        elif jt == "object":
            self.object(schema, value, path)

    def union(self, schema, value, path, required):
        nullable, variants, one = self.variants(schema)
        if len(variants) == 1:  # one type: with its limits when it was the only one
            v = variants[0].schema
            v = v if one else {k: x for k, x in v.items() if k not in LIMITS}
            self.value(dict(v, nullable=True) if nullable else v, value, path, required)
            return
        if value is None:
            if not nullable:
                self.marks.append((path, "null"))
            return
        k = self.select(schema, variants, value)
        if k is None:
            self.marks.append((path, "unknown_variant"))
        else:
            self.value(variants[k].schema, value, path, False, limits=False)

    def string(self, schema, value, path, limits):
        if "\0" in value:
            self.marks.append((path, "unrepresentable"))
            return
        if schema.get("format") == "date-time" and not is_rfc3339(value):
            self.marks.append((path, "format"))
        n = len(value)
        if limits and (n < schema.get("minLength", 0) or n > schema.get("maxLength", n)):
            self.marks.append((path, "length"))

    def number(self, schema, types, value, path, limits):
        if isinstance(value, float) and not math.isfinite(value):
            self.marks.append((path, "unrepresentable"))
            return
        if types is not None and "number" not in types:  # an integer slot
            lo, hi = INT32 if schema.get("format") == "int32" else INT64
            if not lo <= int(value) <= hi:
                self.marks.append((path, "unrepresentable"))
                return
        if limits and (value < schema.get("minimum", value) or value > schema.get("maximum", value)):
            self.marks.append((path, "range"))

    def array(self, schema, value, path, limits):
        n = len(value)
        if limits and (n < schema.get("minItems", 0) or n > schema.get("maxItems", n)):
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
        readable = {n: p for n, p in ((n, self.flat(p)) for n, p in props.items())
                    if not p.get("writeOnly")}
        for name, member in value.items():  # in the order of the text, as the library reads
            if name in readable:
                self.value(readable[name], member, _join(path, name), name in required)
            elif name not in props and isinstance(extra, dict):  # the other members, typed
                self.value(extra, member, _join(path, name), False)
        for name in readable:
            if name in required and name not in value:
                self.marks.append((_join(path, name), "missing"))


def check(doc, schema, body):
    """(marks, fatal) for a decoded JSON body against a response schema of
    the OpenAPI document `doc`."""
    c = _Checker(doc)
    schema = c.flat(schema)
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
