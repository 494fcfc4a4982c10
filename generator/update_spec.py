#!/usr/bin/env python3
"""Rebuilds spec/openrouter-keys.yaml from OpenRouter's published description.

    scripts/update-spec [NEW_UPSTREAM_FILE]   rebuild (from a new description)
    scripts/update-spec --check               prove spec/ and generated/ current

Sources, all under spec/: the one file in upstream/ (the description as
published, unedited; NEW_UPSTREAM_FILE replaces it, whole or an excerpt),
operations.txt (which operations, by method and path) and overlays/*.yaml
(this project's additions, Overlay 1.0, applied in file-name order).

Without --check: writes spec/openrouter-keys.yaml and generated/, then prints
generator/apidiff.py between the old and the new spec. Nothing is written
when the result cannot be generated.

Exit codes: 0 done; 1 the C API lost something, an overlay action is stale
(it matches nothing or changes nothing: upstream may already have it), a
selected operation is missing upstream, or (--check) spec/ or generated/
differ from what this command produces; 2 bad input or a spec the generator
cannot handle (nothing written).
"""
import argparse
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import apidiff  # noqa: E402
import generate  # noqa: E402
from orgen import produce  # noqa: E402
from orgen.errors import GeneratorError  # noqa: E402

ROOT = os.path.dirname(HERE)
SPEC_DIR = os.path.join(ROOT, "spec")
SPEC = os.path.join(SPEC_DIR, "openrouter-keys.yaml")
SPEC_LABEL = "spec/openrouter-keys.yaml"
UPSTREAM_DIR = os.path.join(SPEC_DIR, "upstream")
OPERATIONS = os.path.join(SPEC_DIR, "operations.txt")
OVERLAY_DIR = os.path.join(SPEC_DIR, "overlays")
GENERATED = os.path.join(ROOT, "generated")


def rel(path):
    return os.path.relpath(path, ROOT).replace(os.sep, "/")


def current_upstream():
    names = sorted(n for n in os.listdir(UPSTREAM_DIR) if not n.startswith("."))
    if len(names) != 1:
        raise GeneratorError("%s must hold exactly one description, not %d files"
                             % (rel(UPSTREAM_DIR), len(names)))
    return os.path.join(UPSTREAM_DIR, names[0])


def sources(new_upstream):
    """(upstream Source, operations Source, [overlay Source])."""
    if new_upstream:
        upstream = produce.Source(new_upstream, "spec/upstream/" + os.path.basename(new_upstream))
    else:
        path = current_upstream()
        upstream = produce.Source(path, rel(path))
    overlays = [produce.Source(os.path.join(OVERLAY_DIR, n), "spec/overlays/" + n)
                for n in sorted(os.listdir(OVERLAY_DIR)) if n.endswith((".yaml", ".yml"))]
    return upstream, produce.Source(OPERATIONS, rel(OPERATIONS)), overlays


def report(result, out):
    """Prints missing operations and stale actions; returns how many."""
    for method, path in result.missing:
        print("missing: %s %s is not in the upstream description" % (method.upper(), path),
              file=out)
    for r in result.stale:
        print("stale: %s: %s; upstream may already have this" % (r.action.label, r.reason),
              file=out)
    return len(result.missing) + len(result.stale)


def generate_files(spec_text, tmp):
    path = os.path.join(tmp, "openrouter-keys.yaml")
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(spec_text)
    return path, generate.generate(path, label=SPEC_LABEL, strict=True)  # spec/ generates whole


def check(result, tmp):
    problems = report(result, sys.stderr)
    try:
        with open(SPEC, encoding="utf-8", newline="") as fh:
            same = fh.read() == result.text
    except OSError:
        same = False
    if not same:
        print("%s is not what scripts/update-spec produces from its sources" % SPEC_LABEL,
              file=sys.stderr)
        problems += 1
    _, files = generate_files(result.text, tmp)
    for name in generate.check(files, GENERATED):
        print("generated/%s is out of date" % name, file=sys.stderr)
        problems += 1
    return 1 if problems else 0


def update(result, upstream, tmp):
    new_path, files = generate_files(result.text, tmp)  # fails before anything is written
    old_path = None
    if os.path.exists(SPEC):
        old_path = os.path.join(tmp, "old-openrouter-keys.yaml")
        shutil.copyfile(SPEC, old_path)
    replace_upstream(upstream)
    with open(SPEC, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(result.text)
    generate.write_atomically(files, GENERATED)
    problems = report(result, sys.stdout)
    removed = []
    if old_path:
        print("C API changes (generator/apidiff.py, old spec -> new spec):")
        added, removed, relaxed = apidiff.compare(old_path, new_path)
        apidiff.print_changes(added, removed, relaxed)
        if not (added or removed or relaxed):
            print("  none")
    print("wrote %s and generated/ from %s" % (SPEC_LABEL, upstream.label))
    return 1 if problems or removed else 0


def replace_upstream(upstream):
    """Makes `upstream` the one file in spec/upstream/ (bytes unchanged)."""
    dest = os.path.join(UPSTREAM_DIR, os.path.basename(upstream.path))
    os.makedirs(UPSTREAM_DIR, exist_ok=True)
    if os.path.realpath(upstream.path) != os.path.realpath(dest):
        shutil.copyfile(upstream.path, dest)
    for name in os.listdir(UPSTREAM_DIR):
        if name != os.path.basename(dest) and not name.startswith("."):
            os.remove(os.path.join(UPSTREAM_DIR, name))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("upstream", nargs="?", help="a new published description (YAML or JSON)")
    ap.add_argument("--check", action="store_true",
                    help="write nothing; exit 1 unless spec/ and generated/ are current")
    args = ap.parse_args(argv)
    if args.check and args.upstream:
        ap.error("--check takes no upstream file: it checks the committed one")
    tmp = tempfile.mkdtemp(prefix="update-spec-")
    try:
        srcs = sources(args.upstream)
        result = produce.produce(srcs[0], srcs[1], srcs[2], SPEC_LABEL)
        if args.check:
            return check(result, tmp)
        return update(result, srcs[0], tmp)
    except GeneratorError as exc:
        print(exc.render(), file=sys.stderr)
        return 2
    except OSError as exc:
        print("error: %s" % exc, file=sys.stderr)
        return 2
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
