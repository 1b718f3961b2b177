// API keys, tested as an attacker would probe them.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { AuditLog } from "../../src/audit/audit-log.ts";
import { KeyService } from "../../src/auth/keys.ts";
import { SCOPES } from "../../src/auth/scopes.ts";
import { AppError } from "../../src/errors.ts";
import type { Store } from "../../src/store/database.ts";
import { forEachBackend } from "../helpers/pg.ts";

const KEY_FORMAT = /^cnx_[0-9A-Za-z]{8}_[0-9A-Za-z]{32}$/;

function manualClock(start = "2024-06-01T00:00:00.000Z") {
  let now = Date.parse(start);
  return { now: () => new Date(now), advance: (ms: number) => void (now += ms) };
}

function services(store: Store, clock: () => Date = () => new Date()) {
  const audit = new AuditLog(store.db, clock);
  return { audit, keys: new KeyService(store.db, audit, clock) };
}

const isAppError = (code: string, message?: RegExp) => (err: unknown) =>
  err instanceof AppError && err.code === code && (message === undefined || message.test(err.message));

/** The secret part of a key: everything after the public prefix. */
const secretOf = (key: string) => key.slice("cnx_12345678_".length);

forEachBackend("api keys", (backend) => {
  test("create returns a well-formed key once and stores only its sha256", async () => {
    const store = await backend.fresh();
    const { keys } = services(store);
    const { key, record } = await keys.create({ name: "ci", scopes: ["shield:scan", "chat", "chat"] }, "cli");
    assert.match(key, KEY_FORMAT);
    assert.equal(record.prefix, key.slice(0, 12));
    assert.deepEqual(record.scopes, ["shield:scan", "chat"]);
    assert.equal(record.status, "active");
    assert.equal(record.workspace, "default");
    assert.equal(record.expiresAt, null);
    const row = await store.db.selectFrom("api_keys").selectAll().executeTakeFirstOrThrow();
    assert.equal(row.key_hash, createHash("sha256").update(key).digest("hex"));
    assert.ok(!JSON.stringify(row).includes(secretOf(key)), "the secret is not stored anywhere in the row");
  });

  test("keys are unique and unpredictable", async () => {
    const store = await backend.fresh();
    const { keys } = services(store);
    const made = await Promise.all(Array.from({ length: 20 }, (_, i) => keys.create({ name: `k${i}`, scopes: ["chat"] }, "cli")));
    assert.equal(new Set(made.map((m) => m.key)).size, 20);
    assert.equal(new Set(made.map((m) => m.record.prefix)).size, 20);
    assert.equal(new Set(made.map((m) => m.record.id)).size, 20);
  });

  test("list never exposes hashes or secrets", async () => {
    const store = await backend.fresh();
    const { keys } = services(store);
    const a = await keys.create({ name: "a", scopes: ["admin"] }, "cli");
    const b = await keys.create({ name: "b", scopes: ["fleet:read"], workspace: "team" }, "cli");
    const listed = await keys.list();
    const text = JSON.stringify(listed);
    for (const { key } of [a, b]) {
      assert.ok(!text.includes(secretOf(key)));
      assert.ok(!text.includes(createHash("sha256").update(key).digest("hex")));
    }
    assert.ok(!/hash/i.test(text));
    assert.deepEqual(Object.keys(listed[0] ?? {}).sort(), ["createdAt", "expiresAt", "id", "lastUsedAt", "name", "prefix", "revokedAt", "scopes", "status", "workspace"]);
    assert.deepEqual((await keys.list("team")).map((r) => r.name), ["b"]);
  });

  test("authenticate accepts the exact key and nothing else", async () => {
    const store = await backend.fresh();
    const { keys } = services(store);
    const { key, record } = await keys.create({ name: "ci", scopes: ["shield:scan"] }, "cli");
    const ok = await keys.authenticate(key);
    assert.equal(ok?.id, record.id);
    assert.deepEqual(ok?.scopes, ["shield:scan"]);

    const other = await keys.create({ name: "other", scopes: ["chat"] }, "cli");
    const flip = (c: string) => (c === "a" ? "b" : "a");
    const attempts = [
      "",
      "cnx_",
      "not-a-key",
      `${key} `,
      ` ${key}`,
      key.toUpperCase(),
      key.slice(0, -1),
      `${key}x`,
      `${key.slice(0, -1)}${flip(key.slice(-1))}`, // right prefix, secret off by one char
      `${record.prefix}_${"A".repeat(32)}`, // right prefix, wrong secret
      `${record.prefix}_${secretOf(other.key)}`, // right prefix, another key's secret
      `${other.record.prefix}_${secretOf(key)}`, // another key's prefix, this secret
      `cnx_ZZZZZZZZ_${secretOf(key)}`, // unknown prefix
      key.replace("cnx_", "cnk_"),
    ];
    for (const attempt of attempts) assert.equal(await keys.authenticate(attempt), null, JSON.stringify(attempt));
  });

  test("malformed keys are rejected without touching the database", async () => {
    const store = await backend.fresh();
    const other = await store.connect();
    const { keys } = services(other);
    await other.close();
    // The connection is gone: any query would throw. Malformed input must still just be null.
    for (const attempt of ["", "Bearer x", "cnx_short_secret", "x".repeat(10_000)]) assert.equal(await keys.authenticate(attempt), null);
    await assert.rejects(keys.authenticate(`cnx_AAAAAAAA_${"A".repeat(32)}`), "a well-formed key does query");
  });

  test("expired keys stop authenticating at their expiry instant", async () => {
    const store = await backend.fresh();
    const clock = manualClock();
    const { keys } = services(store, clock.now);
    const { key, record } = await keys.create({ name: "short", scopes: ["chat"], expiresInMs: 60_000 }, "cli");
    assert.equal(record.expiresAt, "2024-06-01T00:01:00.000Z");
    clock.advance(59_999);
    assert.equal((await keys.authenticate(key))?.id, record.id);
    clock.advance(1);
    assert.equal(await keys.authenticate(key), null);
    assert.equal((await keys.list())[0]?.status, "expired");
  });

  test("a key revoked from another connection is refused on the very next request", async () => {
    const store = await backend.fresh();
    const server = services(store);
    const { key, record } = await server.keys.create({ name: "victim", scopes: ["admin"] }, "cli");
    assert.ok(await server.keys.authenticate(key), "works before revocation (and warms any cache)");

    const cliStore = await store.connect(); // like `clawnex keys revoke` in another process
    const cli = services(cliStore);
    const revoked = await cli.keys.revoke(record.id, "cli");
    assert.equal(revoked.status, "revoked");
    await cliStore.close();

    assert.equal(await server.keys.authenticate(key), null);
    assert.equal((await server.keys.list())[0]?.status, "revoked");
  });

  test("expiry set directly in the database by another process applies immediately", async () => {
    const store = await backend.fresh();
    const { keys } = services(store);
    const { key, record } = await keys.create({ name: "k", scopes: ["chat"] }, "cli");
    assert.ok(await keys.authenticate(key));
    const other = await store.connect();
    await other.db.updateTable("api_keys").set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where("id", "=", record.id).execute();
    assert.equal(await keys.authenticate(key), null);
  });

  test("revoke is idempotent and audited once; unknown ids are not_found", async () => {
    const store = await backend.fresh();
    const { keys, audit } = services(store);
    const { record } = await keys.create({ name: "k", scopes: ["chat"] }, "admin-user");
    const first = await keys.revoke(record.id, "cli");
    const second = await keys.revoke(record.id, "cli");
    assert.equal(second.revokedAt, first.revokedAt);
    const actions = (await audit.list()).events.map((e) => e.action);
    assert.deepEqual(actions, ["key.created", "key.revoked"]);
    await assert.rejects(keys.revoke("key_doesnotexist", "cli"), isAppError("not_found"));
    assert.equal((await audit.verify()).ok, true);
  });

  test("unknown scopes, empty scopes and empty names are rejected and nothing is stored", async () => {
    const store = await backend.fresh();
    const { keys, audit } = services(store);
    const listsValid = new RegExp(SCOPES.join(".*"));
    await assert.rejects(keys.create({ name: "x", scopes: ["shield:scan", "root"] }, "cli"), isAppError("invalid_request", /root/));
    await assert.rejects(keys.create({ name: "x", scopes: ["*"] }, "cli"), isAppError("invalid_request", listsValid));
    await assert.rejects(keys.create({ name: "x", scopes: [] }, "cli"), isAppError("invalid_request"));
    await assert.rejects(keys.create({ name: "", scopes: ["chat"] }, "cli"), isAppError("invalid_request", /name/));
    await assert.rejects(keys.create({ name: "   ", scopes: ["chat"] }, "cli"), isAppError("invalid_request", /name/));
    await assert.rejects(keys.create({ name: "x", scopes: ["chat"], expiresInMs: 0 }, "cli"), isAppError("invalid_request"));
    await assert.rejects(keys.create({ name: "x", scopes: ["chat"], workspace: "" }, "cli"), isAppError("invalid_request"));
    assert.deepEqual(await keys.list(), []);
    assert.deepEqual((await audit.list()).events, []);
  });

  test("audit events describe key changes without ever containing the key", async () => {
    const store = await backend.fresh();
    const { keys, audit } = services(store);
    const { key, record } = await keys.create({ name: "ci", scopes: ["chat"], expiresInMs: 3_600_000, workspace: "team" }, "alice");
    await keys.revoke(record.id, "cli");
    const [created, revoked] = (await audit.list()).events;
    assert.equal(created?.action, "key.created");
    assert.equal(created?.actor, "alice");
    assert.equal(created?.target, record.id);
    assert.equal(created?.workspace, "team");
    assert.deepEqual(created?.details, { id: record.id, name: "ci", prefix: record.prefix, scopes: ["chat"], expires_at: record.expiresAt });
    assert.equal(revoked?.action, "key.revoked");
    assert.deepEqual(revoked?.details, { id: record.id, name: "ci", prefix: record.prefix });
    const rows = JSON.stringify(await store.db.selectFrom("audit_events").selectAll().execute());
    assert.ok(!rows.includes(secretOf(key)));
    assert.ok(!rows.includes(createHash("sha256").update(key).digest("hex")));
  });

  test("last use is recorded at most once a minute", async () => {
    const store = await backend.fresh();
    const clock = manualClock();
    const { keys } = services(store, clock.now);
    const { key, record } = await keys.create({ name: "k", scopes: ["chat"] }, "cli");
    const lastUsed = async () => (await keys.get(record.id))?.lastUsedAt;
    assert.equal(await lastUsed(), null);
    await keys.authenticate(key);
    assert.equal(await lastUsed(), "2024-06-01T00:00:00.000Z");
    clock.advance(30_000);
    await keys.authenticate(key);
    assert.equal(await lastUsed(), "2024-06-01T00:00:00.000Z");
    clock.advance(30_000);
    await keys.authenticate(key);
    assert.equal(await lastUsed(), "2024-06-01T00:01:00.000Z");
  });
});
