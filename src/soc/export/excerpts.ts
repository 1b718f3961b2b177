// The prompt-text policy for exports. By default alerts leave ClawNex (NDJSON, syslog) with
// identifiers only. With soc.export.includePromptText, each alert also carries the Shield's
// excerpts of its linked scans — already masked by the Shield where they hold secrets or PII.
import type { Kysely } from "kysely";
import type { Database } from "../../store/schema.ts";
import type { Alert } from "../alerts/alert-types.ts";

export interface Excerpt {
  scan_id: string;
  rule_id: string;
  excerpt: string;
}

export type ExportedAlert = Alert & { excerpts?: Excerpt[] };

const MAX_SCANS_PER_ALERT = 5;

export async function withExcerpts(db: Kysely<Database>, alerts: Alert[], include: boolean): Promise<ExportedAlert[]> {
  if (!include || alerts.length === 0) return alerts;
  const wanted = new Map<string, string>();
  for (const a of alerts) for (const id of (a.evidence.scan_ids ?? []).slice(0, MAX_SCANS_PER_ALERT)) wanted.set(id, a.workspace);
  if (wanted.size === 0) return alerts;
  const rows = await db.selectFrom("scans").select(["id", "workspace", "detections"]).where("id", "in", [...wanted.keys()]).execute();
  const byScan = new Map<string, Excerpt[]>();
  for (const row of rows) {
    if (wanted.get(row.id) !== row.workspace) continue;
    let detections: unknown;
    try {
      detections = JSON.parse(row.detections);
    } catch {
      continue;
    }
    if (!Array.isArray(detections)) continue;
    byScan.set(
      row.id,
      detections.flatMap((d: unknown) => {
        const det = d as { rule_id?: unknown; excerpt?: unknown };
        return typeof det.rule_id === "string" && typeof det.excerpt === "string" ? [{ scan_id: row.id, rule_id: det.rule_id, excerpt: det.excerpt }] : [];
      }),
    );
  }
  return alerts.map((a) => ({ ...a, excerpts: (a.evidence.scan_ids ?? []).slice(0, MAX_SCANS_PER_ALERT).flatMap((id) => byScan.get(id) ?? []) }));
}
