// Enforcement changes made with the CLI — another process, its own store connection — reach the
// SOC through the audit trail: break-glass becomes an alert, and two servers tailing the same
// database process each audit event once.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { main } from "../../src/cli/main.ts";
import { SettingsStore } from "../../src/settings/settings-store.ts";
import { AuditTail } from "../../src/soc/jobs/audit-tail.ts";
import { openStore } from "../../src/store/database.ts";
import { captureIo } from "../helpers/io.ts";
import { startTestServer, type TestServer } from "../helpers/server.ts";
import { call, socOf } from "./client.ts";
import { openSoc } from "./harness.ts";

describe("audit-trail signals", () => {
  let server: TestServer;
  after(() => server.close());

  test("`clawnex breakglass start` raises an enforcement alert; the tail never repeats an event", async () => {
    server = await startTestServer({ configFile: { soc: { auditTailIntervalMs: 600_000 } } });
    const { key } = await server.createKey(["admin"]);
    const io = captureIo(server.env);
    assert.equal(await main(["breakglass", "start", "--minutes", "10", "--reason", "upstream outage drill"], io), 0, io.err());
    const soc = socOf(server);
    // A second server's tail (own connection, own pipeline) races this server's.
    const otherStore = await openStore({ dataDir: server.dataDir });
    const other = await openSoc({ store: otherStore });
    other.clock.now = new Date();
    const otherTail = new AuditTail(other.audit, new SettingsStore(otherStore.db), other.engine.pipeline, 600_000, (err) => other.errors.push(err));
    await Promise.all([soc.auditTail.tick(), otherTail.tick(), soc.auditTail.tick(), otherTail.tick()]);
    assert.deepEqual(other.errors, []);
    await other.close();
    await otherStore.close();
    const alerts = (await call(server, "GET", "/api/v1/alerts?rule_id=enforcement.breakglass", key)).body.data;
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0].count, 1);
    assert.equal(alerts[0].severity, "high");
    assert.match(alerts[0].summary, /Break-glass started by cli/);
    assert.ok(alerts[0].evidence.audit_ids.length === 1);
    assert.equal(await main(["breakglass", "end"], io), 0, io.err());
    await soc.auditTail.tick();
    const events = await server.services.store.db.selectFrom("soc_events").select("kind").where("source", "=", "audit").execute();
    assert.deepEqual(events.map((e) => e.kind), ["breakglass.started", "breakglass.ended"]);
  });
});
