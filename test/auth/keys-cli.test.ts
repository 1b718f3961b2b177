// `clawnex keys` run in-process through main(), against the same database the test inspects.
import assert from "node:assert/strict";
import { test } from "node:test";
import { AuditLog } from "../../src/audit/audit-log.ts";
import { type ApiKeyRecord, KeyService } from "../../src/auth/keys.ts";
import { main } from "../../src/cli/main.ts";
import { captureIo } from "../helpers/io.ts";
import { forEachBackend, type TestStore } from "../helpers/pg.ts";

async function run(env: NodeJS.ProcessEnv, ...argv: string[]) {
  const io = captureIo(env);
  const code = await main(argv, io);
  return { code, stdout: io.out(), stderr: io.err() };
}

const keysOf = (store: TestStore) => new KeyService(store.db, new AuditLog(store.db));

forEachBackend("clawnex keys", (backend) => {
  test("create prints the key alone on the last line of stdout, and it works", async () => {
    const store = await backend.fresh();
    const out = await run(store.env, "keys", "create", "--name", "ci bot", "--scopes", "shield:scan, chat", "--expires", "30d");
    assert.equal(out.code, 0, out.stderr);
    const lines = out.stdout.trimEnd().split("\n");
    const key = lines.at(-1) ?? "";
    assert.match(key, /^cnx_[0-9A-Za-z]{8}_[0-9A-Za-z]{32}$/);
    assert.match(out.stderr, /ci bot/);
    assert.match(out.stderr, /shield:scan, chat/);
    assert.ok(!out.stderr.includes(key), "the key is not echoed into logs on stderr");
    const record = await keysOf(store).authenticate(key);
    assert.deepEqual(record?.scopes, ["shield:scan", "chat"]);
    assert.ok(record?.expiresAt);
  });

  test("create rejects bad arguments with exit 2", async () => {
    const store = await backend.fresh();
    const cases: [string[], RegExp][] = [
      [["--scopes", "chat"], /--name/],
      [["--name", "x"], /--scopes/],
      [["--name", "x", "--scopes", "chat,root"], /unknown scope.*root.*valid scopes: shield:scan/],
      [["--name", "x", "--scopes", ","], /at least one scope/],
      [["--name", "x", "--scopes", "chat", "--expires", "forever"], /invalid duration/],
      [["--name", "x", "--scopes", "chat", "--bogus"], /bogus/],
      [["--name", "x", "--scopes", "chat", "extra"], /unexpected argument/],
    ];
    for (const [args, message] of cases) {
      const out = await run(store.env, "keys", "create", ...args);
      assert.equal(out.code, 2, args.join(" "));
      assert.match(out.stderr, message);
      assert.equal(out.stdout, "");
    }
    assert.deepEqual(await keysOf(store).list(), []);
  });

  test("list shows a table or JSON, never secrets", async () => {
    const store = await backend.fresh();
    const created = await run(store.env, "keys", "create", "--name", "alpha", "--scopes", "admin");
    const key = created.stdout.trim().split("\n").at(-1) ?? "";
    const table = await run(store.env, "keys", "list");
    assert.equal(table.code, 0);
    const [header, row] = table.stdout.trimEnd().split("\n");
    assert.match(header ?? "", /^ID\s+NAME\s+PREFIX\s+SCOPES\s+STATUS\s+EXPIRES$/);
    assert.match(row ?? "", new RegExp(`^key_\\w+\\s+alpha\\s+${key.slice(0, 12)}\\s+admin\\s+active\\s+never$`));
    const json = await run(store.env, "keys", "list", "--json");
    const records = JSON.parse(json.stdout) as ApiKeyRecord[];
    assert.equal(records[0]?.name, "alpha");
    for (const out of [table.stdout, json.stdout]) {
      assert.ok(!out.includes(key.slice(13)));
      assert.ok(!/hash/i.test(out));
    }
    assert.equal((await run(store.env, "keys", "list", "--workspace", "none")).stdout, "no API keys\n");
  });

  test("revoke takes effect for a server already holding a connection", async () => {
    const store = await backend.fresh();
    const server = keysOf(store);
    const { key, record } = await server.create({ name: "victim", scopes: ["admin"] }, "test");
    assert.ok(await server.authenticate(key));
    const out = await run(store.env, "keys", "revoke", record.id);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, new RegExp(`revoked API key ${record.id}`));
    assert.equal(await server.authenticate(key), null);
    const again = await run(store.env, "keys", "revoke", record.id);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /already revoked/);
    const events = (await new AuditLog(store.db).list()).events;
    assert.deepEqual(events.map((e) => [e.action, e.actor]), [["key.created", "test"], ["key.revoked", "cli"]]);
  });

  test("revoke errors: unknown id exits 1, missing id exits 2", async () => {
    const store = await backend.fresh();
    const unknown = await run(store.env, "keys", "revoke", "key_nope");
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /not found/);
    assert.equal((await run(store.env, "keys", "revoke")).code, 2);
    assert.equal((await run(store.env, "keys", "revoke", "a", "b")).code, 2);
    assert.equal((await run(store.env, "keys")).code, 2);
    assert.equal((await run(store.env, "keys", "rotate")).code, 2);
  });
});

test("keys with an invalid configuration exits 2 naming the bad value", async () => {
  const out = await run({ CLAWNEX_DATA_DIR: "/tmp", CLAWNEX_DATABASE_URL: "mysql://x" }, "keys", "list");
  assert.equal(out.code, 2);
  assert.match(out.stderr, /CLAWNEX_DATABASE_URL/);
});

test("keys --help prints usage and exits 0", async () => {
  const out = await run({}, "keys", "--help");
  assert.equal(out.code, 0);
  assert.match(out.stdout, /clawnex keys create --name NAME --scopes/);
});
