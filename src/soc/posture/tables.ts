// Kysely shapes of the posture module's tables (created in src/store/migrations/0007_posture.ts).
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface PostureTables {}
