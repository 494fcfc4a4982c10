"""Reading the spec and resolving local $refs."""
import hashlib
import json
import os
import re

import yaml

from .errors import SpecError, UnsupportedError, child, unescape_token


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """SafeLoader (libyaml's parser when PyYAML has it: the same values,
    several times faster) reading scalars closer to YAML 1.2 (what OpenAPI
    3.1 asks for): timestamps stay strings and only true/false are booleans,
    so an enum value such as `on`, `off`, `yes` or `no` stays a string."""


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v
        if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"))


class Spec:
    """A loaded document plus helpers to follow local references."""

    def __init__(self, path, data, raw):
        self.path = path
        self.data = data
        self.sha256 = hashlib.sha256(raw).hexdigest()

    def get(self, ptr):
        """Returns the node at a "#/..." pointer, or raises SpecError."""
        if ptr == "#":
            return self.data
        if not ptr.startswith("#/"):
            raise SpecError("bad pointer %r" % ptr)
        node = self.data
        for tok in ptr[2:].split("/"):
            tok = unescape_token(tok)
            if isinstance(node, dict) and tok in node:
                node = node[tok]
            elif isinstance(node, list) and tok.isdigit() and int(tok) < len(node):
                node = node[int(tok)]
            else:
                raise SpecError("$ref target %s does not exist" % ptr)
        return node

    def deref(self, node, ptr, stack=()):
        """Follows a chain of $ref objects (non-schema objects: parameters,
        responses, request bodies). Returns (node, pointer_of_node)."""
        seen = set(stack)
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            ref_ptr = child(ptr, "$ref")
            if not isinstance(ref, str) or not ref.startswith("#/"):
                raise UnsupportedError("non-local $ref %r" % (ref,), ref_ptr)
            if ref in seen:
                raise UnsupportedError("recursive $ref %r" % ref, ref_ptr)
            seen.add(ref)
            node, ptr = self.get(ref), ref
        return node, ptr


def read_document(path):
    """Reads a YAML (as YAML 1.2 would) or JSON file; returns (data, raw bytes)."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise SpecError("cannot read %s: %s" % (path, exc.strerror))
    try:
        text = raw.decode("utf-8", errors="strict")
        if os.path.splitext(path)[1].lower() == ".json":
            data = json.loads(text)
        else:
            data = yaml.load(text, Loader=_Loader)  # noqa: S506 (SafeLoader subclass)
    except (ValueError, yaml.YAMLError) as exc:
        raise SpecError("cannot parse %s: %s" % (path, str(exc).splitlines()[0]))
    return data, raw


def parse_yaml(text):
    """Parses YAML text the way read_document() reads a file."""
    return yaml.load(text, Loader=_Loader)  # noqa: S506 (SafeLoader subclass)


def load(path):
    data, raw = read_document(path)
    if not isinstance(data, dict):
        raise SpecError("document is not an object")
    version = str(data.get("openapi", ""))
    if not (version.startswith("3.0") or version.startswith("3.1")):
        raise UnsupportedError("OpenAPI version %r" % version, "#/openapi")
    return Spec(path, data, raw)
