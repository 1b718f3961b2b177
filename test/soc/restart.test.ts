// Correlation state survives a restart: the server rebuilds its windows and open incidents from
// the store, so a chain that started before the restart completes after it, and an incident open
// before it keeps growing instead of being duplicated.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { createServices, type Services } from "../../src/app/services.ts";
import { loadConfig } from "../../src/config/config.ts";
import { buildServer } from "../../src/http/server.ts";
import type { SocModule } from "../../src/soc/module.ts";

async function boot(dataDir: string): Promise<{ services: Services; soc: SocModule; close(): Promise<void> }> {
  const services = await createServices(loadConfig({ CLAWNEX_DATA_DIR: dataDir, CLAWNEX_LOG_LEVEL: "silent" }));
  const app = await buildServer(services, { logger: false });
  await app.ready();
  for (const m of services.modules) if (m.name === "soc") await m.start?.(app);
  const soc = services.modules.find((m) => m.name === "soc") as SocModule;
  return {
    services,
    soc,
    async close() {
      await app.close();
      await services.close();
    },
  };
}

const step = (kind: string, attributes: Record<string, string | string[]>, target: string) => ({ source: "shield", kind, agent: "main", session: "s1", target, severity: "high" as const, category: "x", summary: target, attributes });

test("a kill chain split by a restart still becomes one incident, and keeps growing after another", async () => {
  const dir = mkdtempSync(join(tmpdir(), "clawnex-soc-restart-"));
  try {
    let node = await boot(dir);
    await node.soc.ingest.ingestEvent(step("shield.detection", { content: "tool_result", categories: ["prompt_injection"], verdict: "REVIEW" }, "injection.instruction-override"));
    await node.soc.ingest.ingestEvent(step("shield.detection", { content: "tool_call", tool_class: "exec", tool_name: "exec", categories: ["dangerous_command"], verdict: "BLOCK" }, "commands.download-exec"));
    await node.close();

    node = await boot(dir);
    const result = await node.soc.ingest.ingestEvent(step("shield.detection", { content: "tool_call", categories: ["exfiltration"], verdict: "BLOCK" }, "exfiltration.command-upload"));
    assert.equal(result.incidentIds.length, 1);
    await node.close();

    node = await boot(dir);
    const again = await node.soc.ingest.ingestEvent(step("shield.detection", { content: "tool_call", categories: ["exfiltration"], verdict: "BLOCK" }, "exfiltration.dns"));
    assert.deepEqual(again.incidentIds, result.incidentIds, "the open incident grew");
    const incidents = await node.services.store.db.selectFrom("soc_incidents").selectAll().execute();
    assert.equal(incidents.length, 1);
    assert.equal(Number(incidents[0]?.event_count), 5, "injection, exec call, its first-use event, two egress");
    await node.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
