// Which keywords can start a pattern's matches. Many rule patterns open with \b and a list of
// words ("\b(?:overwrite|replace|...)"), while the rule's keywords serve all of its patterns. When
// each opening word starts with one of the rule's keywords, that pattern only needs to run near
// hits of those keywords, a fraction of the rule's hits.
import { foldUnit } from "./normalize.ts";

interface Lead {
  /** Literal text every match of the alternative starts with (lower-cased). */
  literal: string;
  /** Whether \b precedes it. */
  boundary: boolean;
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
      leads.push({ literal: literal.toLowerCase(), boundary: b });
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

/**
 * The words (lower-case) one of which every match of `pattern` opens with, when each is at least
 * `minLength` long and the keyword matcher reports each of its hits where a match may start (see
 * leadKeywords); else null.
 */
export function startLiterals(pattern: string, minLength: number): string[] | null {
  const parsed = alternatives(pattern, 0, false);
  if (!parsed || parsed.end !== pattern.length) return null;
  const literals = new Set<string>();
  for (const { literal, boundary } of parsed.leads) {
    if (literal.length < minLength) return null;
    if (mayNeedBoundary(literal.charCodeAt(0)) && !boundary) return null;
    literals.add(literal);
  }
  return [...literals];
}
