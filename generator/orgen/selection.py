"""Cutting the operations spec/ covers out of a published description.

The selection file lists one operation a line as `METHOD /path` (comments
start with #). Operations are found by path and method, so an upstream
renaming of an operationId does not lose one. The cut keeps, from the
description: its top-level fields, the selected operations (with their
path item's shared fields such as `parameters`), every component they reach
through `$ref` (and security schemes by name), and the tags they use.
"""
import copy

from . import load
from .errors import SpecError, child, unescape_token
from .model import HTTP_METHODS

# Top-level fields in OpenAPI's own order first, then the rest (x-*) as
# upstream has them; webhooks are not operations spec/ covers.
_TOP_ORDER = ("openapi", "info", "jsonSchemaDialect", "servers", "security", "tags",
              "externalDocs", "paths", "components")
_SKIP_TOP = ("webhooks",)


def read_operations(path):
    """Returns [(method, path)] in file order (methods lower-case)."""
    try:
        with open(path, encoding="utf-8") as fh:
            lines = fh.read().splitlines()
    except OSError as exc:
        raise SpecError("cannot read %s: %s" % (path, exc.strerror))
    ops = []
    for number, line in enumerate(lines, 1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        parts = text.split()
        if len(parts) != 2 or parts[0].lower() not in HTTP_METHODS or not parts[1].startswith("/"):
            raise SpecError("%s:%d: expected 'METHOD /path', got %r" % (path, number, line))
        op = (parts[0].lower(), parts[1])
        if op in ops:
            raise SpecError("%s:%d: %s %s is listed twice"
                            % (path, number, parts[0].upper(), parts[1]))
        ops.append(op)
    if not ops:
        raise SpecError("%s lists no operation" % path)
    return ops


def select(document, operations):
    """Returns (the cut document, [(method, path)] missing upstream)."""
    paths = document.get("paths") or {}
    wanted = {}
    for method, path in operations:
        wanted.setdefault(path, set()).add(method)
    missing = [(m, p) for m, p in operations
               if not isinstance(paths.get(p), dict) or m not in paths[p]]
    out_paths = {}
    for path, item in paths.items():  # upstream order
        if path not in wanted or not isinstance(item, dict):
            continue
        kept = {k: copy.deepcopy(v) for k, v in item.items()
                if k not in HTTP_METHODS or k in wanted[path]}
        if any(m in kept for m in HTTP_METHODS):
            out_paths[path] = kept
    keys = [k for k in _TOP_ORDER if k in document or k == "paths"]
    keys += [k for k in document if k not in _TOP_ORDER and k not in _SKIP_TOP]
    out = {k: out_paths if k == "paths" else copy.deepcopy(document[k]) for k in keys}
    return prune(out), missing


def prune(document):
    """Drops the components nothing outside components/ reaches, and the
    tags no operation uses. Returns the document (changed in place)."""
    reached = set()
    outside = {k: v for k, v in document.items() if k != "components"}
    components = document.get("components") or {}
    todo = list(_references(outside))
    while todo:
        key = todo.pop()
        if key in reached:
            continue
        reached.add(key)
        section, name = key
        body = (components.get(section) or {}).get(name)
        if body is not None:
            todo.extend(_references(body))
    for section in list(components):
        if isinstance(components[section], dict):
            for name in list(components[section]):
                if (section, name) not in reached:
                    del components[section][name]
            if not components[section]:
                del components[section]
    if "components" in document and not components:
        del document["components"]
    _prune_tags(document)
    return document


def _references(node):
    """Yields (section, name) of every component `node` names: $ref
    targets, discriminator mapping values and security requirements."""
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, list):
            stack.extend(n)
            continue
        if not isinstance(n, dict):
            continue
        for key, value in n.items():
            if key == "$ref" and isinstance(value, str):
                targets = [value]
            elif key == "mapping" and isinstance(value, dict):
                targets = [v for v in value.values() if isinstance(v, str)]
            else:
                targets = []
            for ref in filter(None, map(_component, targets)):
                yield ref
            if key == "security" and isinstance(value, list):
                for req in value:
                    if isinstance(req, dict):
                        for scheme in req:
                            yield ("securitySchemes", scheme)
            stack.append(value)


def _component(ref):
    parts = ref.split("/")
    if len(parts) >= 4 and parts[0] == "#" and parts[1] == "components":
        return (parts[2], unescape_token(parts[3]))
    return None


def _prune_tags(document):
    used = set()
    for item in (document.get("paths") or {}).values():
        for method in HTTP_METHODS:
            op = item.get(method) if isinstance(item, dict) else None
            if isinstance(op, dict):
                used.update(t for t in op.get("tags") or [] if isinstance(t, str))
    if isinstance(document.get("tags"), list):
        document["tags"] = [t for t in document["tags"]
                            if isinstance(t, dict) and t.get("name") in used]
        if not document["tags"]:
            del document["tags"]


def dangling_refs(document):
    """The local $refs that lead nowhere, as sorted (ref, pointer) pairs."""
    spec = load.Spec("", document, b"")
    out = []
    stack = [(document, "#")]
    while stack:
        node, ptr = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref" and isinstance(value, str) and value.startswith("#"):
                    try:
                        spec.get(value)
                    except SpecError:
                        out.append((value, ptr))
                else:
                    stack.append((value, child(ptr, key)))
        elif isinstance(node, list):
            stack.extend((v, child(ptr, i)) for i, v in enumerate(node))
    return sorted(out)
