// From ClawNex's configuration to what the posture checks look at: the OpenClaw state dirs (the
// configured instances', posture.stateDirs, OpenClaw's own default), ClawNex's bind, the runtime.
import type { Config } from "../../config/config.ts";
import { resolveStateDir, resolveUserPath } from "../../openclaw/state-dir.ts";
import { loadAdvisoryTable, type AdvisoryTable } from "./advisories.ts";
import type { ScanInput } from "./checks/check.ts";
import { execRunner, rootedFs, type HostContext } from "./host.ts";

export function openclawStateDirs(config: Config, extra: readonly string[] = []): string[] {
  const env = config.env.openclaw;
  const dirs: string[] = [];
  for (const instance of config.openclaw.instances) if (instance.stateDir) dirs.push(resolveUserPath(instance.stateDir, env));
  for (const dir of config.posture.stateDirs) dirs.push(resolveUserPath(dir, env));
  for (const dir of extra) dirs.push(resolveUserPath(dir, env));
  try {
    dirs.push(resolveStateDir(env));
  } catch {
    // An invalid OPENCLAW_PROFILE leaves only the explicitly configured dirs.
  }
  return [...new Set(dirs)];
}

export function scanInputFromConfig(config: Config, options: { extraStateDirs?: readonly string[]; advisories?: AdvisoryTable } = {}): ScanInput {
  return {
    openclawStateDirs: openclawStateDirs(config, options.extraStateDirs),
    openclawBinary: config.posture.openclawBinary,
    nodeVersion: process.versions.node,
    platform: process.platform,
    clawnex: { host: config.host, port: config.port, trustProxy: config.trustProxy, dataDir: config.dataDir, mcp: { enabled: config.env.mcp.enabled, port: config.env.mcp.port } },
    allowedListeners: config.posture.allowedListeners,
    advisories: options.advisories ?? loadAdvisoryTable(),
  };
}

/** This machine: the real root file system and real commands. */
export function localHost(config: Config, now = new Date()): HostContext {
  return { fs: rootedFs("/"), run: execRunner, now, commandTimeoutMs: config.posture.commandTimeoutSeconds * 1000 };
}
