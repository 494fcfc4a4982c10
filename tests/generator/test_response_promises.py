"""spec/ promises no more about responses than upstream does
(generator/orgen/promises.py): the committed spec against the committed
upstream description, and doctored copies of the spec, one added promise
each, which must be caught at their pointer.

Run from the repository root:
    python3 -m unittest discover -s tests/generator
"""
import copy
import os
import sys
import unittest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "generator"))
from orgen import load, promises  # noqa: E402

SPEC = os.path.join(REPO, "spec", "openrouter-keys.yaml")
UPSTREAM_DIR = os.path.join(REPO, "spec", "upstream")
LIST_ITEM = ("#/paths/~1keys/get/responses/200/content/application~1json/schema/properties/data/"
             "items")


def upstream_path():
    names = sorted(n for n in os.listdir(UPSTREAM_DIR) if not n.startswith("."))
    return os.path.join(UPSTREAM_DIR, names[0])


class Committed(unittest.TestCase):
    def test_spec_adds_nothing_to_responses(self):
        spec = load.load(SPEC).data
        upstream = load.load(upstream_path()).data
        found = promises.compare(spec, upstream)
        self.assertEqual([str(f) for f in found], [],
                         "spec/ promises more about responses than %s: change the overlay "
                         "(spec/overlays/), not the decoder" % os.path.basename(upstream_path()))

    def test_request_side_stays_strict(self):
        """The request checks of 80-requests.yaml are there, and not compared."""
        spec = load.load(SPEC).data
        body = spec["paths"]["/keys"]["post"]["requestBody"]["content"]["application/json"]["schema"]
        self.assertEqual(body["properties"]["limit"].get("minimum"), 0)
        self.assertIn("name", body["required"])


class Doctored(unittest.TestCase):
    """Each case adds one promise to a copy of the committed spec."""

    @classmethod
    def setUpClass(cls):
        cls.spec = load.load(SPEC).data
        cls.upstream = load.load(upstream_path()).data

    def doctor(self):
        spec = copy.deepcopy(self.spec)
        item = spec["paths"]["/keys"]["get"]["responses"]["200"]["content"]["application/json"]
        return spec, item["schema"]["properties"]["data"]["items"]

    def found(self, spec):
        return [(f.pointer, f.what) for f in promises.compare(spec, self.upstream)]

    def assert_one(self, spec, pointer, what):
        found = self.found(spec)
        self.assertEqual(len(found), 1, found)
        self.assertEqual(found[0][0], pointer)
        self.assertIn(what, found[0][1])

    def test_format(self):
        spec, key = self.doctor()
        key["properties"]["created_at"]["format"] = "date-time"
        self.assert_one(spec, LIST_ITEM + "/properties/created_at/format",
                        "format date-time (upstream: none)")

    def test_free_format_on_numbers_is_no_promise(self):
        spec, key = self.doctor()
        key["properties"]["usage"]["format"] = "float"
        self.assertEqual(self.found(spec), [])

    def test_closed_enum(self):
        spec, key = self.doctor()
        del key["properties"]["limit_reset"]["x-speakeasy-unknown-values"]
        self.assert_one(spec, LIST_ITEM + "/properties/limit_reset/enum", "closed enum")

    def test_open_enum_is_no_promise(self):
        spec, key = self.doctor()
        key["properties"]["name"]["enum"] = ["a", "b"]
        key["properties"]["name"]["x-speakeasy-unknown-values"] = "allow"
        self.assertEqual(self.found(spec), [])

    def test_minimum(self):
        spec, key = self.doctor()
        key["properties"]["usage"]["minimum"] = 0
        self.assert_one(spec, LIST_ITEM + "/properties/usage/minimum", "minimum 0 (upstream: none)")

    def test_maximum_and_exclusive(self):
        spec, key = self.doctor()
        key["properties"]["usage"]["exclusiveMaximum"] = 100
        self.assert_one(spec, LIST_ITEM + "/properties/usage/exclusiveMaximum", "exclusiveMaximum 100")

    def test_length(self):
        spec, key = self.doctor()
        key["properties"]["name"]["maxLength"] = 64
        key["properties"]["hash"]["minLength"] = 1
        found = self.found(spec)
        self.assertEqual(sorted(p for p, _ in found),
                         [LIST_ITEM + "/properties/hash/minLength", LIST_ITEM + "/properties/name/maxLength"])

    def test_pattern(self):
        spec, key = self.doctor()
        key["properties"]["hash"]["pattern"] = "^[0-9a-f]{64}$"
        self.assert_one(spec, LIST_ITEM + "/properties/hash/pattern", "pattern")

    def test_required(self):
        spec, key = self.doctor()
        key["required"] = key["required"] + ["external_user"]
        self.assert_one(spec, LIST_ITEM + "/required", "requires external_user (upstream does not)")

    def test_narrower_type_drops_null(self):
        spec, key = self.doctor()
        key["properties"]["updated_at"]["type"] = "string"
        self.assert_one(spec, LIST_ITEM + "/properties/updated_at/type", "narrower type ['string']")

    def test_integer_where_upstream_says_number(self):
        spec, key = self.doctor()
        key["properties"]["usage"]["type"] = "integer"
        self.assert_one(spec, LIST_ITEM + "/properties/usage/type", "narrower type ['integer']")

    def test_wider_type_is_no_promise(self):
        spec, key = self.doctor()
        key["properties"]["created_at"]["type"] = ["string", "null"]
        self.assertEqual(self.found(spec), [])

    def test_closed_object(self):
        spec, key = self.doctor()
        key["additionalProperties"] = False
        self.assert_one(spec, LIST_ITEM + "/additionalProperties", "no members beyond")

    def test_added_property_may_state_its_type_only(self):
        spec, key = self.doctor()
        key["properties"]["new_field"] = {"type": "string"}
        self.assertEqual(self.found(spec), [])
        key["properties"]["new_field"]["format"] = "uuid"
        self.assert_one(spec, LIST_ITEM + "/properties/new_field/format", "format uuid")

    def test_promise_behind_a_ref(self):
        """A schema moved into components is compared where the response uses it."""
        spec, key = self.doctor()
        spec.setdefault("components", {}).setdefault("schemas", {})["MovedKey"] = key
        key["properties"]["expires_at"]["minLength"] = 20
        data = spec["paths"]["/keys"]["get"]["responses"]["200"]["content"]["application/json"]
        data["schema"]["properties"]["data"]["items"] = {"$ref": "#/components/schemas/MovedKey"}
        self.assert_one(spec, "#/components/schemas/MovedKey/properties/expires_at/minLength",
                        "minLength 20")

    def test_every_operation_is_walked(self):
        """One promise in each of the six success responses: six findings."""
        spec = copy.deepcopy(self.spec)
        for path, method, status in (("/keys", "get", "200"), ("/keys", "post", "201"),
                                     ("/keys/{hash}", "get", "200"), ("/keys/{hash}", "patch", "200"),
                                     ("/keys/{hash}", "delete", "200"), ("/key", "get", "200")):
            schema = spec["paths"][path][method]["responses"][status]["content"]["application/json"]
            schema["schema"]["additionalProperties"] = False
        self.assertEqual(len(self.found(spec)), 6, self.found(spec))

    def test_request_body_is_not_compared(self):
        spec = copy.deepcopy(self.spec)
        body = spec["paths"]["/keys"]["post"]["requestBody"]["content"]["application/json"]["schema"]
        body["properties"]["name"]["maxLength"] = 10
        self.assertEqual(self.found(spec), [])


if __name__ == "__main__":
    unittest.main()
