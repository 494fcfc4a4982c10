"""The x-openrouter-pagination operation extension (generator/orgen/pagination.py):
what it generates, and every way it can be wrong (message and JSON pointer).

Run from the repository root:
    python3 -m unittest discover -s tests/generator
"""
import json
import os
import shutil
import sys
import tempfile
import unittest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "generator"))
import generate  # noqa: E402
from orgen.errors import GeneratorError  # noqa: E402

EXT = "#/paths/~1items/get/x-openrouter-pagination"


def doc():
    """A paged GET /items: pages of 50 by `start`, items in `rows`, id `uid`."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {"/items": {"get": {
            "operationId": "listItems",
            "x-openrouter-pagination": {"style": "offset", "offset_param": "start",
                                        "page_size": 50, "items": "rows", "id": "uid"},
            "parameters": [
                {"name": "start", "in": "query", "schema": {"type": "integer", "minimum": 0}},
                {"name": "tag", "in": "query", "schema": {"type": "string"}}],
            "responses": {"200": {"description": "ok", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Page"}}}}},
        }}},
        "components": {"schemas": {
            "Page": {"type": "object", "properties": {
                "rows": {"type": "array", "items": {"$ref": "#/components/schemas/Row"}},
                "total": {"type": "integer"}}},
            "Row": {"type": "object", "properties": {
                "uid": {"type": "string"}, "n": {"type": "integer"}}},
        }},
    }


def ext(d):
    return d["paths"]["/items"]["get"]["x-openrouter-pagination"]


def setter(key, value):
    def mutate(d):
        ext(d)[key] = value
    return mutate


def drop(key):
    def mutate(d):
        del ext(d)[key]
    return mutate


def make_post(d):
    d["paths"]["/items"]["post"] = d["paths"]["/items"].pop("get")


def union_page(d):
    d["components"]["schemas"]["Page"] = {"oneOf": [
        {"type": "string"}, dict(d["components"]["schemas"]["Page"])]}


def not_a_mapping(d):
    d["paths"]["/items"]["get"]["x-openrouter-pagination"] = "offset"


CASES = [
    ("not a mapping", not_a_mapping, "x-openrouter-pagination must be a mapping", EXT),
    ("unknown key", setter("cursor", "next"), "unknown x-openrouter-pagination key cursor",
     EXT + "/cursor"),
    ("missing key", drop("id"), "x-openrouter-pagination needs id", EXT),
    ("cursor style", setter("style", "cursor"), "unsupported pagination style 'cursor'",
     EXT + "/style"),
    ("zero page size", setter("page_size", 0), "page_size must be a positive integer",
     EXT + "/page_size"),
    ("boolean page size", setter("page_size", True), "page_size must be a positive integer",
     EXT + "/page_size"),
    ("unknown offset param", setter("offset_param", "skip"),
     "offset_param 'skip' is not a query parameter", EXT + "/offset_param"),
    ("string offset param", setter("offset_param", "tag"),
     "unsupported offset_param of type string", EXT + "/offset_param"),
    ("items not an array", setter("items", "total"),
     "items 'total' is not an array-of-objects property", EXT + "/items"),
    ("id not a string", setter("id", "n"), "id 'n' is not a string property", EXT + "/id"),
    ("POST", make_post, "unsupported pagination of an operation that is not a GET",
     "#/paths/~1items/post/x-openrouter-pagination"),
    ("union page", union_page, "a paged operation needs a JSON object success body", EXT),
]


class Pagination(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="orgen-pagination-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def spec(self, d):
        path = os.path.join(self.tmp, "spec.json")
        with open(path, "w") as fh:
            json.dump(d, fh)
        return path

    def test_generates_iterator_and_all(self):
        files = generate.generate(self.spec(doc()), prefix="pg")
        h = files["include/pg/operations.h"]
        c = files["src/operations.c"]
        for decl in ("typedef struct pg_list_items_iter pg_list_items_iter;",
                     "int pg_list_items_iter_new(pg_list_items_iter **out, openrouter_client *client,",
                     "int pg_list_items_iter_next(pg_list_items_iter *it, const pg_row **item,",
                     "void pg_list_items_iter_free(pg_list_items_iter *it);",
                     "int pg_list_items_each(pg_list_items_iter **it, openrouter_client *client,",
                     "int pg_list_items_all(openrouter_client *client,",
                     '#include "openrouter/pagination.h"'):
            self.assertIn(decl, h)
        for line in (".offset_param = offsetof(pg_list_items_request, start),",
                     ".items_field = offsetof(pg_page, rows),",
                     ".id_field = offsetof(pg_row, uid),",
                     ".page_size = 50\n",
                     "openrouter_pager_next(", "openrouter_pager_all(&pg_list_items_pagination",
                     "openrouter_pager_each((openrouter_pager **)(void *)it, &pg_list_items_pagination"):
            self.assertIn(line, c)
        self.assertIn('#include "openrouter/pagination.h"', files["include/pg/pg.h"])

    def test_without_extension_nothing_is_added(self):
        d = doc()
        del d["paths"]["/items"]["get"]["x-openrouter-pagination"]
        files = generate.generate(self.spec(d), prefix="pg")
        self.assertNotIn("_iter", files["include/pg/operations.h"])
        self.assertNotIn("openrouter_pager", files["src/operations.c"])

    def test_rejected(self):
        for name, mutate, message, ptr in CASES:
            with self.subTest(name):
                d = doc()
                mutate(d)
                with self.assertRaises(GeneratorError) as cm:
                    generate.generate(self.spec(d))
                self.assertIn(message, cm.exception.message)
                self.assertEqual(cm.exception.ptr, ptr)

    def test_name_collision(self):
        # An operation named like the generated helper of a paged one: the
        # paged one (/items before /other) keeps its names, the other's
        # function takes the next free name (generator/README.md).
        d = doc()
        d["paths"]["/other"] = {"get": {
            "operationId": "listItemsAll",
            "responses": {"200": {"description": "ok"}}}}
        files = generate.generate(self.spec(d))
        h = files["include/openrouter/operations.h"]
        self.assertIn("int openrouter_list_items_all(openrouter_client *client,\n"
                      "    const openrouter_list_items_request *request,", h)
        self.assertIn("int openrouter_list_items_all_2(openrouter_client *client,\n"
                      "    const openrouter_call_options *options", h)
        self.assertIn("| operation | `openrouter_list_items_all` | `openrouter_list_items_all_2` | "
                      "`#/paths/~1other/get` |", files["GENERATION_REPORT.md"])


if __name__ == "__main__":
    unittest.main()
