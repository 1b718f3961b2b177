// The Python SDK's unittest suite (sdk/python/tests), run with the system python3 against a live
// ClawNex started here: it must pass with none of its live tests skipped (the fleet one only when
// this server has no fleet API).
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer } from "../helpers/server.ts";

const python = spawnSync("python3", ["--version"], { encoding: "utf8" });
const skip = python.status === 0 ? false : "python3 is not installed: the Python SDK suite cannot run";

describe("Python SDK (sdk/python) against a live ClawNex", { skip }, () => {
  let server: TestServer;
  let key: string;
  before(async () => {
    server = await startTestServer({ env: { CLAWNEX_WEBHOOK_ALLOW_PRIVATE: "true" } });
    key = (await server.createKey(["admin"])).key;
  });
  after(() => server.close());

  it("passes python3 -m unittest discover -s sdk/python/tests", async () => {
    const env = { ...process.env, CLAWNEX_URL: server.url, CLAWNEX_API_KEY: key, PYTHONDONTWRITEBYTECODE: "1" };
    const child = spawn("python3", ["-m", "unittest", "discover", "-s", "sdk/python/tests", "-v"], { env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    assert.equal(code, 0, output);
    const ran = Number(/Ran (\d+) tests?/.exec(output)?.[1] ?? 0);
    assert.ok(ran >= 15, `only ${ran} Python tests ran:\n${output}`);
    const doc = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as { paths: Record<string, unknown> };
    const skipped = Number(/skipped=(\d+)/.exec(output)?.[1] ?? 0);
    assert.equal(skipped, doc.paths["/api/v1/agents"] ? 0 : 1, output);
  });
});
