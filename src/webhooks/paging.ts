// Keyset pagination over (created_at, id) with signed cursors (core.cursors). A cursor is bound
// to its list (kind), so a cursor from one list — or one webhook's deliveries — is refused (400)
// by another.
import { invalidRequest } from "../errors.ts";
import type { CursorCodec } from "../http/cursor.ts";
import type { Position } from "./store/webhook-store.ts";

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
  has_more: boolean;
}

export interface PageQuery {
  limit: number;
  cursor?: string | undefined;
}

export function decodeCursor(cursors: CursorCodec, kind: string, cursor: string | undefined): Position | undefined {
  if (cursor === undefined) return undefined;
  const position = cursors.decode<{ k: string; t: string; i: string }>(cursor);
  if (position.k !== kind || typeof position.t !== "string" || typeof position.i !== "string") {
    throw invalidRequest("invalid cursor: it belongs to another list");
  }
  return { created_at: position.t, id: position.i };
}

/** `rows` holds up to limit + 1 rows: the extra one only tells that another page follows. */
export function toPage<R extends Position, T>(cursors: CursorCodec, kind: string, rows: R[], limit: number, map: (row: R) => T): Page<T> {
  const slice = rows.slice(0, limit);
  const last = slice.at(-1);
  const hasMore = rows.length > limit;
  return { data: slice.map(map), has_more: hasMore, next_cursor: hasMore && last ? cursors.encode({ k: kind, t: last.created_at, i: last.id }) : null };
}
