// Reads sshd_config the way sshd does for the settings the posture check cares about: keywords
// are case-insensitive, "Keyword value" or "Keyword=value"; for each keyword the first value
// obtained wins; Include (globs, relative to /etc/ssh) is read in place, so Debian's drop-ins in
// sshd_config.d win over the main file; lines after a Match apply only to matching connections
// (a Match inside an included file ends with that file).
import { posix } from "node:path";
import type { HostFs } from "../host.ts";

export interface SshdSetting {
  keyword: string;
  value: string;
  file: string;
  line: number;
  /** The Match criteria the setting is under, or null for the global section. */
  match: string | null;
}

export interface SshdConfig {
  /** First global value per keyword (lower-case keyword). */
  global: Map<string, SshdSetting>;
  /** Every setting inside a Match block. */
  matched: SshdSetting[];
  files: string[];
  problems: string[];
}

const MAX_DEPTH = 16;

function globToRegex(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]");
  return new RegExp(`^${escaped}$`);
}

/** Expands a glob in the last path component (what sshd_config Include lines use in practice). */
function expand(fs: HostFs, path: string): string[] {
  const dir = posix.dirname(path);
  const base = posix.basename(path);
  if (!/[*?]/.test(base)) return [path];
  const re = globToRegex(base);
  return (fs.list(dir) ?? []).filter((name) => re.test(name)).sort().map((name) => posix.join(dir, name));
}

function splitLine(raw: string): { keyword: string; value: string } | null {
  const line = raw.trim();
  if (line === "" || line.startsWith("#")) return null;
  const m = /^([A-Za-z][A-Za-z0-9]*)(?:\s*=\s*|\s+)(.*)$/.exec(line);
  if (!m?.[1]) return null;
  const value = (m[2] ?? "").replace(/\s+#.*$/, "").trim().replace(/^"(.*)"$/, "$1");
  return { keyword: m[1].toLowerCase(), value };
}

export function readSshdConfig(fs: HostFs, path = "/etc/ssh/sshd_config"): SshdConfig {
  const config: SshdConfig = { global: new Map(), matched: [], files: [], problems: [] };
  const parse = (file: string, depth: number, inheritedMatch: string | null) => {
    if (depth > MAX_DEPTH) {
      config.problems.push(`${file}: Include nested deeper than ${MAX_DEPTH}`);
      return;
    }
    const read = fs.read(file, 1024 * 1024);
    if (!read.ok) {
      if (depth > 0) config.problems.push(`${file}: ${read.reason}`);
      return;
    }
    config.files.push(file);
    let match = inheritedMatch;
    read.text.split("\n").forEach((raw, i) => {
      const parsed = splitLine(raw);
      if (!parsed) return;
      if (parsed.keyword === "include") {
        for (const arg of parsed.value.split(/\s+/).filter(Boolean)) {
          const target = posix.isAbsolute(arg) ? arg : posix.join("/etc/ssh", arg);
          for (const included of expand(fs, target)) parse(included, depth + 1, match);
        }
        return;
      }
      if (parsed.keyword === "match") {
        match = parsed.value || "all";
        return;
      }
      const setting: SshdSetting = { keyword: parsed.keyword, value: parsed.value, file, line: i + 1, match };
      if (match === null) {
        if (!config.global.has(parsed.keyword)) config.global.set(parsed.keyword, setting);
      } else config.matched.push(setting);
    });
  };
  parse(path, 0, null);
  return config;
}

/** The effective global value: the first one in the files, else OpenSSH's default. */
export function effective(config: SshdConfig, keyword: string, fallback: string): { value: string; setting: SshdSetting | null } {
  const setting = config.global.get(keyword.toLowerCase()) ?? null;
  return { value: (setting?.value ?? fallback).toLowerCase(), setting };
}
