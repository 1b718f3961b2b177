// Version strings as Node.js (24.21.0) and OpenClaw (2026.9.6, with correction releases such as
// 2026.7.1-2 and prereleases such as 2026.9.0-beta.1) write them. A numeric suffix is a
// correction build and sorts just above its base; any other suffix is a prerelease and sorts below.

export interface Version {
  parts: number[];
  /** 2 for 2026.7.1-2; 0 when none. */
  correction: number;
  /** "beta.1" for 2026.9.0-beta.1; null when none. */
  prerelease: string | null;
  raw: string;
}

const VERSION = /^v?(\d+(?:\.\d+)*)(?:-([0-9A-Za-z.-]+))?$/;

export function parseVersion(text: string): Version | null {
  const m = VERSION.exec(text.trim());
  if (!m?.[1]) return null;
  const suffix = m[2] ?? null;
  const numericSuffix = suffix !== null && /^\d+$/.test(suffix);
  return { parts: m[1].split(".").map(Number), correction: numericSuffix ? Number(suffix) : 0, prerelease: numericSuffix ? null : suffix, raw: text.trim() };
}

export function compareVersions(a: Version, b: Version): number {
  const n = Math.max(a.parts.length, b.parts.length);
  for (let i = 0; i < n; i++) {
    const d = (a.parts[i] ?? 0) - (b.parts[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  if (a.prerelease !== null || b.prerelease !== null) {
    if (a.prerelease === null) return 1;
    if (b.prerelease === null) return -1;
    return a.prerelease.localeCompare(b.prerelease, "en", { numeric: true });
  }
  return Math.sign(a.correction - b.correction);
}

/** True when `version` is older than `fixed` (both parsable); false when either is not. */
export function isBefore(version: string, fixed: string): boolean {
  const v = parseVersion(version);
  const f = parseVersion(fixed);
  return v !== null && f !== null && compareVersions(v, f) < 0;
}

/** The first OpenClaw-style calendar version in a line of output ("openclaw 2026.9.6 (abc123)"). */
export function findCalendarVersion(text: string): string | null {
  const m = /\b(20\d{2}\.\d{1,2}\.\d{1,3}(?:-[0-9A-Za-z.]+)?)\b/.exec(text);
  return m?.[1] ?? null;
}

/** The newest of several version strings (unparsable ones ignored); null when none parse. */
export function newestVersion(versions: readonly string[]): string | null {
  let best: { raw: string; v: Version } | null = null;
  for (const raw of versions) {
    const v = parseVersion(raw);
    if (v && (!best || compareVersions(v, best.v) > 0)) best = { raw, v };
  }
  return best?.raw ?? null;
}
