"""Turns the model into template contexts and renders templates/*.j2.

Python here only produces identifiers, numbers, flag names and the escaped
contents of C string literals; every piece of C syntax is in the templates.
"""
import os

import jinja2

from . import names, pagination, report
from .naming import c_string_literal, doc_lines

# (template, output path relative to --out)
OUTPUTS = (
    ("models.h.j2", "include/openrouter/models.h"),
    ("operations.h.j2", "include/openrouter/operations.h"),
    ("openrouter.h.j2", "include/openrouter/openrouter.h"),
    ("models.c.j2", "src/models.c"),
    ("operations.c.j2", "src/operations.c"),
    ("GENERATION_REPORT.md.j2", "GENERATION_REPORT.md"),
)

_SCALAR_SLOT = {
    "string": "string", "bool": "bool", "int32": "int32", "int64": "int64",
    "number": "number", "datetime": "datetime", "json": "json", "file": "file",
}


class _Ctx:
    def __init__(self, model, prefix):
        self.model = model
        self.p = prefix
        self.names = names.Names(prefix)
        names.assign(model, self.names)
        self.type_descs = {}   # name -> dict
        self.arrays = {}       # ctype -> dict
        self.maps = {}         # ctype -> dict
        self.wrapped = set()   # objects whose *_field wrapper some field uses

    # -- slot types ---------------------------------------------------------
    def slot_base(self, t):
        """Name (without prefix) used to build container names."""
        if t.kind in _SCALAR_SLOT:
            return _SCALAR_SLOT[t.kind]
        if t.kind in ("enum", "object", "union"):
            return t.named.name
        if t.kind == "array":
            return self.slot_base(t.item) + "_array"
        return self.slot_base(t.item) + "_map"

    def slot_ctype(self, t, as_item=False):
        """C type of a slot; `as_item` gives the array/map element type
        (objects and unions bare, without their presence wrapper)."""
        if t.kind in _SCALAR_SLOT:
            return "openrouter_" + _SCALAR_SLOT[t.kind]
        if t.kind == "enum":
            return "%s_%s_value" % (self.p, t.enum.name)
        if t.kind in ("object", "union"):
            return "%s_%s%s" % (self.p, t.named.name, "" if as_item else "_field")
        return self._container(t)["ctype"]

    def _container(self, t):
        """The context of an array or map slot type, named on first use
        (`_2`, ... when a type already has the name)."""
        key = self._container_key(t)
        table = self.arrays if t.kind == "array" else self.maps
        if key not in table:
            item_ctype = self.slot_ctype(t.item, as_item=True)
            base = "%s_%s" % (self.p, self.slot_base(t))
            suffixes = ("",) if t.kind == "array" else ("", "_entry")
            owner = "%s of %s" % (t.kind, item_ctype)
            ctype = self.names.settle(base, lambda n: [n + s for s in suffixes], owner)
            table[key] = {"ctype": ctype, "entry_ctype": ctype + "_entry",
                          "item_ctype": item_ctype}
        return table[key]

    def type_desc(self, t, as_item=False):
        """Name of the openrouter_type_desc for a slot (created on demand;
        scalar kinds use the runtime's, shared by every --prefix)."""
        if t.kind in _SCALAR_SLOT:
            return "openrouter_%s_type_desc" % _SCALAR_SLOT[t.kind]
        if t.kind == "enum":
            key = t.enum.name + "_value"
        elif t.kind in ("object", "union"):
            key = t.named.name + ("" if as_item else "_field")
        else:
            key = "desc:" + self._container_key(t)
        if key in self.type_descs:
            return self.type_descs[key]["name"]
        if key.startswith("desc:"):  # claimed here; the others with their type
            name = self.names.settle("%s_%s_type_desc" % (self.p, self._container_key(t)),
                                     lambda n: [n], "type descriptor")
        else:
            name = "%s_%s_type_desc" % (self.p, key)
        td = {"name": name, "kind": t.kind.upper(), "slot_ctype": self.slot_ctype(t, as_item),
              "object": None, "enum": None, "item": None, "entry_ctype": None,
              "item_flags": []}
        if t.kind in ("object", "union"):
            td["object"] = "%s_%s_desc" % (self.p, t.named.name)
            if not as_item:
                self.wrapped.add(t.named.name)
        if t.kind == "enum":
            td["enum"] = "%s_%s_enum_desc" % (self.p, t.enum.name)
        if t.kind in ("array", "map"):
            td["item"] = self.type_desc(t.item, as_item=True)
            td["item_flags"] = ["NULLABLE"] if t.item_nullable else []
        if t.kind == "map":
            td["entry_ctype"] = self._container(t)["entry_ctype"]
        self.type_descs[key] = td
        return name

    def _container_key(self, t):
        if t.kind in ("array", "map"):
            inner = self._container_key(t.item) if t.item.kind in ("array", "map") else \
                self.slot_base(t.item)
            return inner + ("_nullable" if t.item_nullable else "") + "_" + t.kind
        return self.slot_base(t)


def _num(v):
    return "0.0" if v is None else repr(float(v))


def _int(v):
    return "-1" if v is None else str(int(v))


def _deprecated_msg(what):
    return c_string_literal("%s is deprecated" % what)


def build_context(model, spec_label, spec_sha256, prefix):
    ctx = _Ctx(model, prefix)
    p = prefix
    P = prefix.upper()
    models = {o.name: _object_context(ctx, o) for o in model.objects}
    models.update((u.name, _union_context(ctx, u)) for u in model.unions)
    ops = [_operation_context(ctx, op) for op in model.operations]
    for m in models.values():
        m["wrapped"] = m["name"] in ctx.wrapped
    ordered = _topo(models)
    return {
        "spec": spec_label, "sha256": spec_sha256, "prefix": p, "PREFIX": P,
        "enums": [_enum_context(ctx, e) for e in sorted(model.enums, key=lambda d: d.name)],
        "objects": [models[n] for n in ordered],
        "model_table": [models[n]["ctype"] for n in sorted(models)],
        "arrays": sorted(ctx.arrays.values(), key=lambda a: a["ctype"]),
        "maps": sorted(ctx.maps.values(), key=lambda m: m["ctype"]),
        "type_descs": sorted(ctx.type_descs.values(), key=lambda td: td["name"]),
        "operations": ops,
        "report": report.context(model, p),
    }


def _enum_context(ctx, e):
    p, P = ctx.p, ctx.p.upper()
    values = [{"const": "%s_%s_%s" % (P, e.name.upper(), tail), "number": i,
               "text": c_string_literal(text), "doc": doc_lines('"%s"' % text)}
              for i, (text, tail) in enumerate(zip(e.values, names.enum_tails(e)), 1)]
    return {"name": e.name, "ctype": "%s_%s" % (p, e.name),
            "macro": "%s_%s" % (P, e.name.upper()),
            "doc": doc_lines(e.description or "Values of %s_%s." % (p, e.name)),
            "values": values}


def _object_context(ctx, o):
    p, P = ctx.p, ctx.p.upper()
    fields = []
    for f in o.fields:
        fields.append({
            "cname": f.c_name, "ctype": ctx.slot_ctype(f.tref),
            "json": c_string_literal(f.json_name or ""), "json_name": f.json_name,
            "type_desc": ctx.type_desc(f.tref),
            "flags": f.flags(), "min_length": _int(f.min_length),
            "max_length": _int(f.max_length), "minimum": _num(f.minimum),
            "maximum": _num(f.maximum),
            "deprecated": _deprecated_msg("%s_%s.%s" % (p, o.name, f.c_name))
            if f.deprecated else None,
            "doc": doc_lines(_field_doc(f)),
        })
    return {"name": o.name, "ctype": "%s_%s" % (p, o.name), "macro": "%s_%s" % (P, o.name.upper()),
            "doc": doc_lines(o.description or "Model %s_%s." % (p, o.name)),
            "fields": fields, "union": None,
            "deps": sorted({f.tref.named.name for f in o.fields
                            if f.tref.kind in ("object", "union")})}


def _union_context(ctx, u):
    """A union model: a kind enum, the members in a C union, the raw text of
    values no variant matches, and the variants' selection tables."""
    p, P = ctx.p, ctx.p.upper()
    ctype = "%s_%s" % (p, u.name)
    kind = (ctype + "_kind").upper()
    variants = []
    for i, v in enumerate(u.variants, 1):
        required, consts = v.rules()
        tables = "%s_v%d" % (ctype, i)
        variants.append({
            "member": v.member, "const": "%s_%s" % (kind, v.name.upper()), "number": i,
            "ctype": ctx.slot_ctype(v.tref, as_item=True),
            "type_desc": ctx.type_desc(v.tref, as_item=True),
            "kinds": [k.upper() for k in v.kinds],
            "item_kinds": [k.upper() for k in v.item_kinds],
            "tags": [c_string_literal(t) for t in v.tags], "tags_table": tables + "_tags",
            "required": [c_string_literal(r) for r in required],
            "required_table": tables + "_required",
            "consts": [{"name": c_string_literal(n), "value": c_string_literal(vals[0])}
                       for n, vals in consts],
            "consts_table": tables + "_consts",
            "doc": doc_lines(_variant_doc(u, v)),
        })
    return {"name": u.name, "ctype": ctype, "macro": "%s_%s" % (P, u.name.upper()),
            "doc": doc_lines(u.description or "Union %s." % ctype),
            "fields": [], "union": {
                "kind_ctype": ctype + "_kind", "kind_macro": kind,
                "discriminator": c_string_literal(u.discriminator)
                if u.discriminator is not None else None,
                "variants": variants, "first": variants[0]["member"],
                "table": ctype + "_variants", "desc": ctype + "_union_desc"},
            "deps": sorted({v.tref.named.name for v in u.variants
                            if v.tref.kind in ("object", "union")})}


def _variant_doc(u, v):
    what = {"object": "object", "union": "union", "enum": "string", "string": "string",
            "datetime": "RFC 3339 date-time string", "bool": "boolean", "int32": "integer",
            "int64": "integer", "number": "number", "array": "array", "map": "object",
            "json": "any JSON value"}[v.tref.kind]
    if u.discriminator is not None and v.tags:
        return "%s with \"%s\": %s" % (what, u.discriminator,
                                       " or ".join('"%s"' % t for t in v.tags))
    return what


def _operation_context(ctx, op):
    p, P = ctx.p, ctx.p.upper()
    params = []
    for prm in op.params:
        is_path = prm.location == "path"
        ctype = "const char *" if is_path else ctx.slot_ctype(prm.tref)
        params.append({
            "name": c_string_literal(prm.name), "wire_name": prm.name,
            "location": prm.location.upper(), "cname": prm.c_name,
            "ctype": ctype, "is_path": is_path,
            "type_desc": None if is_path else ctx.type_desc(prm.tref),
            "flags": prm.flags(), "min_length": _int(prm.info.min_length),
            "max_length": _int(prm.info.max_length), "minimum": _num(prm.info.minimum),
            "maximum": _num(prm.info.maximum),
            "also_send_as": c_string_literal(prm.also_send_as)
            if prm.also_send_as is not None else None,
            "deprecated": _deprecated_msg("%s_%s.%s" % (p, op.request_name, prm.c_name))
            if prm.info.deprecated else None,
            "doc": doc_lines(_param_doc(prm)),
        })
    desc = " ".join(x for x in (op.summary and op.summary.rstrip(".") + ".",
                                op.description) if x)
    return {
        "op_id": c_string_literal(op.op_id), "name": op.name, "raw_op_id": op.op_id,
        "fn": "%s_%s" % (p, op.name), "macro": "%s_%s" % (P, op.name.upper()),
        "request": "%s_%s" % (p, op.request_name),
        "request_macro": "%s_%s" % (P, op.request_name.upper()),
        "method": op.method, "path": c_string_literal(op.path), "raw_path": op.path,
        "idempotent": 1 if op.idempotent else 0,
        "params": params,
        "has_request": bool(params) or op.body is not None,
        "body": "%s_%s" % (p, op.body.name) if op.body is not None else None,
        "body_desc": "%s_%s_desc" % (p, op.body.name) if op.body is not None else None,
        "body_required": 1 if op.body_required else 0,
        "body_doc": doc_lines(op.body_description or (
            "%s request body (%s)." % ("multipart/form-data" if op.body_multipart else "JSON",
                                       "required" if op.body_required else "optional"))),
        "body_multipart": op.body_multipart,
        "responses": [{"status": s, "desc": "%s_%s_desc" % (p, o.name) if o else None,
                       "media_type": c_string_literal(op.media_type) if op.media_type else None}
                      for s, o in op.responses],
        "out": "%s_%s" % (p, op.out.name) if op.out is not None else (
            "openrouter_bytes" if op.media_type else None),
        "media_type": op.media_type,
        "sink_doc": doc_lines("%s_%s() with the success body (%s) handed to `sink` as it arrives "
                              "instead of kept (see openrouter_call_sink)."
                              % (p, op.name, op.media_type)) if op.media_type else None,
        "error_statuses": op.error_statuses,
        "deprecated": _deprecated_msg("%s_%s" % (p, op.name)) if op.deprecated else None,
        "doc": doc_lines(desc or "Calls %s %s." % (op.method, op.path)),
        "pagination": pagination.context(op, p),
        "stream": _stream_context(op, p),
        "by": _by_param(op, p, ctx.names),
    }


def _stream_context(op, p):
    """The *_stream functions of an operation with an event stream: the
    event model, the sentinel, and the boolean body member the wrapper sets
    (x-speakeasy-stream-request-field, else `stream`): the API streams only
    when asked."""
    if op.stream is None:
        return None
    flag = None
    if op.body is not None:
        flag = next((f.c_name for f in op.body.fields
                     if f.json_name == op.stream_request_field and f.tref.kind == "bool"), None)
    return {
        "event": "%s_%s" % (p, op.stream.event.name),
        "event_desc": "%s_%s_desc" % (p, op.stream.event.name),
        "sentinel": c_string_literal(op.stream.sentinel) if op.stream.sentinel is not None else None,
        "body_flag": flag,
    }


def _by_param(op, prefix, names):
    """`<fn>_by_<param>` for an operation that needs nothing but one path
    parameter (get or delete by id): the id as an argument, no request
    struct. None for others; claims the name."""
    path = [q for q in op.params if q.location == "path"]
    if len(path) != 1 or any(q.required for q in op.params if q.location != "path"):
        return None
    if op.body is not None and op.body_required:
        return None
    fn = "%s_%s_by_%s" % (prefix, op.name, path[0].c_name)
    names.claim([fn], op.ptr)
    return {"fn": fn, "param": path[0].c_name, "wire": path[0].name}


def _field_doc(f):
    parts = [f.description or ""]
    notes = []
    if f.required:
        notes.append("required")
    if f.nullable:
        notes.append("nullable")
    if f.secret:
        notes.append("secret: wiped on free, never traced")
    if f.read_only:
        notes.append("read-only")
    if f.write_only:
        notes.append("write-only")
    if f.utc_only:
        notes.append("must be UTC")
    if f.deprecated:
        notes.append("deprecated")
    if f.const is not None:
        notes.append("always %s" % f.const)
    if f.default is not None:
        notes.append("default %s when absent (not applied by the library)" % f.default)
    notes += _unchecked_notes(f.unchecked)
    name = '"%s"' % f.json_name if f.json_name is not None else "members not listed above"
    parts.append("[JSON %s%s]" % (name, "".join("; " + ", ".join(notes) for _ in notes[:1])))
    return " ".join(x for x in parts if x)


def _param_doc(prm):
    where = {"path": "Path parameter", "query": "Query parameter",
             "header": "Header"}[prm.location]
    extra = " (also sent as %s)" % prm.also_send_as if prm.also_send_as else ""
    req = ", required" if prm.required and prm.location != "path" else ""
    if prm.info.default is not None:
        req += ", default %s" % prm.info.default
    req += "".join(", " + note for note in _unchecked_notes(prm.info.unchecked))
    text = (prm.description or "").strip()
    if text and not text.endswith("."):
        text += "."
    return ("%s [%s %s%s%s]" % (text, where, prm.name, extra, req)).strip()


def _unchecked_notes(unchecked):
    """Constraints the library leaves to the server (orgen/keywords.py)."""
    return ["%s %s not checked" % (keyword, value) for keyword, value in unchecked]


def _topo(objects):
    """Orders objects so each struct follows the structs it embeds."""
    done, out = set(), []

    def visit(name):
        if name in done:
            return
        done.add(name)
        for dep in objects[name]["deps"]:
            visit(dep)
        out.append(name)

    for name in sorted(objects):
        visit(name)
    return out


def environment(template_dir):
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_dir),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    return env


def output_path(rel, prefix):
    """Headers live under include/<prefix>/, so code generated with another
    --prefix can sit on the same include path as the main library's."""
    if rel.startswith("include/openrouter/"):
        name = rel[len("include/openrouter/"):]
        if name == "openrouter.h":
            name = prefix + ".h"
        return "include/%s/%s" % (prefix, name)
    return rel


def render_all(context, template_dir):
    env = environment(template_dir)
    files = {}
    for template, rel in OUTPUTS:
        rel = output_path(rel, context["prefix"])
        text = env.get_template(template).render(file=os.path.basename(rel), **context)
        files[rel] = text
    return files
