"""The whole-API contract test: with the library built from OpenRouter's
whole description (cmake -DOPENROUTER_SPEC=FILE), every operation is sent by
openrouter-api to Stoplight Prism mocking that file (--errors: a request that
breaks the description is answered with an error and logged as a violation),
using the description's request example or, where it has none, a minimal
valid request built from the schema; and every JSON response example in the
file is decoded into its typed model and encoded again (model_roundtrip.c),
which must give equal JSON (key order and number spelling aside). The
example Prism answers with must come out of openrouter-api the same way.

    python3 tests/contract/whole_api.py --build BUILD_DIR --spec FILE --prism PRISM_BIN --roundtrip BIN

Prints the numbers and exits 1 on any failure or violation.
"""
import argparse
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "generator"))
sys.path.insert(0, os.path.join(ROOT, "tests", "cli"))
from orgen import load, model, render  # noqa: E402
from stubproc import free_port  # noqa: E402

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")

# Examples of the 2026-06-09 description that contradict their own schema,
# with what the library says about each. A typed model cannot hold them as
# they are; the test fails when one of these changes, so the list stays true.
CONTRADICTIONS = {
    # EndpointStatus is an integer enum (0, -1, ...); the example says "default".
    # Decoding is lenient: the optional field is left absent, with a warning.
    "listEndpointsZdr 200 example":
        "$.data[0].status: only in the example",
    # Usage (allOf OpenAIResponsesUsage and more) declares no completion_tokens.
    "createResponses 200 example":
        "$.usage.completion_tokens: only in the example",
}
# The same seen through Prism, which (with --errors) also checks the example
# it answers with against the schema: what openrouter-api reports for each.
WIRE_CONTRADICTIONS = {
    "listEndpointsZdr": "Response body property data.0.status must be integer",
    # MemberRole is an enum of org:admin and org:member; the example says "admin"
    # (its own example decodes, as enums are open).
    "listOrganizationMembers": "Response body property data.0.role must be equal to one of the allowed values",
    "createResponses": "$.usage.completion_tokens: only in the example",
}


def normal(v):
    """JSON with every number a float: 1 and 1.0 (and 1e0) compare equal."""
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, list):
        return [normal(x) for x in v]
    return {k: normal(x) for k, x in v.items()}


def first_difference(a, b, path="$"):
    """Where two normalised JSON values differ, for the failure message."""
    if type(a) is not type(b):
        return "%s: %r vs %r" % (path, a, b)
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return "%s.%s: only in the %s" % (path, k, "example" if k in a else "output")
            d = first_difference(a[k], b[k], "%s.%s" % (path, k))
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return "%s: %d items vs %d" % (path, len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_difference(x, y, "%s[%d]" % (path, i))
            if d:
                return d
        return None
    return None if a == b else "%s: %r vs %r" % (path, a, b)


# ---- the description through the generator: operations and their C types ----------

def typed_operations(spec_path):
    """{operationId: (operation model, {status: C type of its JSON body})}, with
    the names the generated code has."""
    spec = load.load(spec_path)
    m = model.build(spec, strict=False)
    render.build_context(m, os.path.basename(spec_path), spec.sha256, "openrouter")
    ops = {}
    for op in m.operations:
        types = {s: "openrouter_" + o.name for s, o in op.responses if o is not None}
        types.update({s: "openrouter_" + o.name for s, o in op.error_bodies.items()})
        ops[op.op_id] = (op, types)
    return spec.data, ops


def media_examples(media):
    if "example" in media:
        yield "example", media["example"]
    for name, ex in (media.get("examples") or {}).items():
        if isinstance(ex, dict) and "value" in ex:
            yield name, ex["value"]


def operations(doc):
    for path, item in doc["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method], item.get("parameters", [])


# ---- minimal valid values from schemas ----------------------------------------------

class Minimal:
    """The smallest value a schema accepts: required members only, first enum
    value or variant, lengths and bounds honoured."""

    def __init__(self, doc):
        self.doc = doc

    def deref(self, s):
        while isinstance(s, dict) and "$ref" in s:
            node = self.doc
            for part in s["$ref"][2:].split("/"):
                node = node[part.replace("~1", "/").replace("~0", "~")]
            s = node
        return s or {}

    def value(self, s, depth=0):
        s = self.deref(s)
        if depth > 20:
            return None
        for key in ("example", "const", "default"):
            if key in s and s[key] is not None:
                return s[key]
        if "enum" in s:
            return next(v for v in s["enum"] if v is not None)
        if "allOf" in s:
            merged = {}
            for part in s["allOf"]:
                v = self.value(part, depth + 1)
                if isinstance(v, dict):
                    merged.update(v)
                elif v is not None:
                    return v
            return merged
        for key in ("oneOf", "anyOf"):
            if key in s:
                variants = [v for v in s[key] if self.deref(v).get("type") != "null"]
                return self.value(variants[0], depth + 1)
        t = s.get("type")
        if isinstance(t, list):
            t = next(x for x in t if x != "null")
        if t == "object" or "properties" in s:
            props = s.get("properties", {})
            return {k: self.value(props.get(k, {}), depth + 1) for k in s.get("required", [])}
        if t == "array":
            return [self.value(s.get("items", {}), depth + 1) for _ in range(s.get("minItems", 0))]
        if t == "string":
            fmt = s.get("format")
            if fmt == "date-time":
                return "2026-01-01T00:00:00Z"
            if fmt in ("uri", "url"):
                return "https://example.com"
            return "x" * max(1, s.get("minLength", 1))
        if t in ("integer", "number"):
            return s.get("minimum", 1)
        if t == "boolean":
            return False
        return {}


# ---- Prism ---------------------------------------------------------------------------

def start_prism(prism, spec, log_path, *options):
    """A mock of `spec` on a free loopback port, with --errors and `options`
    (-d: random responses): (process, port)."""
    port = free_port()
    log = open(log_path, "w")
    proc = subprocess.Popen([prism, "mock", spec, "--host", "127.0.0.1", "--port", str(port), "--errors"]
                            + list(options), stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 120
    while time.time() < deadline:
        with open(log_path) as f:
            if "Prism is listening" in f.read():
                return proc, port
        if proc.poll() is not None:
            break
        time.sleep(0.5)
    proc.kill()
    with open(log_path) as f:
        sys.exit("whole API: Prism did not start:\n" + f.read())


def param_value(p, minimal):
    schema = p.get("schema", {})
    if "example" in p:
        return p["example"]
    return minimal.value(schema)


def request_inputs(op, path_params, minimal):
    """({parameter: text}, body value or None): the path and required
    parameters and the JSON body, from the description's examples or else
    minimal values; dynamic.py sends the same."""
    params = {}
    for p in path_params + op.get("parameters", []):
        p = minimal.deref(p)
        if p["in"] == "path" or p.get("required"):
            v = param_value(p, minimal)
            params[p["name"]] = json.dumps(v) if not isinstance(v, str) else v
    body = None
    if op.get("requestBody"):
        media = minimal.deref(op["requestBody"]).get("content", {}).get("application/json", {})
        examples = list(media_examples(media))
        body = examples[0][1] if examples else minimal.value(media.get("schema", {}))
    return params, body


def cli_args(op_id, op, path_params, minimal):
    params, body = request_inputs(op, path_params, minimal)
    args = [op_id]
    for name, text in params.items():
        args += ["--param", "%s=%s" % (name, text)]
    if op.get("requestBody"):
        args += ["--body", json.dumps(body)]
    return args


def success_example(op):
    for status in sorted(op["responses"], key=str):
        if str(status).startswith("2"):
            media = (op["responses"][status].get("content") or {}).get("application/json")
            if media is not None:
                examples = list(media_examples(media))
                return examples[0][1] if examples else None
            return None
    return None


def answer_problem(op, p):
    """What is wrong with openrouter-api's run for `op`, or None: it must
    succeed and print the example Prism answers with."""
    if p.returncode != 0:
        return "exit %d: %s" % (p.returncode, p.stderr.decode(errors="replace").strip())
    want = success_example(op)
    if want is None:
        return None
    try:
        got = json.loads(p.stdout)
    except ValueError:
        return "output is not JSON: %r" % p.stdout[:200]
    diff = first_difference(normal(want), normal(got))
    return diff and "the answer printed differs from the example: " + diff


def call_every_operation(args, doc, ops, minimal):
    log_path = os.path.join(args.work, "prism.log")
    proc, port = start_prism(args.prism, args.spec, log_path)
    env = dict(os.environ, OPENROUTER_API_KEY="sk-or-v1-whole-api-contract",
               OPENROUTER_BASE_URL="http://127.0.0.1:%d" % port)
    failures, sent, compared = [], 0, 0
    try:
        for path, method, op, path_params in operations(doc):
            op_id = op["operationId"]
            if op_id not in ops:
                failures.append("%s: not generated" % op_id)
                continue
            argv = [args.cli] + cli_args(op_id, op, path_params, minimal)
            p = subprocess.run(argv, capture_output=True, env=env, timeout=120)
            sent += 1
            problem = answer_problem(op, p)
            known = WIRE_CONTRADICTIONS.get(op_id)
            if known is not None:
                if problem is None or known not in problem:
                    failures.append("%s: expected the known contradiction %r, got %r" % (op_id, known, problem))
                continue
            if problem:
                failures.append("%s: %s" % (op_id, problem))
            elif success_example(op) is not None:
                compared += 1
        control_request(port)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    with open(log_path) as f:
        log = f.read()
    # One violation is the control request's, which shows the count works.
    flagged = "Request did not pass the validation rules"
    violations = log.count(flagged) - 1
    requests = log.count("Request received") - 1
    if violations:
        lines = log.splitlines()
        failures += ["Prism: " + " / ".join(x.strip() for x in lines[max(0, i - 3):i + 3])
                     for i, line in enumerate(lines) if flagged in line][:20]
    return failures, sent, requests, violations, compared


def control_request(port):
    """A request that breaks the description on purpose (listing keys from
    offset -5): Prism must log it as a violation."""
    req = urllib.request.Request("http://127.0.0.1:%d/keys?offset=-5" % port,
                                 headers={"Authorization": "Bearer sk-or-v1-control"})
    try:
        urllib.request.urlopen(req, timeout=30).read()
    except urllib.error.HTTPError as e:
        e.read()


# ---- response examples through their typed models --------------------------------------

def round_trip_examples(args, doc, ops):
    lines, where = [], []
    for path, method, op, _ in operations(doc):
        op_id = op["operationId"]
        types = ops.get(op_id, (None, {}))[1]
        for status, resp in op["responses"].items():
            media = (resp.get("content") or {}).get("application/json")
            if media is None:
                continue
            for name, example in media_examples(media):
                code = int(status) if str(status).isdigit() else None
                ctype = types.get(code)
                if ctype is None:
                    where.append(("%s %s %s" % (op_id, status, name), None, example))
                    continue
                lines.append("%s\t%s" % (ctype, json.dumps(example, separators=(",", ":"))))
                where.append(("%s %s %s" % (op_id, status, name), ctype, example))
    p = subprocess.run([args.roundtrip], input="\n".join(lines) + "\n", capture_output=True, text=True,
                       timeout=600)
    out = iter(p.stdout.splitlines())
    failures, ok, known = [], 0, 0
    for label, ctype, example in where:
        if ctype is None:
            failures.append("%s: no typed model for this response" % label)
            continue
        got = next(out, "!no output")
        problem = got[1:] if got.startswith("!") else \
            first_difference(normal(example), normal(json.loads(got)))
        if label in CONTRADICTIONS:
            if problem == CONTRADICTIONS[label]:
                known += 1
                continue
            problem = "expected the known contradiction %r, got %r" % (CONTRADICTIONS[label], problem)
        if problem:
            failures.append("%s (%s): %s" % (label, ctype, problem))
        else:
            ok += 1
    return failures, len(where), ok, known


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--spec", required=True)
    ap.add_argument("--cli", required=True)
    ap.add_argument("--prism", required=True)
    ap.add_argument("--roundtrip", required=True)
    ap.add_argument("--work", required=True)
    args = ap.parse_args()
    doc, ops = typed_operations(args.spec)
    minimal = Minimal(doc)

    ex_failures, examples, ok, known = round_trip_examples(args, doc, ops)
    print("whole API: %d of %d JSON response examples decode into their typed model and encode "
          "to equal JSON; %d contradict their own schema upstream (listed in whole_api.py)"
          % (ok, examples, known))
    call_failures, sent, requests, violations, compared = call_every_operation(args, doc, ops, minimal)
    print("whole API: %d operations sent by openrouter-api to Prism (%d requests received), "
          "%d request violations; %d answers printed equal to the example Prism sent, %d examples "
          "contradict their schema upstream" % (sent, requests, violations, compared, len(WIRE_CONTRADICTIONS)))
    for f in ex_failures + call_failures:
        print("  FAIL " + f)
    return 1 if ex_failures or call_failures else 0


if __name__ == "__main__":
    sys.exit(main())
