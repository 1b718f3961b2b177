// Cursor pagination as a client pages and an attacker tampers: keyset order, no row skipped or
// repeated while rows are inserted between pages, tamper-proof cursors, limit bounds.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer } from "../helpers/server.ts";
import { client, type FleetClient } from "./client.ts";
import { type BackendDatabase, backends } from "./backends.ts";

async function collect(api: FleetClient, path: string, between?: (page: number) => Promise<void>): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 1000; page++) {
    const sep = path.includes("?") ? "&" : "?";
    const res = await api.get(cursor ? `${path}${sep}cursor=${encodeURIComponent(cursor)}` : path);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    ids.push(...res.body.data.map((x: { id: string }) => x.id));
    assert.equal(res.body.has_more, res.body.next_cursor !== null);
    if (!res.body.has_more) return ids;
    cursor = res.body.next_cursor;
    await between?.(page);
  }
  throw new Error("too many pages");
}

for (const backend of backends()) describe(`fleet list pagination [${backend.name}]`, () => {
  let database: BackendDatabase;
  let server: TestServer;
  let api: FleetClient;
  const initial: string[] = [];

  before(async () => {
    database = await backend.open();
    server = await startTestServer({ env: database.env });
    api = client(server, (await server.createKey(["agents:read", "agents:write", "tasks:read"], { workspace: "paging" })).key);
    for (let i = 0; i < 23; i++) initial.push((await api.post("/agents", { name: `p${i}`, model: "m" })).body.id);
  });
  after(async () => {
    await server.close();
    await database.drop();
  });

  it("pages newest first by default and oldest first with order=asc, with the list envelope", async () => {
    const first = await api.get("/agents?limit=5");
    assert.deepEqual(Object.keys(first.body).sort(), ["data", "has_more", "next_cursor"]);
    assert.equal(first.body.data.length, 5);
    assert.equal(first.body.has_more, true);
    const desc = await collect(api, "/agents?limit=5");
    assert.deepEqual(desc, [...initial].reverse());
    const asc = await collect(api, "/agents?limit=7&order=asc");
    assert.deepEqual(asc, initial);
    const all = await api.get("/agents?limit=100");
    assert.equal(all.body.has_more, false);
    assert.equal(all.body.next_cursor, null);
  });

  it("neither skips nor repeats a row while rows are inserted between pages", async () => {
    for (const order of ["asc", "desc"] as const) {
      const inserted: string[] = [];
      const before = (await collect(api, `/agents?limit=100&order=${order}`)).length;
      const seen = await collect(api, `/agents?limit=4&order=${order}`, async () => {
        const results = await Promise.all([0, 1, 2].map((i) => api.post("/agents", { name: `late-${order}-${i}`, model: "m" })));
        inserted.push(...results.map((r) => r.body.id));
      });
      assert.equal(new Set(seen).size, seen.length, "no row repeated");
      const existing = (await collect(api, `/agents?limit=100&order=${order}`)).filter((id) => !inserted.includes(id));
      assert.equal(existing.length, before);
      for (const id of existing) assert.ok(seen.includes(id), `row ${id} that existed before paging was skipped`);
      // Ascending pages also reach the rows inserted meanwhile (they sort after the cursor).
      if (order === "asc") for (const id of inserted) assert.ok(seen.includes(id));
    }
  });

  it("refuses a modified, forged or foreign cursor with 400", async () => {
    const page = await api.get("/agents?limit=2");
    const cursor: string = page.body.next_cursor;
    const [body, tag] = cursor.split(".") as [string, string];
    const position = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
    const forgedBody = Buffer.from(JSON.stringify({ ...position, i: "agt_00000000000000000000000000" })).toString("base64url");
    // The first character carries six full bits of the tag (the last one has padding bits).
    const flipped = (tag.startsWith("A") ? "B" : "A") + tag.slice(1);
    for (const bad of [`${forgedBody}.${tag}`, `${body}.${flipped}`, "garbage", `${body}`, `${cursor}.x`]) {
      const res = await api.get(`/agents?cursor=${encodeURIComponent(bad)}`);
      assert.equal(res.status, 400, bad);
      assert.equal(res.body.error.code, "invalid_request");
    }
    // A genuine cursor of another list (or another order) is refused too.
    assert.equal((await api.get(`/tasks?cursor=${encodeURIComponent(cursor)}`)).status, 400);
    assert.equal((await api.get(`/agents?order=asc&cursor=${encodeURIComponent(cursor)}`)).status, 400);
  });

  it("bounds limit to 1..100", async () => {
    for (const limit of ["0", "101", "-1", "abc", "1.5"]) assert.equal((await api.get(`/agents?limit=${limit}`)).status, 400, limit);
    assert.equal((await api.get("/agents?limit=100")).status, 200);
    assert.equal((await api.get("/agents")).body.data.length, 20, "default limit 20");
  });
});
