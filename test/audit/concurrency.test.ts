// The server and the CLI are separate processes writing one chain. Appends race for real here:
// two child processes and this one append at once, and the result must be one gap-free chain.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { AuditLog } from "../../src/audit/audit-log.ts";
import { forEachBackend } from "../helpers/pg.ts";

const WORKER = fileURLToPath(new URL("./fixtures/append-worker.ts", import.meta.url));
const PER_WORKER = 60;

function runWorker(dataDir: string, url: string | undefined, actor: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WORKER, dataDir, url ?? "-", String(PER_WORKER), actor], { stdio: ["ignore", "inherit", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`worker ${actor} exited ${code}: ${stderr}`))));
  });
}

forEachBackend("audit log across processes", (backend) => {
  test("concurrent appends from three processes form one contiguous, valid chain", async () => {
    const store = await backend.fresh();
    const audit = new AuditLog(store.db);
    await audit.append({ actor: "parent", action: "start" });
    const url = store.env.CLAWNEX_DATABASE_URL;
    const local = (async () => {
      for (let i = 0; i < PER_WORKER; i++) await audit.append({ actor: "parent", action: "parent.append", details: { i } });
    })();
    await Promise.all([runWorker(store.dataDir, url, "w1"), runWorker(store.dataDir, url, "w2"), local]);

    const total = 1 + 3 * PER_WORKER;
    const result = await audit.verify();
    assert.deepEqual(result.ok && result.count, total, JSON.stringify(result));
    const seqs: number[] = [];
    const actors = new Map<string, number>();
    for (let cursor: string | undefined, more = true; more; ) {
      const page = await audit.list({ limit: 1000, cursor });
      for (const e of page.events) {
        seqs.push(e.seq);
        actors.set(e.actor, (actors.get(e.actor) ?? 0) + 1);
      }
      cursor = page.nextCursor ?? undefined;
      more = page.nextCursor !== null;
    }
    assert.deepEqual(seqs, Array.from({ length: total }, (_, i) => i + 1));
    assert.deepEqual(Object.fromEntries(actors), { parent: PER_WORKER + 1, w1: PER_WORKER, w2: PER_WORKER });
  });
});
