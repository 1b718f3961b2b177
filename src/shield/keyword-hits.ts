// One scan's keyword hits, as the keyword matcher finds them and the match planner reads them: how
// often each keyword occurred and, for its first few occurrences, where each ended. The ends are
// kept compact (grouped per keyword, only keywords that occurred), so reading them touches a few
// kilobytes instead of a slot per keyword in a table of megabytes, which missed the cache for
// nearly every keyword a scan met.

export class KeywordHits {
  /** Per keyword id: occurrences (saturating at 0xffff). */
  readonly counts: Uint16Array;
  /** Per keyword id that occurred: where its located ends start in `ends`. */
  readonly slots: Int32Array;
  /** Located end offsets, grouped per keyword (see slots), each group ascending. */
  ends: Int32Array = new Int32Array(1024);
  /** The ids that occurred, in order of first occurrence: found[0 .. foundCount). */
  readonly found: Int32Array;
  foundCount = 0;
  /** Located hits in text order, (id, end) pairs: log[0 .. logLength), grouped into ends by group(). */
  log: Int32Array = new Int32Array(2048);
  logLength = 0;
  readonly #cursor: Int32Array;

  constructor(keywordCount: number) {
    this.counts = new Uint16Array(keywordCount);
    this.slots = new Int32Array(keywordCount);
    this.found = new Int32Array(keywordCount);
    this.#cursor = new Int32Array(keywordCount);
  }

  /** How many ends of keyword id are located: at most its count. */
  located(id: number): number {
    return this.counts[id] === 0 ? 0 : (this.#cursor[id] as number) - (this.slots[id] as number);
  }

  /** How many ends of these keywords are located in all, or -1 when one occurred more often than was located. */
  locatedTotal(ids: readonly number[]): number {
    let total = 0;
    for (const id of ids) {
      const located = this.located(id);
      if (located < (this.counts[id] as number)) return -1;
      total += located;
    }
    return total;
  }

  /** Forgets the previous scan's hits (only the keywords it found are reset). */
  clear(): void {
    for (let k = 0; k < this.foundCount; k++) this.counts[this.found[k] as number] = 0;
    this.foundCount = 0;
    this.logLength = 0;
  }

  /** A log with room for at least `more` further entries. */
  growLog(more: number): Int32Array {
    if (this.logLength + more > this.log.length) {
      const grown = new Int32Array(Math.max(this.log.length * 2, this.logLength + more));
      grown.set(this.log.subarray(0, this.logLength));
      this.log = grown;
    }
    return this.log;
  }

  /** Groups the logged hits per keyword into ends; afterwards cursor[id] marks the end of id's group. */
  group(): void {
    const { found, slots, log } = this;
    const cursor = this.#cursor;
    for (let k = 0; k < this.foundCount; k++) cursor[found[k] as number] = 0;
    for (let h = 0; h < this.logLength; h += 2) {
      const id = log[h] as number;
      cursor[id] = (cursor[id] as number) + 1;
    }
    let offset = 0;
    for (let k = 0; k < this.foundCount; k++) {
      const id = found[k] as number;
      slots[id] = offset;
      offset += cursor[id] as number;
      cursor[id] = slots[id] as number;
    }
    if (this.ends.length < offset) this.ends = new Int32Array(Math.max(offset, this.ends.length * 2));
    const ends = this.ends;
    for (let h = 0; h < this.logLength; h += 2) {
      const id = log[h] as number;
      const at = cursor[id] as number;
      ends[at] = log[h + 1] as number;
      cursor[id] = at + 1;
    }
  }
}
