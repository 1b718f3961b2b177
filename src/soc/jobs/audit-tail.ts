// Reads new audit events every few seconds and turns enforcement changes (break-glass, Shield
// mode, key modes) into SOC events. The position is read and advanced inside the same store
// transaction that stores the events (under the write lock), so two servers on one database
// never both process an audit event, and a crash neither skips nor repeats one.
import { sql } from "kysely";
import { type AuditLog, encodeCursor } from "../../audit/audit-log.ts";
import type { SettingsStore } from "../../settings/settings-store.ts";
import type { SocPipeline } from "../pipeline/pipeline.ts";
import { AUDIT_TAIL_SETTING, auditEvent } from "../signals/audit-tail.ts";

const PAGE = 500;

export class AuditTail {
  readonly #audit: AuditLog;
  readonly #settings: SettingsStore;
  readonly #pipeline: SocPipeline;
  readonly #intervalMs: number;
  readonly #onError: (err: unknown) => void;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(audit: AuditLog, settings: SettingsStore, pipeline: SocPipeline, intervalMs: number, onError: (err: unknown) => void) {
    this.#audit = audit;
    this.#settings = settings;
    this.#pipeline = pipeline;
    this.#intervalMs = intervalMs;
    this.#onError = onError;
  }

  async start(): Promise<void> {
    // First start: begin at the current end of the trail, not at its start.
    await this.#settings.setIfAbsent(AUDIT_TAIL_SETTING, (await this.#audit.head())?.seq ?? 0);
    this.#timer = setInterval(() => void this.tick(), this.#intervalMs);
    this.#timer.unref();
  }

  tick(): Promise<void> {
    this.#running ??= this.#run()
      .catch((err: unknown) => this.#onError(err))
      .finally(() => {
        this.#running = undefined;
      });
    return this.#running;
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    if (this.#running) await this.#running;
  }

  async #run(): Promise<void> {
    for (;;) {
      const from = Number((await this.#settings.get<number>(AUDIT_TAIL_SETTING)) ?? 0);
      const page = await this.#audit.list({ cursor: encodeCursor(from), limit: PAGE });
      const last = page.events.at(-1);
      if (!last) return;
      const inputs = page.events.flatMap((e) => {
        const input = auditEvent(e);
        return input ? [input] : [];
      });
      const to = last.seq;
      // Advance only if nobody else has: compare-and-set on the stored position.
      const done = await this.#pipeline.ingestGuarded(inputs, async (trx) => {
        const result = await trx
          .updateTable("settings")
          .set({ value: JSON.stringify(to), updated_at: new Date().toISOString() })
          .where("key", "=", AUDIT_TAIL_SETTING)
          .where(sql`value`, "=", JSON.stringify(from))
          .executeTakeFirst();
        return Number(result.numUpdatedRows) === 1;
      });
      if (!done || page.nextCursor === null) return;
    }
  }
}
