// Producers' signals as the SOC sees them: scan payloads from the gateway (one event per kind of
// flagged content), from the watcher (transcript positions), refused requests (key prefix, never
// the key), cost spikes, audit-trail enforcement changes — and the ingest contract other modules
// code against (bus events and findSocIngest).
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import type { ScanCompletedEvent } from "../../src/app/events.ts";
import { findSocIngest } from "../../src/soc/ingest.ts";
import { accessEvent } from "../../src/soc/signals/access.ts";
import { auditEvent } from "../../src/soc/signals/audit-tail.ts";
import { CostSpikeDetector } from "../../src/soc/signals/cost-spike.ts";
import { shieldEvents } from "../../src/soc/signals/shield.ts";
import type { Detection } from "../../src/shield/types.ts";
import { startTestServer, type TestServer } from "../helpers/server.ts";
import { call, socOf } from "./client.ts";

const OPTIONS = { minDetectionSeverity: "medium" as const, execTools: new Set(["exec"]) };

function detection(rule_id: string, category: string, severity: Detection["severity"]): Detection {
  return { rule_id, title: `title of ${rule_id}`, category, family: rule_id.split(".")[0] ?? "", severity, confidence: 0.9, tags: [], span: { start: 0, end: 4 }, sensitive: false, excerpt: "SECRET PROMPT TEXT", decoded_from: [] };
}

function payload(verdict: "ALLOW" | "REVIEW" | "BLOCK", detections: Detection[], metadata: Record<string, unknown>, source = "gateway"): ScanCompletedEvent {
  const scan = { id: "scan_1", verdict, score: 80, detections, mode: "OBSERVE", enforced: false, direction: "inbound", source, latency_ms: 1, text_sha256: "x", text_length: 10, invisible: { zero_width: 0, bidi: 0, tag: 0 }, truncated: false, created_at: "2025-03-01T10:00:00.000Z", metadata };
  return { scan: scan as unknown as ScanCompletedEvent["scan"], workspace: "default", keyId: "key_1", source, agentId: "agent-9" };
}

describe("signal normalisation", () => {
  test("a gateway scan becomes one event per kind of flagged content, without any excerpt", () => {
    const events = shieldEvents(
      payload("BLOCK", [detection("injection.instruction-override", "prompt_injection", "high"), detection("commands.reverse-shell-devtcp", "dangerous_command", "critical"), detection("pii.email", "pii", "low")], {
        request_id: "req_1",
        parts: [
          { where: "messages[3]", role: "tool", verdict: "REVIEW", rule_ids: ["injection.instruction-override"] },
          { where: "messages[4]", role: "assistant", verdict: "BLOCK", rule_ids: ["commands.reverse-shell-devtcp", "pii.email"] },
        ],
      }),
      OPTIONS,
    );
    assert.deepEqual(events.map((e) => [e.attributes?.content, e.target, e.severity]), [["tool_result", "injection.instruction-override", "high"], ["assistant", "commands.reverse-shell-devtcp", "critical"]]);
    assert.ok(events.every((e) => e.agent === "agent-9" && e.evidence?.scan_ids?.[0] === "scan_1" && e.evidence.refs?.[0] === "req_1"));
    assert.ok(!JSON.stringify(events).includes("SECRET PROMPT TEXT"));
  });

  test("watcher scans carry the transcript position, the sender and the tool; low ALLOW scans are not events", () => {
    const [event] = shieldEvents(payload("REVIEW", [detection("commands.download-exec", "dangerous_command", "medium")], { agent: "main", session: "s1", event_id: "e7", part: "toolCall:c1", role: "assistant", tool_name: "exec", sender: "tg:1" }, "watcher"), OPTIONS);
    assert.ok(event);
    assert.deepEqual(event.evidence?.transcript, [{ session: "s1", event_id: "e7", part: "toolCall:c1" }]);
    assert.equal(event.attributes?.content, "tool_call");
    assert.equal(event.attributes?.tool_class, "exec");
    assert.equal(event.sender, "tg:1");
    assert.deepEqual(shieldEvents(payload("ALLOW", [detection("pii.email", "pii", "low")], {}), OPTIONS), []);
    assert.equal(shieldEvents(payload("ALLOW", [detection("paths.env-file-read", "sensitive_path", "medium")], {}), OPTIONS).length, 1);
    // Sandbox tasks' scans are test traffic.
    assert.deepEqual(shieldEvents(payload("BLOCK", [detection("commands.download-exec", "dangerous_command", "critical")], { sandbox: true }, "task"), OPTIONS), []);
    assert.deepEqual(shieldEvents(payload("BLOCK", [detection("commands.download-exec", "dangerous_command", "critical")], {}, "sandbox.task"), OPTIONS), []);
  });

  test("a refused request keeps the key prefix and the address, never a key", () => {
    const event = accessEvent({ status: 401, reason: "invalid_key", keyId: null, keyPrefix: "cnx_ABCDEFGH", workspace: null, ip: "203.0.113.5", method: "GET", route: "/api/v1/alerts", at: "2025-03-01T10:00:00.000Z" });
    assert.equal(event.workspace, "default");
    assert.equal(event.sender, "203.0.113.5");
    assert.equal(event.target, "cnx_ABCDEFGH");
    assert.ok(!/cnx_[A-Za-z0-9]{8}_/.test(JSON.stringify(event)));
  });

  test("cost spikes: compared with the agent's own baseline, once per window", () => {
    const detector = new CostSpikeDetector({ windowMinutes: 15, baselineHours: 24, factor: 3, minUsd: 1 });
    const at = (minute: number) => new Date(Date.UTC(2025, 2, 1, 0, minute)).toISOString();
    let spikes = 0;
    // Two hours of $0.10 a minute, then $1 a minute.
    for (let m = 0; m < 120; m++) spikes += detector.observe({ workspace: "w", agent: "a", keyId: null, ts: at(m), costUsd: 0.1, trafficId: `t${m}` }) ? 1 : 0;
    assert.equal(spikes, 0);
    const events = [];
    for (let m = 120; m < 135; m++) {
      const e = detector.observe({ workspace: "w", agent: "a", keyId: null, ts: at(m), costUsd: 1, trafficId: `t${m}` });
      if (e) events.push(e);
    }
    assert.equal(events.length, 1);
    assert.equal(events[0]?.kind, "cost.spike");
    assert.deepEqual(events[0]?.evidence?.traffic_ids?.length, 1);
    // A brand-new agent has no baseline: no spike however much it spends at first.
    assert.equal(detector.observe({ workspace: "w", agent: "new", keyId: null, ts: at(0), costUsd: 50, trafficId: "n" }), null);
  });

  test("audit trail: break-glass and enforcement changes map to events; other actions do not", () => {
    const base = { seq: 1, id: "evt_1", ts: "2025-03-01T10:00:00.000Z", workspace: "default", actor: "key:k1", target: "breakglass:bg_1", prevHash: "", hash: "" };
    assert.equal(auditEvent({ ...base, action: "gateway.breakglass_started", details: { minutes: 30, expires_at: "2025-03-01T10:30:00.000Z", reason: "incident" } })?.kind, "breakglass.started");
    assert.equal(auditEvent({ ...base, action: "shield.mode_changed", details: { previous: "BLOCK", mode: "OBSERVE" } })?.severity, "medium");
    assert.equal(auditEvent({ ...base, action: "key.created", details: {} }), null);
    assert.equal(auditEvent({ ...base, action: "soc.alert.created", details: {} }), null);
  });
});

describe("the ingest contract", () => {
  let server: TestServer;
  after(() => server.close());

  test("posture findings over the bus and through findSocIngest: stored, alerted, folded per check", async () => {
    server = await startTestServer();
    const { key } = await server.createKey(["alerts:read"]);
    const finding = { source: "posture" as const, checkId: "posture.ssh.root_login", severity: "high" as const, title: "SSH permits root login", evidence: "/etc/ssh/sshd_config: PermitRootLogin yes", remediation: "Set PermitRootLogin no", instance: "host-1" };
    // emit() resolves once the SOC has stored the event and raised its alert.
    await server.services.events.emit("soc.finding", finding);
    let alerts = (await call(server, "GET", "/api/v1/alerts", key)).body.data;
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0].rule_id, "posture.finding");
    assert.equal(alerts[0].target, "posture.ssh.root_login");
    const ingest = findSocIngest(server.services.modules);
    assert.ok(ingest);
    const result = await ingest.ingestFinding(finding);
    assert.deepEqual(result.alertIds, [alerts[0].id]);
    await ingest.ingestFinding({ ...finding, checkId: "posture.updates.pending", severity: "low", title: "updates pending" });
    alerts = (await call(server, "GET", "/api/v1/alerts", key)).body.data;
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0].count, 2);
    await server.services.events.emit("soc.event", { source: "gateway", kind: "network.egress", agent: "a1", target: "evil.example", severity: "medium", category: "egress", summary: "egress to evil.example", attributes: { known_host: false } });
    const stored = await server.services.store.db.selectFrom("soc_events").select(["kind", "target"]).where("kind", "=", "network.egress").execute();
    assert.deepEqual(stored.map((r) => ({ ...r })), [{ kind: "network.egress", target: "evil.example" }]);
    await socOf(server).flush();
  });
});
