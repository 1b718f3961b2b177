// npm run bench:gateway-steps — the CPU steps of one gateway request, each timed warm (requests
// back to back) and cold (after a gap, as every request is at 50-100 requests/s), for the
// OpenClaw request shape and for a 1 KB prompt. bench:gateway measures the whole hop; this shows
// which steps its cold time goes to, in seconds instead of minutes.
// Steps: the body's bytes to a string, JSON.parse, the inbound scan (messages and tools, through
// the scan cache: OpenClaw's system prompt and tools are cached after their second request),
// and the outbound work on a short answer (Shield scan and stream holdback).
// The gap is either idle (a sleep) or busy (a spin that touches no memory): on a shared machine
// both leave the caches cold, so the slowdown is eviction by others, not CPU idle states.
// Options: --iterations N (measured per mode, default 1000), --gap MS (default 20).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { buildEngine } from "../src/app/services.ts";
import { loadConfig } from "../src/config/config.ts";
import { scanInbound } from "../src/gateway/inbound-scan.ts";
import type { ChatCompletionRequestBody } from "../src/gateway/openai-types.ts";
import { ScanCache } from "../src/gateway/scan-cache.ts";
import { holdbackPlanner } from "../src/gateway/stream-holdback.ts";
import { warmUpEngine } from "../src/shield/warm-up.ts";
import { openclawBodies, PROMPT_1K } from "./request-bodies.ts";

const { values } = parseArgs({ options: { iterations: { type: "string", default: "1000" }, gap: { type: "string", default: "20" } } });
const ITERATIONS = Number(values.iterations);
const GAP_MS = Number(values.gap);
const WARM_UP = 2000;

const dataDir = mkdtempSync(join(tmpdir(), "clawnex-steps-"));
const config = loadConfig({ CLAWNEX_DATA_DIR: dataDir, CLAWNEX_LOG_LEVEL: "silent" });
const engine = buildEngine(config);
warmUpEngine(engine);
const planner = holdbackPlanner(engine.rules, config.gateway.outbound.holdbackChars);
const scan = (text: string) => engine.scan({ text, direction: "inbound" });

const ANSWER = "Hello from the upstream: the report lists open actions for each team and when they are due.";

interface Shape {
  name: string;
  /** The request body of the i-th request, its user turn unique. */
  body(i: number): Buffer;
}

function shapes(): Shape[] {
  const out: Shape[] = [{ name: "1 KB prompt", body: (i) => Buffer.from(JSON.stringify({ model: "m", stream: true, messages: [{ role: "user", content: `${i} ${PROMPT_1K}` }] })) }];
  const openclaw = openclawBodies();
  if (openclaw) out.push({ name: "OpenClaw request (60 KB)", body: (i) => Buffer.from(openclaw(i)) });
  else console.log("(OpenClaw corpus not found beside the repo: 1 KB prompt only)");
  return out;
}

const STEPS = ["bytes to string", "JSON.parse", "inbound scan", "outbound scan", "holdback", "all"] as const;
type Timings = Record<(typeof STEPS)[number], number[]>;

/** One request's steps; returns each step's time in ms. */
function request(shape: Shape, i: number, cache: ScanCache): number[] {
  const raw = shape.body(i);
  const answer = `${ANSWER} (${i})`;
  const t0 = performance.now();
  const text = raw.toString("utf8");
  const t1 = performance.now();
  const body = JSON.parse(text) as ChatCompletionRequestBody;
  const t2 = performance.now();
  scanInbound(body, cache, scan, config.gateway.scanTools);
  const t3 = performance.now();
  engine.scan({ text: answer, direction: "outbound" });
  const t4 = performance.now();
  planner.tracker().holdFrom(answer, 0, 0);
  const t5 = performance.now();
  return [t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t5 - t0];
}

async function run(shape: Shape, gap: "none" | "idle" | "busy"): Promise<Timings> {
  const cache = new ScanCache(config.gateway.scanCacheEntries, config.gateway.scanCacheChars);
  const timings = Object.fromEntries(STEPS.map((s) => [s, [] as number[]])) as unknown as Timings;
  for (let i = 0; i < WARM_UP + ITERATIONS; i++) {
    if (i >= WARM_UP && gap === "idle") await sleep(GAP_MS);
    if (i >= WARM_UP && gap === "busy") {
      const until = performance.now() + GAP_MS;
      while (performance.now() < until);
    }
    const times = request(shape, i, cache);
    if (i >= WARM_UP) STEPS.forEach((s, k) => timings[s].push(times[k] as number));
  }
  return timings;
}

function p(sorted: number[], q: number): string {
  return ((sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] as number) * 1000).toFixed(1);
}

try {
  console.log(`Gateway request steps, µs (p50 / p90 over ${ITERATIONS} requests each; cold = after a ${GAP_MS} ms gap), node ${process.version}`);
  for (const shape of shapes()) {
    const [warm, idle, busy] = [await run(shape, "none"), await run(shape, "idle"), await run(shape, "busy")];
    console.log(`\n${shape.name}`);
    console.table(
      STEPS.map((step) => {
        const [w, c, b] = [warm, idle, busy].map((t) => t[step].sort((x, y) => x - y)) as [number[], number[], number[]];
        return { step, warm: `${p(w, 0.5)} / ${p(w, 0.9)}`, "cold, idle gap": `${p(c, 0.5)} / ${p(c, 0.9)}`, "cold, busy gap": `${p(b, 0.5)} / ${p(b, 0.9)}`, "cold ÷ warm (p50)": (Number(p(c, 0.5)) / Number(p(w, 0.5))).toFixed(1) };
      }),
    );
  }
  const m = process.memoryUsage();
  console.log(`\nRSS ${(m.rss / 1048576).toFixed(0)} MB, heap used ${(m.heapUsed / 1048576).toFixed(0)} MB`);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
