"""spec/openrouter-keys.yaml from its sources: the published description
(spec/upstream/), the selection (spec/operations.txt) and the overlays
(spec/overlays/*.yaml, applied in file-name order).

    select the operations (by path and method) and what they reach
    -> apply each overlay's actions in order
    -> drop the components nothing reaches any more
    -> check that every local $ref resolves
    -> YAML text with a header naming every source and its sha256
"""
import hashlib

import yaml

from . import jsonpath, load, overlay, selection
from .errors import SpecError

PRODUCER = "scripts/update-spec"


class Source:
    """One input file: where it is and how the header names it."""

    def __init__(self, path, label):
        self.path = path
        self.label = label
        with open(path, "rb") as fh:
            self.sha256 = hashlib.sha256(fh.read()).hexdigest()


class Produced:
    def __init__(self, text, results, missing):
        self.text = text
        self.results = results    # overlay.Result per action, in order
        self.missing = missing    # [(method, path)] the upstream file lacks

    @property
    def stale(self):
        return [r for r in self.results if r.stale]


def produce(upstream, operations, overlays, spec_label):
    """`upstream`, `operations`: Source; `overlays`: [Source] in order.
    Returns Produced; raises GeneratorError when something cannot be read
    or the result has dangling references."""
    document, _ = load.read_document(upstream.path)
    if not isinstance(document, dict) or not isinstance(document.get("paths"), dict):
        raise SpecError("%s is not an OpenAPI description (no paths)" % upstream.label)
    cut, missing = selection.select(document, selection.read_operations(operations.path))
    results = []
    for src in overlays:
        results.extend(overlay.apply(cut, overlay.read(src.path, src.label)))
    selection.prune(cut)
    dangling = selection.dangling_refs(cut)
    if dangling:
        ref, where = dangling[0]
        raise SpecError("$ref %s leads nowhere (an overlay may point at something the "
                        "upstream description lacks)" % ref, where)
    text = header(spec_label, [upstream, operations] + list(overlays)) + dump_yaml(cut)
    return Produced(text, results, missing)


def header(spec_label, sources):
    lines = ["%s: produced by %s from the sources below; DO NOT EDIT." % (spec_label, PRODUCER),
             "Sources (sha256):"]
    lines += ["  %s  %s" % (s.sha256, s.label) for s in sources]
    lines += ["Change a source and run %s (README.md, \"Regenerating\")." % PRODUCER]
    return "".join("# %s\n" % line if line else "#\n" for line in lines)


class _Dumper(yaml.SafeDumper):
    """Block style, no anchors, no line folding: a stable, diffable text."""

    def ignore_aliases(self, data):
        return True


def dump_yaml(data):
    text = yaml.dump(data, Dumper=_Dumper, default_flow_style=False, sort_keys=False,
                     allow_unicode=True, width=1 << 20)
    if not jsonpath.json_equal(load.parse_yaml(text), data):
        raise SpecError("internal: the produced YAML does not read back as written")
    return text
