"""Tests of generator/generate.py (stdlib unittest only).

Run from the repository root:
    python3 -m unittest discover -s tests/generator
"""
import copy
import filecmp
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GENERATE = os.path.join(REPO, "generator", "generate.py")
SPEC = os.path.join(REPO, "spec", "openrouter-keys.yaml")
GENERATED = os.path.join(REPO, "generated")
RUNTIME_INCLUDE = os.path.join(REPO, "runtime", "include")
REFERENCE = os.path.normpath(os.path.join(REPO, "..", "shared", "reference"))
UPSTREAM_NEW = os.path.join(REFERENCE, "openrouter-keys.upstream-2026-08-22.yaml")
UPSTREAM_OLD = os.path.join(REFERENCE, "openrouter-keys.upstream-2026-04-14.yaml")

sys.path.insert(0, os.path.join(REPO, "generator"))
import generate  # noqa: E402
from orgen import load, model, naming  # noqa: E402


def run_generator(*args):
    return subprocess.run([sys.executable, GENERATE] + list(args), capture_output=True,
                          text=True, cwd=REPO)


def read_tree(root):
    out = {}
    for dirpath, _, files in os.walk(root):
        for name in files:
            path = os.path.join(dirpath, name)
            with open(path, "rb") as fh:
                out[os.path.relpath(path, root)] = fh.read()
    return out


def compiler():
    for cc in ("gcc", "cc", "clang"):
        if shutil.which(cc):
            return cc
    return None


def base_spec():
    """A minimal 3.1 document the tests mutate."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/keys": {
                "get": {
                    "operationId": "listThings",
                    "parameters": [
                        {"name": "offset", "in": "query", "schema": {"type": "integer"}},
                    ],
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {"application/json": {"schema": {
                                "type": "object",
                                "properties": {
                                    "data": {"type": "array",
                                             "items": {"$ref": "#/components/schemas/Thing"}},
                                },
                            }}},
                        },
                        "401": {"$ref": "#/components/responses/Err"},
                    },
                },
            },
        },
        "components": {
            "schemas": {
                "Thing": {
                    "type": "object",
                    "required": ["id"],
                    "properties": {
                        "id": {"type": "string"},
                        "note": {"type": ["string", "null"]},
                    },
                },
                "Problem": {"type": "object", "properties": {"message": {"type": "string"}}},
            },
            "responses": {
                "Err": {"description": "bad", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Problem"}}}},
            },
        },
    }


class Tmp(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="orgen-test-")
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)

    def write_spec(self, doc, name="spec.json"):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as fh:
            if name.endswith(".json"):
                json.dump(doc, fh, indent=1)
            else:
                import yaml
                yaml.safe_dump(doc, fh, sort_keys=False)
        return path

    def build(self, doc):
        return model.build(load.load(self.write_spec(doc)))


class RefResolution(Tmp):
    def test_schema_parameter_response_and_body_refs(self):
        doc = base_spec()
        doc["components"]["schemas"]["Alias"] = {"$ref": "#/components/schemas/Thing"}
        doc["components"]["parameters"] = {
            "Off": {"name": "offset", "in": "query", "schema": {"type": "integer",
                                                               "minimum": 0}}}
        doc["components"]["requestBodies"] = {"NewThing": {"required": True, "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Alias"}}}}}
        get = doc["paths"]["/keys"]["get"]
        get["parameters"] = [{"$ref": "#/components/parameters/Off"}]
        doc["paths"]["/keys"]["post"] = {
            "operationId": "makeThing",
            "requestBody": {"$ref": "#/components/requestBodies/NewThing"},
            "responses": {"201": {"description": "made", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Thing"}}}}},
        }
        m = self.build(doc)
        ops = {op.op_id: op for op in m.operations}
        # A component that is only a $ref is an alias: the target names the type.
        self.assertEqual(ops["makeThing"].body.name, "thing")
        self.assertIs(ops["makeThing"].body, ops["makeThing"].out)
        self.assertTrue(ops["makeThing"].body_required)
        self.assertEqual([f.json_name for f in ops["makeThing"].body.fields], ["id", "note"])
        off = ops["listThings"].params[0]
        self.assertEqual((off.name, off.tref.kind, off.info.minimum), ("offset", "int64", 0.0))
        self.assertEqual(ops["listThings"].error_statuses, [401])

    def test_missing_ref_target_is_an_error(self):
        doc = base_spec()
        doc["paths"]["/keys"]["get"]["responses"]["200"]["content"]["application/json"][
            "schema"]["properties"]["data"]["items"]["$ref"] = "#/components/schemas/Nope"
        res = run_generator("--spec", self.write_spec(doc), "--out", os.path.join(self.tmp, "o"),
                            "--strict")
        self.assertEqual(res.returncode, 2)
        self.assertIn("#/components/schemas/Nope", res.stderr)


class Nullable(Tmp):
    def variants(self):
        a = base_spec()  # 3.1: type: [string, 'null']
        b = base_spec()
        b["openapi"] = "3.0.3"
        b["components"]["schemas"]["Thing"]["properties"]["note"] = {"type": "string",
                                                                     "nullable": True}
        return a, b

    def test_both_styles_build_the_same_field(self):
        a, b = self.variants()
        fa = self.build(a).objects
        fb = self.build(b).objects
        note_a = [f for o in fa for f in o.fields if f.json_name == "note"][0]
        note_b = [f for o in fb for f in o.fields if f.json_name == "note"][0]
        self.assertTrue(note_a.nullable)
        self.assertEqual(note_a.sig(), note_b.sig())

    def test_both_styles_generate_identical_code(self):
        outs = []
        for i, doc in enumerate(self.variants()):
            d = os.path.join(self.tmp, str(i))
            os.mkdir(d)
            spec = os.path.join(d, "spec.json")
            with open(spec, "w") as fh:
                json.dump(doc, fh)
            res = run_generator("--spec", spec, "--out", os.path.join(d, "out"))
            self.assertEqual(res.returncode, 0, res.stderr)
            tree = read_tree(os.path.join(d, "out"))
            outs.append({k: b"\n".join(l for l in v.split(b"\n") if b"sha256" not in l)
                         for k, v in tree.items()})
        self.assertEqual(outs[0], outs[1])
        self.assertIn(b"OPENROUTER_F_NULLABLE", outs[0]["src/models.c"])

    def test_enum_with_null(self):
        doc = base_spec()
        doc["components"]["schemas"]["Thing"]["properties"]["reset"] = {
            "type": "string", "enum": ["daily", None]}
        m = self.build(doc)
        f = [f for o in m.objects for f in o.fields if f.json_name == "reset"][0]
        self.assertTrue(f.nullable)
        self.assertEqual(f.tref.enum.values, ["daily"])


class Upstream(Tmp):
    def setUp(self):
        super().setUp()
        if not os.path.exists(UPSTREAM_NEW):
            self.skipTest("reference excerpts not available")

    def generate(self, spec):
        out = os.path.join(self.tmp, os.path.basename(spec))
        res = run_generator("--spec", spec, "--out", out)
        self.assertEqual(res.returncode, 0, res.stderr)
        return out

    def test_inline_names_and_dedup(self):
        m = model.build(load.load(UPSTREAM_NEW))
        names = sorted(o.name for o in m.objects)
        # One struct for the key object repeated inline under five operations.
        key_like = [o for o in m.objects if {"hash", "usage", "limit"} <= {f.json_name
                                                                            for f in o.fields}]
        self.assertEqual(len(key_like), 1)
        self.assertEqual(key_like[0].name, "get_key_response_data")
        self.assertIn("get_current_key_response_data", names)
        self.assertIn("get_current_key_response_data_rate_limit", names)
        # The six identical *Response error components collapse into one type.
        self.assertEqual(len([n for n in names if n.endswith("_response")
                              and "error" not in n and n.startswith(("bad", "forbidden",
                                                                     "not_found", "too_many",
                                                                     "unauthorized",
                                                                     "internal"))]), 1)
        self.assertIn("bad_request_response", names)
        # get and update share one response envelope.
        ops = {op.op_id: op for op in m.operations}
        self.assertIs(ops["getKey"].out, ops["updateKeys"].out)
        self.assertEqual(ops["getKey"].out.name, "get_key_response")
        self.assertEqual(sorted(ops), ["createKeys", "deleteKeys", "getCurrentKey", "getKey",
                                       "list", "updateKeys"])
        self.assertEqual(ops["createKeys"].responses[0][0], 201)
        self.assertEqual(ops["list"].error_statuses, [400, 401, 429, 500])
        # x-openrouter-type: boolean on a string query parameter.
        inc = [p for p in ops["list"].params if p.name == "include_disabled"][0]
        self.assertEqual(inc.tref.kind, "bool")
        # enum [daily, weekly, monthly, null] in create and update bodies: one enum.
        self.assertEqual(len(m.enums), 1)
        self.assertEqual(m.enums[0].values, ["daily", "weekly", "monthly"])

    def test_both_excerpts_generate_and_compile(self):
        cc = compiler()
        for spec in (UPSTREAM_NEW, UPSTREAM_OLD):
            out = self.generate(spec)
            with open(os.path.join(out, "include/openrouter/operations.h")) as fh:
                ops_h = fh.read()
            for fn in ("openrouter_list(", "openrouter_create_keys(", "openrouter_get_key(",
                       "openrouter_update_keys(", "openrouter_delete_keys(",
                       "openrouter_get_current_key("):
                self.assertIn("int " + fn, ops_h)
            if cc is None:
                continue
            for src in ("models.c", "operations.c"):
                res = subprocess.run([cc, "-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic",
                                      "-fsyntax-only", "-I" + RUNTIME_INCLUDE,
                                      "-I" + os.path.join(out, "include"),
                                      os.path.join(out, "src", src)],
                                     capture_output=True, text=True)
                self.assertEqual(res.returncode, 0, "%s %s:\n%s" % (spec, src, res.stderr))

    def test_api_change_shows_in_tables(self):
        new = read_tree(self.generate(UPSTREAM_NEW))
        old = read_tree(self.generate(UPSTREAM_OLD))
        param = b'.name = "workspace_id", .location = OPENROUTER_PARAM_QUERY'
        self.assertIn(param, new["src/operations.c"])
        self.assertNotIn(param, old["src/operations.c"])


class Unsupported(Tmp):
    R200 = ["paths", "/keys", "get", "responses", "200", "content", "application/json",
            "schema"]

    def node(self, doc, path):
        for tok in path:
            doc = doc[tok]
        return doc

    def expect(self, doc, pointer, construct):
        out = os.path.join(self.tmp, "out")
        os.makedirs(os.path.join(out, "include"))
        sentinel = os.path.join(out, "include", "keep.h")
        with open(sentinel, "w") as fh:
            fh.write("/* untouched */\n")
        before = read_tree(out)
        res = run_generator("--spec", self.write_spec(doc), "--out", out, "--strict")
        self.assertEqual(res.returncode, 2, res.stderr)
        self.assertIn("error: unsupported %s" % construct, res.stderr)
        self.assertTrue(res.stderr.rstrip().endswith(" at " + pointer),
                        "%r does not end with %r" % (res.stderr, pointer))
        self.assertEqual(read_tree(out), before)
        self.assertEqual(sorted(os.listdir(self.tmp)), ["out", "spec.json"])  # no temp left

    def data_schema(self, doc):
        return self.node(doc, self.R200)["properties"]

    P = "#/paths/~1keys/get/responses/200/content/application~1json/schema/properties"

    def test_not(self):
        doc = base_spec()
        self.data_schema(doc)["data"] = {"not": {"type": "string"}}
        self.expect(doc, self.P + "/data/not", "not")

    def test_one_of_beside_properties(self):
        doc = base_spec()
        self.data_schema(doc)["data"] = {"oneOf": [{"type": "string"}, {"type": "integer"}],
                                         "properties": {"x": {"type": "string"}}}
        self.expect(doc, self.P + "/data/properties", "properties beside oneOf")

    def test_pointer_escaping(self):
        doc = base_spec()
        self.data_schema(doc)["a~b/c"] = {"if": {"type": "string"}}
        self.expect(doc, self.P + "/a~0b~1c/if", "if")

    def test_external_ref(self):
        doc = base_spec()
        self.data_schema(doc)["data"]["items"] = {"$ref": "other.yaml#/components/schemas/X"}
        self.expect(doc, self.P + "/data/items/$ref", "non-local $ref")

    def test_recursion(self):
        doc = base_spec()
        doc["components"]["schemas"]["Thing"]["properties"]["children"] = {
            "type": "array", "items": {"$ref": "#/components/schemas/Thing"}}
        self.expect(doc, "#/components/schemas/Thing/properties/children/items/$ref",
                    "recursive schema")

    def test_type_union(self):
        doc = base_spec()
        self.data_schema(doc)["count"] = {"type": ["string", "integer"]}
        self.expect(doc, self.P + "/count/type", "type union")

    def test_cookie_parameter(self):
        doc = base_spec()
        doc["paths"]["/keys"]["get"]["parameters"].append(
            {"name": "session", "in": "cookie", "schema": {"type": "string"}})
        self.expect(doc, "#/paths/~1keys/get/parameters/1", "cookie parameter")


    def test_non_json_request_body(self):
        doc = base_spec()
        doc["paths"]["/keys"]["get"]["requestBody"] = {
            "content": {"text/plain": {"schema": {"type": "string"}}}}
        self.expect(doc, "#/paths/~1keys/get/requestBody/content", "request body media type")

    def test_multipart_body_and_files(self):
        """A form body: sent as multipart/form-data, its binary strings files;
        a binary string in a JSON body stays a string; JSON wins over a form."""
        form = {"type": "object", "required": ["upload"], "properties": {
            "upload": {"type": "string", "format": "binary"}, "label": {"type": "string"}}}
        doc = base_spec()
        doc["paths"]["/keys"]["post"] = {
            "operationId": "sendForm", "requestBody": {"required": True, "content": {
                "multipart/form-data": {"schema": form}}},
            "responses": {"204": {"description": "ok"}}}
        doc["paths"]["/both"] = {"post": {
            "operationId": "sendEither", "requestBody": {"content": {
                "multipart/form-data": {"schema": form},
                "application/json": {"schema": {"type": "object", "properties": {
                    "blob": {"type": "string", "format": "binary"}}}}}},
            "responses": {"204": {"description": "ok"}}}}
        files = generate.generate(self.write_spec(doc))
        models, ops = files["include/openrouter/models.h"], files["src/operations.c"]
        self.assertRegex(models, r"struct openrouter_send_form_body \{\n(.*\n)*?    openrouter_file upload;")
        self.assertRegex(models, r"struct openrouter_send_either_body \{\n(.*\n)*?    openrouter_string blob;")
        self.assertEqual(ops.count(".body_multipart = 1,"), 1)
        self.assertIn("multipart/form-data request body (required).", files["include/openrouter/operations.h"])

    def test_nothing_written_when_out_does_not_exist(self):
        doc = base_spec()
        self.data_schema(doc)["data"] = {"not": {"type": "string"}}
        out = os.path.join(self.tmp, "fresh")
        res = run_generator("--spec", self.write_spec(doc), "--out", out, "--strict")
        self.assertEqual(res.returncode, 2)
        self.assertFalse(os.path.exists(out))


class Naming(Tmp):
    def test_snake_and_identifiers(self):
        self.assertEqual(naming.snake("CreateKeyBody"), "create_key_body")
        self.assertEqual(naming.snake("getCurrentKeyMetadata"), "get_current_key_metadata")
        self.assertEqual(naming.snake("HTTPServerURL"), "http_server_url")
        self.assertEqual(naming.header_snake("X-OpenRouter-Title"), "x_openrouter_title")
        self.assertEqual(naming.header_snake("HTTP-Referer"), "http_referer")
        self.assertEqual(naming.c_ident("default"), "default_")
        self.assertEqual(naming.c_ident("2fa"), "n_2fa")
        self.assertEqual(naming.c_string_literal('a"b\\c??=\n\u00e9'),
                         'a\\"b\\\\c\\?\\?=\\012\\303\\251')

    def test_field_names_are_distinct_and_valid(self):
        doc = base_spec()
        doc["components"]["schemas"]["Thing"]["properties"].update({
            "fooBar": {"type": "string"}, "foo_bar": {"type": "string"},
            "default": {"type": "boolean"}, "2fa": {"type": "boolean"},
            "x-y": {"type": "integer", "format": "int32"}})
        m = self.build(doc)
        thing = [o for o in m.objects if o.name == "thing"][0]
        self.assertEqual([f.c_name for f in thing.fields],
                         ["id", "note", "foo_bar", "foo_bar_2", "default_", "n_2fa", "x_y"])

    def test_by_param_only_where_one_path_parameter_is_all_it_needs(self):
        text = {k: v.decode() for k, v in read_tree(GENERATED).items()}
        oh = text[os.path.join("include", "openrouter", "operations.h")]
        oc = text[os.path.join("src", "operations.c")]
        for fn in ("openrouter_get_key_by_hash", "openrouter_delete_key_by_hash"):
            self.assertIn("int %s(openrouter_client *client, const char *hash," % fn, oh)
            self.assertIn("int %s(openrouter_client *client, const char *hash," % fn, oc)
        # update needs a body, list and current-key have no path parameter
        for fn in ("openrouter_update_key_by", "openrouter_list_keys_by", "openrouter_create_key_by",
                   "openrouter_get_current_key_metadata_by"):
            self.assertNotIn(fn, oh)

    def test_repo_spec_names(self):
        text = {k: v.decode() for k, v in read_tree(GENERATED).items()}
        mh = text[os.path.join("include", "openrouter", "models.h")]
        oh = text[os.path.join("include", "openrouter", "operations.h")]
        for needle in ("struct openrouter_create_key_body {",
                       "OPENROUTER_LIMIT_RESET_UNKNOWN = 0,",
                       "OPENROUTER_LIMIT_RESET_DAILY = 1,",
                       "typedef struct openrouter_limit_reset_value {",
                       "const char *openrouter_limit_reset_name(openrouter_limit_reset v);",
                       "openrouter_key *items;", "openrouter_data_region_value *items;",
                       "openrouter_string external_user;",
                       "openrouter_create_key_external_field external;",
                       "extern const openrouter_object_desc openrouter_created_key_desc;",
                       "#define OPENROUTER_CREATED_KEY_INIT OPENROUTER_ZERO_INIT"):
            self.assertIn(needle, mh)
        for needle in ("typedef struct openrouter_create_key_request {",
                       "#define OPENROUTER_CREATE_KEY_REQUEST_INIT OPENROUTER_ZERO_INIT",
                       "openrouter_create_key_body body;", "char *hash;",
                       "openrouter_string http_referer;",
                       "openrouter_string x_openrouter_title;",
                       "openrouter_bool include_disabled;",
                       "extern const openrouter_operation_desc openrouter_create_key_operation;",
                       "openrouter_created_key **out,",
                       "int openrouter_get_current_key_metadata(",
                       "int openrouter_list_keys(", "int openrouter_update_key(",
                       "int openrouter_delete_key(", "openrouter_delete_key_response **out,"):
            self.assertIn(needle, oh)
        for rel, body in text.items():
            self.assertIn("Generated by openrouter-c generator/generate.py from "
                          "spec/openrouter-keys.yaml \u2014 DO NOT EDIT.", body.splitlines()[0],
                          rel)


class Determinism(Tmp):
    def test_byte_identical(self):
        a, b = os.path.join(self.tmp, "a"), os.path.join(self.tmp, "b")
        for out in (a, b):
            res = run_generator("--spec", SPEC, "--out", out)
            self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(read_tree(a), read_tree(b))
        self.assertEqual(len(read_tree(a)), 6)  # 5 C files and GENERATION_REPORT.md

    def test_json_and_yaml_inputs_agree(self):
        import yaml
        with open(SPEC) as fh:
            doc = yaml.safe_load(fh)
        spec_json = self.write_spec(doc, "openrouter-keys.json")
        shutil.copy(SPEC, os.path.join(self.tmp, "openrouter-keys.yaml"))
        trees = []
        for spec in (spec_json, os.path.join(self.tmp, "openrouter-keys.yaml")):
            out = os.path.join(self.tmp, "out-" + os.path.basename(spec))
            self.assertEqual(run_generator("--spec", spec, "--out", out).returncode, 0)
            trees.append({k: b"\n".join(l for l in v.split(b"\n")[4:])
                          for k, v in read_tree(out).items()})
        self.assertEqual(trees[0], trees[1])


class Check(Tmp):
    def test_committed_output_is_current(self):
        res = run_generator("--spec", "spec/openrouter-keys.yaml", "--out", "generated",
                            "--check")
        self.assertEqual(res.returncode, 0, res.stderr)

    def test_check_detects_modification(self):
        copy_dir = os.path.join(self.tmp, "generated")
        shutil.copytree(GENERATED, copy_dir)
        res = run_generator("--spec", SPEC, "--out", copy_dir, "--check")
        self.assertEqual(res.returncode, 0, res.stderr)
        target = os.path.join(copy_dir, "src", "models.c")
        with open(target, "a") as fh:
            fh.write("/* edited */\n")
        before = read_tree(copy_dir)
        res = run_generator("--spec", SPEC, "--out", copy_dir, "--check")
        self.assertEqual(res.returncode, 1)
        self.assertIn(os.path.join("src", "models.c"), res.stderr)
        self.assertNotIn("operations.c", res.stderr)
        self.assertEqual(read_tree(copy_dir), before)  # --check writes nothing


class Compiles(unittest.TestCase):
    def test_committed_output_compiles(self):
        for cc in ("gcc", "clang"):
            if not shutil.which(cc):
                continue
            for src in ("models.c", "operations.c"):
                res = subprocess.run([cc, "-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic",
                                      "-fsyntax-only", "-I" + RUNTIME_INCLUDE,
                                      "-I" + os.path.join(GENERATED, "include"),
                                      os.path.join(GENERATED, "src", src)],
                                     capture_output=True, text=True)
                self.assertEqual(res.returncode, 0, "%s %s:\n%s" % (cc, src, res.stderr))


if __name__ == "__main__":
    unittest.main()
