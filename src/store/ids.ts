// Resource ids (fleet, webhooks): a type prefix, then a ULID-style body (48-bit millisecond time, then randomness).
// Ids made by one process are strictly increasing, and created_at comes from the same clock, so
// (created_at, id) keyset pagination never skips a row inserted while a client pages.
import { randomFillSync } from "node:crypto";

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

/**
 * Random bytes are drawn from the CSPRNG a few kilobytes at a time: one call per id cost a
 * native round trip (several microseconds) on the gateway's hot path, three ids per request.
 * Each byte is used once.
 */
const pool = Buffer.alloc(4096);
let poolUsed = pool.length;

function freshRandom(): number[] {
  if (poolUsed + RANDOM_CHARS > pool.length) {
    randomFillSync(pool);
    poolUsed = 0;
  }
  const out = new Array<number>(RANDOM_CHARS);
  for (let i = 0; i < RANDOM_CHARS; i++) out[i] = (pool[poolUsed + i] as number) % 32;
  poolUsed += RANDOM_CHARS;
  return out;
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

const randomCodes = new Array<number>(RANDOM_CHARS).fill(0);

/** lastTime encoded, kept: ids made within one millisecond share it. */
let lastTimeText = encodeTime(lastTime);

/** The next id; its time is lastTime afterwards (the clock rule below). */
function nextId(prefix: string, clock: () => number): string {
  const now = clock();
  if (now <= lastTime) lastRandom = increment(lastRandom);
  else {
    lastTime = now;
    lastTimeText = encodeTime(now);
    lastRandom = freshRandom();
  }
  // One string for the random part (concatenating 16 characters made 16 intermediate strings).
  for (let i = 0; i < RANDOM_CHARS; i++) randomCodes[i] = CROCKFORD.charCodeAt(lastRandom[i] as number);
  return `${prefix}_${lastTimeText}${String.fromCharCode(...randomCodes)}`;
}

/** A new id with its timestamp; `clock` may run ahead of ids already made, never behind them. */
export function newId(prefix: string, clock: () => number = Date.now): NewId {
  const id = nextId(prefix, clock);
  return { id, at: new Date(lastTime).toISOString() };
}

/** The id alone, for a row whose time is `at` (the same clock rule as newId). */
export function newIdAt(prefix: string, at: Date): string {
  return nextId(prefix, () => at.getTime());
}

/** The id alone, made now: the gateway's several ids per request need no timestamp text. */
export function newIdNow(prefix: string): string {
  return nextId(prefix, Date.now);
}
