// Refused requests (401/403/429) → SOC events for key-misuse rules: repeated failures from one
// address, scope probing with one key, rate-limit storms. Carries the key's public prefix and
// the client address, never the key. Requests with no workspace (no valid key) are filed under
// the default workspace: the operator's.
import type { EventMap } from "../../app/events.ts";
import type { SocEventInput, SocSeverity } from "../model.ts";

const SEVERITY: Record<401 | 403 | 429, SocSeverity> = { 401: "low", 403: "medium", 429: "low" };

export function accessEvent(denied: EventMap["access.denied"]): SocEventInput {
  const who = denied.keyPrefix ? `key ${denied.keyPrefix}` : "no valid key";
  return {
    workspace: denied.workspace ?? "default",
    ts: denied.at,
    source: "auth",
    kind: "auth.denied",
    sender: denied.ip,
    target: denied.keyPrefix ?? `ip:${denied.ip}`,
    severity: SEVERITY[denied.status],
    category: "key_misuse",
    summary: `${denied.status} ${denied.reason} for ${denied.method} ${denied.route} from ${denied.ip} (${who})`,
    evidence: { refs: [denied.ip, ...(denied.keyPrefix ? [denied.keyPrefix] : [])] },
    attributes: { status: denied.status, reason: denied.reason.startsWith("missing_scope") ? "missing_scope" : denied.reason, route: denied.route, method: denied.method, key_prefix: denied.keyPrefix, key_id: denied.keyId },
  };
}
