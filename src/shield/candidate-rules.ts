// Which rules a scan runs: the rules of its direction that have no keywords, and those with a
// keyword the text contains, in rule order. Kept in a few flat typed arrays built once per engine:
// a scan that arrives after other work has evicted the CPU caches then misses on a handful of
// cache lines, not on one array object per keyword and one rule object per candidate.
import type { KeywordHits } from "./keyword-hits.ts";
import type { Direction, RuleDirection } from "./types.ts";

/** Per rule and direction: the rule does not run in it, runs on a keyword hit, or always runs. */
const SKIP = 0;
const ON_KEYWORD = 1;
const ALWAYS = 2;

export class CandidateRules {
  readonly #ruleCount: number;
  /** The rules of keyword id k: #rulesOf[#firstRule[k] .. #firstRule[k + 1]). */
  readonly #firstRule: Int32Array;
  readonly #rulesOf: Int32Array;
  readonly #plan: Record<Direction, Uint8Array>;
  /** Rules with a keyword hit in the current selection; cleared before select() returns. */
  readonly #hit: Uint8Array;

  /**
   * keywordRules[k]: the rules keyword id k makes candidates; unfiltered: the rules that run on
   * every scan (no keywords, or signals); directions[r]: rule r's direction.
   */
  constructor(keywordRules: readonly (readonly number[])[], unfiltered: readonly number[], directions: readonly RuleDirection[]) {
    this.#ruleCount = directions.length;
    this.#firstRule = new Int32Array(keywordRules.length + 1);
    keywordRules.forEach((rules, k) => (this.#firstRule[k + 1] = (this.#firstRule[k] as number) + rules.length));
    this.#rulesOf = Int32Array.from(keywordRules.flat());
    const always = new Set(unfiltered);
    const planFor = (direction: Direction) =>
      Uint8Array.from(directions, (d, r) => (d !== "both" && d !== direction ? SKIP : always.has(r) ? ALWAYS : ON_KEYWORD));
    this.#plan = { inbound: planFor("inbound"), outbound: planFor("outbound") };
    this.#hit = new Uint8Array(this.#ruleCount);
  }

  /** The rules to run for these keyword hits, ascending. */
  select(direction: Direction, hits: KeywordHits): number[] {
    const hit = this.#hit;
    const first = this.#firstRule;
    const rulesOf = this.#rulesOf;
    for (let f = 0; f < hits.foundCount; f++) {
      const k = hits.found[f] as number;
      const last = first[k + 1] as number;
      for (let i = first[k] as number; i < last; i++) hit[rulesOf[i] as number] = 1;
    }
    const plan = this.#plan[direction];
    const rules: number[] = [];
    for (let r = 0; r < this.#ruleCount; r++) {
      const p = plan[r] as number;
      if (p === ALWAYS || (p === ON_KEYWORD && hit[r] === 1)) rules.push(r);
    }
    hit.fill(0);
    return rules;
  }
}
