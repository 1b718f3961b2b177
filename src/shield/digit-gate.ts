// Most prefilters of PII rules need a digit ("\d{7}", "\d{4}[ -]?\d{4}"). Rather than each of them
// scanning the whole text, one pass finds the runs of digits and they scan only around those.
import { topLevelAlternatives } from "./regex-source.ts";

/** Beyond this many digit runs a prefilter scans the whole text instead. */
const MAX_DIGIT_RUNS = 8192;
/** Runs found with the native regex before the rest of the text is read unit by unit (digit-dense text). */
const REGEX_RUNS = 256;

/**
 * Whether every match of a prefilter contains a digit and nothing in it looks outside its match
 * (no \b, anchors or lookarounds), so running it on slices around digits finds what it would on
 * the whole text. Recognises top-level alternatives each holding an unquantified or
 * at-least-once digit class; anything else is "no".
 */
export function gatedByDigits(source: string): boolean {
  if (/\\b|\\B|[\^$]|\(\?[<=!]/.test(source) || /\((?!\?:)/.test(source)) return false;
  return topLevelAlternatives(source).every((alternative) => /(?:\\d|\[(?:0-9|1-9)\])(?![?*]|\{0)/.test(alternative));
}

/**
 * The longest run of digits every hit of a digit-gated prefilter contains ("\\d{7}": 7,
 * "\\d\\d ?\\d\\d": 2, "\\+[1-9]|\\d{6}": 1): shorter runs need no look.
 */
export function requiredDigitRun(source: string): number {
  return Math.min(...topLevelAlternatives(source).map(longestDigitRun));
}

/** Longest sequence of consecutive digit atoms (\d, [0-9], [1-9], with their least repeat) an alternative demands. */
function longestDigitRun(alternative: string): number {
  let longest = 0;
  let run = 0;
  const atoms = /(\\d|\[0-9\]|\[1-9\])(\{(\d+)(?:,\d*)?\}|[?*+])?|\\.|\[[^\]]*\]|[^\\[]/g;
  for (let m = atoms.exec(alternative); m !== null; m = atoms.exec(alternative)) {
    if (m[1] === undefined) {
      // A quantifier after a non-digit atom does not end the run it follows.
      if (/^[?*+]$|^\{/.test(m[0])) continue;
      run = 0;
      continue;
    }
    const least = m[2] === undefined ? 1 : m[3] !== undefined ? Number(m[3]) : m[2] === "+" ? 1 : 0;
    run = least === 0 ? 0 : run + least;
    longest = Math.max(longest, run);
  }
  return longest;
}

const DIGITS = /\d+/g;

/** [start, end, ...] of the runs of ASCII digits in text, or null when there are very many. */
export function digitRuns(text: string): number[] | null {
  const runs: number[] = [];
  DIGITS.lastIndex = 0;
  let m = DIGITS.exec(text);
  for (; m !== null && runs.length < REGEX_RUNS * 2; m = DIGITS.exec(text)) runs.push(m.index, DIGITS.lastIndex);
  if (m === null) return runs;
  let start = -1;
  for (let i = m.index, n = text.length; i <= n; i++) {
    const code = i < n ? text.charCodeAt(i) : 0;
    const digit = code >= 48 && code <= 57;
    if (digit && start < 0) start = i;
    else if (!digit && start >= 0) {
      if (runs.length >= MAX_DIGIT_RUNS * 2) return null;
      runs.push(start, i);
      start = -1;
    }
  }
  return runs;
}

/** Windows [from, to, ...] reaching `reach` characters around each digit run of at least `least` digits, merged. */
export function aroundRuns(runs: readonly number[], least: number, reach: number, length: number): number[] {
  const windows: number[] = [];
  for (let r = 0; r < runs.length; r += 2) {
    if ((runs[r + 1] as number) - (runs[r] as number) < least) continue;
    const from = Math.max(0, (runs[r] as number) - reach);
    const to = Math.min(length, (runs[r + 1] as number) + reach);
    if (windows.length > 0 && from <= (windows[windows.length - 1] as number)) windows[windows.length - 1] = to;
    else windows.push(from, to);
  }
  return windows;
}
