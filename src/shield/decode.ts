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
const URL_ENCODED_RUN = /(?:%[0-9a-fA-F]{2}[^\s%]{0,20}){4,}/g;
/** What a run's lead (see Decoder.lead) stops at. */
const LEAD_STOP = /[\s%]/;
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

/**
 * Drops a UTF-8 sequence cut short at the end of `bytes`. Only for runs decoded up to the budget:
 * there the cut falls wherever the padding put it, and one replacement character would make the
 * whole decode unreadable.
 */
function withoutCutSequence(bytes: Uint8Array): Uint8Array {
  let lead = bytes.length - 1;
  while (lead >= 0 && bytes.length - 1 - lead < 3 && ((bytes[lead] as number) & 0xc0) === 0x80) lead--;
  if (lead < 0) return bytes;
  const first = bytes[lead] as number;
  const length = first >= 0xf0 ? 4 : first >= 0xe0 ? 3 : first >= 0xc0 ? 2 : 1;
  return lead + length > bytes.length ? bytes.subarray(0, lead) : bytes;
}

function decodeBase64(run: string, cut: boolean): string | null {
  const body = run.replace(/=+$/, "");
  if (body.length % 4 === 1) return null;
  // Identifiers and hashes are long runs too; real base64 mixes cases and digits.
  if (!/[A-Z]/.test(body) || !/[a-z]/.test(body)) return null;
  const bytes = Buffer.from(body.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  const text = utf8.decode(cut ? withoutCutSequence(bytes) : bytes);
  return isReadable(text) ? text : null;
}

function decodeHex(run: string, cut: boolean): string | null {
  const hex = run.replace(/\\x/g, "");
  if (hex.length % 2 !== 0) return null;
  const bytes = Buffer.from(hex, "hex");
  const text = utf8.decode(cut ? withoutCutSequence(bytes) : bytes);
  return isReadable(text) ? text : null;
}

function decodeUnicodeEscapes(run: string): string | null {
  const text = run.replace(/\\u([0-9a-fA-F]{4})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  return isReadable(text) ? text : null;
}

function decodeUrl(run: string, cut: boolean): string | null {
  let escaped = run;
  // A cut run may end inside a multi-byte character: drop its escapes (at most three) until it decodes.
  for (let dropped = 0; dropped <= (cut ? 3 : 0); dropped++) {
    try {
      const text = decodeURIComponent(escaped.replace(/\+/g, " "));
      return text !== escaped && isReadable(text) ? text : null;
    } catch {
      escaped = escaped.replace(/%[0-9a-fA-F]{2}$/, "");
    }
  }
  return null;
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
  /** An escape left incomplete at the end of a run cut by the budget. */
  cutTail: RegExp;
  decode: (run: string, cut: boolean) => string | null;
  /**
   * A run may also take up to this many characters before the pattern's match that are not
   * whitespace or "%" (a URL's path before its escapes). Found by looking back from the match, so
   * the pattern itself starts at an escape and is not retried at every position.
   */
  lead?: number;
}

type Budget = { chars: number; segments: number };

/**
 * How many characters of a run the budget pays for: all of them, or, when the run is longer than
 * what is left, what is left — then the budget is spent and the scan reports truncated. A run is
 * never skipped for its size: padding a payload into a huge run must not make it invisible.
 */
function affordable(length: number, budget: Budget): number {
  if (budget.segments <= 0 || budget.chars <= 0) {
    budget.chars = Math.min(budget.chars, -1);
    return 0;
  }
  if (length <= budget.chars) {
    budget.chars -= length;
    return length;
  }
  const take = budget.chars;
  budget.chars = -1;
  return take;
}

/** Character classes for the run scanner, per UTF-16 unit: 1 = base64 (standard or url-safe), 2 = also hex. */
const RUN_CLASS = new Uint8Array(0x10000);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[0-9a-fA-F]/.test(ch)) RUN_CLASS[c] = 2;
  else if (/[A-Za-z+/_-]/.test(ch)) RUN_CLASS[c] = 1;
}

/** Whether text holds a "%XX" escape: a native search for "%" is some 30 times faster than a regex's. */
function hasUrlEscape(text: string): boolean {
  for (let at = text.indexOf("%"); at >= 0; at = text.indexOf("%", at + 1)) {
    if (RUN_CLASS[text.charCodeAt(at + 1)] === 2 && RUN_CLASS[text.charCodeAt(at + 2)] === 2) return true;
  }
  return false;
}

/**
 * Finds the base64 and hex runs of at least MIN_RUN characters with a table lookup per character
 * looked at, much cheaper than a regex that retries at every position. Such a run covers one of
 * any MIN_RUN consecutive positions, so only every MIN_RUN-th position is probed, and only around
 * a probe that lands in a run are its ends looked for: prose (short words between spaces) costs
 * a fraction of a lookup per character.
 */
function findRuns(text: string, budget: Budget, segments: DecodedSegment[]): void {
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
    const paid = affordable(end - start, budget);
    const cut = paid < end - start;
    // A cut run is decoded in whole blocks from its start.
    const take = cut ? paid - (paid % (hex ? 2 : 4)) : paid;
    const run = text.slice(start, start + take);
    const decoded = take < MIN_RUN ? null : hex ? decodeHex(run, cut) : decodeBase64(run, cut);
    if (decoded !== null) {
      budget.segments--;
      segments.push({ encoding: hex ? "hex" : "base64", start, end: start + take, text: decoded });
    }
    if (cut) return;
  }
}

const DECODERS: Decoder[] = [
  { encoding: "hex-escape", pattern: ESCAPED_HEX_RUN, hint: (t) => t.includes("\\x"), cutTail: /\\(?:x[0-9a-fA-F]?)?$/, decode: decodeHex },
  { encoding: "unicode-escape", pattern: UNICODE_ESCAPE_RUN, hint: (t) => t.includes("\\u"), cutTail: /\\(?:u[0-9a-fA-F]{0,3})?$/, decode: decodeUnicodeEscapes },
  // "%" alone is common in prose ("50% of"); a run needs "%" and two hex digits.
  { encoding: "url", pattern: URL_ENCODED_RUN, hint: hasUrlEscape, cutTail: /%[0-9a-fA-F]?$/, decode: decodeUrl, lead: 40 },
  { encoding: "html-entity", pattern: HTML_ENTITY_RUN, hint: (t) => t.includes("&#"), cutTail: /&(?:#(?:x[0-9a-fA-F]{0,6}|[0-9]{0,7}))?$/, decode: decodeHtmlEntities },
];

/**
 * Returns readable decodings of encoded runs in text, up to maxSegments and maxChars in total.
 * `budget.chars` is shared across nested calls so deep or wide inputs stay bounded.
 */
export function findEncodedSegments(text: string, budget: Budget): DecodedSegment[] {
  const segments: DecodedSegment[] = [];
  findRuns(text, budget, segments);
  for (const decoder of DECODERS) {
    if (budget.chars < 0) break; // already spent (and reported truncated)
    if (!decoder.hint(text)) continue;
    decoder.pattern.lastIndex = 0;
    let floor = 0;
    for (let m = decoder.pattern.exec(text); m !== null; m = decoder.pattern.exec(text)) {
      let start = m.index;
      const limit = Math.max(floor, start - (decoder.lead ?? 0));
      while (start > limit && !LEAD_STOP.test(text[start - 1] as string)) start--;
      const whole = text.slice(start, m.index + m[0].length);
      floor = m.index + m[0].length;
      // Decoding a run costs its length whether or not it turns out readable.
      const paid = affordable(whole.length, budget);
      const cut = paid < whole.length;
      const run = cut ? whole.slice(0, paid).replace(decoder.cutTail, "") : whole;
      const decoded = run === "" ? null : decoder.decode(run, cut);
      if (decoded !== null) {
        budget.segments--;
        segments.push({ encoding: decoder.encoding, start, end: start + run.length, text: decoded });
      }
      if (cut) break;
    }
  }
  // "13" first: a plain substring search, far cheaper than the case-insensitive regex.
  if (budget.chars >= 0 && text.includes("13") && ROT13_HINT.test(text)) {
    const paid = affordable(text.length, budget);
    if (paid > 0) {
      budget.segments--;
      segments.push({ encoding: "rot13", start: 0, end: paid, text: rot13(text.slice(0, paid)) });
    }
  }
  return segments;
}
