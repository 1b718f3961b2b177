// Posture test harness: materializes a fixture host tree in a temp dir (modes, /proc fd links
// and file ages that git cannot carry are applied from the fixture's fixture.json), a command
// runner that answers from recorded outputs, and the scan inputs of a typical ClawNex install.
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after } from "node:test";
import { fileURLToPath } from "node:url";
import { loadAdvisoryTable } from "../../src/soc/posture/advisories.ts";
import type { ScanInput } from "../../src/soc/posture/checks/check.ts";
import { type CommandResult, type CommandRunner, type HostContext, type HostFs, rootedFs } from "../../src/soc/posture/host.ts";

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "fixtures");
export const NOW = new Date("2026-11-24T12:00:00Z");

interface FixtureManifest {
  modes: Record<string, string>;
  links: Record<string, string>;
  mtimeDaysAgo: Record<string, number>;
}

/** Copies fixtures/<name> to a temp dir and applies its manifest; removed after the test file. */
export function materialize(name: string, now = NOW): string {
  const root = mkdtempSync(join(tmpdir(), `clawnex-posture-${name}-`));
  after(() => rmSync(root, { recursive: true, force: true }));
  // The fixture's "/" is the temp dir: open it like a real root, or it would shield every file below.
  chmodSync(root, 0o755);
  cpSync(join(FIXTURES, name), root, { recursive: true, filter: (src) => !src.endsWith("fixture.json") });
  const manifest = JSON.parse(readFileSync(join(FIXTURES, name, "fixture.json"), "utf8")) as FixtureManifest;
  for (const [path, target] of Object.entries(manifest.links)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    symlinkSync(target, join(root, path));
  }
  for (const [path, days] of Object.entries(manifest.mtimeDaysAgo)) {
    const t = new Date(now.getTime() - days * 86_400_000);
    utimesSync(join(root, path), t, t);
  }
  // Deepest paths first would not matter for chmod; apply as listed.
  for (const [path, mode] of Object.entries(manifest.modes)) chmodSync(join(root, path), Number.parseInt(mode, 8));
  return root;
}

export function emptyRoot(): string {
  const root = mkdtempSync(join(tmpdir(), "clawnex-posture-empty-"));
  after(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

export function recorded(file: string): string {
  return readFileSync(join(FIXTURES, "commands", file), "utf8");
}

export const ok = (stdout: string): CommandResult => ({ status: 0, stdout, stderr: "" });
export const notFound: CommandResult = { status: null, stdout: "", stderr: "", error: "not_found" };
export const denied = (stderr: string): CommandResult => ({ status: 1, stdout: "", stderr });

/** Answers "command arg arg" from the table; anything else is "not installed". Records calls. */
export function tableRunner(table: Record<string, CommandResult>): CommandRunner & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async run(command, args) {
      const key = [command, ...args].join(" ");
      calls.push(key);
      return table[key] ?? notFound;
    },
  };
}

export const APT_SIM = "apt-get -s -o Debug::NoLocking=1 -o APT::Get::Show-User-Simulation-Note=false dist-upgrade";

/** A file system that refuses the given paths (and everything under them), as for a non-root scan. */
export function denyingFs(fs: HostFs, deniedPrefixes: string[]): HostFs {
  const isDenied = (p: string) => deniedPrefixes.some((d) => p === d || p.startsWith(`${d}/`));
  return {
    read: (p, max) => (isDenied(p) ? { ok: false, reason: "denied", message: `EACCES: permission denied, open '${p}'` } : fs.read(p, max)),
    list: (p) => (isDenied(p) ? null : fs.list(p)),
    stat: (p) => fs.stat(p),
    lstat: (p) => fs.lstat(p),
    readLink: (p) => (isDenied(p) ? null : fs.readLink(p)),
  };
}

export function hostAt(root: string, run: CommandRunner, now = NOW): HostContext {
  return { fs: rootedFs(root), run, now, commandTimeoutMs: 5000 };
}

export function scanInput(overrides: Partial<ScanInput> = {}): ScanInput {
  return {
    openclawStateDirs: [],
    openclawBinary: "openclaw",
    nodeVersion: "24.21.0",
    platform: "linux",
    clawnex: { host: "127.0.0.1", port: 5001, trustProxy: false, dataDir: "/srv/clawnex", mcp: { enabled: false, port: 5002 } },
    allowedListeners: [],
    advisories: loadAdvisoryTable(),
    ...overrides,
  };
}
