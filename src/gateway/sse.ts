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
  #buffer = "";

  /** Feeds bytes; returns the events completed by them. */
  push(bytes: Uint8Array): SseEvent[] {
    this.#buffer += this.#decoder.decode(bytes, { stream: true });
    return this.#drain();
  }

  /** Flushes at end of stream; a trailing event without its blank line still counts. */
  end(): SseEvent[] {
    this.#buffer += this.#decoder.decode();
    const events = this.#drain();
    if (this.#buffer.trim().length > 0) {
      const last = parseEvent(this.#buffer);
      this.#buffer = "";
      if (last) events.push(last);
    }
    return events;
  }

  #drain(): SseEvent[] {
    if (this.#buffer.includes("\r")) this.#buffer = this.#buffer.replace(/\r\n?/g, "\n");
    const events: SseEvent[] = [];
    let from = 0;
    for (;;) {
      const at = this.#buffer.indexOf("\n\n", from);
      if (at === -1) break;
      const event = parseEvent(this.#buffer.slice(from, at));
      if (event) events.push(event);
      from = at + 2;
    }
    if (from > 0) this.#buffer = this.#buffer.slice(from);
    if (this.#buffer.length > MAX_EVENT_CHARS) throw new SseParseError("an upstream SSE event exceeds the size limit");
    return events;
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
