// What the openclaw CLI commands share: the core services and the openclaw services opened from
// the CLI's environment (same config, same store as the server), and the state-dir argument
// resolved by OpenClaw's own rules when omitted.
import { createHash } from "node:crypto";
import { basename } from "node:path";
import { createCoreServices, type CoreServices } from "../app/services.ts";
import { type Config, loadConfig } from "../config/config.ts";
import type { Instance } from "./fleet/instance-store.ts";
import { createOpenClawServices, type OpenClawServices } from "./services.ts";
import { resolveStateDir, resolveUserPath } from "./state-dir.ts";

export interface CliContext {
  config: Config;
  core: CoreServices;
  oc: OpenClawServices;
  close(): Promise<void>;
}

export async function openCliContext(env: NodeJS.ProcessEnv): Promise<CliContext> {
  const config = loadConfig(env);
  const core = await createCoreServices(config);
  const oc = createOpenClawServices(core);
  return {
    config,
    core,
    oc,
    async close() {
      await oc.watcher.stop();
      await core.store.close();
    },
  };
}

/** STATE_DIR as given ("~" = OpenClaw's effective home), or OpenClaw's default for this environment. */
export function stateDirArgument(config: Config, given: string | undefined): string {
  return given ? resolveUserPath(given, config.env.openclaw) : resolveStateDir(config.env.openclaw);
}

/**
 * The instance whose checkpoints a CLI watch uses: a registered instance with this state dir, or a
 * "watch-…" record created for it (origin "watch": the server does not pick it up by itself).
 */
export async function instanceForStateDir(oc: OpenClawServices, stateDir: string, workspace = "default"): Promise<Instance> {
  const existing = (await oc.instances.list(workspace)).find((i) => i.stateDir === stateDir);
  if (existing) return existing;
  const name = `watch-${basename(stateDir).replace(/[^A-Za-z0-9._-]/g, "").slice(0, 40) || "state"}-${createHash("sha256").update(stateDir).digest("hex").slice(0, 8)}`;
  return oc.instances.add({ name, workspace, stateDir }, "watch");
}
