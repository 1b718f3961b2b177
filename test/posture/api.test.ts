// GET /api/v1/posture and POST /api/v1/posture/scan on the real server: scopes, the stored latest
// run, shared concurrent scans, audit, the SOC hand-off, the schedule and run retention.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { FindingInput } from "../../src/soc/ingest.ts";
import { startTestServer, type TestServer } from "../helpers/server.ts";

// The apt simulation is covered by the host tests; the API tests stay fast without it.
const FAST = { posture: { disabledChecks: ["updates"] } };

interface Finding {
  checkId: string;
  severity: string;
  title: string;
  evidence: string;
  remediation: string;
}

/** What these tests read from the answers: a posture run, an error envelope, pages, OpenAPI. */
interface Body {
  runId: string;
  trigger: string;
  scannedAt: string;
  host: { hostname: string };
  summary: Record<string, number>;
  findings: Finding[];
  checks: Array<{ id: string; status: string }>;
  error: { code: string; message: string };
  data: Array<{ target: string; source: string; instance: string; severity: string }>;
  paths: Record<string, { get?: unknown; post?: unknown }>;
  components: { schemas: Record<string, unknown> };
}

async function get(url: string, key?: string): Promise<{ status: number; body: Body }> {
  const response = await fetch(url, { headers: key ? { authorization: `Bearer ${key}` } : {} });
  return { status: response.status, body: (await response.json()) as Body };
}

async function post(url: string, key: string): Promise<{ status: number; body: Body }> {
  const response = await fetch(url, { method: "POST", headers: { "x-clawnex-key": key } });
  return { status: response.status, body: (await response.json()) as Body };
}

describe("posture API", () => {
  let server: TestServer;
  let read: string;
  let admin: string;
  let scanOnly: string;
  const handedToSoc: FindingInput[] = [];

  before(async () => {
    server = await startTestServer({ configFile: FAST });
    read = (await server.createKey(["fleet:read"])).key;
    admin = (await server.createKey(["admin"])).key;
    scanOnly = (await server.createKey(["shield:scan"])).key;
    server.services.events.on("soc.finding", (f) => void handedToSoc.push(f));
  });
  after(() => server.close());

  test("refuses missing, wrong and under-scoped keys", async () => {
    assert.equal((await get(`${server.url}/api/v1/posture`)).status, 401);
    const wrong = await get(`${server.url}/api/v1/posture`, "cnx_notarealkey000000000000000000");
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error.code, "unauthorized");
    const scoped = await get(`${server.url}/api/v1/posture`, scanOnly);
    assert.equal(scoped.status, 403);
    assert.equal(scoped.body.error.code, "forbidden_scope");
    assert.match(scoped.body.error.message, /'fleet:read'/);
    const notAdmin = await post(`${server.url}/api/v1/posture/scan`, read);
    assert.equal(notAdmin.status, 403);
    assert.match(notAdmin.body.error.message, /'admin'/);
  });

  test("the first GET scans; later GETs return the stored run; findings went to the SOC", async () => {
    const first = await get(`${server.url}/api/v1/posture`, read);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.match(first.body.runId, /^pst_[0-9A-Za-z]{20}$/);
    assert.equal(first.body.trigger, "api");
    assert.deepEqual(first.body.checks.map((c) => c.id).sort(), ["clawnex", "firewall", "openclaw-files", "sockets", "ssh", "updates", "versions"]);
    assert.equal(first.body.checks.find((c) => c.id === "updates")?.status, "skipped");
    const second = await get(`${server.url}/api/v1/posture`, read);
    assert.equal(second.body.runId, first.body.runId);
    assert.deepEqual(second.body, first.body);
    assert.equal(handedToSoc.length, first.body.findings.length);
    for (const [i, f] of first.body.findings.entries()) assert.deepEqual(handedToSoc[i], { source: "posture", checkId: f.checkId, severity: f.severity, title: f.title, evidence: f.evidence, remediation: f.remediation, instance: first.body.host.hostname, at: first.body.scannedAt });
  });

  test("admin scans now (audited); the new run becomes the latest", async () => {
    const before = (await get(`${server.url}/api/v1/posture`, read)).body.runId;
    const a = await post(`${server.url}/api/v1/posture/scan`, admin);
    assert.equal(a.status, 200);
    assert.notEqual(a.body.runId, before);
    assert.equal((await get(`${server.url}/api/v1/posture`, read)).body.runId, a.body.runId);
    const audit = await server.services.audit.list({ limit: 1000 });
    const scans = audit.events.filter((e) => e.action === "posture.scan");
    assert.equal(scans.length, 1);
    assert.equal(scans[0]?.target, a.body.runId);
    assert.match(scans[0]?.actor ?? "", /^key:/);
    assert.deepEqual(scans[0]?.details, { summary: a.body.summary });
  });

  test("min_severity filters findings, not the summary; bad values are 400", async () => {
    const all = (await get(`${server.url}/api/v1/posture`, read)).body;
    const high = (await get(`${server.url}/api/v1/posture?min_severity=high`, read)).body;
    assert.deepEqual(high.summary, all.summary);
    assert.deepEqual(high.findings, all.findings.filter((f) => f.severity === "critical" || f.severity === "high"));
    const bad = await get(`${server.url}/api/v1/posture?min_severity=severe`, read);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, "invalid_request");
  });

  test("the routes are in the OpenAPI document", async () => {
    const doc = (await get(`${server.url}/api/v1/openapi.json`)).body;
    assert.ok(doc.paths["/api/v1/posture"]?.get);
    assert.ok(doc.paths["/api/v1/posture/scan"]?.post);
    assert.ok(doc.components.schemas.PostureRun);
  });
});

test("the server scans on its schedule and keeps only posture.keepRuns runs", async () => {
  const server = await startTestServer({ configFile: { posture: { initialDelaySeconds: 0, intervalMinutes: 60, keepRuns: 2, disabledChecks: ["updates", "firewall"] } } });
  try {
    const db = server.services.store.db;
    // Wait for the scheduled run (bounded, so a broken scheduler fails instead of hanging).
    let scheduled: { trigger: string } | undefined;
    for (let i = 0; i < 200 && !scheduled; i++) {
      scheduled = await db.selectFrom("posture_runs").select("trigger").where("trigger", "=", "schedule").executeTakeFirst();
      if (!scheduled) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(scheduled?.trigger, "schedule");
    const admin = (await server.createKey(["admin"])).key;
    for (let i = 0; i < 3; i++) assert.equal((await post(`${server.url}/api/v1/posture/scan`, admin)).status, 200);
    const rows = await db.selectFrom("posture_runs").select(["trigger"]).execute();
    assert.deepEqual(rows.map((r) => r.trigger), ["api", "api"]);
  } finally {
    await server.close();
  }
});

test("instances registered through the API are checked, and their findings become SOC alerts", async () => {
  const { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const parent = mkdtempSync(join(tmpdir(), "clawnex-posture-oc-"));
  chmodSync(parent, 0o755);
  const stateDir = join(parent, ".openclaw");
  mkdirSync(stateDir);
  chmodSync(stateDir, 0o755);
  writeFileSync(join(stateDir, "openclaw.json"), JSON.stringify({ meta: { lastTouchedVersion: "2026.9.6" } }), { mode: 0o644 });
  chmodSync(join(stateDir, "openclaw.json"), 0o644);
  const server = await startTestServer({ configFile: { posture: { disabledChecks: ["updates", "firewall", "sockets"] }, openclaw: { watcher: { enabled: false } } } });
  try {
    const admin = (await server.createKey(["admin"])).key;
    const created = await fetch(`${server.url}/api/v1/openclaw/instances`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${admin}` }, body: JSON.stringify({ name: "lab", stateDir }) });
    assert.equal(created.status, 201, await created.text());
    const run = await post(`${server.url}/api/v1/posture/scan`, admin);
    const finding = run.body.findings.find((f) => f.evidence === join(stateDir, "openclaw.json"));
    assert.equal(finding?.checkId, "posture.openclaw.world_readable");
    assert.equal(finding?.severity, "high");
    const alerts = await get(`${server.url}/api/v1/alerts?rule_id=posture.finding&order=desc&limit=100`, admin);
    assert.equal(alerts.status, 200, JSON.stringify(alerts.body));
    const alert = alerts.body.data.find((a) => a.target === "posture.openclaw.world_readable");
    assert.ok(alert, JSON.stringify(alerts.body.data.map((a) => a.target)));
    assert.equal(alert?.source, "posture");
    assert.equal(alert?.instance, run.body.host.hostname);
    assert.equal(alert?.severity, "high");
  } finally {
    await server.close();
    rmSync(parent, { recursive: true, force: true });
  }
});
