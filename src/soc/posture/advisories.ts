// The bundled advisory table (advisories.json, dated): Node.js release-line end-of-life dates and
// security releases, and OpenClaw security advisories, validated when loaded. Evaluation answers
// "which advisories affect this version", nothing more: the table can only know what it was
// compiled with, so its age is reported too.
import { readFileSync } from "node:fs";
import { z } from "zod";
import type { PostureSeverity } from "./findings.ts";
import { compareVersions, isBefore, parseVersion } from "./versions.ts";

const severity = z.enum(["critical", "high", "medium", "low"]);
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const versionString = z.string().refine((v) => parseVersion(v) !== null, "not a version");

const nodeReleaseSchema = z
  .object({
    id: z.string().min(1),
    date: isoDate,
    title: z.string().min(1),
    severity,
    cves: z.array(z.string().regex(/^CVE-\d{4}-\d+$/)).min(1),
    /** Release line (major) → first fixed version on that line. */
    fixed: z.record(z.string().regex(/^\d+$/), versionString),
    /** Only these platforms are affected (process.platform values); all when absent. */
    platforms: z.array(z.string()).optional(),
    source: z.string().url(),
  })
  .strict();

const openclawAdvisorySchema = z
  .object({
    id: z.string().regex(/^GHSA(-[0-9a-z]{4}){3}$/),
    aliases: z.array(z.string()).default([]),
    title: z.string().min(1),
    severity,
    cvss: z.number().min(0).max(10).optional(),
    /** First affected version; all earlier versions too when absent. */
    introduced: versionString.optional(),
    fixed: versionString,
    source: z.string().url(),
  })
  .strict();

export const advisoryTableSchema = z
  .object({
    date: isoDate,
    about: z.array(z.string()),
    node: z
      .object({
        schedule: z.object({ source: z.string().url(), lines: z.record(z.string().regex(/^\d+$/), z.object({ end: isoDate }).strict()) }).strict(),
        releases: z.array(nodeReleaseSchema),
      })
      .strict(),
    openclaw: z.object({ advisories: z.array(openclawAdvisorySchema) }).strict(),
  })
  .strict();

export type AdvisoryTable = z.infer<typeof advisoryTableSchema>;
export type NodeRelease = AdvisoryTable["node"]["releases"][number];
export type OpenclawAdvisory = AdvisoryTable["openclaw"]["advisories"][number];

export const BUNDLED_ADVISORIES_PATH = new URL("./advisories.json", import.meta.url);

export function loadAdvisoryTable(path: URL | string = BUNDLED_ADVISORIES_PATH): AdvisoryTable {
  return advisoryTableSchema.parse(JSON.parse(readFileSync(path, "utf8")));
}

export interface NodeLineStatus {
  major: number;
  /** End-of-life date of the line, when the table knows the line. */
  end: string | null;
}

export function nodeLine(table: AdvisoryTable, version: string): NodeLineStatus | null {
  const v = parseVersion(version);
  if (!v) return null;
  const major = v.parts[0] ?? 0;
  return { major, end: table.node.schedule.lines[String(major)]?.end ?? null };
}

/** Security releases whose fix for this version's line is newer than the version. */
export function nodeAdvisoriesFor(table: AdvisoryTable, version: string, platform: string): Array<{ release: NodeRelease; fixedIn: string }> {
  const line = nodeLine(table, version);
  if (!line) return [];
  const out: Array<{ release: NodeRelease; fixedIn: string }> = [];
  for (const release of table.node.releases) {
    if (release.platforms && !release.platforms.includes(platform)) continue;
    const fixedIn = release.fixed[String(line.major)];
    if (fixedIn && isBefore(version, fixedIn)) out.push({ release, fixedIn });
  }
  return out;
}

export function openclawAdvisoriesFor(table: AdvisoryTable, version: string): OpenclawAdvisory[] {
  const v = parseVersion(version);
  if (!v) return [];
  return table.openclaw.advisories.filter((a) => {
    const fixed = parseVersion(a.fixed);
    if (!fixed || compareVersions(v, fixed) >= 0) return false;
    const introduced = a.introduced ? parseVersion(a.introduced) : null;
    return !introduced || compareVersions(v, introduced) >= 0;
  });
}

export function tableAgeDays(table: AdvisoryTable, now: Date): number {
  return Math.floor((now.getTime() - Date.parse(`${table.date}T00:00:00Z`)) / 86_400_000);
}

export type AdvisorySeverity = Exclude<PostureSeverity, "info">;
