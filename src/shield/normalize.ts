// Normalisation runs once per scan. It produces the "clean" view (NFKC, invisible characters
// removed) with a map back to the caller's offsets, and, on demand, the "folded" view
// (lower-case, confusables and leetspeak folded) that is exactly as long as the clean one.
import { CONFUSABLES } from "./confusables.ts";

export interface InvisibleCounts {
  zero_width: number;
  bidi: number;
  tag: number;
}

/** Offset in the original text of the first invisible character of each class, or -1. */
export type InvisibleFirst = InvisibleCounts;

export interface NormalizedText {
  original: string;
  clean: string;
  /** cleanToOriginal[i] = offset in original of clean[i]; null when clean === original. */
  map: Int32Array | null;
  invisible: InvisibleCounts;
  firstInvisible: InvisibleFirst;
  /** ASCII text smuggled in Unicode tag characters (U+E0020..U+E007E), if any. */
  tagPayload: string;
}

const NON_ASCII = /[^\x00-\x7f]/;

function isZeroWidth(cp: number): boolean {
  // ZWSP, ZWNJ, ZWJ, LRM/RLM, word joiner and invisible operators, BOM, soft hyphen, Mongolian VS.
  return (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2060 && cp <= 0x2064) || cp === 0xfeff || cp === 0x00ad || cp === 0x180e;
}

function isBidiControl(cp: number): boolean {
  return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp === 0x061c;
}

function isTag(cp: number): boolean {
  return cp >= 0xe0000 && cp <= 0xe007f;
}

/** ZWJ between two emoji is how emoji sequences are built: not an obfuscation signal. */
function isEmojiJoiner(text: string, index: number): boolean {
  const prev = text.codePointAt(index - 1) ?? 0;
  const prevPair = index >= 2 ? (text.codePointAt(index - 2) ?? 0) : 0;
  const next = text.codePointAt(index + 1) ?? 0;
  const emoji = (cp: number) => cp >= 0x1f000 || (cp >= 0x2600 && cp <= 0x27bf) || cp === 0xfe0f;
  return (emoji(prev) || emoji(prevPair)) && emoji(next);
}

/** NFKC of single characters, memoised: real and hostile texts reuse few distinct characters. */
const nfkcCache = new Map<string, string>();

function nfkc(ch: string): string {
  let normalized = nfkcCache.get(ch);
  if (normalized === undefined) {
    normalized = ch.normalize("NFKC");
    if (nfkcCache.size > 20_000) nfkcCache.clear();
    nfkcCache.set(ch, normalized);
  }
  return normalized;
}

export function normalize(text: string): NormalizedText {
  const invisible: InvisibleCounts = { zero_width: 0, bidi: 0, tag: 0 };
  const firstInvisible: InvisibleFirst = { zero_width: -1, bidi: -1, tag: -1 };
  if (!NON_ASCII.test(text)) return { original: text, clean: text, map: null, invisible, firstInvisible, tagPayload: "" };
  const seen = (cls: keyof InvisibleCounts, at: number) => {
    invisible[cls]++;
    if (firstInvisible[cls] < 0) firstInvisible[cls] = at;
  };

  const parts: string[] = [];
  let map = new Int32Array(text.length + 16);
  let length = 0;
  const push = (part: string, source: number) => {
    if (length + part.length > map.length) {
      const grown = new Int32Array(map.length * 2 + part.length);
      grown.set(map);
      map = grown;
    }
    parts.push(part);
    for (let k = 0; k < part.length; k++) map[length++] = source;
  };
  let tagPayload = "";
  // Subdivision flags (🏴 + tag letters + cancel tag) are the one legitimate use of tag characters.
  let inFlag = false;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const code = text.charCodeAt(i);
    if (code < 0x80) {
      // Copy the ASCII run in one slice.
      let j = i + 1;
      while (j < n && text.charCodeAt(j) < 0x80) j++;
      if (length + (j - i) > map.length) {
        const grown = new Int32Array(map.length * 2 + (j - i));
        grown.set(map);
        map = grown;
      }
      parts.push(text.slice(i, j));
      for (let k = i; k < j; k++) map[length++] = k;
      inFlag = false;
      i = j;
      continue;
    }
    const cp = text.codePointAt(i) ?? code;
    const width = cp > 0xffff ? 2 : 1;
    if (isTag(cp)) {
      if (!inFlag) {
        seen("tag", i);
        if (cp >= 0xe0020 && cp <= 0xe007e) tagPayload += String.fromCharCode(cp - 0xe0000);
      }
      if (cp === 0xe007f) inFlag = false;
      i += width;
      continue;
    }
    inFlag = cp === 0x1f3f4;
    if (isBidiControl(cp)) {
      seen("bidi", i);
    } else if (isZeroWidth(cp)) {
      if (!(cp === 0x200d && isEmojiJoiner(text, i))) seen("zero_width", i);
    } else {
      // Expansions (ligatures, ellipsis) map every produced unit to the source character.
      push(nfkc(width === 1 ? text[i] as string : text.slice(i, i + 2)), i);
    }
    i += width;
  }
  const clean = parts.join("");
  return { original: text, clean, map: map.subarray(0, length), invisible, firstInvisible, tagPayload };
}

const LEET: Record<string, string> = { "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", $: "s" };

/** ASCII fold table: lower-case plus leetspeak. */
const ASCII_FOLD = new Uint16Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  const leet = LEET[ch];
  ASCII_FOLD[c] = leet ? leet.charCodeAt(0) : c >= 65 && c <= 90 ? c + 32 : c;
}

/** Folds one UTF-16 unit; always returns exactly one unit so offsets survive. */
export function foldUnit(code: number): number {
  if (code < 128) return ASCII_FOLD[code] ?? code;
  const confusable = CONFUSABLES.get(code);
  if (confusable !== undefined) return confusable;
  const lower = String.fromCharCode(code).toLowerCase();
  return lower.length === 1 ? lower.charCodeAt(0) : code;
}

const LEET_OR_UPPER = /[A-Z013457@$]/;

const NON_ASCII_GLOBAL = /[^\x00-\x7f]/g;
const LEET_GLOBAL = /[013457@$]/g;
const foldNonAscii = (ch: string) => String.fromCharCode(foldUnit(ch.charCodeAt(0)));
const foldLeet = (ch: string) => LEET[ch] ?? ch;

export function fold(clean: string): string {
  // Non-ASCII units first (one unit each, confusables folded), then the native lower-casing,
  // which keeps the length unless a character lower-cases to two units (then fold unit by unit).
  const units = NON_ASCII.test(clean) ? clean.replace(NON_ASCII_GLOBAL, foldNonAscii) : clean;
  let lower = units.toLowerCase();
  if (lower.length !== clean.length) {
    const buffer = new Uint16Array(clean.length);
    for (let i = 0; i < clean.length; i++) buffer[i] = foldUnit(clean.charCodeAt(i));
    lower = new TextDecoder("utf-16le").decode(buffer);
  }
  return LEET_OR_UPPER.test(lower) ? lower.replace(LEET_GLOBAL, foldLeet) : lower;
}

/** Maps a [start, end) span in the clean view back to the caller's text. */
export function toOriginalSpan(normalized: NormalizedText, start: number, end: number): { start: number; end: number } {
  const map = normalized.map;
  if (!map) return { start, end };
  const s = map[Math.min(start, map.length - 1)] ?? 0;
  const lastIndex = Math.max(start, end - 1);
  const last = map[Math.min(lastIndex, map.length - 1)] ?? s;
  const lastCode = normalized.original.codePointAt(last) ?? 0;
  return { start: s, end: last + (lastCode > 0xffff ? 2 : 1) };
}
