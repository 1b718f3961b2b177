// Keyset pagination over a seq column, for feeds that SIEMs poll (alerts, incidents, audit).
// Seq numbers are assigned under the store-wide write lock, so they follow commit order: a reader
// that resumes strictly after the last seq it saw gets every row exactly once, however rows are
// inserted between polls. Cursors are signed by core.cursors and bound to their feed and order.
// In ascending order next_cursor is always given (poll again with it); descending pages end with null.
import { invalidRequest } from "../errors.ts";
import type { CursorCodec } from "../http/cursor.ts";

export type FeedOrder = "asc" | "desc";

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
  has_more: boolean;
}

export interface FeedRequest {
  limit: number;
  order: FeedOrder;
  cursor?: string | undefined;
}

export class SeqCursor {
  readonly #codec: CursorCodec;
  readonly #feed: string;

  constructor(codec: CursorCodec, feed: string) {
    this.#codec = codec;
    this.#feed = feed;
  }

  /** The seq to resume after (asc) or before (desc); undefined from the start. */
  decode(request: FeedRequest): number | undefined {
    if (request.cursor === undefined) return undefined;
    const position = this.#codec.decode<{ f: string; o: string; s: number }>(request.cursor);
    if (position.f !== this.#feed || position.o !== request.order || !Number.isSafeInteger(position.s) || position.s < 0) {
      throw invalidRequest("invalid cursor: it belongs to another list or sort order");
    }
    return position.s;
  }

  encode(order: FeedOrder, seq: number): string {
    return this.#codec.encode({ f: this.#feed, o: order, s: seq });
  }

  /** Builds the page from rows fetched with limit + 1. */
  page<R, T>(request: FeedRequest, rows: R[], seqOf: (row: R) => number, map: (row: R) => T): Page<T> {
    const slice = rows.slice(0, request.limit);
    const hasMore = rows.length > request.limit;
    const last = slice.at(-1);
    let next: string | null = null;
    if (request.order === "asc") next = this.encode("asc", last ? seqOf(last) : (this.decode(request) ?? 0));
    else if (hasMore && last) next = this.encode("desc", seqOf(last));
    return { data: slice.map(map), next_cursor: next, has_more: hasMore };
  }
}

/** "high,critical" or ["high", "critical"] → a checked list; undefined when not given. */
export function listParam<T extends string>(value: string | undefined, allowed: readonly T[], name: string): T[] | undefined {
  if (value === undefined || value === "") return undefined;
  const items = value.split(",").map((v) => v.trim());
  for (const item of items) if (!(allowed as readonly string[]).includes(item)) throw invalidRequest(`${name} must be one or more of ${allowed.join(", ")} (comma-separated)`);
  return items as T[];
}

export function isoParam(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw invalidRequest(`${name} must be an ISO-8601 time`);
  return new Date(ms).toISOString();
}
