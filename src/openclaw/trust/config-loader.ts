// Loads openclaw.json the way OpenClaw does (docs/gateway/config-secrets-env.md): JSON5
// (comments, trailing commas), `$include` splitting (a single file replaces the containing object,
// an array of files deep-merges in order, sibling keys win; nested up to 10 levels; paths must stay
// inside the config's directory; 2 MB per file), then `${VAR}` substitution in strings (uppercase
// names only, `$${VAR}` escapes). It records which strings came from the environment, so the
// audit can tell a plaintext secret from a reference without keeping secret values around.
import { readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import JSON5 from "json5";
import { isRecord } from "../../json-record.ts";

export type JsonObject = Record<string, unknown>;

export interface LoadedConfig {
  path: string;
  /** Every file read: the config and its includes. */
  files: string[];
  config: JsonObject;
  /** Dotted config paths whose string value came (wholly or partly) from ${VAR}. */
  envPaths: Set<string>;
  /** Variables referenced but unset (the value stays as written, like OpenClaw leaves it). */
  missingEnv: string[];
  problems: string[];
}

const MAX_FILE_BYTES = 2 * 1024 * 1024;
const MAX_DEPTH = 10;
const ENV_REF = /\$?\$\{([A-Z_][A-Z0-9_]*)\}/g;

function deepMerge(base: unknown, over: unknown): unknown {
  if (!isRecord(base) || !isRecord(over)) return over;
  const out: JsonObject = { ...base };
  for (const [key, value] of Object.entries(over)) out[key] = key in out ? deepMerge(out[key], value) : value;
  return out;
}

class Loader {
  readonly root: string;
  readonly files: string[] = [];
  readonly problems: string[] = [];

  constructor(configPath: string) {
    this.root = dirname(configPath);
  }

  readFile(path: string): unknown {
    const size = statSync(path).size;
    if (size > MAX_FILE_BYTES) throw new Error(`${path} is larger than 2 MB`);
    this.files.push(path);
    return JSON5.parse(readFileSync(path, "utf8"));
  }

  include(spec: unknown, fromDir: string, depth: number, chain: string[]): unknown {
    const specs = Array.isArray(spec) ? spec : [spec];
    let merged: unknown = {};
    for (const item of specs) {
      if (typeof item !== "string" || item.length === 0 || item.length >= 4096 || item.includes("\0")) {
        this.problems.push(`invalid $include entry ${JSON.stringify(item)}`);
        continue;
      }
      const path = resolve(fromDir, item);
      const rel = relative(this.root, path);
      if (rel.startsWith("..") || isAbsolute(rel)) {
        this.problems.push(`$include ${item} resolves outside the config directory; ignored (as OpenClaw refuses it without OPENCLAW_INCLUDE_ROOTS)`);
        continue;
      }
      if (chain.includes(path)) {
        this.problems.push(`circular $include of ${path}`);
        continue;
      }
      if (depth >= MAX_DEPTH) {
        this.problems.push(`$include nesting deeper than ${MAX_DEPTH} levels at ${path}`);
        continue;
      }
      try {
        const value = this.resolveIncludes(this.readFile(path), dirname(path), depth + 1, [...chain, path]);
        merged = Array.isArray(spec) ? deepMerge(merged, value) : value;
      } catch (err) {
        this.problems.push(`$include ${item}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return merged;
  }

  resolveIncludes(value: unknown, dir: string, depth: number, chain: string[]): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolveIncludes(v, dir, depth, chain));
    if (!isRecord(value)) return value;
    let out: JsonObject = {};
    if ("$include" in value) {
      const included = this.include(value.$include, dir, depth, chain);
      out = isRecord(included) ? { ...included } : {};
    }
    for (const [key, child] of Object.entries(value)) {
      if (key === "$include") continue;
      const resolved = this.resolveIncludes(child, dir, depth, chain);
      out[key] = key in out ? deepMerge(out[key], resolved) : resolved;
    }
    return out;
  }
}

function substitute(value: unknown, path: string, env: (name: string) => string | undefined, envPaths: Set<string>, missing: Set<string>): unknown {
  if (typeof value === "string") {
    if (!value.includes("${")) return value;
    let fromEnv = false;
    const out = value.replace(ENV_REF, (match: string, name: string) => {
      if (match.startsWith("$$")) return match.slice(1);
      fromEnv = true;
      const resolved = env(name);
      if (resolved === undefined || resolved === "") {
        missing.add(name);
        return match;
      }
      return resolved;
    });
    if (fromEnv) envPaths.add(path);
    return out;
  }
  if (Array.isArray(value)) return value.map((v, i) => substitute(v, `${path}[${i}]`, env, envPaths, missing));
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, path ? `${path}.${k}` : k, env, envPaths, missing)]));
  return value;
}

/** Reads and resolves a config file; parse failures are thrown, include problems reported. */
export function loadOpenclawConfig(path: string, env: (name: string) => string | undefined): LoadedConfig {
  const loader = new Loader(path);
  const parsed = loader.readFile(path);
  if (!isRecord(parsed)) throw new Error(`${path}: the top level must be an object`);
  const included = loader.resolveIncludes(parsed, dirname(path), 0, [path]);
  const envPaths = new Set<string>();
  const missing = new Set<string>();
  const config = substitute(included, "", env, envPaths, missing) as JsonObject;
  return { path, files: loader.files, config, envPaths, missingEnv: [...missing].sort(), problems: loader.problems };
}

/** Reads a dotted path ("gateway.auth.token") from a config object. */
export function getPath(config: unknown, path: string): unknown {
  let current: unknown = config;
  for (const key of path.split(".")) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}
