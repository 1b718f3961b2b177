// npm run bench:gateway — the fake upstream answered directly vs through ClawNex (BLOCK mode:
// inbound and outbound scanning on), non-stream and stream, at fixed rates and at saturation,
// with 1 KB prompts (unique per request, so the scan cache does not help) and with the real
// OpenClaw request shape. Prints added latency p50/p99, throughput, TTFT overhead and memory.
// The upstream and ClawNex run as child processes on loopback; autocannon drives the load.
// Options: --quick (shorter runs), --duration SECONDS.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { request } from "undici";

const SELF = fileURLToPath(import.meta.url);
const args = process.argv.slice(2);
const role = args[args.indexOf("--role") + 1];
const quick = args.includes("--quick");
const DURATION = Number(args.includes("--duration") ? args[args.indexOf("--duration") + 1] : quick ? 4 : 8);

// ---- driver --------------------------------------------------------------------------------
interface Child {
  proc: ChildProcess;
  words: string[];
}

function startChild(extra: string[]): Promise<Child> {
  const proc = spawn(process.execPath, [SELF, ...extra], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    proc.stdout?.on("data", (d: Buffer) => {
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
const PROMPT_1K = "Summarise the following notes for the weekly report and list open actions. ".repeat(14).slice(0, 1000);

interface LoadResult {
  p50: number;
  p99: number;
  rps: number;
  errors: number;
}

/** autocannon at a fixed rate (or saturation when rate is 0); latencies recorded per response with full precision. */
async function load(url: string, headers: Record<string, string>, makeBody: (i: number) => string, rate: number, seconds: number): Promise<LoadResult> {
  let i = 0;
  const latencies: number[] = [];
  const instance = autocannon({
    url,
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    connections: rate > 0 ? Math.min(64, Math.max(8, Math.ceil(rate / 20))) : 32,
    ...(rate > 0 ? { overallRate: rate } : {}),
    duration: seconds,
    requests: [{ setupRequest: (req) => ({ ...req, body: makeBody(i++) }) }],
  }) as unknown as autocannon.Instance;
  instance.on("response", (_client: unknown, status: number, _bytes: number, ms: number) => {
    if (status === 200) latencies.push(ms);
  });
  const result = await (instance as unknown as PromiseLike<autocannon.Result>);
  latencies.sort((a, b) => a - b);
  return { p50: pct(latencies, 50), p99: pct(latencies, 99), rps: result.requests.average, errors: result.non2xx + result.errors };
}

/** Open-loop stream requests at a fixed rate: time to the first content token, and to the end. */
async function ttft(url: string, headers: Record<string, string>, makeBody: (i: number) => string, rate: number, seconds: number): Promise<{ p50: number; p99: number; n: number }> {
  const firsts: number[] = [];
  const inflight: Array<Promise<void>> = [];
  const total = Math.round(rate * seconds);
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    inflight.push(
      (async () => {
        const t0 = performance.now();
        const res = await request(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: makeBody(i) });
        let seen = false;
        for await (const chunk of res.body) {
          if (!seen && /"content":"[^"]/.test((chunk as Buffer).toString())) {
            seen = true;
            firsts.push(performance.now() - t0);
          }
        }
      })().catch(() => undefined),
    );
  }
  await Promise.all(inflight);
  firsts.sort((a, b) => a - b);
  return { p50: pct(firsts, 50), p99: pct(firsts, 99), n: firsts.length };
}

const f = (n: number) => (Number.isFinite(n) ? n.toFixed(3) : "n/a");

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "clawnex-bench-"));
  const children: Child[] = [];
  try {
    const upstream = await startChild(["--role", "upstream"]);
    const paced = await startChild(["--role", "upstream", "--paced"]);
    children.push(upstream, paced);
    const upstreamUrl = upstream.words[0] as string;
    writeFileSync(
      join(dataDir, "clawnex.config.json"),
      JSON.stringify({
        providers: [
          { id: "paced", baseUrl: paced.words[0], apiKeyEnv: "BENCH_KEY", models: ["paced/*"] },
          { id: "local", baseUrl: upstreamUrl, apiKeyEnv: "BENCH_KEY", models: ["*"] },
        ],
        rateLimit: { perMinute: 1_000_000, burst: 1_000_000 },
      }),
    );
    const clawnex = await startChild(["--role", "clawnex", "--data", dataDir]);
    children.push(clawnex);
    const [cnxUrl, cnxKey] = clawnex.words as [string, string];
    const auth = { authorization: `Bearer ${cnxKey}` };
    const direct = `${upstreamUrl}/chat/completions`;
    const via = `${cnxUrl}/v1/chat/completions`;
    const small = (stream: boolean) => (i: number) => JSON.stringify({ model: "bench-model", stream, ...(stream ? { stream_options: { include_usage: true } } : {}), messages: [{ role: "user", content: `${i} ${PROMPT_1K}` }] });
    let openclaw: ((i: number) => string) | undefined;
    try {
      const body = (JSON.parse(readFileSync(fileURLToPath(new URL("../../shared/corpus/openclaw-live/upstream-requests/local-hello.full-request.json", import.meta.url)), "utf8")) as { body: { messages: Array<{ role: string; content: unknown }> } }).body;
      openclaw = (i: number) => JSON.stringify({ ...body, messages: body.messages.map((m, k) => (k === 1 ? { ...m, content: `[turn ${i}] ${String(m.content)}` } : m)) });
    } catch {
      console.log("(OpenClaw corpus not found beside the repo: skipping the OpenClaw-shape runs)");
    }

    console.log(`ClawNex gateway benchmark: ${DURATION}s per run, BLOCK mode (inbound + outbound scans), node ${process.version}`);
    // Warm up both paths (JIT, connection pools, the OpenClaw system prompt's first scan).
    await load(direct, {}, small(false), 0, 2);
    await load(via, auth, small(false), 0, 2);
    if (openclaw) await load(via, auth, openclaw, 50, 2);

    const rows: string[][] = [["case", "rate", "direct p50", "via p50", "added p50", "direct p99", "via p99", "added p99", "via req/s", "errors"]];
    const compare = async (name: string, body: (i: number) => string, rate: number) => {
      const d = await load(direct, {}, body, rate, DURATION);
      const v = await load(via, auth, body, rate, DURATION);
      rows.push([name, rate > 0 ? `${rate}/s` : "max", f(d.p50), f(v.p50), f(v.p50 - d.p50), f(d.p99), f(v.p99), f(v.p99 - d.p99), v.rps.toFixed(0), String(d.errors + v.errors)]);
      console.log(rows[rows.length - 1]?.join("  "));
    };
    for (const rate of [100, 500]) await compare("1KB non-stream", small(false), rate);
    await compare("1KB non-stream", small(false), 0);
    for (const rate of [100, 500]) await compare("1KB stream", small(true), rate);
    await compare("1KB stream", small(true), 0);
    if (openclaw) {
      await compare("OpenClaw 60KB stream", openclaw, 100);
      await compare("OpenClaw 60KB stream", openclaw, 0);
    }
    console.log("\nlatency in ms (per response, full precision); added = through ClawNex minus direct");
    console.table(rows.slice(1).map((r) => Object.fromEntries((rows[0] as string[]).map((h, i) => [h, r[i]]))));

    const ttftRows: Array<Record<string, string>> = [];
    const ttftCase = async (name: string, body: (i: number) => string, rate: number, directUrl = direct) => {
      const d = await ttft(directUrl, {}, body, rate, DURATION);
      const v = await ttft(via, auth, body, rate, DURATION);
      ttftRows.push({ case: name, rate: `${rate}/s`, "direct p50": f(d.p50), "via p50": f(v.p50), "added p50": f(v.p50 - d.p50), "direct p99": f(d.p99), "via p99": f(v.p99), "added p99": f(v.p99 - d.p99) });
    };
    await ttftCase("1KB stream", small(true), 100);
    if (openclaw) await ttftCase("OpenClaw stream", openclaw, 50);
    const pacedBody = (i: number) => JSON.stringify({ model: "paced/m", stream: true, messages: [{ role: "user", content: `${i} ${PROMPT_1K}` }] });
    await ttftCase("paced 120 chunks x 4 ms (holdback)", pacedBody, 20, `${paced.words[0]}/chat/completions`);
    console.log("\ntime to first content token, ms");
    console.table(ttftRows);
    console.log(`\nClawNex RSS after the runs: ${rssMb(clawnex.proc.pid)}`);
  } finally {
    for (const c of children.reverse()) c.proc.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 300));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// ---- child roles ---------------------------------------------------------------------------
if (args.includes("--role") && role === "upstream") {
  const { startFakeUpstream } = await import("../test/helpers/fake-upstream.ts");
  const up = await startFakeUpstream({ record: false });
  if (args.includes("--paced")) up.setDefault({ kind: "text", chunks: Array.from({ length: 120 }, (_, i) => `tok${i % 10} `), chunkDelayMs: 4 });
  process.stdout.write(`READY ${up.baseUrl}\n`);
} else if (args.includes("--role") && role === "clawnex") {
  const dataDir = args[args.indexOf("--data") + 1] as string;
  const { createServices } = await import("../src/app/services.ts");
  const { loadConfig } = await import("../src/config/config.ts");
  const { buildServer } = await import("../src/http/server.ts");
  const env = { CLAWNEX_DATA_DIR: dataDir, CLAWNEX_SHIELD_MODE: args.includes("--observe") ? "OBSERVE" : "BLOCK", CLAWNEX_LOG_LEVEL: "silent", BENCH_KEY: "sk-bench" };
  const services = await createServices(loadConfig(env));
  const app = await buildServer(services, { logger: false });
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  for (const m of services.modules) await m.start?.(app);
  const { key } = await services.keys.create({ name: "bench", scopes: ["chat"] }, "bench");
  process.stdout.write(`READY ${url} ${key}\n`);
  process.on("SIGTERM", () => void app.close().then(() => services.close()).then(() => process.exit(0)));
} else {
  await main();
}
