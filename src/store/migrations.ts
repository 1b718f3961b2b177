// One migration set for SQLite and PostgreSQL. Each migration uses Kysely's portable schema
// builder; the few dialect-specific statements (append-only triggers) branch on the dialect.
import type { Kysely } from "kysely";
import { type Migration, type MigrationProvider, Migrator } from "kysely/migration";
import type { Dialect } from "./database.ts";
import { migration as core } from "./migrations/0001_core.ts";
import { migration as gateway } from "./migrations/0002_gateway.ts";
import { migration as fleet } from "./migrations/0003_fleet.ts";
import { migration as openclaw } from "./migrations/0004_openclaw.ts";
import { migration as soc } from "./migrations/0005_soc.ts";
import { migration as webhooks } from "./migrations/0006_webhooks.ts";
import { migration as posture } from "./migrations/0007_posture.ts";
import { migration as webhookSecretOverlap } from "./migrations/0008_webhook_secret_overlap.ts";
import { migration as apiKeysVersion } from "./migrations/0009_api_keys_version.ts";
import type { MigrationFactory } from "./migrations/types.ts";

/** Ordered by name; append new migrations, never edit a released one. */
const MIGRATIONS: Record<string, MigrationFactory> = {
  "0001_core": core,
  "0002_gateway": gateway,
  "0003_fleet": fleet,
  "0004_openclaw": openclaw,
  "0005_soc": soc,
  "0006_webhooks": webhooks,
  "0007_posture": posture,
  "0008_webhook_secret_overlap": webhookSecretOverlap,
  "0009_api_keys_version": apiKeysVersion,
};

class StaticMigrationProvider implements MigrationProvider {
  readonly #dialect: Dialect;
  constructor(dialect: Dialect) {
    this.#dialect = dialect;
  }
  async getMigrations(): Promise<Record<string, Migration>> {
    return Object.fromEntries(Object.entries(MIGRATIONS).map(([name, make]) => [name, make(this.#dialect)]));
  }
}

export async function migrateToLatest(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const migrator = new Migrator({ db, provider: new StaticMigrationProvider(dialect), migrationTableName: "clawnex_migrations", migrationLockTableName: "clawnex_migrations_lock" });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === "Error");
  if (error || failed) {
    const reason = error instanceof Error ? error.message : String(error ?? "unknown error");
    throw new Error(`database migration ${failed?.migrationName ?? ""} failed: ${reason}`);
  }
}
