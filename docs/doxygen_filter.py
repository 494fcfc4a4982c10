#!/usr/bin/env python3
"""Doxygen INPUT_FILTER for openrouter-c headers.

The headers are commented in plain C style (`/* ... */` above a
declaration, `/* ... */` after a member or constant), so they read well
without Doxygen. This filter lets Doxygen see those comments as
documentation without touching the sources: the first comment of a file
becomes its @file description, a comment on a line of its own becomes
`/** ... */` for the declaration below it, and a comment that follows code
on the same line becomes `/**< ... */` for that code. Section banners
(`/* ---- ... */`) and comments inside macros stay plain. The line count is
unchanged, so warnings point at the right lines.

    python3 docs/doxygen_filter.py FILE   (writes the filtered text to stdout)
"""
import re
import sys

LEADING = re.compile(r"^(\s*)/\*(?![*!])(?!\s*-{2,})")
TRAILING = re.compile(r"(\S.*?)(\s*)/\*(?![*!])")


def filter_text(text):
    out = []
    first = True        # no code or comment seen yet
    in_comment = None   # None, "file" or "doc" while inside a comment
    for line in text.split("\n"):
        if in_comment:
            if "*/" in line:
                if in_comment == "file":
                    # "@file" with nothing after it: this file.
                    line = line.replace("*/", "@file */", 1)
                in_comment = None
            out.append(line)
            continue
        if first and line.startswith("/*") and not line.startswith(("/**", "/*!")):
            first = False
            line = "/**" + line[2:]
            if "*/" in line:
                line = line.replace("*/", "@file */", 1)
            else:
                in_comment = "file"
            out.append(line)
            continue
        m = LEADING.match(line)
        if m and not line.rstrip().endswith("\\"):
            first = False
            line = m.group(1) + "/**" + line[m.end():]
            in_comment = None if "*/" in line[m.end():] else "doc"
            out.append(line)
            continue
        m = TRAILING.search(line)
        if m and not line.lstrip().startswith("#if") and not line.rstrip().endswith("\\"):
            first = False
            start = m.end()
            line = line[:start - 2] + "/**<" + line[start:]
            in_comment = None if "*/" in line[start:] else "doc"
            out.append(line)
            continue
        if line.strip():
            first = False
            if "/*" in line and "*/" not in line.split("/*", 1)[1]:
                in_comment = "doc"
        out.append(line)
    return "\n".join(out)


def main():
    with open(sys.argv[1], encoding="utf-8") as fh:
        sys.stdout.write(filter_text(fh.read()))


if __name__ == "__main__":
    main()
