// The openclaw CLI commands, run in-process through the real dispatcher: watch, trust, instances,
// openclaw connect / --revert.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import JSON5 from "json5";
import { main } from "../../src/cli/main.ts";
import { FIXTURES_DIR, FixtureStateDir, corpusTranscript, tempDir } from "../fixtures/openclaw/state-dir-writer.ts";
import { captureIo } from "../helpers/io.ts";

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { CLAWNEX_DATA_DIR: tempDir("clawnex-cli-oc-"), CLAWNEX_LOG_LEVEL: "silent", ...extra };
}

function toolState(): FixtureStateDir {
  const state = new FixtureStateDir();
  const db = state.agentDb("main");
  db.addSession("c1cfc8f6-8bc8-4f62-a3e2-34c94f92f5e7", "agent:main:tooltest");
  for (const line of corpusTranscript("tooltest")) db.append("c1cfc8f6-8bc8-4f62-a3e2-34c94f92f5e7", line);
  db.close();
  return state;
}

describe("clawnex watch", () => {
  test("--once --json prints counts and detections naming agent, session, event, role, verdict and rules", async () => {
    const state = toolState();
    const e = env();
    const io = captureIo(e);
    assert.equal(await main(["watch", "--once", state.root, "--json"], io), 0, io.err());
    const out = JSON.parse(io.out()) as { eventsRead: number; eventsSkipped: number; detections: Array<Record<string, unknown>> };
    assert.equal(out.eventsRead, 10);
    assert.equal(out.eventsSkipped, 0);
    const d = out.detections.find((x) => x.role === "toolResult");
    assert.ok(d);
    for (const key of ["agent", "session", "eventId", "role", "verdict", "ruleIds"]) assert.ok(key in d, key);
    assert.equal(d.agent, "main");
    assert.equal(d.eventId, "1f64a892-e230-4ba2-8a5d-7707056443c7");

    const again = captureIo(e);
    assert.equal(await main(["watch", "--once", state.root, "--json"], again), 0);
    assert.equal((JSON.parse(again.out()) as { eventsRead: number }).eventsRead, 0, "resumes from the checkpoint");
    const rescan = captureIo(e);
    assert.equal(await main(["watch", "--once", state.root, "--rescan"], rescan), 0);
    assert.match(rescan.out(), /events\s+10 read, 0 skipped/);
    assert.match(rescan.out(), /toolResult \(tool call call_fake_2\)/);
  });

  test("without STATE_DIR it follows OpenClaw's rules (OPENCLAW_STATE_DIR); usage errors exit 2", async () => {
    const state = toolState();
    const io = captureIo(env({ OPENCLAW_STATE_DIR: state.root }));
    assert.equal(await main(["watch", "--once", "--json"], io), 0, io.err());
    assert.equal((JSON.parse(io.out()) as { stateDir: string }).stateDir, state.root);
    const bad = captureIo(env());
    assert.equal(await main(["watch", "--once", "a", "b"], bad), 2);
    assert.equal(await main(["watch", "--interval", "0"], captureIo(env())), 2);
  });
});

describe("clawnex trust", () => {
  test("audit --json prints findings with checkId, severity, title, evidence, remediation; --fail-on exits 1", async () => {
    const state = new FixtureStateDir();
    state.config(readFileSync(join(FIXTURES_DIR, "audit", "open-dm-coding.openclaw.json5"), "utf8"));
    const io = captureIo(env());
    assert.equal(await main(["trust", "audit", state.root, "--json"], io), 0, io.err());
    const out = JSON.parse(io.out()) as { findings: Array<Record<string, unknown>> };
    assert.ok(out.findings.length > 0);
    for (const f of out.findings) for (const key of ["checkId", "severity", "title", "evidence", "remediation"]) assert.equal(typeof f[key], "string", `${key} of ${String(f.checkId)}`);
    assert.ok(out.findings.some((f) => f.checkId === "security.exposure.open_groups_with_runtime_or_fs"));
    assert.equal(await main(["trust", "audit", state.root, "--fail-on", "critical"], captureIo(env())), 1);
    const text = captureIo(env());
    await main(["trust", "audit", state.root], text);
    assert.match(text.out(), /\[CRITICAL\] channels\.telegram\.dm\.open/);
  });

  test("merges an `openclaw security audit --json` file; matrix and blast-radius print the reachability model", async () => {
    const state = new FixtureStateDir();
    state.config(readFileSync(join(FIXTURES_DIR, "audit", "loopback-no-auth.openclaw.json5"), "utf8"));
    const io = captureIo(env());
    assert.equal(await main(["trust", "audit", state.root, "--json", "--openclaw-audit", join(FIXTURES_DIR, "audit", "loopback-no-auth.security-audit.json")], io), 0);
    const findings = (JSON.parse(io.out()) as { findings: Array<{ checkId: string; source: string }> }).findings;
    assert.ok(findings.some((f) => f.checkId === "gateway.trusted_proxies_missing" && f.source === "openclaw"));
    const matrix = captureIo(env());
    assert.equal(await main(["trust", "matrix", state.root, "--json"], matrix), 0);
    assert.ok((JSON.parse(matrix.out()) as { principals: Array<{ id: string }> }).principals.some((p) => p.id === "gateway:operators"));
    const radius = captureIo(env());
    assert.equal(await main(["trust", "blast-radius", state.root], radius), 0);
    assert.match(radius.out(), /gateway:operators/);
    assert.equal(await main(["trust", "nope"], captureIo(env())), 2);
    assert.equal(await main(["trust", "audit", state.root, "--openclaw-audit", "/nonexistent.json"], captureIo(env())), 2);
  });
});

describe("clawnex instances", () => {
  test("add, list, poll and remove, all recorded in the audit trail", async () => {
    const e = env();
    const add = captureIo(e);
    assert.equal(await main(["instances", "add", "--name", "lab", "--gateway-url", "http://127.0.0.1:9/", "--token-env", "LAB_TOKEN"], add), 0, add.err());
    assert.equal(await main(["instances", "add", "--name", "lab", "--gateway-url", "http://127.0.0.1:9/"], captureIo(e)), 2, "duplicate name");
    assert.equal(await main(["instances", "add", "--name", "bad", "--gateway-url", "ftp://x"], captureIo(e)), 2);
    const list = captureIo(e);
    assert.equal(await main(["instances", "list", "--json"], list), 0);
    const [instance] = JSON.parse(list.out()) as Array<{ name: string; tokenEnv: string; origin: string }>;
    assert.equal(instance?.name, "lab");
    assert.equal(instance?.tokenEnv, "LAB_TOKEN");
    assert.equal(instance?.origin, "cli");
    const poll = captureIo(e);
    assert.equal(await main(["instances", "poll", "lab"], poll), 1, "the gateway did not answer");
    assert.match(poll.out(), /lab  cli  unknown/);
    assert.match(poll.out(), /last error: /);
    assert.equal(await main(["instances", "remove", "lab"], captureIo(e)), 0);
    assert.equal(await main(["instances", "remove", "lab"], captureIo(e)), 2);
    const audit = captureIo(e);
    await main(["audit", "list", "--json"], audit);
    assert.match(audit.out(), /openclaw\.instance\.add/);
    assert.match(audit.out(), /openclaw\.instance\.remove/);
  });
});

describe("clawnex openclaw connect", () => {
  test("adds a ClawNex provider, re-points the agents, backs up the config, and --revert restores it byte for byte", async () => {
    const state = new FixtureStateDir();
    const original = `// hand-written, with a comment\n${readFileSync(join(FIXTURES_DIR, "openclaw.onboard-generated.json"), "utf8")}`;
    const path = state.config(original);
    const dry = captureIo(env());
    assert.equal(await main(["openclaw", "connect", state.root, "--url", "http://127.0.0.1:5999", "--dry-run"], dry), 0, dry.err());
    assert.equal(readFileSync(path, "utf8"), original, "--dry-run writes nothing");
    const io = captureIo(env());
    assert.equal(await main(["openclaw", "connect", state.root, "--url", "http://127.0.0.1:5999", "--key-env", "CLAWNEX_KEY", "--json"], io), 0, io.err());
    const result = JSON.parse(io.out()) as { backupPath: string; models: string[]; upstreams: Array<{ provider: string; baseUrl: string }> };
    assert.deepEqual(result.models, ["fake-model"]);
    assert.deepEqual(result.upstreams, [{ provider: "fakegw", baseUrl: "http://127.0.0.1:9300/v1" }]);
    const written = JSON5.parse(readFileSync(path, "utf8")) as { models: { providers: Record<string, { baseUrl: string; apiKey: string; models: Array<{ id: string; contextWindow: number }> }> }; agents: { defaults: { model: { primary: string } } } };
    assert.equal(written.models.providers.clawnex?.baseUrl, "http://127.0.0.1:5999/v1");
    assert.equal(written.models.providers.clawnex?.apiKey, "${CLAWNEX_KEY}");
    assert.equal(written.models.providers.clawnex?.models[0]?.contextWindow, 128000, "the model's catalogue entry is kept");
    assert.equal(written.agents.defaults.model.primary, "clawnex/fake-model");
    assert.equal(readFileSync(result.backupPath, "utf8"), original);
    const audit = captureIo(env());
    await main(["trust", "audit", state.root, "--json"], audit);
    assert.ok(!(JSON.parse(audit.out()) as { findings: Array<{ checkId: string }> }).findings.some((f) => f.checkId === "clawnex.providers.default_model_bypasses_gateway"));

    assert.equal(await main(["openclaw", "connect", state.root, "--revert"], captureIo(env())), 0);
    assert.equal(readFileSync(path, "utf8"), original, "restored byte for byte");
    assert.equal(await main(["openclaw", "connect", state.root, "--revert"], captureIo(env())), 1, "nothing to revert");
  });

  test("--revert refuses when the config changed since, unless --force", async () => {
    const state = new FixtureStateDir();
    const path = state.config(readFileSync(join(FIXTURES_DIR, "openclaw.minimal.json"), "utf8"));
    assert.equal(await main(["openclaw", "connect", state.root, "--url", "http://127.0.0.1:5999"], captureIo(env())), 0);
    writeFileSync(path, `${readFileSync(path, "utf8")}\n`);
    const refused = captureIo(env());
    assert.equal(await main(["openclaw", "connect", state.root, "--revert"], refused), 1);
    assert.match(refused.err(), /changed since/);
    assert.equal(await main(["openclaw", "connect", state.root, "--revert", "--force"], captureIo(env())), 0);
    assert.equal(await main(["openclaw", "connect", state.root, "--key", "a", "--key-env", "B"], captureIo(env())), 2);
  });
});
