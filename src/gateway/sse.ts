// An incremental parser for server-sent events as OpenAI-compatible servers send them: bytes in
// (split anywhere, even inside a UTF-8 sequence), whole events out, each with its raw text so an
// unchanged event can be relayed without re-serialising it.

export interface SseEvent {
  /** The "event:" field, when present (OpenAI sends none; Anthropic names every event). */
  event: string | undefined;
  /** The "data:" lines joined with "\n". */
  data: string;
  /** The event as received, normalised to "\n" line ends and terminated by a blank line. */
  raw: string;
}

/** Longest event accepted before the stream is declared malformed (a guard against endless lines). */
export const MAX_EVENT_CHARS = 8 * 1024 * 1024;

export class SseParseError extends Error {}

export class SseParser {
  readonly #decoder = new TextDecoder("utf-8");
  /** The text of the event not yet complete, one string per read. */
  #held: string[] = [];
  #heldChars = 0;
  /** The last read ended in "\r": whether it begins a "\r\n" is known only with the next read. */
  #pendingCr = false;

  /** Feeds bytes; returns the events completed by them. */
  push(bytes: Uint8Array): SseEvent[] {
    return this.#feed(this.#decoder.decode(bytes, { stream: true }));
  }

  /** Flushes at end of stream; a trailing event without its blank line still counts. */
  end(): SseEvent[] {
    const events = this.#feed(this.#decoder.decode());
    if (this.#pendingCr) {
      this.#pendingCr = false;
      events.push(...this.#feed("\n"));
    }
    // What is held is the last event (parseEvent finds no event in blank lines or comments alone).
    if (this.#held.length > 0) this.#complete(events, "", false);
    return events;
  }

  /**
   * Only the new text is normalised and searched for the blank line that ends an event; the held
   * part of an event is joined once, when it completes. (Appending each read to one string and
   * searching that made V8 copy the whole of it per read: an event arriving in many reads cost
   * the square of its length.)
   */
  #feed(text: string): SseEvent[] {
    let added = this.#pendingCr ? `\r${text}` : text;
    this.#pendingCr = added.endsWith("\r");
    if (this.#pendingCr) added = added.slice(0, -1);
    if (added.includes("\r")) added = added.replace(/\r\n?/g, "\n");
    const events: SseEvent[] = [];
    let from = 0;
    // A blank line split between reads: the held text ends with its first "\n".
    if (added.startsWith("\n") && this.#held.at(-1)?.endsWith("\n")) {
      this.#complete(events, "", true);
      from = 1;
    }
    for (;;) {
      const at = added.indexOf("\n\n", from);
      if (at === -1) break;
      this.#complete(events, added.slice(from, at), false);
      from = at + 2;
    }
    const rest = from === 0 ? added : added.slice(from);
    if (rest.length > 0) {
      this.#held.push(rest);
      this.#heldChars += rest.length;
    }
    if (this.#heldChars > MAX_EVENT_CHARS) throw new SseParseError("an upstream SSE event exceeds the size limit");
    return events;
  }

  /** The held text plus `tail` is an event (less the held text's last "\n" when it began the blank line). */
  #complete(events: SseEvent[], tail: string, dropHeldNewline: boolean): void {
    let block = this.#held.length === 0 ? tail : this.#held.join("") + tail;
    if (dropHeldNewline) block = block.slice(0, -1);
    this.#held = [];
    this.#heldChars = 0;
    const event = parseEvent(block);
    if (event) events.push(event);
  }
}

function parseEvent(block: string): SseEvent | null {
  let data: string | undefined;
  let event: string | undefined;
  for (const line of block.split("\n")) {
    if (line === "" || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") data = data === undefined ? value : `${data}\n${value}`;
    else if (field === "event") event = value;
  }
  if (data === undefined) return null;
  return { event, data, raw: `${block.replace(/^\n+/, "")}\n\n` };
}
