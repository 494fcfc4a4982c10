#!/usr/bin/env python3
"""Turns bench/run's raw JSON lines into the Markdown table (standard library only).

  report.py --meta build/meta.json --raw results/latest.jsonl --out results/latest.md

Every number is the median over the repetitions of the same run. Ratios are
SDK / minimal client (or TypeScript SDK / SDK for the peer comparison).
"""
import argparse
import json
import os
import statistics

TARGETS = {
    "decode": 1.3,   # SDK / minimal, ns per key
    "cpu": 1.15,     # SDK / minimal, client CPU per call
    "wall": 1.05,    # SDK / minimal, wall per call
    "ts_cpu": 10.0,  # TypeScript SDK / SDK, client CPU per call, at least
    "rss": 3.0,      # SDK peak RSS increase / body size, 10,000-key decode
    "conc_wall": 1.2,  # async wall / (calls x delay / in flight)
    "conc_cpu": 1.2,   # async CPU per call / blocking CPU per call
}


def load(path):
    rows = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                rows.append(json.loads(line))
    return rows


def med(rows, client, bench, field, keys=None):
    vals = [r[field] for r in rows
            if r.get("client") == client and r.get("bench") == bench
            and (keys is None or r.get("keys_per_body") == keys) and r.get(field) is not None]
    return statistics.median(vals) if vals else None


def fmt(v, unit="", digits=None):
    if v is None:
        return "—"
    if digits is None:
        digits = 0 if abs(v) >= 100 else (1 if abs(v) >= 10 else 2)
    return ("{:,.%df}" % digits).format(v) + unit


def ratio(a, b):
    return a / b if a is not None and b not in (None, 0) else None


def verdict(r, limit, at_least=False):
    if r is None:
        return "n/a"
    ok = r >= limit if at_least else r <= limit
    return "**pass**" if ok else "**FAIL**"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--meta", required=True)
    ap.add_argument("--raw", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    meta = json.load(open(args.meta))
    rows = load(args.raw)
    for r in rows:  # keys per body for decode rows (100 or 10,000)
        if r.get("bench") in ("decode", "decode-rss") and r.get("calls"):
            r["keys_per_body"] = r["keys"] // r["calls"]

    sdk_note = "" if meta["have_sdk"] else " (SDK not built: SDK rows empty)"
    L = []
    w = L.append
    w("# openrouter-c benchmark results")
    w("")
    w("Run %s on %s (%s cores), %s, kernel %s. Commit %s." % (
        meta["date"], meta["cpu"] or "unknown CPU", meta["cores"], meta["os"], meta["kernel"], meta["commit"]))
    w("%s, libcurl %s, json-c %s, gcc %s (-O2 for both C clients and the library)%s." % (
        meta["nginx"], meta["curl"], meta["json_c"], meta["gcc"],
        ", node %s with @openrouter/sdk %s" % (meta["node"], meta["ts_sdk"]) if meta["have_ts"] else ""))
    pin = {"same": "client and nginx worker pinned to CPU 0",
           "split": "client pinned to CPU 0, nginx worker to CPU 1",
           "none": "no CPU pinning"}.get(meta.get("pin", "none"), "")
    reps = meta["conc_reps"] if meta.get("concurrency_only") else meta["reps"]
    w("%s. Medians of %d repetition%s%s.%s" % (pin[:1].upper() + pin[1:], reps, "" if reps == 1 else "s",
                                          " (**smoke mode: tiny N, numbers are not meaningful**)" if meta["smoke"] else "",
                                          sdk_note))
    for n in meta.get("notes", []):
        w("")
        w("> " + n)
    w("")
    if meta.get("concurrency_only"):
        concurrency(L, rows, meta)
        return finish(L, args.out)
    fx = meta["fixtures"]
    only_cg = meta.get("callgrind_only", False)
    if only_cg:
        L_cg_start = len(L)

    # 1. decode
    w("## 1. Decode (list bodies, from memory)")
    w("")
    w("| body | client | ns/key | MB/s | ratio to minimal |")
    w("| --- | --- | ---: | ---: | ---: |")
    dec = {}
    for keys, name in ((100, "list_100.json"), (10000, "list_10000.json")):
        body = "%s keys, %s bytes" % (fmt(keys, digits=0), fmt(fx[name], digits=0))
        base = med(rows, "minimal", "decode", "wall_ns_per_key", keys)
        for client, label in (("sdk", "SDK (typed structs)"),
                              ("minimal", "minimal (json-c parse + read every field)"),
                              ("json-c-parse", "json-c parse alone (tree built and freed)"),
                              ("ts-sdk", "TypeScript SDK (JSON.parse + zod schema), for reference")):
            ns = med(rows, client, "decode", "wall_ns_per_key", keys)
            mbs = med(rows, client, "decode", "mb_per_s", keys)
            if ns is None and client != "sdk":
                continue
            dec[(client, keys)] = ns
            w("| %s | %s | %s | %s | %s |" % (body, label, fmt(ns), fmt(mbs, digits=1),
                                             fmt(ratio(ns, base), "×", 2)))
    w("")

    # 2. encode
    w("## 2. Encode (request bodies)")
    w("")
    w("| body | SDK ns/request | minimal (json-c) ns/request | ratio |")
    w("| --- | ---: | ---: | ---: |")
    for bench, label in (("encode-create", 'create `{"name":…,"limit":50}`'),
                         ("encode-update", 'update `{"limit":null,"disabled":false}`')):
        s = med(rows, "sdk", bench, "wall_ns_per_call")
        m = med(rows, "minimal", bench, "wall_ns_per_call")
        w("| %s | %s | %s | %s |" % (label, fmt(s), fmt(m), fmt(ratio(s, m), "×", 2)))
    w("")

    # 3. per call
    w("## 3. Per call on loopback, keep-alive (nginx)")
    w("")
    w("%s sequential `get`, %s sequential `list` (100-key pages), after a short warm-up. "
      "CPU is the client process's user+sys. Connections are counted by the server (stub_status accepts), "
      "warm-up included." % (fmt(meta["n_get"], digits=0), fmt(meta["n_list"], digits=0)))
    w("")
    w("| call | client | wall µs/call | CPU µs/call | connections | wall ratio | CPU ratio |")
    w("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    call = {}
    for bench in ("get", "list"):
        bw = med(rows, "minimal", bench, "wall_ns_per_call")
        bc = med(rows, "minimal", bench, "cpu_ns_per_call")
        for client, label in (("sdk", "SDK"), ("minimal", "minimal client"), ("ts-sdk", "TypeScript SDK")):
            wl = med(rows, client, bench, "wall_ns_per_call")
            cp = med(rows, client, bench, "cpu_ns_per_call")
            cn = [r["server_connections"] for r in rows if r.get("client") == client and r.get("bench") == bench]
            if wl is None and client == "ts-sdk" and not meta["have_ts"]:
                continue
            call[(client, bench)] = (wl, cp, max(cn) if cn else None)
            w("| %s | %s | %s | %s | %s | %s | %s |" % (
                bench, label, fmt(wl and wl / 1e3), fmt(cp and cp / 1e3),
                (str(max(cn)) if len(set(cn)) == 1 else "%d–%d" % (min(cn), max(cn))) if cn else "—",
                fmt(ratio(wl, bw), "×", 2), fmt(ratio(cp, bc), "×", 2)))
    w("")
    w("Ratios are to the minimal client.")
    w("")

    # 4. memory
    w("## 4. Memory (peak RSS, own process per case)")
    w("")
    w("| case | client | peak RSS | RSS before | increase | increase / body |")
    w("| --- | --- | ---: | ---: | ---: | ---: |")
    body10k = fx["list_10000.json"]
    mem = {}
    for bench, label in (("decode-rss", "decode 10,000-key list (%s MB body, read from a file first)" % fmt(body10k / 1e6, digits=2)),
                         ("paginate", "list every key through the pagination path (%s keys, %s pages)%s" % (
                             fmt(meta.get("paged_total", 100000), digits=0), fmt(meta.get("paged_total", 100000) / 100, digits=0),
                             "; SDK: %s" % meta["sdk_paginate"] if meta.get("have_sdk") else ""))):
        for client, clabel in (("sdk", "SDK"), ("minimal", "minimal client"), ("ts-sdk", "TypeScript SDK")):
            if bench == "decode-rss" and client == "ts-sdk":
                continue
            if client == "ts-sdk" and not meta["have_ts"]:
                continue
            peak = med(rows, client, bench, "rss_peak_kb")
            base = med(rows, client, bench, "rss_base_kb")
            inc = peak - base if peak is not None and base is not None else None
            rel = ratio(inc * 1024, body10k) if bench == "decode-rss" and inc is not None else None
            mem[(client, bench)] = rel
            w("| %s | %s | %s | %s | %s | %s |" % (
                label, clabel, fmt(peak and peak / 1024, " MiB", 1), fmt(base and base / 1024, " MiB", 1),
                fmt(inc and inc / 1024, " MiB", 1), fmt(rel, "×", 2)))
    w("")
    w("\"Increase\" is peak RSS minus RSS just before the body was read (decode) or before the first page "
      "(pagination); for the decode it includes the body buffer itself (1×).")
    w("")

    # 5. generator
    w("## 5. Generator")
    w("")
    w("| task | median | runs |")
    w("| --- | ---: | ---: |")
    for bench, task in (("generate", "`python3 generator/generate.py --spec spec/openrouter-keys.yaml "
                                      "--out <tmp> --strict`"),
                        ("generate_full", "the same, whole-spec mode, `--spec ../shared/reference/"
                                          "openrouter-full.upstream-2026-06-09.yaml`")):
        gen = [r for r in rows if r.get("client") == "generator" and r.get("bench") == bench]
        g = [r["wall_s"] for r in gen]
        if gen and "generated" in gen[0]:  # the generator's own report, as the run found it
            task += " (%d of %d operations)" % (gen[0]["generated"], gen[0]["generated"] + gen[0]["skipped"])
        w("| %s | %s | %d |" % (task, fmt(statistics.median(g), " s", 3) if g else "—", len(g)))
    w("")

    if meta.get("have_conc") and not only_cg:
        concurrency(L, rows, meta)

    if only_cg:
        del L[L_cg_start:]
    # callgrind
    cg = {r["client"]: r for r in rows if r.get("bench") == "callgrind"}
    if cg:
        w("## Callgrind instruction counts")
        w("")
        w("By difference, so start-up cancels out: per get = (Ir(%d gets) − Ir(1 get)) / %d; "
          "per key = (Ir(decode 10,000 keys) − Ir(decode 100 keys)) / 9,900. Client process only "
          "(libcurl, json-c and libc included)." % (next(iter(cg.values()))["k"], next(iter(cg.values()))["k"] - 1))
        w("")
        w("| client | Ir per get call | Ir per decoded key |")
        w("| --- | ---: | ---: |")
        for client, label in (("sdk", "SDK"), ("minimal", "minimal client")):
            r = cg.get(client)
            if r is None:
                w("| %s | — | — |" % label)
                continue
            pg = (r["ir_get_k"] - r["ir_get_1"]) / (r["k"] - 1)
            pk = (r["ir_decode_10000"] - r["ir_decode_100"]) / 9900
            w("| %s | %s | %s |" % (label, fmt(pg, digits=0), fmt(pk, digits=0)))
        if "sdk" in cg and "minimal" in cg:
            s, m = cg["sdk"], cg["minimal"]
            w("| ratio | %s | %s |" % (
                fmt(ratio(s["ir_get_k"] - s["ir_get_1"], m["ir_get_k"] - m["ir_get_1"]), "×", 2),
                fmt(ratio(s["ir_decode_10000"] - s["ir_decode_100"], m["ir_decode_10000"] - m["ir_decode_100"]), "×", 2)))
        w("")

    if only_cg:
        return finish(L, args.out)
    # targets
    w("## Targets (SDK / minimal client, medians, same run)")
    w("")
    w("| target | limit | measured | |")
    w("| --- | ---: | ---: | --- |")
    for keys in (100, 10000):
        r = ratio(dec.get(("sdk", keys)), dec.get(("minimal", keys)))
        w("| decode, %s-key list, ns/key | ≤ %.2f× | %s | %s |" % (fmt(keys, digits=0), TARGETS["decode"], fmt(r, "×", 3), verdict(r, TARGETS["decode"])))
    for bench in ("get", "list"):
        s, m = call.get(("sdk", bench)), call.get(("minimal", bench))
        rc = ratio(s and s[1], m and m[1])
        rw = ratio(s and s[0], m and m[0])
        w("| %s, client CPU per call | ≤ %.2f× | %s | %s |" % (bench, TARGETS["cpu"], fmt(rc, "×", 3), verdict(rc, TARGETS["cpu"])))
        w("| %s, wall per call | ≤ %.2f× | %s | %s |" % (bench, TARGETS["wall"], fmt(rw, "×", 3), verdict(rw, TARGETS["wall"])))
    for bench in ("get", "list"):
        s, t = call.get(("sdk", bench)), call.get(("ts-sdk", bench))
        r = ratio(t and t[1], s and s[1])
        w("| %s, TypeScript SDK CPU / SDK CPU | ≥ %.0f× | %s | %s |" % (bench, TARGETS["ts_cpu"], fmt(r, "×", 2), verdict(r, TARGETS["ts_cpu"], at_least=True)))
    for bench in ("get", "list"):
        s = call.get(("sdk", bench))
        c = s[2] if s else None
        w("| %s, connections opened by the SDK | = 1 | %s | %s |" % (bench, "—" if c is None else c, "n/a" if c is None else ("**pass**" if c == 1 else "**FAIL**")))
    r = mem.get(("sdk", "decode-rss"))
    w("| peak RSS increase, 10,000-key decode / body size | ≤ %.1f× | %s | %s |" % (TARGETS["rss"], fmt(r, "×", 3), verdict(r, TARGETS["rss"])))
    w("")
    w("For reference, the same ratios for the minimal client itself: TypeScript SDK CPU / minimal CPU = %s (get), %s (list); "
      "minimal peak RSS increase / body = %s." % (
          fmt(ratio(call.get(("ts-sdk", "get"), (None, None))[1], call.get(("minimal", "get"), (None, None))[1]), "×", 1),
          fmt(ratio(call.get(("ts-sdk", "list"), (None, None))[1], call.get(("minimal", "list"), (None, None))[1]), "×", 1),
          fmt(mem.get(("minimal", "decode-rss")), "×", 2)))
    w("")
    w("Raw measurements: `bench/results/%s` (one JSON line per benchmark process and repetition)." % os.path.basename(args.raw))
    finish(L, args.out)


CONC_CLIENTS = (("raw", "sockets", "raw sockets, no HTTP library (the limit)"),
                ("sdk", "blocking", "SDK, blocking call, one after another"),
                ("sdk", "async", "SDK, async (run mode)"),
                ("ts-sdk", "promise-all", "TypeScript SDK, Promise.all pool"))


def conc_rows(rows, client, api, k):
    return [r for r in rows if r.get("bench") == "conc" and r.get("client") == client
            and r.get("api") == api and r.get("inflight") == k]


def conc_med(rs, f, need=()):
    vals = [f(r) for r in rs if all(r.get(k) is not None for k in need)]
    return statistics.median(vals) if vals else None


def span(vals):
    if not vals:
        return "—"
    return str(vals[0]) if min(vals) == max(vals) else "%d–%d" % (min(vals), max(vals))


def concurrency(L, rows, meta):
    """Section 6: the delay server's capacity, then each client at each level."""
    w = L.append
    delay = meta["delay_ms"] / 1e3
    w("## 6. Concurrency (gets against a %d ms delay server)" % meta["delay_ms"])
    w("")
    w("`bench/delay_server.c` answers every `get` %d ms after it arrives (epoll, one timerfd, one thread), "
      "the same server for every client. Its own capacity, measured by `bench/delay_load.c` (raw sockets, "
      "keep-alive, one request per connection at a time):" % meta["delay_ms"])
    w("")
    w("| load | connections | gets | gets/s | ideal gets/s | server CPU µs/get |")
    w("| --- | ---: | ---: | ---: | ---: | ---: |")
    for r in (r for r in rows if r.get("bench") == "server-capacity"):
        nodelay = r["client"] == "no-delay"
        w("| %s | %d | %s | %s | %s | %s |" % (
            "answered at once" if nodelay else "%d ms delay" % meta["delay_ms"], r["conns"], fmt(r["n"], digits=0),
            fmt(r["req_per_s"], digits=0), "—" if nodelay else fmt(r["conns"] / delay, digits=0),
            fmt(r["server_cpu_s"] * 1e6 / r["n"], digits=1)))
    w("")
    w("%s gets per run after one untimed warm-up get (the other connections are set up in the timed run), medians of %d repetition%s. Ideal wall = gets × %d ms "
      "/ in flight. CPU is the client process's user+sys; the blocking call is the CPU baseline. Connections and "
      "\"at once\" (most gets waiting at the server together) are the server's counts; \"server CPU\" is its "
      "share of the run's wall time. Heap per call in flight = (peak − before) / in flight, malloc's "
      "bytes in use (`mallinfo2`, every library included; node: V8 heap + external), sampled every 16 completions; "
      "the RSS column is the whole increase, peak RSS (VmHWM) over RSS just before the timed run. node's heap "
      "includes garbage not yet collected." % (
          fmt(meta["conc_n"], digits=0), meta["conc_reps"], "" if meta["conc_reps"] == 1 else "s", meta["delay_ms"]))
    w("")
    w("| in flight | client | wall s | ideal s | wall / ideal | CPU µs/call | CPU / blocking | connections | at once "
      "| heap KiB / in flight | RSS increase KiB | server CPU |")
    w("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    base_cpu = conc_med(conc_rows(rows, "sdk", "blocking", 1), lambda r: r["cpu_ns_per_call"])
    got = {}
    for k in meta["conc_levels"]:
        for client, api, label in CONC_CLIENTS:
            rs = conc_rows(rows, client, api, k)
            if not rs:
                continue
            wall = conc_med(rs, lambda r: r["wall_s"])
            cpu = conc_med(rs, lambda r: r["cpu_ns_per_call"])
            ideal = rs[0]["n"] * delay / k
            got[(client, api, k)] = (wall, cpu, max(r["server_connections"] for r in rs))
            w("| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                k, label, fmt(wall, digits=3), fmt(ideal, digits=3), fmt(ratio(wall, ideal), "×", 2),
                fmt(cpu / 1e3), fmt(ratio(cpu, base_cpu), "×", 2),
                span(sorted(r["server_connections"] for r in rs)), span(sorted(r["server_max_waiting"] for r in rs)),
                fmt(conc_med(rs, lambda r: (r["heap_peak"] - r["heap_base"]) / 1024 / k, ("heap_peak",)), digits=1),
                fmt(conc_med(rs, lambda r: r["rss_peak_kb"] - r["rss_base_kb"], ("rss_peak_kb",)), digits=0),
                fmt(conc_med(rs, lambda r: 100 * r["server_cpu_s"] / r["wall_s"]), " %", 1)))
    w("")
    cg = {(r["api"], r["inflight"]): r for r in rows if r.get("bench") == "conc-callgrind"}
    if cg:
        d = next(iter(cg.values()))["d"]
        w("Callgrind, SDK client process: instructions per get = (Ir(K + %d gets) − Ir(K gets)) / %d with K in flight, "
          "so start-up and connection set-up cancel out; noise-free where CPU time at 1 in flight is mostly the cost "
          "of waking up every %d ms." % (d, d, meta["delay_ms"]))
        w("")
        w("| client | in flight | Ir per get | ratio to blocking |")
        w("| --- | ---: | ---: | ---: |")
        base = cg.get(("blocking", 1))
        for (api, k), r in sorted(cg.items(), key=lambda kv: (kv[0][0] != "blocking", kv[0][1])):
            w("| SDK, %s | %d | %s | %s |" % (api, k, fmt(r["ir_per_get"], digits=0),
                                           fmt(ratio(r["ir_per_get"], base and base["ir_per_get"]), "×", 2)))
        w("")
    conc_targets(w, meta, got, base_cpu, delay, cg)


def conc_targets(w, meta, got, base_cpu, delay, cg):
    w("Targets (async interface; medians, same run):")
    w("")
    w("| in flight | target | limit | measured | |")
    w("| ---: | --- | ---: | ---: | --- |")
    for k in meta["conc_levels"]:
        a = got.get(("sdk", "async", k))
        t = got.get(("ts-sdk", "promise-all", k))
        r = ratio(a and a[0], meta["conc_n"] * delay / k)
        w("| %d | wall / ideal | ≤ %.2f× | %s | %s |" % (k, TARGETS["conc_wall"], fmt(r, "×", 3), verdict(r, TARGETS["conc_wall"])))
        r = ratio(a and a[1], base_cpu)
        w("| %d | CPU per call / blocking | ≤ %.2f× | %s | %s |" % (k, TARGETS["conc_cpu"], fmt(r, "×", 3), verdict(r, TARGETS["conc_cpu"])))
        if cg:
            r = ratio(cg.get(("async", k), {}).get("ir_per_get"), cg.get(("blocking", 1), {}).get("ir_per_get"))
            w("| %d | instructions per call / blocking (Callgrind) | ≤ %.2f× | %s | %s |" % (
                k, TARGETS["conc_cpu"], fmt(r, "×", 3), verdict(r, TARGETS["conc_cpu"])))
        r = ratio(t and t[1], a and a[1])
        w("| %d | TypeScript SDK CPU / SDK CPU | ≥ %.0f× | %s | %s |" % (k, TARGETS["ts_cpu"], fmt(r, "×", 2), verdict(r, TARGETS["ts_cpu"], at_least=True)))
        r = ratio(a and a[0], t and t[0])
        w("| %d | SDK wall / TypeScript SDK wall | ≤ 1.00× | %s | %s |" % (k, fmt(r, "×", 3), verdict(r, 1.0)))
        c = a and a[2]
        w("| %d | connections opened | ≤ %d | %s | %s |" % (k, k, "—" if c is None else c, "n/a" if c is None else ("**pass**" if c <= k else "**FAIL**")))
    w("")


def finish(L, out):
    text = "\n".join(L) + "\n"
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
