#!/usr/bin/env python3
"""Shows how regenerating changes the generated C API.

    python3 generator/apidiff.py OLD NEW [--prefix openrouter]

OLD and NEW are specs (generated here with this generator) or directories
of generated code (e.g. a checkout's generated/, to see what a generator or
template change does). Prints one line per API element that was added
("+ ...") or removed ("- ...") and exits 0 when nothing was removed (code
written against the old API still compiles and keeps working), 1 when
something was, 2 when a spec cannot be generated. Elements: every
declaration of the public headers (types, enum constants, macros, function
prototypes, extern objects such as descriptors), the runtime's headers
included so that a declaration moving between runtime and generated code
is no change; from a spec also the fields and their C types, field flags,
request members with their wire names, the success and documented error
statuses of each operation and whether it is idempotent, and each union's
members with their C types. A flag change shows as a removed and an added
flag line. Specs are generated in whole-spec mode, so an operation the
generator now skips shows as removed.
With a directory on either side only declarations are compared.

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

from generate import DEFAULT_TEMPLATES  # noqa: E402
from orgen import cheaders, load, model, render  # noqa: E402
from orgen.errors import GeneratorError  # noqa: E402

HEADERS = ("models.h", "operations.h")


def declared(header_texts):
    """API lines of the declarations in the given header texts."""
    out = set()
    for text in header_texts:
        for d in cheaders.declarations(text):
            if d.kind == "function":
                out.add("function " + d.text)
            elif d.kind == "typedef":
                out.add(d.text)
            elif d.kind == "object":
                out.add("object " + d.text.replace("extern ", "", 1))
            elif d.kind == "macro":
                out.add("macro " + d.name)
            else:  # struct / enum / union tags and enum constants
                out.add("%s %s" % (d.kind, d.name))
    return out


def _read_headers(folder, names):
    texts = []
    for name in names:
        with open(os.path.join(folder, name), encoding="utf-8") as fh:
            texts.append(fh.read())
    return texts


def runtime_headers(include_dir=cheaders.RUNTIME_INCLUDE):
    """Texts of the runtime's public headers: part of every generated API."""
    folder = os.path.join(include_dir, "openrouter")
    if not os.path.isdir(folder):
        return []
    return _read_headers(folder, sorted(n for n in os.listdir(folder) if n.endswith(".h")))


def directory_surface(path, prefix="openrouter"):
    """API lines of the headers in a directory of generated code, with the
    runtime headers of the checkout it sits in (path/../runtime/include)."""
    texts = _read_headers(os.path.join(path, "include", prefix), HEADERS)
    runtime = os.path.join(os.path.dirname(os.path.abspath(path)), "runtime", "include")
    return declared(texts + runtime_headers(runtime))


def _generated(spec_path, prefix):
    """(template context, public header texts) of a spec."""
    m = model.build(load.load(spec_path), strict=False)  # what generates; a skipped operation is gone
    ctx = render.build_context(m, os.path.basename(spec_path), "", prefix)
    files = render.render_all(ctx, DEFAULT_TEMPLATES)
    return ctx, [files["include/%s/%s" % (prefix, name)] for name in HEADERS] + \
        runtime_headers()


def surface(spec_path, prefix="openrouter"):
    """The set of API lines of the code generated from `spec_path`."""
    ctx, headers = _generated(spec_path, prefix)
    out = declared(headers)
    for o in ctx["objects"]:
        for f in o["fields"]:
            out.add("field %s.%s: %s" % (o["ctype"], f["cname"], f["ctype"]))
            for flag in f["flags"]:
                out.add("flag %s.%s: %s" % (o["ctype"], f["cname"], flag))
        for v in (o["union"] or {}).get("variants", ()):
            out.add("variant %s.%s: %s" % (o["ctype"], v["member"], v["ctype"]))
    for op in ctx["operations"]:
        for p in op["params"]:
            out.add("request member %s_request.%s: %s (%s %s)" % (
                op["fn"], p["cname"], p["ctype"].strip(), p["location"].lower(), p["wire_name"]))
        if op["body"]:
            out.add("request member %s_request.body: %s" % (op["fn"], op["body"]))
        for r in op["responses"]:
            out.add("success status %s: %d" % (op["fn"], r["status"]))
        for s in op["error_statuses"]:
            out.add("error status %s: %d" % (op["fn"], s))
        if op["idempotent"]:
            out.add("idempotent %s (retried after reaching the server)" % op["fn"])
    return out


def _sides(old, new, prefix):
    """The API line sets of `old` and `new`, specs or directories of
    generated code (declarations only when either is a directory)."""
    if os.path.isdir(old) or os.path.isdir(new):
        return [directory_surface(p, prefix) if os.path.isdir(p) else
                declared(_generated(p, prefix)[1]) for p in (old, new)]
    return [surface(p, prefix) for p in (old, new)]


def diff(old, new, prefix="openrouter"):
    """Returns (added, removed) as sorted lists of API lines. `old` and `new`
    are specs or directories of generated code."""
    old_lines, new_lines = _sides(old, new, prefix)
    return sorted(new_lines - old_lines), sorted(old_lines - new_lines)


_DATETIME, _STRING = ": openrouter_datetime", ": openrouter_string"


def compare(old, new, prefix="openrouter"):
    """Returns (added, removed, relaxed): like diff(), with the relaxations
    (see the module comment) taken out of both lists and described in
    `relaxed`."""
    old, new = _sides(old, new, prefix)
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
