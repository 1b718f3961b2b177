// Ids for webhooks, deliveries, attempts and events: a type prefix, then 10 characters of
// millisecond time and 16 random characters (Crockford base32). Ids from one process increase
// strictly, so (created_at, id) keyset pagination returns rows in insertion order.
import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
let lastMs = -1;
let lastRandom: number[] = [];

function encodeTime(ms: number): string {
  let out = "";
  for (let i = 0, t = ms; i < 10; i++, t = Math.floor(t / 32)) out = ALPHABET[t % 32] + out;
  return out;
}

function bump(digits: number[]): number[] {
  const next = [...digits];
  for (let i = next.length - 1; i >= 0; i--) {
    if ((next[i] ?? 0) < 31) {
      next[i] = (next[i] ?? 0) + 1;
      return next;
    }
    next[i] = 0;
  }
  return next;
}

export function newId(prefix: string, now: Date = new Date()): string {
  let ms = now.getTime();
  if (ms <= lastMs) {
    ms = lastMs;
    lastRandom = bump(lastRandom);
  } else {
    lastMs = ms;
    lastRandom = [...randomBytes(16)].map((b) => b % 32);
  }
  return `${prefix}_${encodeTime(ms)}${lastRandom.map((d) => ALPHABET[d]).join("")}`;
}
