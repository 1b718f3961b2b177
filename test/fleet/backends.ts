// The stores the fleet suites run on: SQLite always, and PostgreSQL too when
// CLAWNEX_TEST_DATABASE_URL is set (scripts/start-test-postgres.sh), each run on a fresh database.
import { createPgDatabase, PG_TEST_URL } from "../helpers/pg.ts";

export interface BackendDatabase {
  /** Environment for the server: empty for SQLite (in the data dir), CLAWNEX_DATABASE_URL for PostgreSQL. */
  env: NodeJS.ProcessEnv;
  drop(): Promise<void>;
}

export interface Backend {
  name: "sqlite" | "postgres";
  open(): Promise<BackendDatabase>;
}

const sqlite: Backend = { name: "sqlite", open: async () => ({ env: {}, drop: async () => {} }) };

export function backends(): Backend[] {
  const url = PG_TEST_URL;
  if (!url) return [sqlite];
  return [
    sqlite,
    {
      name: "postgres",
      async open() {
        const db = await createPgDatabase(url);
        return { env: { CLAWNEX_DATABASE_URL: db.url }, drop: db.drop };
      },
    },
  ];
}
