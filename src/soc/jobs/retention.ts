// Deletes stored SOC events past the retention period, except those an incident refers to (an
// incident keeps its evidence as long as it exists). Alerts and incidents are never deleted here.
import { type Kysely, sql } from "kysely";
import type { Database } from "../../store/schema.ts";

export async function pruneEvents(db: Kysely<Database>, retentionDays: number, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000).toISOString();
  const result = await db
    .deleteFrom("soc_events")
    .where("ts", "<", cutoff)
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom("soc_incident_events").select(sql`1`.as("x")).whereRef("soc_incident_events.event_id", "=", "soc_events.id"))))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
