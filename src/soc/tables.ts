// Kysely shapes of the soc module's tables (created in src/store/migrations/). Timestamps are
// ISO-8601 UTC strings and JSON columns are text, as in the core tables.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface SocTables {}
