"""Regeneration: the API change between the two upstream excerpts as a C API
diff (and which changes only relax a check), determinism across runs and
machines, speed, the README's "Regenerating" and "Adding an endpoint"
sections, and that nothing outside spec/ names an operation.

Run from the repository root:
    python3 -m unittest discover -s tests/generator
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GENERATE = os.path.join(REPO, "generator", "generate.py")
APIDIFF = os.path.join(REPO, "generator", "apidiff.py")
SPEC = os.path.join(REPO, "spec", "openrouter-keys.yaml")
FIXTURE = os.path.join(REPO, "tests", "fixtures", "kitchen-sink.yaml")
RUNTIME_INCLUDE = os.path.join(REPO, "runtime", "include")
REFERENCE = os.path.normpath(os.path.join(REPO, "..", "shared", "reference"))
UPSTREAM_NEW = os.path.join(REFERENCE, "openrouter-keys.upstream-2026-08-22.yaml")
UPSTREAM_OLD = os.path.join(REFERENCE, "openrouter-keys.upstream-2026-04-14.yaml")
UPSTREAM_FULL = os.path.join(REFERENCE, "openrouter-full.upstream-2026-06-09.yaml")
sys.path.insert(0, os.path.join(REPO, "generator"))
sys.path.insert(0, os.path.join(REPO, "tests", "upstream"))
import apidiff  # noqa: E402
import apply_recipe  # noqa: E402
import generate  # noqa: E402
from orgen import load  # noqa: E402


def need_upstream(test):
    if not (os.path.exists(UPSTREAM_NEW) and os.path.exists(UPSTREAM_OLD)):
        test.skipTest("upstream excerpts not found in %s (a copy of shared/ must sit beside "
                      "the clone)" % REFERENCE)


def read_tree(root):
    out = {}
    for dirpath, _, files in os.walk(root):
        for name in files:
            path = os.path.join(dirpath, name)
            with open(path, "rb") as fh:
                out[os.path.relpath(path, root)] = fh.read()
    return out


class ApiChange(unittest.TestCase):
    """2026-04-14 -> 2026-08-22 as a change of the generated C API."""

    def setUp(self):
        need_upstream(self)

    def test_additions_only(self):
        added, removed = apidiff.diff(UPSTREAM_OLD, UPSTREAM_NEW, "orup")
        self.assertEqual(removed, [])
        self.assertEqual(added, [
            "error status orup_create_keys: 403",
            "error status orup_list: 400",
            "field orup_bad_request_response.openrouter_metadata: openrouter_json",
            "field orup_create_keys_body.workspace_id: openrouter_string",
            "field orup_get_key_response_data.workspace_id: openrouter_string",
            "flag orup_bad_request_response.openrouter_metadata: NULLABLE",
            "flag orup_get_key_response_data.workspace_id: REQUIRED",
            "request member orup_list_request.workspace_id: openrouter_string "
            "(query workspace_id)",
        ])

    def test_command_line(self):
        fwd = subprocess.run([sys.executable, APIDIFF, UPSTREAM_OLD, UPSTREAM_NEW],
                             capture_output=True, text=True)
        self.assertEqual(fwd.returncode, 0, fwd.stderr)
        self.assertIn("+ request member openrouter_list_request.workspace_id", fwd.stdout)
        self.assertNotIn("\n- ", "\n" + fwd.stdout)
        # Going back removes things: exit 1, and the removals are listed.
        back = subprocess.run([sys.executable, APIDIFF, UPSTREAM_NEW, UPSTREAM_OLD],
                              capture_output=True, text=True)
        self.assertEqual(back.returncode, 1)
        self.assertIn("- error status openrouter_list: 400", back.stdout)

    def test_relaxations_are_listed_apart(self):
        # Going back to 04-14 drops workspace_id: a removal, with its flags.
        added, removed, relaxed = apidiff.compare(UPSTREAM_NEW, UPSTREAM_OLD, "orup")
        self.assertIn("field orup_get_key_response_data.workspace_id: openrouter_string", removed)
        self.assertIn("flag orup_get_key_response_data.workspace_id: REQUIRED", removed)
        self.assertEqual(relaxed, [])
        # A field no longer required, and a date-time become plain text, only relax checks.
        tmp = tempfile.mkdtemp(prefix="orgen-relax-")
        self.addCleanup(shutil.rmtree, tmp, ignore_errors=True)
        old, new = os.path.join(tmp, "old.yaml"), os.path.join(tmp, "new.yaml")
        for path, required, fmt in ((old, "[a, t]", "format: date-time"), (new, "[]", "")):
            with open(path, "w") as fh:
                fh.write("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n"
                         "    get:\n      operationId: getX\n      responses:\n        '200':\n"
                         "          description: ok\n          content:\n"
                         "            application/json:\n              schema:\n"
                         "                type: object\n                required: %s\n"
                         "                properties:\n                  a: {type: string}\n"
                         "                  t: {type: string, %s}\n" % (required, fmt))
        added, removed, relaxed = apidiff.compare(old, new)
        self.assertEqual((added, removed), ([], []))
        self.assertEqual(relaxed, [
            "field openrouter_get_x_response.t: openrouter_datetime -> openrouter_string "
            "(same C type; no RFC 3339 check)",
            "flag openrouter_get_x_response.a: REQUIRED dropped (the field may now be absent)",
            "flag openrouter_get_x_response.t: REQUIRED dropped (the field may now be absent)"])
        res = subprocess.run([sys.executable, APIDIFF, old, new], capture_output=True, text=True)
        self.assertEqual(res.returncode, 0)
        self.assertIn("~ flag openrouter_get_x_response.a: REQUIRED dropped", res.stdout)
        # The other way round tightens: string -> date-time is a removal.
        added, removed, relaxed = apidiff.compare(new, old)
        self.assertIn("field openrouter_get_x_response.t: openrouter_string", removed)

    def test_initializers_stay_zero(self):
        # *_INIT is the all-zero initializer for every struct in both dates
        # ({0} in C, {} in C++), so adding optional members cannot break a
        # caller who starts from it.
        with open(os.path.join(REPO, "runtime", "include", "openrouter", "types.h")) as fh:
            types_h = fh.read()
        self.assertIn("#ifdef __cplusplus\n#define OPENROUTER_ZERO_INIT {}\n#else\n"
                      "#define OPENROUTER_ZERO_INIT {0}\n#endif", types_h)
        for spec in (UPSTREAM_OLD, UPSTREAM_NEW, SPEC, FIXTURE):
            files = generate.generate(spec, "orup")
            inits = re.findall(r"#define (\w+_INIT) (.*)", files["include/orup/models.h"] +
                               files["include/orup/operations.h"])
            self.assertTrue(inits)
            self.assertEqual({v for _, v in inits}, {"OPENROUTER_ZERO_INIT"}, spec)

    def test_check_of_the_newer_excerpt_against_an_empty_dir(self):
        out = tempfile.mkdtemp(prefix="orgen-check-")
        self.addCleanup(shutil.rmtree, out, ignore_errors=True)
        res = subprocess.run([sys.executable, GENERATE, "--spec", UPSTREAM_NEW, "--out", out,
                              "--check"],
                             capture_output=True, text=True)
        self.assertEqual(res.returncode, 1)  # every file differs from nothing
        self.assertEqual(os.listdir(out), [])  # and --check writes nothing


class Determinism(unittest.TestCase):
    """Same bytes whatever the working directory, output path, hash seed
    or locale."""

    def run_in(self, spec, cwd, seed, out):
        env = dict(os.environ, PYTHONHASHSEED=str(seed), LC_ALL="C", TZ="Pacific/Apia")
        res = subprocess.run([sys.executable, GENERATE, "--spec", spec, "--out", out,
                              "--prefix", "det"], cwd=cwd, env=env, capture_output=True,
                             text=True)
        self.assertEqual(res.returncode, 0, res.stderr)
        return read_tree(out)

    def test_byte_identical_across_environments(self):
        specs = [SPEC, FIXTURE] + ([UPSTREAM_NEW] if os.path.exists(UPSTREAM_NEW) else [])
        for spec in specs:
            with self.subTest(os.path.basename(spec)):
                a, b = tempfile.mkdtemp(prefix="orgen-a-"), tempfile.mkdtemp(prefix="orgen-b-")
                self.addCleanup(shutil.rmtree, a, ignore_errors=True)
                self.addCleanup(shutil.rmtree, b, ignore_errors=True)
                first = self.run_in(spec, "/", 1, os.path.join(a, "out"))
                second = self.run_in(spec, b, 4242, os.path.join(b, "x", "y"))
                self.assertEqual(first, second)
                self.assertEqual(len(first), 6)  # 5 C files and GENERATION_REPORT.md


class Recipe(unittest.TestCase):
    """README "Regenerating" example and "Adding an endpoint", run as written
    in a copy of the tree (tests/upstream builds and calls the result), and
    the C in the README compiles against what they generate."""

    def test_readme_sections_run_as_written(self):
        if not os.path.exists(UPSTREAM_FULL):
            self.skipTest("%s not found" % UPSTREAM_FULL)
        with open(os.path.join(REPO, "README.md"), encoding="utf-8") as fh:
            readme = fh.read()
        work = tempfile.mkdtemp(prefix="orgen-recipe-")
        self.addCleanup(shutil.rmtree, work, ignore_errors=True)
        repo = apply_recipe.prepare(REPO, REFERENCE, work)
        spec = os.path.join(repo, "spec", "openrouter-keys.yaml")
        [(rc, out)] = apply_recipe.run_section(readme, "## Regenerating", repo)
        self.assertEqual(rc, 1, out)  # as the README says: the older file lost list's 400
        before = os.path.join(work, "before.yaml")
        shutil.copyfile(spec, before)
        [(rc, out)] = apply_recipe.run_section(readme, "## Adding an endpoint", repo)
        self.assertEqual(rc, 0, out)
        with open(os.path.join(repo, "generated", "include", "openrouter", "operations.h"),
                  encoding="utf-8") as fh:
            ops_h = fh.read()
        for fn in ("get_credits", "list_keys", "create_key", "get_key", "update_key",
                   "delete_key", "get_current_key_metadata"):
            self.assertIn("int openrouter_%s(" % fn, ops_h)
        # Only the added operation differs from the API before the recipe.
        added, removed = apidiff.diff(before, spec)
        self.assertEqual(removed, [])
        self.assertTrue(added)
        self.assertTrue(all("credits" in line.lower() for line in added), added)
        res = apply_recipe.compile_c(readme, "## Adding an endpoint", "openrouter/openrouter.h",
                                     [os.path.join(repo, "generated", "include"), RUNTIME_INCLUDE], work)
        if res is not None:
            self.assertEqual(res.returncode, 0, res.stderr)

    def test_missing_section_is_an_error(self):
        with self.assertRaises(SystemExit):
            apply_recipe.commands("# README\n", "## Adding an endpoint")
        with self.assertRaises(SystemExit):
            apply_recipe.commands("## Adding an endpoint\ntext only\n", "## Adding an endpoint")

    def test_expected_output_is_checked(self):
        work = tempfile.mkdtemp(prefix="orgen-recipe-")
        self.addCleanup(shutil.rmtree, work, ignore_errors=True)
        self.assertEqual(apply_recipe.run(work, "echo one; echo two\n", ["one", "two"])[0], 0)
        with self.assertRaises(SystemExit):
            apply_recipe.run(work, "echo one; echo two\n", ["two", "one"])  # order matters
        with self.assertRaises(SystemExit):
            apply_recipe.run(work, "exit 2\n", [])


class NothingNamesAnOperation(unittest.TestCase):
    """runtime/ and templates/ know no operation: all of it is in spec/."""

    def test_no_operation_names(self):
        doc = load.load(SPEC).data
        words = {"getCredits", "get_credits"}
        for path, item in doc["paths"].items():
            for method, op in item.items():
                if isinstance(op, dict) and "operationId" in op:
                    words.add(op["operationId"])
                    words.add(re.sub(r"(?<!^)(?=[A-Z])", "_", op["operationId"]).lower())
        paths = set(doc["paths"]) | {"/credits"}
        pattern = re.compile(r"\b(%s)\b" % "|".join(sorted(map(re.escape, words))))
        literal = re.compile(r'"(%s)[/"{?]' % "|".join(sorted(map(re.escape, paths))))
        for top in ("runtime", "templates"):
            for dirpath, _, names in os.walk(os.path.join(REPO, top)):
                for name in names:
                    path = os.path.join(dirpath, name)
                    with open(path, encoding="utf-8", errors="replace") as fh:
                        text = fh.read()
                    rel = os.path.relpath(path, REPO)
                    self.assertIsNone(pattern.search(text), "%s names an operation" % rel)
                    if name.endswith((".c", ".j2")):
                        self.assertIsNone(literal.search(text), "%s names a path" % rel)


if __name__ == "__main__":
    unittest.main()
