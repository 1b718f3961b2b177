// Rejects regular expressions whose backtracking can blow up on hostile input. V8's regex engine
// backtracks, and the Shield runs rules over attacker-controlled text, so every rule must have
// linear-ish worst cases. The policy is deliberately conservative:
//   1. no quantified group that itself contains a repeating quantifier (star height > 1),
//      unless the outer repeat is small (at most 16) and the inner repeats are bounded;
//   2. every repeat is bounded ({0,N} with N <= 1024), except `*`/`+` on a single literal
//      character or on \s, and only when something precedes it in the pattern;
//   3. no back-references (they defeat every bound above).

export interface RegexSafetyIssue {
  reason: string;
  index: number;
}

interface Quantifier {
  min: number;
  max: number; // Infinity when unbounded
  length: number;
}

const MAX_BOUND = 1024;
const MAX_NESTED_OUTER = 16;

function readQuantifier(pattern: string, i: number): Quantifier | null {
  const ch = pattern[i];
  let q: Quantifier | null = null;
  if (ch === "*") q = { min: 0, max: Infinity, length: 1 };
  else if (ch === "+") q = { min: 1, max: Infinity, length: 1 };
  else if (ch === "?") q = { min: 0, max: 1, length: 1 };
  else if (ch === "{") {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
    if (m) {
      const min = Number(m[1]);
      const max = m[2] === undefined ? min : m[3] === "" ? Infinity : Number(m[3]);
      q = { min, max, length: m[0].length };
    }
  }
  if (q && pattern[i + q.length] === "?") q.length++; // lazy modifier
  return q;
}

interface Atom {
  kind: "literal" | "space" | "class" | "group";
  start: number;
  end: number;
  /** For groups: the largest repeat count of any quantifier inside (1 if none). */
  innerMax: number;
  innerUnbounded: boolean;
}

/** Returns the problems found; an empty list means the pattern is accepted. */
export function checkRegexSafety(pattern: string): RegexSafetyIssue[] {
  const issues: RegexSafetyIssue[] = [];
  // Stack of groups being parsed: the max inner repeat seen so far.
  const stack: Array<{ start: number; innerMax: number; innerUnbounded: boolean }> = [];
  let last: Atom | null = null;
  let i = 0;
  let atomsSeen = 0;

  const noteRepeat = (max: number) => {
    const top = stack[stack.length - 1];
    if (top) {
      top.innerMax = Math.max(top.innerMax, max);
      if (max === Infinity) top.innerUnbounded = true;
    }
  };

  while (i < pattern.length) {
    const ch = pattern[i] as string;
    const q = last ? readQuantifier(pattern, i) : null;
    if (q && last) {
      const repeats = q.max > 1;
      if (last.kind === "group" && repeats && last.innerMax > 1) {
        const smallOuter = q.max <= MAX_NESTED_OUTER && !last.innerUnbounded;
        if (!smallOuter) issues.push({ reason: "nested quantifier: a repeated group contains a repeat (catastrophic backtracking)", index: last.start });
      }
      if (q.max === Infinity) {
        const cheap = last.kind === "literal" || last.kind === "space";
        if (!cheap) issues.push({ reason: `unbounded repeat on '${pattern.slice(last.start, last.end)}': use a bound such as {1,${MAX_BOUND}}`, index: last.start });
        else if (atomsSeen <= 1) issues.push({ reason: "a pattern must not start with an unbounded repeat", index: last.start });
      } else if (q.max > MAX_BOUND) {
        issues.push({ reason: `repeat bound ${q.max} exceeds ${MAX_BOUND}`, index: i });
      }
      if (repeats) noteRepeat(q.max);
      if (last.kind === "group" && last.innerMax > 1) noteRepeat(last.innerMax);
      last = null;
      i += q.length;
      continue;
    }
    if (ch === "\\") {
      const next = pattern[i + 1] ?? "";
      if (/[1-9]/.test(next) || next === "k") issues.push({ reason: "back-references are not allowed", index: i });
      let end = i + 2;
      if (next === "x") end = i + 4;
      else if (next === "u") end = pattern[i + 2] === "{" ? pattern.indexOf("}", i) + 1 : i + 6;
      else if (next === "p" || next === "P") end = pattern.indexOf("}", i) + 1;
      const kind = next === "s" ? "space" : /[dDwWsSbBpP.]/.test(next) ? "class" : "literal";
      last = { kind, start: i, end, innerMax: 1, innerUnbounded: false };
      atomsSeen++;
      i = end;
      continue;
    }
    if (ch === "[") {
      let j = i + 1;
      if (pattern[j] === "^") j++;
      if (pattern[j] === "]") j++;
      while (j < pattern.length && pattern[j] !== "]") j += pattern[j] === "\\" ? 2 : 1;
      last = { kind: "class", start: i, end: j + 1, innerMax: 1, innerUnbounded: false };
      atomsSeen++;
      i = j + 1;
      continue;
    }
    if (ch === "(") {
      stack.push({ start: i, innerMax: 1, innerUnbounded: false });
      last = null;
      i += pattern.startsWith("(?:", i) || pattern.startsWith("(?=", i) || pattern.startsWith("(?!", i) ? 3 : pattern.startsWith("(?<=", i) || pattern.startsWith("(?<!", i) ? 4 : 1;
      if (pattern.startsWith("(?<", i - 1) && pattern[i - 1] === "<") {
        const close = pattern.indexOf(">", i);
        if (close > 0) i = close + 1;
      }
      continue;
    }
    if (ch === ")") {
      const group = stack.pop();
      last = group ? { kind: "group", start: group.start, end: i + 1, innerMax: group.innerMax, innerUnbounded: group.innerUnbounded } : null;
      if (group && group.innerMax > 1) noteRepeat(group.innerMax);
      atomsSeen++;
      i++;
      continue;
    }
    if (ch === "|" || ch === "^" || ch === "$") {
      last = null;
      i++;
      continue;
    }
    last = { kind: ch === "." ? "class" : "literal", start: i, end: i + 1, innerMax: 1, innerUnbounded: false };
    atomsSeen++;
    i++;
  }
  return issues;
}
