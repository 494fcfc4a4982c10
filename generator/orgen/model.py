"""Builds the intermediate model (types, enums, operations) from a spec.

Schemas are analysed into TypeRefs. Object and enum schemas become ObjectDef /
EnumDef instances which are deduplicated structurally (descriptions,
examples and unknown x-* extensions do not count), so the same inline object
repeated under several operations becomes one C type.
"""
import json
from collections import namedtuple

from . import keywords, pagination, unions
from .errors import GeneratorError, SpecError, UnsupportedError, child
from .naming import c_ident, enum_constant, header_snake, snake, unique

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# RFC 9110 section 9.2.2: repeating these has the effect of one request, so
# the runtime may retry them after they reached the server. POST and PATCH
# are not idempotent in general; `x-openrouter-idempotent` on an operation
# overrides the method either way.
IDEMPOTENT_METHODS = frozenset(("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"))
SSE = "text/event-stream"
# The body member that asks for the stream (Speakeasy's name; "stream" when absent).
STREAM_FIELD_EXTENSION = "x-speakeasy-stream-request-field"
IDEMPOTENT_EXTENSION = "x-openrouter-idempotent"

_SCALAR_KINDS = ("string", "bool", "int32", "int64", "number", "datetime")
# Names the C type of an object or enum schema, inline or beside a $ref; wins
# over a component name (so a description with inline schemas gets the names
# an overlay chooses).
NAME_EXTENSION = "x-openrouter-name"
# Orders an object's members (C struct and JSON sent) when the description's
# order (often alphabetical) is not the one the library keeps.
ORDER_EXTENSION = "x-openrouter-order"


# What whole-spec mode left out: `what` is "operation" or "schema"; `name`
# the operationId or component name; method and path for operations.
Skipped = namedtuple("Skipped", "what name method path reason ptr")


class _Def:
    """A type the generator names: an enum, an object or a union. Identical
    definitions are one type (`sig`), named by a component, an explicit
    name or the shortest inline candidate (_name_types)."""

    def __init__(self, uid, ptr):
        self.uid = uid
        self.ptr = ptr
        self.candidates = []  # (is_component, name)
        self.explicit = []  # (x-openrouter-name, pointer)
        self.description = None
        self.name = None


class EnumDef(_Def):
    def __init__(self, uid, values, ptr):
        super().__init__(uid, ptr)
        self.values = values  # list of str, in spec order

    @property
    def sig(self):
        return ("enum", tuple(self.values))


class ObjectDef(_Def):
    def __init__(self, uid, fields, ptr):
        super().__init__(uid, ptr)
        self.fields = fields

    @property
    def sig(self):
        return ("object", tuple(sorted(f.sig() for f in self.fields)))


class UnionDef(_Def):
    """oneOf/anyOf: the variants (orgen/unions.py) in spec order, and the
    member whose value selects among the object variants, if any."""

    def __init__(self, uid, variants, discriminator, ptr):
        super().__init__(uid, ptr)
        self.variants = variants
        self.discriminator = discriminator

    @property
    def sig(self):
        return ("union", self.discriminator, tuple(v.sig() for v in self.variants))

    def name_members(self):
        """Sets each variant's `name` (its kind constant's tail, lower case)
        and `member` (the C member: the name, made a valid identifier)."""
        taken = {"kind", "raw"}  # the union struct's own members
        for v in self.variants:
            v.name = unique(snake(v.label) or "value", taken)
            v.member = c_ident(v.name)


class TypeRef:
    """The type of one slot (field, array item, map value, parameter).
    `json_type` is the JSON type a free-form ("json") schema declares
    (`type: object` without properties), None when it allows any value: a
    union selects its variants by it (orgen/unions.py)."""

    def __init__(self, kind, enum=None, obj=None, item=None, item_nullable=False, union=None,
                 json_type=None):
        self.kind = kind
        self.enum = enum
        self.obj = obj
        self.item = item
        self.item_nullable = item_nullable
        self.union = union
        self.json_type = json_type

    @property
    def sig(self):
        if self.kind == "enum":
            return ("enum", self.enum.uid)
        if self.kind == "object":
            return ("object", self.obj.uid)
        if self.kind == "union":
            return ("union", self.union.uid)
        if self.kind in ("array", "map"):
            return (self.kind, self.item.sig, self.item_nullable)
        return (self.kind,)

    @property
    def named(self):
        """The EnumDef, ObjectDef or UnionDef of the slot, or None."""
        return {"enum": self.enum, "object": self.obj, "union": self.union}.get(self.kind)


class Info:
    """What a schema says about its slot besides the type."""

    def __init__(self):
        self.nullable = False
        self.secret = False
        self.read_only = False
        self.write_only = False
        self.deprecated = False
        self.utc_only = False
        self.min_length = None
        self.max_length = None
        self.minimum = None
        self.maximum = None
        self.description = None
        self.default = None  # JSON text of `default`, documented only
        self.const = None    # JSON text of `const`, documented only
        self.unchecked = ()  # (keyword, value text): constraints documented only

    def overlay(self, node):
        """Applies annotation keywords found next to a $ref."""
        if node.get("nullable") is True:
            self.nullable = True
        if node.get("deprecated") is True:
            self.deprecated = True
        if node.get("readOnly") is True:
            self.read_only = True
        if node.get("writeOnly") is True:
            self.write_only = True
        if node.get("x-sensitive") is True:
            self.secret = True
        if node.get("x-utc-only") is True:
            self.utc_only = True
        if isinstance(node.get("description"), str):
            self.description = node["description"]
        if "default" in node:
            self.default = _json_text(node["default"])


class Field(Info):
    """One property of an object: its name, its type and what the schema
    says about it (the Info attributes)."""

    def __init__(self, json_name, tref, ptr):
        super().__init__()
        self.json_name = json_name
        self.tref = tref
        self.ptr = ptr
        self.c_name = None
        self.required = False

    def flags(self):
        out = []
        for flag, on in (("REQUIRED", self.required), ("NULLABLE", self.nullable),
                         ("SECRET", self.secret), ("READ_ONLY", self.read_only),
                         ("WRITE_ONLY", self.write_only), ("DEPRECATED", self.deprecated),
                         ("UTC_ONLY", self.utc_only),
                         ("HAS_MINIMUM", self.minimum is not None),
                         ("HAS_MAXIMUM", self.maximum is not None),
                         ("ADDITIONAL", self.json_name is None)):
            if on:
                out.append(flag)
        return out

    def sig(self):
        return (self.json_name or "", self.tref.sig, tuple(self.flags()), self.min_length,
                self.max_length, self.minimum, self.maximum, self.default, self.const)


class Param:
    def __init__(self, name, location, ptr):
        self.name = name
        self.location = location
        self.ptr = ptr
        self.c_name = None
        self.tref = None
        self.info = None
        self.required = False
        self.also_send_as = None
        self.description = None

    def flags(self):
        i = self.info
        out = []
        for flag, on in (("REQUIRED", self.required), ("NULLABLE", i.nullable),
                         ("SECRET", i.secret), ("DEPRECATED", i.deprecated),
                         ("UTC_ONLY", i.utc_only),
                         ("HAS_MINIMUM", i.minimum is not None),
                         ("HAS_MAXIMUM", i.maximum is not None)):
            if on:
                out.append(flag)
        return out


class Operation:
    def __init__(self, op_id, method, path, ptr):
        self.op_id = op_id
        self.method = method
        self.path = path
        self.ptr = ptr
        self.name = snake(op_id)
        self.params = []
        self.body = None  # ObjectDef
        self.body_multipart = False  # sent as multipart/form-data
        self.body_required = False
        self.body_description = None
        self.responses = []  # (status, ObjectDef or None)
        self.out = None  # ObjectDef of the success body
        self.media_type = None  # a non-JSON success body's media type (bytes)
        self.error_statuses = []
        self.error_bodies = {}  # status -> ObjectDef of a documented error body (for tools and tests)
        self.summary = None
        self.description = None
        self.deprecated = False
        self.idempotent = method in IDEMPOTENT_METHODS
        self.stream = None  # StreamDef of a text/event-stream success response
        self.stream_request_field = "stream"  # the boolean body member *_stream sets
        self.stream_skipped = None  # (reason, pointer) when one could not be generated


class StreamDef:
    """A text/event-stream response: the model of one event (its `data`,
    `event`, `id` fields, Speakeasy's convention) and the sentinel data
    that ends the stream (x-speakeasy-sse-sentinel)."""

    def __init__(self, event, sentinel, ptr):
        self.event = event  # ObjectDef
        self.sentinel = sentinel
        self.ptr = ptr


def _type_list(node, ptr):
    """Returns (base type or None, nullable) from `type`."""
    t = node.get("type")
    nullable = False
    if isinstance(t, list):
        types = [x for x in t if x != "null"]
        nullable = len(types) != len(t)
        if len(types) > 1:
            raise UnsupportedError("type union %s" % "|".join(map(str, t)), child(ptr, "type"))
        if not types:
            raise UnsupportedError("null-only type", child(ptr, "type"))
        t = types[0]
    if t == "null":
        raise UnsupportedError("null-only type", child(ptr, "type"))
    if t is not None and t not in ("string", "boolean", "integer", "number", "array", "object"):
        raise SpecError("unknown type %r" % (t,), child(ptr, "type"))
    return t, nullable


class Builder:
    def __init__(self, spec):
        self.spec = spec
        self.enums = []
        self.objects = []
        self.unions = []
        self._by_sig = {}
        self._cache = {}  # schema pointer -> (TypeRef, Info)
        self._stack = []
        self._uid = 0
        self._roots = []  # TypeRefs of components and of operations' schemas
        self._form = False  # analysing a multipart/form-data body: binary strings are files
        self.operations = []

    # ---- schemas -------------------------------------------------------

    def analyze(self, node, ptr, hint, component=None):
        """Returns (TypeRef, Info) for the schema `node` found at `ptr`."""
        if not isinstance(node, (dict, bool)):
            raise SpecError("schema is not an object", ptr)
        if node is True or node == {}:
            return TypeRef("json"), Info()
        if node is False:
            raise UnsupportedError("schema 'false'", ptr)
        if "$ref" in node:
            return self._analyze_ref(node, ptr, hint)
        if ptr in self._cache and component is None:
            tref, info = self._cache[ptr]
            self._add_candidate(tref, hint, False)
            return tref, _copy_info(info)
        if ptr in self._stack:
            raise UnsupportedError("recursive schema", ptr)
        name = _explicit_name(node, ptr)
        if name:  # nested inline types are named after it, as under a component
            hint = snake(name)
        self._stack.append(ptr)
        try:
            res = self._analyze_plain(node, ptr, hint, component)
        finally:
            self._stack.pop()
        if name:
            _name_explicitly(res[0], name, ptr)
        self._cache[ptr] = res
        return res[0], _copy_info(res[1])

    def _analyze_ref(self, node, ptr, hint):
        ref = node["$ref"]
        ref_ptr = child(ptr, "$ref")
        if not isinstance(ref, str) or not ref.startswith("#/"):
            raise UnsupportedError("non-local $ref %r" % (ref,), ref_ptr)
        for key in sorted(node):
            if key != "$ref" and not keywords.beside_ref(key):
                raise UnsupportedError("keyword %r next to $ref" % key, child(ptr, key))
        if ref in self._stack:
            raise UnsupportedError("recursive schema", ref_ptr)
        target = self.spec.get(ref)
        parts = ref.split("/")
        component = None
        if len(parts) == 4 and parts[1] == "components" and parts[2] == "schemas":
            component = parts[3].replace("~1", "/").replace("~0", "~")
            hint = snake(component)
        if ref in self._cache:
            tref, info = self._cache[ref]
            info = _copy_info(info)
        else:
            tref, info = self.analyze(target, ref, hint, component)
        name = _explicit_name(node, ptr)
        if name:
            _name_explicitly(tref, name, ptr)
        info.overlay(node)
        return tref, info

    def _analyze_plain(self, node, ptr, hint, component):
        keywords.check_schema(node, ptr, _describe_unsupported)
        if "allOf" in node:
            res = self._all_of_one_shape(node, ptr, hint, component)
            if res is not None:
                return res
            node = self._merge_all_of(node, ptr)
        if "oneOf" in node or "anyOf" in node:
            return unions.analyze(self, node, ptr, hint, component)
        if "discriminator" in node:  # polymorphism through allOf: no union to select from
            raise UnsupportedError("discriminator", child(ptr, "discriminator"))
        info = Info()
        info.overlay(node)
        if "const" in node:
            info.const = _json_text(node["const"])
        info.unchecked = tuple((k, _doc_text(node[k])) for k in keywords.SHOWN if k in node)
        base, nullable = _type_list(node, ptr)
        info.nullable = info.nullable or nullable
        enum = node.get("enum")
        if enum is not None:
            if not isinstance(enum, list) or not enum:
                raise SpecError("enum must be a non-empty list", child(ptr, "enum"))
            if None in enum:
                info.nullable = True
        if base is None:
            base = self._infer_type(node)
        if "const" in node and base is None:
            base = {bool: "boolean", int: "integer", float: "number", str: "string"}.get(
                type(node["const"]))
        for key in ("minLength", "minItems"):
            if isinstance(node.get(key), int):
                info.min_length = node[key]
        for key in ("maxLength", "maxItems"):
            if isinstance(node.get(key), int):
                info.max_length = node[key]
        if isinstance(node.get("minimum"), (int, float)) and not isinstance(node["minimum"], bool):
            info.minimum = float(node["minimum"])
        if isinstance(node.get("maximum"), (int, float)) and not isinstance(node["maximum"], bool):
            info.maximum = float(node["maximum"])
        for key in ("exclusiveMinimum", "exclusiveMaximum"):
            if key in node and node[key] is not False:
                raise UnsupportedError(key, child(ptr, key))
        fmt = node.get("format")

        if base is None:
            return TypeRef("json"), info
        if base == "string":
            if node.get("x-openrouter-type") == "boolean":
                return TypeRef("bool"), info
            values = [v for v in (enum or []) if v is not None]
            if values:
                if not all(isinstance(v, str) for v in values):
                    raise UnsupportedError("enum with non-string values", child(ptr, "enum"))
                return TypeRef("enum", enum=self._enum(values, ptr, hint, component, node)), info
            if fmt == "password":
                info.secret = True
            if fmt == "binary" and self._form:  # a file part of a multipart/form-data body
                return TypeRef("file"), info
            return TypeRef("datetime" if fmt == "date-time" else "string"), info
        if base == "boolean":
            return TypeRef("bool"), info
        if base == "integer":
            return TypeRef("int32" if fmt == "int32" else "int64"), info
        if base == "number":
            return TypeRef("number"), info
        if base == "array":
            return self._array(node, ptr, hint, info)
        return self._object(node, ptr, hint, component, info)

    @staticmethod
    def _infer_type(node):
        if "properties" in node or "additionalProperties" in node:
            return "object"
        if "items" in node:
            return "array"
        enum = [v for v in (node.get("enum") or []) if v is not None]
        if enum and all(isinstance(v, str) for v in enum):
            return "string"
        return None

    def _all_of_one_shape(self, node, ptr, hint, component):
        """An allOf whose members, but one, only annotate (description,
        nullable, default, ...: what may stand beside a $ref) is that one
        member with the annotations: a $ref with siblings, an enum or union
        made nullable, a description attached. Returns (TypeRef, Info), or
        None when several members have a shape (objects to merge)."""
        parts = _all_of_parts(node, ptr)
        own = {k: v for k, v in node.items() if k != "allOf"}
        shaped = [i for i, part in enumerate(parts) if _shape_keys(part)]
        if _shape_keys(own) or len(shaped) != 1:
            return None
        i = shaped[0]
        part, part_ptr = parts[i], child(ptr, "allOf", i)
        tref, info = self.analyze(part, part_ptr, hint, None if "$ref" in part else component)
        for note in [p for p in parts if p is not part] + [own]:
            info.overlay(note)
        return tref, info

    def _merge_all_of(self, node, ptr):
        parts = _all_of_parts(node, ptr)
        own = {k: v for k, v in node.items() if k != "allOf"}
        merged = {"type": "object", "properties": {}, "required": []}
        for i, part in enumerate(parts):
            part_ptr = child(ptr, "allOf", i)
            if not _shape_keys(part):  # annotations only: the merged object's
                own.update((k, v) for k, v in part.items() if k not in own)
                continue
            resolved, rptr = self._resolve_schema(part, part_ptr)
            keywords.check_schema(resolved, rptr, _describe_unsupported)
            if "allOf" in resolved:
                resolved = self._merge_all_of(resolved, rptr)
            base, _ = _type_list(resolved, rptr)
            if (base or self._infer_type(resolved)) != "object" and \
                    set(_shape_keys(resolved)) - {"required"}:
                raise UnsupportedError("allOf of a non-object schema", part_ptr)
            if resolved.get("additionalProperties") not in (None, True, {}, False):
                raise UnsupportedError("allOf with additionalProperties",
                                       child(rptr, "additionalProperties"))
            for name, sub in (resolved.get("properties") or {}).items():
                merged["properties"][name] = sub if isinstance(sub, _Located) else \
                    _Located(sub, child(rptr, "properties", name))  # nested allOf: located
            for name in resolved.get("required") or []:
                if name not in merged["required"]:
                    merged["required"].append(name)
        for key, value in own.items():
            if key == "properties":
                for name, sub in value.items():
                    merged["properties"][name] = _Located(sub, child(ptr, "properties", name))
            elif key == "required":
                for name in value:
                    if name not in merged["required"]:
                        merged["required"].append(name)
            elif key != "type":
                merged[key] = value
        if isinstance(own.get("type"), list) and "null" in own["type"]:
            merged["type"] = ["object", "null"]
        return merged

    def _resolve_schema(self, node, ptr):
        seen = []
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if not isinstance(ref, str) or not ref.startswith("#/"):
                raise UnsupportedError("non-local $ref %r" % (ref,), child(ptr, "$ref"))
            if ref in seen or ref in self._stack:
                raise UnsupportedError("recursive schema", child(ptr, "$ref"))
            seen.append(ref)
            node, ptr = self.spec.get(ref), ref
        if not isinstance(node, dict):
            raise SpecError("schema is not an object", ptr)
        return node, ptr

    def _array(self, node, ptr, hint, info):
        items = node.get("items")
        items_ptr = child(ptr, "items")
        if items is None:
            items = {}
        item, item_info = self.analyze(items, items_ptr, hint + "_item")
        if item.kind == "object" and item_info.nullable:
            raise UnsupportedError("nullable object array items", items_ptr)
        return TypeRef("array", item=item, item_nullable=item_info.nullable), info

    def _object(self, node, ptr, hint, component, info):
        props = _ordered(node.get("properties") or {}, node, ptr)
        addl = node.get("additionalProperties")
        addl_any = addl is None or addl is True or addl is False or \
            (isinstance(addl, dict) and all(keywords.beside_ref(str(k)) for k in addl))
        if not props:
            if addl_any:
                return TypeRef("json", json_type="object"), info
            return self._map(addl, ptr, hint), info
        required = node.get("required") or []
        fields = []
        for name, sub in props.items():
            name = str(name)
            if isinstance(sub, _Located):
                sub, sub_ptr = sub.node, sub.ptr
            else:
                sub_ptr = child(ptr, "properties", name)
            tref, finfo = self.analyze(sub, sub_ptr, hint + "_" + (snake(name) or "field"))
            f = Field(name, tref, sub_ptr)
            f.required = name in required
            for attr in ("nullable", "secret", "read_only", "write_only", "deprecated",
                         "utc_only", "min_length", "max_length", "minimum", "maximum",
                         "description", "default", "const", "unchecked"):
                setattr(f, attr, getattr(finfo, attr))
            fields.append(f)
        if not addl_any:  # typed members besides the listed ones: a map, the last field
            f = Field(None, self._map(addl, ptr, hint), child(ptr, "additionalProperties"))
            f.description = "The object's other members, by name."
            fields.append(f)
        obj = ObjectDef(self._next_uid(), fields, ptr)
        obj.description = node.get("description")
        return TypeRef("object", obj=self._intern(obj, hint, component)), info

    def _map(self, addl, ptr, hint):
        addl_ptr = child(ptr, "additionalProperties")
        value, value_info = self.analyze(addl, addl_ptr, hint + "_value")
        if value.kind == "object" and value_info.nullable:
            raise UnsupportedError("nullable object map values", addl_ptr)
        return TypeRef("map", item=value, item_nullable=value_info.nullable)

    def _enum(self, values, ptr, hint, component, node):
        e = EnumDef(self._next_uid(), values, ptr)
        e.description = node.get("description")
        return self._intern(e, hint, component)

    def _next_uid(self):
        self._uid += 1
        return self._uid

    def _intern(self, d, hint, component):
        existing = self._by_sig.get(d.sig)
        if existing is None:
            self._by_sig[d.sig] = d
            (self.enums if isinstance(d, EnumDef) else self.objects if isinstance(d, ObjectDef)
             else self.unions).append(d)
            existing = d
        elif component is not None and not any(c for c, _ in existing.candidates):
            # A component's copy documents the type better than an inline one.
            if isinstance(d, ObjectDef):
                existing.fields = d.fields
            existing.description = d.description
            existing.ptr = d.ptr
        existing.candidates.append((component is not None, hint))
        return existing

    @staticmethod
    def _add_candidate(tref, hint, is_component):
        d = tref.named
        if d is not None and (is_component, hint) not in d.candidates:
            d.candidates.append((is_component, hint))

    # ---- operations ----------------------------------------------------

    def build(self, components=None, operations=None):
        """Every component schema and operation, or only the component names
        in `components` and the (method, path) pairs in `operations`."""
        data = self.spec.data
        keywords.check_object(data, "#", keywords.ROOT, "document")
        for name, ptr, schema in self._components():
            if components is None or name in components:
                self._roots.append(self._cache[ptr][0] if ptr in self._cache else
                                   self.analyze(schema, ptr, snake(name), component=name)[0])
        for path, method, item, item_ptr in self._operations(wanted=operations):
            self.operations.append(self._operation(path, method, item, item_ptr))
        self._prune()
        self._name_types()
        self._name_operations()
        return self

    def probe(self):
        """Whole-spec mode's first pass: tries every component schema and
        every operation on its own. Returns (component names, (method, path)
        pairs) that generate, and a Skipped entry for each that does not."""
        data = self.spec.data
        keywords.check_object(data, "#", keywords.ROOT, "document")
        good_components, good_operations, skipped = set(), set(), []
        for name, ptr, schema in self._components():
            try:
                if ptr not in self._cache:
                    self.analyze(schema, ptr, snake(name), component=name)
                good_components.add(name)
            except GeneratorError as exc:
                skipped.append(Skipped("schema", name, None, None, exc.message, exc.ptr))
        for path, method, item, item_ptr in self._operations(skipped):
            try:
                self._operation(path, method, item, item_ptr)
                good_operations.add((method, path))
            except GeneratorError as exc:
                skipped.append(Skipped("operation", _operation_id(item[method], method, path),
                                       method.upper(), path, exc.message, exc.ptr))
        return good_components, good_operations, skipped

    def _components(self):
        schemas = ((self.spec.data.get("components") or {}).get("schemas") or {})
        for name in sorted(schemas):
            yield name, child("#/components/schemas", name), schemas[name]

    def _operations(self, skipped=None, wanted=None):
        """(path, method, path item, its pointer) of every operation, or of
        the (method, path) pairs in `wanted`. With a `skipped` list, a path
        item that cannot be read skips its operations there instead of
        raising."""
        paths = self.spec.data.get("paths") or {}
        for path in sorted(paths):
            if wanted is not None and not any(p == path for _, p in wanted):
                continue
            item_ptr = child("#/paths", path)
            try:
                item, item_ptr = self.spec.deref(paths[path], item_ptr)
                keywords.check_object(item, item_ptr, keywords.PATH_ITEM, "path item")
            except GeneratorError as exc:
                if skipped is None:
                    raise
                node = paths[path] if isinstance(paths[path], dict) else {}
                skipped.extend(Skipped("operation", _operation_id(node[m], m, path), m.upper(),
                                       path, exc.message, exc.ptr)
                               for m in HTTP_METHODS if isinstance(node.get(m), dict))
                continue
            for method in HTTP_METHODS:
                if method in item and (wanted is None or (method, path) in wanted):
                    yield path, method, item, item_ptr

    def _operation(self, path, method, item, item_ptr):
        ptr = child(item_ptr, method)
        node = item[method]
        op = Operation(_operation_id(node, method, path), method.upper(), path, ptr)
        op.summary = node.get("summary")
        op.description = node.get("description")
        op.deprecated = node.get("deprecated") is True
        keywords.check_object(node, ptr, keywords.OPERATION, "operation")
        if IDEMPOTENT_EXTENSION in node:
            if not isinstance(node[IDEMPOTENT_EXTENSION], bool):
                raise SpecError("%s must be true or false" % IDEMPOTENT_EXTENSION,
                                child(ptr, IDEMPOTENT_EXTENSION))
            op.idempotent = node[IDEMPOTENT_EXTENSION]
        flag = node.get(STREAM_FIELD_EXTENSION, "stream")
        if not isinstance(flag, str):
            raise SpecError("%s must be a string" % STREAM_FIELD_EXTENSION, child(ptr, STREAM_FIELD_EXTENSION))
        op.stream_request_field = flag
        self._parameters(op, node, item, item_ptr)
        if node.get("requestBody") is not None:
            self._request_body(op, node["requestBody"])
        self._responses(op, node.get("responses") or {})
        op.pagination = pagination.parse(node, op, ptr)  # x-openrouter-pagination, or None
        return op

    def _parameters(self, op, node, item, item_ptr):
        """The path item's parameters, overridden by the operation's."""
        merged = {}
        for base_ptr, plist in ((item_ptr, item.get("parameters")),
                                (op.ptr, node.get("parameters"))):
            for i, p in enumerate(plist or []):
                p_ptr = child(base_ptr, "parameters", i)
                p, p_ptr2 = self.spec.deref(p, p_ptr)
                if not isinstance(p, dict) or "name" not in p or "in" not in p:
                    raise SpecError("parameter needs name and in", p_ptr)
                merged[(p["in"], p["name"])] = (p, p_ptr, p_ptr2)
        order = {"path": 0, "query": 1, "header": 2}
        for (loc, name), (p, p_ptr, def_ptr) in merged.items():
            if loc == "cookie":
                raise UnsupportedError("cookie parameter", p_ptr)
            if loc not in order:
                raise SpecError("unknown parameter location %r" % loc, p_ptr)
            if loc == "header" and name.lower() in ("authorization", "content-type", "accept"):
                continue  # the runtime owns these
            op.params.append(self._parameter(op, p, p_ptr, def_ptr))
        op.params.sort(key=lambda prm: order[prm.location])
        for seg in _path_params(op.path):
            if not any(prm.location == "path" and prm.name == seg for prm in op.params):
                raise SpecError("path parameter {%s} is not declared" % seg, op.ptr)

    def _parameter(self, op, p, p_ptr, def_ptr):
        loc, name = p["in"], p["name"]
        if "schema" not in p:
            raise UnsupportedError("parameter without schema", p_ptr)
        keywords.check_object(p, def_ptr, keywords.PARAMETER, "parameter")
        if p.get("style", keywords.DEFAULT_STYLE[loc]) != keywords.DEFAULT_STYLE[loc]:
            raise UnsupportedError("parameter style %r" % (p["style"],), child(def_ptr, "style"))
        param = Param(str(name), loc, p_ptr)
        hint = snake(op.op_id) + "_" + (snake(name) or "param")
        tref, info = self.analyze(p["schema"], child(def_ptr, "schema"), hint)
        self._roots.append(tref)
        if tref.kind not in _SCALAR_KINDS and tref.kind != "enum":
            raise UnsupportedError("%s parameter" % tref.kind, child(def_ptr, "schema"))
        if p.get("deprecated") is True:
            info.deprecated = True
        param.tref, param.info = tref, info
        param.required = loc == "path" or p.get("required") is True
        also = p.get("x-also-send-as")
        if also is not None:
            if loc != "header" or not isinstance(also, str):
                raise SpecError("x-also-send-as needs a header parameter and a string",
                                child(def_ptr, "x-also-send-as"))
            param.also_send_as = also
        param.description = p.get("description") or info.description
        return param

    def _request_body(self, op, body):
        body_ptr = child(op.ptr, "requestBody")
        body, body_def_ptr = self.spec.deref(body, body_ptr)
        keywords.check_object(body, body_def_ptr, keywords.REQUEST_BODY, "request body")
        content = body.get("content") or {}
        # JSON wins when offered beside others; then a form.
        mt = next((m for m in ("application/json", "multipart/form-data") if m in content), None)
        if mt is None:
            raise UnsupportedError("request body media type %s"
                                   % (",".join(sorted(content)) or "(none)"),
                                   child(body_def_ptr, "content"))
        media = content[mt] or {}
        keywords.check_object(media, child(body_def_ptr, "content", mt),
                              keywords.MEDIA_TYPE, "media type")
        s_ptr = child(body_def_ptr, "content", mt, "schema")
        if "schema" not in media:
            raise UnsupportedError("request body without schema", s_ptr)
        self._form = mt == "multipart/form-data"
        try:
            tref, _ = self.analyze(media["schema"], s_ptr, snake(op.op_id) + "_body")
        finally:
            self._form = False
        self._roots.append(tref)
        if tref.kind not in ("object", "union"):
            raise UnsupportedError("request body that is not a JSON object", s_ptr)
        if mt == "multipart/form-data" and tref.kind != "object":
            raise UnsupportedError("multipart/form-data body that is not an object", s_ptr)
        op.body_multipart = mt == "multipart/form-data"
        op.body = tref.named
        op.body_required = body.get("required") is True
        op.body_description = body.get("description")

    def _responses(self, op, responses):
        out_ptr = None
        for status in sorted(responses, key=str):
            r_ptr = child(op.ptr, "responses", str(status))
            code = str(status)
            if code == "default" or (len(code) == 3 and code[1:].upper() == "XX"):
                # Ranges and `default` have no place in the status tables; the
                # runtime treats every non-2xx as an error anyway.
                resp, r_def_ptr = self.spec.deref(responses[status], r_ptr)
                self._response_body(resp, r_def_ptr, snake(op.op_id) + "_" + code.lower()
                                    + "_response", success=False)
                continue
            if not code.isdigit() or len(code) != 3:
                raise SpecError("bad response status %r" % code, r_ptr)
            num = int(code)
            resp, r_def_ptr = self.spec.deref(responses[status], r_ptr)
            if 200 <= num < 300:
                hint = snake(op.op_id) + "_response"
                if op.responses:
                    hint += "_" + code
                obj, s_ptr = self._response_body(resp, r_def_ptr, hint, success=True)
                self._stream_body(op, resp, r_def_ptr, snake(op.op_id) + "_event")
                if isinstance(obj, str):  # a media type: the body is bytes
                    if op.out is not None or (op.media_type not in (None, obj)):
                        raise UnsupportedError(
                            "success responses with different bodies (also %s)" % out_ptr, s_ptr)
                    op.media_type, out_ptr = obj, s_ptr
                    op.responses.append((num, None))
                    continue
                if obj is not None:
                    if op.media_type is not None:
                        raise UnsupportedError(
                            "success responses with different bodies (also %s)" % out_ptr, s_ptr)
                    if op.out is not None and op.out is not obj:
                        raise UnsupportedError(
                            "success responses with different bodies (also %s)" % out_ptr, s_ptr)
                    op.out, out_ptr = obj, s_ptr
                op.responses.append((num, obj))
            elif num >= 400:
                obj, _ = self._response_body(resp, r_def_ptr, snake(op.op_id) + "_error_" + code,
                                             success=False)
                if obj is not None:
                    op.error_bodies[num] = obj
                op.error_statuses.append(num)
        op.error_statuses.sort()
        if not op.responses:
            raise UnsupportedError("operation without a 2xx response", child(op.ptr, "responses"))

    def _response_body(self, resp, r_ptr, hint, success):
        keywords.check_object(resp, r_ptr, keywords.RESPONSE, "response")
        content = resp.get("content") or {}
        if not content:
            return None, None
        if "application/json" not in content:
            if success:
                return self._bytes_body(content, child(r_ptr, "content"))
            return None, None
        media = content["application/json"] or {}
        keywords.check_object(media, child(r_ptr, "content", "application/json"),
                              keywords.MEDIA_TYPE, "media type")
        s_ptr = child(r_ptr, "content", "application/json", "schema")
        if "schema" not in media:
            return None, None
        tref, _ = self.analyze(media["schema"], s_ptr, hint)
        self._roots.append(tref)
        if tref.kind not in ("object", "union"):
            if success:
                raise UnsupportedError("response body that is not a JSON object", s_ptr)
            return None, None
        return tref.named, s_ptr

    def _bytes_body(self, content, c_ptr):
        """A success body in media types other than JSON (audio/*,
        application/octet-stream, video/mp4, ...): kept as bytes, whatever
        its schema says (a binary string, or none). Returns the media types,
        comma-separated, as the Accept header sends them. Server-Sent
        Events alone are a stream (_stream_body), not a body."""
        media = [m for m in sorted(content) if m != SSE]
        if not media:  # a stream only: _stream_body's
            return None, None
        for m in media:
            entry = content[m] or {}
            keywords.check_object(entry, child(c_ptr, m), keywords.MEDIA_TYPE, "media type")
            if "/" not in m or any(ch in m for ch in "\r\n\0\"\\"):
                raise SpecError("bad media type %r" % m, child(c_ptr, m))
        return ", ".join(media), child(c_ptr, media[0])
    def _stream_body(self, op, resp, r_ptr, hint):
        """A text/event-stream beside (or instead of) the JSON body: its
        event model, which must be an object holding the event's `data`
        (anything else is skipped with the reason: the operation itself
        still generates)."""
        media = (resp.get("content") or {}).get(SSE)
        if media is None or op.stream is not None:
            return
        m_ptr = child(r_ptr, "content", SSE)
        keywords.check_object(media or {}, m_ptr, keywords.MEDIA_TYPE, "media type")
        if "schema" not in (media or {}):
            op.stream_skipped = ("text/event-stream without a schema", m_ptr)
            return
        s_ptr = child(m_ptr, "schema")
        tref, _ = self.analyze(media["schema"], s_ptr, hint)
        if tref.kind != "object" or not any(f.json_name == "data" for f in tref.named.fields):
            op.stream_skipped = ("text/event-stream schema that is not an event object with `data`", s_ptr)
            return
        self._roots.append(tref)
        sentinel = media.get("x-speakeasy-sse-sentinel")
        if sentinel is not None and not isinstance(sentinel, str):
            raise SpecError("x-speakeasy-sse-sentinel must be a string", child(m_ptr, "x-speakeasy-sse-sentinel"))
        op.stream = StreamDef(tref.named, sentinel, m_ptr)

    def _prune(self):
        """Drops the types nothing generated uses: those of a schema that
        failed halfway, and the enums a union merged into one
        (orgen/unions.py)."""
        used, todo = set(), list(self._roots)
        while todo:
            t = todo.pop()
            d = t.named
            if d is not None and id(d) in used:
                continue
            if d is not None:
                used.add(id(d))
            if t.kind == "object":
                todo.extend(f.tref for f in d.fields)
            elif t.kind == "union":
                todo.extend(v.tref for v in d.variants)
            elif t.kind in ("array", "map"):
                todo.append(t.item)
        self.enums = [d for d in self.enums if id(d) in used]
        self.objects = [d for d in self.objects if id(d) in used]
        self.unions = [d for d in self.unions if id(d) in used]

    # ---- names -----------------------------------------------------------

    def _name_types(self):
        for u in self.unions:
            u.name_members()
        for d in self.enums + self.objects + self.unions:
            explicit = sorted({n for n, _ in d.explicit})
            comps = sorted(n for c, n in d.candidates if c)
            if len(explicit) > 1:
                raise SpecError("one type has two names in %s: %s" % (
                    NAME_EXTENSION, ", ".join(explicit)), sorted(p for _, p in d.explicit)[-1])
            if explicit:
                d.name, d.from_component = snake(explicit[0]), True
            elif comps:
                d.name, d.from_component = comps[0], True
            else:
                d.name = min((n for _, n in d.candidates), key=lambda n: (len(n), n))
                d.from_component = False
        for o in self.objects:
            taken = set()
            for f in o.fields:
                f.c_name = unique(c_ident(snake(f.json_name)), taken) if f.json_name is not None \
                    else None
            for f in o.fields:
                if f.json_name is None:  # the map of other members, named after the rest
                    f.c_name = unique("additional_properties", taken)

    def _name_operations(self):
        for op in self.operations:
            taken = {"body"} if op.body is not None else set()
            for p in op.params:
                base = header_snake(p.name) if p.location == "header" else snake(p.name)
                p.c_name = unique(c_ident(base or "param"), taken)
        self.operations.sort(key=lambda op: (op.path, HTTP_METHODS.index(op.method.lower())))


class _Located:
    """A property schema moved by allOf merging, with its original pointer."""

    def __init__(self, node, ptr):
        self.node = node
        self.ptr = ptr


def _all_of_parts(node, ptr):
    parts = node["allOf"]
    if not isinstance(parts, list) or not parts or not all(isinstance(p, dict) for p in parts):
        raise SpecError("allOf must be a non-empty list of schemas", child(ptr, "allOf"))
    return parts


def _shape_keys(node):
    """The keywords of a schema that say what the value is, as opposed to
    annotations (what may stand beside a $ref: description, nullable, ...)."""
    return [k for k in node if not keywords.beside_ref(str(k))]


def _explicit_name(node, ptr):
    """The type name an `x-openrouter-name` extension gives a schema, if any."""
    name = node.get(NAME_EXTENSION)
    if name is None:
        return None
    if not isinstance(name, str) or not snake(name):
        raise SpecError("%s must be a non-empty name" % NAME_EXTENSION, child(ptr, NAME_EXTENSION))
    return name


def _name_explicitly(tref, name, ptr):
    d = tref.named
    if d is None:
        raise SpecError("%s names object, enum and union schemas only" % NAME_EXTENSION,
                        child(ptr, NAME_EXTENSION))
    d.explicit.append((name, ptr))


def _ordered(props, node, ptr):
    """Properties in `x-openrouter-order` first, in that order, then the rest
    as the description has them. A listed name the object lacks is skipped:
    the order only arranges what is there."""
    order = node.get(ORDER_EXTENSION)
    if order is None:
        return props
    if not isinstance(order, list) or not all(isinstance(n, str) for n in order):
        raise SpecError("%s must be a list of property names" % ORDER_EXTENSION,
                        child(ptr, ORDER_EXTENSION))
    out = {n: props[n] for n in order if n in props}
    out.update((n, v) for n, v in props.items() if n not in out)
    return out


def _describe_unsupported(node, kw):
    """Names the construct: a polymorphic oneOf/anyOf says which property
    picks the variant, since that is what a C struct cannot express."""
    disc = node.get("discriminator")
    if kw in ("oneOf", "anyOf") and isinstance(disc, dict) and "propertyName" in disc:
        return "%s with discriminator %r (polymorphic schema)" % (kw, str(disc["propertyName"]))
    return kw


def _json_text(value):
    """A spec value as compact JSON, for doc comments and signatures."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


def _doc_text(value):
    """A keyword's value for a doc comment: strings (patterns) as written."""
    return '"%s"' % value if isinstance(value, str) else _json_text(value)


def _copy_info(info):
    new = Info()
    new.__dict__.update(info.__dict__)
    return new


def _path_params(path):
    out = []
    rest = path
    while "{" in rest:
        start = rest.index("{")
        end = rest.find("}", start)
        if end < 0:
            break
        out.append(rest[start + 1:end])
        rest = rest[end + 1:]
    return out


def _operation_id(node, method, path):
    op_id = node.get("operationId") if isinstance(node, dict) else None
    return str(op_id) if op_id else snake(method + "_" + path)


def build(spec, strict=True):
    """The model of a spec. Strict: all or nothing, the first construct the
    generator cannot handle raises. Otherwise (whole-spec mode) every
    operation and component schema that can be generated is, and
    `model.skipped` lists the others with their reason and pointer."""
    if strict:
        m = Builder(spec).build()
        m.skipped = []
        return m
    components, operations, skipped = Builder(spec).probe()
    m = Builder(spec).build(components, operations)
    m.skipped = skipped
    return m
