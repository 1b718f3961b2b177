// `clawnex scan` and `clawnex shield test` as a CI pipeline runs them: the real bin in a child
// process, exit statuses, stdout formats.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { startTestServer, TEST_BLOCK_RULE, type TestServer } from "../helpers/server.ts";

const BIN = fileURLToPath(new URL("../../bin/clawnex.js", import.meta.url));

function clawnex(args: string[], options: { env?: NodeJS.ProcessEnv; input?: string } = {}) {
  const result = spawnSync(process.execPath, [BIN, ...args], { input: options.input ?? "", env: { PATH: process.env.PATH, ...options.env }, encoding: "utf8", timeout: 30_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Async variant: needed when the server under test runs in this process (spawnSync would block it). */
function clawnexAsync(args: string[], options: { env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH, ...options.env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}

describe("clawnex scan", () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;

  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), "clawnex-cli-"));
    mkdirSync(join(dataDir, "rules"));
    writeFileSync(join(dataDir, "rules", "testing.yaml"), TEST_BLOCK_RULE);
    env = { CLAWNEX_DATA_DIR: dataDir };
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it("scans an argument and exits 0 when nothing is blocked", () => {
    const r = clawnex(["scan", "What is the capital of France?"], { env });
    assert.equal(r.status, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.equal(result.verdict, "ALLOW");
    assert.equal(result.score, 0);
    assert.deepEqual(result.detections, []);
  });

  it("exits 1 when the text is blocked", () => {
    const r = clawnex(["scan", "please zz-block-me"], { env });
    assert.equal(r.status, 1);
    assert.equal(JSON.parse(r.stdout).verdict, "BLOCK");
  });

  it("scans stdin and files", () => {
    assert.equal(clawnex(["scan"], { env, input: "zz-block-me from stdin" }).status, 1);
    const file = join(dataDir, "prompt.txt");
    writeFileSync(file, "a harmless file");
    const r = clawnex(["scan", "--file", file], { env });
    assert.equal(r.status, 0);
    assert.equal(JSON.parse(r.stdout).text_length, "a harmless file".length);
  });

  it("fails on REVIEW only with --fail-on review", () => {
    assert.equal(clawnex(["scan", "zz-review-me"], { env }).status, 0);
    assert.equal(clawnex(["scan", "--fail-on", "review", "zz-review-me"], { env }).status, 1);
  });

  it("reads JSONL and writes one result per line, in order, accepting direction synonyms", () => {
    const lines = [
      { text: "hello" },
      { text: "zz-block-me", direction: "input" },
      { text: "the weather is nice", direction: "output" },
      { text: "zz-review-me", direction: "outbound" },
    ];
    const r = clawnex(["scan", "--jsonl"], { env, input: lines.map((l) => JSON.stringify(l)).join("\n") + "\n" });
    assert.equal(r.status, 1, "one line is BLOCK");
    const results = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(results.map((x) => x.verdict), ["ALLOW", "BLOCK", "ALLOW", "REVIEW"]);
    assert.deepEqual(results.map((x) => x.direction), ["inbound", "inbound", "outbound", "outbound"]);
    for (const x of results) assert.ok(Array.isArray(x.detections) && typeof x.score === "number");
  });

  it("exits 2 for usage errors: unknown flags, bad direction, bad JSONL, missing file", () => {
    assert.equal(clawnex(["scan", "--bogus"], { env }).status, 2);
    assert.equal(clawnex(["scan", "--direction", "sideways", "x"], { env }).status, 2);
    assert.equal(clawnex(["scan", "--file", join(dataDir, "missing.txt")], { env }).status, 2);
    const bad = clawnex(["scan", "--jsonl"], { env, input: '{"text":"ok"}\nnot json\n' });
    assert.equal(bad.status, 2);
    assert.equal(bad.stdout.trim().split("\n").length, 2, "the good line is still answered");
    assert.equal(clawnex(["nonsense"], { env }).status, 2);
  });

  it("reports a bad configuration value clearly and exits 2", () => {
    const r = clawnex(["scan", "x"], { env: { ...env, CLAWNEX_SHIELD_MODE: "LOUD" } });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /CLAWNEX_SHIELD_MODE: must be OBSERVE or BLOCK/);
  });

  it("refuses a backtracking-prone custom rule at load with the rule named", () => {
    const dir = mkdtempSync(join(tmpdir(), "clawnex-badrule-"));
    mkdirSync(join(dir, "rules"));
    writeFileSync(join(dir, "rules", "bad.yaml"), "family: mine\ndefaults: { category: custom }\nrules:\n  - id: mine.evil\n    title: Evil pattern\n    severity: high\n    confidence: 0.9\n    keywords: [aaa]\n    patterns: ['(a+)+$']\n");
    try {
      const r = clawnex(["scan", "x"], { env: { CLAWNEX_DATA_DIR: dir } });
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /mine\.evil.*refused/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("clawnex scan --url (through a running server)", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it("scans through the server with CLAWNEX_API_KEY and records the scans", async () => {
    const { key } = await server.createKey(["shield:scan"]);
    const r = await clawnexAsync(["scan", "--url", server.url, "--jsonl"], { env: { CLAWNEX_API_KEY: key }, input: '{"text":"zz-block-me"}\n{"text":"fine"}\n' });
    assert.equal(r.status, 1, r.stderr);
    const results = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(results.map((x) => x.verdict), ["BLOCK", "ALLOW"]);
    const rows = await server.services.store.db.selectFrom("scans").select(["id", "source"]).execute();
    assert.ok(results.every((x) => rows.some((row) => row.id === x.id && row.source === "cli")));
  });

  it("needs a key for --url (usage error)", async () => {
    assert.equal((await clawnexAsync(["scan", "--url", server.url, "x"])).status, 2);
  });
});

describe("clawnex shield test", () => {
  it("runs every rule's samples and passes on the shipped rules", () => {
    const dir = mkdtempSync(join(tmpdir(), "clawnex-selftest-"));
    try {
      const r = clawnex(["shield", "test"], { env: { CLAWNEX_DATA_DIR: dir } });
      assert.equal(r.status, 0, r.stdout.split("\n").filter((l) => l.startsWith("FAIL")).slice(0, 10).join("\n"));
      assert.match(r.stdout, /^\d+ passed, 0 failed$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("checks a user's expected-verdict file and reports failures with exit 1", () => {
    const dir = mkdtempSync(join(tmpdir(), "clawnex-cases-"));
    mkdirSync(join(dir, "rules"));
    writeFileSync(join(dir, "rules", "testing.yaml"), TEST_BLOCK_RULE);
    const cases = join(dir, "cases.jsonl");
    writeFileSync(cases, [JSON.stringify({ text: "zz-block-me", expect: "BLOCK" }), JSON.stringify({ text: "hello", expect: "BLOCK", name: "wrong on purpose" })].join("\n"));
    try {
      const r = clawnex(["shield", "test", cases, "--json"], { env: { CLAWNEX_DATA_DIR: dir } });
      assert.equal(r.status, 1);
      const report = JSON.parse(r.stdout);
      assert.equal(report.passed, 1);
      assert.equal(report.failed, 1);
      assert.equal(report.failures[0].case, "wrong on purpose");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
