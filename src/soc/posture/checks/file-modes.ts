// Who can really reach a file: its mode bits say who may read or write it, but every directory
// above it must also let that user through (the x bit). A world-readable file inside a 0700
// directory is shielded for now; the finding stays (a later chmod of the directory would expose
// it) but at low severity, saying which directory shields it.
import { posix } from "node:path";
import { octalMode, type PostureFinding, severityAtLeast } from "../findings.ts";
import type { HostFs } from "../host.ts";

/** The nearest directory above `path` that `who` cannot traverse, or null when all can be. */
export function shieldingDir(fs: HostFs, path: string, who: "others" | "group"): { dir: string; mode: number } | null {
  const bit = who === "others" ? 0o001 : 0o010;
  let dir = posix.dirname(path);
  for (;;) {
    const st = fs.stat(dir);
    if (st && (st.mode & bit) === 0) return { dir, mode: st.mode };
    const parent = posix.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** Lowers a permission finding to low when a parent directory keeps `who` out today. */
export function unlessShielded(fs: HostFs, path: string, who: "others" | "group", finding: PostureFinding): PostureFinding {
  const shield = shieldingDir(fs, path, who);
  if (!shield) return finding;
  return {
    ...finding,
    severity: severityAtLeast(finding.severity, "low") ? "low" : finding.severity,
    title: `${finding.title} (shielded for now by ${shield.dir})`,
    detail: `${finding.detail ?? ""} ${who === "others" ? "Other users" : "Group members"} cannot reach it today because ${shield.dir} (mode ${octalMode(shield.mode)}) blocks traversal; fix the mode anyway, a later chmod of that directory would expose it.`.trim(),
  };
}
