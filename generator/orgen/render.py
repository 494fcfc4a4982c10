"""Turns the model into template contexts and renders templates/*.j2.

Python here only produces identifiers, numbers, flag names and the escaped
contents of C string literals; every piece of C syntax is in the templates.
"""
import os

import jinja2

from . import cheaders, pagination
from .errors import UnsupportedError
from .naming import c_string_literal, doc_lines, enum_constant, unique

# (template, output path relative to --out)
OUTPUTS = (
    ("models.h.j2", "include/openrouter/models.h"),
    ("operations.h.j2", "include/openrouter/operations.h"),
    ("openrouter.h.j2", "include/openrouter/openrouter.h"),
    ("models.c.j2", "src/models.c"),
    ("operations.c.j2", "src/operations.c"),
)

_SCALAR_SLOT = {
    "string": "string", "bool": "bool", "int32": "int32", "int64": "int64",
    "number": "number", "datetime": "datetime", "json": "json",
}


class _Names:
    """Registry of every global identifier, to refuse collisions. It starts
    with every name the runtime's public headers declare."""

    def __init__(self, prefix):
        self.prefix = prefix
        self.owner = dict(cheaders.runtime_names())
        for n in ("model_table", "model_count"):
            self.owner[prefix + "_" + n] = "the generated table of every model"

    def free(self, idents):
        return not any(i in self.owner for i in idents)

    def claim(self, idents, owner):
        for ident in idents:
            other = self.owner.get(ident)
            if other is not None and other != owner:
                raise UnsupportedError(
                    "name collision: C identifier %s is also generated for %s" % (ident, other),
                    owner)
            self.owner[ident] = owner


def _object_idents(p, n):
    return [p + "_" + n + s for s in ("", "_desc", "_field", "_fields", "_decode", "_encode",
                                       "_free", "_equal", "_type_desc", "_field_type_desc")] + \
        [(p + "_" + n + "_init").upper()]


def _enum_idents(p, n):
    return [p + "_" + n + s for s in ("", "_value", "_name", "_enum_desc", "_values",
                                       "_value_type_desc")] + [(p + "_" + n + "_unknown").upper(),
                                                                (p + "_" + n).upper()]


def _op_idents(p, n):
    return [p + "_" + n + s for s in ("", "_request", "_operation", "_params", "_responses",
                                       "_error_statuses")] + [(p + "_" + n + "_request_init").upper()]


def _assign_names(model, names):
    p = names.prefix
    defs = [(d, _enum_idents) for d in model.enums] + [(d, _object_idents) for d in model.objects]
    # Components keep their names (a clash is an error); inline types yield.
    for d, fn in sorted(defs, key=lambda x: (not x[0].from_component, x[0].name)):
        base = d.name
        if not d.from_component:
            n = 2
            while not names.free(fn(p, d.name)):
                d.name = "%s_%d" % (base, n)
                n += 1
        names.claim(fn(p, d.name), d.ptr)
    for op in model.operations:
        names.claim(_op_idents(p, op.name), op.ptr)


class _Ctx:
    def __init__(self, model, prefix):
        self.model = model
        self.p = prefix
        self.names = _Names(prefix)
        _assign_names(model, self.names)
        self.type_descs = {}   # name -> dict
        self.arrays = {}       # ctype -> dict
        self.maps = {}         # ctype -> dict
        self.wrapped = set()   # objects whose *_field wrapper some field uses

    # -- slot types ---------------------------------------------------------
    def slot_base(self, t):
        """Name (without prefix) used to build container names."""
        if t.kind in _SCALAR_SLOT:
            return _SCALAR_SLOT[t.kind]
        if t.kind in ("enum", "object"):
            return (t.enum or t.obj).name
        if t.kind == "array":
            return self.slot_base(t.item) + "_array"
        return self.slot_base(t.item) + "_map"

    def slot_ctype(self, t, as_item=False):
        """C type of a slot; `as_item` gives the array/map element type."""
        if t.kind in _SCALAR_SLOT:
            return "openrouter_" + _SCALAR_SLOT[t.kind]
        if t.kind == "enum":
            return "%s_%s_value" % (self.p, t.enum.name)
        if t.kind == "object":
            return "%s_%s%s" % (self.p, t.obj.name, "" if as_item else "_field")
        ctype = "%s_%s" % (self.p, self.slot_base(t))
        item_ctype = self.slot_ctype(t.item, as_item=True)
        if t.kind == "array" and ctype not in self.arrays:
            self.names.claim([ctype], "array of " + item_ctype)
            self.arrays[ctype] = {"ctype": ctype, "item_ctype": item_ctype}
        if t.kind == "map" and ctype not in self.maps:
            self.names.claim([ctype, ctype + "_entry"], "map of " + item_ctype)
            self.maps[ctype] = {"ctype": ctype, "entry_ctype": ctype + "_entry",
                                "item_ctype": item_ctype}
        return ctype

    def type_desc(self, t, as_item=False):
        """Name of the openrouter_type_desc for a slot (created on demand;
        scalar kinds use the runtime's, shared by every --prefix)."""
        if t.kind in _SCALAR_SLOT:
            return "openrouter_%s_type_desc" % _SCALAR_SLOT[t.kind]
        if t.kind == "enum":
            key = t.enum.name + "_value"
        elif t.kind == "object":
            key = t.obj.name + ("" if as_item else "_field")
        else:
            key = self._container_key(t)
        name = "%s_%s_type_desc" % (self.p, key)
        if name in self.type_descs:
            return name
        td = {"name": name, "kind": t.kind.upper(), "slot_ctype": self.slot_ctype(t, as_item),
              "object": None, "enum": None, "item": None, "entry_ctype": None,
              "item_flags": []}
        if t.kind == "object":
            td["object"] = "%s_%s_desc" % (self.p, t.obj.name)
            if not as_item:
                self.wrapped.add(t.obj.name)
        if t.kind == "enum":
            td["enum"] = "%s_%s_enum_desc" % (self.p, t.enum.name)
        if t.kind in ("array", "map"):
            td["item"] = self.type_desc(t.item, as_item=True)
            td["item_flags"] = ["NULLABLE"] if t.item_nullable else []
        if t.kind == "map":
            td["entry_ctype"] = self.maps[td["slot_ctype"]]["entry_ctype"]
        if t.kind not in ("object", "enum"):  # those were claimed with their type
            self.names.claim([name], "type descriptor")
        self.type_descs[name] = td
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

    enums = []
    for e in sorted(model.enums, key=lambda d: d.name):
        taken = {"UNKNOWN"}
        values = []
        for i, text in enumerate(e.values, 1):
            tail = unique(enum_constant(text), taken)
            values.append({"const": "%s_%s_%s" % (P, e.name.upper(), tail), "number": i,
                           "text": c_string_literal(text), "doc": doc_lines('"%s"' % text)})
        ctx.names.claim([v["const"] for v in values], e.ptr)
        enums.append({"name": e.name, "ctype": "%s_%s" % (p, e.name),
                      "macro": "%s_%s" % (P, e.name.upper()),
                      "doc": doc_lines(e.description or "Values of %s_%s." % (p, e.name)),
                      "values": values})

    objects = {}
    for o in model.objects:
        fields = []
        for f in o.fields:
            td = ctx.type_desc(f.tref)
            fields.append({
                "cname": f.c_name, "ctype": ctx.slot_ctype(f.tref), "json": c_string_literal(
                    f.json_name), "json_name": f.json_name, "type_desc": td,
                "flags": f.flags(), "min_length": _int(f.min_length),
                "max_length": _int(f.max_length), "minimum": _num(f.minimum),
                "maximum": _num(f.maximum),
                "deprecated": _deprecated_msg("%s_%s.%s" % (p, o.name, f.c_name))
                if f.deprecated else None,
                "doc": doc_lines(_field_doc(f)),
            })
        objects[o.name] = {"name": o.name, "ctype": "%s_%s" % (p, o.name),
                           "macro": "%s_%s" % (P, o.name.upper()),
                           "doc": doc_lines(o.description or "Model %s_%s." % (p, o.name)),
                           "fields": fields,
                           "deps": sorted({f.tref.obj.name for f in o.fields
                                           if f.tref.kind == "object"})}
    for o in objects.values():
        o["wrapped"] = o["name"] in ctx.wrapped
    ordered = _topo(objects)

    ops = []
    for op in model.operations:
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
                "deprecated": _deprecated_msg("%s_%s_request.%s" % (p, op.name, prm.c_name))
                if prm.info.deprecated else None,
                "doc": doc_lines(_param_doc(prm)),
            })
        desc = " ".join(x for x in (op.summary and op.summary.rstrip(".") + ".",
                                    op.description) if x)
        by = _by_param(op, p, ctx.names)
        ops.append({
            "op_id": c_string_literal(op.op_id), "name": op.name, "raw_op_id": op.op_id,
            "fn": "%s_%s" % (p, op.name), "macro": "%s_%s" % (P, op.name.upper()),
            "method": op.method, "path": c_string_literal(op.path), "raw_path": op.path,
            "idempotent": 1 if op.idempotent else 0,
            "params": params,
            "has_request": bool(params) or op.body is not None,
            "body": "%s_%s" % (p, op.body.name) if op.body is not None else None,
            "body_desc": "%s_%s_desc" % (p, op.body.name) if op.body is not None else None,
            "body_required": 1 if op.body_required else 0,
            "body_doc": doc_lines(op.body_description or (
                "JSON request body (%s)." % ("required" if op.body_required else "optional"))),
            "responses": [{"status": s, "desc": "%s_%s_desc" % (p, o.name) if o else None}
                          for s, o in op.responses],
            "out": "%s_%s" % (p, op.out.name) if op.out is not None else None,
            "error_statuses": op.error_statuses,
            "deprecated": _deprecated_msg("%s_%s" % (p, op.name)) if op.deprecated else None,
            "doc": doc_lines(desc or "Calls %s %s." % (op.method, op.path)),
            "pagination": pagination.context(op, p, ctx.names),
            "by": by,
        })

    return {
        "spec": spec_label, "sha256": spec_sha256, "prefix": p, "PREFIX": P,
        "enums": enums, "objects": [objects[n] for n in ordered],
        "model_table": [objects[n]["ctype"] for n in sorted(objects)],
        "arrays": [ctx.arrays[k] for k in sorted(ctx.arrays)],
        "maps": [ctx.maps[k] for k in sorted(ctx.maps)],
        "type_descs": [ctx.type_descs[k] for k in sorted(ctx.type_descs)],
        "operations": ops,
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
    if notes:
        parts.append("[JSON \"%s\"; %s]" % (f.json_name, ", ".join(notes)))
    else:
        parts.append("[JSON \"%s\"]" % f.json_name)
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
