// Which keywords can start a pattern's matches. Many rule patterns open with \b and a list of
// words ("\b(?:overwrite|replace|...)"), while the rule's keywords serve all of its patterns. When
// each opening word starts with one of the rule's keywords, that pattern only needs to run near
// hits of those keywords, a fraction of the rule's hits.
import { foldUnit } from "./normalize.ts";
import { groupEnd } from "./regex-source.ts";

interface Lead {
  /** Literal text every match of the alternative starts with (lower-cased). */
  literal: string;
  /** Whether \b precedes it. */
  boundary: boolean;
  /** Index in the pattern right after the literal, or -1 while that is after an enclosing group. */
  follow: number;
}

/** Characters that end a literal run in a pattern. */
const SPECIAL = new Set([..."\\[](){}|?*+.^$"]);

/** Reads the alternatives of `pattern` from `i` up to an unbalanced ")" or the end; null if any has no lead. */
function alternatives(pattern: string, start: number, boundary: boolean): { leads: Lead[]; end: number } | null {
  const leads: Lead[] = [];
  let i = start;
  for (;;) {
    let b = boundary;
    if (pattern.startsWith("\\b", i)) {
      b = true;
      i += 2;
    }
    if (pattern.startsWith("(?:", i) || (pattern[i] === "(" && pattern[i + 1] !== "?")) {
      const inner = alternatives(pattern, i + (pattern[i + 1] === "?" ? 3 : 1), b);
      if (!inner) return null;
      const after = pattern[inner.end + 1];
      // An optional group may be skipped: its words then don't start the match.
      if (after === "?" || after === "*" || (after === "{" && pattern.startsWith("{0", inner.end + 1))) return null;
      const groupEnds = after === undefined || after === "|" || after === ")";
      for (const lead of inner.leads) if (lead.follow < 0 && !groupEnds) lead.follow = inner.end + 1;
      leads.push(...inner.leads);
      i = inner.end + 1;
    } else {
      let literal = "";
      while (i < pattern.length) {
        const ch = pattern[i] as string;
        let unit: string;
        let width = 1;
        if (ch === "\\") {
          const next = pattern[i + 1] ?? "";
          if (/[A-Za-z0-9]/.test(next) || next === "") break;
          unit = next;
          width = 2;
        } else if (SPECIAL.has(ch)) {
          break;
        } else {
          unit = ch;
        }
        // A quantified unit may repeat or vanish: the literal ends before it.
        const next = pattern[i + width];
        if (next !== undefined && "?*+{".includes(next)) break;
        literal += unit;
        i += width;
      }
      if (literal === "") return null;
      const endsAlternative = i >= pattern.length || pattern[i] === "|" || pattern[i] === ")";
      leads.push({ literal: literal.toLowerCase(), boundary: b, follow: endsAlternative ? -1 : i });
    }
    // Skip the rest of this alternative, up to its "|" or the group's ")".
    let depth = 0;
    for (; i < pattern.length; i++) {
      const ch = pattern[i];
      if (ch === "\\") i++;
      else if (ch === "[") {
        for (i++; i < pattern.length && pattern[i] !== "]"; i++) if (pattern[i] === "\\") i++;
      } else if (ch === "(") depth++;
      else if (ch === ")") {
        if (depth === 0) break;
        depth--;
      } else if (ch === "|" && depth === 0) break;
    }
    if (pattern[i] !== "|") return { leads, end: i };
    i++;
  }
}

/** Whether the keyword matcher checks for a word start before hits of a keyword starting so. */
function mayNeedBoundary(code: number): boolean {
  return code >= 0x80 || foldUnit(code) !== code || /[a-z0-9]/.test(String.fromCharCode(code));
}

/**
 * The indices of `keywords` (lower-case) one of whose hits every match of `pattern` starts with,
 * or null when that can't be shown. A keyword qualifies for an opening word it begins, if the
 * keyword matcher takes its hits anywhere or the pattern demands \b there (the matcher counts a
 * hit after any unit regex \b accepts, see aho-corasick.ts). The matcher compares folded text,
 * so case and the i flag don't matter.
 */
export function leadKeywords(pattern: string, keywords: readonly string[]): number[] | null {
  const parsed = alternatives(pattern, 0, false);
  if (!parsed || parsed.end !== pattern.length) return null;
  const ids = new Set<number>();
  for (const lead of parsed.leads) {
    let covered = false;
    keywords.forEach((keyword, id) => {
      if (keyword.length === 0 || !lead.literal.startsWith(keyword)) return;
      if (mayNeedBoundary(keyword.charCodeAt(0)) && !lead.boundary) return;
      ids.add(id);
      covered = true;
    });
    if (!covered) return null;
  }
  return [...ids].sort((a, b) => a - b);
}

/** A word every match of a pattern may open with, and where the matcher must report its hits. */
export interface StartLiteral {
  literal: string;
  /** No \b before it: the matcher must report its hits anywhere, not only at word starts. */
  anywhere: boolean;
  /** Whitespace or \b follows it: only hits where a word ends count ("do" of "do not", not "does"). */
  wordEnd: boolean;
}

/**
 * The words (lower-case) one of which every match of `pattern` opens with (after any leading
 * lookbehinds, which take no characters), when each is at least `minLength` long or a whole word
 * of at least `minWordLength`; else null.
 */
export function startLiterals(pattern: string, minLength: number, minWordLength = minLength): StartLiteral[] | null {
  let start = 0;
  while (pattern.startsWith("(?<=", start) || pattern.startsWith("(?<!", start)) {
    const end = groupEnd(pattern, start);
    if (end < 0) return null;
    start = end + 1;
  }
  const parsed = alternatives(pattern, start, false);
  if (!parsed || parsed.end !== pattern.length) return null;
  const literals = new Map<string, StartLiteral>();
  for (const { literal, boundary, follow } of parsed.leads) {
    const wordEnd = /[a-z0-9]$/.test(literal) && follow >= 0 && endsWord(pattern, follow);
    if (literal.length < (wordEnd ? minWordLength : minLength)) return null;
    const anywhere = mayNeedBoundary(literal.charCodeAt(0)) && !boundary;
    const key = `${anywhere ? "*" : ""}${literal}${wordEnd ? "$" : ""}`;
    if (!literals.has(key)) literals.set(key, { literal, anywhere, wordEnd });
  }
  return [...literals.values()];
}

/** Whether the pattern at `at` demands a non-word character or a word boundary (\s, \s{1,n}, \b). */
function endsWord(pattern: string, at: number): boolean {
  if (pattern.startsWith("\\b", at)) return true;
  if (!pattern.startsWith("\\s", at)) return false;
  const quantifier = pattern[at + 2];
  return quantifier !== "?" && quantifier !== "*" && !pattern.startsWith("{0", at + 2);
}
