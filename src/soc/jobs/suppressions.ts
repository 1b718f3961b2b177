// Ends suppressions at their expiry even when no new event arrives: a suppressed alert or incident
// whose time is up goes back to open (audited as the SOC's own change), so nobody reads
// "suppressed" on something nobody is suppressing any more.
import type { AuditLog } from "../../audit/audit-log.ts";

const PER_RUN = 500;

export async function expireSuppressions(audit: AuditLog, now: Date): Promise<number> {
  const at = now.toISOString();
  return audit.transaction(async (trx, append) => {
    let ended = 0;
    for (const table of ["soc_alerts", "soc_incidents"] as const) {
      const kind = table === "soc_alerts" ? "alert" : "incident";
      const due = await trx.selectFrom(table).select(["id", "workspace", "suppressed_until"]).where("status", "=", "suppressed").where("suppressed_until", "<=", at).limit(PER_RUN).execute();
      for (const row of due) {
        await trx.updateTable(table).set({ status: "open", status_by: "soc", status_reason: "suppression expired", suppressed_until: null, updated_at: at }).where("id", "=", row.id).execute();
        await append({ actor: "soc", action: `soc.${kind}.unsuppressed`, target: `${kind}:${row.id}`, workspace: row.workspace, details: { reason: "suppression expired", suppressed_until: row.suppressed_until } });
        ended++;
      }
    }
    return ended;
  });
}
