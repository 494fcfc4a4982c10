#!/usr/bin/env python3
"""Shows how regenerating from a new spec changes the generated C API.

    python3 generator/apidiff.py OLD_SPEC NEW_SPEC [--prefix openrouter]

Prints one line per API element that was added ("+ ...") or removed
("- ...") and exits 0 when nothing was removed (code written against the
old API still compiles and keeps working), 1 when something was, 2 when a
spec cannot be generated. Elements: types, fields and their C types, enum
constants, functions, request members, and the success and documented
error statuses of each operation. Field flags (required, nullable, ...) are
listed separately, so a flag change shows as a removed and an added flag
line.

Two changes only relax what the library checks, and are listed as "~ ..."
without failing: a field that is no longer REQUIRED (it may now be absent),
and a field that goes from openrouter_datetime to openrouter_string (the
same C type, a typedef; the RFC 3339 check is gone).
"""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from orgen import load, model, render  # noqa: E402
from orgen.errors import GeneratorError  # noqa: E402


def surface(spec_path, prefix="openrouter"):
    """The set of API lines of the code generated from `spec_path`."""
    m = model.build(load.load(spec_path))
    ctx = render.build_context(m, os.path.basename(spec_path), "", prefix)
    out = set()
    for e in ctx["enums"]:
        out.add("enum %s" % e["ctype"])
        for v in e["values"]:
            out.add("enum constant %s" % v["const"])
    for o in ctx["objects"]:
        out.add("struct %s" % o["ctype"])
        out.add("macro %s_INIT" % o["macro"])
        for f in o["fields"]:
            out.add("field %s.%s: %s" % (o["ctype"], f["cname"], f["ctype"]))
            for flag in f["flags"]:
                out.add("flag %s.%s: %s" % (o["ctype"], f["cname"], flag))
    for op in ctx["operations"]:
        out.add("function %s(%s%s)" % (op["fn"], "request, " if op["has_request"] else "",
                                        "%s **out" % op["out"] if op["out"] else "no body"))
        if op["has_request"]:
            out.add("macro %s_REQUEST_INIT" % op["macro"])
        for p in op["params"]:
            out.add("request member %s_request.%s: %s (%s %s)" % (
                op["fn"], p["cname"], p["ctype"].strip(), p["location"].lower(), p["wire_name"]))
        if op["body"]:
            out.add("request member %s_request.body: %s" % (op["fn"], op["body"]))
        for r in op["responses"]:
            out.add("success status %s: %d" % (op["fn"], r["status"]))
        for s in op["error_statuses"]:
            out.add("error status %s: %d" % (op["fn"], s))
    return out


def diff(old_spec, new_spec, prefix="openrouter"):
    """Returns (added, removed) as sorted lists of API lines."""
    old, new = surface(old_spec, prefix), surface(new_spec, prefix)
    return sorted(new - old), sorted(old - new)


_DATETIME, _STRING = ": openrouter_datetime", ": openrouter_string"


def compare(old_spec, new_spec, prefix="openrouter"):
    """Returns (added, removed, relaxed): like diff(), with the relaxations
    (see the module comment) taken out of both lists and described in
    `relaxed`."""
    old, new = surface(old_spec, prefix), surface(new_spec, prefix)
    added, removed = sorted(new - old), sorted(old - new)
    fields = {line.split(": ", 1)[0][len("field "):] for line in new if line.startswith("field ")}
    relaxed = []
    for line in list(removed):
        if line.startswith("flag ") and line.endswith(": REQUIRED") \
                and line[len("flag "):-len(": REQUIRED")] in fields:
            removed.remove(line)
            relaxed.append(line + " dropped (the field may now be absent)")
        elif line.startswith("field ") and line.endswith(_DATETIME):
            as_string = line[:-len(_DATETIME)] + _STRING
            if as_string in added:
                removed.remove(line)
                added.remove(as_string)
                relaxed.append("%s -> openrouter_string (same C type; no RFC 3339 check)" % line)
    return added, removed, sorted(relaxed)


def print_changes(added, removed, relaxed, out=None):
    out = out or sys.stdout
    for line in removed:
        print("- " + line, file=out)
    for line in relaxed:
        print("~ " + line, file=out)
    for line in added:
        print("+ " + line, file=out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--prefix", default="openrouter")
    args = ap.parse_args(argv)
    try:
        added, removed, relaxed = compare(args.old, args.new, args.prefix)
    except GeneratorError as exc:
        print(exc.render(), file=sys.stderr)
        return 2
    print_changes(added, removed, relaxed)
    return 1 if removed else 0


if __name__ == "__main__":
    sys.exit(main())
