// How the engine keeps rule regexes cheap: they run only in windows around keyword or prefilter
// hits, and each is warmed up before its first real use.

// V8 first runs a regex in its bytecode interpreter and compiles it to machine code later, once
// per string encoding (one-byte and two-byte). Left to happen on live traffic, some rule regexes
// stayed measurably slower for the life of the process (about a fifth of a scan's time on agent
// traffic, however long the process ran). Compiling each at once, on a subject of both encodings
// at least 1,000 characters long (V8 then skips the interpreter), avoids that.
const WARM_UP_ONE_BYTE = "Warm-up text for the rule patterns: plain words, digits 12345 and punctuation. ".repeat(14);
const WARM_UP_TWO_BYTE = `${WARM_UP_ONE_BYTE}\u2019`;

export function warmUp(regexes: readonly RegExp[]): void {
  for (const regex of regexes) {
    for (const text of [WARM_UP_ONE_BYTE, WARM_UP_TWO_BYTE]) {
      for (let k = 0; k < 3; k++) {
        regex.lastIndex = 0;
        regex.exec(text);
      }
    }
    regex.lastIndex = 0;
  }
}

/** End offsets of keyword or prefilter hits, ascending. */
export type HitEnds = Int32Array | readonly number[];

/**
 * Windows from `before` characters before to `after` characters after each end offset (sorted
 * ascending), merged, as [from, to, from, to...]; null when they would cover most of the text.
 */
export function mergeWindows(ends: HitEnds, before: number, after: number, length: number): number[] | null {
  const merged: number[] = [];
  let covered = 0;
  for (const end of ends) {
    const from = Math.max(0, end - before);
    const to = Math.min(length, end + after);
    const last = merged.length - 1;
    if (last > 0 && from <= (merged[last] as number)) {
      const grown = Math.max(merged[last] as number, to);
      covered += grown - (merged[last] as number);
      merged[last] = grown;
    } else {
      merged.push(from, to);
      covered += to - from;
    }
  }
  return covered * 2 > length ? null : merged;
}
