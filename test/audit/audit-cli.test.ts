// `clawnex audit` run in-process through main(), against the same database the test inspects.
import assert from "node:assert/strict";
import { test } from "node:test";
import { sql } from "kysely";
import { type AuditPage, AuditLog } from "../../src/audit/audit-log.ts";
import { main } from "../../src/cli/main.ts";
import { captureIo } from "../helpers/io.ts";
import { dropAuditTriggers, forEachBackend } from "../helpers/pg.ts";

async function run(env: NodeJS.ProcessEnv, ...argv: string[]) {
  const io = captureIo(env);
  const code = await main(argv, io);
  return { code, stdout: io.out(), stderr: io.err() };
}

forEachBackend("clawnex audit", (backend) => {
  test("verify reports an intact chain with exit 0", async () => {
    const store = await backend.fresh();
    const empty = await run(store.env, "audit", "verify");
    assert.deepEqual(empty, { code: 0, stdout: "audit chain intact: 0 events\n", stderr: "" });
    await run(store.env, "keys", "create", "--name", "a", "--scopes", "chat");
    await run(store.env, "keys", "create", "--name", "b", "--scopes", "chat");
    const out = await run(store.env, "audit", "verify");
    assert.deepEqual(out, { code: 0, stdout: "audit chain intact: 2 events\n", stderr: "" });
    const json = await run(store.env, "audit", "verify", "--json");
    assert.equal(json.code, 0);
    assert.deepEqual(JSON.parse(json.stdout), { ok: true, count: 2, head: await new AuditLog(store.db).head() });
  });

  test("verify names the first bad event and exits 1 after tampering", async () => {
    const store = await backend.fresh();
    const audit = new AuditLog(store.db);
    const events = [];
    for (let i = 0; i < 4; i++) events.push(await audit.append({ actor: "test", action: "x", details: { i } }));
    await dropAuditTriggers(store);
    await sql`UPDATE audit_events SET details = '{"i":42}' WHERE seq = 3`.execute(store.db);
    const out = await run(store.env, "audit", "verify");
    assert.equal(out.code, 1);
    assert.match(out.stdout, new RegExp(`^audit chain broken at event seq=3 id=${events[2]?.id}: .+\\n$`));

    await sql`DELETE FROM audit_events WHERE seq >= 3`.execute(store.db);
    const truncated = await run(store.env, "audit", "verify");
    assert.equal(truncated.code, 1);
    assert.match(truncated.stdout, /^audit chain broken at event seq=3 id=\(missing\): chain truncated/);
  });

  test("list prints events in order, pages with a cursor, and supports --json", async () => {
    const store = await backend.fresh();
    const audit = new AuditLog(store.db);
    for (let i = 1; i <= 5; i++) await audit.append({ actor: "test", action: `act.${i}`, target: `t${i}` });
    const first = await run(store.env, "audit", "list", "--limit", "3");
    assert.equal(first.code, 0);
    const rows = first.stdout.trimEnd().split("\n");
    assert.match(rows[0] ?? "", /^SEQ\tTS\tWORKSPACE\tACTOR\tACTION\tTARGET\tDETAILS$/);
    assert.deepEqual(rows.slice(1).map((r) => r.split("\t")[4]), ["act.1", "act.2", "act.3"]);
    const cursor = /--cursor (\S+)/.exec(first.stderr)?.[1];
    assert.ok(cursor, first.stderr);
    const rest = await run(store.env, "audit", "list", "--cursor", cursor, "--json");
    const page = JSON.parse(rest.stdout) as AuditPage;
    assert.deepEqual(page.events.map((e) => e.action), ["act.4", "act.5"]);
    assert.equal(page.nextCursor, null);
    const future = await run(store.env, "audit", "list", "--since", "2999-01-01T00:00:00Z");
    assert.equal(future.stdout, "no audit events\n");
  });

  test("list rejects bad options with exit 2", async () => {
    const store = await backend.fresh();
    for (const args of [["--limit", "0"], ["--limit", "abc"], ["--limit", "5000"], ["--since", "last tuesday"], ["--cursor", "%%%"], ["extra"]]) {
      const out = await run(store.env, "audit", "list", ...args);
      assert.equal(out.code, 2, args.join(" "));
    }
    assert.equal((await run(store.env, "audit")).code, 2);
    assert.equal((await run(store.env, "audit", "repair")).code, 2);
  });
});
