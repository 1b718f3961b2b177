// API key scopes. A key carries a list of these; each route requires one. `admin` is the
// superuser scope: it satisfies every requirement, so an operator key needs no long scope list.

export const SCOPES = [
  "shield:scan",
  "chat",
  "fleet:read",
  "alerts:read",
  "alerts:write",
  "audit:read",
  "admin",
  "agents:read",
  "agents:write",
  "tasks:read",
  "tasks:write",
  "files:read",
  "files:write",
  "webhooks:manage",
] as const;

export type Scope = (typeof SCOPES)[number];

const SCOPE_SET: ReadonlySet<string> = new Set(SCOPES);

export function isScope(value: string): value is Scope {
  return SCOPE_SET.has(value);
}

/** True when the granted scopes satisfy `required`, directly or through `admin`. */
export function hasScope(granted: readonly string[], required: Scope): boolean {
  return granted.includes("admin") || granted.includes(required);
}
