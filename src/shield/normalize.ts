// Normalisation runs once per scan. It produces the "clean" view (NFKC, invisible characters
// removed) with a map back to the caller's offsets, and, on demand, the "folded" view
// (lower-case; confusables, typographic quotes and dashes, and leetspeak folded) that is exactly as
// long as the clean one.
import { CONFUSABLES, TYPOGRAPHIC } from "./confusables.ts";

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
  /**
   * [start, end, ...] of the runs of non-ASCII units in clean, when normalisation already found
   * them (clean text with few of them), else null.
   */
  nonAsciiRuns: number[] | null;
}


function isZeroWidth(cp: number): boolean {
  // ZWSP, ZWNJ, ZWJ, LRM/RLM, word joiner and invisible operators, BOM, soft hyphen, Mongolian VS.
  return (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2060 && cp <= 0x2064) || cp === 0xfeff || cp === 0x00ad || cp === 0x180e;
}

function isBidiControl(cp: number): boolean {
  return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp === 0x061c;
}

/** Characters normalisation drops outright (zero-width and bidi controls; tags are astral). */
export function isDroppedInvisible(cp: number): boolean {
  return isZeroWidth(cp) || isBidiControl(cp);
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

/** NFKC of the BMP characters it changes: replacements[replacementIndex[code] - 1] (0 = not yet known). */
const replacementIndex = new Uint16Array(0x10000);
const replacements: string[] = [];
/** NFKC of astral code points, or null where it leaves them alone: real and hostile texts reuse few. */
const astralReplacement = new Map<number, string | null>();

function replacementOf(code: number): string {
  const index = replacementIndex[code] as number;
  if (index !== 0) return replacements[index - 1] as string;
  const replaced = String.fromCharCode(code).normalize("NFKC");
  replacements.push(replaced);
  replacementIndex[code] = replacements.length;
  return replaced;
}

function astralReplacementOf(cp: number): string | null {
  let replaced = astralReplacement.get(cp);
  if (replaced === undefined) {
    const ch = String.fromCodePoint(cp);
    const normalized = ch.normalize("NFKC");
    replaced = normalized === ch ? null : normalized;
    if (astralReplacement.size > 20_000) astralReplacement.clear();
    astralReplacement.set(cp, replaced);
  }
  return replaced;
}

// What normalisation does with each UTF-16 unit, classified on first sight: one table lookup per
// character instead of range tests and an NFKC call.
const KEEP = 1;
const REPLACE = 2;
const ZERO_WIDTH = 3;
const BIDI = 4;
/** Half of a surrogate pair: the code point decides (tag character, NFKC change, or kept). */
const SURROGATE = 5;
const kinds = new Uint8Array(0x10000).fill(KEEP, 0, 0x80);

function kindOf(code: number): number {
  let kind = kinds[code] as number;
  if (kind === 0) {
    const ch = String.fromCharCode(code);
    // 0xfeff (BOM) is zero-width; every other invisible class is tested before NFKC.
    kind = code >= 0xd800 && code <= 0xdfff ? SURROGATE : isBidiControl(code) ? BIDI : isZeroWidth(code) ? ZERO_WIDTH : ch.normalize("NFKC") === ch ? KEEP : REPLACE;
    kinds[code] = kind;
  }
  return kind;
}


const NON_ASCII = /[^\x00-\x7f]/g;

/** Jumps between non-ASCII units before the scan goes unit by unit (dense non-ASCII text). */
const MAX_JUMPS = 256;

/** The runs of non-ASCII units firstChange jumped between, complete unless it went on unit by unit. */
interface JumpedRuns {
  runs: number[];
  complete: boolean;
}

/**
 * Index of the first unit that normalisation removes or changes, or -1 when text is already
 * clean. Notes in jumped the runs of non-ASCII units it passed.
 */
function firstChange(text: string, jumped: JumpedRuns): number {
  // Agent prompts are mostly ASCII with a few quotes, dashes and emoji: jumping from one
  // non-ASCII unit to the next natively is much faster there. Text in other scripts has one
  // at almost every unit, and is then better read unit by unit.
  NON_ASCII.lastIndex = 0;
  let i = 0;
  for (let jumps = 0; jumps < MAX_JUMPS; jumps++) {
    const found = NON_ASCII.exec(text);
    if (found === null) {
      jumped.complete = true;
      return -1;
    }
    i = found.index;
    const change = changeAt(text, i);
    if (change !== NO_CHANGE) return change;
    const runs = jumped.runs;
    if (runs.length > 0 && runs[runs.length - 1] === i) runs[runs.length - 1] = i + 1;
    else runs.push(i, i + 1);
    NON_ASCII.lastIndex = i + 1;
  }
  // changeAt's test, written out: a call per unit made 1 MB of CJK or emoji text a quarter slower.
  for (const n = text.length; i < n; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    const kind = kindOf(code);
    if (kind === KEEP) continue;
    if (kind !== SURROGATE) return i;
    const cp = text.codePointAt(i) ?? code;
    if (cp <= 0xffff) continue;
    if (isTag(cp) || astralReplacementOf(cp) !== null) return i;
    i++;
  }
  return -1;
}

const NO_CHANGE = -1;

/** i when normalisation changes the non-ASCII unit at i, else NO_CHANGE. */
function changeAt(text: string, i: number): number {
  const code = text.charCodeAt(i);
  const kind = kindOf(code);
  if (kind === KEEP) return NO_CHANGE;
  if (kind !== SURROGATE) return i;
  const cp = text.codePointAt(i) ?? code;
  // A lone surrogate is kept as it is; the low half of a kept pair is seen again and kept.
  if (cp <= 0xffff) return NO_CHANGE;
  return isTag(cp) || astralReplacementOf(cp) !== null ? i : NO_CHANGE;
}


export function normalize(text: string): NormalizedText {
  const invisible: InvisibleCounts = { zero_width: 0, bidi: 0, tag: 0 };
  const firstInvisible: InvisibleFirst = { zero_width: -1, bidi: -1, tag: -1 };
  const jumped: JumpedRuns = { runs: [], complete: false };
  const first = firstChange(text, jumped);
  // Most text (all ASCII, or non-ASCII characters that NFKC leaves alone) is already clean.
  if (first < 0) return { original: text, clean: text, map: null, invisible, firstInvisible, tagPayload: "", nonAsciiRuns: jumped.complete ? jumped.runs : null };

  // The clean text is built as UTF-16 units with, for each, its offset in the original. No
  // closures over the loop's state: V8 keeps it in registers that way (hostile inputs change
  // every other character, so this loop is their cost).
  const n = text.length;
  let out = new Uint16Array(n + 16);
  let map = new Int32Array(n + 16);
  let length = 0;
  for (; length < first; length++) {
    out[length] = text.charCodeAt(length);
    map[length] = length;
  }
  let zeroWidth = 0;
  let bidi = 0;
  let tags = 0;
  const payload: number[] = [];
  // Subdivision flags (🏴 + tag letters + cancel tag) are the one legitimate use of tag characters.
  let inFlag = first >= 2 && text.codePointAt(first - 2) === 0x1f3f4;
  let i = first;
  while (i < n) {
    const code = text.charCodeAt(i);
    const kind = code < 0x80 ? KEEP : kindOf(code);
    if (kind === KEEP) {
      out[length] = code;
      map[length++] = i++;
      inFlag = false;
      continue;
    }
    if (kind === ZERO_WIDTH) {
      // ZWJ between two emoji is how emoji sequences are built: dropped, but not a signal.
      if (!(code === 0x200d && isEmojiJoiner(text, i))) {
        if (zeroWidth++ === 0) firstInvisible.zero_width = i;
      }
      i++;
      continue;
    }
    if (kind === BIDI) {
      if (bidi++ === 0) firstInvisible.bidi = i;
      i++;
      continue;
    }
    let units: string;
    let width = 1;
    if (kind === REPLACE) {
      units = replacementOf(code);
      inFlag = false;
    } else {
      const cp = text.codePointAt(i) ?? code;
      if (cp > 0xffff) width = 2;
      if (isTag(cp)) {
        if (!inFlag) {
          if (tags++ === 0) firstInvisible.tag = i;
          if (cp >= 0xe0020 && cp <= 0xe007e) payload.push(cp - 0xe0000);
        }
        if (cp === 0xe007f) inFlag = false;
        i += width;
        continue;
      }
      inFlag = cp === 0x1f3f4;
      const replaced = width === 2 ? astralReplacementOf(cp) : null;
      if (replaced === null) {
        // Kept as it is (a lone surrogate too): each unit maps to its own offset.
        if (length + width + (n - i) > out.length) [out, map] = grow(out, map, width);
        for (let k = 0; k < width; k++) {
          out[length] = text.charCodeAt(i);
          map[length++] = i++;
        }
        continue;
      }
      units = replaced;
    }
    if (length + units.length + (n - i) > out.length) [out, map] = grow(out, map, units.length);
    // Expansions (ligatures, ellipsis) map every produced unit to the source character.
    for (let k = 0; k < units.length; k++) {
      out[length] = units.charCodeAt(k);
      map[length++] = i;
    }
    i += width;
  }
  invisible.zero_width = zeroWidth;
  invisible.bidi = bidi;
  invisible.tag = tags;
  let tagPayload = "";
  for (let k = 0; k < payload.length; k += 4096) tagPayload += String.fromCharCode(...payload.slice(k, k + 4096));
  const clean = Buffer.from(out.buffer, 0, length * 2).toString("ucs2");
  return { original: text, clean, map: map.subarray(0, length), invisible, firstInvisible, tagPayload, nonAsciiRuns: null };
}

function grow(out: Uint16Array<ArrayBuffer>, map: Int32Array<ArrayBuffer>, extra: number): [Uint16Array<ArrayBuffer>, Int32Array<ArrayBuffer>] {
  const size = out.length * 2 + extra;
  const grownOut = new Uint16Array(size);
  grownOut.set(out);
  const grownMap = new Int32Array(size);
  grownMap.set(map);
  return [grownOut, grownMap];
}

const LEET: Record<string, string> = { "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", $: "s" };

/** ASCII fold table: lower-case plus leetspeak. */
const ASCII_FOLD = new Uint16Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  const leet = LEET[ch];
  ASCII_FOLD[c] = leet ? leet.charCodeAt(0) : c >= 65 && c <= 90 ? c + 32 : c;
}

/** foldUnit of every UTF-16 unit, computed once at load (a few milliseconds). */
const FOLD = buildFoldTable();

function buildFoldTable(): Uint16Array {
  const table = new Uint16Array(0x10000);
  for (let c = 0; c < 0x10000; c++) table[c] = c;
  // Lower-casing 1,024 units at a time is much cheaper than one call per unit. A block whose
  // lower-case form changes length (İ -> i + dot) is done unit by unit; a unit whose lower case
  // is longer than one unit stays as it is. Surrogate blocks hold no pairs, so nothing changes.
  const BLOCK = 1024;
  for (let base = 0; base < 0x10000; base += BLOCK) {
    const units = table.subarray(base, base + BLOCK);
    const block = Buffer.from(units.buffer, units.byteOffset, units.byteLength).toString("ucs2");
    const lower = block.toLowerCase();
    for (let k = 0; k < BLOCK; k++) {
      const single = lower.length === BLOCK ? lower.charCodeAt(k) : singleLower(base + k);
      table[base + k] = single;
    }
  }
  for (const [from, to] of CONFUSABLES) table[from] = to;
  for (const [from, to] of TYPOGRAPHIC) table[from] = to;
  // Idempotent: what lower-cases to a look-alike (Ɩ -> ɩ) takes its letter too, and whatever
  // folds to ASCII is folded once more (lower-case, leetspeak).
  for (let c = 0; c < 0x10000; c++) {
    let folded = table[c] as number;
    folded = CONFUSABLES.get(folded) ?? folded;
    table[c] = c < 128 ? (ASCII_FOLD[c] as number) : folded < 128 ? (ASCII_FOLD[folded] as number) : folded;
  }
  return table;
}

function singleLower(code: number): number {
  const lower = String.fromCharCode(code).toLowerCase();
  return lower.length === 1 ? lower.charCodeAt(0) : code;
}

/**
 * Folds one UTF-16 unit; always returns exactly one unit so offsets survive. Folding is
 * idempotent: a folded unit is never upper-case or leetspeak.
 */
export function foldUnit(code: number): number {
  return FOLD[code] as number;
}

/**
 * The folded forms of a unit written by a rule author (in a pattern or a keyword): of the unit,
 * its capital and its small letter. Folding follows shape, and a few capitals look unlike their
 * small letter: Cyrillic "Н" looks like H and folds to "h", "н" stays.
 */
export function foldedForms(code: number): number[] {
  const ch = String.fromCharCode(code);
  const forms = new Set([FOLD[code] as number]);
  for (const variant of [ch.toUpperCase(), ch.toLowerCase()]) if (variant.length === 1) forms.add(FOLD[variant.charCodeAt(0)] as number);
  return [...forms];
}

/** Reused by fold (synchronous; the result is a copy): no 128 KB allocation per 64 KB scanned. */
let foldScratch = new Uint16Array(4096);

export function fold(clean: string): string {
  const n = clean.length;
  if (foldScratch.length < n) foldScratch = new Uint16Array(Math.max(n, foldScratch.length * 2));
  const units = foldScratch;
  const bytes = Buffer.from(units.buffer, 0, n * 2);
  // Node copies a string's UTF-16 units as they are (lone surrogates included) both ways.
  bytes.write(clean, "ucs2");
  for (let i = 0; i < n; i++) units[i] = FOLD[units[i] as number] as number;
  return bytes.toString("ucs2");
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
