// What characters a rule pattern's matches can consume, and the literal a pattern's matches start
// with, read from the regex source; used by the stream holdback to tell where a match could still
// be in progress. Approximations only ever widen an alphabet: that holds more back, never less.
import { groupEnd, topLevelAlternatives } from "../shield/regex-source.ts";

/** ASCII membership plus whether any non-ASCII character may be consumed. */
export interface Alphabet {
  ascii: Uint8Array;
  nonAscii: boolean;
}

const ALL_ASCII = (): Uint8Array => new Uint8Array(128).fill(1);

function addRange(a: Alphabet, from: number, to: number): void {
  for (let c = from; c <= to; c++) {
    if (c < 128) a.ascii[c] = 1;
    else {
      a.nonAscii = true;
      break;
    }
  }
}

function addEscapeClass(a: Alphabet, letter: string): boolean {
  switch (letter) {
    case "d":
      addRange(a, 48, 57);
      return true;
    case "w":
      addRange(a, 48, 57);
      addRange(a, 65, 90);
      addRange(a, 97, 122);
      a.ascii[95] = 1;
      return true;
    case "s":
      for (const c of [9, 10, 11, 12, 13, 32]) a.ascii[c] = 1;
      a.nonAscii = true;
      return true;
    case "D":
    case "W":
    case "S":
    case "p":
    case "P":
      // Complements and Unicode properties: take everything (a wider alphabet only holds more).
      a.ascii = ALL_ASCII();
      a.nonAscii = true;
      return true;
    default:
      return false;
  }
}

const SIMPLE_ESCAPES: Record<string, number> = { n: 10, r: 13, t: 9, f: 12, v: 11, "0": 0 };

/** Reads one escape at p[i] === "\\"; adds what it consumes; returns the index after it. */
function readEscape(p: string, i: number, a: Alphabet, single: { code: number } | null): number {
  const e = p[i + 1] ?? "";
  if (addEscapeClass(a, e)) {
    if (single) single.code = -1;
    return e === "p" || e === "P" ? p.indexOf("}", i) + 1 || i + 2 : i + 2;
  }
  let code: number;
  let next = i + 2;
  if (e === "b" || e === "B") return next; // zero-width (in a class \b is a backspace: irrelevant)
  if (e in SIMPLE_ESCAPES) code = SIMPLE_ESCAPES[e] as number;
  else if (e === "x") {
    code = parseInt(p.slice(i + 2, i + 4), 16);
    next = i + 4;
  } else if (e === "u" && p[i + 2] === "{") {
    const close = p.indexOf("}", i);
    code = parseInt(p.slice(i + 3, close), 16);
    next = close + 1;
  } else if (e === "u") {
    code = parseInt(p.slice(i + 2, i + 6), 16);
    next = i + 6;
  } else if (e === "k" || /[1-9]/.test(e)) {
    // A backreference repeats earlier text: anything.
    a.ascii = ALL_ASCII();
    a.nonAscii = true;
    if (single) single.code = -1;
    return e === "k" ? p.indexOf(">", i) + 1 : i + 2;
  } else code = e.charCodeAt(0);
  if (Number.isNaN(code)) code = e.charCodeAt(0);
  addRange(a, code, code);
  if (single) single.code = code;
  return next;
}

/** Reads a class [...] at p[i] === "["; returns the index after it. */
function readClass(p: string, i: number, a: Alphabet): number {
  const inner: Alphabet = { ascii: new Uint8Array(128), nonAscii: false };
  let j = i + 1;
  const negated = p[j] === "^";
  if (negated) j++;
  let first = true;
  while (j < p.length && (p[j] !== "]" || first)) {
    first = false;
    let from: number;
    if (p[j] === "\\") {
      const single = { code: -1 };
      j = readEscape(p, j, inner, single);
      from = single.code;
    } else {
      from = p.charCodeAt(j);
      addRange(inner, from, from);
      j++;
    }
    if (from >= 0 && p[j] === "-" && p[j + 1] !== "]" && j + 1 < p.length) {
      let to: number;
      if (p[j + 1] === "\\") {
        const single = { code: -1 };
        j = readEscape(p, j + 1, inner, single);
        to = single.code;
      } else {
        to = p.charCodeAt(j + 1);
        j += 2;
      }
      if (to >= from) addRange(inner, from, to);
    }
  }
  if (negated) {
    for (let c = 0; c < 128; c++) if (!inner.ascii[c]) a.ascii[c] = 1;
    a.nonAscii = true;
  } else {
    for (let c = 0; c < 128; c++) if (inner.ascii[c]) a.ascii[c] = 1;
    a.nonAscii ||= inner.nonAscii;
  }
  return j + 1;
}

/**
 * Every character a match of the pattern can consume. Lookaround contents are skipped: they
 * consume nothing, and a lookahead at the end of the text succeeds or fails on what is there.
 */
export function alphabetOf(pattern: string, flags: string): Alphabet {
  const a: Alphabet = { ascii: new Uint8Array(128), nonAscii: false };
  const p = pattern;
  const scratch = (): Alphabet => ({ ascii: new Uint8Array(128), nonAscii: false });
  // Depths of the open groups that are lookarounds: their contents consume nothing.
  const lookaround: boolean[] = [];
  let skipping = 0;
  for (let i = 0; i < p.length; ) {
    const ch = p[i] as string;
    const into = skipping > 0 ? scratch() : a;
    if (ch === "\\") i = readEscape(p, i, into, null);
    else if (ch === "[") i = readClass(p, i, into);
    else if (ch === "(") {
      const head = /^\((?:\?<?[=!]|\?<[A-Za-z_$][\w$]*>|\?[a-z-]*:)?/.exec(p.slice(i))?.[0] ?? "(";
      const isLook = /^\(\?<?[=!]/.test(head);
      lookaround.push(isLook);
      if (isLook) skipping++;
      i += head.length;
    } else if (ch === ")") {
      if (lookaround.pop()) skipping--;
      i++;
    } else if (ch === "{" && /^\{\d+(,\d*)?\}/.test(p.slice(i))) i = p.indexOf("}", i) + 1;
    else if ("|^$*+?".includes(ch)) i++;
    else if (ch === ".") {
      into.ascii = ALL_ASCII();
      into.nonAscii = true;
      i++;
    } else {
      addRange(into, p.charCodeAt(i), p.charCodeAt(i));
      i++;
    }
  }
  if (flags.includes("i")) {
    for (let c = 65; c <= 90; c++) if (a.ascii[c] || a.ascii[c + 32]) a.ascii[c] = a.ascii[c + 32] = 1;
  }
  return a;
}

export function union(into: Alphabet, a: Alphabet): void {
  for (let c = 0; c < 128; c++) if (a.ascii[c]) into.ascii[c] = 1;
  into.nonAscii ||= a.nonAscii;
}

export function escapeLiteral(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
}

/** The literal text every match of the pattern starts with (after zero-width assertions), lower-cased. */
export function leadingLiteral(pattern: string): string {
  // With alternatives at the top, no one literal starts every match.
  if (topLevelAlternatives(pattern).length > 1) return "";
  let i = 0;
  let out = "";
  for (;;) {
    const rest = pattern.slice(i);
    const zero = /^(?:\\b|\^)/.exec(rest);
    if (zero) {
      i += zero[0].length;
      continue;
    }
    if (rest.startsWith("(?<") || rest.startsWith("(?=") || rest.startsWith("(?!")) {
      if (/^\(\?<[A-Za-z]/.test(rest)) break;
      const close = groupEnd(pattern, i);
      if (close < 0) return "";
      i = close + 1;
      continue;
    }
    break;
  }
  while (i < pattern.length) {
    const ch = pattern[i] as string;
    let lit: string;
    let next: number;
    if (ch === "\\" && /[^A-Za-z0-9]/.test(pattern[i + 1] ?? "a")) {
      lit = pattern[i + 1] as string;
      next = i + 2;
    } else if (/[A-Za-z0-9_ :=@#%&~'",;<>/-]/.test(ch)) {
      lit = ch;
      next = i + 1;
    } else break;
    // A quantified last character is optional or repeated: not part of the fixed literal.
    if (/^[?*{]/.test(pattern[next] ?? "")) break;
    if (pattern[next] === "+") {
      out += lit;
      break;
    }
    out += lit;
    i = next;
  }
  return out.toLowerCase();
}

export function inAlphabet(a: Alphabet, c: number): boolean {
  return c < 128 ? a.ascii[c] === 1 : a.nonAscii;
}

/** Start of the longest suffix (at most `limit` long) whose characters are all in the alphabet. */
export function runStart(text: string, end: number, a: Alphabet, limit: number): number {
  const stop = Math.max(0, end - limit);
  let i = end;
  while (i > stop) {
    const c = text.charCodeAt(i - 1);
    if (c < 128 ? a.ascii[c] !== 1 : !a.nonAscii) break;
    i--;
  }
  return i;
}

/**
 * The characters a match of the pattern can begin with (a superset): zero-width assertions are
 * skipped, optional atoms add theirs and look further, groups are followed into every branch.
 */
export function firstAlphabet(pattern: string, flags: string): Alphabet {
  const out: Alphabet = { ascii: new Uint8Array(128), nonAscii: false };
  const { nullable } = firstOfSequence(pattern, 0, out);
  if (nullable) {
    out.ascii = ALL_ASCII();
    out.nonAscii = true;
  }
  if (flags.includes("i")) {
    for (let c = 65; c <= 90; c++) if (out.ascii[c] || out.ascii[c + 32]) out.ascii[c] = out.ascii[c + 32] = 1;
  }
  return out;
}

/** First characters of the alternatives from p[i] to the closing ")" (or the end). */
function firstOfSequence(p: string, i: number, out: Alphabet): { nullable: boolean; end: number } {
  let nullable = false;
  let done = false;
  while (i < p.length && p[i] !== ")") {
    const ch = p[i] as string;
    if (ch === "|") {
      if (!done) nullable = true;
      done = false;
      i++;
      continue;
    }
    let atom: Alphabet = { ascii: new Uint8Array(128), nonAscii: false };
    let atomNullable = false;
    let next: number;
    if (ch === "^" || ch === "$") next = i + 1;
    else if (ch === "\\" && (p[i + 1] === "b" || p[i + 1] === "B")) next = i + 2;
    else if (ch === "(") {
      const head = /^\((?:\?<?[=!]|\?<[A-Za-z_$][\w$]*>|\?[a-z-]*:)?/.exec(p.slice(i))?.[0] ?? "(";
      const inner = firstOfSequence(p, i + head.length, atom);
      next = inner.end + 1;
      if (/^\(\?<?[=!]/.test(head)) {
        // A lookaround consumes nothing: what it saw is not the match's first character.
        atom = { ascii: new Uint8Array(128), nonAscii: false };
        atomNullable = true;
      } else atomNullable = inner.nullable;
    } else if (ch === "\\") next = readEscape(p, i, atom, null);
    else if (ch === "[") next = readClass(p, i, atom);
    else if (ch === ".") {
      atom.ascii = ALL_ASCII();
      atom.nonAscii = true;
      next = i + 1;
    } else {
      addRange(atom, p.charCodeAt(i), p.charCodeAt(i));
      next = i + 1;
    }
    const zeroWidth = ch === "^" || ch === "$" || (ch === "\\" && (p[i + 1] === "b" || p[i + 1] === "B"));
    // A quantifier allowing zero repeats makes the atom optional.
    const q = /^(?:[?*]|\{0(?:,\d*)?\}|\+|\{\d+(?:,\d*)?\})\??/.exec(p.slice(next))?.[0] ?? "";
    if (q && (q[0] === "?" || q[0] === "*" || q.startsWith("{0"))) atomNullable = true;
    next += q.length;
    if (!done && !zeroWidth) {
      union(out, atom);
      if (!atomNullable) done = true;
    }
    i = next;
  }
  if (!done) nullable = true;
  return { nullable, end: i };
}

/**
 * The backward-looking assertions a pattern starts with (\b, ^, look-behinds), and when its first
 * atom is one unquantified character followed by look-behinds, those too ("0(?<![\w]0)7..."),
 * as a sticky regex: where it fails, no match begins. Null when there are none.
 */
export function leadingAssertions(pattern: string, flags: string): RegExp | null {
  const source = assertionSource(pattern, 0);
  if (source === null) return null;
  try {
    return new RegExp(source, `${flags.replace(/[gy]/g, "")}y`);
  } catch {
    return null;
  }
}

function assertionSource(pattern: string, depth: number): string | null {
  const skipLookbehinds = (from: number): number => {
    let i = from;
    for (;;) {
      const rest = pattern.slice(i);
      if (rest.startsWith("\\b") || rest.startsWith("^")) i += rest.startsWith("^") ? 1 : 2;
      else if (rest.startsWith("(?<=") || rest.startsWith("(?<!")) {
        const close = groupEnd(pattern, i);
        if (close < 0) return i;
        i = close + 1;
      } else return i;
    }
  };
  let end = skipLookbehinds(0);
  if (end === 0 && pattern.startsWith("(?:") && depth < 3) {
    // A leading group: each branch must start with assertions of its own; any may hold.
    const close = groupEnd(pattern, 0);
    if (close < 0 || /^[?*{]/.test(pattern.slice(close + 1))) return null;
    const branches = topLevelAlternatives(pattern.slice(3, close)).map((b) => assertionSource(b, depth + 1));
    return branches.every((b) => b !== null) ? `(?:${branches.join("|")})` : null;
  }
  // One character (a literal, an escape or a class), then look-behinds that check what precedes it.
  const atom = /^(?:\\[^bBdDwWsSpPk1-9ux]|\[(?:\\.|[^\]\\])*\]|[^\\()[|^$.*+?{])/.exec(pattern.slice(end))?.[0];
  if (atom && !/^[?*+{]/.test(pattern.slice(end + atom.length))) {
    const after = skipLookbehinds(end + atom.length);
    if (after > end + atom.length) end = after;
  }
  return end === 0 ? null : pattern.slice(0, end);
}

