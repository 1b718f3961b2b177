// A bounded, nearly-LRU cache of scan outcomes keyed by the exact text scanned. Keys are the
// texts themselves, not digests: a Map lookup of a 49 K-char system prompt costs a fraction of
// hashing it, and an exact key leaves no collision to forge. Bounded by entries and by total
// characters held.
import { hash } from "node:crypto";
import type { ScanOutcome } from "../shield/types.ts";

export interface CachedScan {
  outcome: ScanOutcome;
  /** SHA-256 of the text (base64), computed once, for scan records. */
  sha256: string;
}

/** A cached scan and when it was last moved to the recent end (the cache's placement count). */
interface Slot {
  scan: CachedScan;
  placed: number;
}

export class ScanCache {
  readonly #map = new Map<string, Slot>();
  /**
   * Digests of texts seen once and not cached: a text is cached when it comes back. Most new user
   * turns are never sent again verbatim except as history; caching each on first sight filled the
   * cache with one-off texts, and evicting them kept the old generation churning (major GC pauses
   * on the hot path). What does repeat (the system prompt, tool definitions, history) is cached
   * from its second appearance on, at the cost of one more scan.
   */
  readonly #seenOnce = new Set<string>();
  readonly #maxEntries: number;
  readonly #maxChars: number;
  #chars = 0;
  #placements = 0;
  hits = 0;
  misses = 0;

  constructor(maxEntries: number, maxChars: number) {
    this.#maxEntries = maxEntries;
    this.#maxChars = maxChars;
  }

  get size(): number {
    return this.#map.size;
  }

  /** The cached outcome for text, or a fresh one from scan() (cached if the text was seen before). */
  get(text: string, scan: (text: string) => ScanOutcome): CachedScan {
    const found = this.#map.get(text);
    if (found) {
      this.hits++;
      // Refresh recency (Map iteration order is insertion order), but only once the entry has left
      // the newest quarter: an entry placed since then is in no danger of eviction, and moving it
      // costs two more lookups, each comparing the whole text (49 K chars for a system prompt).
      if (this.#placements - found.placed > this.#maxEntries >> 2) {
        this.#map.delete(text);
        found.placed = ++this.#placements;
        this.#map.set(text, found);
      }
      return found.scan;
    }
    this.misses++;
    const entry: CachedScan = { outcome: scan(text), sha256: hash("sha256", text, "hex") };
    if (this.#maxEntries > 0 && text.length <= this.#maxChars) {
      if (this.#seenOnce.delete(entry.sha256)) {
        this.#map.set(text, { scan: entry, placed: ++this.#placements });
        this.#chars += text.length;
        this.#evict();
      } else {
        if (this.#seenOnce.size >= this.#maxEntries) this.#seenOnce.clear();
        this.#seenOnce.add(entry.sha256);
      }
    }
    return entry;
  }

  clear(): void {
    this.#map.clear();
    this.#seenOnce.clear();
    this.#chars = 0;
  }

  #evict(): void {
    while (this.#map.size > this.#maxEntries || this.#chars > this.#maxChars) {
      const oldest = this.#map.keys().next();
      if (oldest.done) return;
      this.#map.delete(oldest.value);
      this.#chars -= oldest.value.length;
    }
  }
}
