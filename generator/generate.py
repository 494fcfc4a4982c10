#!/usr/bin/env python3
"""openrouter-c generator: OpenAPI spec -> C descriptor tables and wrappers.

    python3 generator/generate.py --spec spec/openrouter-keys.yaml --out generated
    python3 generator/generate.py --spec spec/openrouter-keys.yaml --out generated --check
    python3 generator/generate.py --spec openrouter-full.yaml --out DIR [--strict]

By default every operation and component schema that can be generated is,
and the others are skipped with their reason and JSON pointer (on stderr and
in GENERATION_REPORT.md). --strict stops at the first construct that cannot
be generated instead (spec/ is built that way).

Exit codes: 0 success (or --check found no difference), 1 --check found
differences, 2 the spec is invalid or (--strict) uses an unsupported
construct (nothing is written).
"""
import argparse
import os
import re
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from orgen import load, model, render, report  # noqa: E402
from orgen.errors import GeneratorError  # noqa: E402

REPO_ROOT = os.path.dirname(HERE)
DEFAULT_TEMPLATES = os.path.join(REPO_ROOT, "templates")


def spec_label(path):
    """Spec path as written into file headers: relative to the repository
    when inside it, else the base name (so output does not depend on where
    the repository is checked out)."""
    full = os.path.realpath(path)
    root = os.path.realpath(REPO_ROOT)
    if full.startswith(root + os.sep):
        return os.path.relpath(full, root).replace(os.sep, "/")
    return os.path.basename(full)


def generate(spec_path, prefix="openrouter", template_dir=DEFAULT_TEMPLATES, label=None,
             strict=True, skipped=None):
    """Returns {relative output path: text}; raises GeneratorError. `label`
    names the spec in the file headers (default: spec_label(spec_path)).
    strict: all or nothing (what spec/ is built with). Otherwise whole-spec
    mode: operations and schemas that cannot be generated are left out and
    listed in GENERATION_REPORT.md, and, when `skipped` is a list, one line
    each is appended to it."""
    spec = load.load(spec_path)
    m = model.build(spec, strict=strict)
    ctx = render.build_context(m, label or spec_label(spec_path), spec.sha256, prefix)
    if skipped is not None:
        skipped.extend(report.stderr_lines(m))
    return render.render_all(ctx, template_dir)


def write_atomically(files, out_dir):
    """Writes every file to a temporary directory next to out_dir first,
    then moves each into place with os.replace()."""
    out_dir = os.path.abspath(out_dir)
    parent = os.path.dirname(out_dir)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".orgen-", dir=parent)
    try:
        for rel, text in sorted(files.items()):
            path = os.path.join(tmp, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
        for rel in sorted(files):
            dest = os.path.join(out_dir, rel)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            os.replace(os.path.join(tmp, rel), dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def check(files, out_dir):
    """Returns the sorted list of output files that differ from `files`."""
    differing = []
    for rel, text in sorted(files.items()):
        path = os.path.join(out_dir, rel)
        try:
            with open(path, "r", encoding="utf-8", newline="") as fh:
                current = fh.read()
        except OSError:
            current = None
        if current != text:
            differing.append(rel)
    return differing


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--spec", required=True, help="OpenAPI 3.0/3.1 document (YAML or JSON)")
    ap.add_argument("--out", required=True, help="output directory (e.g. generated)")
    ap.add_argument("--check", action="store_true",
                    help="do not write; exit 1 if --out differs from what would be generated")
    ap.add_argument("--prefix", default="openrouter",
                    help="C identifier prefix of generated names (default: openrouter)")
    ap.add_argument("--strict", action="store_true",
                    help="stop at the first construct that cannot be generated (default: skip "
                         "the operation or schema using it and list it in GENERATION_REPORT.md)")
    ap.add_argument("--templates", default=DEFAULT_TEMPLATES, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if not re.match(r"^[a-z][a-z0-9_]*$", args.prefix):
        print("error: --prefix must be a lower-case C identifier", file=sys.stderr)
        return 2
    skipped = []
    try:
        files = generate(args.spec, args.prefix, args.templates, strict=args.strict,
                         skipped=skipped)
    except GeneratorError as exc:
        print(exc.render(), file=sys.stderr)
        return 2
    for line in skipped:
        print(line, file=sys.stderr)
    if args.check:
        differing = check(files, args.out)
        if differing:
            print("generated code is out of date; differing files:", file=sys.stderr)
            for rel in differing:
                print("  " + os.path.join(args.out, rel), file=sys.stderr)
            return 1
        return 0
    write_atomically(files, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
