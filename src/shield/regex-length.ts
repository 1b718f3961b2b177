// An upper bound on how many characters a rule pattern can span, lookarounds included. The engine
// uses it to run a rule's regex only in windows around its keyword hits instead of over the whole
// text. Unbounded repeats (allowed only on a literal or \s) count as UNBOUNDED_RUN characters.

export const UNBOUNDED_RUN = 256;

interface Cursor {
  pattern: string;
  i: number;
  /** Sum of the lookbehind groups' maximum lengths met so far. */
  behind: number;
}

function quantifierMax(c: Cursor): number {
  const { pattern } = c;
  const ch = pattern[c.i];
  let max = 1;
  if (ch === "*" || ch === "+") {
    max = UNBOUNDED_RUN;
    c.i++;
  } else if (ch === "?") {
    max = 1;
    c.i++;
  } else if (ch === "{") {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(c.i));
    if (!m) return 1;
    max = m[2] === undefined ? Number(m[1]) : m[3] === "" ? UNBOUNDED_RUN : Number(m[3]);
    c.i += m[0].length;
  } else {
    return 1;
  }
  if (pattern[c.i] === "?") c.i++;
  return max;
}

function atomLength(c: Cursor): number {
  const { pattern } = c;
  const ch = pattern[c.i];
  if (ch === "(") {
    c.i++;
    const lookbehind = pattern.startsWith("?<=", c.i) || pattern.startsWith("?<!", c.i);
    if (pattern.startsWith("?:", c.i) || pattern.startsWith("?=", c.i) || pattern.startsWith("?!", c.i)) c.i += 2;
    else if (lookbehind) c.i += 3;
    else if (pattern.startsWith("?<", c.i)) c.i = pattern.indexOf(">", c.i) + 1;
    const inner = alternation(c);
    c.i++; // ")"
    if (lookbehind) c.behind += inner;
    return inner;
  }
  if (ch === "[") {
    c.i++;
    if (pattern[c.i] === "^") c.i++;
    if (pattern[c.i] === "]") c.i++;
    while (c.i < pattern.length && pattern[c.i] !== "]") c.i += pattern[c.i] === "\\" ? 2 : 1;
    c.i++;
    return 1;
  }
  if (ch === "\\") {
    const next = pattern[c.i + 1] ?? "";
    c.i += 2;
    if (next === "x") c.i += 2;
    else if (next === "u") c.i = pattern[c.i] === "{" ? pattern.indexOf("}", c.i) + 1 : c.i + 4;
    else if (next === "p" || next === "P") c.i = pattern.indexOf("}", c.i) + 1;
    return next === "b" || next === "B" ? 0 : 1;
  }
  c.i++;
  return ch === "^" || ch === "$" ? 0 : 1;
}

function sequence(c: Cursor): number {
  let total = 0;
  while (c.i < c.pattern.length && c.pattern[c.i] !== "|" && c.pattern[c.i] !== ")") {
    const length = atomLength(c);
    total += length * quantifierMax(c);
  }
  return total;
}

function alternation(c: Cursor): number {
  let best = sequence(c);
  while (c.pattern[c.i] === "|") {
    c.i++;
    best = Math.max(best, sequence(c));
  }
  return best;
}

export function maxMatchLength(pattern: string): number {
  return alternation({ pattern, i: 0, behind: 0 });
}

/**
 * An upper bound on how far before a match's start the regex may look: a lookbehind placed
 * anywhere in the pattern looks back at most its own length from a point at or after the start.
 * (A quantified lookbehind counts once: each repetition looks back from its own position.)
 */
export function lookbehindLength(pattern: string): number {
  const c: Cursor = { pattern, i: 0, behind: 0 };
  alternation(c);
  return c.behind;
}
