"""Builds the intermediate model (types, enums, operations) from a spec.

Schemas are analysed into TypeRefs. Object and enum schemas become ObjectDef /
EnumDef instances which are deduplicated structurally (descriptions,
examples and unknown x-* extensions do not count), so the same inline object
repeated under several operations becomes one C type.
"""
import json

from . import keywords, pagination
from .errors import SpecError, UnsupportedError, child
from .naming import c_ident, enum_constant, header_snake, snake, unique

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# RFC 9110 section 9.2.2: repeating these has the effect of one request, so
# the runtime may retry them after they reached the server. POST and PATCH
# are not idempotent in general; `x-openrouter-idempotent` on an operation
# overrides the method either way.
IDEMPOTENT_METHODS = frozenset(("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"))
IDEMPOTENT_EXTENSION = "x-openrouter-idempotent"

_SCALAR_KINDS = ("string", "bool", "int32", "int64", "number", "datetime")


class EnumDef:
    def __init__(self, uid, values, ptr):
        self.uid = uid
        self.values = values  # list of str, in spec order
        self.ptr = ptr
        self.candidates = []  # (is_component, name)
        self.description = None
        self.name = None

    @property
    def sig(self):
        return ("enum", tuple(self.values))


class ObjectDef:
    def __init__(self, uid, fields, ptr):
        self.uid = uid
        self.fields = fields
        self.ptr = ptr
        self.candidates = []
        self.description = None
        self.name = None

    @property
    def sig(self):
        return ("object", tuple(sorted(f.sig() for f in self.fields)))


class TypeRef:
    """The type of one slot (field, array item, map value, parameter)."""

    def __init__(self, kind, enum=None, obj=None, item=None, item_nullable=False):
        self.kind = kind
        self.enum = enum
        self.obj = obj
        self.item = item
        self.item_nullable = item_nullable

    @property
    def sig(self):
        if self.kind == "enum":
            return ("enum", self.enum.uid)
        if self.kind == "object":
            return ("object", self.obj.uid)
        if self.kind in ("array", "map"):
            return (self.kind, self.item.sig, self.item_nullable)
        return (self.kind,)


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
                         ("HAS_MAXIMUM", self.maximum is not None)):
            if on:
                out.append(flag)
        return out

    def sig(self):
        return (self.json_name, self.tref.sig, tuple(self.flags()), self.min_length,
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
        self.body_required = False
        self.body_description = None
        self.responses = []  # (status, ObjectDef or None)
        self.out = None  # ObjectDef of the success body
        self.error_statuses = []
        self.summary = None
        self.description = None
        self.deprecated = False
        self.idempotent = method in IDEMPOTENT_METHODS


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
        self._by_sig = {}
        self._cache = {}  # schema pointer -> (TypeRef, Info)
        self._stack = []
        self._uid = 0
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
        self._stack.append(ptr)
        try:
            res = self._analyze_plain(node, ptr, hint, component)
        finally:
            self._stack.pop()
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
        info.overlay(node)
        return tref, info

    def _analyze_plain(self, node, ptr, hint, component):
        keywords.check_schema(node, ptr, _describe_unsupported)
        if "allOf" in node:
            node = self._merge_all_of(node, ptr)
            if "$ref" in node:  # allOf with a single reference
                return self._analyze_ref(node, ptr, hint)
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

    def _merge_all_of(self, node, ptr):
        parts = node["allOf"]
        if not isinstance(parts, list) or not parts:
            raise SpecError("allOf must be a non-empty list", child(ptr, "allOf"))
        own = {k: v for k, v in node.items() if k != "allOf"}
        if len(parts) == 1 and isinstance(parts[0], dict) and "$ref" in parts[0] \
                and not any(k in own for k in ("properties", "type", "required", "items",
                                               "additionalProperties", "enum")):
            merged = dict(own)
            merged["$ref"] = parts[0]["$ref"]
            return merged
        merged = {"type": "object", "properties": {}, "required": []}
        for i, part in enumerate(parts):
            part_ptr = child(ptr, "allOf", i)
            resolved, rptr = self._resolve_schema(part, part_ptr)
            keywords.check_schema(resolved, rptr, _describe_unsupported)
            if "allOf" in resolved:
                resolved = self._merge_all_of(resolved, rptr)
            base, _ = _type_list(resolved, rptr)
            if (base or self._infer_type(resolved)) != "object":
                raise UnsupportedError("allOf of a non-object schema", part_ptr)
            if resolved.get("additionalProperties") not in (None, True, {}, False):
                raise UnsupportedError("allOf with additionalProperties",
                                       child(rptr, "additionalProperties"))
            for name, sub in (resolved.get("properties") or {}).items():
                merged["properties"][name] = _Located(sub, child(rptr, "properties", name))
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
        if item.kind == "array":
            raise UnsupportedError("array of arrays", items_ptr)
        if item.kind == "object" and item_info.nullable:
            raise UnsupportedError("nullable object array items", items_ptr)
        return TypeRef("array", item=item, item_nullable=item_info.nullable), info

    def _object(self, node, ptr, hint, component, info):
        props = node.get("properties") or {}
        addl = node.get("additionalProperties")
        addl_any = addl is None or addl is True or addl is False or \
            (isinstance(addl, dict) and all(keywords.beside_ref(str(k)) for k in addl))
        if not props:
            if addl_any:
                return TypeRef("json"), info
            addl_ptr = child(ptr, "additionalProperties")
            value, value_info = self.analyze(addl, addl_ptr, hint + "_value")
            if value.kind == "object" and value_info.nullable:
                raise UnsupportedError("nullable object map values", addl_ptr)
            return TypeRef("map", item=value, item_nullable=value_info.nullable), info
        if not addl_any:
            raise UnsupportedError("object with both properties and additionalProperties",
                                   child(ptr, "additionalProperties"))
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
        obj = ObjectDef(self._next_uid(), fields, ptr)
        obj.description = node.get("description")
        return TypeRef("object", obj=self._intern(obj, hint, component)), info

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
            (self.enums if isinstance(d, EnumDef) else self.objects).append(d)
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
        d = tref.obj if tref.kind == "object" else tref.enum if tref.kind == "enum" else None
        if d is not None and (is_component, hint) not in d.candidates:
            d.candidates.append((is_component, hint))

    # ---- operations ----------------------------------------------------

    def build(self):
        data = self.spec.data
        keywords.check_object(data, "#", keywords.ROOT, "document")
        schemas = ((data.get("components") or {}).get("schemas") or {})
        for name in sorted(schemas):
            ptr = child("#/components/schemas", name)
            if ptr not in self._cache:
                self.analyze(schemas[name], ptr, snake(name), component=name)
        paths = data.get("paths") or {}
        for path in sorted(paths):
            item_ptr = child("#/paths", path)
            item, item_ptr = self.spec.deref(paths[path], item_ptr)
            keywords.check_object(item, item_ptr, keywords.PATH_ITEM, "path item")
            for method in HTTP_METHODS:
                if method in item:
                    self.operations.append(
                        self._operation(path, method, item, item_ptr))
        self._name_types()
        self._name_operations()
        return self

    def _operation(self, path, method, item, item_ptr):
        ptr = child(item_ptr, method)
        node = item[method]
        op_id = node.get("operationId") or snake(method + "_" + path)
        op = Operation(op_id, method.upper(), path, ptr)
        op.summary = node.get("summary")
        op.description = node.get("description")
        op.deprecated = node.get("deprecated") is True
        keywords.check_object(node, ptr, keywords.OPERATION, "operation")
        if IDEMPOTENT_EXTENSION in node:
            if not isinstance(node[IDEMPOTENT_EXTENSION], bool):
                raise SpecError("%s must be true or false" % IDEMPOTENT_EXTENSION,
                                child(ptr, IDEMPOTENT_EXTENSION))
            op.idempotent = node[IDEMPOTENT_EXTENSION]
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
        if set(content) != {"application/json"}:
            raise UnsupportedError("request body media type %s"
                                   % (",".join(sorted(content)) or "(none)"),
                                   child(body_def_ptr, "content"))
        media = content["application/json"] or {}
        keywords.check_object(media, child(body_def_ptr, "content", "application/json"),
                              keywords.MEDIA_TYPE, "media type")
        s_ptr = child(body_def_ptr, "content", "application/json", "schema")
        if "schema" not in media:
            raise UnsupportedError("request body without schema", s_ptr)
        tref, _ = self.analyze(media["schema"], s_ptr, snake(op.op_id) + "_body")
        if tref.kind != "object":
            raise UnsupportedError("request body that is not a JSON object", s_ptr)
        op.body = tref.obj
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
                if obj is not None:
                    if op.out is not None and op.out is not obj:
                        raise UnsupportedError(
                            "success responses with different bodies (also %s)" % out_ptr, s_ptr)
                    op.out, out_ptr = obj, s_ptr
                op.responses.append((num, obj))
            elif num >= 400:
                self._response_body(resp, r_def_ptr, snake(op.op_id) + "_error_" + code,
                                    success=False)
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
                raise UnsupportedError("response media type %s" % ",".join(sorted(content)),
                                       child(r_ptr, "content"))
            return None, None
        media = content["application/json"] or {}
        keywords.check_object(media, child(r_ptr, "content", "application/json"),
                              keywords.MEDIA_TYPE, "media type")
        s_ptr = child(r_ptr, "content", "application/json", "schema")
        if "schema" not in media:
            return None, None
        tref, _ = self.analyze(media["schema"], s_ptr, hint)
        if tref.kind != "object":
            if success:
                raise UnsupportedError("response body that is not a JSON object", s_ptr)
            return None, None
        return tref.obj, s_ptr

    # ---- names -----------------------------------------------------------

    def _name_types(self):
        for d in self.enums + self.objects:
            comps = sorted(n for c, n in d.candidates if c)
            if comps:
                d.name, d.from_component = comps[0], True
            else:
                d.name = min((n for _, n in d.candidates), key=lambda n: (len(n), n))
                d.from_component = False
        for o in self.objects:
            taken = set()
            for f in o.fields:
                f.c_name = unique(c_ident(snake(f.json_name)), taken)

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


def build(spec):
    return Builder(spec).build()
