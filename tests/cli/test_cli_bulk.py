"""openrouter-keys create --from / update --from against the stand-in server:
the CSV reading as a table (what reached the server, or the error and
nothing sent), the results file (mode 0600, refused when others can read
it, records of another input refused), resume, concurrency, and bulk creates
under seeded faults killed at random points (SIGKILL and SIGINT) and resumed
until done: never a duplicate key, every created secret in the results file
(compared with the stand-in's own record of what it created), the secrets
in no output.

    OPENROUTER_KEYS_BIN=build-test/cli/openrouter-keys python3 tests/cli/test_cli_bulk.py -v
"""

import csv
import fcntl
import hashlib
import os
import random
import signal
import stat
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clicase import BIN, CliCase  # noqa: E402

MISSING = "(not sent)"
WORKSPACE = "0df9e665-d932-5740-b2c7-b52af166bc11"
EXT_SECRET = "external-secret-0123456789abcdefghijklmnop"


def read_results(path):
    """The records of a results file, as dicts, in order."""
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def last_records(path):
    """row number -> its last record."""
    last = {}
    for r in read_results(path):
        last[int(r["row"])] = r
    return last


class BulkCase(CliCase):
    def setUp(self):
        super().setUp()
        self.tmp = tempfile.TemporaryDirectory(prefix="or-bulk-")
        self.dir = self.tmp.name
        self.stub.reset(0)

    def tearDown(self):
        super().tearDown()
        # No created secret in any output, ever.
        secrets = [c["key"] for c in self.stub.control("GET", "/created")["created"]]
        for out, err in self.outputs:
            for s in secrets:
                self.assertNotIn(s, out + err)
        self.tmp.cleanup()

    def write(self, name, text, mode="w"):
        path = os.path.join(self.dir, name)
        with open(path, mode, newline="") as f:
            f.write(text)
        return path

    def posts(self, method="POST"):
        return [r for r in self.stub.requests() if r["method"] == method]


# ---- the CSV table ------------------------------------------------------------------------

# (label, file text, the bodies sent, one per row, in order (--concurrency 1))
GOOD_FILES = [
    ("plain", "name,limit\na,5\nb,0.25\n", [{"name": "a", "limit": 5}, {"name": "b", "limit": 0.25}]),
    ("empty cell: left out", "name,limit,limit_reset\na,,\n", [{"name": "a"}]),
    ("none: null", "name,limit,limit_reset,expires_at,creator_user_id\na,none,none,none,none\n",
     [{"name": "a", "limit": None, "limit_reset": None, "expires_at": None, "creator_user_id": None}]),
    ("quoted comma, quote, newline", 'name\n"a, b"\n"say ""hi"""\n"two\nlines"\n',
     [{"name": "a, b"}, {"name": 'say "hi"'}, {"name": "two\nlines"}]),
    ("CRLF, BOM, no final newline", "\ufeffname,limit\r\na,1\r\nb,2",
     [{"name": "a", "limit": 1}, {"name": "b", "limit": 2}]),
    ("blank lines skipped", "name\n\na\n\n\nb\n", [{"name": "a"}, {"name": "b"}]),
    ("spaces kept", "name\n  padded  \n", [{"name": "  padded  "}]),
    ("hyphenated header", "name,limit-reset,include-byok-in-limit\na,weekly,true\n",
     [{"name": "a", "limit_reset": "weekly", "include_byok_in_limit": True}]),
    ("every create column",
     "name,limit,limit_reset,include_byok_in_limit,expires_at,creator_user_id,workspace_id,external_user,"
     "external_api_key\nfull,2.5,monthly,false,2030-01-01T00:00:00Z,user_1,%s,u-1,%s\n" % (WORKSPACE, EXT_SECRET),
     [{"name": "full", "limit": 2.5, "limit_reset": "monthly", "include_byok_in_limit": False,
       "expires_at": "2030-01-01T00:00:00Z", "creator_user_id": "user_1", "workspace_id": WORKSPACE,
       "external": {"user": "u-1", "api_key": EXT_SECRET}}]),
    ("columns in any order", "limit,name\n3,z\n", [{"name": "z", "limit": 3}]),
]

# (label, file text, what stderr must say); exit 2 and nothing sent.
BAD_FILES = [
    ("unknown column", "name,colour\na,red\n", "unknown column 'colour'"),
    ("update's column", "name,disabled\na,true\n", "unknown column 'disabled'"),
    ("column twice", "name,limit,limit\na,1,2\n", "column 'limit' appears twice"),
    ("no name column", "limit\n5\n", "no 'name' column"),
    ("unclosed quote", 'name\n"a\nb\n', "line 2: a quoted field is not closed"),
    ("quote inside a field", 'name\na"b\n', "line 2: a double quote inside a field"),
    ("text after a quote", 'name\n"a"b\n', "line 2: text after a closing double quote"),
    ("too few fields", "name,limit\na\n", "line 2: 1 field where the first record has 2"),
    ("too many fields", "name,limit\na,1,2\n", "line 2: 3 fields where the first record has 2"),
    ("lone CR", "name\ra\n", "carriage return"),
    ("NUL byte", "name\na\0\n", "NUL"),
    ("empty file", "", "empty"),
    ("header only", "name,limit\n", "a header row and no keys"),
    ("empty name", "name,limit\n,5\n", "row 1 (line 2), column name: empty"),
    ("bad limit", "name,limit\na,1\nb,lots\n", "row 2 (line 3), column limit: expects a number of US dollars "
                                                "or 'none', got 'lots'"),
    ("negative limit (the library's check)", "name,limit\na,-1\n", "row 1 (line 2), column limit"),
    ("bad limit_reset", "name,limit_reset\na,yearly\n", "column limit_reset: expects daily, weekly, monthly"),
    ("bad boolean", "name,include_byok_in_limit\na,yes\n", "column include_byok_in_limit: expects true or false"),
    ("bad expires_at", "name,expires_at\na,tomorrow\n", "column expires_at: expects an RFC 3339 time"),
    ("bad expires_in", "name,expires_in\na,30\n", "column expires_in: expects a duration"),
    ("expires both ways", "name,expires_at,expires_in\na,2030-01-01T00:00:00Z,30d\n", "only one of expires_at"),
    ("api key without user", "name,external_api_key\na,%s\n" % EXT_SECRET, "needs external_user"),
    ("short external key (the library's check), not echoed",
     "name,external_user,external_api_key\na,u,short-secret-value\n", "row 1 (line 2), column external_api_key"),
    ("the same name twice", "name\na\nb\na\n", "row 3 (line 4), column name: 'a' is also row 1's"),
    ("error on the last row", "name,limit\n" + "".join("k%d,1\n" % i for i in range(50)) + "late,x\n",
     "row 51 (line 52), column limit"),
]


class CsvTableTest(BulkCase):
    def test_good_files(self):
        for label, text, bodies in GOOD_FILES:
            with self.subTest(file=label):
                self.stub.reset(0)
                path = self.write("in.csv", text)
                results = os.path.join(self.dir, "out-%d.csv" % len(self.outputs))
                p = self.run_cli("create", "--from", path, "--results", results, "--concurrency", "1", expect=0)
                self.assertEqual([r["body"] for r in self.posts()], bodies, p.stderr)
                self.assertIn("created %d, skipped 0, failed 0" % len(bodies), p.stdout)

    def test_bad_files_send_nothing(self):
        for label, text, message in BAD_FILES:
            with self.subTest(file=label):
                self.stub.control("DELETE", "/requests")
                path = self.write("bad.csv", text)
                p = self.run_cli("create", "--from", path, expect=2)
                self.assertIn(message, p.stderr)
                self.assertIn("Nothing was sent", p.stderr)
                self.assertEqual(p.stdout, "")
                self.assertNotIn("short-secret-value", p.stderr)
                self.assertEqual(self.stub.requests(), [])
                self.assertFalse(os.path.exists(os.path.join(self.dir, "bad.results.csv")))

    def test_flags_that_do_not_go_with_from(self):
        path = self.write("in.csv", "name\na\n")
        for args in (["create", "--from", path, "--name", "x"], ["create", "--from", path, "--limit", "1"],
                     ["create", "--from", path, "--json"], ["update", "--from", path, "--disabled"],
                     ["update", "HASH", "--from", path], ["create", "--concurrency", "2", "--name", "x"],
                     ["create", "--results", "r.csv", "--name", "x"],
                     ["create", "--from", path, "--concurrency", "0"],
                     ["create", "--from", path, "--concurrency", "65"],
                     ["create", "--from", path, "--concurrency", "two"],
                     ["create", "--from", os.path.join(self.dir, "missing.csv")]):
            with self.subTest(args=args):
                self.run_cli(*args, expect=2)
        self.assertEqual(self.stub.requests(), [])


# ---- the results file and resuming ----------------------------------------------------------

class ResultsFileTest(BulkCase):
    def test_created_0600_with_hash_and_secret_per_row(self):
        path = self.write("team keys.csv", "name,limit\nalpha,1\nbeta,2\n")
        p = self.run_cli("create", "--from", path, expect=0)
        results = os.path.join(self.dir, "team keys.results.csv")
        self.assertEqual(stat.S_IMODE(os.stat(results).st_mode), 0o600)
        created = {c["name"]: c for c in self.stub.control("GET", "/created")["created"]}
        last = last_records(results)
        self.assertEqual(sorted(last), [1, 2])
        for row, name in ((1, "alpha"), (2, "beta")):
            self.assertEqual(last[row]["status"], "created")
            self.assertEqual((last[row]["hash"], last[row]["key"]), (created[name]["hash"], created[name]["key"]))
            self.assertIn("row %d: created %s %s" % (row, created[name]["hash"], name), p.stdout)
        self.assertIn("created 2, skipped 0, failed 0 (2 rows; 0 not done); results in " + results, p.stdout)

    def test_refuses_a_results_file_others_can_read(self):
        path = self.write("in.csv", "name\na\n")
        results = self.write("in.results.csv", "row,status,name,hash,key,detail\n")
        os.chmod(results, 0o644)
        p = self.run_cli("create", "--from", path, expect=2)
        self.assertIn("mode 0644", p.stderr)
        self.assertEqual(self.stub.requests(), [])
        os.chmod(results, 0o600)
        self.run_cli("create", "--from", path, expect=0)

    def test_refuses_the_results_of_another_input(self):
        a = self.write("a.csv", "name\none\ntwo\n")
        b = self.write("b.csv", "name\nuno\ndos\n")
        results = os.path.join(self.dir, "r.csv")
        self.run_cli("create", "--from", a, "--results", results, expect=0)
        self.stub.control("DELETE", "/requests")
        p = self.run_cli("create", "--from", b, "--results", results, expect=2)
        self.assertIn("belong to another file", p.stderr)
        self.assertEqual(self.stub.requests(), [])

    def test_resume_skips_recorded_rows_and_keys_on_the_server(self):
        self.stub.reset(3)  # seed-key-0000 .. 0002
        path = self.write("in.csv", "name\nfirst\nseed-key-0001\nsecond\n")
        results = os.path.join(self.dir, "in.results.csv")
        p = self.run_cli("create", "--from", path, expect=0)
        self.assertIn("row 2: exists %s seed-key-0001" % hashlib.sha256(b"seed-key-0001").hexdigest(), p.stdout)
        self.assertIn("created 2, skipped 1, failed 0", p.stdout)
        self.assertEqual(len(self.posts()), 2)
        self.stub.control("DELETE", "/requests")
        p = self.run_cli("create", "--from", path, expect=0)
        self.assertIn("created 0, skipped 3, failed 0", p.stdout)
        self.assertEqual(self.stub.requests(), [])  # everything recorded: not even a listing
        # A row added to the file later is the only one created.
        with open(path, "a") as f:
            f.write("third\n")
        p = self.run_cli("create", "--from", path, expect=0)
        self.assertEqual([r["body"]["name"] for r in self.posts()], ["third"])
        self.assertEqual(last_records(results)[4]["status"], "created")

    def lose_an_answer(self, path, results):
        """Runs `path` so that row 1's key is made but its answer lost, and
        the listing that would settle it fails; the orphan key."""
        # The first listing passes, the create's answer is lost, the listing
        # that would settle it fails: the run ends with the row in doubt.
        self.stub.add_faults({"match": {"method": "GET"}, "delay_ms": 1},
                             {"match": {"method": "POST"}, "close_before_response": True, "apply_then": True},
                             {"match": {"method": "GET"}, "status": 400, "times": 5})
        p = self.run_cli("create", "--from", path, "--concurrency", "1", expect=1)
        self.assertIn("listing the keys", p.stderr)
        orphan = [k for k in self.stub.keys() if k["name"] == "lost"]
        self.assertEqual(len(orphan), 1)
        self.assertEqual(last_records(results)[1]["status"], "unknown")
        self.assertEqual(last_records(results)[2]["status"], "created")
        self.stub.control("DELETE", "/faults")
        return orphan

    def test_a_create_whose_answer_was_lost_is_replaced_not_duplicated(self):
        """The request left, its answer never came (a crash would do the
        same): the key exists, its secret is gone. The re-run finds it by
        listing, deletes it (recorded first) and makes it again."""
        path = self.write("in.csv", "name,limit\nlost,7\nfresh,1\n")
        results = os.path.join(self.dir, "in.results.csv")
        orphan = self.lose_an_answer(path, results)
        p = self.run_cli("create", "--from", path, expect=0)
        self.assertIn("1 key whose answer was lost made again", p.stdout)
        keys = [k for k in self.stub.keys() if k["name"] == "lost"]
        self.assertEqual(len(keys), 1)
        self.assertNotEqual(keys[0]["hash"], orphan[0]["hash"])
        self.assertEqual(keys[0]["limit"], 7)
        records = read_results(results)
        self.assertEqual([(r["row"], r["status"]) for r in records], [("1", "created"), ("2", "created")])
        self.assertEqual(records[0]["detail"], "replaced " + orphan[0]["hash"])
        created = {c["hash"]: c for c in self.stub.control("GET", "/created")["created"]}
        last = last_records(results)
        self.assertEqual(last[1]["key"], created[keys[0]["hash"]]["key"])
        self.assertTrue(created[orphan[0]["hash"]]["deleted"])

    def test_keep_lost(self):
        path = self.write("in.csv", "name,limit\nlost,7\nfresh,1\n")
        results = os.path.join(self.dir, "in.results.csv")
        orphan = self.lose_an_answer(path, results)
        self.stub.control("DELETE", "/requests")
        for _ in range(2):
            p = self.run_cli("create", "--from", path, "--keep-lost", expect=1)
            self.assertIn("1 key whose answer was lost kept without its secret", p.stdout)
            self.assertEqual([k["hash"] for k in self.stub.keys() if k["name"] == "lost"], [orphan[0]["hash"]])
            self.assertEqual((last_records(results)[1]["status"], last_records(results)[1]["hash"]),
                             ("lost", orphan[0]["hash"]))
        self.assertIn("its secret cannot be fetched again; kept (--keep-lost)", self.outputs[-2][1])
        self.assertEqual(self.posts(), [])
        self.assertEqual(self.posts("DELETE"), [])
        p = self.run_cli("create", "--from", path, expect=0)  # without it: made again
        self.assertIn("1 key whose answer was lost made again", p.stdout)
        check_no_duplicates_and_secrets(self, ["lost", "fresh"], results)
        self.run_cli("update", "--from", path, "--keep-lost", expect=2)

    def test_a_used_key_in_doubt_is_left_alone(self):
        """A key of that name that has been used cannot be one whose secret
        was lost: the row fails instead of deleting it."""
        path = self.write("in.csv", "name\nbusy\n")
        results = self.write("in.results.csv",
                             "row,status,name,hash,key,detail\n1,pending,busy,,,2020-01-01T00:00:00Z\n")
        os.chmod(results, 0o600)
        self.stub.control("POST", "/keys", {"name": "busy", "usage": 3})
        p = self.run_cli("create", "--from", path, expect=1)
        self.assertIn("left alone", p.stderr)
        self.assertEqual(len(self.stub.keys()), 1)
        self.assertEqual(self.posts(), [])
        self.assertEqual(self.posts("DELETE"), [])

    def test_records_until_settled_then_one_per_row(self):
        path = self.write("in.csv", "name\na\nb\n")
        results = os.path.join(self.dir, "in.results.csv")
        self.stub.add_faults({"match": {"method": "POST"}, "status": 400})  # row 1 refused
        self.run_cli("create", "--from", path, "--concurrency", "1", expect=1)
        self.assertEqual([(r["row"], r["status"]) for r in read_results(results)],
                         [("1", "pending"), ("1", "failed"), ("2", "pending"), ("2", "created")])
        self.run_cli("create", "--from", path, expect=0)
        self.assertEqual([(r["row"], r["status"]) for r in read_results(results)],
                         [("1", "created"), ("2", "created")])
        self.assertEqual(stat.S_IMODE(os.stat(results).st_mode), 0o600)
        self.assertEqual(sorted(os.listdir(self.dir)), ["in.csv", "in.results.csv"])

    def test_one_run_per_results_file(self):
        path = self.write("in.csv", "name\na\n")
        results = self.write("in.results.csv", "row,status,name,hash,key,detail\n")
        os.chmod(results, 0o600)
        with open(results) as held:
            fcntl.flock(held, fcntl.LOCK_EX)
            p = self.run_cli("create", "--from", path, expect=2)
            self.assertIn("in use by another run", p.stderr)
        self.assertEqual(self.stub.requests(), [])
        self.run_cli("create", "--from", path, expect=0)

    def test_a_torn_last_record_is_dropped(self):
        path = self.write("in.csv", "name\na\n")
        results = self.write("in.results.csv", "row,status,name,hash,key,detail\n1,crea")
        os.chmod(results, 0o600)
        self.run_cli("create", "--from", path, expect=0)
        self.assertEqual([r["status"] for r in read_results(results)], ["created"])


class ConcurrencyTest(BulkCase):
    def test_cap_and_faults_in_one_run(self):
        names = ["c%02d" % i for i in range(24)]
        path = self.write("in.csv", "name\n" + "\n".join(names) + "\n")
        self.stub.add_faults({"match": {"method": "POST"}, "delay_ms": 400, "times": 24})
        self.stub.control("POST", "/connections")
        p = self.run_cli("create", "--from", path, "--concurrency", "6", expect=0)
        self.assertLessEqual(self.stub.control("GET", "/stats")["max_concurrent"], 6)
        self.assertGreaterEqual(self.stub.control("GET", "/stats")["max_concurrent"], 3)
        self.assertIn("created 24, skipped 0, failed 0", p.stdout)

    def test_faults_resolved_in_the_same_run(self):
        path = self.write("in.csv", "name\n" + "".join("f%d\n" % i for i in range(8)))
        self.stub.add_faults(
            {"match": {"method": "POST"}, "status": 500, "apply_then": True},           # made, answer 500
            {"match": {"method": "POST"}, "close_before_response": True, "apply_then": True},  # made, no answer
            {"match": {"method": "POST"}, "close_mid_body": True},                       # made, half an answer
            {"match": {"method": "POST"}, "status": 502},                                # not made
            {"match": {"method": "POST"}, "status": 429, "headers": {"Retry-After": "1"}})  # retried
        p = self.run_cli("create", "--from", path, "--concurrency", "3", expect=0)
        self.assertIn("created 8, skipped 0, failed 0, 3 keys whose answer was lost made again", p.stdout)
        check_no_duplicates_and_secrets(self, ["f%d" % i for i in range(8)],
                                        os.path.join(self.dir, "in.results.csv"))

    def test_progress_only_on_a_terminal(self):
        path = self.write("in.csv", "name\n" + "".join("t%d\n" % i for i in range(6)))
        self.stub.add_faults({"match": {"method": "POST"}, "delay_ms": 150, "times": 6})
        rc, out, err = self.run_stderr_on_tty(["create", "--from", path, "--concurrency", "2"])
        self.assertEqual(rc, 0)
        self.assertIn("rows: created", err)
        self.assertNotIn("rows: created", out)
        p = self.run_cli("create", "--from", path, "--results", os.path.join(self.dir, "r2.csv"), expect=0)
        self.assertNotIn("\r", p.stderr)


def replaced_hashes(records):
    """The keys a run deleted to make them again: deleted-orphan records,
    or once compacted the detail "replaced HASH ..." of their row."""
    hashes = set()
    for r in records:
        if r["status"] == "deleted-orphan":
            hashes.add(r["hash"])
        elif r["detail"].startswith("replaced "):
            hashes.update(r["detail"].split()[1:])
    return hashes


def check_no_duplicates_and_secrets(test, names, results, label=""):
    """Every name once on the server; the results file holds the secret of
    every key the stand-in made that still exists, and records the deletion
    of every one it made that is gone."""
    keys = test.stub.keys()
    listed = sorted(k["name"] for k in keys if k["name"] in names)
    test.assertEqual(listed, sorted(names), "%s: duplicates or missing keys" % label)
    created = test.stub.control("GET", "/created")["created"]
    records = read_results(results)
    # Settled: compacted to one record per row, in order.
    test.assertEqual([int(r["row"]) for r in records], list(range(1, len(names) + 1)))
    by_name = {r["name"]: r for r in records}
    deleted_hashes = replaced_hashes(records)
    for c in created:
        if c["deleted"]:
            test.assertIn(c["hash"], deleted_hashes, label)
        else:
            r = by_name[c["name"]]
            test.assertEqual((r["status"], r["hash"], r["key"]), ("created", c["hash"], c["key"]), label)
    test.assertEqual(stat.S_IMODE(os.stat(results).st_mode), 0o600)
    return len(deleted_hashes)


# ---- killed at random points and resumed ----------------------------------------------------

ROWS = 40
SEEDS = (11, 23, 37, 41, 59)


def seeded_faults(rng):
    """POST faults of every kind, at random places among the creates."""
    kinds = [
        {"status": 500, "apply_then": True},
        {"status": 503},
        {"close_before_response": True, "apply_then": True},
        {"close_before_response": True},
        {"close_mid_body": True},
        {"status": 429, "headers": {"Retry-After": "1"}},
        {"delay_ms": 300},
    ]
    faults = []
    for _ in range(ROWS):
        f = dict(rng.choice(kinds)) if rng.random() < 0.45 else {"delay_ms": rng.choice((20, 60, 120))}
        f["match"] = {"method": "POST"}
        faults.append(f)
    return faults


class KilledAndResumedTest(BulkCase):
    def run_killed(self, args, delay, how):
        """Starts a run, interrupts it after `delay` seconds; its exit status."""
        p = subprocess.Popen([BIN, *args], env=self.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
        time.sleep(delay)
        if how == "SIGKILL":
            p.kill()
        else:
            p.send_signal(signal.SIGINT)
            if how == "SIGINT twice":
                time.sleep(0.05)
                p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=60)
        self.outputs.append((out, err))
        return p.returncode

    def test_killed_at_random_points_then_resumed(self):
        totals = {"kills": 0, "SIGKILL": 0, "SIGINT": 0, "replaced": 0, "runs": 0}
        for seed in SEEDS:
            rng = random.Random(seed)
            self.stub.reset(0)
            names = ["s%d-key-%03d" % (seed, i) for i in range(ROWS)]
            path = self.write("s%d.csv" % seed, "name,limit\n" + "".join("%s,%d\n" % (n, i)
                                                                          for i, n in enumerate(names)))
            results = os.path.join(self.dir, "s%d.results.csv" % seed)
            self.stub.add_faults(*seeded_faults(rng))
            args = ["create", "--from", path, "--concurrency", "4", "--retries", "2"]
            for _ in range(rng.randint(4, 7)):
                how = rng.choice(["SIGKILL", "SIGKILL", "SIGINT", "SIGINT twice"])
                rc = self.run_killed(args, rng.uniform(0.05, 0.6), how)
                totals["runs"] += 1
                if rc == 0:
                    continue  # it finished before the signal
                totals["kills"] += 1
                totals["SIGKILL" if how == "SIGKILL" else "SIGINT"] += 1
                self.assertIn(rc, (-signal.SIGKILL, -signal.SIGINT, 130, 1, 3), how)
            for _ in range(10):
                totals["runs"] += 1
                if self.run_cli(*args).returncode == 0:
                    break
            else:
                self.fail("no run finished: %s" % self.outputs[-1][1])
            totals["replaced"] += check_no_duplicates_and_secrets(self, names, results, "seed %d" % seed)
            self.assertEqual(sorted(last_records(results)), list(range(1, ROWS + 1)))
            self.assertTrue(all(r["status"] == "created" for r in last_records(results).values()))
        print("\nbulk resume: %d seeds x %d rows, %d runs, %d interrupted (%d SIGKILL, %d SIGINT), "
              "0 duplicates, %d keys whose answer was lost made again, every secret kept"
              % (len(SEEDS), ROWS, totals["runs"], totals["kills"], totals["SIGKILL"], totals["SIGINT"],
                 totals["replaced"]), file=sys.stderr)


# ---- update --from -------------------------------------------------------------------------

class UpdateFromTest(BulkCase):
    def test_by_hash_and_resume(self):
        self.stub.reset(4)
        h = [hashlib.sha256(("seed-key-%04d" % i).encode()).hexdigest() for i in range(4)]
        path = self.write("up.csv", "hash,name,limit,limit_reset,disabled,include_byok_in_limit\n"
                                    "%s,renamed,,none,,\n%s,,none,,true,\n%s,,3,daily,false,true\n"
                          % (h[0], h[1], h[2]))
        p = self.run_cli("update", "--from", path, "--concurrency", "1", expect=0)
        self.assertEqual([(r["path"].rsplit("/", 1)[1], r["body"]) for r in self.posts("PATCH")], [
            (h[0], {"name": "renamed", "limit_reset": None}),
            (h[1], {"limit": None, "disabled": True}),
            (h[2], {"limit": 3, "limit_reset": "daily", "disabled": False, "include_byok_in_limit": True})])
        self.assertIn("updated 3, skipped 0, failed 0", p.stdout)
        results = os.path.join(self.dir, "up.results.csv")
        self.assertEqual(stat.S_IMODE(os.stat(results).st_mode), 0o600)
        self.assertEqual([r["status"] for r in last_records(results).values()], ["updated"] * 3)
        self.stub.control("DELETE", "/requests")
        p = self.run_cli("update", "--from", path, expect=0)
        self.assertIn("updated 0, skipped 3", p.stdout)
        self.assertEqual(self.stub.requests(), [])

    def test_by_name_unknown_hash_and_ambiguous_name(self):
        self.stub.reset(2)
        self.stub.control("POST", "/keys", [{"name": "twin"}, {"name": "twin"}])
        path = self.write("names.csv", "name,limit\nseed-key-0001,9\ntwin,1\nnobody,1\n")
        p = self.run_cli("update", "--from", path, expect=1)
        patches = self.posts("PATCH")
        self.assertEqual([r["body"] for r in patches], [{"limit": 9}])
        self.assertTrue(patches[0]["path"].endswith(hashlib.sha256(b"seed-key-0001").hexdigest()))
        self.assertIn("several keys have that name", p.stderr)
        self.assertIn("no key has that name", p.stderr)
        self.assertIn("updated 1, skipped 0, failed 2", p.stdout)
        path = self.write("gone.csv", "hash,limit\n%s,1\n" % ("0" * 64))
        p = self.run_cli("update", "--from", path, expect=1)
        self.assertIn("404", p.stderr)

    def test_by_name_in_a_workspace(self):
        # The same name in the default workspace and in another: each row's
        # workspace_id picks which key its name finds.
        self.stub.reset(0)
        other = "5a4a2f0e-8d7c-4c1b-9a8e-2b6f1d3c4e5f"
        self.stub.control("POST", "/keys", [{"name": "shared", "hash": "a" * 64},
                                            {"name": "shared", "hash": "b" * 64, "workspace_id": other}])
        path = self.write("ws.csv", "name,workspace_id,limit\nshared,,1\nshared,%s,2\n" % other)
        p = self.run_cli("update", "--from", path, "--concurrency", "1", expect=0)
        self.assertEqual(sorted((r["path"].rsplit("/", 1)[1], r["body"]["limit"]) for r in self.posts("PATCH")),
                         [("a" * 64, 1), ("b" * 64, 2)], p.stderr)
        self.assertIn("updated 2, skipped 0, failed 0", p.stdout)

    def test_a_failed_row_is_tried_again(self):
        self.stub.reset(1)
        seed = hashlib.sha256(b"seed-key-0000").hexdigest()
        later = "f" * 64
        path = self.write("up.csv", "hash,limit\n%s,1\n%s,2\n" % (seed, later))
        results = os.path.join(self.dir, "up.results.csv")
        p = self.run_cli("update", "--from", path, expect=1)
        self.assertIn("updated 1, skipped 0, failed 1", p.stdout)
        self.assertEqual(sorted((r["row"], r["status"], r["hash"]) for r in read_results(results)),
                         [("1", "updated", seed), ("2", "failed", later)])
        self.stub.control("POST", "/keys", {"name": "later", "hash": later})
        self.stub.control("DELETE", "/requests")
        p = self.run_cli("update", "--from", path, expect=0)
        self.assertIn("updated 1, skipped 1, failed 0", p.stdout)
        self.assertEqual([r["path"] for r in self.posts("PATCH")], ["/api/v1/keys/" + later])
        self.assertEqual([(r["row"], r["status"]) for r in read_results(results)], [("1", "updated"), ("2", "updated")])

    def test_bad_update_files(self):
        for text, message in (("hash,expires_at\nabc,none\n", "unknown column 'expires_at'"),
                              ("limit\n1\n", "needs a 'hash' column"),
                              ("hash,limit\nabc,\n", "nothing to change"),
                              ("hash,limit\n,1\n", "column hash: empty"),
                              ("hash,disabled\nabc,maybe\n", "expects true or false, got 'maybe'"),
                              ("hash,limit\nabc,1\nabc,2\n", "'abc' is also row 1's"),
                              ("hash,workspace_id,limit\nabc,%s,1\n" % WORKSPACE,
                               "column workspace_id: only finds a key by name"),
                              ("name,workspace_id,limit\na,,1\na,,2\n", "'a' is also row 1's")):
            with self.subTest(text=text):
                path = self.write("bad.csv", text)
                p = self.run_cli("update", "--from", path, expect=2)
                self.assertIn(message, p.stderr)
        self.assertEqual(self.stub.requests(), [])


class BulkUnderValgrindTest(BulkCase):
    """A bulk create (with faults, a resume, an orphan) and update under valgrind."""

    def run_cli(self, *args, env=None, stdin=None, expect=None):
        return self.run_under_valgrind(args, env=env, stdin=stdin, expect=expect, timeout=300)

    def test_bulk_paths(self):
        names = ["v%02d" % i for i in range(20)]
        path = self.write("v.csv", "name,limit,expires_in\n" + "".join("%s,1,30d\n" % n for n in names))
        results = os.path.join(self.dir, "v.results.csv")
        self.stub.add_faults(
            {"match": {"method": "GET"}, "delay_ms": 1},
            {"match": {"method": "POST"}, "status": 500, "apply_then": True},
            {"match": {"method": "POST"}, "close_before_response": True, "apply_then": True},
            {"match": {"method": "POST"}, "status": 429, "headers": {"Retry-After": "1"}},
            {"match": {"method": "GET"}, "status": 400, "times": 3})
        self.run_cli("create", "--from", path, "--concurrency", "8", expect=1)  # in doubt, listing fails
        self.stub.control("DELETE", "/faults")
        self.run_cli("create", "--from", path, "--concurrency", "8", expect=0)
        check_no_duplicates_and_secrets(self, names, results)
        self.run_cli("create", "--from", self.write("bad.csv", "name,limit\na,x\n"), expect=2)
        up = self.write("u.csv", "name,limit\nv01,none\nv02,4\nmissing,1\n")
        self.run_cli("update", "--from", up, expect=1)


def load_tests(loader, standard_tests, pattern):
    # The valgrind class runs only from its own CTest entry.
    suite = unittest.TestSuite()
    for case in (CsvTableTest, ResultsFileTest, ConcurrencyTest, KilledAndResumedTest, UpdateFromTest):
        suite.addTests(loader.loadTestsFromTestCase(case))
    return suite


if __name__ == "__main__":
    unittest.main()
