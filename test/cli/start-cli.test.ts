// `clawnex start` (what `npm start` runs): serves on the configured loopback port with its data in
// CLAWNEX_DATA_DIR, and on SIGTERM/SIGINT shuts down cleanly — exit 0, nothing left pending, the
// SQLite WAL folded back into the database file.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../../bin/clawnex.js", import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test("clawnex start serves on loopback and stops cleanly on a signal", async () => {
  const dir = mkdtempSync(join(tmpdir(), "clawnex-start-"));
  try {
    const port = await freePort();
    const child = spawn(process.execPath, [BIN, "start"], { env: { PATH: process.env.PATH, CLAWNEX_DATA_DIR: dir, CLAWNEX_PORT: String(port), CLAWNEX_LOG_LEVEL: "warn" } });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    for (let i = 0; i < 150 && !stderr.includes("ClawNex listening on"); i++) await new Promise((r) => setTimeout(r, 100));
    assert.match(stderr, new RegExp(`ClawNex listening on http://127\\.0\\.0\\.1:${port}`));
    const health = await fetch(`http://127.0.0.1:${port}/api/v1/health`);
    assert.deepEqual(await health.json(), { status: "ok" });
    child.kill("SIGTERM");
    assert.equal(await exited, 0);
    assert.doesNotMatch(stderr, /unsettled top-level await|Error/);
    assert.ok(existsSync(join(dir, "clawnex.db")));
    assert.equal(existsSync(join(dir, "clawnex.db-wal")), false, "the WAL was checkpointed and removed on close");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
