"""oneOf / anyOf: C tagged unions.

A union schema becomes a UnionDef: its variants in spec order, each a slot
type with what the runtime needs to pick it when decoding (runtime/src/
union.c): the JSON kinds it accepts, and for object variants their tags
(discriminator values), required members and const members. The steps,
documented in generator/README.md ("Unions"):

1. Null variants (`type: 'null'`, `enum: [null]`, or only `nullable: true`,
   OpenAPI 3.0's spelling) make the slot nullable. A variant that is itself
   a union adds its variants in its place.
2. Variants of one JSON kind that C holds in one slot merge: strings, enums
   and date-times become one enum (the values of all, in order; plain
   strings fit in it too, as enums keep unknown text) or one string;
   booleans, integers, numbers and free-form values each merge into one.
3. One variant left: the slot is that type (`anyOf: [T, null]` is a
   nullable T). Otherwise a union.
4. Object variants are discriminated by `discriminator.propertyName` (tags
   from its `mapping`, else the variant's const or enum values of that
   member, else the component name), or else by a member every object
   variant requires with const or enum values, no value in two variants.
"""
import json

from . import keywords
from .errors import SpecError, UnsupportedError, child
from .naming import snake

# JSON kinds a variant accepts: "number" any number, "integer" integers
# (union.c gives an integer literal to an integer variant first).
KINDS = ("string", "number", "integer", "boolean", "array", "object")
_TEXT = ("string", "datetime", "enum")
_KIND_OF = {"string": ("string",), "datetime": ("string",), "enum": ("string",),
            "bool": ("boolean",), "int32": ("integer",), "int64": ("integer",),
            "number": ("number",), "array": ("array",), "object": ("object",),
            "map": ("object",)}
_LABEL_OF = {"string": "string", "datetime": "string", "enum": "string", "bool": "boolean",
             "int32": "integer", "int64": "integer", "number": "number", "json": "value",
             "map": "map", "object": "object"}


class Variant:
    """One member of a union: its slot type and how decoding selects it."""

    def __init__(self, tref, label, ptr, ref=None):
        self.tref = tref
        self.label = label   # base of the C member name
        self.ptr = ptr
        self.ref = ref       # the component $ref it came from, if any
        self.tags = ()       # discriminator values
        self.name = None     # model.UnionDef.name_members()
        self.member = None

    @property
    def kinds(self):
        return json_kinds(self.tref)

    @property
    def item_kinds(self):
        return json_kinds(self.tref.item) if self.tref.kind == "array" else ()

    def rules(self):
        """(required member names, [(member, (values...))] of const and
        single-value enum members) of an object variant."""
        if self.tref.kind != "object":
            return (), ()
        required = tuple(f.json_name for f in self.tref.obj.fields if f.required)
        consts = []
        for f in self.tref.obj.fields:
            values = _pinned(f)
            if values is not None and len(values) == 1:
                consts.append((f.json_name, values))
        return required, tuple(consts)

    def sig(self):
        return (self.tref.sig, self.kinds, self.tags)


def json_kinds(tref):
    """The JSON kinds a slot of this type accepts, in KINDS order."""
    if tref.kind == "union":
        got = {k for v in tref.union.variants for k in v.kinds}
    elif tref.kind == "json":
        got = {tref.json_type} if tref.json_type else set(KINDS)
    else:
        got = set(_KIND_OF[tref.kind])
    return tuple(k for k in KINDS if k in got)


def analyze(builder, node, ptr, hint, component):
    """(TypeRef, Info) of a oneOf/anyOf schema (see the module comment)."""
    from .model import Info, TypeRef, UnionDef  # model imports this module
    if "oneOf" in node and "anyOf" in node:
        raise UnsupportedError("oneOf beside anyOf", child(ptr, "anyOf"))
    kw = "oneOf" if "oneOf" in node else "anyOf"
    for key in ("properties", "items", "additionalProperties", "enum", "const", "type"):
        if key in node and not (key == "type" and node[key] in ("object", ["object", "null"])):
            raise UnsupportedError("%s beside %s" % (key, kw), child(ptr, key))
    parts = node[kw]
    if not isinstance(parts, list) or not parts or not all(isinstance(p, dict) for p in parts):
        raise SpecError("%s must be a non-empty list of schemas" % kw, child(ptr, kw))
    info = Info()
    info.overlay(node)
    present = [i for i, part in enumerate(parts) if not _is_null(part)]
    info.nullable = info.nullable or len(present) < len(parts) or isinstance(node.get("type"), list)
    if not present:
        raise UnsupportedError("%s of null only" % kw, child(ptr, kw))
    if len(present) == 1:  # T or null: the slot is a nullable T, named like the union
        part = parts[present[0]]
        tref, vinfo = builder.analyze(part, child(ptr, kw, present[0]), hint,
                                      None if "$ref" in part else component)
        vinfo.overlay(node)
        vinfo.nullable = vinfo.nullable or info.nullable
        return tref, vinfo
    variants = []
    for i in present:
        part, part_ptr = parts[i], child(ptr, kw, i)
        label, ref = _label(builder, part, part_ptr)
        tref, vinfo = builder.analyze(part, part_ptr, hint + "_" + label)
        info.nullable = info.nullable or vinfo.nullable
        if tref.kind == "union":
            variants.extend(Variant(v.tref, v.label, v.ptr, v.ref) for v in tref.union.variants)
        else:
            variants.append(Variant(tref, label, part_ptr, ref))
    variants = _merge(builder, variants, node, ptr, hint, component)
    if len(variants) == 1:
        return variants[0].tref, info
    disc = _discriminate(node, ptr, variants)
    for v in variants:  # a discriminated variant is named by its tag: `user`, not `chat_user_message`
        if disc is not None and v.tags and snake(v.tags[0]):
            v.label = snake(v.tags[0])
    u = UnionDef(builder._next_uid(), variants, disc, ptr)
    u.description = node.get("description")
    return TypeRef("union", union=builder._intern(u, hint, component)), info


def _is_null(part):
    """`type: 'null'`, `enum: [null]`, `const: null`, or nothing but
    annotations and `nullable: true` (how OpenAPI 3.0 descriptions say null)."""
    t = part.get("type")
    if t == "null" or t == ["null"] or part.get("enum") == [None]:
        return True
    if "const" in part and part["const"] is None:
        return True
    return part.get("nullable") is True and t is None and \
        all(keywords.beside_ref(str(k)) and k != "$ref" for k in part)


def _label(builder, part, ptr):
    """(label, component $ref) of a variant before it is analysed: names its
    C member and its inline types."""
    ref = part.get("$ref")
    node = part
    if isinstance(ref, str) and ref.startswith("#/"):
        node = builder.spec.get(ref)
        parts = ref.split("/")
        if len(parts) == 4 and parts[1] == "components" and parts[2] == "schemas":
            return snake(parts[3].replace("~1", "/").replace("~0", "~")) or "value", ref
    if not isinstance(node, dict):
        return "value", None
    members = [node] + [p for p in node.get("allOf") or () if isinstance(p, dict)]
    for sub in (s for m in members for s in (m.get("properties") or {}).values()):
        values = _const_values(sub) if isinstance(sub, dict) else None
        if values and len(values) == 1 and snake(values[0]):
            return snake(values[0]), None
    values = _const_values(node)
    if values and len(values) == 1 and snake(values[0]):
        return snake(values[0]), None
    for m in members[1:]:  # allOf over a component: named after it
        if "$ref" in m:
            return _label(builder, {"$ref": m["$ref"]}, ptr)[0], None
    t = node.get("type")
    if isinstance(t, list):
        t = next((x for x in t if x != "null"), None)
    if t == "array" or "items" in node:
        items = node.get("items")
        inner = _label(builder, items, child(ptr, "items"))[0] if isinstance(items, dict) else "value"
        return "array" if inner == "value" else inner + "_array", None
    if t == "object" or "properties" in node or "additionalProperties" in node:
        return "object", None
    if "enum" in node or t == "string":
        return "string", None
    return {"boolean": "boolean", "integer": "integer", "number": "number"}.get(t, "value"), None


def _const_values(schema):
    """The strings a schema pins a value to (`const`, or a string `enum`)."""
    if isinstance(schema.get("const"), str):
        return [schema["const"]]
    enum = schema.get("enum")
    if isinstance(enum, list) and enum and all(isinstance(v, str) for v in enum):
        return enum
    return None


def _pinned(field):
    """The values an object field is pinned to (const or enum), or None."""
    if field.const is not None:
        value = json.loads(field.const)
        return (value,) if isinstance(value, str) else None
    if field.tref.kind == "enum":
        return tuple(field.tref.enum.values)
    return None


def _merge(builder, variants, node, ptr, hint, component):
    """Merges the variants one C slot holds alike (module comment, step 2)."""
    from .model import TypeRef
    out = []
    groups = {}
    for v in variants:
        key = "text" if v.tref.kind in _TEXT else v.tref.kind if v.tref.kind in (
            "bool", "number", "json") else "int" if v.tref.kind in ("int32", "int64") else None
        if key is None:
            out.append(v)
        elif key in groups:
            groups[key].append(v)
        else:
            groups[key] = [v]
            out.append(key)
    merged = []
    for v in out:
        if isinstance(v, Variant):
            merged.append(v)
            continue
        group = groups[v]
        first = group[0]
        if len(group) == 1:
            merged.append(first)
        elif v == "text":
            whole = len(group) == len(variants)  # the union is an enum: named like it
            merged.append(_merge_text(builder, group, node, ptr, hint if whole else hint + "_string",
                                      component if whole else None))
        elif v == "int":
            wide = "int64" if any(g.tref.kind == "int64" for g in group) else "int32"
            merged.append(Variant(TypeRef(wide), "integer", first.ptr))
        elif v == "json":
            merged.append(Variant(TypeRef("json"), "value", first.ptr))
        else:
            merged.append(first)
    return merged


def _merge_text(builder, group, node, ptr, hint, component):
    """One variant for strings, enums and date-times (module comment, step 2)."""
    from .model import TypeRef
    enums = [g for g in group if g.tref.kind == "enum"]
    if not enums:
        kind = "datetime" if all(g.tref.kind == "datetime" for g in group) else "string"
        return Variant(TypeRef(kind), "string", group[0].ptr)
    if len(enums) == 1:  # the enum is open: the plain strings fit in it
        return enums[0]
    values = []
    for g in enums:
        values.extend(x for x in g.tref.enum.values if x not in values)
    e = builder._enum(values, ptr, hint, component, node)
    return Variant(TypeRef("enum", enum=e), "string", group[0].ptr)


def _discriminate(node, ptr, variants):
    """Sets each object variant's tags; returns the member that selects
    among them, or None (module comment, step 4)."""
    objects = [v for v in variants if v.tref.kind == "object"]
    disc = node.get("discriminator")
    if disc is not None:
        if not isinstance(disc, dict) or not isinstance(disc.get("propertyName"), str):
            raise SpecError("discriminator needs a propertyName", child(ptr, "discriminator"))
        name = disc["propertyName"]
        mapping = disc.get("mapping") or {}
        if not isinstance(mapping, dict):
            raise SpecError("discriminator mapping must be an object",
                            child(ptr, "discriminator", "mapping"))
        for v in objects:
            v.tags = _explicit_tags(v, name, mapping)
        return name
    if len(objects) < 2:
        return None
    fields = sorted((f for f in objects[0].tref.obj.fields if f.json_name is not None),
                    key=lambda f: f.json_name != "type")  # `type` first, then in order
    for f in fields:
        sets = [_required_pins(v, f.json_name) for v in objects]
        if any(s is None for s in sets):
            continue
        if sum(len(s) for s in sets) == len({x for s in sets for x in s}):
            for v, s in zip(objects, sets):
                v.tags = s
            return f.json_name
    return None


def _explicit_tags(variant, name, mapping):
    tags = []
    for tag, target in mapping.items():
        target = str(target)
        if not target.startswith("#"):
            target = "#/components/schemas/" + target
        if variant.ref == target:
            tags.append(str(tag))
    if tags:
        return tuple(tags)
    for f in variant.tref.obj.fields:
        if f.json_name == name and _pinned(f):
            return _pinned(f)
    if variant.ref:
        return (variant.ref.rsplit("/", 1)[1].replace("~1", "/").replace("~0", "~"),)
    return ()


def _required_pins(variant, name):
    for f in variant.tref.obj.fields:
        if f.json_name == name and f.required:
            return _pinned(f)
    return None


def shadowed(u):
    """[(variant, earlier variant)] for the variants of `u` that decoding
    never selects because the earlier one wins whenever they match (the
    selection rules of generator/README.md, "Unions"): an object variant
    without a tag of its own in a discriminated union (paired with the
    variant that has its tags, or with None when it has none), one with
    the same required and const members as an earlier one, an array variant
    whose item kinds an earlier one takes."""
    out = []
    for i, v in enumerate(u.variants):
        earlier = u.variants[:i]
        if "object" in v.kinds and v.tref.kind != "json" and u.discriminator is not None:
            owners = [w for w in earlier if set(v.tags) & set(w.tags)]
            if not set(v.tags) - {t for w in earlier for t in w.tags}:
                out.append((v, owners[0] if owners else None))
        elif "object" in v.kinds and v.tref.kind != "json" and u.discriminator is None:
            key = _rule_key(v)
            w = next((w for w in earlier if "object" in w.kinds and w.tref.kind != "json"
                      and _rule_key(w) == key), None)
            if w is not None:
                out.append((v, w))
        elif v.tref.kind == "array":
            taken = {k for w in earlier if w.tref.kind == "array" for k in w.item_kinds}
            if not set(v.item_kinds) - taken:
                out.append((v, next(w for w in earlier if w.tref.kind == "array")))
    return out


def _rule_key(v):
    required, consts = v.rules()
    return frozenset(required), frozenset(consts)
