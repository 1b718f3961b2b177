// Fleet tools: OpenClaw fleet status, trust findings, host posture.
import { z } from "zod";
import { POSTURE_SEVERITIES } from "../../soc/posture/findings.ts";
import { defineTool, money, plural, READ_ONLY, records, str } from "../tool.ts";

export const fleetStatus = defineTool({
  name: "fleet_status",
  title: "Fleet status",
  description: "The OpenClaw fleet ClawNex watches: each instance's gateway health and readiness, version, last seen, sessions, tokens and cost, its agents (with Shield detection counts), and recent fleet events (disconnects, version changes).",
  inputSchema: { instance: z.string().min(1).max(100).optional().describe("Only this instance (name or id).") },
  annotations: READ_ONLY,
  async run(args, api) {
    const status = await api.get("/api/v1/fleet/status");
    const instances = records(status.instances).filter((i) => !args.instance || i.name === args.instance || i.id === args.instance);
    const events = records(status.events).filter((e) => !args.instance || e.instanceName === args.instance || e.instanceId === args.instance);
    const lines = [`${plural(instances.length, "instance")} at ${str(status.generatedAt)}:`];
    for (const i of instances) {
      const agents = records(i.agents);
      lines.push(`- ${str(i.name)}: gateway ${str(i.health)}${i.ready === true ? ", ready" : i.ready === false ? ", not ready" : ""}, version ${str(i.version)}, last seen ${str(i.lastSeenAt)}, ${plural(Number(i.sessions ?? 0), "session")}, ${money(i.costUsd)}${i.lastError ? `, last error: ${str(i.lastError)}` : ""}`);
      for (const a of agents) lines.push(`    agent ${str(a.id)}${a.present === false ? " (gone)" : ""}: ${plural(Number(a.sessions ?? 0), "session")}, ${plural(Number(a.detections ?? 0), "detection")}, ${money(a.costUsd)}`);
    }
    if (events.length > 0) {
      lines.push("", "Recent fleet events:");
      for (const e of events.slice(0, 20)) lines.push(`- ${str(e.at)} ${str(e.kind)} ${str(e.instanceName)}${e.agentId ? ` agent ${str(e.agentId)}` : ""}`);
    }
    return { text: lines.join("\n"), structured: { ...status, instances, events } };
  },
});

export const trustFindings = defineTool({
  name: "trust_findings",
  title: "Trust findings",
  description: "Trust-boundary audit of an OpenClaw instance's config and state: who can reach which agent with which tools, exposed gateways, open DM policies, readable credentials. Each finding has a check id, severity, evidence and remediation.",
  inputSchema: { instance: z.string().min(1).max(100).optional().describe("Instance name or id; optional when the workspace has exactly one instance with a state dir.") },
  annotations: READ_ONLY,
  async run(args, api) {
    const report = await api.get("/api/v1/trust/findings", { instance: args.instance });
    const findings = records(report.findings);
    const summary = report.summary && typeof report.summary === "object" ? Object.entries(report.summary as Record<string, unknown>).map(([k, v]) => `${k} ${str(v)}`).join(", ") : "";
    const lines = [`Trust audit of ${str(report.instance)} (${str(report.configPath)}), ${str(report.generatedAt)}: ${summary}`];
    for (const f of findings) lines.push(`- [${str(f.severity).toUpperCase()}] ${str(f.checkId)}: ${str(f.title)}`, `  evidence: ${str(f.evidence)}`, `  fix: ${str(f.remediation)}`);
    for (const p of Array.isArray(report.problems) ? report.problems : []) lines.push(`note: ${str(p)}`);
    return { text: lines.join("\n"), structured: report };
  },
});

export const hostPosture = defineTool({
  name: "host_posture",
  title: "Host posture",
  description: "The latest host posture scan of the machine ClawNex runs on: listeners beyond loopback, SSH settings, firewall, OpenClaw file permissions, Node.js and OpenClaw versions against known advisories, pending security updates, ClawNex's own exposure.",
  inputSchema: { min_severity: z.enum(POSTURE_SEVERITIES).optional().describe("Only findings at least this severe.") },
  annotations: READ_ONLY,
  async run(args, api) {
    const run = await api.get("/api/v1/posture", { min_severity: args.min_severity });
    const summary = run.summary && typeof run.summary === "object" ? Object.entries(run.summary as Record<string, unknown>).map(([k, v]) => `${k} ${str(v)}`).join(", ") : "";
    const host = (run.host ?? {}) as Record<string, unknown>;
    const lines = [`Posture of ${str(host.hostname)} scanned ${str(run.scannedAt)} (advisory table ${str(run.advisoryTableDate)}): ${summary}`];
    for (const f of records(run.findings)) lines.push(`- [${str(f.severity).toUpperCase()}] ${str(f.title)}`, `  evidence: ${str(f.evidence)}`, `  fix: ${str(f.remediation)}`);
    const skipped = records(run.checks).filter((c) => c.status === "skipped" || c.status === "error");
    if (skipped.length > 0) lines.push("", `Not checked: ${skipped.map((c) => `${str(c.id)} (${str(c.note)})`).join("; ")}`);
    return { text: lines.join("\n"), structured: run };
  },
});
