// npm run bench:gateway — the fake upstream answered directly vs through ClawNex (BLOCK mode:
// inbound and outbound scanning on), non-stream and stream, at fixed rates and at saturation, with
// 1 KB prompts (unique per request, so the scan cache does not help) and with the real OpenClaw
// request shape. Prints added latency p50/p99, throughput, TTFT overhead and memory. The upstream
// and ClawNex run as child processes on loopback (gateway-children.ts). Fixed rates are driven
// open-loop: requests are sent evenly spaced (not autocannon's per-second bursts, which measure
// queueing), and the direct and through-ClawNex requests are interleaved in the same run, half a
// period apart, so both see the same machine load. Saturation is measured closed-loop with
// autocannon. Each fixed-rate run first sends for half a second without counting (connections open,
// the servers leave idle). All fixed-rate runs come before the saturation runs. Options: --quick
// (shorter runs), --duration SECONDS, --profile DIR (CPU profile of the ClawNex child, written when
// it exits), --only non-stream|stream|ttft (one group of runs), --mem (the child reports its
// memory, event-loop delay and GC pauses every 2 s on stderr). The "floor" row puts a bare Node
// proxy (no auth, scans or records) in ClawNex's place: what the extra hop alone costs here.
// ClawNex runs as `clawnex start` runs it, logging at its default level (info) to a file in the
// run's data dir.
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { Pool, request } from "undici";
import { openclawBodies, PROMPT_1K } from "./request-bodies.ts";

/** The child roles (fake upstreams, the bare proxy, ClawNex): see gateway-children.ts. */
const CHILDREN = fileURLToPath(new URL("./gateway-children.ts", import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes("--quick");
const DURATION = Number(args.includes("--duration") ? args[args.indexOf("--duration") + 1] : quick ? 4 : 8);

// ---- driver --------------------------------------------------------------------------------
interface Child {
  proc: ChildProcess;
  words: string[];
}

const profileDir = args.includes("--profile") ? args[args.indexOf("--profile") + 1] : undefined;
const only = args.includes("--only") ? args[args.indexOf("--only") + 1] : undefined;

/**
 * Children announce "READY <words>" on fd 3, so that stdout stays theirs: the ClawNex child logs
 * there as `clawnex start` does, into `logFile`.
 */
function startChild(extra: string[], nodeFlags: string[] = [], logFile?: string): Promise<Child> {
  const stdout = logFile ? openSync(logFile, "a") : "ignore";
  const proc = spawn(process.execPath, [...nodeFlags, CHILDREN, ...extra], { stdio: ["ignore", stdout, "inherit", "pipe"] });
  if (typeof stdout === "number") closeSync(stdout);
  return new Promise((resolve, reject) => {
    let out = "";
    const ready = proc.stdio[3] as Readable;
    ready.on("data", (d: Buffer) => {
      out += d.toString();
      const line = out.split("\n").find((l) => l.startsWith("READY "));
      if (line) resolve({ proc, words: line.split(" ").slice(1) });
    });
    proc.on("exit", (code) => reject(new Error(`child ${extra.join(" ")} exited with ${code}`)));
  });
}

function rssMb(pid: number | undefined): string {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? `${(Number(m[1]) / 1024).toFixed(0)} MB` : "n/a";
  } catch {
    return "n/a";
  }
}

const pct = (sorted: number[], p: number) => (sorted.length ? (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number) : Number.NaN);
/**
 * Every request of the whole bench gets its own serial, so no prompt is ever sent twice: the scan
 * cache keeps a text from its second sighting on, and prompts repeated across runs would be
 * answered from it (skipping the scan) and fill it, which is not the load this bench describes.
 */
let serial = 0;
const nextSerial = () => serial++;
/** The warm-up per path and mode before any run is measured (see main). */
const [WARM_UP_RATE, WARM_UP_SECONDS] = [2000, quick ? 2 : 5];
/** Each fixed-rate run first sends this long at its rate without counting (see pacedLoad). */
const WARM_SECONDS = 0.5;

interface LoadResult {
  p50: number;
  p99: number;
  rps: number;
  errors: number;
  /** x-clawnex-overhead-ms percentiles (through ClawNex, fixed rates only). */
  ownP50?: number;
  ownP99?: number;
}

interface Target {
  url: string;
  headers: Record<string, string>;
}

/**
 * Open-loop load at a fixed rate, evenly spaced: request k to `a` is due at k/rate, to `b` half a
 * period later. Each latency runs from the moment the request was handed to the client to the
 * end of its body. Keep-alive pools (as a real agent fleet's clients use) carry both.
 */
async function pacedLoad(a: Target, b: Target, makeBody: (i: number) => string, rate: number, seconds: number): Promise<[LoadResult, LoadResult]> {
  // The first half second at the rate is not counted: it opens the pools' connections (a fleet's
  // clients keep theirs alive) and takes the servers from idle to the rate.
  const warm = Math.round(rate * WARM_SECONDS);
  const total = warm + Math.round(rate * seconds);
  const run = (t: Target, pool: Pool, lat: number[], errs: { n: number }, counted: boolean) => {
    const t0 = performance.now();
    const { pathname } = new URL(t.url);
    return pool
      .request({ path: pathname, method: "POST", headers: { "content-type": "application/json", ...t.headers }, body: makeBody(nextSerial()) })
      .then(async (res) => {
        await res.body.text();
        if (res.statusCode !== 200) errs.n++;
        else if (counted) lat.push(performance.now() - t0);
        const own = Number(res.headers["x-clawnex-overhead-ms"]);
        if (counted && Number.isFinite(own)) overheads.push(own);
      })
      .catch(() => void errs.n++);
  };
  const pools = [new Pool(new URL(a.url).origin, { connections: 128 }), new Pool(new URL(b.url).origin, { connections: 128 })] as const;
  const lats: [number[], number[]] = [[], []];
  /** ClawNex's own account of its time per request (x-clawnex-overhead-ms: everything but the upstream). */
  const overheads: number[] = [];
  const errs = [{ n: 0 }, { n: 0 }] as const;
  const inflight: Array<Promise<void>> = [];
  const start = performance.now();
  let sent = 0;
  // 2 sends per slot (a then b); the loop wakes on a 1 ms timer and sends whatever is due.
  while (sent < total * 2) {
    const now = performance.now();
    while (sent < total * 2 && start + (sent * 500) / rate <= now) {
      const counted = sent >> 1 >= warm;
      inflight.push(sent % 2 === 0 ? run(a, pools[0], lats[0], errs[0], counted) : run(b, pools[1], lats[1], errs[1], counted));
      sent++;
    }
    const next = start + (sent * 500) / rate - performance.now();
    if (next > 0) await new Promise((r) => setTimeout(r, Math.max(0, next - 0.2)));
  }
  await Promise.all(inflight);
  await Promise.all(pools.map((p) => p.close()));
  const out = (l: number[], e: { n: number }): LoadResult => {
    l.sort((x, y) => x - y);
    return { p50: pct(l, 50), p99: pct(l, 99), rps: l.length / seconds, errors: e.n };
  };
  overheads.sort((x, y) => x - y);
  return [out(lats[0], errs[0]), { ...out(lats[1], errs[1]), ownP50: pct(overheads, 50), ownP99: pct(overheads, 99) }];
}

/** autocannon closed-loop at saturation; latencies recorded per response with full precision. */
async function load(url: string, headers: Record<string, string>, makeBody: (i: number) => string, rate: number, seconds: number): Promise<LoadResult> {
  const latencies: number[] = [];
  const instance = autocannon({
    url,
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    connections: rate > 0 ? Math.min(64, Math.max(8, Math.ceil(rate / 20))) : 32,
    ...(rate > 0 ? { overallRate: rate } : {}),
    duration: seconds,
    requests: [{ setupRequest: (req) => ({ ...req, body: makeBody(nextSerial()) }) }],
  }) as unknown as autocannon.Instance;
  instance.on("response", (_client: unknown, status: number, _bytes: number, ms: number) => {
    if (status === 200) latencies.push(ms);
  });
  const result = await (instance as unknown as PromiseLike<autocannon.Result>);
  latencies.sort((a, b) => a - b);
  return { p50: pct(latencies, 50), p99: pct(latencies, 99), rps: result.requests.average, errors: result.non2xx + result.errors };
}

interface TtftResult {
  p50: number;
  p99: number;
  n: number;
}

/**
 * Open-loop stream requests at a fixed rate, to `a` and `b` interleaved half a period apart (the
 * same machine load for both): time to the first content token.
 */
async function ttft(a: Target, b: Target, makeBody: (i: number) => string, rate: number, seconds: number): Promise<[TtftResult, TtftResult]> {
  const firsts: [number[], number[]] = [[], []];
  const inflight: Array<Promise<void>> = [];
  const warm = Math.round(rate * WARM_SECONDS) * 2;
  const total = warm + Math.round(rate * seconds) * 2;
  const start = performance.now();
  for (let k = 0; k < total; k++) {
    const due = start + (k * 500) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const target = k % 2 === 0 ? a : b;
    const out = firsts[k % 2] as number[];
    inflight.push(
      (async () => {
        const t0 = performance.now();
        const res = await request(target.url, { method: "POST", headers: { "content-type": "application/json", ...target.headers }, body: makeBody(nextSerial()) });
        let seen = false;
        for await (const chunk of res.body) {
          if (!seen && /"content":"[^"]/.test((chunk as Buffer).toString())) {
            seen = true;
            if (k >= warm) out.push(performance.now() - t0);
          }
        }
      })().catch(() => undefined),
    );
  }
  await Promise.all(inflight);
  const summary = (l: number[]): TtftResult => {
    l.sort((x, y) => x - y);
    return { p50: pct(l, 50), p99: pct(l, 99), n: l.length };
  };
  return [summary(firsts[0]), summary(firsts[1])];
}

const f = (n: number) => (Number.isFinite(n) ? n.toFixed(3) : "n/a");

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "clawnex-bench-"));
  const children: Child[] = [];
  try {
    const upstream = await startChild(["--role", "upstream"]);
    const paced = await startChild(["--role", "upstream", "--paced"]);
    const long = await startChild(["--role", "upstream", "--long"]);
    children.push(upstream, paced, long);
    const upstreamUrl = upstream.words[0] as string;
    writeFileSync(
      join(dataDir, "clawnex.config.json"),
      JSON.stringify({
        providers: [
          { id: "paced", baseUrl: paced.words[0], apiKeyEnv: "BENCH_KEY", models: ["paced/*"] },
          { id: "long", baseUrl: long.words[0], apiKeyEnv: "BENCH_KEY", models: ["long/*"] },
          { id: "local", baseUrl: upstreamUrl, apiKeyEnv: "BENCH_KEY", models: ["*"] },
        ],
        rateLimit: { perMinute: 1_000_000, burst: 1_000_000 },
      }),
    );
    const logFile = join(dataDir, "clawnex.log");
    const clawnex = await startChild(["--role", "clawnex", "--data", dataDir, ...(args.includes("--mem") ? ["--mem"] : [])], profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [], logFile);
    children.push(clawnex);
    const [cnxUrl, cnxKey] = clawnex.words as [string, string];
    // The floor on this machine: what any extra hop costs, with no auth, scan or record.
    const floor = await startChild(["--role", "bare-proxy", "--upstream", upstreamUrl]);
    children.push(floor);
    const floorUrl = `${floor.words[0]}/chat/completions`;
    const auth = { authorization: `Bearer ${cnxKey}` };
    const direct = `${upstreamUrl}/chat/completions`;
    const via = `${cnxUrl}/v1/chat/completions`;
    const small = (stream: boolean) => (i: number) => JSON.stringify({ model: "bench-model", stream, ...(stream ? { stream_options: { include_usage: true } } : {}), messages: [{ role: "user", content: `${i} ${PROMPT_1K}` }] });
    const openclaw = openclawBodies();
    if (!openclaw) console.log("(OpenClaw corpus not found beside the repo: skipping the OpenClaw-shape runs)");

    console.log(`ClawNex gateway benchmark: ${DURATION}s per run, BLOCK mode (inbound + outbound scans), node ${process.version}`);
    // Warm up every measured path (direct, ClawNex, floor; non-stream and stream), ~10,000 requests
    // each. V8 moves per-request functions to its optimising compiler only after thousands of
    // calls, dozens at once, compiled on background threads: on 2 cores each burst takes CPU from
    // every process for tens of ms. A server up for a while is past that; after a 2 s warm-up the
    // bursts fell inside the fixed-rate runs' p99. A fixed rate, not full speed: a saturated server
    // grows its heap and spends tens of seconds shrinking it, which would land in the first run.
    for (const stream of [false, true]) for (const [url, headers] of [[direct, {}], [via, auth], [floorUrl, {}]] as const) await load(url, headers, small(stream), WARM_UP_RATE, WARM_UP_SECONDS);
    if (openclaw) await load(via, auth, openclaw, 50, 2);
    // Let the warm-up's garbage and background compilation settle.
    await new Promise((resolve) => setTimeout(resolve, 1500));

    const rows: string[][] = [["case", "rate", "direct p50", "via p50", "added p50", "direct p99", "via p99", "added p99", "own p50", "own p99", "via req/s", "errors"]];
    const compare = async (name: string, body: (i: number) => string, rate: number, through: Target = { url: via, headers: auth }, directUrl = direct) => {
      const [d, v] = rate > 0 ? await pacedLoad({ url: directUrl, headers: {} }, through, body, rate, DURATION) : [await load(direct, {}, body, 0, DURATION), await load(through.url, through.headers, body, 0, DURATION)];
      rows.push([name, rate > 0 ? `${rate}/s` : "max", f(d.p50), f(v.p50), f(v.p50 - d.p50), f(d.p99), f(v.p99), f(v.p99 - d.p99), f(v.ownP50 ?? Number.NaN), f(v.ownP99 ?? Number.NaN), v.rps.toFixed(0), String(d.errors + v.errors)]);
      console.log(rows[rows.length - 1]?.join("  "));
    };
    const ttftRows: Array<Record<string, string>> = [];
    const ttftCase = async (name: string, body: (i: number) => string, rate: number, directUrl = direct, through: Target = { url: via, headers: auth }) => {
      const [d, v] = await ttft({ url: directUrl, headers: {} }, through, body, rate, DURATION);
      const row = { case: name, rate: `${rate}/s`, "direct p50": f(d.p50), "via p50": f(v.p50), "added p50": f(v.p50 - d.p50), "direct p99": f(d.p99), "via p99": f(v.p99), "added p99": f(v.p99 - d.p99) };
      ttftRows.push(row);
      console.log(`time to first token: ${Object.values(row).join("  ")}`);
    };
    const floorTarget: Target = { url: floorUrl, headers: {} };
    const wants = (group: string) => !only || only === group;

    // Every fixed-rate run first, on a server in steady state; the saturation runs last. A run at
    // full speed leaves ClawNex tens of seconds of collecting and shrinking its heap (major GC
    // pauses of 5-20 ms), which would land in the tail of whichever fixed-rate run came next.
    if (wants("non-stream")) {
      for (const rate of [100, 500]) await compare("1KB non-stream", small(false), rate);
      for (const rate of [100, 500]) await compare("floor: bare Node proxy", small(false), rate, floorTarget);
    }
    if (wants("stream")) for (const rate of [100, 500]) await compare("1KB stream", small(true), rate);
    if (openclaw && !only) await compare("OpenClaw 60KB stream", openclaw, 100);
    const longBody = (i: number) => JSON.stringify({ model: "long/m", stream: true, messages: [{ role: "user", content: `${i} ${PROMPT_1K}` }] });
    if (wants("stream")) await compare("200K-char answer in 40K events", longBody, 2, undefined, `${long.words[0]}/chat/completions`);
    if (wants("ttft")) {
      // At the 500/s as well as at 100/s: a slower rate leaves every cache colder between
      // requests, on both paths (see the README's benchmark notes).
      for (const rate of [100, 500]) {
        await ttftCase("1KB stream", small(true), rate);
        await ttftCase("floor: 1KB stream, bare Node proxy", small(true), rate, direct, floorTarget);
      }
      if (openclaw) {
        await ttftCase("OpenClaw stream", openclaw, 50);
        await ttftCase("floor: OpenClaw stream, bare Node proxy", openclaw, 50, direct, floorTarget);
      }
      const pacedBody = (i: number) => JSON.stringify({ model: "paced/m", stream: true, messages: [{ role: "user", content: `${i} ${PROMPT_1K}` }] });
      await ttftCase("paced: 120 tokens x 4 ms, as a model streams (holdback)", pacedBody, 20, `${paced.words[0]}/chat/completions`);
    }
    const steadyRss = rssMb(clawnex.proc.pid);
    if (wants("non-stream")) await compare("1KB non-stream", small(false), 0);
    if (wants("stream")) await compare("1KB stream", small(true), 0);
    if (openclaw && !only) await compare("OpenClaw 60KB stream", openclaw, 0);

    if (rows.length > 1) {
      console.log("\nlatency in ms (per response, full precision); added = through ClawNex minus direct; own = ClawNex's x-clawnex-overhead-ms (streams: until the headers)");
      console.table(rows.slice(1).map((r) => Object.fromEntries((rows[0] as string[]).map((h, i) => [h, r[i]]))));
    }
    if (ttftRows.length > 0) {
      console.log("\ntime to first content token, ms");
      console.table(ttftRows);
    }
    console.log(`\nClawNex RSS after the fixed-rate runs: ${steadyRss}; after the saturation runs: ${rssMb(clawnex.proc.pid)}`);
    console.log(`ClawNex logged at its default level: ${readFileSync(logFile, "utf8").split("\n").length - 1} lines`);
  } finally {
    for (const c of children.reverse()) c.proc.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 300));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
