// Cuts a text file's bytes into bounded windows for the Shield, with enough of each window carried
// into the next that no match is lost on a seam. Memory stays flat: at most one window plus one
// read chunk is held, and windows stay below V8's large-object size, so the strings die young
// (scavenged at once) instead of piling up in old space until a full collection.
import { createReadStream } from "node:fs";
import type { ShieldEngine } from "../../shield/engine.ts";
import { isDroppedInvisible } from "../../shield/normalize.ts";
import { maxMatchLength } from "../../shield/regex-length.ts";

export interface WindowOptions {
  /** Characters per window. */
  windowChars: number;
  /** Longest match the Shield can report, in characters of its normalised text (see shieldReach). */
  reachChars: number;
}

/** 32 Ki UTF-16 units: 64 KB even for two-byte strings, half V8's large-object threshold. */
export const DEFAULT_WINDOW_CHARS = 32 * 1024;

/** Bytes read from disk at a time: a window plus one chunk also stays under the threshold. */
const READ_BYTES = 16 * 1024;

/** The engine pads its own keyword windows by 64 characters so \b and look-arounds see neighbours. */
const CONTEXT_PAD = 64;

const reachOf = new WeakMap<ShieldEngine, number>();

/**
 * The longest span a rule of this engine can match: the engine's own bound (maxMatchLength, the
 * one it uses to run a regex only near its keywords), plus the context it pads with. Computed once
 * per engine, so custom rules with long patterns widen the seam automatically.
 */
export function shieldReach(engine: ShieldEngine): number {
  let reach = reachOf.get(engine);
  if (reach === undefined) {
    reach = CONTEXT_PAD;
    for (const rule of engine.rules) {
      for (const pattern of rule.patterns) reach = Math.max(reach, maxMatchLength(pattern) + CONTEXT_PAD);
      for (const keyword of rule.keywords) reach = Math.max(reach, keyword.length + CONTEXT_PAD);
    }
    reachOf.set(engine, reach);
  }
  return reach;
}

function isWhitespace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d) || code === 0xa0 || code === 0x2028 || code === 0x2029 || code === 0x3000;
}

/**
 * Where the next window starts, as an offset into `window`. Two guarantees, both bounded by
 * `maxCarry` so every window moves forward:
 *  - the carried tail holds `reach` visible code points: normalisation turns each into at least one
 *    character and drops invisibles (zero-width, bidi, tag characters), so any match of at most
 *    `reach` normalised characters ending in the next window starts inside the carried tail, however
 *    many invisible characters an attacker threads through it;
 *  - it starts on whitespace: an encoded run (base64, hex, %-, \x-, &#-escapes) has none, so a run
 *    crossing the seam reaches the decoder whole.
 */
export function seamStart(window: string, reach: number, maxCarry: number): number {
  const floor = Math.max(1, window.length - maxCarry);
  let i = window.length;
  let visible = 0;
  while (i > floor && visible < reach) {
    i--;
    const code = window.charCodeAt(i);
    if (code >= 0xdc00 && code <= 0xdfff) continue; // a low surrogate: counted with its high half
    if (code === 0xdb40) continue; // high half of a tag character (U+E0000..U+E007F): invisible
    if (!isDroppedInvisible(code)) visible++;
  }
  while (i > floor && !isWhitespace(window.charCodeAt(i - 1))) i--;
  // Never start on the low half of a surrogate pair.
  const code = window.charCodeAt(i);
  if (i > floor && code >= 0xdc00 && code <= 0xdfff) i--;
  return i;
}

/**
 * Yields the text of `source` (UTF-8 bytes) window by window. Consecutive windows overlap per
 * seamStart; the last window is yielded even when short, and an empty input yields one "".
 */
export async function* textWindows(source: AsyncIterable<Buffer>, options: WindowOptions): AsyncGenerator<string> {
  const { windowChars } = options;
  // Half a window at most, so each window brings at least half a window of new text.
  const maxCarry = Math.floor(windowChars / 2);
  const reach = Math.min(options.reachChars, maxCarry);
  const decoder = new TextDecoder("utf-8");
  let buffer = "";
  let carried = 0; // leading characters of `buffer` that the previous window already covered
  let yielded = false;
  for await (const chunk of source) {
    buffer += decoder.decode(chunk, { stream: true });
    while (buffer.length >= windowChars) {
      const window = buffer.slice(0, windowChars);
      const rest = buffer.slice(windowChars);
      yield window;
      yielded = true;
      const start = seamStart(window, reach, maxCarry);
      buffer = window.slice(start) + rest;
      carried = window.length - start;
    }
  }
  buffer += decoder.decode();
  if (buffer.length > carried || !yielded) yield buffer;
}

/** The text file at `path`, window by window, read from disk in small chunks. */
export function fileTextWindows(path: string, options: WindowOptions): AsyncGenerator<string> {
  return textWindows(createReadStream(path, { highWaterMark: READ_BYTES }) as AsyncIterable<Buffer>, options);
}
