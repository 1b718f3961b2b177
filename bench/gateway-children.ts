// The child processes of bench:gateway (see gateway.ts): `--role upstream` (the fake upstream;
// `--paced`: tokens 4 ms apart; `--long`: a ~200 K-character answer), `--role bare-proxy --upstream
// URL` (the floor) and `--role clawnex --data DIR` (ClawNex as `clawnex start` runs it; `--mem`
// reports its memory, event-loop delay and GC pauses every 2 s on stderr). Each announces
// "READY <words>" on fd 3, leaving stdout to the role: ClawNex logs there.
import { writeSync } from "node:fs";
import { Pool } from "undici";

const args = process.argv.slice(2);
const role = args[args.indexOf("--role") + 1];

function announceReady(words: string): void {
  writeSync(3, `READY ${words}\n`);
}

if (role === "upstream") {
  const { startFakeUpstream } = await import("../test/helpers/fake-upstream.ts");
  const up = await startFakeUpstream({ record: false });
  // A long answer (~200 K characters) in token-sized events, as fast as the relay takes them.
  const tokens = " the report lists open actions for each team and when they are due".split(/(?= )/);
  if (args.includes("--long")) up.setDefault({ kind: "text", chunks: Array.from({ length: 40_000 }, (_, i) => tokens[i % tokens.length] as string) });
  // Tokens shaped as real tokenizers cut them: a space opens a word's token, punctuation has its own.
  // The holdback releases a word once the whitespace after it arrives: the first word here ("Sure,")
  // goes out with the third token, two token intervals after the upstream sent it.
  const sentence = "Sure, here is a short summary of the notes: the team agreed on the plan, and three actions are still open.".split(/(?=[ ,.:])/);
  if (args.includes("--paced")) up.setDefault({ kind: "text", chunks: Array.from({ length: 120 }, (_, i) => `${i > 0 && i % sentence.length === 0 ? " " : ""}${sentence[i % sentence.length] as string}`), chunkDelayMs: 4 });
  announceReady(up.baseUrl);
} else if (role === "bare-proxy") {
  // node:http in, undici out, the body relayed chunk by chunk as it arrives: the least a proxy
  // hop can cost here.
  const { createServer } = await import("node:http");
  const upstream = new URL(args[args.indexOf("--upstream") + 1] as string);
  const pool = new Pool(upstream.origin, { connections: 128 });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      pool
        .request({ path: `${upstream.pathname}/chat/completions`, method: "POST", headers: { "content-type": "application/json" }, body: Buffer.concat(chunks) })
        .then(async (answer) => {
          res.writeHead(answer.statusCode, { "content-type": String(answer.headers["content-type"] ?? "application/json") });
          for await (const chunk of answer.body) res.write(chunk);
          res.end();
        })
        .catch(() => {
          res.writeHead(502);
          res.end();
        });
    });
  });
  server.listen(0, "127.0.0.1", () => announceReady(`http://127.0.0.1:${(server.address() as { port: number }).port}`));
} else if (role === "clawnex") {
  const dataDir = args[args.indexOf("--data") + 1] as string;
  const { serve } = await import("../src/app/serve.ts");
  const { loadConfig } = await import("../src/config/config.ts");
  // Started as `clawnex start` starts it, at the default log level: its lines go to the file the
  // driver gave as stdout. Loopback, on a free port.
  const env = { CLAWNEX_DATA_DIR: dataDir, CLAWNEX_PORT: "0", CLAWNEX_SHIELD_MODE: args.includes("--observe") ? "OBSERVE" : "BLOCK", BENCH_KEY: "sk-bench" };
  const { app, services, address: url } = await serve(loadConfig(env));
  const { key } = await services.keys.create({ name: "bench", scopes: ["chat"] }, "bench");
  announceReady(`${url} ${key}`);
  // --mem: where the resident memory is (V8 heap committed vs used, buffers), every 2 s on stderr.
  if (args.includes("--mem")) {
    const { monitorEventLoopDelay, PerformanceObserver, constants } = await import("node:perf_hooks");
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    // Pauses by kind since the last report: minor (scavenge) and major (mark-compact) collections.
    const pauses = () => ({ count: 0, total: 0, max: 0 });
    let gc = { minor: pauses(), major: pauses() };
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const kind = (e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR ? gc.minor : gc.major;
        kind.count++;
        kind.total += e.duration;
        kind.max = Math.max(kind.max, e.duration);
      }
    }).observe({ entryTypes: ["gc"] });
    const gcText = (k: ReturnType<typeof pauses>) => `${k.count} × ${(k.total / Math.max(1, k.count)).toFixed(2)} ms (max ${k.max.toFixed(1)})`;
    const mb = (n: number) => (n / 1048576).toFixed(0);
    const ms = (ns: number) => (ns / 1e6).toFixed(1);
    setInterval(() => {
      const m = process.memoryUsage();
      process.stderr.write(`mem rss ${mb(m.rss)} heapTotal ${mb(m.heapTotal)} heapUsed ${mb(m.heapUsed)} external ${mb(m.external)} | event-loop delay p99 ${ms(delay.percentile(99))} max ${ms(delay.max)} ms | gc minor ${gcText(gc.minor)}, major ${gcText(gc.major)}\n`);
      delay.reset();
      gc = { minor: pauses(), major: pauses() };
    }, 2000).unref();
  }
  process.on("SIGTERM", () => void app.close().then(() => services.close()).then(() => process.exit(0)));
} else {
  process.stderr.write(`unknown role: ${String(role)}\n`);
  process.exit(2);
}
