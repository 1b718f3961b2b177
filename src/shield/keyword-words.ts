// What counts as a word around a keyword hit: the keyword matcher counts word keywords only at
// word starts (and whole-word markers only at word ends), as the rules' regex \b would see them.
import { foldedForms, foldUnit } from "./normalize.ts";

/** Regex \w in every mode: a hit of a whole-word keyword followed by one is no word end. */
export function isAsciiWordChar(code: number): boolean {
  const lower = code | 32;
  return (lower >= 97 && lower <= 122) || (code >= 48 && code <= 57) || code === 95;
}

/**
 * Whether a keyword hit after this unit is inside a word: only when the unit is a letter or digit
 * both folded and as a regex \w sees it. A hit regex \b would allow ("$delete", "漢delete") is kept,
 * so a rule pattern that starts with \b and a keyword never matches where its keyword was not hit.
 */
export function continuesWord(code: number): boolean {
  const lower = code | 32;
  return ((lower >= 97 && lower <= 122) || (code >= 48 && code <= 57)) && isWordUnit(foldUnit(code));
}

/** Letters and digits (after folding); "_" and punctuation are not word characters here. */
export function isWordUnit(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || (code >= 0xc0 && code !== 0xd7 && code !== 0xf7 && code < 0x2000);
}

/**
 * Folded units < 128 every ASCII source of which continues a word at runtime (see continuesWord):
 * a hit right after one never counts. Not "a" or "s" ("@", "$" fold to them and keep hits).
 * Non-ASCII look-alikes of letters are treated as letters here: a keyword glued to one is
 * not a hit, as it would not be after the ASCII letter it folds to.
 */
export const ALWAYS_CONTINUES_WORD = (() => {
  const table = new Uint8Array(0x10000);
  for (let unit = 0; unit < 128; unit++) {
    if (!isWordUnit(unit)) continue;
    let always = true;
    for (let code = 0; code < 128; code++) if (foldUnit(code) === unit && !continuesWord(code)) always = false;
    table[unit] = always ? 1 : 0;
  }
  return table;
})();

const ASCII_ONLY = /^[\x00-\x7f]*$/;

/** Case variants of one keyword the matcher gets at most; real keywords have one or two letters that need them. */
const MAX_KEYWORD_FORMS = 8;

/**
 * A keyword's folded forms, one per way its capitals and small letters fold (foldedForms): "ИГНОР"
 * folds apart from "игнор", and would otherwise never hit it. Matching folds a keyword anyway, so
 * the folded forms stand for the keyword itself.
 */
export function keywordForms(keyword: string): string[] {
  // ASCII capitals fold as their small letters do; most keywords end here.
  if (ASCII_ONLY.test(keyword)) return [keyword];
  let forms = [""];
  for (let i = 0; i < keyword.length; i++) {
    const options = foldedForms(keyword.charCodeAt(i)).map((unit) => String.fromCharCode(unit));
    forms = forms.flatMap((form) => options.map((option) => form + option)).slice(0, MAX_KEYWORD_FORMS);
  }
  return forms;
}
