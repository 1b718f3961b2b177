// Most prefilters of PII rules need a digit ("\d{7}", "\d{4}[ -]?\d{4}"), and a look-alike
// prefilter a non-ASCII letter. Rather than each of them scanning the whole text, one pass finds
// the runs of digits (or of non-ASCII units) and they scan only around those.
import { topLevelAlternatives } from "./regex-source.ts";

/** Which runs a prefilter's hits need, and how long they must at least be. */
export interface RunGate {
  runs: "digits" | "non-ascii";
  least: number;
}

/** The gate of a prefilter, or null when it must scan the whole text. */
export function prefilterGate(source: string, flags: string): RunGate | null {
  if (gatedByDigits(source)) return { runs: "digits", least: requiredDigitRun(source) };
  if (gatedByNonAscii(source, flags)) return { runs: "non-ascii", least: 1 };
  return null;
}

/**
 * Whether the prefilter is one class of non-ASCII units only ("[\u0400-\u04FF]"). Case-insensitive
 * Unicode matching could let such a class match ASCII (K, the Kelvin sign, matches "k"): not then.
 */
export function gatedByNonAscii(source: string, flags: string): boolean {
  if (flags.includes("i") && (flags.includes("u") || flags.includes("v"))) return false;
  const body = /^\[((?:\\u[0-9a-fA-F]{4}(?:-\\u[0-9a-fA-F]{4})?)+)\]$/.exec(source)?.[1];
  if (body === undefined) return false;
  return [...body.matchAll(/\\u([0-9a-fA-F]{4})/g)].every((m) => Number.parseInt(m[1] as string, 16) >= 0x80);
}

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

const DIGIT_RUN = /\d+/g;
const NON_ASCII_RUN = /[^\x00-\x7f]+/g;

/** [start, end, ...] of the runs of digits or non-ASCII units in text, or null when there are very many. */
export function gateRuns(text: string, gate: RunGate): number[] | null {
  return gate.runs === "digits" ? unitRuns(text, DIGIT_RUN, (code) => code >= 48 && code <= 57) : unitRuns(text, NON_ASCII_RUN, (code) => code >= 0x80);
}

/** Runs of `run` (a global regex of one class, repeated), natively first, then unit by unit. */
function unitRuns(text: string, run: RegExp, member: (code: number) => boolean): number[] | null {
  const runs: number[] = [];
  run.lastIndex = 0;
  let m = run.exec(text);
  for (; m !== null && runs.length < REGEX_RUNS * 2; m = run.exec(text)) runs.push(m.index, run.lastIndex);
  if (m === null) return runs;
  let start = -1;
  for (let i = m.index, n = text.length; i <= n; i++) {
    const inRun = i < n && member(text.charCodeAt(i));
    if (inRun && start < 0) start = i;
    else if (!inRun && start >= 0) {
      if (runs.length >= MAX_DIGIT_RUNS * 2) return null;
      runs.push(start, i);
      start = -1;
    }
  }
  return runs;
}

/** Windows [from, to, ...] reaching `reach` characters around each run of at least `least` units, merged. */
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
