#!/usr/bin/env python3
"""Runs the README's "Regenerating" example and "Adding an endpoint" recipe
as written, in a copy of the tree, and keeps the spec they produce.

    python3 apply_recipe.py README.md SOURCE_ROOT REFERENCE_DIR OUT.yaml

The copy holds SOURCE_ROOT's spec/, generator/, templates/, generated/,
scripts/ and runtime/include/, with REFERENCE_DIR reachable as ../shared/reference beside it (the
path the README uses). Each ```sh block of the two sections runs with bash
in the copy's root, in README order; it must exit 0 or 1 (1: update-spec
reported a removal, which the README explains), and every line of the
```text block that follows it must appear in its output, in order. Exit 2
when a section, a block or an expected line is missing.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

SECTIONS = ("## Regenerating", "## Adding an endpoint")
# runtime/include: the generator reads the runtime's names from its headers.
COPIED = ("spec", "generator", "templates", "generated", "scripts", os.path.join("runtime", "include"))


def fail(message):
    raise SystemExit("error: " + message)


def blocks(readme_text, heading):
    """[(kind, lines)] of the fenced blocks in the section `heading`."""
    lines = readme_text.splitlines()
    if heading not in lines:
        fail("README has no %r section" % heading)
    out, kind, body = [], None, []
    for line in lines[lines.index(heading) + 1:]:
        if kind is None and line.startswith("## "):
            break
        if kind is None and line.startswith("```") and len(line) > 3:
            kind, body = line[3:].strip(), []
        elif kind is not None and line.strip() == "```":
            out.append((kind, body))
            kind = None
        elif kind is not None:
            body.append(line)
    return out


def commands(readme_text, heading):
    """[(shell text, expected output lines)] of a section."""
    found, out = blocks(readme_text, heading), []
    for i, (kind, body) in enumerate(found):
        if kind == "sh":
            nxt = found[i + 1] if i + 1 < len(found) else None
            out.append(("\n".join(body) + "\n", nxt[1] if nxt and nxt[0] == "text" else []))
    if not out:
        fail("no ```sh block in the README section %r" % heading)
    return out


def prepare(source_root, reference_dir, work):
    """Copies the tree into work/repo; returns that path."""
    repo = os.path.join(work, "repo")
    for name in COPIED:
        shutil.copytree(os.path.join(source_root, name), os.path.join(repo, name),
                        ignore=shutil.ignore_patterns("__pycache__"))
    os.makedirs(os.path.join(work, "shared"))
    os.symlink(os.path.abspath(reference_dir), os.path.join(work, "shared", "reference"))
    return repo


def run(repo, script, expected):
    """Runs one block; returns (exit status, output). Fails on exit >= 2 or
    on an expected line that is not in the output (in order)."""
    res = subprocess.run(["bash", "-c", script], cwd=repo, capture_output=True, text=True)
    output = res.stdout + res.stderr
    if res.returncode not in (0, 1):
        fail("README block %r exited %d:\n%s" % (script.strip(), res.returncode, output))
    lines, at = output.splitlines(), 0
    for want in expected:
        try:
            at = lines.index(want, at) + 1
        except ValueError:
            fail("README block %r did not print %r; it printed:\n%s" % (script.strip(), want, output))
    return res.returncode, output


def run_section(readme_text, heading, repo):
    return [run(repo, script, expected) for script, expected in commands(readme_text, heading)]


def compile_c(readme_text, heading, header, include_dirs, work):
    """Compiles the first ```c block of a section as the body of a function
    given `client` and `err` (-std=c11 -Wall -Wextra -Werror -pedantic, after
    `#include <header>`). Returns the compiler's result, or None without a
    C compiler."""
    cc = shutil.which("gcc") or shutil.which("clang")
    if cc is None:
        return None
    section = readme_text[readme_text.index(heading):]
    code = re.search(r"```c\n(.*?)```", section, re.S).group(1)
    src = os.path.join(work, "readme.c")
    with open(src, "w") as fh:
        fh.write("#include <stdio.h>\n#include <%s>\n" % header +
                 "void readme(openrouter_client *client, openrouter_error err);\n"
                 "void readme(openrouter_client *client, openrouter_error err)\n{\n" + code + "}\n")
    return subprocess.run([cc, "-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-fsyntax-only"] +
                          ["-I" + d for d in include_dirs] + [src], capture_output=True, text=True)


def main(argv):
    if len(argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as fh:
        readme = fh.read()
    work = tempfile.mkdtemp(prefix="or-recipe-")
    try:
        repo = prepare(argv[2], argv[3], work)
        for heading in SECTIONS:
            run_section(readme, heading, repo)
        shutil.copyfile(os.path.join(repo, "spec", "openrouter-keys.yaml"), argv[4])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
