// `clawnex alerts` and `clawnex incidents` on the same store as a running server, and the OpenAPI
// document covering every SOC operation.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { main } from "../../src/cli/main.ts";
import { captureIo } from "../helpers/io.ts";
import { startTestServer, type TestServer } from "../helpers/server.ts";
import { call, scan, socOf } from "./client.ts";

describe("SOC CLI and API reference", () => {
  let server: TestServer;
  let key: string;
  before(async () => {
    server = await startTestServer();
    key = (await server.createKey(["admin"])).key;
    await scan(server, key, "zz-block-me", { agent: "cli-agent" });
    const step = (target: string, attributes: Record<string, string | string[]>) => ({ source: "shield", kind: "shield.detection", agent: "cli-agent", session: "s", target, severity: "high" as const, category: "x", summary: `step ${target}`, attributes });
    await socOf(server).ingest.ingestEvent(step("inj", { content: "tool_result", categories: ["prompt_injection"], verdict: "REVIEW" }));
    await socOf(server).ingest.ingestEvent(step("exec", { content: "tool_call", tool_class: "exec", categories: ["dangerous_command"], verdict: "BLOCK" }));
    await socOf(server).ingest.ingestEvent(step("egress", { content: "tool_call", categories: ["exfiltration"], verdict: "BLOCK" }));
  });
  after(() => server.close());

  test("alerts list, show, ack and suppress; bad input exits 2", async () => {
    let io = captureIo(server.env);
    assert.equal(await main(["alerts", "list", "--agent", "cli-agent", "--rule", "shield.blocked"], io), 0, io.err());
    const line = io.out().split("\n")[1] ?? "";
    const id = line.split("\t")[0] ?? "";
    assert.match(id, /^alr_/);
    assert.match(line, /critical\topen\t1\t/);
    io = captureIo(server.env);
    assert.equal(await main(["alerts", "ack", id, "--reason", "on it"], io), 0, io.err());
    assert.equal(io.out(), `${id} acknowledged\n`);
    io = captureIo(server.env);
    assert.equal(await main(["alerts", "suppress", id, "--reason", "noisy test marker", "--for", "2h"], io), 0, io.err());
    assert.match(io.out(), new RegExp(`^${id} suppressed until `));
    const viaApi = await call(server, "GET", `/api/v1/alerts/${id}`, key);
    assert.equal(viaApi.body.status, "suppressed");
    assert.equal(viaApi.body.status_by, "cli");
    io = captureIo(server.env);
    assert.equal(await main(["alerts", "suppress", id, "--for", "2h"], io), 2);
    assert.match(io.err(), /needs a reason/);
    io = captureIo(server.env);
    assert.equal(await main(["alerts", "list", "--status", "closed"], io), 2);
    io = captureIo(server.env);
    assert.equal(await main(["alerts", "show", "alr_missing"], io), 2);
    assert.match(io.err(), /alert not found/);
  });

  test("incidents show prints the explanation and the events in order", async () => {
    let io = captureIo(server.env);
    assert.equal(await main(["incidents", "list", "--json"], io), 0, io.err());
    const [incident] = JSON.parse(io.out()).data;
    io = captureIo(server.env);
    assert.equal(await main(["incidents", "show", incident.id], io), 0, io.err());
    const out = io.out();
    assert.match(out, /Score \d+(\.\d)? = /);
    assert.ok(out.indexOf("step inj") < out.indexOf("step exec") && out.indexOf("step exec") < out.indexOf("step egress"));
    io = captureIo(server.env);
    assert.equal(await main(["incidents", "resolve", incident.id, "--reason", "contained"], io), 0, io.err());
    assert.equal((await call(server, "GET", `/api/v1/incidents/${incident.id}`, key)).body.status, "resolved");
  });

  test("the OpenAPI document covers every SOC operation", async () => {
    const doc = (await call(server, "GET", "/api/v1/openapi.json")).body;
    const ops: Array<[string, string, string]> = [
      ["get", "/api/v1/alerts", "listAlerts"],
      ["get", "/api/v1/alerts/export.ndjson", "exportAlerts"],
      ["get", "/api/v1/alerts/{id}", "getAlert"],
      ["patch", "/api/v1/alerts/{id}", "updateAlert"],
      ["get", "/api/v1/incidents", "listIncidents"],
      ["get", "/api/v1/incidents/{id}", "getIncident"],
      ["patch", "/api/v1/incidents/{id}", "updateIncident"],
      ["get", "/api/v1/audit", "listAuditEvents"],
      ["get", "/api/v1/audit/export.ndjson", "exportAuditEvents"],
      ["get", "/metrics", "getMetrics"],
    ];
    for (const [method, path, id] of ops) {
      const op = doc.paths[path]?.[method];
      assert.ok(op, `${method} ${path}`);
      assert.equal(op.operationId, id);
      assert.ok(op.responses["200"], `${path} documents 200`);
    }
    for (const name of ["Alert", "AlertPage", "Incident", "IncidentDetail", "AuditEvent", "StatusChange", "SocEvent"]) assert.ok(doc.components.schemas[name], name);
  });
});
