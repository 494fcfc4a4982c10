"""scripts/update-spec: spec/openrouter-keys.yaml from the published
description, the selection and the overlays. Every run that writes works on
a copy of the tree in a temporary directory, never on the real spec/.

Run from the repository root:
    python3 -m unittest discover -s tests/generator
"""
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REFERENCE = os.path.normpath(os.path.join(REPO, "..", "shared", "reference"))
UP_0822 = os.path.join(REFERENCE, "openrouter-keys.upstream-2026-08-22.yaml")
UP_0414 = os.path.join(REFERENCE, "openrouter-keys.upstream-2026-04-14.yaml")
FULL_0609 = os.path.join(REFERENCE, "openrouter-full.upstream-2026-06-09.yaml")
RUNTIME_INCLUDE = os.path.join(REPO, "runtime", "include")
sys.path.insert(0, os.path.join(REPO, "generator"))
sys.path.insert(0, os.path.join(REPO, "tests", "upstream"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import apply_recipe  # noqa: E402
from test_regenerate import read_tree  # noqa: E402
from orgen import load, selection  # noqa: E402
from orgen.errors import SpecError  # noqa: E402


def need(test, *paths):
    for p in paths:
        if not os.path.exists(p):
            test.skipTest("%s not found (a copy of shared/ must sit beside the clone)" % p)


class Tree(unittest.TestCase):
    """Each test gets its own copy of spec/, generator/, templates/,
    generated/, scripts/ and runtime/include/."""

    def setUp(self):
        work = tempfile.mkdtemp(prefix="update-spec-test-")
        self.addCleanup(shutil.rmtree, work, ignore_errors=True)
        self.repo = apply_recipe.prepare(REPO, REFERENCE if os.path.isdir(REFERENCE) else work,
                                         work)

    def run_tool(self, *args):
        res = subprocess.run([os.path.join(self.repo, "scripts", "update-spec")] + list(args),
                             cwd=self.repo, capture_output=True, text=True)
        return res.returncode, res.stdout + res.stderr

    def path(self, *parts):
        return os.path.join(self.repo, *parts)

    def write(self, rel, text, mode="w"):
        with open(self.path(*rel.split("/")), mode, encoding="utf-8") as fh:
            fh.write(text)

    def snapshot(self):
        """What update-spec writes: the spec, the upstream copy, generated/."""
        with open(self.path("spec", "openrouter-keys.yaml"), "rb") as fh:
            spec = fh.read()
        return spec, read_tree(self.path("spec", "upstream")), read_tree(self.path("generated"))


class Check(Tree):
    def test_committed_tree_is_current(self):
        res = subprocess.run([os.path.join(REPO, "scripts", "update-spec"), "--check"],
                             capture_output=True, text=True)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)

    def test_hand_edit_of_the_spec_is_caught(self):
        self.write("spec/openrouter-keys.yaml", "# edited\n", mode="a")
        rc, out = self.run_tool("--check")
        self.assertEqual(rc, 1)
        self.assertIn("spec/openrouter-keys.yaml is not what scripts/update-spec produces", out)

    def test_stale_generated_code_is_caught(self):
        self.write("generated/src/models.c", "/* edited */\n", mode="a")
        rc, out = self.run_tool("--check")
        self.assertEqual(rc, 1)
        self.assertIn("generated/src/models.c is out of date", out)

    def test_check_takes_no_file(self):
        rc, out = self.run_tool("--check", "x.yaml")
        self.assertEqual(rc, 2)
        self.assertIn("--check takes no upstream file", out)

    def test_header_names_every_source_and_its_sha256(self):
        with open(self.path("spec", "openrouter-keys.yaml"), encoding="utf-8") as fh:
            head = [line for line in fh.read().splitlines() if line.startswith("#")]
        listed = dict(reversed(m.groups()) for m in
                      (re.match(r"^#   ([0-9a-f]{64})  (\S+)$", line) for line in head) if m)
        names = ["spec/operations.txt"] + ["spec/upstream/" + n for n in os.listdir(
            self.path("spec", "upstream"))] + ["spec/overlays/" + n for n in os.listdir(
                self.path("spec", "overlays"))]
        self.assertEqual(sorted(listed), sorted(names))
        for rel, digest in listed.items():
            with open(self.path(*rel.split("/")), "rb") as fh:
                self.assertEqual(hashlib.sha256(fh.read()).hexdigest(), digest, rel)
        self.assertIn("DO NOT EDIT", head[0])


class Feeds(Tree):
    """The three descriptions in ../shared/reference/ fed as "new" ones."""

    def setUp(self):
        need(self, UP_0822, UP_0414, FULL_0609)
        super().setUp()

    def test_older_excerpt_reports_removals_and_the_newer_restores_byte_for_byte(self):
        committed = self.snapshot()
        rc, out = self.run_tool(UP_0414)
        self.assertEqual(rc, 1, out)
        for line in ("- request member openrouter_list_keys_request.workspace_id: "
                     "openrouter_string (query workspace_id)",
                     "- field openrouter_key.workspace_id: openrouter_string",
                     "- error status openrouter_list_keys: 400"):
            self.assertIn(line + "\n", out)
        self.assertEqual(os.listdir(self.path("spec", "upstream")),
                         [os.path.basename(UP_0414)])
        self.assertNotEqual(self.snapshot(), committed)
        rc, out = self.run_tool(UP_0822)
        self.assertEqual(rc, 0, out)
        self.assertIn("+ error status openrouter_list_keys: 400\n", out)
        self.assertEqual(self.snapshot(), committed)

    def test_whole_description_generates_and_compiles(self):
        rc, out = self.run_tool(FULL_0609)
        # One removal: the 2026-06-09 description predates list's 400.
        self.assertEqual(rc, 1, out)
        self.assertEqual(re.findall(r"^- .*$", out, re.M),
                         ["- error status openrouter_list_keys: 400"])
        self.assertNotIn("stale:", out)
        with open(self.path("spec", "openrouter-keys.yaml"), encoding="utf-8") as fh:
            produced = fh.read()
        for op_id in ("listKeys", "createKey", "getKey", "updateKey", "deleteKey",
                      "getCurrentKeyMetadata"):
            self.assertIn("operationId: %s\n" % op_id, produced)
        self.assertNotIn("/chat/completions", produced)  # only the selected operations
        cc = shutil.which("gcc") or shutil.which("clang")
        if cc is None:
            return
        for src in ("models.c", "operations.c"):
            res = subprocess.run([cc, "-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic",
                                  "-fsyntax-only", "-I" + RUNTIME_INCLUDE,
                                  "-I" + self.path("generated", "include"),
                                  self.path("generated", "src", src)],
                                 capture_output=True, text=True)
            self.assertEqual(res.returncode, 0, res.stderr)


class Failures(Tree):
    def test_stale_action_is_reported_by_file_and_description(self):
        self.write("spec/overlays/99-extra.yaml", """overlay: 1.0.0
info: {title: t, version: '1'}
actions:
  - target: $.paths['/nowhere'].get
    description: Give /nowhere a name.
    update: {operationId: nowhere}
  - target: $.paths['/keys'].get
    description: Name listKeys again.
    update: {operationId: listKeys}
""")
        rc, out = self.run_tool()
        self.assertEqual(rc, 1, out)
        self.assertIn("stale: spec/overlays/99-extra.yaml, action 1 (Give /nowhere a name.): "
                      "its target matches nothing; upstream may already have this\n", out)
        self.assertIn("stale: spec/overlays/99-extra.yaml, action 2 (Name listKeys again.): "
                      "it changes nothing; upstream may already have this\n", out)

    def test_operation_missing_upstream(self):
        self.write("spec/operations.txt", "GET /nothing\n", mode="a")
        rc, out = self.run_tool()
        self.assertEqual(rc, 1, out)
        self.assertIn("missing: GET /nothing is not in the upstream description\n", out)

    def assert_nothing_written(self, before, rc, out, message):
        self.assertEqual(rc, 2, out)
        self.assertIn(message, out)
        self.assertEqual(self.snapshot(), before)

    def test_unusable_results_write_nothing(self):
        before = self.snapshot()
        cases = [
            ("overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions: [{target: $, update: {}}]\n",
             "every action needs a 'description'"),
            ("overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n"
             "  - target: $.paths['/key'].get.responses['200'].content['application/json'].schema\n"
             "    description: d\n    update: {not: {type: string}}\n",
             "unsupported not"),
            ("overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n"
             "  - target: $.paths['/key'].get\n    description: d\n"
             "    update: {parameters: [{$ref: '#/components/parameters/Gone'}]}\n",
             "$ref #/components/parameters/Gone leads nowhere"),
            (": not yaml : [", "cannot parse"),
        ]
        for text, message in cases:
            with self.subTest(message):
                self.write("spec/overlays/99-bad.yaml", text)
                rc, out = self.run_tool(UP_0414 if os.path.exists(UP_0414) else "")
                self.assert_nothing_written(before, rc, out, message)

    def test_unreadable_upstream(self):
        before = self.snapshot()
        rc, out = self.run_tool(self.path("no-such-file.yaml"))
        self.assert_nothing_written(before, rc, out, "no-such-file.yaml")

    def test_upstream_dir_must_hold_one_file(self):
        self.write("spec/upstream/second.yaml", "openapi: 3.1.0\n")
        rc, out = self.run_tool("--check")
        self.assertEqual(rc, 2)
        self.assertIn("spec/upstream must hold exactly one description, not 2 files", out)


class Selection(unittest.TestCase):
    DOC = {
        "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "security": [{"key": []}],
        "tags": [{"name": "A"}, {"name": "B"}],
        "x-top": 1,
        "paths": {
            "/a/{id}": {
                "parameters": [{"$ref": "#/components/parameters/Id"}],
                "get": {"tags": ["A"], "responses": {"200": {"description": "ok", "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/A"}}}}}},
                "delete": {"tags": ["B"], "responses": {"204": {"description": "gone"}},
                           "security": [{"other": []}]},
            },
            "/b": {"post": {"responses": {"200": {"description": "ok", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/B"}}}}}}},
        },
        "webhooks": {"w": {}},
        "components": {
            "schemas": {"A": {"type": "object", "properties": {
                "inner": {"$ref": "#/components/schemas/Inner"}}},
                "Inner": {"type": "object"}, "B": {"type": "object"}},
            "parameters": {"Id": {"name": "id", "in": "path", "required": True,
                                  "schema": {"type": "string"}}},
            "securitySchemes": {"key": {"type": "http", "scheme": "bearer"},
                                "other": {"type": "http", "scheme": "basic"}},
        },
    }

    def test_cut_keeps_what_the_selected_operations_reach(self):
        cut, missing = selection.select(self.DOC, [("get", "/a/{id}"), ("put", "/b")])
        self.assertEqual(missing, [("put", "/b")])
        self.assertEqual(list(cut), ["openapi", "info", "security", "tags", "paths",
                                     "components", "x-top"])
        self.assertEqual(list(cut["paths"]), ["/a/{id}"])
        self.assertEqual(sorted(cut["paths"]["/a/{id}"]), ["get", "parameters"])
        self.assertEqual({k: sorted(v) for k, v in cut["components"].items()},
                         {"schemas": ["A", "Inner"], "parameters": ["Id"],
                          "securitySchemes": ["key"]})
        self.assertEqual(cut["tags"], [{"name": "A"}])
        self.assertEqual(selection.dangling_refs(cut), [])
        self.assertIn("B", self.DOC["components"]["schemas"])  # the input is untouched

    def test_operation_security_keeps_its_scheme(self):
        cut, _ = selection.select(self.DOC, [("delete", "/a/{id}")])
        self.assertEqual(sorted(cut["components"]["securitySchemes"]), ["key", "other"])
        self.assertNotIn("schemas", cut["components"])

    def test_dangling_refs(self):
        d = {"paths": {"/x": {"get": {"parameters": [{"$ref": "#/components/parameters/No"}]}}}}
        self.assertEqual(selection.dangling_refs(d),
                         [("#/components/parameters/No", "#/paths/~1x/get/parameters/0")])

    def test_operations_file(self):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        path = os.path.join(tmp, "ops.txt")
        for text, error in (("GET /a\n# c\n\nget /b  # why\n", None),
                            ("GET a\n", "expected 'METHOD /path'"),
                            ("FETCH /a\n", "expected 'METHOD /path'"),
                            ("GET /a\nget /a\n", "GET /a is listed twice"),
                            ("# nothing\n", "lists no operation")):
            with open(path, "w") as fh:
                fh.write(text)
            with self.subTest(text):
                if error is None:
                    self.assertEqual(selection.read_operations(path), [("get", "/a"), ("get", "/b")])
                else:
                    with self.assertRaisesRegex(SpecError, re.escape(error)):
                        selection.read_operations(path)

    def test_committed_selection_is_the_six_operations(self):
        ops = selection.read_operations(os.path.join(REPO, "spec", "operations.txt"))
        self.assertEqual(sorted(ops), sorted([("get", "/key"), ("get", "/keys"), ("post", "/keys"),
                                              ("get", "/keys/{hash}"), ("patch", "/keys/{hash}"),
                                              ("delete", "/keys/{hash}")]))
        spec = load.load(os.path.join(REPO, "spec", "openrouter-keys.yaml")).data
        self.assertEqual(sorted((m, p) for p, item in spec["paths"].items() for m in item
                                if m in ("get", "post", "patch", "delete")), sorted(ops))


if __name__ == "__main__":
    unittest.main()
