"""Unions (oneOf/anyOf), allOf with one shaped member, typed
additionalProperties beside properties, arrays of arrays and resolved name
collisions: the model the generator builds of tests/fixtures/unions.yaml
(tests/upstream/test_unions.c runs the C), and small documents for the rest.

Run from the repository root:
    python3 -m unittest discover -s tests/generator
"""
import os
import sys
import unittest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURE = os.path.join(REPO, "tests", "fixtures", "unions.yaml")
sys.path.insert(0, os.path.join(REPO, "generator"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate  # noqa: E402
from orgen import load, model, unions  # noqa: E402
from test_constructs import SpecCase  # noqa: E402


def union_doc(schema, components=None):
    """A document whose one response has a property `p` of `schema`."""
    return {
        "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "paths": {"/t": {"get": {"operationId": "getT", "responses": {"200": {
            "description": "ok", "content": {"application/json": {"schema": {
                "type": "object", "properties": {"p": schema}}}}}}}}},
        "components": {"schemas": components or {}},
    }


class Tmp(SpecCase):
    def slot(self, schema, components=None):
        """The TypeRef and Info of property p."""
        m = model.build(load.load(self.spec(union_doc(schema, components))))
        resp = next(o for o in m.objects if o.name == "get_t_response")
        f = resp.fields[0]
        return f.tref, f


class Fixture(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.m = model.build(load.load(FIXTURE))
        cls.files = generate.generate(FIXTURE, prefix="un")
        cls.default = generate.generate(FIXTURE)

    def union(self, name):
        return next(u for u in self.m.unions if u.name == name)

    def members(self, name):
        return [(v.name, v.tref.kind, v.tags) for v in self.union(name).variants]

    def test_discriminator_with_mapping(self):
        pet = self.union("pet")
        self.assertEqual(pet.discriminator, "kind")
        # cat and doggo from the mapping (a bare name too), lizard from its const.
        self.assertEqual(self.members("pet"), [("cat", "object", ("cat",)),
                                               ("doggo", "object", ("doggo",)),
                                               ("lizard", "object", ("lizard",))])
        h = self.files["include/un/models.h"]
        self.assertIn("    UN_PET_KIND_UNKNOWN = 0,", h)
        self.assertIn("    UN_PET_KIND_DOGGO = 2,", h)
        self.assertIn("        un_dog doggo; /* UN_PET_KIND_DOGGO */", h)
        c = self.files["src/models.c"]
        self.assertIn('.discriminator = "kind",', c)
        self.assertIn(".union_desc = &un_pet_union_desc", c)

    def test_discriminator_from_required_consts(self):
        shape = self.union("shape")
        self.assertEqual(shape.discriminator, "type")
        self.assertEqual(self.members("shape"), [("circle", "object", ("circle",)),
                                                 ("square", "object", ("square",))])
        holder = next(o for o in self.m.objects if o.name == "holder")
        shapes = next(f for f in holder.fields if f.json_name == "shapes")
        self.assertTrue(shapes.tref.item_nullable)  # the null variant: nullable items
        shape_field = next(f for f in holder.fields if f.json_name == "shape")
        self.assertTrue(shape_field.nullable)

    def test_kinds_and_arrays(self):
        self.assertEqual([(v.name, v.kinds) for v in self.union("scalar").variants],
                         [("string", ("string",)), ("integer", ("integer",)),
                          ("number", ("number",)), ("boolean", ("boolean",))])
        self.assertEqual([(v.name, v.item_kinds) for v in self.union("lists").variants],
                         [("string_array", ("string",)), ("number_array", ("number",)),
                          ("number_array_array", ("array",)), ("point_array", ("object",))])

    def test_undiscriminated_objects(self):
        fitted = self.union("fitted")
        self.assertIsNone(fitted.discriminator)
        self.assertEqual([(v.name, v.rules()) for v in fitted.variants],
                         [("point", (("x", "y"), ())), ("point3", (("x", "y", "z"), ())),
                          ("tagged", (("x",), (("kind", ("tagged",)),))), ("object", ((), ()))])
        self.assertEqual(fitted.variants[3].tref.kind, "json")
        self.assertEqual(fitted.variants[3].kinds, ("object",))

    def test_merges(self):
        holder = {f.json_name: f for f in
                  next(o for o in self.m.objects if o.name == "holder").fields}
        # Single-value enums and a string: one open enum, named after the union.
        self.assertEqual(holder["mode"].tref.kind, "enum")
        self.assertEqual(holder["mode"].tref.enum.values, ["fast", "slow"])
        self.assertEqual(holder["mode"].tref.enum.name, "mode")
        # A string or null: a nullable string.
        self.assertEqual(holder["maybe_name"].tref.kind, "string")
        self.assertTrue(holder["maybe_name"].nullable)
        self.assertEqual(self.members("choice"), [("string", "enum", ()), ("object", "object", ())])

    def test_all_of_with_one_shape(self):
        holder = {f.json_name: f for f in
                  next(o for o in self.m.objects if o.name == "holder").fields}
        self.assertEqual(holder["described"].tref.obj.name, "point")
        self.assertEqual(holder["described"].description, "A point, described beside its reference.")
        self.assertEqual(holder["maybe_mode"].tref.enum.name, "mode_enum")
        self.assertTrue(holder["maybe_mode"].nullable)
        merged = holder["merged"].tref.obj  # two shaped members: merged, label now required
        self.assertEqual([(f.json_name, f.required) for f in merged.fields],
                         [("x", True), ("y", True), ("label", True)])

    def test_arrays_of_arrays_and_additional_members(self):
        holder = {f.json_name: f for f in
                  next(o for o in self.m.objects if o.name == "holder").fields}
        self.assertEqual((holder["grid"].tref.kind, holder["grid"].tref.item.kind,
                          holder["grid"].tref.item.item.kind), ("array", "array", "int64"))
        extras = next(o for o in self.m.objects if o.name == "extras")
        last = extras.fields[-1]
        self.assertEqual((last.json_name, last.c_name, last.tref.kind, last.flags()),
                         (None, "additional_properties", "map", ["ADDITIONAL"]))
        self.assertIn('{.json_name = "", .offset = offsetof(un_extras, additional_properties), '
                      '.type = &un_int64_map_type_desc,\n     .flags = OPENROUTER_F_ADDITIONAL,',
                      self.files["src/models.c"])

    def test_union_bodies_and_responses(self):
        op = next(o for o in self.m.operations if o.op_id == "createPet")
        self.assertIs(op.body, self.union("pet"))
        self.assertIs(op.out, self.union("pet"))
        h = self.files["include/un/operations.h"]
        self.assertIn("    un_pet body;", h)
        self.assertIn("    un_pet **out,", h)

    def test_collisions_resolved(self):
        h = self.default["include/openrouter/models.h"]
        o = self.default["include/openrouter/operations.h"]
        report = self.default["GENERATION_REPORT.md"]
        self.assertIn("struct openrouter_model_2 {", h)  # openrouter_model_decode is the runtime's
        self.assertIn("struct openrouter_add_members_request {", h)  # the component keeps it
        self.assertIn("typedef struct openrouter_add_members_request_2 {", o)
        self.assertIn("#define OPENROUTER_ADD_MEMBERS_REQUEST_2_INIT OPENROUTER_ZERO_INIT", o)
        for line in ("| model | `openrouter_model` | `openrouter_model_2` | "
                     "`#/components/schemas/Model` |",
                     "| request | `openrouter_add_members_request` | "
                     "`openrouter_add_members_request_2` | `#/paths/~1teams~1{id}~1members~1add/post` |"):
            self.assertIn(line, report)
        # Stable: the same names from a second run.
        self.assertEqual(generate.generate(FIXTURE), self.default)


class Collisions(Tmp):
    OBJ = {"type": "object", "properties": {"m": {"type": "string"}}}

    def files(self, components):
        d = union_doc({"$ref": "#/components/schemas/%s" % sorted(components)[0]}, components)
        return generate.generate(self.spec(d))

    def test_runtime_names(self):
        for comp, given in (("Error", "openrouter_error_2"), ("Allocator", "openrouter_allocator_2"),
                            ("ModelTable", "openrouter_model_table_2")):
            with self.subTest(comp):
                h = self.files({comp: self.OBJ})["include/openrouter/models.h"]
                self.assertIn("struct %s {" % given, h)

    def test_runtime_enum_constant(self):
        h = self.files({"Log": {"type": "string", "enum": ["verbose", "debug"]}})[
            "include/openrouter/models.h"]
        self.assertIn("OPENROUTER_LOG_2_DEBUG = 2", h)

    def test_two_components_one_name(self):
        files = self.files({"ab_c": self.OBJ, "AbC": {"type": "object", "properties": {
            "n": {"type": "string"}}}})
        h = files["include/openrouter/models.h"]
        # By JSON pointer: #/components/schemas/AbC sorts before .../ab_c.
        self.assertIn("struct openrouter_ab_c {\n    /* [JSON \"n\"] */", h)
        self.assertIn("struct openrouter_ab_c_2 {\n    /* [JSON \"m\"] */", h)

    def test_explicit_name_of_a_runtime_type(self):
        d = union_doc(dict(self.OBJ, **{"x-openrouter-name": "Error"}))
        h = generate.generate(self.spec(d))["include/openrouter/models.h"]
        self.assertIn("struct openrouter_error_2 {", h)


class Forms(Tmp):
    def test_any_of_t_or_null_is_nullable_t(self):
        for null in ({"type": "null"}, {"nullable": True}, {"enum": [None]}):
            with self.subTest(null):
                tref, f = self.slot({"anyOf": [{"type": "integer"}, null]})
                self.assertEqual((tref.kind, f.nullable), ("int64", True))

    def test_nested_unions_flatten(self):
        tref, _ = self.slot({"oneOf": [{"type": "boolean"},
                                       {"anyOf": [{"type": "string"}, {"type": "integer"}]}]})
        self.assertEqual([v.name for v in tref.union.variants], ["boolean", "string", "integer"])

    def test_one_member_all_of(self):
        comps = {"E": {"type": "string", "enum": ["a", "b"]}}
        tref, f = self.slot({"allOf": [{"$ref": "#/components/schemas/E"}],
                             "description": "d", "nullable": True}, comps)
        self.assertEqual((tref.kind, tref.enum.name, f.description, f.nullable),
                         ("enum", "e", "d", True))

    def test_all_of_over_a_union(self):
        comps = {"U": {"oneOf": [{"type": "string"}, {"type": "boolean"}]}}
        tref, f = self.slot({"allOf": [{"$ref": "#/components/schemas/U"},
                                       {"description": "described"}]}, comps)
        self.assertEqual((tref.kind, tref.union.name, f.description), ("union", "u", "described"))

    def test_identical_unions_are_one_type(self):
        u = {"oneOf": [{"type": "string"}, {"type": "boolean"}]}
        d = union_doc(u)
        d["paths"]["/t"]["get"]["responses"]["200"]["content"]["application/json"]["schema"][
            "properties"]["q"] = dict(u)
        m = model.build(load.load(self.spec(d)))
        self.assertEqual(len(m.unions), 1)

    def test_shadowed_variants(self):
        comps = {"A": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}},
                 "B": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"},
                                                                            "x": {"type": "string"}}}}
        tref, _ = self.slot({"anyOf": [{"$ref": "#/components/schemas/A"},
                                       {"$ref": "#/components/schemas/B"}]}, comps)
        self.assertEqual([(v.name, w.name) for v, w in unions.shadowed(tref.union)], [("b", "a")])
        report = generate.generate(self.spec(union_doc(
            {"anyOf": [{"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/B"}]},
            comps)))["GENERATION_REPORT.md"]
        self.assertIn("| `openrouter_get_t_response_p` | `b` | `a` |", report)


if __name__ == "__main__":
    unittest.main()
