// Runtime settings that operators change while ClawNex runs (shield mode, break-glass, ...),
// kept in the database so the CLI and the server see the same values.
import type { Kysely } from "kysely";
import type { Database } from "../store/schema.ts";

export class SettingsStore {
  readonly #db: Kysely<Database>;
  readonly #clock: () => Date;

  constructor(db: Kysely<Database>, clock: () => Date = () => new Date()) {
    this.#db = db;
    this.#clock = clock;
  }

  async get<T>(key: string): Promise<T | undefined> {
    const row = await this.#db.selectFrom("settings").select("value").where("key", "=", key).executeTakeFirst();
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  async set(key: string, value: unknown): Promise<void> {
    const row = { key, value: JSON.stringify(value), updated_at: this.#clock().toISOString() };
    await this.#db
      .insertInto("settings")
      .values(row)
      .onConflict((oc) => oc.column("key").doUpdateSet({ value: row.value, updated_at: row.updated_at }))
      .execute();
  }

  /** Writes the value only if the key is absent (first writer wins across processes). */
  async setIfAbsent(key: string, value: unknown): Promise<void> {
    await this.#db
      .insertInto("settings")
      .values({ key, value: JSON.stringify(value), updated_at: this.#clock().toISOString() })
      .onConflict((oc) => oc.column("key").doNothing())
      .execute();
  }
}
