// The folded view as a one-byte string where that changes no rule's result. V8 stores a string
// with any unit above U+00FF as two bytes per unit, and from 65,529 units that is over 128 KB: a
// large object, mapped fresh for every scan (90 µs instead of 10 µs per 64 KB), and regexes run
// slower on it. Real text is mostly ASCII with a few wide units (an em dash, an arrow, an emoji).
//
// Each wide unit is replaced by a Latin-1 stand-in that every regex run on the folded view treats
// exactly alike: same answer from every character class, escape, literal and dot, as a word
// character (\b) and as a line break (^ $ under the m flag). Regexes only ever ask those questions
// of a single unit (back-references, which compare two, are refused by regex-safety and switch
// this off), so matches keep their places and lengths. A wide unit some regex tells apart from
// every Latin-1 unit (U+2028, a line break) has no stand-in: a text holding one gets the exact
// two-byte view. Rules that name wide units themselves (a CJK phrase, an emoji) are not asked
// here; the engine runs them on the exact view. Stand-ins are worked out per unit on first sight,
// with V8's own regex semantics, and a scan learns at most a few, so hostile text full of
// distinct units costs little.
import { RegExpParser, visitRegExpAST } from "@eslint-community/regexpp";
import { foldUnit } from "./normalize.ts";

/** A regex that runs on the folded view. */
export interface ViewRegex {
  source: string;
  flags: string;
}

const UNKNOWN = 0;
const NONE = 1;
/** New wide units one view may work out; past that it is the exact view (learning goes on next scan). */
const LEARN_PER_VIEW = 64;
/** Wide units one view may replace (offsets noted while folding); text with more is mostly non-Latin. */
const MAX_WIDE_UNITS = 4096;
const LINE_BREAK = /^[\n\r\u2028\u2029]$/;

/** Testers for every question the regexes can ask of one unit, or null when one compares units. */
function unitQuestions(regexes: readonly ViewRegex[]): RegExp[] | null {
  const parser = new RegExpParser({ ecmaVersion: 2025 });
  const seen = new Map<string, RegExp>([["line-break", LINE_BREAK]]);
  let comparesUnits = false;
  for (const { source, flags } of regexes) {
    const unicode = flags.includes("u") || flags.includes("v");
    const testerFlags = flags.replace(/[gymd]/g, "");
    const ask = (raw: string): void => {
      const key = `${testerFlags}/${raw}`;
      if (!seen.has(key)) seen.set(key, new RegExp(`^(?:${raw})$`, testerFlags));
    };
    let inClass = 0;
    visitRegExpAST(parser.parsePattern(source, 0, undefined, { unicode }), {
      onCharacterClassEnter(node) {
        if (inClass++ === 0) ask(node.raw);
      },
      onCharacterClassLeave() {
        inClass--;
      },
      onExpressionCharacterClassEnter(node) {
        if (inClass++ === 0) ask(node.raw);
      },
      onExpressionCharacterClassLeave() {
        inClass--;
      },
      onCharacterSetEnter(node) {
        if (inClass === 0) ask(node.raw);
      },
      onCharacterEnter(node) {
        // An ASCII literal matches no unit above U+007F, unless Unicode case folding maps one to it (K, ſ).
        if (inClass === 0 && (node.value > 0x7f || (unicode && testerFlags.includes("i")))) ask(node.raw);
      },
      onAssertionEnter(node) {
        if (node.kind === "word") ask("\\w");
      },
      onBackreferenceEnter() {
        comparesUnits = true;
      },
    });
    // Under the u flag a surrogate pair is one character: two stand-ins would be two.
    if (unicode) seen.set("surrogate", /^[\ud800-\udfff]$/);
  }
  return comparesUnits ? null : [...seen.values()];
}

/** A literal unit above U+00FF, a \\u escape of one, a \\u{...} or a Unicode property: in the source's text. */
const WIDE_NAMING = /[^\x00-\xff]|\\u(?!00[0-9a-fA-F]{2})[0-9a-fA-F]{4}|\\u\{|\\[pP]\{/;

/**
 * Whether a regex names a unit above U+00FF (a literal, a class member or range end, a Unicode
 * property): a rule with one runs on the exact folded view, so that the rest can share a one-byte
 * one. Read from the source's text, which can only err towards yes (an escaped backslash before
 * "u"), and so towards the exact view.
 */
export function namesWideUnits({ source }: ViewRegex): boolean {
  return WIDE_NAMING.test(source);
}

export class FoldedViews {
  readonly #regexes: readonly ViewRegex[];
  /** Worked out on the first wide unit (many scans never meet one): undefined until then. */
  #questions: RegExp[] | null | undefined;
  /** Per wide unit: UNKNOWN, NONE, or its stand-in (0x80-0xFF). */
  readonly #standIn = new Uint8Array(0x10000);
  #answersOfStandIns: Map<string, number> | null = null;
  #units = new Uint16Array(4096);
  #bytes = new Uint8Array(4096);
  /** Where the wide units of the text being folded are; a text with more gets the exact view. */
  readonly #wide = new Int32Array(MAX_WIDE_UNITS);

  constructor(regexes: readonly ViewRegex[]) {
    this.#regexes = regexes;
  }

  #askable(): RegExp[] | null {
    if (this.#questions === undefined) this.#questions = unitQuestions(this.#regexes);
    return this.#questions;
  }

  /** The folded view of clean: the one-byte string the regexes cannot tell from the exact one, or the exact one. */
  view(clean: string): { text: string; exact: boolean } {
    const n = clean.length;
    if (this.#units.length < n) {
      this.#units = new Uint16Array(Math.max(n, this.#units.length * 2));
      this.#bytes = new Uint8Array(this.#units.length);
    }
    const units = this.#units;
    const bytes = this.#bytes;
    const asUtf16 = Buffer.from(units.buffer, 0, n * 2);
    // Node copies a string's UTF-16 units as they are (lone surrogates included) both ways.
    asUtf16.write(clean, "ucs2");
    // Fold in place, noting where wide units are (few, in real text); then narrow every unit to a
    // byte natively and put the stand-ins at those places.
    const wide = this.#wide;
    let wideCount = 0;
    for (let i = 0; i < n; i++) {
      const folded = foldUnit(units[i] as number);
      units[i] = folded;
      if (folded > 0xff && wideCount < wide.length) wide[wideCount++] = i;
    }
    if (wideCount === wide.length || (wideCount > 0 && this.#askable() === null)) return { text: asUtf16.toString("ucs2"), exact: true };
    bytes.set(units.subarray(0, n));
    const standIn = this.#standIn;
    let learnable = LEARN_PER_VIEW;
    for (let k = 0; k < wideCount; k++) {
      const at = wide[k] as number;
      const unit = units[at] as number;
      let stand = standIn[unit] as number;
      if (stand === UNKNOWN && learnable > 0) {
        learnable--;
        stand = this.#learn(unit);
      }
      if (stand === UNKNOWN || stand === NONE) return { text: asUtf16.toString("ucs2"), exact: true };
      bytes[at] = stand;
    }
    return { text: Buffer.from(bytes.buffer, 0, n).toString("latin1"), exact: false };
  }

  #answers(unit: number): string {
    const ch = String.fromCharCode(unit);
    let answers = "";
    for (const question of this.#askable() ?? []) answers += question.test(ch) ? "1" : "0";
    return answers;
  }

  #learn(unit: number): number {
    if (this.#answersOfStandIns === null) {
      this.#answersOfStandIns = new Map();
      // The lowest Latin-1 unit with each set of answers. Folded text holds no upper-case ones,
      // but that does not matter: a stand-in only has to answer alike.
      for (let c = 0xff; c >= 0x80; c--) this.#answersOfStandIns.set(this.#answers(c), c);
    }
    const stand = this.#answersOfStandIns.get(this.#answers(unit)) ?? NONE;
    this.#standIn[unit] = stand;
    return stand;
  }
}
