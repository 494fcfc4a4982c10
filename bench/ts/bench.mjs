// The peer: the official TypeScript SDK (@openrouter/sdk, pinned in
// package-lock.json) making the same calls as bench/minimal_client.c against
// the same loopback server. Same command line and JSON output line:
//
//   node bench.mjs get      --url BASE --hash H --n N [--warmup W]
//   node bench.mjs list     --url BASE --n N [--warmup W]
//   node bench.mjs paginate --url BASE [--pages P]
//   node bench.mjs decode   --file F --n N      (ListResponse schema on a parsed body; informational)
//   node bench.mjs conc     --url BASE --hash H --n N --inflight K
//                           N gets, K at a time: a concurrency-limited Promise.all pool
//
// Wall time: process.hrtime.bigint(); CPU: process.cpuUsage() (user+sys of
// the whole process, so GC and libuv threads count, as they should).
// Every field of every returned key is read into a checksum, like the C clients.
import { OpenRouter } from "@openrouter/sdk";
import { readFileSync } from "node:fs";

const CLIENT = "ts-sdk";
const API_KEY = "sk-or-v1-" + "0".repeat(64);
const PAGE_SIZE = 100;

function parseArgs(argv) {
  const a = { mode: argv[0], n: 1000, warmup: -1, pages: 0, inflight: 1, hash: "0".repeat(64) };
  for (let i = 1; i < argv.length; i += 2) {
    const k = argv[i], v = argv[i + 1];
    if (v === undefined) usage();
    if (k === "--url") a.url = v;
    else if (k === "--hash") a.hash = v;
    else if (k === "--file") a.file = v;
    else if (k === "--n") a.n = Number(v);
    else if (k === "--warmup") a.warmup = Number(v);
    else if (k === "--pages") a.pages = Number(v);
    else if (k === "--inflight") a.inflight = Number(v);
    else usage();
  }
  if (a.warmup < 0) a.warmup = a.n >= 1000 ? 100 : Math.floor(a.n / 10);
  return a;
}

function usage() {
  process.stderr.write("usage: bench.mjs get|list|paginate|decode [--url BASE] [--hash H] [--file F] [--n N] [--warmup W] [--pages P] [--inflight K]\n");
  process.exit(2);
}

// A cheap stand-in for the C clients' checksum: touches every field.
let sum = 0;
function mixKey(k) {
  sum = (sum + k.hash.length + k.name.length + k.label.length + (k.disabled ? 1 : 0)
    + (k.limit ?? -1) + (k.limitRemaining ?? -1) + (k.limitReset ? k.limitReset.length : 0)
    + (k.includeByokInLimit ? 1 : 0) + k.usage + k.usageDaily + k.usageWeekly + k.usageMonthly
    + k.byokUsage + k.byokUsageDaily + k.byokUsageWeekly + k.byokUsageMonthly
    + k.createdAt.length + (k.updatedAt ? k.updatedAt.length : 0)
    + (k.expiresAt ? k.expiresAt.getTime() % 1000 : 0)
    + (k.creatorUserId ? k.creatorUserId.length : 0) + k.workspaceId.length
    + (k.externalUser ? k.externalUser.length : 0)) % 1e12;
}

function now() {
  return { wall: process.hrtime.bigint(), cpu: process.cpuUsage() };
}

function report(bench, a, calls, keys, bytes, t0, t1, extra = {}) {
  const wall = Number(t1.wall - t0.wall) / 1e9;
  const user = (t1.cpu.user - t0.cpu.user) / 1e6;
  const sys = (t1.cpu.system - t0.cpu.system) / 1e6;
  const line = {
    client: CLIENT, bench, mode: a.mode, n: a.n, calls, keys, bytes,
    wall_s: wall, user_s: user, sys_s: sys,
    wall_ns_per_call: calls > 0 ? wall * 1e9 / calls : 0,
    cpu_ns_per_call: calls > 0 ? (user + sys) * 1e9 / calls : 0,
  };
  if (keys > 0) {
    line.wall_ns_per_key = wall * 1e9 / keys;
    line.mb_per_s = wall > 0 ? bytes / 1e6 / wall : 0;
  }
  Object.assign(line, extra, { checksum: String(sum) });
  process.stdout.write(JSON.stringify(line) + "\n");
}

function client(a) {
  if (!a.url) usage();
  // No retries: a failed call must fail the benchmark, not be hidden.
  return new OpenRouter({ apiKey: API_KEY, serverURL: a.url, retryConfig: { strategy: "none" } });
}

async function runGet(a) {
  const sdk = client(a);
  let t0 = now();
  for (let i = 0; i < a.warmup + a.n; i++) {
    if (i === a.warmup) t0 = now();
    const res = await sdk.apiKeys.get({ hash: a.hash });
    mixKey(res.data);
  }
  report("get", a, a.n, -1, 0, t0, now());
}

async function runList(a) {
  const sdk = client(a);
  let t0 = now(), keys = 0;
  for (let i = 0; i < a.warmup + a.n; i++) {
    if (i === a.warmup) { t0 = now(); keys = 0; }
    const res = await sdk.apiKeys.list({ offset: (i % 1000) * PAGE_SIZE });
    for (const k of res.data) mixKey(k);
    keys += res.data.length;
  }
  report("list", a, a.n, keys, 0, t0, now());
}

async function runPaginate(a) {
  const sdk = client(a);
  const rssBase = Math.round(process.memoryUsage().rss / 1024);
  const t0 = now();
  let pages = 0, keys = 0;
  for (let offset = 0; ; offset += PAGE_SIZE) {
    const res = await sdk.apiKeys.list({ offset });
    for (const k of res.data) mixKey(k);
    pages++;
    keys += res.data.length;
    if (res.data.length < PAGE_SIZE || (a.pages > 0 && pages >= a.pages)) break;
  }
  const t1 = now();
  report("paginate", a, pages, keys, 0, t0, t1,
    { rss_base_kb: rssBase, rss_peak_kb: Math.round(process.resourceUsage().maxRSS) });
}

// A line of /proc/self/status in KiB ("VmRSS", "VmHWM"): the same counters
// as the C clients read.
function statusKb(field) {
  const m = readFileSync("/proc/self/status", "utf8").match(new RegExp(`^${field}:\\s+(\\d+)`, "m"));
  return m ? Number(m[1]) : -1;
}

// The concurrency benchmark against bench/delay_server.c, as sdk_client.c's
// conc mode: one untimed warm-up get, then K workers each awaiting one get
// after another until N have been issued, all awaited with Promise.all.
// Heap in use (V8 heap + external buffers) sampled every 16 completions,
// as the C client samples malloc's.
async function runConc(a) {
  const sdk = client(a);
  const k = Math.min(a.inflight, a.n);
  mixKey((await sdk.apiKeys.get({ hash: a.hash })).data); // warm-up
  sum = 0;
  const heapNow = () => { const m = process.memoryUsage(); return m.heapUsed + m.external + m.arrayBuffers; };
  const heapBase = heapNow();
  const rssBase = statusKb("VmRSS");
  let issued = 0, completed = 0, pending = 0, maxPending = 0, heapPeak = heapBase;
  async function worker() {
    while (issued < a.n) {
      issued++;
      pending++;
      if (pending > maxPending) maxPending = pending;
      const res = await sdk.apiKeys.get({ hash: a.hash });
      if (completed % 16 === 0) heapPeak = Math.max(heapPeak, heapNow());
      pending--;
      mixKey(res.data);
      completed++;
    }
  }
  const t0 = now();
  await Promise.all(Array.from({ length: k }, worker));
  const t1 = now();
  if (completed !== a.n) throw new Error(`${completed} of ${a.n} calls completed`);
  report("conc", a, a.n, -1, 0, t0, t1, {
    api: "promise-all", inflight: a.inflight, warmup: 1, max_pending: maxPending, heap_base: heapBase, heap_peak: heapPeak,
    rss_base_kb: rssBase, rss_peak_kb: statusKb("VmHWM"),
  });
}

async function runDecode(a) {
  if (!a.file) usage();
  // The SDK's own response schema, as its list() applies it to a body.
  const { ListResponse$inboundSchema } = await import("@openrouter/sdk/models/operations");
  const text = readFileSync(a.file, "utf8");
  const bytes = Buffer.byteLength(text);
  let count = 0;
  const once = () => {
    const res = ListResponse$inboundSchema.parse(JSON.parse(text));
    for (const k of res.data) mixKey(k);
    count = res.data.length;
  };
  once();
  const t0 = now();
  for (let i = 0; i < a.n; i++) once();
  report("decode", a, a.n, count * a.n, bytes * a.n, t0, now());
}

const a = parseArgs(process.argv.slice(2));
const modes = { get: runGet, list: runList, paginate: runPaginate, decode: runDecode, conc: runConc };
if (!modes[a.mode]) usage();
try {
  await modes[a.mode](a);
} catch (e) {
  process.stderr.write(`${CLIENT}: ${a.mode} failed: ${e?.stack ?? e}\n`);
  process.exit(1);
}
