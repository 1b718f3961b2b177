// Fleet API throughput and memory, against the real server on loopback:
//  - task submissions/s: POST /api/v1/tasks (validation, auth, rate-limit check, insert, event)
//    from `concurrency` keep-alive clients, to a paused agent so only submission is measured;
//  - tasks completed/s end to end: submitted and run by the task runner through the gateway path
//    (Shield both ways, traffic record) to a local fake OpenAI-compatible upstream;
//  - peak memory while uploading a 100 MB file (binary, then text that the Shield scans), streamed
//    from a reused 1 MiB buffer so the client adds nothing; the server runs in this process. RSS
//    growth includes garbage not yet collected (V8 frees socket read buffers only once ~64 MB of
//    them are pending), so a single run is noisy: take the median of several;
//  - webhook deliveries/s to a local receiver (bench/webhooks.ts, the webhooks module's own bench).
//   npm run bench:fleet [-- --tasks 3000 --concurrency 32 --json --uploads-only]
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Agent, request } from "undici";
import { createServices } from "../src/app/services.ts";
import { loadConfig } from "../src/config/config.ts";
import { buildServer } from "../src/http/server.ts";
import { startFakeUpstream } from "../test/helpers/fake-upstream.ts";

const { values } = parseArgs({
  options: {
    tasks: { type: "string", default: "3000" },
    concurrency: { type: "string", default: "32" },
    json: { type: "boolean", default: false },
    "skip-webhooks": { type: "boolean", default: false },
    "uploads-only": { type: "boolean", default: false },
  },
});
const TASKS = Number(values.tasks);
const CONCURRENCY = Number(values.concurrency);
const MB = 1024 * 1024;

const upstream = await startFakeUpstream({ record: false });
const dataDir = mkdtempSync(join(tmpdir(), "clawnex-bench-fleet-"));
mkdirSync(dataDir, { recursive: true });
writeFileSync(
  join(dataDir, "clawnex.config.json"),
  JSON.stringify({
    providers: [{ id: "local", kind: "openai-compatible", baseUrl: upstream.baseUrl, apiKeyEnv: "LOCAL_KEY", models: ["*"] }],
    // The bench measures the server, not the per-workspace limit (1,000/min by default).
    rateLimit: { perMinute: 1_000_000, burst: 1_000_000 },
    fleet: { runner: { concurrency: 16 } },
  }),
);
const env = { CLAWNEX_DATA_DIR: dataDir, CLAWNEX_LOG_LEVEL: "silent", LOCAL_KEY: "sk-bench", ...(process.env.CLAWNEX_DATABASE_URL ? { CLAWNEX_DATABASE_URL: process.env.CLAWNEX_DATABASE_URL } : {}) };
const services = await createServices(loadConfig(env));
const app = await buildServer(services, { logger: false });
const url = await app.listen({ host: "127.0.0.1", port: 0 });
for (const module of services.modules) await module.start?.(app);
const { key } = await services.keys.create({ name: "bench", scopes: ["admin"] }, "bench");
const dispatcher = new Agent({ connections: CONCURRENCY, pipelining: 1 });

async function call(method: "GET" | "POST", path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await request(`${url}${path}`, {
    method,
    dispatcher,
    headers: { "x-clawnex-key": key, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.statusCode, json: (await res.body.json()) as Record<string, unknown> };
}

async function pool(count: number, concurrency: number, job: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await job(next++);
    }),
  );
  return performance.now() - started;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

const UPLOADS_ONLY = values["uploads-only"];

// ---- task submissions/s
async function benchSubmissions() {
  const paused = (await call("POST", "/api/v1/agents", { name: "bench-paused", model: "bench-model", status: "paused" })).json;
  await pool(200, CONCURRENCY, async (i) => void (await call("POST", "/api/v1/tasks", { agent_id: paused.id, instructions: `warm-up ${i}` })));
  const latencies: number[] = [];
  let failures = 0;
  const submitMs = await pool(TASKS, CONCURRENCY, async (i) => {
    const t = performance.now();
    const res = await call("POST", "/api/v1/tasks", { agent_id: paused.id, instructions: `Summarise ticket ${i} and propose a fix.`, metadata: { n: i } });
    latencies.push(performance.now() - t);
    if (res.status !== 201) failures++;
  });
  latencies.sort((a, b) => a - b);
  return { tasks: TASKS, concurrency: CONCURRENCY, perSecond: Math.round((TASKS / submitMs) * 1000), p50_ms: percentile(latencies, 50), p99_ms: percentile(latencies, 99), failures };
}

// ---- tasks completed/s end to end (runner → gateway → fake upstream)
async function benchEndToEnd() {
  const E2E = Math.min(1000, TASKS);
  const worker = (await call("POST", "/api/v1/agents", { name: "bench-worker", model: "bench-model", constraints: { concurrency: 16 } })).json;
  const e2eStart = performance.now();
  await pool(E2E, CONCURRENCY, async (i) => void (await call("POST", "/api/v1/tasks", { agent_id: worker.id, instructions: `Task ${i}: reply briefly.` })));
  for (;;) {
    const done = await services.store.db.selectFrom("fleet_tasks").select((eb) => eb.fn.countAll().as("n")).where("agent_id", "=", String(worker.id)).where("state", "in", ["completed", "failed"]).executeTakeFirst();
    if (Number(done?.n ?? 0) >= E2E) break;
    if (performance.now() - e2eStart > 300_000) throw new Error("end-to-end tasks did not finish within 5 minutes");
    await new Promise((r) => setTimeout(r, 50));
  }
  const e2eMs = performance.now() - e2eStart;
  const failed = await services.store.db.selectFrom("fleet_tasks").select((eb) => eb.fn.countAll().as("n")).where("agent_id", "=", String(worker.id)).where("state", "=", "failed").executeTakeFirst();
  return { tasks: E2E, perSecond: Math.round((E2E / e2eMs) * 1000), failed: Number(failed?.n ?? 0) };
}

// --uploads-only measures memory alone (quick, and without the task tables' heap in the baseline).
const submissions = values["uploads-only"] ? null : await benchSubmissions();
const endToEnd = values["uploads-only"] ? null : await benchEndToEnd();

// ---- peak memory while uploading 100 MB
function streamUpload(size: number, fill: Buffer): Promise<{ status: number; ms: number }> {
  const boundary = "----clawnexbench";
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}/api/v1/files`, { method: "POST", headers: { "x-clawnex-key": key, "content-type": `multipart/form-data; boundary=${boundary}`, "content-length": String(head.length + size + tail.length) } });
    req.on("response", (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
    });
    req.on("error", reject);
    void (async () => {
      req.write(head);
      for (let left = size; left > 0; left -= fill.length) {
        if (!req.write(left >= fill.length ? fill : fill.subarray(0, left))) await new Promise((r) => req.once("drain", r));
      }
      req.end(tail);
    })();
  });
}

// A full collection before each measurement, so "before" is the live baseline, not garbage.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

async function measureUpload(label: string, size: number, fill: Buffer) {
  gc();
  const before = process.memoryUsage();
  let peakRss = before.rss;
  let peakHeap = before.heapUsed;
  let peakBuffers = before.arrayBuffers;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakBuffers = Math.max(peakBuffers, m.arrayBuffers);
  }, 5);
  const result = await streamUpload(size, fill);
  clearInterval(sampler);
  const mb = (n: number) => Math.round((n / MB) * 10) / 10;
  return {
    file: label,
    status: result.status,
    seconds: Math.round(result.ms) / 1000,
    throughput_mb_s: Math.round((size / MB / (result.ms / 1000)) * 10) / 10,
    rss_before_mb: mb(before.rss),
    rss_peak_mb: mb(peakRss),
    rss_growth_mb: mb(peakRss - before.rss),
    heap_growth_mb: mb(peakHeap - before.heapUsed),
    array_buffers_growth_mb: mb(peakBuffers - before.arrayBuffers),
  };
}

const binaryChunk = Buffer.alloc(MB, 0);
const textChunk = Buffer.alloc(MB, "The agent reviewed the quarterly report and opened a pull request with the fix.\n");
// A warm-up upload of each kind first: a long-running server has served uploads before, and the
// first one pays one-off costs (code compiled, heap and allocator arenas sized) that are not
// per-upload memory. Then flat memory means the growth is the same for 10 MB and 100 MB.
await streamUpload(10 * MB, binaryChunk);
await streamUpload(10 * MB, textChunk);
const uploads = [
  await measureUpload("10 MB binary", 10 * MB, binaryChunk),
  await measureUpload("100 MB binary", 100 * MB, binaryChunk),
  await measureUpload("10 MB text (Shield-scanned)", 10 * MB, textChunk),
  await measureUpload("100 MB text (Shield-scanned)", 100 * MB, textChunk),
];

await app.close();
await services.close();
await dispatcher.close();
await upstream.close();
rmSync(dataDir, { recursive: true, force: true });

// ---- webhook deliveries/s (the webhooks module's bench, when present)
const skipWebhooks = values["skip-webhooks"] || values["uploads-only"];
let webhooks: unknown = skipWebhooks ? "skipped" : "TODO(webhooks): bench/webhooks.ts is not there yet";
if (!skipWebhooks && existsSync(new URL("./webhooks.ts", import.meta.url))) {
  const mod = (await import("./webhooks.ts")) as { benchWebhookDeliveries?: (o: { events?: number }) => Promise<unknown> };
  webhooks = mod.benchWebhookDeliveries ? await mod.benchWebhookDeliveries({ events: 2000 }) : "bench/webhooks.ts exports no benchWebhookDeliveries()";
}

const report = { database: services.store.dialect, submissions, endToEnd, uploads, webhooks };
if (values.json) {
  console.log(JSON.stringify(report, null, 2));
} else {
  console.log(`fleet bench (${report.database}, server in this process, loopback)`);
  if (submissions) console.log(`  task submissions: ${submissions.perSecond}/s  (${TASKS} POST /tasks, ${CONCURRENCY} concurrent; p50 ${submissions.p50_ms.toFixed(1)} ms, p99 ${submissions.p99_ms.toFixed(1)} ms, ${submissions.failures} failed)`);
  if (endToEnd) console.log(`  tasks completed end to end: ${endToEnd.perSecond}/s  (${endToEnd.tasks} tasks through runner → gateway → fake upstream; ${endToEnd.failed} failed)`);
  for (const u of uploads) {
    console.log(`  upload ${u.file}: HTTP ${u.status} in ${u.seconds} s (${u.throughput_mb_s} MB/s); RSS ${u.rss_before_mb} → peak ${u.rss_peak_mb} MB (+${u.rss_growth_mb}); heap +${u.heap_growth_mb} MB; buffers +${u.array_buffers_growth_mb} MB`);
  }
  const peak = (label: string) => uploads.find((u) => u.file.startsWith(label))?.rss_growth_mb;
  console.log(`  peak RSS delta while uploading 100 MB: binary +${peak("100 MB binary")} MB, text +${peak("100 MB text")} MB (flat: compare with the 10 MB uploads)`);
  console.log(`  webhook deliveries: ${typeof webhooks === "string" ? webhooks : JSON.stringify(webhooks)}`);
}
