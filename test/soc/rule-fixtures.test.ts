// Replays the recorded event sequences in src/soc/rules/fixtures through the real pipeline (real
// store — SQLite, and PostgreSQL when configured — with the built-in rules) and checks every alert
// and incident they must produce, and that they produce no others, with the incidents' scores and
// explanations word for word.
import assert from "node:assert/strict";
import { test } from "node:test";
import { forEachBackend } from "../helpers/pg.ts";
import { loadFixtures, openSoc, replay } from "./harness.ts";

forEachBackend("SOC rule fixtures", (backend) => {
  for (const fixture of loadFixtures()) {
    test(`${fixture.file}: ${fixture.name}`, async () => {
      const soc = await openSoc({ store: await backend.fresh() });
      try {
        await replay(soc, fixture.events);
        assert.deepEqual(soc.errors, []);
        const alerts = await soc.store.db.selectFrom("soc_alerts").selectAll().orderBy("seq").execute();
        const gotAlerts = alerts.map((a) => ({ rule: a.rule_id, count: Number(a.count), severity: a.severity, agent: a.agent }));
        const wantAlerts = fixture.expect.alerts.map((a) => ({ agent: null, ...a }));
        assert.deepEqual(gotAlerts, wantAlerts, "alerts");
        const incidents = await soc.store.db.selectFrom("soc_incidents").selectAll().orderBy("seq").execute();
        const got = incidents.map((i) => ({ rule: i.rule_id, score: Number(i.score), events: Number(i.event_count), group: JSON.parse(i.group_values) as Record<string, string | null>, explanation: i.explanation }));
        assert.deepEqual(got, fixture.expect.incidents.map((i) => ({ ...i, explanation: i.explanation.trimEnd() })), "incidents");
      } finally {
        await soc.close();
      }
    });
  }
});
