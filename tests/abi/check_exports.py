#!/usr/bin/env python3
"""The shared library exports exactly what the installed headers declare.

Installs BUILD_DIR into a temporary prefix, lists the dynamic symbols the
installed libopenrouter.so defines (nm -D --defined-only), and the functions
and extern objects the installed headers include/openrouter/*.h declare
(read by generator/orgen/cheaders.py), then checks both ways:
  - every exported symbol is declared in a public header (no test hook, no
    internal helper leaks through the version script);
  - every declared function and object is exported (nothing promised that is
    not there).
Exit status 1, with the differences listed, when either fails.

  check_exports.py --build BUILD_DIR [--exclude-origin HEADER] [--extra-header FILE]
--exclude-origin and --extra-header exist so CTest can show the check fails:
the first forgets what one header declares, the second adds declarations.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                                "generator"))
from orgen import cheaders  # noqa: E402  (the one C header reader)


def exported_symbols(lib):
    out = subprocess.run(["nm", "-D", "--defined-only", lib], check=True, capture_output=True, text=True).stdout
    names = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[1] != "A":  # "A": version nodes, not code or data
            names.add(parts[2].split("@")[0])
    return names


def declarations(include_dir, exclude_origin, extra_headers):
    """{name: header} of the functions and extern objects the installed
    headers declare (read with the generator's header reader), functions
    defined in a header (static inline) left out: nothing to export."""
    hdr_dir = os.path.join(include_dir, "openrouter")
    headers = [os.path.join(hdr_dir, f) for f in sorted(os.listdir(hdr_dir)) if f.endswith(".h")]
    found = {}
    for path in headers + extra_headers:
        if os.path.basename(path) == exclude_origin:
            continue
        with open(path, encoding="utf-8") as fh:
            for d in cheaders.declarations(fh.read()):
                if d.kind in ("function", "object") and not d.text.startswith("static "):
                    found.setdefault(d.name, os.path.basename(path))
    return found


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--exclude-origin", default=None)
    ap.add_argument("--extra-header", action="append", default=[])
    args = ap.parse_args()
    prefix = tempfile.mkdtemp(prefix="or-abi.")
    try:
        subprocess.run(["cmake", "--install", args.build, "--prefix", prefix], check=True,
                       stdout=subprocess.DEVNULL)
        libdir = next(os.path.join(prefix, d) for d in ("lib", "lib64", os.path.join("lib", "x86_64-linux-gnu"))
                      if os.path.exists(os.path.join(prefix, d, "libopenrouter.so")))
        exported = exported_symbols(os.path.join(libdir, "libopenrouter.so"))
        declared = declarations(os.path.join(prefix, "include"), args.exclude_origin,
                                [os.path.abspath(h) for h in args.extra_header])
    finally:
        shutil.rmtree(prefix, ignore_errors=True)
    undeclared = sorted(exported - set(declared))
    unexported = sorted(set(declared) - exported)
    print("%d symbols exported, %d declared in the installed headers" % (len(exported), len(declared)))
    for name in undeclared:
        print("exported but not declared in any public header: %s" % name)
    for name in unexported:
        print("declared in %s but not exported: %s" % (declared[name], name))
    return 1 if undeclared or unexported or not exported else 0


if __name__ == "__main__":
    sys.exit(main())
