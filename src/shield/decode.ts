// Finds encoded runs (base64, hex, URL and HTML escapes, \u escapes, ROT13 when announced) and
// decodes the ones that turn into readable text, so the engine can scan what they hide.

export interface DecodedSegment {
  encoding: string;
  /** Span of the encoded run in the text it was found in. */
  start: number;
  end: number;
  text: string;
}

const MIN_RUN = 24;
const utf8 = new TextDecoder("utf-8", { fatal: false });
const ESCAPED_HEX_RUN = /(?:\\x[0-9a-fA-F]{2}){6,}/g;
const UNICODE_ESCAPE_RUN = /(?:\\u[0-9a-fA-F]{4}){4,}/g;
const URL_ENCODED_RUN = /[^\s%]{0,40}(?:%[0-9a-fA-F]{2}[^\s%]{0,20}){4,}/g;
const HTML_ENTITY_RUN = /(?:&#(?:x[0-9a-fA-F]{1,6}|[0-9]{1,7});[^&\s]{0,3}){4,}/g;
const ROT13_HINT = /\brot[\s-]?13\b/i;

/** A decode is kept only if it reads as text: mostly printable, a few words, not binary. */
export function isReadable(text: string): boolean {
  if (text.length < 8) return false;
  let printable = 0;
  let letters = 0;
  let spaces = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0xfffd) return false;
    if ((c >= 32 && c < 127) || c === 9 || c === 10 || c === 13 || c >= 0xa0) printable++;
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) letters++;
    if (c === 32) spaces++;
  }
  return printable / text.length > 0.95 && letters / text.length > 0.5 && (spaces > 0 || text.length < 40);
}

function decodeBase64(run: string): string | null {
  const body = run.replace(/=+$/, "");
  if (body.length % 4 === 1) return null;
  // Identifiers and hashes are long runs too; real base64 mixes cases and digits.
  if (!/[A-Z]/.test(body) || !/[a-z]/.test(body)) return null;
  const bytes = Buffer.from(body.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  const text = utf8.decode(bytes);
  return isReadable(text) ? text : null;
}

function decodeHex(run: string): string | null {
  const hex = run.replace(/\\x/g, "");
  if (hex.length % 2 !== 0) return null;
  const text = Buffer.from(hex, "hex").toString("utf8");
  return isReadable(text) ? text : null;
}

function decodeUnicodeEscapes(run: string): string | null {
  const text = run.replace(/\\u([0-9a-fA-F]{4})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  return isReadable(text) ? text : null;
}

function decodeUrl(run: string): string | null {
  try {
    const text = decodeURIComponent(run.replace(/\+/g, " "));
    return text !== run && isReadable(text) ? text : null;
  } catch {
    return null;
  }
}

function decodeHtmlEntities(run: string): string | null {
  const text = run.replace(/&#(x[0-9a-fA-F]{1,6}|[0-9]{1,7});/g, (_, v: string) => {
    const cp = v.startsWith("x") ? parseInt(v.slice(1), 16) : parseInt(v, 10);
    return cp <= 0x10ffff ? String.fromCodePoint(cp) : "";
  });
  return isReadable(text) ? text : null;
}

export function rot13(text: string): string {
  return text.replace(/[a-zA-Z]/g, (ch) => {
    const base = ch <= "Z" ? 65 : 97;
    return String.fromCharCode(((ch.charCodeAt(0) - base + 13) % 26) + base);
  });
}

interface Decoder {
  encoding: string;
  pattern: RegExp;
  /** Cheap test before running the pattern over the whole text. */
  hint: (text: string) => boolean;
  decode: (run: string) => string | null;
}

/** Character classes for the run scanner, per UTF-16 unit: 1 = base64 (standard or url-safe), 2 = also hex. */
const RUN_CLASS = new Uint8Array(0x10000);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[0-9a-fA-F]/.test(ch)) RUN_CLASS[c] = 2;
  else if (/[A-Za-z+/_-]/.test(ch)) RUN_CLASS[c] = 1;
}

/**
 * Finds the base64 and hex runs of at least MIN_RUN characters with a table lookup per character
 * looked at, much cheaper than a regex that retries at every position. Such a run covers one of
 * any MIN_RUN consecutive positions, so only every MIN_RUN-th position is probed, and only around
 * a probe that lands in a run are its ends looked for: prose (short words between spaces) costs
 * a fraction of a lookup per character.
 */
function findRuns(text: string, budget: { chars: number; segments: number }, segments: DecodedSegment[]): void {
  const n = text.length;
  /** No run starts before it: the unit just before it is not a run unit (or it is 0). */
  let floor = 0;
  for (let probe = MIN_RUN - 1; probe < n; ) {
    if (RUN_CLASS[text.charCodeAt(probe)] === 0) {
      floor = probe + 1;
      probe += MIN_RUN;
      continue;
    }
    let start = probe;
    while (start > floor && RUN_CLASS[text.charCodeAt(start - 1)] !== 0) start--;
    let stop = probe + 1;
    while (stop < n && RUN_CLASS[text.charCodeAt(stop)] !== 0) stop++;
    floor = stop + 1;
    probe = stop + MIN_RUN;
    if (stop - start < MIN_RUN) continue;
    let end = stop;
    while (end < n && end - stop < 2 && text.charCodeAt(end) === 61) end++; // "=" padding
    let hex = true;
    for (let i = start; i < stop && hex; i++) hex = RUN_CLASS[text.charCodeAt(i)] === 2;
    if (budget.segments <= 0 || budget.chars <= 0) {
      budget.chars = Math.min(budget.chars, -1);
      return;
    }
    // A run longer than what is left of the budget is still decoded up to the budget (whole
    // blocks from its start) rather than skipped: padding a payload into a huge blob must not
    // make it invisible. The scan then reports truncated.
    const over = end - start > budget.chars;
    const take = over ? budget.chars - (budget.chars % (hex ? 2 : 4)) : end - start;
    const run = text.slice(start, start + take);
    budget.chars -= over ? budget.chars + 1 : run.length;
    const decoded = take < MIN_RUN ? null : hex ? decodeHex(run) : decodeBase64(run);
    if (decoded !== null) {
      budget.segments--;
      segments.push({ encoding: hex ? "hex" : "base64", start, end: start + take, text: decoded });
    }
    if (over) return;
  }
}

const DECODERS: Decoder[] = [
  { encoding: "hex-escape", pattern: ESCAPED_HEX_RUN, hint: (t) => t.includes("\\x"), decode: decodeHex },
  { encoding: "unicode-escape", pattern: UNICODE_ESCAPE_RUN, hint: (t) => t.includes("\\u"), decode: decodeUnicodeEscapes },
  { encoding: "url", pattern: URL_ENCODED_RUN, hint: (t) => t.includes("%"), decode: decodeUrl },
  { encoding: "html-entity", pattern: HTML_ENTITY_RUN, hint: (t) => t.includes("&#"), decode: decodeHtmlEntities },
];

/**
 * Returns readable decodings of encoded runs in text, up to maxSegments and maxChars in total.
 * `budget.chars` is shared across nested calls so deep or wide inputs stay bounded.
 */
export function findEncodedSegments(text: string, budget: { chars: number; segments: number }): DecodedSegment[] {
  const segments: DecodedSegment[] = [];
  findRuns(text, budget, segments);
  for (const decoder of DECODERS) {
    if (budget.chars <= 0 || budget.segments <= 0) break;
    if (!decoder.hint(text)) continue;
    decoder.pattern.lastIndex = 0;
    for (let m = decoder.pattern.exec(text); m !== null; m = decoder.pattern.exec(text)) {
      const run = m[0];
      // Decoding a run costs its length whether or not it turns out readable.
      budget.chars -= run.length;
      if (budget.chars < 0 || budget.segments <= 0) break;
      const decoded = decoder.decode(run);
      if (decoded !== null) {
        budget.segments--;
        segments.push({ encoding: decoder.encoding, start: m.index, end: m.index + run.length, text: decoded });
      }
    }
  }
  // "13" first: a plain substring search, far cheaper than the case-insensitive regex.
  if (text.includes("13") && ROT13_HINT.test(text) && budget.chars >= text.length && budget.segments > 0) {
    budget.chars -= text.length;
    budget.segments--;
    segments.push({ encoding: "rot13", start: 0, end: text.length, text: rot13(text) });
  }
  return segments;
}
