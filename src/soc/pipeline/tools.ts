// First use of a tool by an agent. Tools come from scan metadata (the tool a flagged call or
// result belongs to), from `tool.call` events other modules ingest, and from fleet agents' skills.
// An agent's tools at creation are its baseline; any tool after that is new once, and the pair is
// remembered in soc_known_tools so a restart does not flag it again.
import type { Kysely } from "kysely";
import type { Database } from "../../store/schema.ts";
import type { SocEvent, SocEventInput } from "../model.ts";
import type { SocKnownToolsTable } from "../tables.ts";

const MAX_KNOWN = 500_000;

export class ToolTracker {
  readonly #known = new Set<string>();
  readonly #execTools: ReadonlySet<string>;

  constructor(execTools: ReadonlySet<string>) {
    this.#execTools = execTools;
  }

  async load(db: Kysely<Database>): Promise<void> {
    const rows = await db.selectFrom("soc_known_tools").select(["workspace", "agent", "tool"]).limit(MAX_KNOWN).execute();
    for (const r of rows) this.#known.add(`${r.workspace}\u0000${r.agent}\u0000${r.tool}`);
  }

  /** New (agent, tool) pairs in this event: rows to store, and `agent.new_tool` events to process. */
  observe(event: SocEvent): { rows: SocKnownToolsTable[]; derived: SocEventInput[] } {
    const rows: SocKnownToolsTable[] = [];
    const derived: SocEventInput[] = [];
    if (!event.agent || event.kind === "agent.new_tool") return { rows, derived };
    const tools: string[] = [];
    const name = event.attributes.tool_name;
    if (typeof name === "string") tools.push(name);
    const list = event.attributes.tools;
    if (Array.isArray(list)) tools.push(...list);
    const baseline = event.kind === "agent.created";
    for (const tool of tools) {
      const id = `${event.workspace}\u0000${event.agent}\u0000${tool}`;
      if (this.#known.has(id)) continue;
      if (this.#known.size < MAX_KNOWN) this.#known.add(id);
      rows.push({ workspace: event.workspace, agent: event.agent, tool, first_seen: event.ts });
      if (baseline) continue;
      const exec = this.#execTools.has(tool);
      derived.push({
        workspace: event.workspace,
        ts: event.ts,
        source: event.source,
        kind: "agent.new_tool",
        instance: event.instance,
        agent: event.agent,
        session: event.session,
        sender: event.sender,
        target: tool,
        severity: exec ? "medium" : "low",
        category: "tools",
        summary: `Agent ${event.agent} used tool ${tool} for the first time${exec ? " (can run commands)" : ""}`,
        evidence: { ...event.evidence, refs: [...(event.evidence.refs ?? []), event.id] },
        attributes: { tool_name: tool, tool_class: exec ? "exec" : "other", origin_kind: event.kind },
      });
    }
    return { rows, derived };
  }
}
