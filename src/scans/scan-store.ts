// Persists scan records (the ScanSink of the scan service) and reads them back.
import type { Kysely } from "kysely";
import type { Database } from "../store/schema.ts";
import type { ScanRecord, ScanSink } from "./scan-service.ts";

/** The stored row of a scan record (also written in batches by the gateway's traffic recorder). */
export function scanRow(scan: ScanRecord) {
  return {
    id: scan.id,
    ts: scan.created_at,
    workspace: scan.workspace,
    key_id: scan.key_id,
    source: scan.source,
    direction: scan.direction,
    verdict: scan.verdict,
    score: scan.score,
    mode: scan.mode,
    enforced: scan.enforced ? 1 : 0,
    text_sha256: scan.text_sha256,
    text_length: scan.text_length,
    raw_text: scan.raw_text,
    detections: JSON.stringify(scan.detections),
    metadata: scan.metadata ? JSON.stringify(scan.metadata) : null,
    latency_ms: scan.latency_ms,
  };
}

export class ScanStore implements ScanSink {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async record(scan: ScanRecord): Promise<void> {
    await this.#db.insertInto("scans").values(scanRow(scan)).execute();
  }

  async get(workspace: string, id: string) {
    const row = await this.#db.selectFrom("scans").selectAll().where("workspace", "=", workspace).where("id", "=", id).executeTakeFirst();
    if (!row) return undefined;
    return { ...row, enforced: row.enforced === 1, detections: JSON.parse(row.detections) as unknown[], metadata: row.metadata ? (JSON.parse(row.metadata) as unknown) : null };
  }
}
