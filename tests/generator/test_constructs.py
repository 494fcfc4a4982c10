"""Every construct the generator rejects, with its exact message and JSON
pointer, and the fixture spec's model (tests/fixtures/kitchen-sink.yaml).

Run from the repository root:
    python3 -m unittest discover -s tests/generator
"""
import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURE = os.path.join(REPO, "tests", "fixtures", "kitchen-sink.yaml")
UNIONS_FIXTURE = os.path.join(REPO, "tests", "fixtures", "unions.yaml")
RUNTIME_INCLUDE = os.path.join(REPO, "runtime", "include")
sys.path.insert(0, os.path.join(REPO, "generator"))
import generate  # noqa: E402
from orgen import keywords, load, model  # noqa: E402
from orgen.errors import GeneratorError  # noqa: E402

R200 = "#/paths/~1t/get/responses/200/content/application~1json/schema"
PROPS = R200 + "/properties"


def doc():
    """A minimal valid document; each case below breaks one thing."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {"/t": {"get": {
            "operationId": "getT",
            "parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}}],
            "responses": {"200": {"description": "ok", "content": {"application/json": {
                "schema": {"type": "object", "properties": {
                    "a": {"type": "string"}}}}}}},
        }}},
        "components": {"schemas": {
            "Obj": {"type": "object", "properties": {"x": {"type": "integer"}}},
        }},
    }


def get(d):
    return d["paths"]["/t"]["get"]


def props(d):
    return get(d)["responses"]["200"]["content"]["application/json"]["schema"]["properties"]


def prop(schema):
    def mutate(d):
        props(d)["p"] = schema
    return mutate


def component(**schemas):
    def mutate(d):
        d["components"]["schemas"].update(schemas)
    return mutate


def collision(ident, owner):
    return "unsupported name collision: C identifier %s is also generated for %s" % (ident, owner)


OBJ = {"type": "object", "properties": {"m": {"type": "string"}}}
RUNTIME = "runtime/include/openrouter/"

# (name, mutation, expected message, expected pointer)
CASES = [
    ("openapi 2", lambda d: d.update(openapi="2.0"), "unsupported OpenAPI version '2.0'",
     "#/openapi"),
    ("one of beside properties", prop({"oneOf": [{"type": "string"}, {"type": "integer"}],
                                       "properties": {"x": {"type": "string"}}}),
     "unsupported properties beside oneOf", PROPS + "/p/properties"),
    ("any of null only", prop({"anyOf": [{"type": "null"}, {"nullable": True}]}),
     "unsupported anyOf of null only", PROPS + "/p/anyOf"),
    ("one of beside any of", prop({"oneOf": [{"type": "string"}], "anyOf": [{"type": "string"}]}),
     "unsupported oneOf beside anyOf", PROPS + "/p/anyOf"),
    ("discriminator alone", prop({"type": "object", "discriminator": {"propertyName": "k"},
                                  "properties": {"k": {"type": "string"}}}),
     "unsupported discriminator", PROPS + "/p/discriminator"),
    ("not", prop({"not": {"type": "string"}}), "unsupported not", PROPS + "/p/not"),
    ("if", prop({"if": {"type": "string"}, "then": {}}), "unsupported if", PROPS + "/p/if"),
    ("pattern properties", prop({"type": "object", "patternProperties": {"^x": {}}}),
     "unsupported patternProperties", PROPS + "/p/patternProperties"),
    ("dependent schemas", prop({"type": "object", "dependentSchemas": {}}),
     "unsupported dependentSchemas", PROPS + "/p/dependentSchemas"),
    ("prefix items", prop({"type": "array", "prefixItems": [{"type": "string"}]}),
     "unsupported prefixItems", PROPS + "/p/prefixItems"),
    ("dynamic ref", prop({"$dynamicRef": "#node"}), "unsupported $dynamicRef",
     PROPS + "/p/$dynamicRef"),
    ("type union", prop({"type": ["string", "integer", "null"]}),
     "unsupported type union string|integer|null", PROPS + "/p/type"),
    ("null only", prop({"type": "null"}), "unsupported null-only type", PROPS + "/p/type"),
    ("null only list", prop({"type": ["null"]}), "unsupported null-only type",
     PROPS + "/p/type"),
    ("schema false", prop(False), "unsupported schema 'false'", PROPS + "/p"),
    ("keyword next to ref", prop({"$ref": "#/components/schemas/Obj", "minLength": 1}),
     "unsupported keyword 'minLength' next to $ref", PROPS + "/p/minLength"),
    ("external ref", prop({"$ref": "other.yaml#/X"}), "unsupported non-local $ref 'other.yaml#/X'",
     PROPS + "/p/$ref"),
    ("exclusive minimum", prop({"type": "number", "exclusiveMinimum": 0}),
     "unsupported exclusiveMinimum", PROPS + "/p/exclusiveMinimum"),
    ("exclusive maximum", prop({"type": "integer", "maximum": 5, "exclusiveMaximum": True}),
     "unsupported exclusiveMaximum", PROPS + "/p/exclusiveMaximum"),
    ("unknown schema keyword", prop({"type": "string", "nulable": True}),
     "unsupported keyword 'nulable'", PROPS + "/p/nulable"),
    ("unevaluated properties", prop({"type": "object", "properties": {"x": {"type": "string"}},
                                     "unevaluatedProperties": {"type": "integer"}}),
     "unsupported unevaluatedProperties", PROPS + "/p/unevaluatedProperties"),
    ("schema id", prop({"$id": "https://example.com/p", "type": "string"}), "unsupported $id",
     PROPS + "/p/$id"),
    ("unknown keyword in an allOf part", prop({"allOf": [
        {"type": "object", "properties": {"x": {"type": "string"}}, "minProps": 1}]}),
     "unsupported keyword 'minProps'", PROPS + "/p/allOf/0/minProps"),
    ("unknown document field", lambda d: d.update(path={}),
     "invalid spec: unknown document field 'path'", "#/path"),
    ("path item servers", lambda d: d["paths"]["/t"].update(servers=[{"url": "https://x"}]),
     "unsupported path item servers", "#/paths/~1t/servers"),
    ("operation servers", lambda d: get(d).update(servers=[{"url": "https://x"}]),
     "unsupported operation servers", "#/paths/~1t/get/servers"),
    ("unknown operation field", lambda d: get(d).update(operationID="x"),
     "invalid spec: unknown operation field 'operationID'", "#/paths/~1t/get/operationID"),
    ("idempotent not a boolean", lambda d: get(d).update({"x-openrouter-idempotent": "yes"}),
     "invalid spec: x-openrouter-idempotent must be true or false",
     "#/paths/~1t/get/x-openrouter-idempotent"),
    ("unknown parameter field", lambda d: get(d)["parameters"][0].update(requird=True),
     "invalid spec: unknown parameter field 'requird'", "#/paths/~1t/get/parameters/0/requird"),
    ("parameter content beside schema", lambda d: get(d)["parameters"][0].update(
        content={"application/json": {}}),
     "unsupported parameter content", "#/paths/~1t/get/parameters/0/content"),
    ("query parameter style", lambda d: get(d)["parameters"][0].update(style="spaceDelimited"),
     "unsupported parameter style 'spaceDelimited'", "#/paths/~1t/get/parameters/0/style"),
    ("path parameter style", lambda d: (
        d["paths"].update({"/t/{id}": {"get": dict(get(d), operationId="getOne", parameters=[
            {"name": "id", "in": "path", "required": True, "style": "matrix",
             "schema": {"type": "string"}}])}})),
     "unsupported parameter style 'matrix'", "#/paths/~1t~1{id}/get/parameters/0/style"),
    ("unknown request body field", lambda d: get(d).update(requestBody={
        "requried": True, "content": {"application/json": {"schema": {"type": "object"}}}}),
     "invalid spec: unknown request body field 'requried'",
     "#/paths/~1t/get/requestBody/requried"),
    ("unknown media type field", lambda d: get(d)["responses"]["200"]["content"][
        "application/json"].update(schemas={}),
     "invalid spec: unknown media type field 'schemas'",
     "#/paths/~1t/get/responses/200/content/application~1json/schemas"),
    ("unknown response field", lambda d: get(d)["responses"]["200"].update({"no body.": None}),
     "invalid spec: unknown response field 'no body.'",
     "#/paths/~1t/get/responses/200/no body."),
    ("integer enum", prop({"type": "string", "enum": ["a", 1]}),
     "unsupported enum with non-string values", PROPS + "/p/enum"),
    ("nullable object items",
     prop({"type": "array", "items": {"type": ["object", "null"],
                                      "properties": {"x": {"type": "string"}}}}),
     "unsupported nullable object array items", PROPS + "/p/items"),
    ("nullable object map values",
     prop({"type": "object", "additionalProperties": {
         "type": ["object", "null"], "properties": {"x": {"type": "string"}}}}),
     "unsupported nullable object map values", PROPS + "/p/additionalProperties"),
    ("allOf of a scalar", prop({"allOf": [{"$ref": "#/components/schemas/Obj"},
                                          {"type": "string"}]}),
     "unsupported allOf of a non-object schema", PROPS + "/p/allOf/1"),
    ("recursive schema",
     lambda d: d["components"]["schemas"]["Obj"]["properties"].update(
         self_={"$ref": "#/components/schemas/Obj"}) or props(d).update(
         p={"$ref": "#/components/schemas/Obj"}),
     "unsupported recursive schema", "#/components/schemas/Obj/properties/self_/$ref"),
    ("cookie parameter", lambda d: get(d)["parameters"].append(
        {"name": "c", "in": "cookie", "schema": {"type": "string"}}),
     "unsupported cookie parameter", "#/paths/~1t/get/parameters/1"),
    ("parameter without schema", lambda d: get(d)["parameters"].append(
        {"name": "c", "in": "query", "content": {"application/json": {}}}),
     "unsupported parameter without schema", "#/paths/~1t/get/parameters/1"),
    ("array parameter", lambda d: get(d)["parameters"].append(
        {"name": "ids", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}}),
     "unsupported array parameter", "#/paths/~1t/get/parameters/1/schema"),
    ("object parameter", lambda d: get(d)["parameters"].append(
        {"name": "f", "in": "query", "schema": {"$ref": "#/components/schemas/Obj"}}),
     "unsupported object parameter", "#/paths/~1t/get/parameters/1/schema"),
    ("external parameter ref", lambda d: get(d)["parameters"].append({"$ref": "x.yaml#/p"}),
     "unsupported non-local $ref 'x.yaml#/p'", "#/paths/~1t/get/parameters/1/$ref"),
    ("parameter ref cycle", lambda d: (
        d["components"].update(parameters={"A": {"$ref": "#/components/parameters/B"},
                                           "B": {"$ref": "#/components/parameters/A"}}),
        get(d)["parameters"].append({"$ref": "#/components/parameters/A"})),
     "unsupported recursive $ref '#/components/parameters/A'",
     "#/components/parameters/B/$ref"),
    ("form body", lambda d: get(d).update(requestBody={"content": {
        "application/x-www-form-urlencoded": {"schema": {"type": "object"}}}}),
     "unsupported request body media type application/x-www-form-urlencoded",
     "#/paths/~1t/get/requestBody/content"),
    ("body without content", lambda d: get(d).update(requestBody={"content": {}}),
     "unsupported request body media type (none)", "#/paths/~1t/get/requestBody/content"),
    ("body without schema", lambda d: get(d).update(requestBody={"content": {
        "application/json": {}}}),
     "unsupported request body without schema",
     "#/paths/~1t/get/requestBody/content/application~1json/schema"),
    ("array body", lambda d: get(d).update(requestBody={"content": {
        "application/json": {"schema": {"type": "array", "items": {"type": "string"}}}}}),
     "unsupported request body that is not a JSON object",
     "#/paths/~1t/get/requestBody/content/application~1json/schema"),
    ("no 2xx", lambda d: get(d).update(responses={"404": {"description": "x"}}),
     "unsupported operation without a 2xx response", "#/paths/~1t/get/responses"),
    ("bytes beside a JSON success body", lambda d: get(d)["responses"].update({"201": {
        "description": "file", "content": {"application/octet-stream": {}}}}),
     "unsupported success responses with different bodies (also %s)" % R200,
     "#/paths/~1t/get/responses/201/content/application~1octet-stream"),
    ("array response", lambda d: get(d)["responses"]["200"]["content"]["application/json"]
     .update(schema={"type": "array", "items": {"type": "string"}}),
     "unsupported response body that is not a JSON object", R200),
    ("two success bodies", lambda d: get(d)["responses"].update({"201": {
        "description": "made", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Obj"}}}}}),
     "unsupported success responses with different bodies (also %s)" % R200,
     "#/paths/~1t/get/responses/201/content/application~1json/schema"),
    ("name on a string", prop({"type": "string", "x-openrouter-name": "S"}),
     "invalid spec: x-openrouter-name names object, enum and union schemas only",
     PROPS + "/p/x-openrouter-name"),
    ("empty name", prop(dict(OBJ, **{"x-openrouter-name": "_"})),
     "invalid spec: x-openrouter-name must be a non-empty name", PROPS + "/p/x-openrouter-name"),
    ("one type two names", lambda d: props(d).update(
        p=dict(OBJ, **{"x-openrouter-name": "A"}), q=dict(OBJ, **{"x-openrouter-name": "B"})),
     "invalid spec: one type has two names in x-openrouter-name: A, B", PROPS + "/q"),
    ("order not a list", prop(dict(OBJ, **{"x-openrouter-order": "m"})),
     "invalid spec: x-openrouter-order must be a list of property names",
     PROPS + "/p/x-openrouter-order"),
]


class SpecCase(unittest.TestCase):
    """Writes documents to a temporary spec.json."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="orgen-constructs-")
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)

    def spec(self, d):
        path = os.path.join(self.tmp, "spec.json")
        with open(path, "w") as fh:
            json.dump(d, fh)
        return path


class Rejected(SpecCase):
    """Each case fails with `error: <message> at <pointer>`, exit code 2."""

    def test_every_case_in_process(self):
        for name, mutate, message, ptr in CASES:
            with self.subTest(name):
                d = doc()
                mutate(d)
                with self.assertRaises(GeneratorError) as cm:
                    generate.generate(self.spec(d))
                self.assertEqual(cm.exception.render(), "error: %s at %s" % (message, ptr))

    def test_the_base_document_is_valid(self):
        files = generate.generate(self.spec(doc()))
        self.assertIn("include/openrouter/models.h", files)

    def test_command_line_exit_code_and_nothing_written(self):
        for name, mutate, message, ptr in CASES[:3]:
            d = doc()
            mutate(d)
            out = os.path.join(self.tmp, "out")
            res = subprocess.run([sys.executable, os.path.join(REPO, "generator", "generate.py"),
                                  "--spec", self.spec(d), "--out", out, "--strict"],
                                 capture_output=True, text=True)
            self.assertEqual(res.returncode, 2)
            self.assertEqual(res.stderr, "error: %s at %s\n" % (message, ptr))
            self.assertFalse(os.path.exists(out))


def schemas_in(node, out):
    """Every schema object of a document (for the keyword survey below):
    components/schemas and every `schema`, then nested subschemas."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "schema":
                walk_schema(value, out)
            elif key == "schemas" and isinstance(value, dict):
                for sub in value.values():
                    walk_schema(sub, out)
            else:
                schemas_in(value, out)
    elif isinstance(node, list):
        for value in node:
            schemas_in(value, out)


def walk_schema(node, out):
    if not isinstance(node, dict):
        return
    out.append(node)
    for key, value in node.items():
        if key in ("properties", "patternProperties", "$defs", "definitions",
                   "dependentSchemas") and isinstance(value, dict):
            for sub in value.values():
                walk_schema(sub, out)
        elif key in ("items", "additionalProperties", "not", "if", "then", "else", "contains",
                     "propertyNames", "unevaluatedProperties", "unevaluatedItems"):
            walk_schema(value, out)
        elif key in ("allOf", "anyOf", "oneOf", "prefixItems") and isinstance(value, list):
            for sub in value:
                walk_schema(sub, out)


def openapi_objects(data):
    """(keyword table, object) for every OpenAPI object of a document that
    orgen/keywords.py has a table for."""
    out = [(keywords.ROOT, data)]

    def dicts(container):
        values = container.values() if isinstance(container, dict) else container or ()
        return [v for v in values if isinstance(v, dict)]

    def with_content(table, node):
        out.append((table, node))
        out.extend((keywords.MEDIA_TYPE, m) for m in dicts(node.get("content") or {}))

    def operation(op):
        out.append((keywords.OPERATION, op))
        out.extend((keywords.PARAMETER, p) for p in dicts(op.get("parameters")))
        if isinstance(op.get("requestBody"), dict):
            with_content(keywords.REQUEST_BODY, op["requestBody"])
        for r in dicts(op.get("responses") or {}):
            with_content(keywords.RESPONSE, r)

    for item in dicts(data.get("paths") or {}):
        out.append((keywords.PATH_ITEM, item))
        out.extend((keywords.PARAMETER, p) for p in dicts(item.get("parameters")))
        for method in ("get", "put", "post", "delete", "options", "head", "patch", "trace"):
            if isinstance(item.get(method), dict):
                operation(item[method])
    components = data.get("components") or {}
    out.extend((keywords.PARAMETER, p) for p in dicts(components.get("parameters") or {}))
    for r in dicts(components.get("requestBodies") or {}):
        with_content(keywords.REQUEST_BODY, r)
    for r in dicts(components.get("responses") or {}):
        with_content(keywords.RESPONSE, r)
    return out


def readme_section(title):
    """The paragraph of generator/README.md that starts with `title`."""
    with open(os.path.join(REPO, "generator", "README.md"), encoding="utf-8") as fh:
        text = fh.read()
    start = text.index(title)
    end = text.find("\n\n", start)
    return text[start:end if end >= 0 else len(text)]


class Keywords(SpecCase):
    """orgen/keywords.py: every keyword handled, ignored on purpose or
    rejected, and generator/README.md saying the same."""

    def files(self, d):
        return generate.generate(self.spec(d))

    def with_prop(self, schema):
        d = doc()
        props(d)["p"] = schema
        return d

    def test_every_rule_is_classified_and_explained(self):
        tables = (keywords.SCHEMA, keywords.ROOT, keywords.PATH_ITEM, keywords.OPERATION,
                  keywords.PARAMETER, keywords.REQUEST_BODY, keywords.RESPONSE,
                  keywords.MEDIA_TYPE)
        for table in tables:
            for key, rule in table.items():
                self.assertIn(rule.kind, (keywords.HANDLED, keywords.IGNORED, keywords.REJECTED))
                self.assertTrue(rule.why, key)

    def test_rejected_schema_keywords(self):
        for key, rule in keywords.SCHEMA.items():
            if rule.kind != keywords.REJECTED:
                continue
            with self.subTest(key):
                with self.assertRaises(GeneratorError) as cm:
                    self.files(self.with_prop({"type": "string", key: {}}))
                self.assertEqual(cm.exception.render(), "error: unsupported %s at %s/p/%s"
                                 % (key, PROPS, key.replace("~", "~0").replace("/", "~1")))

    def test_ignored_schema_keywords_change_no_table(self):
        def body(files, name):  # without the header naming the spec's hash
            return files[name].split("\n", 4)[4]
        base = self.files(self.with_prop({"type": "string"}))
        ref = self.files(self.with_prop({"$ref": "#/components/schemas/Obj"}))
        for key, rule in keywords.SCHEMA.items():
            if rule.kind != keywords.IGNORED:
                continue
            with self.subTest(key):
                got = self.files(self.with_prop({"type": "string", key: "v"}))
                self.assertEqual(body(got, "src/models.c"), body(base, "src/models.c"))
                beside = self.files(self.with_prop({"$ref": "#/components/schemas/Obj", key: 1}))
                self.assertEqual(body(beside, "src/models.c"), body(ref, "src/models.c"))
                header = body(got, "include/openrouter/models.h")
                if rule.shown:
                    self.assertIn('[JSON "p"; %s "v" not checked]' % key, header)
                else:
                    self.assertEqual(header, body(base, "include/openrouter/models.h"))

    def test_handled_schema_keywords_are_exercised(self):
        used = set()
        for path in (FIXTURE, UNIONS_FIXTURE, os.path.join(REPO, "spec", "openrouter-keys.yaml")):
            nodes = []
            schemas_in(load.load(path).data, nodes)
            for node in nodes:
                used.update(node)
        handled = {k for k, r in keywords.SCHEMA.items() if r.kind == keywords.HANDLED}
        self.assertEqual(handled - used, set())

    def test_openapi_objects(self):
        d = doc()
        get(d)["tags"] = ["t"]
        get(d)["security"] = []
        get(d)["parameters"][0].update(example="x", explode=True, style="form")
        get(d)["responses"]["200"].update(headers={"X-Rate": {"schema": {"type": "integer"}}})
        get(d)["responses"]["200"]["content"]["application/json"]["example"] = {"a": "b"}
        d["servers"] = [{"url": "https://example.com"}]
        self.assertEqual(self.files(d)["src/operations.c"].split("\n", 4)[4],
                         self.files(doc())["src/operations.c"].split("\n", 4)[4])
        for table in (keywords.PATH_ITEM, keywords.OPERATION, keywords.PARAMETER):
            for key, rule in table.items():
                self.assertEqual(rule.kind == keywords.REJECTED, key in ("servers", "content"))

    def test_spec_and_upstream_files_use_known_keywords(self):
        # The fixture also carries unknown x-* extensions, to show they are ignored.
        reference = os.path.normpath(os.path.join(REPO, "..", "shared", "reference"))
        upstream = os.path.join(REPO, "spec", "upstream")
        paths = [os.path.join(REPO, "spec", "openrouter-keys.yaml")] + \
            [os.path.join(upstream, n) for n in sorted(os.listdir(upstream))]
        if os.path.isdir(reference):
            paths += [os.path.join(reference, n) for n in sorted(os.listdir(reference))
                      if n.endswith(".yaml")]
        for path in [FIXTURE, UNIONS_FIXTURE] + paths:
            data, nodes = load.load(path).data, []
            schemas_in(data, nodes)
            unknown = {k for node in nodes for k in map(str, node) if k not in keywords.SCHEMA
                       and (path != FIXTURE or not k.startswith("x-"))}
            self.assertEqual(unknown, set(), path)
            for table, node in openapi_objects(data):
                unknown = {k for k in map(str, node) if k not in table and k != "$ref"
                           and (path != FIXTURE or not k.startswith("x-"))}
                self.assertEqual(unknown, set(), path)
        if not os.path.isdir(reference):
            self.skipTest("upstream excerpts not found in %s" % reference)

    def test_readme_lists_every_schema_keyword(self):
        sections = {keywords.HANDLED: readme_section("Schema keywords the generator reads"),
                    keywords.IGNORED: readme_section("Schema keywords ignored on purpose"),
                    keywords.REJECTED: readme_section("Schema keywords rejected")}
        for key, rule in keywords.SCHEMA.items():
            with self.subTest(key):
                for kind, text in sections.items():
                    self.assertEqual("`%s`" % key in text, kind == rule.kind, kind)


class ExplicitNames(SpecCase):
    """x-openrouter-name names an inline schema (or the one behind a $ref),
    and x-openrouter-order arranges an object's members."""

    def build(self, d):
        return model.build(load.load(self.spec(d)))

    def names(self, m):
        return sorted(o.name for o in m.objects), sorted(e.name for e in m.enums)

    def test_inline_schemas_named(self):
        d = doc()
        props(d)["p"] = {"x-openrouter-name": "Thing", "type": "object", "properties": {
            "inner": {"type": "object", "properties": {"k": {"type": "string"}}},
            "mode": {"type": "string", "enum": ["a", "b"], "x-openrouter-name": "Mode"}}}
        objects, enums = self.names(self.build(d))
        self.assertIn("thing", objects)
        self.assertIn("thing_inner", objects)  # nested types are named after it
        self.assertEqual(enums, ["mode"])
        # The same shape elsewhere, even as a component, is the same named type.
        d["components"]["schemas"]["Copy"] = copy.deepcopy(props(d)["p"])
        del d["components"]["schemas"]["Copy"]["x-openrouter-name"]
        objects, enums = self.names(self.build(d))
        self.assertIn("thing", objects)
        self.assertNotIn("copy", objects)
        self.assertEqual(enums, ["mode"])

    def test_name_beside_a_ref_wins_over_the_component_name(self):
        d = doc()
        props(d)["p"] = {"$ref": "#/components/schemas/Obj", "x-openrouter-name": "Renamed"}
        objects, _ = self.names(self.build(d))
        self.assertIn("renamed", objects)
        self.assertNotIn("obj", objects)

    def test_member_order(self):
        d = doc()
        d["components"]["schemas"]["Obj"] = {
            "type": "object", "x-openrouter-order": ["z", "gone", "b"],
            "properties": {"a": {"type": "string"}, "b": {"type": "string"},
                           "c": {"type": "string"}, "z": {"type": "string"}}}
        [obj] = [o for o in self.build(d).objects if o.name == "obj"]
        self.assertEqual([f.json_name for f in obj.fields], ["z", "b", "a", "c"])


class Fixture(unittest.TestCase):
    """What the fixture spec turns into (tests/upstream compiles and
    round-trips it; this checks the model the generator builds)."""

    @classmethod
    def setUpClass(cls):
        cls.m = model.build(load.load(FIXTURE))
        cls.objs = {o.name: o for o in cls.m.objects}
        cls.ops = {op.op_id: op for op in cls.m.operations}
        cls.files = generate.generate(FIXTURE, prefix="fx")

    def field(self, obj, name):
        return [f for f in self.objs[obj].fields if f.json_name == name][0]

    def test_kinds(self):
        kinds = {f.json_name: (f.tref.kind, f.tref.item.kind if f.tref.item else None)
                 for f in self.objs["thing"].fields}
        self.assertEqual(kinds["opt_plain"], ("int32", None))
        self.assertEqual(kinds["opt_nullable"], ("int64", None))
        self.assertEqual(kinds["ratio"], ("number", None))
        self.assertEqual(kinds["flag"], ("bool", None))
        self.assertEqual(kinds["when"], ("datetime", None))
        self.assertEqual(kinds["id"], ("string", None))  # format: uuid
        self.assertEqual(kinds["kind"], ("string", None))  # const
        self.assertEqual(kinds["colors"], ("array", "enum"))
        self.assertEqual(kinds["tags"], ("array", "string"))
        self.assertEqual(kinds["co_owners"], ("array", "object"))
        self.assertEqual(kinds["labels"], ("map", "string"))
        self.assertEqual(kinds["owners_by_role"], ("map", "object"))
        self.assertEqual(kinds["metadata"], ("json", None))
        self.assertEqual(kinds["anything"], ("json", None))
        self.assertEqual(kinds["owner"], ("object", None))

    def test_required_nullable_matrix(self):
        got = {n: (self.field("thing", n).required, self.field("thing", n).nullable)
               for n in ("req_plain", "req_nullable", "opt_plain", "opt_nullable",
                         "opt_nullable_both")}
        self.assertEqual(got, {"req_plain": (True, False), "req_nullable": (True, True),
                               "opt_plain": (False, False), "opt_nullable": (False, True),
                               "opt_nullable_both": (False, True)})

    def test_all_of_merges_and_keeps_pointers(self):
        names = [f.json_name for f in self.objs["thing"].fields]
        self.assertEqual(names[:3], ["created_at", "updated_at", "revision"])
        self.assertTrue(self.field("thing", "created_at").required)
        self.assertTrue(self.field("thing", "created_at").read_only)
        self.assertEqual(self.field("thing", "created_at").ptr,
                         "#/components/schemas/Audited/properties/created_at")

    def test_nested_inline_names(self):
        self.assertIn("owner_address", self.objs)
        self.assertIn("owner_address_geo", self.objs)
        self.assertIn("get_stats_response", self.objs)

    def test_enums_deduplicated(self):
        # Color, the nullable copy under maybe_color and the array items: one enum.
        self.assertEqual(sorted(e.name for e in self.m.enums), ["color", "get_thing_expand"])
        self.assertTrue(self.field("thing", "maybe_color").nullable)

    def test_flags_defaults_and_docs(self):
        self.assertTrue(self.field("new_thing", "password").write_only)
        self.assertTrue(self.field("new_thing", "password").secret)
        self.assertTrue(self.field("thing", "legacy_code").deprecated)
        h = self.files["include/fx/models.h"]
        self.assertIn('openrouter_string legacy_code OPENROUTER_DEPRECATED('
                      '"fx_thing.legacy_code is deprecated");', h)
        self.assertIn("default 7 when absent (not applied by the library)", h)
        self.assertIn("default false when absent", h)
        self.assertIn('always "thing"', h)
        self.assertIn('[JSON "name"; pattern "^\\S" not checked]', h)
        self.assertEqual(self.field("new_thing", "notify").tref.kind, "bool")
        o = self.files["include/fx/operations.h"]
        self.assertIn("[Query parameter limit, default 50]", o)
        self.assertIn('OPENROUTER_DEPRECATED("fx_delete_thing is deprecated")', o)
        self.assertIn('OPENROUTER_DEPRECATED("fx_list_things_request.sort is deprecated")', o)
        # Vendor extensions are ignored, a property named like one is kept.
        self.assertNotIn("internal", h)
        self.assertIn("openrouter_string x_vendor_thing;", h)

    def test_operations(self):
        ops = self.ops
        self.assertEqual([(s, o.name if o else None) for s, o in ops["createThing"].responses],
                         [(200, "get_thing_response"), (201, "get_thing_response")])
        self.assertFalse(ops["createThing"].body_required)
        self.assertEqual(ops["replaceThing"].responses[1], (202, None))
        self.assertIsNone(ops["deleteThing"].out)
        self.assertTrue(ops["deleteThing"].deprecated)
        self.assertEqual([(p.location, p.c_name) for p in ops["listThings"].params],
                         [("query", "limit"), ("query", "cursor"), ("query", "color"),
                          ("query", "archived"), ("query", "sort"), ("header", "x_request_id")])
        self.assertEqual([(p.location, p.name) for p in ops["getThing"].params],
                         [("path", "thing_id"), ("query", "expand")])
        o = self.files["include/fx/operations.h"]
        # No body: no out parameter.
        self.assertIn("int fx_delete_thing(openrouter_client *client,\n"
                      "    const fx_delete_thing_request *request,\n"
                      "    const openrouter_call_options *options, openrouter_error *error);", o)

    def test_deprecation_attribute_warns_callers(self):
        cc = shutil.which("gcc") or shutil.which("clang")
        if cc is None:
            self.skipTest("no C compiler")
        out = tempfile.mkdtemp(prefix="orgen-fx-")
        self.addCleanup(shutil.rmtree, out, ignore_errors=True)
        generate.write_atomically(self.files, out)
        src = os.path.join(out, "use.c")
        with open(src, "w") as fh:
            fh.write('#include "fx/fx.h"\n'
                     "int use(fx_thing *t);\n"
                     "int use(fx_thing *t) { return t->legacy_code.state; }\n")
        res = subprocess.run([cc, "-std=c11", "-Wall", "-Wextra", "-pedantic", "-fsyntax-only",
                              "-I" + RUNTIME_INCLUDE, "-I" + os.path.join(out, "include"), src],
                             capture_output=True, text=True)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("legacy_code", res.stderr)
        self.assertIn("deprecated", res.stderr)


if __name__ == "__main__":
    unittest.main()
