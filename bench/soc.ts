// SOC throughput and feed latency, on the embedded SQLite store:
//  1. events/s through alerting and correlation (the real pipeline and built-in rules) with 10k
//     open alerts and 1k open incidents already stored: a mix of detections folding into existing
//     alerts, REVIEW verdicts waiting on thresholds, key-misuse denials and kill chains that open
//     incidents;
//  2. p50/p95/p99 of GET /api/v1/alerts pages over the real HTTP server with 1M stored alerts
//     (bulk-inserted in one transaction with multi-row inserts), for the polling feed, a status
//     filter and newest-first — after checking with EXPLAIN QUERY PLAN that each query pages an index.
//   npm run bench:soc [-- --events 50000 --alerts 1000000 --requests 400 --json]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { DatabaseSync } from "node:sqlite";
import { createServices } from "../src/app/services.ts";
import { loadConfig } from "../src/config/config.ts";
import { buildServer } from "../src/http/server.ts";
import type { SocModule } from "../src/soc/module.ts";
import type { Attributes, SocEventInput } from "../src/soc/model.ts";

const { values } = parseArgs({ options: { events: { type: "string", default: "50000" }, alerts: { type: "string", default: "1000000" }, requests: { type: "string", default: "400" }, json: { type: "boolean", default: false } } });
const EVENTS = Number(values.events);
const ALERTS = Number(values.alerts);
const REQUESTS = Number(values.requests);
const SEVERITIES = ["low", "medium", "high", "critical"];
const STATUSES = ["open", "open", "acknowledged", "resolved", "resolved", "resolved", "suppressed"];

const log = (text: string) => (values.json ? undefined : console.log(text));

/** Multi-row INSERTs of `count` alerts in one transaction, straight through node:sqlite. */
function bulkAlerts(file: string, count: number, startSeq: number, make: (seq: number) => unknown[]): void {
  const db = new DatabaseSync(file);
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
  const cols = ["seq", "id", "workspace", "rule_id", "title", "severity", "status", "dedupe_key", "source", "category", "instance", "agent", "target", "summary", "count", "first_seen", "last_seen", "created_at", "updated_at", "status_by", "status_reason", "suppressed_until", "event_ids", "evidence"];
  const perStatement = 500;
  const row = `(${cols.map(() => "?").join(",")})`;
  const full = db.prepare(`INSERT INTO soc_alerts (${cols.join(",")}) VALUES ${Array(perStatement).fill(row).join(",")}`);
  db.exec("BEGIN");
  for (let i = 0; i < count; i += perStatement) {
    const n = Math.min(perStatement, count - i);
    const params = [];
    for (let j = 0; j < n; j++) params.push(...make(startSeq + i + j));
    (n === perStatement ? full : db.prepare(`INSERT INTO soc_alerts (${cols.join(",")}) VALUES ${Array(n).fill(row).join(",")}`)).run(...(params as Array<string | number | null>));
  }
  db.exec("COMMIT");
  db.close();
}

function alertRow(seq: number, now: number, open: boolean): unknown[] {
  const agent = `agent-${seq % 1000}`;
  const target = `rule.t${Math.floor(seq / 1000) % 10}`;
  const ts = new Date(now - (ALERTS - seq) * 1000).toISOString();
  const status = open ? "open" : (STATUSES[seq % STATUSES.length] ?? "open");
  return [seq, `alr_bench${String(seq).padStart(10, "0")}`, "default", "shield.blocked", "Shield blocked content", SEVERITIES[seq % 4], status, `shield.blocked|default|agent=${agent}|target=${target}${open ? "" : `#${seq}`}`, "shield", "test", null, agent, target, `Shield BLOCK on agent ${agent}`, 1 + (seq % 7), ts, open ? new Date(now).toISOString() : ts, ts, ts, null, null, null, '["sev_x"]', '{"scan_ids":["scan_x"]}'];
}

function incidentRows(file: string, count: number, now: number): void {
  const db = new DatabaseSync(file);
  const insert = db.prepare("INSERT INTO soc_incidents (seq,id,workspace,rule_id,title,severity,status,group_key,group_values,score,explanation,breakdown,event_count,first_seen,last_seen,created_at,updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  db.exec("BEGIN");
  const ts = new Date(now).toISOString();
  for (let i = 1; i <= count; i++) insert.run(i, `inc_bench${i}`, "default", "corr.tool-injection-exec-egress", "bench", "critical", "open", `corr.tool-injection-exec-egress|default|agent=seed-${i}|session=-`, JSON.stringify({ agent: `seed-${i}`, session: null }), 80, "seeded", "{}", 3, ts, ts, ts, ts);
  db.exec("COMMIT");
  db.close();
}

function eventMix(i: number): SocEventInput {
  const r = i % 10;
  if (r < 6) {
    // Folds into one of the 10k open alerts (agent × target).
    const agent = `agent-${(i * 7) % 1000}`;
    return { source: "shield", kind: "shield.detection", agent, target: `rule.t${i % 10}`, severity: "high", category: "test", summary: "bench", evidence: { scan_ids: [`scan_${i}`] }, attributes: { verdict: "BLOCK", direction: "inbound", content: "user", categories: ["test"] } };
  }
  if (r < 8) return { source: "shield", kind: "shield.detection", agent: `rev-${i % 300}`, target: `review.r${i % 5}`, severity: "medium", category: "test", summary: "bench", attributes: { verdict: "REVIEW", direction: "inbound", content: "user", categories: ["test"] } };
  if (r < 9) return { source: "auth", kind: "auth.denied", sender: `198.51.100.${i % 100}`, target: `ip:198.51.100.${i % 100}`, severity: "low", category: "key_misuse", summary: "401", attributes: { status: 401, reason: "invalid_key" } };
  // Kill chains: injection → exec → egress per agent/session group, spread over 500 groups.
  const chain = Math.floor(i / 10);
  const group = { agent: `chain-${chain % 500}`, session: `s-${Math.floor(chain / 1500)}` };
  const stepKind = Math.floor(chain / 500) % 3;
  const steps: Attributes[] = [{ content: "tool_result", categories: ["prompt_injection"], verdict: "REVIEW" }, { content: "tool_call", tool_class: "exec", categories: ["dangerous_command"], verdict: "BLOCK" }, { content: "tool_call", categories: ["exfiltration"], verdict: "BLOCK" }];
  const attrs = steps[stepKind] ?? {};
  return { source: "shield", kind: "shield.detection", ...group, target: `step.${stepKind}`, severity: "high", category: "x", summary: "chain", attributes: attrs };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "clawnex-bench-soc-"));
  const env = { CLAWNEX_DATA_DIR: dir, CLAWNEX_LOG_LEVEL: "silent", CLAWNEX_PORT: "0" };
  try {
    // Create the schema, then seed 10k open alerts and 1k open incidents.
    const first = await createServices(loadConfig(env));
    await first.close();
    const file = join(dir, "clawnex.db");
    const now = Date.now();
    bulkAlerts(file, 10_000, 1, (seq) => alertRow(seq, now, true));
    incidentRows(file, 1000, now);

    const services = await createServices(loadConfig(env));
    const app = await buildServer(services, { logger: false });
    await app.listen({ host: "127.0.0.1", port: 0 });
    for (const m of services.modules) if (m.name === "soc") await m.start?.(app);
    const soc = services.modules.find((m) => m.name === "soc") as SocModule;

    log(`1. events through alerting + correlation (10,000 open alerts, 1,000 open incidents stored)`);
    const started = performance.now();
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < EVENTS; i++) pending.push(soc.ingest.ingestEvent(eventMix(i)));
    await Promise.all(pending);
    const elapsed = performance.now() - started;
    const count = async (table: "soc_alerts" | "soc_incidents") => Number((await services.store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n);
    const eventsPerSecond = Math.round(EVENTS / (elapsed / 1000));
    const alertsAfter = await count("soc_alerts");
    const incidentsAfter = await count("soc_incidents");
    log(`   ${EVENTS} events in ${(elapsed / 1000).toFixed(2)} s: ${eventsPerSecond} events/s; alerts ${10_000} → ${alertsAfter}, incidents 1000 → ${incidentsAfter}`);
    await app.close();
    await services.close();

    // Grow the alert table to ALERTS rows (one transaction, multi-row inserts).
    const existing = alertsAfter;
    const bulkStart = performance.now();
    bulkAlerts(file, ALERTS - existing, existing + 1, (seq) => alertRow(seq, now, false));
    const bulkSeconds = (performance.now() - bulkStart) / 1000;
    log(`2. bulk insert: ${(ALERTS - existing).toLocaleString("en")} alerts in ${bulkSeconds.toFixed(1)} s (one transaction, 500 rows per INSERT)`);

    const plans = new DatabaseSync(file);
    plans.exec("ANALYZE");
    const queries: Record<string, string> = {
      "poll (since cursor)": "SELECT * FROM soc_alerts WHERE workspace = 'default' AND seq > 500000 ORDER BY seq ASC LIMIT 101",
      "status=open": "SELECT * FROM soc_alerts WHERE workspace = 'default' AND status = 'open' AND seq > 500000 ORDER BY seq ASC LIMIT 101",
      "newest first": "SELECT * FROM soc_alerts WHERE workspace = 'default' ORDER BY seq DESC LIMIT 101",
      "dedupe lookup": "SELECT * FROM soc_alerts WHERE workspace = 'default' AND dedupe_key = 'x' ORDER BY seq DESC LIMIT 1",
    };
    const planText: Record<string, string> = {};
    for (const [name, q] of Object.entries(queries)) {
      const plan = (plans.prepare(`EXPLAIN QUERY PLAN ${q}`).all() as Array<{ detail: string }>).map((r) => r.detail).join("; ");
      planText[name] = plan;
      log(`   plan ${name}: ${plan}`);
      if (!/USING (COVERING )?INDEX|USING INTEGER PRIMARY KEY/.test(plan) || /USE TEMP B-TREE/.test(plan)) throw new Error(`query '${name}' does not page an index: ${plan}`);
    }
    plans.close();

    const server = await createServices(loadConfig(env));
    const http = await buildServer(server, { logger: false });
    const url = await http.listen({ host: "127.0.0.1", port: 0 });
    const { key } = await server.keys.create({ name: "bench", scopes: ["alerts:read"] }, "bench");
    const headers = { "x-clawnex-key": key };
    const latency = async (name: string, path: (i: number, last: string | null) => string) => {
      const times: number[] = [];
      let last: string | null = null;
      for (let i = 0; i < REQUESTS; i++) {
        const t0 = performance.now();
        const res = await fetch(`${url}${path(i, last)}`, { headers });
        const body = (await res.json()) as { next_cursor: string | null; data: unknown[] };
        times.push(performance.now() - t0);
        if (res.status !== 200 || body.data.length === 0) throw new Error(`${name}: status ${res.status}, ${body.data.length} rows`);
        last = body.next_cursor;
      }
      times.sort((a, b) => a - b);
      const pct = (p: number) => Number((times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))] ?? 0).toFixed(2));
      const result = { p50: pct(50), p95: pct(95), p99: pct(99) };
      log(`   GET /api/v1/alerts ${name}: p50 ${result.p50} ms, p95 ${result.p95} ms, p99 ${result.p99} ms (${REQUESTS} pages of 100)`);
      return result;
    };
    log(`3. GET /api/v1/alerts over HTTP with ${ALERTS.toLocaleString("en")} stored alerts`);
    // The poller walks the feed page after page from the start with since=next_cursor.
    const poll = await latency("poll (since=next_cursor)", (_i, last) => `/api/v1/alerts?limit=100${last ? `&since=${last}` : ""}`);
    const open = await latency("status=open", (_i, last) => `/api/v1/alerts?limit=100&status=open${last ? `&since=${last}` : ""}`);
    const newest = await latency("newest first", (_i, last) => `/api/v1/alerts?limit=100&order=desc${last ? `&cursor=${last}` : ""}`);
    // /metrics reads the open-alert gauges from the store on every scrape.
    const scrapes: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      const res = await fetch(`${url}/metrics`);
      await res.text();
      scrapes.push(performance.now() - t0);
    }
    scrapes.sort((a, b) => a - b);
    const metricsScrapeMs = { p50: Number((scrapes[10] ?? 0).toFixed(2)), max: Number((scrapes.at(-1) ?? 0).toFixed(2)) };
    log(`   GET /metrics with ${ALERTS.toLocaleString("en")} alerts: p50 ${metricsScrapeMs.p50} ms, max ${metricsScrapeMs.max} ms (20 scrapes)`);
    await http.close();
    await server.close();

    const result = { events: EVENTS, eventsPerSecond, seededOpenAlerts: 10_000, seededIncidents: 1000, alertsAfter, incidentsAfter, storedAlerts: ALERTS, bulkInsertSeconds: Number(bulkSeconds.toFixed(1)), listLatencyMs: { poll, open, newest }, metricsScrapeMs, plans: planText, database: "sqlite" };
    if (values.json) console.log(JSON.stringify(result, null, 2));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
