"""The generated C surface: what is emitted, where generic pieces live,
designated initializers, idempotency, the runtime's reserved names, and the
API diff tool that watches all of it.

Run from the repository root:
    python3 -m unittest discover -s tests/generator
"""
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SPEC = os.path.join(REPO, "spec", "openrouter-keys.yaml")
FIXTURE = os.path.join(REPO, "tests", "fixtures", "kitchen-sink.yaml")
GENERATED = os.path.join(REPO, "generated")
RUNTIME_INCLUDE = os.path.join(REPO, "runtime", "include")
APIDIFF = os.path.join(REPO, "generator", "apidiff.py")
sys.path.insert(0, os.path.join(REPO, "generator"))
import apidiff  # noqa: E402
import generate  # noqa: E402
from orgen import cheaders  # noqa: E402
from orgen.errors import GeneratorError  # noqa: E402

SCALARS = ("string", "bool", "int32", "int64", "number", "datetime", "json")


def read(path):
    with open(path, encoding="utf-8") as fh:
        return fh.read()


def op(method, op_id, extra=None):
    node = {"operationId": op_id, "responses": {"204": {"description": "done"}}}
    node.update(extra or {})
    return {method: node}


def doc(paths=None, schemas=None):
    return {"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
            "paths": paths or {"/t": op("get", "getT")},
            "components": {"schemas": schemas or {}}}


def obj(**props):
    return {"type": "object", "properties": props}


REF_PART = {"$ref": "#/components/schemas/Part"}


class Tmp(unittest.TestCase):
    maxDiff = 2000

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="orgen-surface-")
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)

    def spec(self, d, name="spec.json"):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as fh:
            json.dump(d, fh)
        return path

    def gen(self, d, prefix="sf", name="spec.json"):
        return generate.generate(self.spec(d, name), prefix=prefix)


def with_part_uses(field_use):
    """Part as an array item and a response body; also as a field when asked."""
    props = {"parts": {"type": "array", "items": REF_PART}}
    if field_use:
        props["main"] = REF_PART
    return doc(paths={"/t": {"get": {"operationId": "getT", "responses": {"200": {
        "description": "ok", "content": {"application/json": {"schema": REF_PART}}}}}},
        "/u": {"get": {"operationId": "getU", "responses": {"200": {
            "description": "ok", "content": {"application/json": {"schema": obj(**props)}}}}}}},
        schemas={"Part": obj(x={"type": "string"})})


class FieldWrappers(Tmp):
    """A *_field wrapper exists only for a model some field holds."""

    def test_only_where_a_field_holds_the_model(self):
        without = self.gen(with_part_uses(False))
        for text in without.values():
            self.assertNotRegex(text, r"\bsf_part_field\b")
        with_field = self.gen(with_part_uses(True))
        h, c = with_field["include/sf/models.h"], with_field["src/models.c"]
        self.assertIn("} sf_part_field;", h)
        self.assertIn("sf_part_field main;", h)
        self.assertIn('"sf_part_field layout"', c)
        self.assertIn("const openrouter_type_desc sf_part_field_type_desc = {", c)

    def test_every_committed_wrapper_is_used(self):
        h = read(os.path.join(GENERATED, "include", "openrouter", "models.h"))
        c = read(os.path.join(GENERATED, "src", "models.c"))
        wrappers = set(re.findall(r"^typedef struct (\w+_field) \{", h, re.M))
        members = set(re.findall(r"^    (\w+_field) \w+[ ;]", h, re.M))
        self.assertEqual(wrappers, members)
        self.assertEqual(len(wrappers), 6)
        for gone in ("created_key", "create_key_body", "current_key_response",
                     "delete_key_response", "error_response", "key_list", "key_response",
                     "update_key_body"):
            self.assertNotRegex(h + c, r"\bopenrouter_%s_field\b" % gone)
        asserts = set(re.findall(r'"(\w+_field) layout"', c))
        self.assertEqual(asserts, wrappers)


class ScalarTypes(Tmp):
    """The scalar slot types are the runtime's, whatever the prefix."""

    def test_declared_in_descriptor_h_defined_in_the_runtime(self):
        declared = {d.name for d in cheaders.declarations(read(os.path.join(
            RUNTIME_INCLUDE, "openrouter", "descriptor.h"))) if d.kind == "object"}
        defined = set(re.findall(r"^const openrouter_type_desc (\w+) = ", read(os.path.join(
            REPO, "runtime", "src", "scalar_types.c")), re.M))
        # and the file kind of multipart/form-data bodies (no JSON fixture has one)
        want = {"openrouter_%s_type_desc" % k for k in SCALARS + ("file",)}
        self.assertEqual(declared, want)
        self.assertEqual(defined, want)

    def test_generated_code_refers_to_them(self):
        files = generate.generate(FIXTURE, prefix="fx")
        text = "".join(files.values())
        for k in SCALARS:
            self.assertIn("&openrouter_%s_type_desc" % k, files["src/models.c"])
            self.assertNotIn("fx_%s_type_desc" % k, text)
            self.assertNotIn("openrouter_type_desc openrouter_%s_type_desc" % k, text)


class DesignatedInitializers(unittest.TestCase):
    """Every descriptor is written member by member (`.name = ...`)."""

    BLOCK = re.compile(r"^(?:static )?const openrouter_(?:enum|type|field|object|param|response|"
                       r"operation|pagination)_desc \w+(?:\[\])? = \{\n(.*?)^\};", re.M | re.S)

    def check(self, text, least):
        blocks = self.BLOCK.findall(text)
        self.assertGreaterEqual(len(blocks), least)
        for body in blocks:
            for line in body.strip("\n").split("\n"):
                self.assertRegex(line.strip(), r"^\{?\.[a-z_]+ = ", line)

    def test_committed_and_fixture(self):
        fx = generate.generate(FIXTURE, prefix="fx")
        for models, ops in ((read(os.path.join(GENERATED, "src", "models.c")),
                             read(os.path.join(GENERATED, "src", "operations.c"))),
                            (fx["src/models.c"], fx["src/operations.c"])):
            self.check(models, 10)
            self.check(ops, 10)
        self.assertIn("static const openrouter_pagination_desc openrouter_list_keys_pagination = {\n"
                      "    .operation = &openrouter_list_keys_operation,",
                      read(os.path.join(GENERATED, "src", "operations.c")))


def idempotent_of(files):
    text = files["src/operations.c"]
    return {m.group(1): int(m.group(2)) for m in re.finditer(
        r'\.operation_id = "(\w+)".*?\n    \.idempotent = ([01]),', text)}


class Idempotency(Tmp):
    """From the method (RFC 9110), overridden by x-openrouter-idempotent."""

    def test_by_method(self):
        paths = {"/t": {}}
        for method in ("get", "put", "post", "delete", "options", "head", "patch", "trace"):
            paths["/t"].update(op(method, method + "T"))
        got = idempotent_of(self.gen(doc(paths=paths)))
        self.assertEqual(got, {"getT": 1, "putT": 1, "postT": 0, "deleteT": 1, "optionsT": 1,
                               "headT": 1, "patchT": 0, "traceT": 1})

    def test_extension_overrides_the_method(self):
        ext = "x-openrouter-idempotent"
        paths = {"/t": {**op("post", "postT", {ext: True}), **op("get", "getT", {ext: False}),
                        **op("patch", "patchT", {ext: True})}}
        self.assertEqual(idempotent_of(self.gen(doc(paths=paths))),
                         {"postT": 1, "getT": 0, "patchT": 1})
        bad = doc(paths={"/t": op("post", "postT", {ext: "yes"})})
        with self.assertRaises(GeneratorError) as cm:
            self.gen(bad)
        self.assertEqual(cm.exception.render(), "error: invalid spec: %s must be true or false "
                         "at #/paths/~1t/post/%s" % (ext, ext))

    def test_apidiff_reports_a_lost_retry(self):
        was = doc(paths={"/t": op("patch", "patchT", {"x-openrouter-idempotent": True})})
        now = doc(paths={"/t": op("patch", "patchT")})
        added, removed = apidiff.diff(self.spec(was, "was.json"), self.spec(now, "now.json"))
        self.assertEqual((added, removed), (
            [], ["idempotent openrouter_patch_t (retried after reaching the server)"]))

    def test_the_six_operations_keep_their_behaviour(self):
        got = idempotent_of({"src/operations.c": read(os.path.join(GENERATED, "src",
                                                                     "operations.c"))})
        self.assertEqual(got, {"getCurrentKeyMetadata": 1, "listKeys": 1, "createKey": 0,
                               "getKey": 1, "deleteKey": 1, "updateKey": 1})


# What render.py listed by hand before the names were read from the headers.
HAND_LIST = (
    "string", "bool", "int32", "int64", "number", "datetime", "json", "enum_value",
    "presence", "kind", "error", "status", "client", "client_options", "call_options",
    "retry_policy", "clock", "trace_event", "trace_fn", "enum_desc", "object_desc",
    "type_desc", "field_desc", "param_desc", "param_location", "response_desc",
    "operation_desc", "model_decode", "model_encode", "model_equal", "model_free",
    "buffer_free", "call", "version", "error_clear", "status_name", "client_new",
    "client_free", "global_init", "global_cleanup", "datetime_parse", "datetime_format",
    "backoff_delay_ms", "parse_retry_after",
    "pagination_options", "pagination_desc", "pager", "pager_new", "pager_next", "pager_pages",
    "pager_free", "pager_all", "log_level", "log_fn",
)

HEADER = """
#ifndef X_H
#define X_H
#include <stddef.h>
/* int openrouter_in_a_comment(void); */
#ifdef __cplusplus
extern "C" {
#endif
#define OPENROUTER_ANSWER 42 // "a ; string"
#define OPENROUTER_SQUARE(x) ((x) * (x))
typedef struct openrouter_gadget openrouter_gadget;
typedef enum openrouter_mode { OPENROUTER_MODE_A = 1, OPENROUTER_MODE_B } openrouter_mode;
typedef void (*openrouter_hook_fn)(void *ctx, const char *text);
struct openrouter_gadget {
    int (*fn)(void);
    char name[8];
};
typedef openrouter_gadget openrouter_widget;
OPENROUTER_DEPRECATED("use openrouter_widget_make; really")
int openrouter_widget_new(openrouter_widget **out,
                          const char *label);
extern const struct openrouter_gadget *const openrouter_gadgets[];
static inline int openrouter_gadget_ok(const openrouter_gadget *g) { return g->fn != 0; }
typedef int openrouter_count;
#ifdef __cplusplus
}
#endif
#endif
"""


class RuntimeNames(Tmp):
    """The names a component must not take come from the runtime headers."""

    def test_header_reader(self):
        got = {(d.kind, d.name) for d in cheaders.declarations(HEADER)}
        self.assertEqual(got, {
            ("macro", "OPENROUTER_ANSWER"), ("macro", "OPENROUTER_SQUARE"),
            ("struct", "openrouter_gadget"), ("enum", "openrouter_mode"),
            ("enum constant", "OPENROUTER_MODE_A"), ("enum constant", "OPENROUTER_MODE_B"),
            ("typedef", "openrouter_hook_fn"), ("typedef", "openrouter_widget"),
            ("function", "openrouter_widget_new"), ("object", "openrouter_gadgets"),
            ("function", "openrouter_gadget_ok"), ("typedef", "openrouter_count")})
        fn = [d for d in cheaders.declarations(HEADER) if d.name == "openrouter_widget_new"][0]
        self.assertEqual(fn.text, "int openrouter_widget_new(openrouter_widget **out, "
                                  "const char *label)")

    def test_read_from_the_headers(self):
        folder = os.path.join(self.tmp, "openrouter")
        os.makedirs(folder)
        with open(os.path.join(folder, "extra.h"), "w") as fh:
            fh.write(HEADER)
        names = cheaders.runtime_names(self.tmp)
        self.assertEqual(names["openrouter_widget_new"], "runtime/include/openrouter/extra.h")
        self.assertIn("OPENROUTER_MODE_B", names)
        self.assertNotIn("openrouter_in_a_comment", names)
        self.assertNotIn("X_H", names)  # the include guard

    def test_covers_the_old_hand_list_and_more(self):
        names = cheaders.runtime_names()
        for n in HAND_LIST:
            self.assertIn("openrouter_" + n, names)
        self.assertEqual(names["openrouter_allocator"], "runtime/include/openrouter/alloc.h")
        self.assertEqual(names["openrouter_set_allocator"], "runtime/include/openrouter/alloc.h")
        self.assertEqual(names["openrouter_error"], "runtime/include/openrouter/error.h")
        self.assertIn("OPENROUTER_F_REQUIRED", names)


class ApiDiff(Tmp):
    """apidiff sees every declaration, wrappers and descriptors included."""

    def out_dir(self, d, name):
        out = os.path.join(self.tmp, name, "generated")
        generate.write_atomically(generate.generate(self.spec(d, name + ".json")), out)
        return out

    def test_wrapper_removal_shows_in_both_modes(self):
        old, new = with_part_uses(True), with_part_uses(False)
        added, removed = apidiff.diff(self.spec(old, "old.json"), self.spec(new, "new.json"))
        self.assertIn("struct openrouter_part_field", removed)
        self.assertIn("object const openrouter_type_desc openrouter_part_field_type_desc",
                      removed)
        self.assertIn("field openrouter_get_u_response.main: openrouter_part_field", removed)
        self.assertEqual(added, [])
        a, b = self.out_dir(old, "a"), self.out_dir(new, "b")
        res = subprocess.run([sys.executable, APIDIFF, a, b], capture_output=True, text=True)
        self.assertEqual(res.returncode, 1, res.stderr)
        self.assertIn("- struct openrouter_part_field\n", res.stdout)
        self.assertNotIn("- field ", res.stdout)  # directories: declarations only
        back = subprocess.run([sys.executable, APIDIFF, b, a], capture_output=True, text=True)
        self.assertEqual(back.returncode, 0)
        self.assertIn("+ struct openrouter_part_field\n", back.stdout)

    def test_declarations_of_the_committed_headers(self):
        lines = apidiff.directory_surface(GENERATED)
        for line in ("struct openrouter_key_field", "enum openrouter_limit_reset",
                     "enum constant OPENROUTER_LIMIT_RESET_DAILY",
                     "macro OPENROUTER_CREATE_KEY_REQUEST_INIT",
                     "object const openrouter_object_desc openrouter_key_desc",
                     "object const openrouter_type_desc openrouter_string_type_desc",
                     "function void openrouter_key_free(openrouter_key *model)",
                     "typedef openrouter_string openrouter_datetime"):
            self.assertIn(line, lines)
        self.assertEqual(apidiff.diff(GENERATED, SPEC), ([], []))


class Headers(Tmp):
    """Public generated headers compile as C++17 and under -Wwrite-strings."""

    USE = ('#include "{p}/{p}.h"\n'
           "int use(openrouter_client *c);\n"
           "int use(openrouter_client *c) {{ return {call}; }}\n")

    def compile(self, compiler, lang, std, src, include):
        res = subprocess.run([compiler, "-x", lang, "-std=" + std, "-Wall", "-Wextra", "-Werror",
                              "-Wwrite-strings", "-pedantic", "-fsyntax-only",
                              "-I" + RUNTIME_INCLUDE, "-I" + include, src],
                             capture_output=True, text=True)
        self.assertEqual(res.returncode, 0, "%s %s:\n%s" % (compiler, std, res.stderr))

    def test_cxx17_and_write_strings(self):
        fx = os.path.join(self.tmp, "fx")
        generate.write_atomically(generate.generate(FIXTURE, prefix="fx"), fx)
        cases = [("openrouter", os.path.join(GENERATED, "include"),
                  "openrouter_get_current_key_metadata(c, 0, 0, 0, 0)"),
                 ("fx", os.path.join(fx, "include"), "fx_get_stats(c, 0, 0, 0)")]
        ran = False
        for prefix, include, call in cases:
            src = os.path.join(self.tmp, prefix + ".txt")
            with open(src, "w") as fh:
                fh.write(self.USE.format(p=prefix, call=call))
            for cxx in ("g++", "clang++"):
                if shutil.which(cxx):
                    self.compile(cxx, "c++", "c++17", src, include)
                    ran = True
            for cc in ("gcc", "clang"):
                if shutil.which(cc):
                    self.compile(cc, "c", "c11", src, include)
        if not ran:
            self.skipTest("no C++ compiler")


if __name__ == "__main__":
    unittest.main()
