// Keyset pagination over (created_at, id) for every fleet list. The cursor is the last row's
// position, signed by core.cursors (a modified cursor is a 400) and bound to its list and order,
// so a cursor from one list cannot be replayed against another.
import type { CursorCodec } from "../../http/cursor.ts";
import { invalidRequest } from "../../errors.ts";

export type SortOrder = "asc" | "desc";

export interface PageRequest {
  limit: number;
  cursor?: string | undefined;
  order: SortOrder;
}

export interface Position {
  created_at: string;
  id: string;
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
  has_more: boolean;
}

export interface KeysetQuery {
  order: SortOrder;
  after: Position | undefined;
  /** Rows to fetch: one more than the page, to know whether another page follows. */
  fetch: number;
}

export class Paginator {
  readonly #cursors: CursorCodec;

  constructor(cursors: CursorCodec) {
    this.#cursors = cursors;
  }

  /** Decodes the request's cursor for list `kind`; throws 400 for a cursor of another list or order. */
  query(kind: string, request: PageRequest): KeysetQuery {
    let after: Position | undefined;
    if (request.cursor !== undefined) {
      const decoded = this.#cursors.decode<{ k: string; o: string; t: string; i: string }>(request.cursor);
      if (decoded.k !== kind || decoded.o !== request.order || typeof decoded.t !== "string" || typeof decoded.i !== "string") {
        throw invalidRequest("invalid cursor: it belongs to another list or sort order");
      }
      after = { created_at: decoded.t, id: decoded.i };
    }
    return { order: request.order, after, fetch: request.limit + 1 };
  }

  page<R extends Position, T>(kind: string, query: KeysetQuery, rows: R[], map: (row: R) => T): Page<T> {
    const limit = query.fetch - 1;
    const slice = rows.slice(0, limit);
    const last = slice.at(-1);
    const hasMore = rows.length > limit;
    return {
      data: slice.map(map),
      has_more: hasMore,
      next_cursor: hasMore && last ? this.#cursors.encode({ k: kind, o: query.order, t: last.created_at, i: last.id }) : null,
    };
  }
}
