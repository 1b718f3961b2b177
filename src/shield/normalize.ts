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
/** For BMP units: 0 not yet known, 1 NFKC leaves the character alone, 2 NFKC changes it. */
const bmpStable = new Uint8Array(0x10000);

function nfkc(ch: string): string {
  let normalized = nfkcCache.get(ch);
  if (normalized === undefined) {
    normalized = ch.normalize("NFKC");
    if (nfkcCache.size > 20_000) nfkcCache.clear();
    nfkcCache.set(ch, normalized);
  }
  return normalized;
}

function isStableBmp(code: number): boolean {
  let known = bmpStable[code] as number;
  if (known === 0) {
    const ch = String.fromCharCode(code);
    known = ch.normalize("NFKC") === ch ? 1 : 2;
    bmpStable[code] = known;
  }
  return known === 1;
}

export function normalize(text: string): NormalizedText {
  const invisible: InvisibleCounts = { zero_width: 0, bidi: 0, tag: 0 };
  const firstInvisible: InvisibleFirst = { zero_width: -1, bidi: -1, tag: -1 };
  if (!NON_ASCII.test(text)) return { original: text, clean: text, map: null, invisible, firstInvisible, tagPayload: "" };
  const seen = (cls: keyof InvisibleCounts, at: number) => {
    invisible[cls]++;
    if (firstInvisible[cls] < 0) firstInvisible[cls] = at;
  };

  // Characters that NFKC leaves alone are copied in runs (one slice, identity offsets); only
  // invisible characters (dropped) and NFKC-changed ones (replaced) break a run.
  const parts: string[] = [];
  let map = new Int32Array(text.length + 16);
  let length = 0;
  const reserve = (extra: number) => {
    if (length + extra <= map.length) return;
    const grown = new Int32Array(map.length * 2 + extra);
    grown.set(map);
    map = grown;
  };
  let runStart = 0;
  const flush = (end: number) => {
    if (end <= runStart) return;
    reserve(end - runStart);
    parts.push(text.slice(runStart, end));
    for (let k = runStart; k < end; k++) map[length++] = k;
  };
  let tagPayload = "";
  // Subdivision flags (🏴 + tag letters + cancel tag) are the one legitimate use of tag characters.
  let inFlag = false;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const code = text.charCodeAt(i);
    if (code < 0x80) {
      inFlag = false;
      i++;
      continue;
    }
    if (code < 0xd800 || (code > 0xdfff && code !== 0xfeff)) {
      // A BMP character: most are neither invisible nor changed by NFKC.
      const invisibleClass = isBidiControl(code) ? "bidi" : isZeroWidth(code) ? "zero_width" : null;
      if (invisibleClass === null) {
        inFlag = false;
        if (!isStableBmp(code)) {
          flush(i);
          const normalized = nfkc(text[i] as string);
          reserve(normalized.length);
          parts.push(normalized);
          // Expansions (ligatures, ellipsis) map every produced unit to the source character.
          for (let k = 0; k < normalized.length; k++) map[length++] = i;
          runStart = i + 1;
        }
        i++;
        continue;
      }
      flush(i);
      if (!(code === 0x200d && isEmojiJoiner(text, i))) seen(invisibleClass, i);
      runStart = ++i;
      continue;
    }
    const cp = text.codePointAt(i) ?? code;
    const width = cp > 0xffff ? 2 : 1;
    if (isTag(cp)) {
      flush(i);
      if (!inFlag) {
        seen("tag", i);
        if (cp >= 0xe0020 && cp <= 0xe007e) tagPayload += String.fromCharCode(cp - 0xe0000);
      }
      if (cp === 0xe007f) inFlag = false;
      i += width;
      runStart = i;
      continue;
    }
    if (isZeroWidth(cp)) {
      flush(i);
      seen("zero_width", i);
      i += width;
      runStart = i;
      continue;
    }
    inFlag = cp === 0x1f3f4;
    const ch = text.slice(i, i + width);
    const normalized = nfkc(ch);
    if (normalized !== ch) {
      flush(i);
      reserve(normalized.length);
      parts.push(normalized);
      for (let k = 0; k < normalized.length; k++) map[length++] = i;
      runStart = i + width;
    }
    i += width;
  }
  flush(n);
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

const LEET_GLOBAL = /[013457@$]/g;
const foldLeet = (ch: string) => LEET[ch] ?? ch;
/** foldUnit for every UTF-16 unit, filled on first use (0 = not yet computed). */
const FOLD_BMP = new Uint16Array(0x10000);
const utf16 = new TextDecoder("utf-16le");

function foldNonAsciiText(clean: string): string {
  const units = new Uint16Array(clean.length);
  for (let i = 0; i < clean.length; i++) {
    const code = clean.charCodeAt(i);
    let folded = FOLD_BMP[code] as number;
    if (folded === 0) {
      folded = foldUnit(code);
      FOLD_BMP[code] = folded;
    }
    units[i] = folded;
  }
  // Lone surrogates decode to U+FFFD: still one unit, so offsets are unchanged.
  return utf16.decode(units);
}

export function fold(clean: string): string {
  const lower = NON_ASCII.test(clean) ? foldNonAsciiText(clean) : clean.toLowerCase();
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
