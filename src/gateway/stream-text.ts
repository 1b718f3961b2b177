// The text of a relayed stream: appended to piece by piece (a token or a few per upstream event)
// and read near its end (the incremental scan, the holdback, redactions of held pieces). Kept in
// one JS string, every read after an append made V8 flatten the whole text again, so a stream cost
// grew with the square of its length: 200 K characters in 8-character pieces took over a second of
// the event loop. Here the recent text is a short string of its own, cut back as it grows, and the
// whole text is joined only when asked for (once, for the record).
export class StreamText {
  #parts: string[] = [];
  #length = 0;
  #recent = "";
  #recentStart = 0;

  get length(): number {
    return this.#length;
  }

  append(value: string): void {
    this.#parts.push(value);
    this.#recent += value;
    this.#length += value.length;
  }

  /** The text from `start` on, as one string, with that start (at or before what keepFrom() kept). */
  get recent(): { text: string; start: number } {
    return { text: this.#recent, start: this.#recentStart };
  }

  /** text[from, to). Fast from the kept recent text on; earlier positions cost a join of everything. */
  slice(from: number, to: number = this.#length): string {
    if (from >= this.#recentStart) return this.#recent.slice(from - this.#recentStart, to - this.#recentStart);
    return this.full().slice(from, to);
  }

  /** Positions before `position` are no longer read (only full() has them): the recent text may drop them. */
  keepFrom(position: number): void {
    const cut = position - this.#recentStart;
    // Cut only once the dead part is as long as the live one: each character is copied a bounded
    // number of times, however small the pieces.
    if (cut > 0 && cut >= this.#recent.length - cut) {
      this.#recent = this.#recent.slice(cut);
      this.#recentStart = position;
    }
  }

  full(): string {
    if (this.#parts.length > 1) this.#parts = [this.#parts.join("")];
    return this.#parts[0] ?? "";
  }
}
