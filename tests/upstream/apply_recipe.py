#!/usr/bin/env python3
"""Applies the README's "Adding an endpoint" recipe to a copy of the spec.

    python3 apply_recipe.py README.md spec/openrouter-keys.yaml OUT.yaml

Takes the first ```yaml block of the README section "## Adding an endpoint"
and inserts it right after the spec's top-level `paths:` line, as the
README tells a reader to do. Exit 2 when the section or the line is missing.
"""
import sys


def recipe_snippet(readme_text):
    lines = readme_text.splitlines()
    try:
        start = lines.index("## Adding an endpoint")
    except ValueError:
        raise SystemExit("error: README has no '## Adding an endpoint' section") from None
    block, inside = [], False
    for line in lines[start + 1:]:
        if line.startswith("## "):
            break
        if not inside and line.strip() == "```yaml":
            inside = True
        elif inside and line.strip() == "```":
            return block
        elif inside:
            block.append(line)
    raise SystemExit("error: no ```yaml block in the README section")


def apply(readme_text, spec_text):
    snippet = recipe_snippet(readme_text)
    lines = spec_text.splitlines()
    if "paths:" not in lines:
        raise SystemExit("error: the spec has no top-level 'paths:' line")
    at = lines.index("paths:") + 1
    return "\n".join(lines[:at] + snippet + lines[at:]) + "\n"


def main(argv):
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as fh:
        readme = fh.read()
    with open(argv[2], encoding="utf-8") as fh:
        spec = fh.read()
    with open(argv[3], "w", encoding="utf-8", newline="\n") as fh:
        fh.write(apply(readme, spec))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
