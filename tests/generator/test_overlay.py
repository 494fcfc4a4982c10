"""Overlay 1.0 documents (generator/orgen/overlay.py), and every action of
spec/overlays/: each applies to the committed upstream description, and
once upstream already has its change it is reported as stale.

Run from the repository root:
    python3 -m unittest discover -s tests/generator
"""
import copy
import os
import re
import shutil
import sys
import tempfile
import unittest

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "generator"))
import apidiff  # noqa: E402
import generate  # noqa: E402
from orgen import load, overlay, produce, selection  # noqa: E402
from orgen.overlay import OverlayError  # noqa: E402

SPEC_DIR = os.path.join(REPO, "spec")
OVERLAY_DIR = os.path.join(SPEC_DIR, "overlays")
OPERATIONS = os.path.join(SPEC_DIR, "operations.txt")


def committed_upstream():
    up = os.path.join(SPEC_DIR, "upstream")
    return os.path.join(up, sorted(os.listdir(up))[0])


def overlay_files():
    return sorted(n for n in os.listdir(OVERLAY_DIR) if n.endswith(".yaml"))


def doc(actions):
    return {"overlay": "1.0.0", "info": {"title": "t", "version": "1"}, "actions": actions}


def act(target, update=None, remove=False, description="why"):
    a = {"target": target, "description": description}
    if remove:
        a["remove"] = True
    else:
        a["update"] = update
    return a


class Format(unittest.TestCase):
    def rejects(self, data, message):
        with self.assertRaises(OverlayError) as ctx:
            overlay.parse(data, "o.yaml")
        self.assertIn(message, str(ctx.exception))
        self.assertIn("o.yaml", str(ctx.exception))

    def test_valid(self):
        o = overlay.parse(doc([act("$.info", {"x-a": 1})]), "o.yaml")
        self.assertEqual((o.title, len(o.actions), o.actions[0].index), ("t", 1, 1))

    def test_rejected(self):
        good = doc([act("$.info", {"x": 1})])
        cases = [
            ([], "an overlay is a YAML or JSON object"),
            (dict(good, overlay="2.0.0"), "'overlay' must be a 1.0.x version string"),
            (dict(good, overlay=1.0), "'overlay' must be a 1.0.x version string"),
            (dict(good, info={"title": "t"}), "'info' needs a title and a version"),
            (dict(good, actions=[]), "'actions' must be a non-empty list"),
            (dict(good, extra=1), "unknown field 'extra'"),
            (doc(["x"]), "action 1: not an object"),
            (doc([{"target": "$", "update": {}}]), "action 1: every action needs a 'description'"),
            (doc([dict(act("$", {}), description=" ")]), "needs a 'description'"),
            (doc([act("info", {})]), "'target' must be a JSONPath starting with '$'"),
            (doc([{"target": "$", "description": "d"}]), "give either 'update' or 'remove: true'"),
            (doc([dict(act("$", {}), remove=True)]), "give either 'update' or 'remove: true'"),
            (doc([dict(act("$", {}), remove="yes")]), "'remove' must be true or false"),
            (doc([dict(act("$", {}), bogus=1)]), "action 1: unknown field 'bogus'"),
            (doc([act("$", {}), act("$[?count(@) > 1]", {})]),
             "action 2: JSONPath: unsupported function extension count()"),
        ]
        for data, message in cases:
            with self.subTest(message):
                self.rejects(data, message)

    def test_extensions_and_extends_allowed(self):
        d = dict(doc([dict(act("$", {"a": 1}), **{"x-note": 1})]), extends="x.yaml")
        d["x-speakeasy-jsonpath"] = "rfc9535"
        self.assertEqual(len(overlay.parse(d, "o").actions), 1)


class Semantics(unittest.TestCase):
    def apply(self, document, *actions):
        return overlay.apply(document, overlay.parse(doc(list(actions)), "o.yaml"))

    def test_update_merges_recursively(self):
        d = {"a": {"b": {"c": 1, "keep": 2}, "list": [1, 2]}}
        [r] = self.apply(d, act("$.a", {"b": {"c": 3, "new": {"x": 1}}, "list": [2, 3], "s": "t"}))
        self.assertEqual(d, {"a": {"b": {"c": 3, "keep": 2, "new": {"x": 1}},
                                   "list": [1, 2, 3], "s": "t"}})
        self.assertEqual((r.matched, r.changed, r.stale), (1, True, False))

    def test_array_target_appends_an_entry_once(self):
        d = {"tags": [{"name": "a"}]}
        [r1, r2] = self.apply(d, act("$.tags", {"name": "b"}), act("$.tags", {"name": "b"}))
        self.assertEqual(d["tags"], [{"name": "a"}, {"name": "b"}])
        self.assertFalse(r1.stale)
        self.assertTrue(r2.stale)
        self.assertEqual(r2.reason, "it changes nothing")

    def test_overlay_spec_array_examples(self):
        # The Overlay 1.0 specification's "Array Modification Example".
        d = {"paths": {"/a": {"get": {"parameters": [{"name": "dummy", "in": "query"}]}},
                       "/b": {"get": {"parameters": []}}}}
        self.apply(d, act("$.paths.*.get.parameters", {"name": "newParam", "in": "query"}))
        self.assertEqual(d["paths"]["/b"]["get"]["parameters"], [{"name": "newParam", "in": "query"}])
        [r] = self.apply(d, act("$.paths.*.get.parameters[?@.name == 'dummy']", remove=True))
        self.assertEqual(d["paths"]["/a"]["get"]["parameters"], [{"name": "newParam", "in": "query"}])
        self.assertEqual(r.matched, 1)

    def test_remove_from_objects_and_arrays(self):
        d = {"a": [0, 1, 2, 3, 4], "o": {"x": 1, "y": 2}}
        self.apply(d, act("$.a[?@ == 1 || @ == 3]", remove=True), act("$.o.x", remove=True))
        self.assertEqual(d, {"a": [0, 2, 4], "o": {"y": 2}})

    def test_remove_of_a_selection_counted_twice(self):
        d = {"a": [{"k": 1}, {"k": 2}]}
        [r] = self.apply(d, act("$.a[0, 0]", remove=True))
        self.assertEqual(d, {"a": [{"k": 2}]})
        self.assertEqual(r.matched, 1)

    def test_update_values_are_copies(self):
        d = {"a": {}, "b": {}}
        self.apply(d, act("$[*]", {"v": {"deep": [1]}}))
        d["a"]["v"]["deep"].append(2)
        self.assertEqual(d["b"]["v"]["deep"], [1])

    def test_stale_when_nothing_matches_or_changes(self):
        d = {"info": {"title": "t"}}
        [none, same] = self.apply(d, act("$.paths", {"x": 1}), act("$.info", {"title": "t"}))
        self.assertEqual((none.stale, none.reason), (True, "its target matches nothing"))
        self.assertEqual((same.stale, same.reason), (True, "it changes nothing"))

    def test_errors(self):
        with self.assertRaisesRegex(OverlayError, r"o.yaml, action 1 \(why\): the target "
                                    r"\$\['s'\] is neither an object nor an array"):
            self.apply({"s": "text"}, act("$.s", {"a": 1}))
        with self.assertRaisesRegex(OverlayError, "is an object, so 'update' must be one"):
            self.apply({"o": {}}, act("$.o", [1]))
        with self.assertRaisesRegex(OverlayError, "cannot remove the whole document"):
            self.apply({"o": {}}, act("$", remove=True))

    def test_label_names_file_index_and_first_line(self):
        a = overlay.parse(doc([act("$", {}), act("$", {}, description="Line one\nline two")]),
                          "spec/overlays/x.yaml").actions[1]
        self.assertEqual(a.label, "spec/overlays/x.yaml, action 2 (Line one)")


class ProjectOverlays(unittest.TestCase):
    """Each action of spec/overlays/ applies to the committed upstream; fed
    an upstream that already has its change, it is reported stale."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="overlay-test-")
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.overlays = [produce.Source(os.path.join(OVERLAY_DIR, n), "spec/overlays/" + n)
                         for n in overlay_files()]
        self.operations = produce.Source(OPERATIONS, "spec/operations.txt")
        data, _ = load.read_document(committed_upstream())
        self.cut, _ = selection.select(data, selection.read_operations(OPERATIONS))

    def produce_from(self, document):
        path = os.path.join(self.tmp, "upstream.yaml")
        with open(path, "w", encoding="utf-8") as fh:
            yaml.dump(document, fh, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper),
                      sort_keys=False)
        return produce.produce(produce.Source(path, "u"), self.operations, self.overlays, "s")

    def actions(self):
        return [a for src in self.overlays for a in overlay.read(src.path, src.label).actions]

    def test_every_action_has_a_description_and_applies(self):
        result = self.produce_from(self.cut)
        self.assertEqual(len(result.results), len(self.actions()))
        self.assertGreaterEqual(len(result.results), 20)
        for r in result.results:
            with self.subTest(r.action.label):
                self.assertFalse(r.stale, r.reason)

    def test_every_action_is_stale_once_upstream_has_its_change(self):
        actions = self.actions()
        for k, action in enumerate(actions):
            with self.subTest(action.label):
                upstream = copy.deepcopy(self.cut)
                for earlier in actions[:k + 1]:  # upstream adopted this and what it builds on
                    overlay.apply_action(upstream, earlier)
                result = self.produce_from(upstream)
                self.assertTrue(result.results[k].stale)
                self.assertEqual(result.results[k].action.label, action.label)

    def find(self, fragment):
        for src in self.overlays:
            for r_action in overlay.read(src.path, src.label).actions:
                if fragment in r_action.description:
                    return r_action.label
        self.fail("no action mentions %r" % fragment)

    def stale_labels(self, document):
        return {r.action.label for r in self.produce_from(document).stale}

    def ops(self, document):
        for item in document["paths"].values():
            for op in item.values():
                if isinstance(op, dict) and "responses" in op:
                    yield op

    def test_upstream_renaming_list_to_listkeys_makes_the_name_stale(self):
        d = copy.deepcopy(self.cut)
        d["paths"]["/keys"]["get"]["operationId"] = "listKeys"
        self.assertEqual(self.stale_labels(d), {self.find("upstream calls it `list`")})

    def test_upstream_adding_external_user_in_its_own_words(self):
        d = copy.deepcopy(self.cut)
        for op in self.ops(d):
            for key in ("200", "201"):
                data = op["responses"].get(key, {}).get("content", {}).get(
                    "application/json", {}).get("schema", {}).get("properties", {}).get("data")
                if data and "items" in data:
                    data = data["items"]
                if data and "hash" in data.get("properties", {}):
                    data["properties"]["external_user"] = {"type": "string", "description": "x"}
        self.assertEqual(self.stale_labels(d), {self.find("external_user on every key object")})

    def test_upstream_documenting_403_everywhere(self):
        d = copy.deepcopy(self.cut)
        for op in self.ops(d):
            op["responses"].setdefault("403", {"description": "Forbidden"})
        self.assertEqual(self.stale_labels(d), {self.find("needs a management key")})

    def test_upstream_moving_the_key_object_into_components(self):
        # Actions find the key object by its shape, so the hoisted schema
        # keeps its name, member order and added field: same C API.
        d = copy.deepcopy(self.cut)
        hoisted = []

        def hoist(node):
            if isinstance(node, dict):
                for k, v in node.items():
                    if isinstance(v, dict) and "hash" in v.get("properties", {}):
                        hoisted.append(v)
                        node[k] = {"$ref": "#/components/schemas/ApiKey"}
                        if "description" in v:  # 3.1 keeps annotations beside a $ref
                            node[k]["description"] = v["description"]
                    else:
                        hoist(v)
            elif isinstance(node, list):
                for v in node:
                    hoist(v)
        hoist(d["paths"])
        self.assertEqual(len(hoisted), 4)
        d["components"]["schemas"]["ApiKey"] = hoisted[0]
        result = self.produce_from(d)
        self.assertEqual([r.action.label for r in result.stale], [])
        produced = os.path.join(self.tmp, "produced.yaml")
        with open(produced, "w", encoding="utf-8") as fh:
            fh.write(result.text)
        committed = os.path.join(SPEC_DIR, "openrouter-keys.yaml")
        self.assertEqual(apidiff.compare(committed, produced), ([], [], []))
        # Down to member order and comments: only the spec's hash differs.
        same = [generate.generate(p, label="s") for p in (committed, produced)]
        for files in same:
            for name in files:
                files[name] = re.sub(r"Spec sha256: \w+", "", files[name])
        self.assertEqual(same[0], same[1])

    def test_upstream_adding_an_attribution_header(self):
        d = copy.deepcopy(self.cut)
        for op in self.ops(d):
            op.setdefault("parameters", []).append(
                {"name": "HTTP-Referer", "in": "header", "schema": {"type": "string"}})
        self.assertEqual(self.stale_labels(d), {self.find("HTTP-Referer: the calling app")})


if __name__ == "__main__":
    unittest.main()
