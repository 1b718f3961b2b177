// The status lifecycle alerts and incidents share: open → acknowledged → resolved, or suppressed
// with a reason and an expiry. A resolved item can be reopened; a suppressed one ends its
// suppression by being reopened, acknowledged or resolved (or by itself at the expiry).
import { AppError, invalidRequest } from "../errors.ts";

export const STATUSES = ["open", "acknowledged", "resolved", "suppressed"] as const;
export type Status = (typeof STATUSES)[number];

const ALLOWED: Record<Status, readonly Status[]> = {
  open: ["acknowledged", "resolved", "suppressed"],
  acknowledged: ["open", "resolved", "suppressed"],
  suppressed: ["open", "acknowledged", "resolved", "suppressed"],
  resolved: ["open"],
};

/** Longest suppression: a suppression is a snooze, not a way to switch a rule off. */
export const MAX_SUPPRESS_MS = 90 * 86_400_000;

export interface StatusChange {
  status: Status;
  reason?: string | undefined;
  /** ISO-8601 expiry of a suppression ... */
  suppressed_until?: string | undefined;
  /** ... or its length: 30m, 12h, 7d. */
  suppress_for?: string | undefined;
}

export interface PlannedStatus {
  status: Status;
  status_reason: string | null;
  suppressed_until: string | null;
}

function suppressUntil(change: StatusChange, now: Date): string {
  let until: number;
  if (change.suppressed_until !== undefined) {
    until = Date.parse(change.suppressed_until);
    if (Number.isNaN(until)) throw invalidRequest("suppressed_until must be an ISO-8601 time");
  } else if (change.suppress_for !== undefined) {
    const m = /^(\d{1,6})([mhd])$/.exec(change.suppress_for);
    if (!m) throw invalidRequest("suppress_for must be a number followed by m, h or d (e.g. 30m, 12h, 7d)");
    until = now.getTime() + Number(m[1]) * ({ m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as "m" | "h" | "d"]);
  } else {
    throw invalidRequest("suppressing needs an expiry: suppressed_until (ISO-8601) or suppress_for (e.g. 24h)");
  }
  if (until <= now.getTime()) throw invalidRequest("the suppression must end in the future");
  if (until - now.getTime() > MAX_SUPPRESS_MS) throw invalidRequest("a suppression lasts at most 90 days");
  return new Date(until).toISOString();
}

/** The new status fields, or null when the change changes nothing; throws 400/409 for a bad one. */
export function planStatusChange(current: Status, change: StatusChange, now: Date): PlannedStatus | null {
  const reason = change.reason?.trim() || null;
  if (change.status !== "suppressed" && (change.suppressed_until !== undefined || change.suppress_for !== undefined)) {
    throw invalidRequest("suppressed_until and suppress_for only go with status suppressed");
  }
  if (change.status === current && change.status !== "suppressed") return null;
  if (!ALLOWED[current].includes(change.status)) throw new AppError("conflict", `cannot change status from ${current} to ${change.status}`, { details: { status: current } });
  if (change.status === "suppressed") {
    if (!reason || reason.length < 3) throw invalidRequest("suppressing needs a reason (3 to 500 characters)");
    return { status: "suppressed", status_reason: reason, suppressed_until: suppressUntil(change, now) };
  }
  return { status: change.status, status_reason: reason, suppressed_until: null };
}
