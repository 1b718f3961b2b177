// A folded-view rule's regex runs on folded text, which holds no unit that folding changes: no
// upper case, no "0" or "$" (leetspeak), no Cyrillic "о" (a look-alike of "o"), no curly quote.
// A literal such unit in a pattern could never match there ("игнорируй" folds to "иrнopиpyй"), so
// patterns are folded the same way when compiled: each literal unit becomes its folded forms, in
// either case (the capital of a letter can fold elsewhere than the letter: Cyrillic "Н" looks
// like "H" and folds to "h", "н" stays), and a character class also accepts the folded forms of
// each unit it lists (ranges included, so "[а-я]" still accepts the Latin letters its look-alikes
// became). Negated classes and escapes such as \d and \w are left as written: what they should
// mean after folding is the author's call. Authors write what they want to catch; a literal
// becomes one unit or a class of units, so matching lengths are unchanged.
import { RegExpParser, visitRegExpAST } from "@eslint-community/regexpp";
import type { CharacterClass } from "@eslint-community/regexpp/ast";
import { foldedForms } from "./normalize.ts";

/** Ranges longer than this are not expanded (their folded forms would be a table, not a pattern). */
const MAX_RANGE_EXPANSION = 1024;

function escapeUnit(unit: number): string {
  const ch = String.fromCharCode(unit);
  return /[0-9A-Za-z'"]/.test(ch) ? ch : `\\u${unit.toString(16).padStart(4, "0")}`;
}

/** The folded forms a class adds: those of its listed units and ranges other than the units themselves. */
function addedByClass(node: CharacterClass): number[] {
  const added = new Set<number>();
  const add = (unit: number) => {
    if (unit > 0xffff) return;
    for (const form of foldedForms(unit)) if (form !== unit) added.add(form);
  };
  for (const element of node.elements) {
    if (element.type === "Character") add(element.value);
    else if (element.type === "CharacterClassRange" && element.max.value - element.min.value <= MAX_RANGE_EXPANSION) {
      for (let unit = element.min.value; unit <= element.max.value; unit++) add(unit);
    }
  }
  return [...added];
}

function computeFolds(unit: number): boolean {
  const forms = foldedForms(unit);
  return forms.length > 1 || forms[0] !== unit;
}

const ASCII_FOLDS = Array.from({ length: 128 }, (_, unit) => computeFolds(unit));

/** Whether a unit written in a pattern has folded forms other than itself. */
function folds(unit: number): boolean {
  return unit < 128 ? (ASCII_FOLDS[unit] as boolean) : computeFolds(unit);
}

/** Escapes that spell no unit folding changes: classes, assertions, controls and punctuation but "$" and "@". */
const INERT_ESCAPE = /[dDsSwWbBnrtfv.*+?^()[\]{}|\/\\,:;!#%&'"<>=~`-]/;
const QUANTIFIER = /^\{\d+(?:,\d*)?\}/;

/**
 * False when no literal of the pattern can fold: most patterns are lower-case words and escapes,
 * and parsing each one again at every start costs more than this scan. Errs towards true.
 */
function mayFold(source: string): boolean {
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const code = source.charCodeAt(i);
    if (code === 92) {
      const next = source[i + 1];
      if (next === undefined || !INERT_ESCAPE.test(next)) return true;
      i++;
    } else if (inClass) {
      if (code === 93) inClass = false;
      else if (folds(code)) return true;
      else if (code === 45 && source[i - 1] !== "[" && source[i + 1] !== "]") {
        // A range: every unit between its ends is listed.
        const from = source.charCodeAt(i - 1);
        const to = source.charCodeAt(i + 1);
        if (source[i + 1] === "\\" || to - from > MAX_RANGE_EXPANSION) return true;
        for (let unit = from; unit <= to; unit++) if (folds(unit)) return true;
      }
    } else if (code === 91) inClass = true;
    else if (code === 123) {
      const quantifier = QUANTIFIER.exec(source.slice(i, i + 16));
      if (quantifier) i += quantifier[0].length - 1;
      else return true;
    } else if (folds(code)) return true;
  }
  return false;
}

/** Folded sources by flags and source: rule files are checked when read and compiled again by the engine. */
const foldedSources = new Map<string, string>();

/** The pattern with its literals folded (see above); the source itself when nothing changes. */
export function foldPatternSource(source: string, flags: string): string {
  if (!mayFold(source)) return source;
  const key = `${flags}/${source}`;
  let folded = foldedSources.get(key);
  if (folded === undefined) {
    folded = foldPatternLiterals(source, flags);
    if (foldedSources.size >= 4096) foldedSources.clear();
    foldedSources.set(key, folded);
  }
  return folded;
}

/** foldPatternSource without its shortcut and cache: parses the pattern every time. */
export function foldPatternLiterals(source: string, flags: string): string {
  const unicode = flags.includes("u") || flags.includes("v");
  const ast = new RegExpParser({ ecmaVersion: 2025 }).parsePattern(source, 0, undefined, { unicode });
  const edits: Array<{ start: number; end: number; text: string }> = [];
  let inClass = 0;
  visitRegExpAST(ast, {
    onCharacterClassEnter(node) {
      inClass++;
      if (node.negate) return;
      const added = addedByClass(node);
      if (added.length === 0) return;
      // Listed first: at the end, after a literal "-" ("[a-z_-]"), they would make it a range. A
      // leading literal "-" is escaped for the same reason.
      const leadingDash = source[node.start + 1] === "-";
      edits.push({ start: node.start + 1, end: node.start + (leadingDash ? 2 : 1), text: added.map(escapeUnit).join("") + (leadingDash ? "\\-" : "") });
    },
    onCharacterClassLeave() {
      inClass--;
    },
    onCharacterEnter(node) {
      if (inClass > 0 || node.value > 0xffff) return;
      const forms = foldedForms(node.value);
      if (forms.length === 1 && forms[0] === node.value) return;
      const text = forms.map(escapeUnit).join("");
      edits.push({ start: node.start, end: node.end, text: forms.length === 1 ? text : `[${text}]` });
    },
  });
  let out = source;
  for (const edit of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  return out;
}
