"""Global C identifiers: who owns each, and how collisions are resolved.

Every generated type, constant, table and function carries the prefix.
Two things can want one identifier: a component and an inline schema
(`BulkAddWorkspaceMembersRequest` and the request struct of the operation
`bulkAddWorkspaceMembers`), two components whose names snake_case alike
(`ab_c`, `AbC`), an enum constant and another type's, or anything and a
name the runtime's headers declare (`openrouter_error`). Nothing is
rejected; names are settled in this order, each taking its name if every
identifier it generates is free, else `_2`, `_3`, ... on its base name:

1. the runtime's names and the table of every model (never renamed);
2. types named by a component or `x-openrouter-name`, by name then JSON
   pointer (so the same description always gives the same names);
3. operations, by path then method: their functions and tables, then,
   separately, their request structs;
4. inline types, by name then JSON pointer.

Every rename is listed in the generation report.
"""
from . import cheaders, pagination
from .errors import UnsupportedError
from .naming import enum_constant, unique


class Names:
    """Registry of every global identifier. It starts with every name the
    runtime's public headers declare."""

    def __init__(self, prefix):
        self.prefix = prefix
        self.owner = dict(cheaders.runtime_names())
        for n in ("model_table", "model_count"):
            self.owner[prefix + "_" + n] = "the generated table of every model"
        for n in ("operation_table", "operation_count"):
            self.owner[prefix + "_" + n] = "the generated table of every operation"

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

    def settle(self, base, idents_of, owner):
        """The first of base, base_2, base_3, ... whose identifiers
        (`idents_of(name)`) are all free; claims them for `owner`."""
        name, n = base, 2
        while not self.free(idents_of(name)):
            name = "%s_%d" % (base, n)
            n += 1
        self.claim(idents_of(name), owner)
        return name


def enum_tails(e):
    """The constant name tails of an enum's values, in order."""
    taken = {"UNKNOWN"}
    return [unique(enum_constant(text), taken) for text in e.values]


def _enum_idents(p, e):
    def of(n):
        const = (p + "_" + n).upper()
        return [p + "_" + n + s for s in ("", "_value", "_name", "_enum_desc", "_values",
                                           "_value_type_desc")] + \
            [const, const + "_UNKNOWN"] + [const + "_" + t for t in enum_tails(e)]
    return of


def _object_idents(p, _):
    def of(n):
        return [p + "_" + n + s for s in ("", "_desc", "_field", "_fields", "_decode", "_encode",
                                           "_free", "_equal", "_type_desc", "_field_type_desc")] + \
            [(p + "_" + n + "_init").upper()]
    return of


def _union_idents(p, u):
    def of(n):
        const = (p + "_" + n + "_kind").upper()
        return _object_idents(p, u)(n) + [p + "_" + n + s for s in (
            "_kind", "_variants", "_union_desc")] + \
            [const + "_UNKNOWN"] + [const + "_" + v.name.upper() for v in u.variants] + \
            ["%s_%s_v%d_%s" % (p, n, i, what) for i in range(1, len(u.variants) + 1)
             for what in ("tags", "required", "consts")]
    return of


def _op_idents(p, op):
    def of(n):
        return [p + "_" + n + s for s in ("", "_operation", "_params", "_responses",
                                           "_error_statuses", "_start", "_done_fn",
                                           "_done_thunk")] + \
            ([p + "_" + n + "_to_sink"] if getattr(op, "media_type", None) else []) + \
            ([p + "_" + n + s for s in ("_stream", "_stream_start", "_stream_desc", "_event_fn",
                                        "_event_thunk", "_streamed")]
             if getattr(op, "stream", None) else []) + \
            (pagination.idents(p, n) if getattr(op, "pagination", None) else [])
    return of


def _request_idents(p, _):
    def of(n):
        return [p + "_" + n, (p + "_" + n + "_init").upper()]
    return of


def assign(model, names):
    """Settles the name of every type and operation of `model` (see the
    module comment); sets model.renamed to [(what, wanted, given, pointer)]."""
    p = names.prefix
    model.renamed = []

    def settle(thing, attr, idents, what):
        wanted = getattr(thing, attr)
        given = names.settle(wanted, idents(p, thing), thing.ptr)
        setattr(thing, attr, given)
        if given != wanted:
            model.renamed.append((what, p + "_" + wanted, p + "_" + given, thing.ptr))

    defs = [(d, _enum_idents, "enum") for d in model.enums] + \
        [(d, _object_idents, "model") for d in model.objects] + \
        [(d, _union_idents, "union") for d in model.unions]
    order = sorted(defs, key=lambda x: (x[0].name, x[0].ptr))
    for d, idents, what in order:
        if d.from_component:
            settle(d, "name", idents, what)
    for op in model.operations:
        settle(op, "name", _op_idents, "operation")
        op.request_name = op.name + "_request"
        settle(op, "request_name", _request_idents, "request")
    for d, idents, what in order:
        if not d.from_component:
            settle(d, "name", idents, what)
