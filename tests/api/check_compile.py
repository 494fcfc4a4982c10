#!/usr/bin/env python3
"""Every public header and every example compiles warning-free as C11 with
-Wwrite-strings and -Wcast-qual, and as C++17 under g++ and clang++; so
does api_use.c, which uses every *_INIT macro and every value macro.

    python3 tests/api/check_compile.py [--compilers cc,g++,clang++]

Each compiler missing from the machine is a failure, not a skip: CI
installs them (scripts/deps). Exit status 0 when everything compiled.
"""

import argparse
import glob
import os
import re
import shlex
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
INCLUDES = [os.path.join(ROOT, "runtime", "include"), os.path.join(ROOT, "generated", "include")]
# Examples built from the whole-API library (tests/upstream/CMakeLists.txt).
WHOLE_API_EXAMPLES = ("stream_chat.c",)

C_FLAGS = ["-std=c11", "-Wall", "-Wextra", "-Wpedantic", "-Wwrite-strings", "-Wcast-qual", "-Werror"]
CXX_FLAGS = ["-x", "c++", "-std=c++17", "-Wall", "-Wextra", "-Wpedantic", "-Wcast-qual",
             "-Werror"]


def public_headers():
    found = []
    for inc in INCLUDES:
        found += sorted(glob.glob(os.path.join(inc, "openrouter", "*.h")))
    return found


def init_macros(headers):
    """X(type, MACRO) for every OPENROUTER_*_INIT whose type the headers
    declare: the list api_use.c expands."""
    text = "".join(open(h).read() for h in headers)
    types = set(re.findall(r"\}\s*(openrouter_\w+)\s*;", text))
    types |= set(re.findall(r"typedef struct \w+ (openrouter_\w+);", text))
    pairs = []
    for macro in sorted(set(re.findall(r"#define (OPENROUTER_\w+)_INIT\b", text))):
        name = macro.lower()
        if name in types:
            pairs.append("X(%s,%s_INIT)" % (name, macro))
    return pairs


def pkg_cflags(package):
    out = subprocess.run(["pkg-config", "--cflags", package], capture_output=True, text=True)
    return shlex.split(out.stdout) if out.returncode == 0 else []


def compile_one(compiler, flags, source, defines, out_dir):
    obj = os.path.join(out_dir, "out.o")
    cmd = [compiler] + flags + ["-I" + i for i in INCLUDES] + pkg_cflags("json-c") + defines
    cmd += ["-c", source, "-o", obj]
    p = subprocess.run(cmd, capture_output=True, text=True)
    return p.returncode == 0, " ".join(shlex.quote(c) for c in cmd), p.stderr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--compilers", default="cc,g++,clang++",
                    help="C compiler first, then C++ compilers (comma-separated)")
    ap.add_argument("--whole-api-include", metavar="DIR",
                    help="headers generated from the whole description (--prefix orfull), for the "
                         "examples that use it (stream_chat.c); without it they are left out")
    args = ap.parse_args()
    compilers = args.compilers.split(",")
    headers = public_headers()
    examples = sorted(glob.glob(os.path.join(ROOT, "examples", "*.c")))
    if args.whole_api_include:
        INCLUDES.append(args.whole_api_include)
    else:
        examples = [e for e in examples if os.path.basename(e) not in WHOLE_API_EXAMPLES]
    inits = init_macros(headers)
    if len(headers) < 6 or not examples or len(inits) < 10:
        print("found too little: %d headers, %d examples, %d *_INIT macros"
              % (len(headers), len(examples), len(inits)))
        return 1

    jobs = []  # (what, source, defines)
    for h in headers:
        rel = os.path.relpath(h, os.path.dirname(os.path.dirname(h)))
        jobs.append((rel, os.path.join(HERE, "one_header.c"), ["-DOR_HEADER=<%s>" % rel]))
    for e in examples:
        jobs.append((os.path.relpath(e, ROOT), e, []))
    jobs.append(("tests/api/api_use.c (%d *_INIT macros)" % len(inits), os.path.join(HERE, "api_use.c"),
                 ["-DOR_INIT_MACROS=" + " ".join(inits)]))

    failures = 0
    with tempfile.TemporaryDirectory(prefix="or-api-") as tmp:
        for i, compiler in enumerate(compilers):
            flags = C_FLAGS if i == 0 else CXX_FLAGS
            for what, source, defines in jobs:
                try:
                    ok, cmd, err = compile_one(compiler, flags, source, defines, tmp)
                except FileNotFoundError:
                    print("FAIL %s: compiler not found (scripts/deps installs it)" % compiler)
                    failures += 1
                    break
                print("%s %-8s %s" % ("ok  " if ok else "FAIL", compiler, what))
                if not ok:
                    failures += 1
                    print("  " + cmd)
                    print(err)
    print("%d failure(s)" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
