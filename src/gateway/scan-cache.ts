// A bounded, nearly-LRU cache of scan outcomes keyed by the exact text scanned. Keys are the
// texts themselves, not digests: a Map lookup of a 49 K-char system prompt costs a fraction of
// hashing it, and an exact key leaves no collision to forge. Bounded by entries and by total
// characters held.
import { hash } from "node:crypto";
import type { ScanOutcome } from "../shield/types.ts";

/** A scan outcome with its text's SHA-256 for scan records, computed on first use and kept. */
export class CachedScan {
  readonly outcome: ScanOutcome;
  readonly #text: string;
  #sha256: string | undefined;

  constructor(text: string, outcome: ScanOutcome) {
    this.#text = text;
    this.outcome = outcome;
  }

  /**
   * Hex digest. Asked for when the call's records are written, after the response: hashing a
   * 1 KB turn costs ~25 µs with cold caches (the first read of a request, at fleet rates), which
   * the request's path no longer pays.
   */
  get sha256(): string {
    this.#sha256 ??= hash("sha256", this.#text, "hex");
    return this.#sha256;
  }
}

/** A cached scan and when it was last moved to the recent end (the cache's placement count). */
interface Slot {
  scan: CachedScan;
  placed: number;
}

export class ScanCache {
  readonly #map = new Map<string, Slot>();
  /**
   * Fingerprints of texts seen once and not cached: a text is cached when it comes back. Most new
   * user turns are never sent again verbatim except as history; caching each on first sight
   * filled the cache with one-off texts, and evicting them kept the old generation churning (major
   * GC pauses on the hot path). What does repeat (the system prompt, tool definitions, history)
   * is cached from its second appearance on, at the cost of one more scan. A fingerprint only
   * decides admission (entries are keyed by the exact text), so a collision caches a text one
   * sighting early and nothing else.
   */
  readonly #seenOnce = new Set<number>();
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
    const entry = new CachedScan(text, scan(text));
    if (this.#maxEntries > 0 && text.length <= this.#maxChars) {
      const print = fingerprint(text);
      if (this.#seenOnce.delete(print)) {
        this.#map.set(text, { scan: entry, placed: ++this.#placements });
        this.#chars += text.length;
        this.#evict();
      } else {
        if (this.#seenOnce.size >= this.#maxEntries) this.#seenOnce.clear();
        this.#seenOnce.add(print);
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

/** A 53-bit hash of the text's units (cyrb53): cheap, for admission only, not for integrity. */
function fingerprint(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ unit, 2654435761);
    h2 = Math.imul(h2 ^ unit, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
