// Where an OpenClaw install keeps its state, by OpenClaw's own rules (src/config/paths.ts,
// src/infra/home-dir.ts and the --profile handling upstream):
//   1. OPENCLAW_STATE_DIR wins ("~" expands to the effective home);
//   2. a profile other than "default" (case-insensitive) lives in <home>/.openclaw-<profile>;
//   3. otherwise <home>/.openclaw, or an existing legacy dir (.clawdbot, .moldbot, .moltbot)
//      when only that one exists.
// The effective home is OPENCLAW_HOME ("~" expanding to the OS home) or the OS home.
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";

export interface OpenclawEnv {
  stateDir?: string | undefined;
  home?: string | undefined;
  profile?: string | undefined;
}

const LEGACY_DIRS = [".clawdbot", ".moldbot", ".moltbot"];
const PROFILE_NAME = /^[A-Za-z0-9_-]+$/;

function expandTilde(path: string, home: string): string {
  return path === "~" || path.startsWith("~/") ? join(home, path.slice(1)) : path;
}

export function effectiveHome(env: OpenclawEnv, osHome: string = homedir()): string {
  const explicit = env.home?.trim();
  return resolve(explicit ? expandTilde(explicit, osHome) : osHome);
}

/** The state dir OpenClaw itself would use with this environment. */
export function resolveStateDir(env: OpenclawEnv, osHome: string = homedir(), exists: (path: string) => boolean = existsSync): string {
  const home = effectiveHome(env, osHome);
  const override = env.stateDir?.trim();
  if (override) return resolve(expandTilde(override, home));
  const profile = env.profile?.trim();
  if (profile && profile.toLowerCase() !== "default") {
    if (!PROFILE_NAME.test(profile)) throw new Error(`invalid OpenClaw profile '${profile}': use letters, digits, '_' and '-'`);
    return join(home, `.openclaw-${profile}`);
  }
  const current = join(home, ".openclaw");
  if (exists(current)) return current;
  return LEGACY_DIRS.map((dir) => join(home, dir)).find((dir) => exists(dir)) ?? current;
}

/** An explicit path given on a command line or in config: "~" means the effective home. */
export function resolveUserPath(path: string, env: OpenclawEnv, osHome: string = homedir()): string {
  return resolve(expandTilde(path.trim(), effectiveHome(env, osHome)));
}
