"""What a C header declares, read from its text.

Used for the names the runtime's public headers own (so no component can
clash with them) and by apidiff.py for the declarations of generated
headers. It understands what those headers contain: macros, typedefs
(function pointers included), struct/enum tags and enum constants,
function prototypes and extern objects. It is not a general C parser:
there are no function bodies, K&R declarations or nested declarators in
these headers.
"""
import functools
import os
import re
from collections import namedtuple

RUNTIME_INCLUDE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "runtime", "include")

# kind: "macro", "struct", "enum", "union", "typedef", "enum constant",
# "function" or "object"; text: the declaration with its spacing normalised
# ("" for a forward declaration of a struct, enum or union).
Decl = namedtuple("Decl", "kind name text")

_TOKENS = re.compile(r'/\*.*?\*/|//[^\n]*|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'', re.S)
_DEFINE = re.compile(r"#\s*define\s+([A-Za-z_]\w*)(.*)")
_COND = re.compile(r"#\s*(if|ifdef|ifndef|elif|else|endif)\b(.*)")
_IDENT = re.compile(r"[A-Za-z_]\w*")
_TAGGED = re.compile(r"^(?:typedef\s+)?(struct|enum|union)\s+([A-Za-z_]\w*)?\s*$")
# An attribute macro such as OPENROUTER_DEPRECATED("...") (strings are blanked).
_ATTRIBUTE = re.compile(r"\b[A-Z][A-Z0-9_]*\s*\((?:\s*\"\"\s*)*\)|__attribute__\s*\(\(.*?\)\)")


def _blank(match):
    text = match.group(0)
    if text.startswith("/"):
        return " " if text.startswith("/*") and "\n" not in text else "\n" * text.count("\n")
    return '""'


def _code_and_macros(text):
    """Comments dropped, strings blanked, preprocessor lines read: returns
    (declarations text, macro names). `#ifdef __cplusplus` blocks and
    header guards are left out."""
    text = _TOKENS.sub(_blank, text).replace("\\\n", " ")
    code, macros, skip = [], [], []
    guard = None
    for line in text.split("\n"):
        stripped = line.strip()
        cond = _COND.match(stripped)
        if cond:
            word, rest = cond.group(1), cond.group(2).strip()
            if word in ("if", "ifdef", "ifndef"):
                skip.append(word != "ifndef" and "__cplusplus" in rest)
                if word == "ifndef" and guard is None:
                    guard = rest
            elif word in ("else", "elif") and skip:
                skip[-1] = False
            elif word == "endif" and skip:
                skip.pop()
            continue
        if any(skip):
            continue
        define = _DEFINE.match(stripped)
        if define:
            if define.group(1) != guard:
                macros.append(define.group(1))
        elif not stripped.startswith("#"):
            code.append(line)
    return "\n".join(code), macros


def _statements(code):
    """Top-level declarations, split at `;` outside braces and parentheses,
    and after the body of a function defined in the header (static inline)."""
    out, depth, start, body_at = [], 0, 0, None
    for i, ch in enumerate(code):
        if ch in "{(":
            if ch == "{" and depth == 0 and code[start:i].rstrip().endswith(")"):
                body_at = i
            depth += 1
        elif ch in "})":
            depth -= 1
            if depth == 0 and body_at is not None:
                out.append(" ".join(code[start:body_at].split()))
                start, body_at = i + 1, None
        elif ch == ";" and depth == 0:
            out.append(" ".join(code[start:i].split()))
            start = i + 1
    return [s for s in out if s]


def _braced(stmt):
    """(head, body, tail) around the outer braces, or None without braces."""
    open_at = stmt.find("{")
    if open_at < 0:
        return None
    depth = 0
    for i in range(open_at, len(stmt)):
        depth += {"{": 1, "}": -1}.get(stmt[i], 0)
        if depth == 0:
            return stmt[:open_at].strip(), stmt[open_at + 1:i], stmt[i + 1:].strip()
    return None


def _enum_constants(body):
    return [m.group(0) for m in (_IDENT.match(part.strip()) for part in body.split(","))
            if m]


def _declare(stmt):
    """The Decls of one top-level declaration."""
    stmt = " ".join(_ATTRIBUTE.sub(" ", stmt).split())
    out = []
    braced = _braced(stmt)
    if braced is not None:
        head, body, tail = braced
        tagged = _TAGGED.match(head)
        if tagged:
            kind = tagged.group(1)
            if tagged.group(2):
                out.append(Decl(kind, tagged.group(2), "%s %s" % (kind, tagged.group(2))))
            if kind == "enum":
                out += [Decl("enum constant", c, c) for c in _enum_constants(body)]
            for name in _IDENT.findall(tail) if head.startswith("typedef") else ():
                out.append(Decl(kind, name, "%s %s" % (kind, name)))
        return out
    if stmt.startswith("typedef "):
        pointer = re.search(r"\(\s*\*\s*([A-Za-z_]\w*)\s*\)", stmt)
        name = pointer.group(1) if pointer else _IDENT.findall(stmt)[-1]
        tagged = re.match(r"typedef (struct|enum|union) ([A-Za-z_]\w*) ", stmt)
        if tagged:  # a forward declaration: no "text", the definition has it
            return [Decl(tagged.group(1), tagged.group(2), ""),
                    Decl(tagged.group(1), name, "")]
        return [Decl("typedef", name, stmt)]
    paren = stmt.find("(")
    if paren > 0:
        return [Decl("function", _IDENT.findall(stmt[:paren])[-1], stmt)]
    words = _IDENT.findall(stmt.split("=")[0].split("[")[0])
    return [Decl("object", words[-1], stmt)] if words else []


def declarations(text):
    """Every Decl of a header's text, in order (a struct completed after a
    forward declaration appears twice)."""
    code, macros = _code_and_macros(text)
    out = [Decl("macro", name, name) for name in macros]
    for stmt in _statements(code):
        out += _declare(stmt)
    return out


@functools.lru_cache(maxsize=None)
def runtime_names(include_dir=RUNTIME_INCLUDE):
    """{C identifier: header path} of every name the runtime's public
    headers (include_dir/openrouter/*.h) declare."""
    folder = os.path.join(include_dir, "openrouter")
    names = {}
    for header in sorted(os.listdir(folder)):
        if not header.endswith(".h"):
            continue
        with open(os.path.join(folder, header), encoding="utf-8") as fh:
            decls = declarations(fh.read())
        for d in decls:  # named after the header that defines it
            if d.text or d.name not in names:
                names[d.name] = "runtime/include/openrouter/" + header
    return names
