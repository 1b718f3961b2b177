// Posture runs in the database: the latest report for GET /api/v1/posture, and a bounded history.
import type { Kysely } from "kysely";
import { randomBase62 } from "../../auth/random.ts";
import type { Database } from "../../store/schema.ts";
import type { PostureReport } from "./scanner.ts";

export const POSTURE_TRIGGERS = ["schedule", "api"] as const;
export type PostureTrigger = (typeof POSTURE_TRIGGERS)[number];

export interface StoredPostureRun {
  id: string;
  trigger: PostureTrigger;
  report: PostureReport;
}

export class PostureStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /** Stores a run and deletes all but the newest `keep`. */
  async save(report: PostureReport, trigger: PostureTrigger, keep: number): Promise<StoredPostureRun> {
    const id = `pst_${randomBase62(20)}`;
    await this.#db
      .insertInto("posture_runs")
      .values({ id, scanned_at: report.scannedAt, trigger, duration_ms: report.durationMs, summary: JSON.stringify(report.summary), report: JSON.stringify(report) })
      .execute();
    const cutoff = await this.#db.selectFrom("posture_runs").select(["scanned_at", "id"]).orderBy("scanned_at", "desc").orderBy("id", "desc").offset(keep).limit(1).executeTakeFirst();
    if (cutoff) {
      await this.#db
        .deleteFrom("posture_runs")
        .where((eb) => eb.or([eb("scanned_at", "<", cutoff.scanned_at), eb.and([eb("scanned_at", "=", cutoff.scanned_at), eb("id", "<=", cutoff.id)])]))
        .execute();
    }
    return { id, trigger, report };
  }

  async latest(): Promise<StoredPostureRun | null> {
    const row = await this.#db.selectFrom("posture_runs").select(["id", "trigger", "report"]).orderBy("scanned_at", "desc").orderBy("id", "desc").limit(1).executeTakeFirst();
    if (!row) return null;
    return { id: row.id, trigger: (POSTURE_TRIGGERS as readonly string[]).includes(row.trigger) ? (row.trigger as PostureTrigger) : "schedule", report: JSON.parse(row.report) as PostureReport };
  }

  async count(): Promise<number> {
    const row = await this.#db.selectFrom("posture_runs").select((eb) => eb.fn.countAll<number | string>().as("n")).executeTakeFirst();
    return Number(row?.n ?? 0);
  }
}
