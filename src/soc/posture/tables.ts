// Kysely shapes of the posture module's tables (created in src/store/migrations/0007_posture.ts).

/** One posture scan: when, why, and the full report as JSON text. */
export interface PostureRunsTable {
  id: string;
  scanned_at: string;
  /** schedule | api | startup */
  trigger: string;
  duration_ms: number;
  /** JSON: counts by severity. */
  summary: string;
  /** JSON: the PostureReport. */
  report: string;
}

export interface PostureTables {
  posture_runs: PostureRunsTable;
}
