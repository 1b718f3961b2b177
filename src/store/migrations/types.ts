import type { Migration } from "kysely/migration";
import type { Dialect } from "../database.ts";

/** A migration may differ by dialect in the few places SQL does (triggers, types). */
export type MigrationFactory = (dialect: Dialect) => Migration;
