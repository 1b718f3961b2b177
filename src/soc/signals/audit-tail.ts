// Changes to enforcement are read from the audit trail, not from bus events: break-glass and mode
// changes are often made with the CLI, in another process, and the audit trail is the one record
// every process writes. The tail keeps its position in settings, advanced in the same
// transaction that stores the events, so a restart neither repeats nor skips one.
import type { AuditEvent } from "../../audit/audit-log.ts";
import type { SocEventInput, SocSeverity } from "../model.ts";
import { str } from "./fields.ts";

export const AUDIT_TAIL_SETTING = "soc.audit_tail_seq";

function mapped(e: AuditEvent): { kind: string; severity: SocSeverity; category: string; summary: string; attributes?: Record<string, string> } | null {
  const d = e.details;
  switch (e.action) {
    case "gateway.breakglass_started":
      return { kind: "breakglass.started", severity: "high", category: "enforcement", summary: `Break-glass started by ${e.actor}: Shield verdicts not enforced until ${str(d, "expires_at") ?? "?"}` };
    case "gateway.breakglass_ended":
      return { kind: "breakglass.ended", severity: "info", category: "enforcement", summary: `Break-glass ended (${str(d, "reason") === "expired" ? "expired" : `by ${e.actor}`})` };
    case "shield.mode_changed": {
      const mode = str(d, "mode") ?? "?";
      return { kind: "shield.mode_changed", severity: mode === "OBSERVE" ? "medium" : "info", category: "enforcement", summary: `Shield mode changed ${str(d, "previous") ?? "?"} → ${mode} by ${e.actor}`, attributes: { mode } };
    }
    case "gateway.key_mode_changed": {
      const mode = str(d, "mode") ?? "?";
      return { kind: "key.mode_changed", severity: mode === "OBSERVE" ? "medium" : "info", category: "enforcement", summary: `Shield mode for ${e.target ?? "a key"} changed to ${mode} by ${e.actor}`, attributes: { mode } };
    }
    case "webhook.disabled":
      return { kind: "webhook.disabled", severity: "low", category: "delivery", summary: `Webhook ${e.target ?? ""} disabled after failed deliveries` };
    default:
      return null;
  }
}

export function auditEvent(e: AuditEvent): SocEventInput | null {
  const m = mapped(e);
  if (!m) return null;
  return {
    workspace: e.workspace,
    ts: e.ts,
    source: "audit",
    kind: m.kind,
    target: e.target,
    sender: e.actor,
    severity: m.severity,
    category: m.category,
    summary: m.summary,
    evidence: { audit_ids: [e.id] },
    attributes: { action: e.action, actor: e.actor, ...m.attributes },
  };
}
