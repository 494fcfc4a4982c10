#!/usr/bin/env python3
"""Dynamic contract test: random responses from Stoplight Prism (-d) must
decode, and the library must mark exactly what an independent reading of
the description (response_check.py) finds. tests/contract/run.sh starts
Prism on a description and runs this against it (--base-url); whole_api.sh
has it start --mocks Prism mocks of the whole description (--prism; the
operations are shared out among them, one dynamic_client each, and the CLI
runs take them in turn), whose logs must hold no request violation:

    dynamic.py (--base-url URL | --prism PRISM [--mocks 2]) --spec spec/openrouter-keys.yaml
               [--operations spec/operations.txt] --calls N [--cli-calls M] --client dynamic_client
               [--cli openrouter-keys | --api-cli openrouter-api] --label NAME --work DIR

Operations are "METHOD /path" lines (spec/operations.txt's format), found
in --spec by method and path. Without --operations, every operation of
--spec with a JSON success body (printed: those left out and why), each
request made of the description's examples (whole_api.request_inputs), so
a newer description is one more run. For each operation:
  - library: CALLS calls in a dynamic_client process; every call must
    succeed; the (path, kind) of its warnings must equal what
    response_check.py finds in the raw body; the same body decoded in
    strict mode must fail exactly when there is a mark, naming the library's
    first warning (field and message);
  - CLI (the six key commands only): M runs of `--json` (stdout is the
    body: its marks must equal the warnings printed on stderr) and M
    runs of the table or detail view (exit 0, a well-formed table, only
    well-formed warnings on stderr), two processes at a time;
  - openrouter-api (--api-cli; it prints JSON only, the response decoded
    and encoded again): M runs with the same request through a recording
    proxy (recorder.py), exit 0, stderr only well-formed warning lines
    whose (path, kind) equal what response_check.py finds in the raw body
    the proxy passed on (exact, as for the library: the output is not the
    body received, since a value of the wrong type is left out of it), and
    its output read by response_check.py: no undecodable value, and only
    marks of values the library keeps as received.
Prints one line per operation and path, and exits 1 on any failure.

Responses are random, unseeded: Prism's --seed re-seeds its generator
before every response (every answer would be the same), and a seed per
request needs a Prefer header the library does not send. Every body that
fails a check is printed (the first five in full), so a failure can be
replayed from it.
"""
import argparse
import collections
import concurrent.futures
import json
import os
import queue
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "generator"))
sys.path.insert(0, HERE)
import recorder  # noqa: E402
import response_check  # noqa: E402
import whole_api  # noqa: E402
from orgen import load, naming  # noqa: E402

HASH = "f01d52606dc8f0a8303a7b5cc3fa07109c2e346cec7c0a16b40de462992ce943"
API_KEY = "sk-or-v1-dynamic-contract-management-key"
KINDS = {"format", "length", "range", "null", "missing", "type", "unrepresentable", "unknown_variant", "truncated"}
# The CLI command of each key operation (by our operationId).
CLI_ARGS = {
    "listKeys": ["list"],
    "getKey": ["get", HASH],
    "createKey": ["create", "--name", "contract"],
    "updateKey": ["update", HASH, "--name", "contract"],
    "deleteKey": ["delete", HASH],
    "getCurrentKeyMetadata": ["current"],
}
# A warning line of either CLI (cli_print_warning in cli/cli_common.c).
WARNING_LINE = re.compile(r"^(openrouter-keys|openrouter-api): warning \((\w+)\): (.*?): (.+)$")


def operations(spec, path):
    """[(operationId, method, path, C descriptor symbol)] in file order."""
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            method, p = line.split(None, 1)
            op = spec["paths"][p][method.lower()]
            out.append((op["operationId"], method, p,
                        "openrouter_%s_operation" % naming.snake(op["operationId"])))
    return out


def described_operations(spec_path):
    """Every operation of a description with a JSON success body, as
    ([(operationId, method, path, C descriptor symbol)], {symbol: request
    inputs}), in file order; and the others as [(operationId, why)]."""
    doc, typed = whole_api.typed_operations(spec_path)
    minimal = whole_api.Minimal(doc)
    ops, requests, left_out = [], {}, []
    for path, method, op, path_params in whole_api.operations(doc):
        media = success_media(doc, op)
        if "application/json" not in media:
            why = "success body %s, not JSON" % (" or ".join(media) or "empty")
            if media == ["text/event-stream"]:
                why = "streaming only (text/event-stream)"
            left_out.append((op["operationId"], why))
            continue
        symbol = "openrouter_%s_operation" % typed[op["operationId"]][0].name
        ops.append((op["operationId"], method.upper(), path, symbol))
        params, body = whole_api.request_inputs(op, path_params, minimal)
        requests[symbol] = {"params": params, "body": body} if op.get("requestBody") else {"params": params}
    return ops, requests, left_out


def success_media(doc, op):
    """The media types of an operation's first 2xx response."""
    for status, resp in op["responses"].items():
        if str(status).startswith("2"):
            return sorted((response_check.resolve(doc, resp).get("content") or {}).keys())
    return []


class Tally:
    def __init__(self):
        self.responses = 0
        self.decoded = 0
        self.failures = 0
        self.strict_failures = 0
        self.marks = collections.Counter()
        self.problems = []

    def problem(self, what, body=None):
        if len(self.problems) < 5:
            self.problems.append(what + ("\n      body: " + body if body else ""))
        else:
            self.problems.append(what)

    def line(self, label, strict=True):
        kinds = ", ".join("%s %d" % kv for kv in sorted(self.marks.items())) or "none"
        text = ("%-40s %5d responses, %5d decoded, %4d failures; marks %5d (%s)"
                % (label, self.responses, self.decoded, self.failures, sum(self.marks.values()), kinds))
        return text + ("; strict mode: %d failures" % self.strict_failures if strict else "")


def expected(spec, method, path, body):
    schema = response_check.response_schema(spec, method, path)
    if schema is None:
        return [], None
    try:
        value = json.loads(body)
    except ValueError:
        return [], "<not JSON>"
    return response_check.check(spec, schema, value)


def judge_library(spec, method, path, rec, t):
    t.responses += 1
    body = rec.get("body") or ""
    marks, fatal = expected(spec, method, path, body) if rec["rc"] == 0 else ([], None)
    if rec["rc"] != 0:
        t.failures += 1
        t.problem("call failed: %s" % rec.get("error"), body)
        return
    t.decoded += 1
    got = [(w[0], w[1]) for w in rec["warnings"]]
    t.marks.update(k for _, k in got)
    if fatal is not None:
        t.problem("decoded, but response_check finds %r undecodable" % fatal, body)
    if collections.Counter(got) != collections.Counter(marks):
        t.problem("warnings %s, response_check finds %s" % (sorted(got), sorted(marks)), body)
    if rec["strict_rc"] != 0:
        t.strict_failures += 1
    if not got:
        if rec["strict_rc"] != 0:
            t.problem("strict mode failed (%s) on a clean response" % rec["strict_message"], body)
        return
    first = rec["warnings"][0]
    if rec["strict_rc"] == 0 or rec["strict_field"] != first[0] or not rec["strict_message"].endswith(first[2]):
        t.problem("strict mode: %r (%r), expected the first warning %r" %
                  (rec.get("strict_message"), rec.get("strict_field"), first), body)


def run_library(args, spec, ops, work, requests=None):
    """One dynamic_client per base URL, the operations shared out among
    them, run at once; (tallies or None, seconds)."""
    given = os.path.join(work, "requests-%s.json" % args.label)
    if requests:
        with open(given, "w", encoding="utf-8") as fh:
            json.dump(requests, fh)
    outs, procs = [], []
    start = time.monotonic()
    for i, base in enumerate(args.bases):
        outs.append(os.path.join(work, "dynamic-%s-%d.jsonl" % (args.label, i)))
        cmd = [args.client] + (["--requests", given] if requests else []) + \
            [base, str(args.calls), outs[-1]] + [o[3] for o in ops[i::len(args.bases)]]
        procs.append(subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    said = [p.communicate()[0] for p in procs]
    elapsed = time.monotonic() - start
    if any(p.returncode != 0 for p in procs):
        print("".join(said), file=sys.stderr)
        return None, elapsed
    where = {o[3]: (o[1], o[2]) for o in ops}
    tallies = collections.OrderedDict((o[0], Tally()) for o in ops)
    for out in outs:
        with open(out, encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                method, path = where[rec["symbol"]]
                judge_library(spec, method, path, rec, tallies[rec["op"]])
    return tallies, elapsed


def cli_once(args, argv, run=0):
    """One openrouter-keys run against the mocks in turn."""
    return run_tool([args.cli, "--base-url", args.bases[run % len(args.bases)], "--retries", "0"] + argv)


def run_tool(cmd):
    res = subprocess.run(cmd, capture_output=True, env=dict(os.environ, OPENROUTER_API_KEY=API_KEY))
    return res.returncode, res.stdout.decode("utf-8", "replace"), res.stderr.decode("utf-8", "replace")


def api_cli_once(args, argv, proxies):
    """One openrouter-api run through a free recording proxy: (exit code,
    stdout, stderr, the raw body it received or None)."""
    proxy = proxies.get()
    try:
        proxy.take_last()
        return run_tool([args.api_cli, "--base-url", proxy.url] + argv) + (proxy.take_last(),)
    finally:
        proxies.put(proxy)


def cli_warnings(stderr, t, prog="openrouter-keys"):
    """(path, kind) of every warning line of `prog`; other lines are
    problems unless they are the create command's note about the secret."""
    found = []
    for line in stderr.splitlines():
        m = WARNING_LINE.match(line)
        if m and m.group(1) == prog and m.group(2) in KINDS:
            found.append((m.group(3), m.group(2)))
        elif prog != "openrouter-keys" or "is shown only this once" not in line:
            t.problem("unexpected stderr line: %r" % line)
    return found


def cli_outcome(rc, err, t, prog):
    """Counts one CLI run; its warnings, or None when it failed."""
    t.responses += 1
    if rc != 0:
        t.failures += 1
        t.problem("exit %d: %s" % (rc, err.strip()[:300]))
        return None
    t.decoded += 1
    got = cli_warnings(err, t, prog)
    t.marks.update(k for _, k in got)
    return got


def judge_cli(spec, method, path, mode, result, t):
    rc, out, err = result
    got = cli_outcome(rc, err, t, "openrouter-keys")
    if got is None:
        return
    if mode == "json":
        marks, fatal = expected(spec, method, path, out)
        if fatal is not None or collections.Counter(got) != collections.Counter(marks):
            t.problem("--json: warnings %s, response_check finds %s" % (sorted(got), sorted(marks)), out)
    elif not out.strip():
        t.problem("empty output")
    elif method == "GET" and path == "/keys" and not re.search(r"^\d+ keys?$", out.splitlines()[-1]):
        t.problem("the table does not end with its count: %r" % out.splitlines()[-1])


def run_cli(args, spec, ops):
    """Runs and reports the CLI paths, one operation and mode at a time;
    returns (problems, runs, seconds)."""
    bad = runs = 0
    elapsed = 0.0
    for opid, method, path, _ in ops:
        if opid not in CLI_ARGS:
            continue
        for mode in ("table", "json"):
            argv = (["--json"] if mode == "json" else []) + CLI_ARGS[opid]
            start = time.monotonic()
            with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
                results = list(pool.map(lambda i: cli_once(args, argv, run=i), range(args.cli_calls)))
            elapsed += time.monotonic() - start
            t = Tally()
            for r in results:
                judge_cli(spec, method, path, mode, r, t)
            bad += report(args.label, {"%s (CLI %s)" % (opid, mode): t}, strict=False)
            runs += t.responses
            sys.stdout.flush()
    return bad, runs, elapsed


# What the library keeps as received, so openrouter-api prints it again;
# a value of the wrong type or one its C slot cannot hold is left out.
KEPT_KINDS = {"format", "length", "range", "null", "missing", "unknown_variant"}


def judge_api_cli(spec, method, path, result, t):
    rc, out, err, raw = result
    got = cli_outcome(rc, err, t, "openrouter-api")
    if got is None:
        return
    if raw is None:
        t.problem("the proxy recorded no response")
    else:
        body = raw.decode("utf-8", "replace")
        marks, fatal = expected(spec, method, path, body)
        if fatal is not None or collections.Counter(got) != collections.Counter(marks):
            t.problem("warnings %s, response_check finds %s in the body received" % (sorted(got), sorted(marks)),
                      body)
    marks, fatal = expected(spec, method, path, out)
    dropped = [m for m in marks if m[1] not in KEPT_KINDS]
    if fatal is not None or dropped:
        t.problem("output: response_check finds %s undecodable, marks %s" % (fatal, sorted(dropped)), out)


def run_api_cli(args, spec, ops, requests):
    """openrouter-api's --json path (its only output), one operation at a
    time, two runs at once, each through a recording proxy of its own (the
    two forward to the mocks in turn); returns (problems, runs, seconds)."""
    proxies = queue.Queue()
    for i in range(2):
        proxies.put(recorder.Recorder(args.bases[i % len(args.bases)]))
    try:
        return run_api_cli_through(args, spec, ops, requests, proxies)
    finally:
        while not proxies.empty():
            proxies.get().close()


def run_api_cli_through(args, spec, ops, requests, proxies):
    bad = runs = 0
    elapsed = 0.0
    for opid, method, path, symbol in ops:
        given = requests[symbol]
        argv = [opid] + ["--param=%s=%s" % kv for kv in given["params"].items()]
        if "body" in given:
            argv.append("--body=" + json.dumps(given["body"]))
        start = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(lambda i: api_cli_once(args, argv, proxies), range(args.cli_calls)))
        elapsed += time.monotonic() - start
        t = Tally()
        for r in results:
            judge_api_cli(spec, method, path, r, t)
        bad += report(args.label, {"%s (CLI --json)" % opid: t}, strict=False)
        runs += t.responses
        sys.stdout.flush()
    return bad, runs, elapsed


def report(label, tallies, strict=True):
    bad = 0
    for name, t in tallies.items():
        print("dynamic [%s] %s" % (label, t.line(name, strict)))
        for p in t.problems[:5]:
            print("    PROBLEM: " + p)
        if len(t.problems) > 5:
            print("    ... %d more problems" % (len(t.problems) - 5))
        bad += len(t.problems) + t.failures
    return bad


def strip_formats(src, dst):
    """A copy of a description without `format: date-time`, so Prism fills
    those strings with any text: values that break the library's
    description, which strict mode must name and warnings must mark."""
    def walk(node):
        if isinstance(node, dict):
            if node.get("format") == "date-time":
                del node["format"]
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    doc = load.load(src).data
    walk(doc)
    with open(dst, "w", encoding="utf-8") as fh:
        json.dump(doc, fh)


def start_mocks(args):
    """--mocks Prism processes answering at random per --spec; their base
    URLs in args.bases; [(process, log path)]."""
    mocks = []
    for i in range(args.mocks):
        log = os.path.join(args.work, "prism-%s-%d.log" % (args.label, i))
        proc, port = whole_api.start_prism(args.prism, args.spec, log, "-d")
        mocks.append((proc, log))
        args.bases.append("http://127.0.0.1:%d" % port)
    return mocks


def stop_mocks(label, mocks):
    """Stops the mocks; the number of requests they found breaking the
    description (each printed)."""
    violations = 0
    for proc, log in mocks:
        proc.terminate()
        proc.wait(timeout=30)
        with open(log, encoding="utf-8", errors="replace") as fh:
            lines = fh.read().splitlines()
        for i, line in enumerate(lines):
            if "Violation" in line:
                violations += 1
                context = " / ".join(x.strip() for x in lines[max(0, i - 3):i + 1])
                print("dynamic [%s] PROBLEM: Prism: %s" % (label, context))
    return violations


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--strip-formats", nargs=2, metavar=("IN", "OUT"),
                    help="only write IN without its date-time formats to OUT")
    ap.add_argument("--base-url", help="a mock serving --spec (else --prism starts some)")
    ap.add_argument("--prism", help="Prism's command: start --mocks mocks of --spec with -d")
    ap.add_argument("--mocks", type=int, default=2, help="with --prism (default 2: Prism takes a core)")
    ap.add_argument("--spec")
    ap.add_argument("--operations")
    ap.add_argument("--calls", type=int, default=1000)
    ap.add_argument("--cli-calls", type=int, help="runs per operation and CLI output (default: --calls)")
    ap.add_argument("--client")
    ap.add_argument("--cli")
    ap.add_argument("--api-cli", help="openrouter-api of a library built from --spec")
    ap.add_argument("--label")
    ap.add_argument("--work")
    args = ap.parse_args()
    if args.cli_calls is None:
        args.cli_calls = args.calls
    if args.strip_formats:
        strip_formats(*args.strip_formats)
        return 0
    for name in ("spec", "client", "label", "work"):
        if getattr(args, name) is None:
            ap.error("--%s is required" % name.replace("_", "-"))
    if (args.base_url is None) == (args.prism is None):
        ap.error("give --base-url or --prism")
    args.bases = [args.base_url] if args.base_url else []
    mocks = start_mocks(args) if args.prism else []
    bad = 1
    try:
        bad = check(ap, args)
    finally:
        bad += stop_mocks(args.label, mocks)
    return 1 if bad else 0


def check(ap, args):
    """Runs every path; the number of problems."""
    spec = load.load(args.spec).data
    requests = None
    if args.operations:
        ops = operations(spec, args.operations)
    else:
        ops, requests, left_out = described_operations(args.spec)
        print("dynamic [%s] %d operations with a JSON success body; %d left out:" %
              (args.label, len(ops), len(left_out)))
        for opid, why in left_out:
            print("dynamic [%s]   %s: %s" % (args.label, opid, why))
    if args.api_cli and requests is None:
        ap.error("--api-cli needs the operations of the description (no --operations)")
    lib, lib_s = run_library(args, spec, ops, args.work, requests)
    if lib is None:
        print("dynamic [%s]: dynamic_client failed" % args.label, file=sys.stderr)
        return 1
    bad = report(args.label, lib)
    print("dynamic [%s] library: %d responses in %.1f s" % (args.label, sum(t.responses for t in lib.values()),
                                                            lib_s))
    sys.stdout.flush()
    if args.cli:
        cli_bad, runs, cli_s = run_cli(args, spec, ops)
        bad += cli_bad
        print("dynamic [%s] CLI: %d runs in %.1f s" % (args.label, runs, cli_s))
    if args.api_cli:
        cli_bad, runs, cli_s = run_api_cli(args, spec, ops, requests)
        bad += cli_bad
        print("dynamic [%s] openrouter-api: %d runs in %.1f s" % (args.label, runs, cli_s))
    return bad


if __name__ == "__main__":
    sys.exit(main())
