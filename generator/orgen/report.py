"""What a generator run produced and left out: GENERATION_REPORT.md in the
output directory, and the lines generate.py prints on stderr.

Whole-spec mode (the default of generate.py) skips an operation or component
schema it cannot generate instead of stopping; the report names each with
the reason and the JSON pointer of the construct, lists the operations
generated, the identifiers renamed to resolve a collision (orgen/names.py)
and the union variants decoding never selects (orgen/unions.py)."""
from . import unions


def context(model, prefix):
    skipped_ops = [s for s in model.skipped if s.what == "operation"]
    return {
        "operations": [{"op_id": op.op_id, "method": op.method, "path": op.path,
                        "fn": "%s_%s" % (prefix, op.name),
                        "stream": op.stream is not None} for op in model.operations],
        "streams_skipped": [{"op_id": op.op_id, "reason": op.stream_skipped[0],
                             "ptr": op.stream_skipped[1]}
                            for op in model.operations if op.stream_skipped],
        "skipped_operations": sorted(skipped_ops, key=lambda s: (s.path, s.method)),
        "skipped_schemas": sorted((s for s in model.skipped if s.what == "schema"),
                                  key=lambda s: s.name),
        "renamed": [{"what": w, "wanted": a, "given": b, "ptr": ptr}
                    for w, a, b, ptr in model.renamed],
        "shadowed": [{"union": "%s_%s" % (prefix, u.name), "member": v.member,
                      "by": by.member if by is not None else None}
                     for u in sorted(model.unions, key=lambda u: u.name)
                     for v, by in unions.shadowed(u)],
    }


def stderr_lines(model):
    """One line per operation or schema left out, for the terminal."""
    out = []
    for s in model.skipped:
        what = "operation %s (%s %s)" % (s.name, s.method, s.path) if s.what == "operation" \
            else "schema %s" % s.name
        out.append("skipped %s: %s at %s" % (what, s.reason, s.ptr))
    return out
