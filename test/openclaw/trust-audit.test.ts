// The trust audit on OpenClaw configs: JSON5 + $include + ${ENV}, old and new key names, pairing
// allowlists from files and the state database, parity with the criticals a real OpenClaw
// 2026.9.6 `security audit --json` reported for the same configs, and the reachability model.
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { describe, test } from "node:test";
import { runTrustAudit } from "../../src/openclaw/trust/audit.ts";
import { effectiveTools } from "../../src/openclaw/trust/tools.ts";
import { FIXTURES_DIR, FixtureStateDir } from "../fixtures/openclaw/state-dir-writer.ts";

const AUDIT_DIR = join(FIXTURES_DIR, "audit");
const CLAWNEX = ["http://127.0.0.1:5001"];

function audit(state: FixtureStateDir, env: Record<string, string> = {}, openclawAudit?: unknown) {
  return runTrustAudit({ stateDir: state.root, env: (name) => env[name], clawnexOrigins: CLAWNEX, openclawAudit });
}

function withConfig(text: string, stateMode = 0o700, configMode = 0o600): FixtureStateDir {
  const state = new FixtureStateDir();
  const path = state.config(text);
  chmodSync(path, configMode);
  chmodSync(state.root, stateMode);
  return state;
}

describe("trust audit", () => {
  for (const [name, stateMode, configMode] of [["risky", 0o777, 0o644], ["open-dm-coding", 0o700, 0o600], ["lan-no-auth", 0o700, 0o600], ["loopback-no-auth", 0o700, 0o600]] as const) {
    test(`reports every critical finding OpenClaw's own audit reported (${name})`, () => {
      const state = withConfig(readFileSync(join(AUDIT_DIR, `${name}.openclaw.json5`), "utf8"), stateMode, configMode);
      const theirs = (JSON.parse(readFileSync(join(AUDIT_DIR, `${name}.security-audit.json`), "utf8")) as { findings: Array<{ checkId: string; severity: string }> }).findings;
      const ours = audit(state).findings;
      const criticals = theirs.filter((f) => f.severity === "critical").map((f) => f.checkId);
      assert.ok(criticals.length > 0);
      for (const checkId of criticals) {
        const match = ours.find((f) => f.checkId === checkId);
        assert.ok(match, `${checkId} missing from ours: ${ours.map((f) => f.checkId).join(", ")}`);
        assert.equal(match.severity, "critical", checkId);
        assert.equal(match.source, "clawnex");
      }
    });
  }

  test("the config onboarding wrote, which OpenClaw's audit finds no critical in, gets no critical from ours either", () => {
    const state = withConfig(readFileSync(join(FIXTURES_DIR, "openclaw.onboard-generated.json"), "utf8"));
    const theirs = JSON.parse(readFileSync(join(FIXTURES_DIR, "security-audit.json"), "utf8")) as { summary: { critical: number } };
    assert.equal(theirs.summary.critical, 0);
    const report = audit(state);
    assert.equal(report.summary.critical, 0, report.findings.filter((f) => f.severity === "critical").map((f) => f.checkId).join(", "));
    const ids = report.findings.map((f) => f.checkId);
    for (const id of ["gateway.token_too_short", "clawnex.secrets.plaintext_provider_key", "clawnex.providers.bypass_gateway"]) assert.ok(ids.includes(id), id);
  });

  test("findings carry a stable id, severity, evidence path and remediation, and never a secret value", () => {
    const state = withConfig(readFileSync(join(AUDIT_DIR, "risky.openclaw.json5"), "utf8"), 0o777, 0o644);
    const report = audit(state);
    const text = JSON.stringify(report);
    for (const secret of ["short-token", "sk-fake-test-key", "123456:ABCDEFabcdef"]) assert.ok(!text.includes(secret), `${secret} leaked into the report`);
    const byId = new Map(report.findings.map((f) => [f.checkId, f]));
    assert.equal(byId.get("hooks.token_reuse_gateway_token")?.evidence, "hooks.token, gateway.auth.token");
    assert.equal(byId.get("channels.telegram.dm.open")?.evidence, "channels.telegram.dmPolicy");
    assert.equal(byId.get("gateway.token_too_short")?.severity, "high", "short token beyond loopback");
    assert.equal(byId.get("clawnex.secrets.plaintext_provider_key")?.evidence, "models.providers.ourgw.apiKey");
    assert.equal(byId.get("clawnex.providers.bypass_gateway")?.severity, "high");
    for (const f of report.findings) {
      assert.match(f.checkId, /^[a-z][A-Za-z0-9_.-]+$/);
      assert.ok(f.title && f.evidence && f.remediation, f.checkId);
    }
    assert.ok(report.summary.critical >= 9);
  });

  test("parses JSON5 with $include (merge rules, directory boundary) and ${ENV} references", () => {
    const state = new FixtureStateDir();
    mkdirSync(join(state.root, "conf"), { recursive: true });
    writeFileSync(join(state.root, "conf", "gateway.json5"), `{ bind: "lan", auth: { mode: "token", token: "\${GW_TOKEN}" }, port: 1, }`);
    writeFileSync(join(state.root, "conf", "a.json5"), `{ telegram: { dmPolicy: "allowlist", allowFrom: ["1"] } }`);
    writeFileSync(join(state.root, "conf", "b.json5"), `{ telegram: { allowFrom: ["*"], botToken: "\${TG_TOKEN}" } }`);
    state.config(`// comment
{
  gateway: { $include: "./conf/gateway.json5", port: 18789, controlUi: { allowedOrigins: ["https://ops.example"] } },
  channels: { $include: ["./conf/a.json5", "./conf/b.json5"] },
  models: { $include: "../outside.json5" },
  tools: { deny: ["$\${NOT_A_VAR}"] },
}`);
    const report = audit(state, { GW_TOKEN: "0123456789abcdef0123456789abcdef", TG_TOKEN: "tg" });
    const ids = report.findings.map((f) => f.checkId);
    assert.ok(ids.includes("channels.telegram.allowFrom.wildcard"), "array includes deep-merge in order");
    assert.ok(!ids.includes("gateway.bind_no_auth") && !ids.includes("gateway.token_too_short"), "the token comes from the environment and is long");
    assert.ok(!ids.includes("clawnex.secrets.gateway_token_in_config"), "an ${ENV} reference is not a plaintext secret");
    assert.ok(!ids.includes("clawnex.secrets.channel_token_in_config"));
    assert.ok(!ids.includes("gateway.control_ui.allowed_origins_required"), "sibling keys merge over the include");
    assert.ok(report.problems.some((p) => p.includes("outside the config directory")), report.problems.join("; "));
    const missing = audit(state, {});
    assert.ok(missing.problems.some((p) => p.includes("${GW_TOKEN}")));
  });

  test("accepts old and new key names: agents.list / agents.entries, tools.exec.security / mode, dm.policy / dmPolicy", () => {
    const oldStyle = withConfig(`{ agents: { list: [{ id: "ops", tools: { exec: { security: "full", ask: "off" } } }] }, channels: { discord: { dm: { policy: "open", allowFrom: ["*"] } } } }`);
    const newStyle = withConfig(`{ agents: { entries: { ops: { tools: { exec: { mode: "full" } } } } }, channels: { discord: { dmPolicy: "open", allowFrom: ["*"] } } }`);
    const a = audit(oldStyle);
    const b = audit(newStyle);
    const exec = (r: typeof a) => r.findings.find((f) => f.checkId === "tools.exec.security_full_configured");
    assert.equal(exec(a)?.evidence, "agents.list[0].tools.exec");
    assert.equal(exec(b)?.evidence, "agents.entries.ops.tools.exec");
    assert.equal(exec(a)?.severity, "critical", "open DMs reach a full-exec agent");
    assert.equal(a.findings.find((f) => f.checkId === "channels.discord.dm.open")?.evidence, "channels.discord.dm.policy");
    assert.equal(b.findings.find((f) => f.checkId === "channels.discord.dm.open")?.evidence, "channels.discord.dmPolicy");
    assert.deepEqual(a.matrix.agents.map((x) => x.id), ["ops"]);
  });

  test("reads pairing allowlists from legacy files and the state database into the reachability matrix", () => {
    const state = withConfig(`{ channels: { telegram: { dmPolicy: "pairing" }, signal: { dmPolicy: "allowlist", allowFrom: ["+15550001"], accounts: { work: {} } } }, tools: { profile: "messaging" } }`);
    mkdirSync(join(state.root, "credentials"), { mode: 0o700 });
    writeFileSync(join(state.root, "credentials", "telegram-allowFrom.json"), JSON.stringify({ allowFrom: ["111", "222", "*"] }));
    writeFileSync(join(state.root, "credentials", "signal-work-allowFrom.json"), JSON.stringify(["+15550002"]));
    mkdirSync(join(state.root, "state"), { mode: 0o700 });
    const db = new DatabaseSync(join(state.root, "state", "openclaw.sqlite"));
    db.exec("CREATE TABLE channel_pairing_allow_entries (channel_key TEXT NOT NULL, account_id TEXT NOT NULL, entry TEXT NOT NULL, sort_order INTEGER NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (channel_key, account_id, entry)) STRICT");
    db.prepare("INSERT INTO channel_pairing_allow_entries VALUES ('telegram', 'default', '333', 0, 0)").run();
    db.close();
    const report = audit(state);
    const principals = new Map(report.matrix.principals.map((p) => [p.id, p]));
    assert.equal(principals.get("telegram:default:dm")?.senders, 3, "111, 222 from the file, 333 from the database; '*' grants nothing");
    assert.equal(principals.get("telegram:default:dm")?.trust, "approved");
    assert.equal(principals.get("signal:work:dm")?.senders, 2, "the account inherits allowFrom and adds its own pairing file");
    assert.deepEqual(principals.get("telegram:default:dm")?.agents, ["main"]);
  });

  test("blast radius: open DMs on an unsandboxed coding agent reach the host shell; bindings route channels", () => {
    const state = withConfig(`{
      agents: { entries: { home: { tools: { profile: "coding" } }, kiosk: { tools: { profile: "messaging" }, sandbox: { mode: "all" } } } },
      bindings: [ { agentId: "home", match: { channel: "telegram" } }, { agentId: "kiosk", match: { channel: "discord", accountId: "*" } } ],
      channels: { telegram: { dmPolicy: "open", allowFrom: ["*"] }, discord: { groupPolicy: "open" } },
    }`);
    const report = audit(state);
    const radius = new Map(report.blastRadius.map((b) => [b.principal, b]));
    const telegram = radius.get("telegram:default:dm");
    assert.equal(telegram?.severity, "critical");
    assert.deepEqual(telegram?.agents, ["home"]);
    assert.ok(telegram?.tools.includes("exec"));
    assert.ok(telegram?.assets.some((a) => a.startsWith("shell on the gateway host")));
    const discord = radius.get("discord:default:groups");
    assert.deepEqual(discord?.agents, ["kiosk"]);
    assert.ok(!discord?.tools.includes("exec"));
    assert.ok(report.findings.some((f) => f.checkId === "clawnex.sandbox.off_with_untrusted_senders" && f.evidence.startsWith("agents.entries.home")));
    assert.ok(!report.findings.some((f) => f.checkId === "clawnex.sandbox.off_with_untrusted_senders" && f.evidence.startsWith("agents.entries.kiosk")));
  });

  test("merges `openclaw security audit --json` output: confirms ours, adds theirs with severities mapped", () => {
    const state = withConfig(readFileSync(join(AUDIT_DIR, "loopback-no-auth.openclaw.json5"), "utf8"));
    const theirs = JSON.parse(readFileSync(join(AUDIT_DIR, "loopback-no-auth.security-audit.json"), "utf8")) as unknown;
    const report = audit(state, {}, theirs);
    const loopback = report.findings.find((f) => f.checkId === "gateway.loopback_no_auth");
    assert.equal(loopback?.confirmedByOpenclaw, true);
    const proxies = report.findings.find((f) => f.checkId === "gateway.trusted_proxies_missing");
    assert.equal(proxies?.source, "openclaw");
    assert.equal(proxies?.severity, "medium", "warn maps to medium");
    assert.equal(report.findings.find((f) => f.checkId === "summary.attack_surface")?.severity, "info");
    const garbage = audit(state, {}, { nope: true });
    assert.ok(garbage.problems.some((p) => p.includes("no findings array")));
  });

  test("flags world-readable credentials, agent databases and unlisted plugins and skills", () => {
    const state = withConfig(`{ plugins: { allow: ["voice-call"], installs: { "voice-call": { source: "npm", spec: "@openclaw/voice-call@latest" } } } }`);
    mkdirSync(join(state.root, "credentials"), { mode: 0o755 });
    writeFileSync(join(state.root, "credentials", "oauth.json"), "{}", { mode: 0o644 });
    mkdirSync(join(state.root, "extensions", "sketchy"), { recursive: true });
    mkdirSync(join(state.root, "skills", "helper"), { recursive: true });
    const db = state.agentDb("main");
    db.close();
    chmodSync(db.path, 0o644);
    const ids = audit(state).findings.map((f) => f.checkId);
    for (const id of ["fs.credentials_dir.perms_readable", "clawnex.fs.credential_file_world_readable", "fs.auth_profiles.perms_readable", "clawnex.plugins.unlisted", "plugins.installs_unpinned_npm_specs", "plugins.installs_missing_integrity", "clawnex.skills.unlisted"]) {
      assert.ok(ids.includes(id), `${id} missing: ${ids.join(", ")}`);
    }
  });
});

describe("tool policy names from an OpenClaw config", () => {
  test("a profile, group or tool named like an Object property is an ordinary unknown name, not a crash", () => {
    const all = effectiveTools({ profile: null, allow: null, alsoAllow: [], deny: [] });
    assert.deepEqual(effectiveTools({ profile: "constructor", allow: null, alsoAllow: [], deny: [] }), all);
    assert.deepEqual(effectiveTools({ profile: "full", allow: ["toString", "exec"], alsoAllow: ["__proto__"], deny: ["constructor"] }), ["__proto__", "exec", "tostring"]);
  });
});
