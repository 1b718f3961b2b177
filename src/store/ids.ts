// Resource ids (fleet, webhooks): a type prefix, then a ULID-style body (48-bit millisecond time, then randomness).
// Ids made by one process are strictly increasing, and created_at comes from the same clock, so
// (created_at, id) keyset pagination never skips a row inserted while a client pages.
import { randomBytes } from "node:crypto";

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const RANDOM_CHARS = 16;

let lastTime = -1;
let lastRandom: number[] = [];

function encodeTime(ms: number): string {
  let out = "";
  let t = ms;
  for (let i = 0; i < 10; i++) {
    out = CROCKFORD[t % 32] + out;
    t = Math.floor(t / 32);
  }
  return out;
}

function freshRandom(): number[] {
  return [...randomBytes(RANDOM_CHARS)].map((b) => b % 32);
}

function increment(digits: number[]): number[] {
  const next = [...digits];
  for (let i = next.length - 1; i >= 0; i--) {
    if ((next[i] ?? 0) < 31) {
      next[i] = (next[i] ?? 0) + 1;
      return next;
    }
    next[i] = 0;
  }
  return freshRandom(); // 80 bits exhausted within one millisecond: cannot happen in practice
}

export interface NewId {
  id: string;
  /** ISO-8601 time matching the id's time part. */
  at: string;
}

/** A new id with its timestamp; `clock` may run ahead of ids already made, never behind them. */
export function newId(prefix: string, clock: () => number = Date.now): NewId {
  let now = clock();
  if (now <= lastTime) {
    now = lastTime;
    lastRandom = increment(lastRandom);
  } else {
    lastTime = now;
    lastRandom = freshRandom();
  }
  return { id: `${prefix}_${encodeTime(now)}${lastRandom.map((d) => CROCKFORD[d]).join("")}`, at: new Date(now).toISOString() };
}

/** The id alone, for a row whose time is `at` (the same clock rule as newId). */
export function newIdAt(prefix: string, at: Date): string {
  return newId(prefix, () => at.getTime()).id;
}
