// Gateway tools: run a Shield scan, and the traffic and cost summary.
import { z } from "zod";
import { defineTool, money, plural, READ_ONLY, records, str } from "../tool.ts";

export const shieldScan = defineTool({
  name: "shield_scan",
  title: "Shield scan",
  description: "Scan a text with ClawNex's Shield rules (prompt injection, jailbreaks, secrets, PII, exfiltration, dangerous commands) and get the verdict ALLOW, REVIEW or BLOCK with each detection. The scan is recorded (its hash and redacted excerpts, not the text).",
  inputSchema: {
    text: z.string().min(1).max(1_000_000).describe("The text to scan (a prompt, a tool result, a model response)."),
    direction: z.enum(["inbound", "outbound"]).default("inbound").describe("inbound: going to a model (prompts, tool results); outbound: coming from a model (responses)."),
  },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run(args, api) {
    const scan = await api.post("/api/v1/shield/scan", { text: args.text, direction: args.direction, source: "mcp" });
    const detections = records(scan.detections);
    const lines = [`Verdict ${str(scan.verdict)} (score ${str(scan.score)}, mode ${str(scan.mode)}, ${scan.enforced === true ? "enforced" : "not enforced"}) · scan ${str(scan.id)}`];
    for (const d of detections) {
      const span = (d.span ?? {}) as Record<string, unknown>;
      lines.push(`- [${str(d.severity).toUpperCase()}] ${str(d.rule_id)}: ${str(d.title)} (${str(d.category)}, chars ${str(span.start)}-${str(span.end)}${d.action ? `, action ${str(d.action)}` : ""}) ${str(d.excerpt, "")}`.trimEnd());
    }
    if (detections.length === 0) lines.push("No detections.");
    return { text: lines.join("\n"), structured: scan };
  },
});

export const trafficAndCosts = defineTool({
  name: "traffic_and_costs",
  title: "Traffic and cost summary",
  description: "Model traffic through the ClawNex gateway: tokens and cost in total and by day, model, provider and key, plus the most recent requests with their Shield verdicts, outcomes and latencies.",
  inputSchema: {
    from: z.iso.datetime({ offset: true }).optional().describe("Start of the window (ISO-8601). Default: all recorded traffic."),
    to: z.iso.datetime({ offset: true }).optional().describe("End of the window (ISO-8601)."),
    model: z.string().min(1).max(256).optional().describe("Only requests for this model (recent requests list)."),
    verdict: z.enum(["ALLOW", "REVIEW", "BLOCK"]).optional().describe("Only requests with this Shield verdict (recent requests list)."),
    agent_id: z.string().min(1).max(200).optional().describe("Only requests from this agent (recent requests list)."),
    limit: z.number().int().min(1).max(100).default(10).describe("How many recent requests to list (1-100)."),
  },
  annotations: READ_ONLY,
  async run(args, api) {
    const window = { since: args.from, until: args.to };
    const [costs, traffic] = await Promise.all([
      api.get("/api/v1/costs/summary", window),
      api.get("/api/v1/traffic", { ...window, model: args.model, verdict: args.verdict, agent_id: args.agent_id, limit: args.limit }),
    ]);
    const total = (costs.total ?? {}) as Record<string, unknown>;
    const lines = [
      `Traffic ${args.from ?? "(all time)"} → ${args.to ?? "now"}: ${plural(Number(total.requests ?? 0), "request")}, ${str(total.tokens_in, "0")} tokens in, ${str(total.tokens_out, "0")} out, ${money(total.cost_usd)}${Number(total.unpriced ?? 0) > 0 ? ` (${str(total.unpriced)} unpriced)` : ""}`,
    ];
    const byModel = records(costs.by_model).slice(0, 8);
    if (byModel.length > 0) lines.push("By model:", ...byModel.map((m) => `- ${str(m.key)}: ${plural(Number(m.requests ?? 0), "request")}, ${money(m.cost_usd)}`));
    const recent = records(traffic.data);
    lines.push("", `${plural(recent.length, "recent request")}:`);
    for (const r of recent) lines.push(`- ${str(r.ts)} ${str(r.model)} ${str(r.outcome)} (HTTP ${str(r.status)}) in:${str(r.inbound_verdict)} out:${str(r.outbound_verdict)}${r.agent_id ? ` agent ${str(r.agent_id)}` : ""} ${money(r.cost_usd)}${r.break_glass === true ? " BREAK-GLASS" : ""}`);
    return { text: lines.join("\n"), structured: { costs, traffic } };
  },
});
