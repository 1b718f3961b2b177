// When a failed attempt is tried again. The schedule is a list of delays (the issue's: 5 s, 30 s,
// 1 min, 5 min, 30 min, 2 h); after the attempt that follows the last delay fails, the delivery
// is failed. A receiver's Retry-After (on 429/503) can push a retry later, never earlier, and
// never beyond the schedule's longest delay.

export interface RetryDecision {
  /** ISO time of the next attempt, or null when the delivery is finished (failed). */
  nextAttemptAt: string | null;
}

export function nextRetry(scheduleSeconds: readonly number[], attemptsMade: number, now: Date, retryAfterSeconds?: number): RetryDecision {
  const delay = scheduleSeconds[attemptsMade - 1];
  if (delay === undefined) return { nextAttemptAt: null };
  const longest = Math.max(...scheduleSeconds);
  const seconds = retryAfterSeconds !== undefined && retryAfterSeconds > delay ? Math.min(retryAfterSeconds, longest) : delay;
  return { nextAttemptAt: new Date(now.getTime() + seconds * 1000).toISOString() };
}

/** Parses Retry-After (delta seconds or an HTTP date) into seconds from `now`; undefined if absent or invalid. */
export function parseRetryAfter(value: string | string[] | undefined, now: Date): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  if (/^\d{1,10}$/.test(text.trim())) return Number(text.trim());
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now.getTime()) / 1000));
}
