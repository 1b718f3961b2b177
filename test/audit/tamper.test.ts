// Attacks on the audit trail by someone with direct database access. They first drop the
// append-only triggers (as such an attacker could), then edit rows; verify() must name the first
// event where the chain stops being trustworthy.
import assert from "node:assert/strict";
import { test } from "node:test";
import { sql } from "kysely";
import { type AuditEvent, AuditLog, type AuditVerifyResult } from "../../src/audit/audit-log.ts";
import { computeEventHash } from "../../src/audit/chain.ts";
import { dropAuditTriggers, forEachBackend, type TestBackend } from "../helpers/pg.ts";

async function seeded(backend: TestBackend, n = 5) {
  const store = await backend.fresh();
  const audit = new AuditLog(store.db);
  const events: AuditEvent[] = [];
  for (let i = 1; i <= n; i++) events.push(await audit.append({ actor: "cli", action: `action.${i}`, target: `t${i}`, details: { i } }));
  assert.equal((await audit.verify()).ok, true);
  await dropAuditTriggers(store);
  const ev = (seq: number): AuditEvent => {
    const e = events[seq - 1];
    assert.ok(e);
    return e;
  };
  return { store, audit, ev };
}

function assertBroken(result: AuditVerifyResult, seq: number, id: string | null, kind: string): void {
  assert.equal(result.ok, false, "verify must fail");
  if (result.ok) return;
  assert.deepEqual({ firstBad: result.firstBad, kind: result.kind }, { firstBad: { seq, id }, kind });
  assert.ok(result.reason.length > 0);
}

forEachBackend("audit tampering", (backend) => {
  test("altered details are detected at the altered event", async () => {
    const { store, audit, ev } = await seeded(backend);
    await sql`UPDATE audit_events SET details = '{"i":99}' WHERE seq = 2`.execute(store.db);
    assertBroken(await audit.verify(), 2, ev(2).id, "hash_mismatch");
  });

  test("altering any hashed column is detected", async () => {
    for (const column of ["actor", "action", "ts", "target", "workspace", "id"] as const) {
      const { store, audit } = await seeded(backend, 3);
      await sql`UPDATE audit_events SET ${sql.ref(column)} = 'forged' WHERE seq = 3`.execute(store.db);
      const result = await audit.verify();
      assert.equal(result.ok, false, column);
      if (!result.ok) assert.equal(result.firstBad.seq, 3, column);
    }
  });

  test("an event re-hashed after editing breaks the next link", async () => {
    const { store, audit, ev } = await seeded(backend);
    const forged = { ...ev(3), prev_hash: ev(3).prevHash, details: { i: 1000 } };
    const hash = computeEventHash(forged);
    await sql`UPDATE audit_events SET details = ${JSON.stringify(forged.details)}, hash = ${hash} WHERE seq = 3`.execute(store.db);
    assertBroken(await audit.verify(), 4, ev(4).id, "broken_link");
  });

  test("a deleted middle event is detected at the event after the gap", async () => {
    const { store, audit, ev } = await seeded(backend);
    await sql`DELETE FROM audit_events WHERE seq = 3`.execute(store.db);
    const result = await audit.verify();
    assertBroken(result, 4, ev(4).id, "missing_events");
    assert.equal(result.count, 4);
  });

  test("deleting the first event is detected", async () => {
    const { store, audit, ev } = await seeded(backend);
    await sql`DELETE FROM audit_events WHERE seq = 1`.execute(store.db);
    assertBroken(await audit.verify(), 2, ev(2).id, "missing_events");
  });

  test("deleting the last event is detected as truncation", async () => {
    const { store, audit } = await seeded(backend);
    await sql`DELETE FROM audit_events WHERE seq = 5`.execute(store.db);
    assertBroken(await audit.verify(), 5, null, "truncated");
  });

  test("deleting every event is detected as truncation", async () => {
    const { store, audit } = await seeded(backend);
    await sql`DELETE FROM audit_events`.execute(store.db);
    assertBroken(await audit.verify(), 1, null, "truncated");
  });

  test("a truncated chain does not heal when new events are appended", async () => {
    const { store, audit } = await seeded(backend);
    await sql`DELETE FROM audit_events WHERE seq >= 4`.execute(store.db);
    const next = await audit.append({ actor: "server", action: "after.truncation" });
    assert.equal(next.seq, 6, "appends continue from the recorded head, leaving the hole visible");
    assertBroken(await audit.verify(), 6, next.id, "missing_events");
  });

  test("swapping two events' seq is detected at the first swapped position", async () => {
    const { store, audit, ev } = await seeded(backend);
    await sql`UPDATE audit_events SET seq = -1 WHERE seq = 2`.execute(store.db);
    await sql`UPDATE audit_events SET seq = 2 WHERE seq = 4`.execute(store.db);
    await sql`UPDATE audit_events SET seq = 4 WHERE seq = -1`.execute(store.db);
    // Position 2 now holds the event that was written as seq 4.
    assertBroken(await audit.verify(), 2, ev(4).id, "hash_mismatch");
  });

  test("replacing the last event with a self-consistent forgery is caught by the head", async () => {
    const { store, audit, ev } = await seeded(backend);
    const forged = { ...ev(5), prev_hash: ev(5).prevHash, details: { i: "forged" } };
    const hash = computeEventHash(forged);
    await sql`UPDATE audit_events SET details = ${JSON.stringify(forged.details)}, hash = ${hash} WHERE seq = 5`.execute(store.db);
    assertBroken(await audit.verify(), 5, ev(5).id, "head_mismatch");
  });

  test("an event slipped in after the head is detected", async () => {
    const { store, audit, ev } = await seeded(backend);
    const fields = { seq: 6, id: "evt_forged", ts: new Date().toISOString(), workspace: "default", actor: "mallory", action: "x", target: null, details: {}, prev_hash: ev(5).hash };
    await store.db.insertInto("audit_events").values({ ...fields, details: "{}", hash: computeEventHash(fields) }).execute();
    assertBroken(await audit.verify(), 6, "evt_forged", "head_mismatch");
  });

  test("a deleted chain head record is detected", async () => {
    const { store, audit, ev } = await seeded(backend);
    await store.db.deleteFrom("settings").where("key", "=", "audit.head").execute();
    assertBroken(await audit.verify(), 5, ev(5).id, "head_missing");
  });
});
