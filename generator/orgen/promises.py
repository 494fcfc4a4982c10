"""What a spec promises about responses beyond what upstream promises.

The library reads responses liberally: it must never hold the API to more
than OpenRouter's own description does, or a valid answer could be marked
or, in strict mode, refused. compare() walks every response schema of a
produced spec beside the same operation's schema upstream (matched by path,
method, status and media type) and lists each constraint the spec adds:

- a `format` (except `double`/`float` on numbers, which every JSON number
  meets), a `const`, a `pattern`, a `multipleOf`;
- a closed enum: an `enum` where upstream has none, or one with values
  upstream's lacks. An enum marked `x-speakeasy-unknown-values: allow` is
  open (the runtime keeps unknown text as it is) and adds nothing;
- a bound: minimum, maximum (exclusive too), minLength, maxLength,
  minItems, maxItems, minProperties, maxProperties, tighter than
  upstream's or where upstream has none;
- a `required` member upstream does not require;
- a narrower type (a type upstream allows and the spec does not, `null`
  included; `integer` where upstream says `number`);
- `additionalProperties: false` where upstream allows more members.

A property the spec adds (a field the live API sends that the description
lacks) has no upstream schema: it may state its type, but any other
constraint on it is a promise and is listed. Request bodies and parameters
are not compared: what the library sends may be checked more strictly.
"""
from .errors import child, unescape_token

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# format values that every value of the type meets: no promise.
_FREE_FORMATS = {"number": {"double", "float"}}

_LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
_UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")
_EXACT = ("const", "pattern", "multipleOf")


class Finding:
    """One promise the spec adds: where (a JSON pointer into the spec) and what."""

    def __init__(self, pointer, what):
        self.pointer = pointer
        self.what = what

    def __str__(self):
        return "%s: %s" % (self.pointer, self.what)

    def __repr__(self):
        return "Finding(%r, %r)" % (self.pointer, self.what)


def _resolve(doc, node, ptr, seen):
    """Follows $ref chains inside `doc`; returns (node, pointer)."""
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#/") or ref in seen:
            return node, ptr
        seen = seen | {ref}
        target = doc
        for tok in ref[2:].split("/"):
            tok = unescape_token(tok)
            if not isinstance(target, dict) or tok not in target:
                return node, ptr
            target = target[tok]
        node, ptr = target, ref
    return node, ptr


def _types(schema):
    """The JSON types a schema allows, or None for any."""
    if not isinstance(schema, dict) or "type" not in schema:
        return None
    t = schema["type"]
    types = set(t if isinstance(t, list) else [t])
    if schema.get("nullable") is True:
        types.add("null")
    if "integer" in types and "number" in types:
        types.discard("integer")
    return types


def _is_open_enum(schema):
    return schema.get("x-speakeasy-unknown-values") == "allow"


class _Walker:
    def __init__(self, spec, upstream):
        self.spec = spec
        self.upstream = upstream
        self.findings = []
        self.done = set()

    def add(self, ptr, what):
        self.findings.append(Finding(ptr, what))

    def schema(self, s, s_ptr, u, u_ptr, added=False):
        """Compares spec schema s with upstream schema u (None: the spec
        added the member, so upstream promises nothing about it)."""
        s, s_ptr = _resolve(self.spec, s, s_ptr, frozenset())
        if u is not None:
            u, u_ptr = _resolve(self.upstream, u, u_ptr, frozenset())
        if not isinstance(s, dict):
            return
        key = (s_ptr, u_ptr if u is not None else None)
        if key in self.done:
            return
        self.done.add(key)
        up = u if isinstance(u, dict) else {}
        if not added:
            self.type(s, s_ptr, up)
        self.keywords(s, s_ptr, up)
        self.members(s, s_ptr, u, u_ptr, up)

    def type(self, s, ptr, up):
        st, ut = _types(s), _types(up)
        if st is None:
            return
        allowed = set(st)
        if "number" in allowed:
            allowed.add("integer")
        lost = sorted((ut or {"any type"}) - allowed)
        if lost:
            self.add(child(ptr, "type"), "narrower type %s (upstream: %s)"
                     % (sorted(st), sorted(ut) if ut else "any type"))

    def keywords(self, s, ptr, up):
        fmt = s.get("format")
        if fmt is not None and fmt != up.get("format"):
            types = _types(s) or set()
            if not any(fmt in _FREE_FORMATS.get(t, ()) for t in types):
                self.add(child(ptr, "format"), "format %s (upstream: %s)"
                         % (fmt, up.get("format", "none")))
        if "enum" in s and not _is_open_enum(s):
            extra = [v for v in s["enum"] if v not in up.get("enum", s["enum"])]
            if "enum" not in up or extra:
                self.add(child(ptr, "enum"), "closed enum %s (upstream: %s)"
                         % (s["enum"], up.get("enum", "any value")))
        for k in _LOWER_BOUNDS:
            if k in s and (k not in up or s[k] > up[k]):
                self.add(child(ptr, k), "%s %s (upstream: %s)" % (k, s[k], up.get(k, "none")))
        for k in _UPPER_BOUNDS:
            if k in s and (k not in up or s[k] < up[k]):
                self.add(child(ptr, k), "%s %s (upstream: %s)" % (k, s[k], up.get(k, "none")))
        for k in _EXACT:
            if k in s and s[k] != up.get(k):
                self.add(child(ptr, k), "%s %r (upstream: %r)" % (k, s[k], up.get(k, "none")))
        if s.get("additionalProperties") is False and up.get("additionalProperties") is not False:
            self.add(child(ptr, "additionalProperties"), "no members beyond the listed ones "
                     "(upstream allows them)")
        for name in s.get("required") or []:
            if name not in (up.get("required") or []):
                self.add(child(ptr, "required"), "requires %s (upstream does not)" % name)

    def members(self, s, ptr, u, u_ptr, up):
        u_props = up.get("properties") or {}
        for name, prop in (s.get("properties") or {}).items():
            p = child(child(ptr, "properties"), name)
            if u is not None and name in u_props:
                self.schema(prop, p, u_props[name], child(child(u_ptr, "properties"), name))
            else:
                self.schema(prop, p, None, None, added=True)
        for k in ("items", "additionalProperties"):
            if isinstance(s.get(k), dict):
                uk = up.get(k) if isinstance(up.get(k), dict) else None
                self.schema(s[k], child(ptr, k), uk, child(u_ptr, k) if uk is not None else None,
                            added=uk is None and u is None)
        for k in ("allOf", "oneOf", "anyOf"):
            subs, usubs = s.get(k) or [], up.get(k) or []
            for i, sub in enumerate(subs):
                ui = usubs[i] if i < len(usubs) else None
                self.schema(sub, child(child(ptr, k), str(i)), ui,
                            child(child(u_ptr, k), str(i)) if ui is not None else None,
                            added=ui is None)

    def operation(self, path, method, op, u_op):
        ptr = child("#/paths", path, method, "responses")
        u_ptr = child("#/paths", path, method, "responses")
        u_responses = (u_op or {}).get("responses") or {}
        for status, resp in (op.get("responses") or {}).items():
            r_ptr = child(ptr, str(status))
            resp, r_ptr = _resolve(self.spec, resp, r_ptr, frozenset())
            u_resp, u_r_ptr = _resolve(self.upstream, u_responses.get(status),
                                       child(u_ptr, str(status)), frozenset())
            for media, content in ((resp or {}).get("content") or {}).items():
                if not isinstance(content, dict) or "schema" not in content:
                    continue
                u_content = ((u_resp or {}).get("content") or {}).get(media) or {}
                u_schema = u_content.get("schema")
                self.schema(content["schema"], child(r_ptr, "content", media, "schema"), u_schema,
                            child(u_r_ptr, "content", media, "schema"), added=u_schema is None)


def compare(spec, upstream):
    """Lists (as Finding objects, in document order) every constraint the
    response schemas of `spec` add to those of `upstream` (both parsed
    OpenAPI documents). Operations are matched by path and method; a
    response upstream lacks is compared with the empty schema."""
    w = _Walker(spec, upstream)
    u_paths = upstream.get("paths") or {}
    for path, item in (spec.get("paths") or {}).items():
        u_item = u_paths.get(path) or {}
        for method in HTTP_METHODS:
            if isinstance(item.get(method), dict):
                w.operation(path, method, item[method], u_item.get(method))
    return w.findings
