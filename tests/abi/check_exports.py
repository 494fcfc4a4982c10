#!/usr/bin/env python3
"""The shared library exports exactly what the installed headers declare.

Installs BUILD_DIR into a temporary prefix, lists the dynamic symbols the
installed libopenrouter.so defines (nm -D --defined-only), and the functions
and extern objects the installed headers include/openrouter/*.h declare (each
header run through the C preprocessor, declarations kept when they come from
an installed header), then checks both ways:
  - every exported symbol is declared in a public header (no test hook, no
    internal helper leaks through the version script);
  - every declared function and object is exported (nothing promised that is
    not there).
Exit status 1, with the differences listed, when either fails.

  check_exports.py --build BUILD_DIR [--cc CC]
                   [--exclude-origin HEADER] [--extra-header FILE]
--exclude-origin and --extra-header exist so CTest can show the check fails:
the first forgets what one header declares, the second adds declarations.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile


def exported_symbols(lib):
    out = subprocess.run(["nm", "-D", "--defined-only", lib], check=True, capture_output=True, text=True).stdout
    names = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[1] != "A":  # "A": version nodes, not code or data
            names.add(parts[2].split("@")[0])
    return names


def preprocess(cc, include_dir, header):
    """The header's preprocessed text, as (origin file, text) pieces."""
    src = '#include "%s"\n' % header
    out = subprocess.run([cc, "-E", "-std=c11", "-I", include_dir, "-x", "c", "-"], input=src, check=True,
                         capture_output=True, text=True).stdout
    # Line markers also come between lines of one file (after skipped
    # lines): consecutive lines of the same file stay one piece.
    pieces, origin, buf = [], None, []
    for line in out.splitlines():
        m = re.match(r'#\s*\d+\s+"([^"]*)"', line)
        if m and m.group(1) == origin:
            continue
        if m:
            if buf:
                pieces.append((origin, "\n".join(buf)))
                buf = []
            origin = m.group(1)
            continue
        buf.append(line)
    if buf:
        pieces.append((origin, "\n".join(buf)))
    return pieces


def strip_noise(text):
    text = re.sub(r"__attribute__\s*\(\((?:[^()]|\([^()]*\))*\)\)", " ", text)
    text = re.sub(r"\b__asm__\s*\([^)]*\)", " ", text)
    return re.sub(r"\b(__extension__|__restrict|__inline)\b", " ", text)


def statements(text):
    """Top-level statements: split at ';' outside braces and parentheses; a
    function definition (a body after ')') ends at its closing brace."""
    out, cur, depth, paren = [], [], 0, 0
    for ch in text:
        cur.append(ch)
        if ch == "(":
            paren += 1
        elif ch == ")":
            paren -= 1
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                head = "".join(cur).split("{", 1)[0].rstrip()
                if head.endswith(")"):
                    out.append("".join(cur))
                    cur = []
        elif ch == ";" and depth == 0 and paren == 0:
            out.append("".join(cur))
            cur = []
    return [" ".join(s.split()) for s in out if s.strip()]


def declared_names(stmt):
    """(names, kind) a top-level statement declares; kind "inline" for a
    function defined in the header (nothing to export)."""
    head = stmt.split("{", 1)[0]
    if stmt.startswith("typedef") or (re.match(r"(struct|union|enum)\b", head) and "(" not in head):
        return [], None  # a type, not a symbol
    m = re.search(r"\(\s*\*\s*(\w+)\s*\)", head)
    if m and "extern" in head:
        return [m.group(1)], "object"
    m = re.search(r"(\w+)\s*\(", head)
    if m:
        return [m.group(1)], "inline" if "{" in stmt else "function"
    names = []
    for decl in head.rstrip(";").split(","):
        decl = re.sub(r"\[[^\]]*\]|=.*$", "", decl).strip()
        m = re.search(r"(\w+)\s*$", decl)
        if m:
            names.append(m.group(1))
    return names, "object"


def declarations(cc, include_dir, exclude_origin, extra_headers):
    hdr_dir = os.path.realpath(os.path.join(include_dir, "openrouter"))
    headers = sorted("openrouter/" + f for f in os.listdir(hdr_dir) if f.endswith(".h"))
    found = {}
    for header in headers + extra_headers:
        for origin, text in preprocess(cc, include_dir, header):
            if origin is None:
                continue
            path = os.path.realpath(origin) if os.path.exists(origin) else origin
            public = path.startswith(hdr_dir + os.sep) or path in [os.path.realpath(h) for h in extra_headers]
            if not public or os.path.basename(path) == exclude_origin:
                continue
            for stmt in statements(strip_noise(text)):
                names, kind = declared_names(stmt)
                for name in names:
                    if kind != "inline":
                        found.setdefault(name, os.path.basename(path))
    return found


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--cc", default=os.environ.get("CC", "cc"))
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
        declared = declarations(args.cc, os.path.join(prefix, "include"), args.exclude_origin,
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
