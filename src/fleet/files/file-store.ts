// File rows, always bounded to one Space.
import type { Kysely } from "kysely";
import type { Database } from "../../store/schema.ts";
import { parseJsonObject } from "../shared/json.ts";
import type { KeysetQuery } from "../shared/pagination.ts";
import { sandboxFlag, type Space } from "../shared/space.ts";
import type { FleetFilesTable } from "../tables.ts";
import type { FileStatus } from "./file-scanner.ts";

export interface FleetFile {
  id: string;
  object: "file";
  /** The client's file name, for display only (storage never uses it). */
  name: string;
  size: number;
  sha256: string;
  /** As the client declared it. */
  content_type: string;
  /** As ClawNex detected it from the content. */
  detected_type: string;
  scan_status: FileStatus;
  scan: Record<string, unknown>;
  sandbox: boolean;
  created_at: string;
}

export interface FileFilter {
  scan_status?: FileStatus | undefined;
  created_after?: string | undefined;
  created_before?: string | undefined;
}

export function toFile(row: FleetFilesTable): FleetFile {
  return {
    id: row.id,
    object: "file",
    name: row.filename,
    size: Number(row.size),
    sha256: row.sha256,
    content_type: row.content_type,
    detected_type: row.detected_type,
    scan_status: row.status as FileStatus,
    scan: parseJsonObject(row.scan),
    sandbox: Number(row.sandbox) === 1,
    created_at: row.created_at,
  };
}

export class FileStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async insert(row: FleetFilesTable): Promise<void> {
    await this.#db.insertInto("fleet_files").values(row).execute();
  }

  async get(space: Space, id: string): Promise<FleetFilesTable | undefined> {
    return this.#db.selectFrom("fleet_files").selectAll().where("id", "=", id).where("workspace", "=", space.workspace).where("sandbox", "=", sandboxFlag(space)).executeTakeFirst();
  }

  async getMany(space: Space, ids: readonly string[]): Promise<FleetFilesTable[]> {
    if (ids.length === 0) return [];
    return this.#db
      .selectFrom("fleet_files")
      .selectAll()
      .where("id", "in", [...ids])
      .where("workspace", "=", space.workspace)
      .where("sandbox", "=", sandboxFlag(space))
      .execute();
  }

  async list(space: Space, filter: FileFilter, q: KeysetQuery): Promise<FleetFilesTable[]> {
    let query = this.#db.selectFrom("fleet_files").selectAll().where("workspace", "=", space.workspace).where("sandbox", "=", sandboxFlag(space));
    if (filter.scan_status) query = query.where("status", "=", filter.scan_status);
    if (filter.created_after) query = query.where("created_at", ">", filter.created_after);
    if (filter.created_before) query = query.where("created_at", "<", filter.created_before);
    const after = q.after;
    if (after) query = query.where((eb) => eb(eb.refTuple("created_at", "id"), q.order === "asc" ? ">" : "<", eb.tuple(after.created_at, after.id)));
    return query.orderBy("created_at", q.order).orderBy("id", q.order).limit(q.fetch).execute();
  }

  async delete(space: Space, id: string): Promise<boolean> {
    const result = await this.#db.deleteFrom("fleet_files").where("id", "=", id).where("workspace", "=", space.workspace).where("sandbox", "=", sandboxFlag(space)).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
