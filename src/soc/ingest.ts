// How other modules hand signals to the SOC. Two ways, same effect:
//
//   1. The event bus (no import of the SOC needed, works from any module factory):
//        await core.events.emit("soc.finding", { source: "posture", checkId, severity, title, evidence, remediation });
//        await core.events.emit("soc.event", { source: "gateway", kind: "network.egress", severity: "medium", ... });
//      emit() resolves once the SOC has stored the event and raised its alerts.
//
//   2. The module object, for code that holds the module list (services.modules):
//        const soc = findSocIngest(services.modules);
//        await soc?.ingestFinding({ ... });
//
// Findings are identified by (source, checkId, instance, agent, evidence): reporting the same
// finding on every scheduled scan is expected and folds into one alert with a count.
import type { AppModule } from "../app/module.ts";
import type { SocEventInput, SocSeverity } from "./model.ts";

export type { SocEventInput, SocSeverity } from "./model.ts";

export interface FindingInput {
  source: "posture" | "trust";
  /** Stable check id, e.g. "posture.ssh.root_login" or "gateway.bind_no_auth". */
  checkId: string;
  severity: SocSeverity;
  title: string;
  /** Where the weakness is (config path, file path, socket): never a secret value. */
  evidence: string;
  remediation: string;
  workspace?: string | undefined;
  instance?: string | null | undefined;
  agent?: string | null | undefined;
  /** ISO-8601 time of the check; defaults to now. */
  at?: string | undefined;
}

export interface IngestResult {
  eventId: string;
  /** Alerts raised or updated by this event. */
  alertIds: string[];
  /** Incidents opened or updated by this event. */
  incidentIds: string[];
}

export interface SocIngest {
  /** Stores the finding as a SOC event and runs the alert and correlation rules on it. */
  ingestFinding(finding: FindingInput): Promise<IngestResult>;
  /** Stores any normalised signal (see SocEventInput) and runs the rules on it. */
  ingestEvent(event: SocEventInput): Promise<IngestResult>;
}

declare module "../app/events.ts" {
  interface EventMap {
    /** A posture or trust finding for the SOC (src/soc/ingest.ts). */
    "soc.finding": FindingInput;
    /** Any normalised security signal for the SOC (src/soc/ingest.ts). */
    "soc.event": SocEventInput;
  }
}

/** The SOC module as other code sees it: an AppModule carrying the ingest interface. */
export interface SocModuleHandle extends AppModule {
  name: "soc";
  ingest: SocIngest;
}

export function findSocIngest(modules: readonly AppModule[]): SocIngest | undefined {
  const soc = modules.find((m): m is SocModuleHandle => m.name === "soc" && "ingest" in m);
  return soc?.ingest;
}

/** Turns a finding into the common event shape (shared by both ingest paths). */
export function findingToEvent(finding: FindingInput): SocEventInput {
  return {
    workspace: finding.workspace,
    ts: finding.at,
    source: finding.source,
    kind: `${finding.source}.finding`,
    instance: finding.instance ?? null,
    agent: finding.agent ?? null,
    target: finding.checkId,
    severity: finding.severity,
    category: finding.source === "posture" ? "host_posture" : "trust",
    summary: finding.title,
    evidence: { rule_ids: [finding.checkId], refs: finding.evidence ? [finding.evidence] : [] },
    attributes: { check_id: finding.checkId, remediation: finding.remediation },
  };
}
