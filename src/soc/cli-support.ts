// What `clawnex alerts` and `clawnex incidents` share: they work directly on the store (so they
// work while the server is down), page like the API, and change statuses through the same
// audited services as PATCH, with actor "cli".
import { AuditLog } from "../audit/audit-log.ts";
import type { CliIo } from "../cli/io.ts";
import { parseCommandArgs } from "../cli/io.ts";
import { withStoreFromEnv, type CliStore } from "../cli/open-store.ts";
import { AppError, UsageError } from "../errors.ts";
import { CursorCodec } from "../http/cursor.ts";
import { SettingsStore } from "../settings/settings-store.ts";
import { AlertService } from "./alerts/alert-service.ts";
import { listParam, SeqCursor } from "./feed.ts";
import { IncidentService } from "./incidents/incident-service.ts";
import { STATUSES, type StatusChange } from "./lifecycle.ts";
import { SOC_SEVERITIES } from "./model.ts";

export interface SocCli {
  alerts: AlertService;
  incidents: IncidentService;
}

export async function withSoc<T>(io: CliIo, fn: (soc: SocCli, store: CliStore) => Promise<T>): Promise<T> {
  return withStoreFromEnv(io.env, async (store) => {
    const audit = new AuditLog(store.db);
    const cursors = await CursorCodec.fromSettings(new SettingsStore(store.db));
    try {
      return await fn({ alerts: new AlertService(store.db, audit, new SeqCursor(cursors, "alerts")), incidents: new IncidentService(store.db, audit, new SeqCursor(cursors, "incidents")) }, store);
    } catch (err) {
      // Bad values (statuses, cursors, expiries) come back from the domain layer as 400/409.
      if (err instanceof AppError && (err.code === "invalid_request" || err.code === "conflict" || err.code === "not_found")) throw new UsageError(err.message);
      throw err;
    }
  });
}

export const LIST_OPTIONS = {
  status: { type: "string" },
  severity: { type: "string" },
  agent: { type: "string" },
  rule: { type: "string" },
  since: { type: "string" },
  limit: { type: "string" },
  workspace: { type: "string" },
  json: { type: "boolean" },
} as const;

export function parseList(args: string[]) {
  const { values, positionals } = parseCommandArgs(args, LIST_OPTIONS);
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const limit = values.limit === undefined ? 50 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError("--limit must be a whole number from 1 to 1000");
  let filter;
  try {
    filter = { status: listParam(values.status, STATUSES, "--status"), severity: listParam(values.severity, SOC_SEVERITIES, "--severity"), agent: values.agent, rule_id: values.rule };
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  return { json: values.json === true, workspace: values.workspace ?? "default", filter, request: { limit, order: "asc" as const, cursor: values.since } };
}

/** `ack|resolve|reopen|suppress ID [--reason TEXT] [--for 24h]` → the workspace, id and change. */
export function parseChange(verb: string, args: string[]): { id: string; workspace: string; change: StatusChange; json: boolean } {
  const { values, positionals } = parseCommandArgs(args, { reason: { type: "string" }, for: { type: "string" }, until: { type: "string" }, workspace: { type: "string" }, json: { type: "boolean" } });
  const [id, extra] = positionals;
  if (!id) throw new UsageError("missing id");
  if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}'`);
  const status = ({ ack: "acknowledged", resolve: "resolved", reopen: "open", suppress: "suppressed" } as const)[verb as "ack"];
  if (!status) throw new UsageError(`unknown sub-command '${verb}'`);
  return { id, workspace: values.workspace ?? "default", json: values.json === true, change: { status, reason: values.reason, suppress_for: values.for, suppressed_until: values.until } };
}

export function table(rows: string[][]): string {
  return `${rows.map((r) => r.join("\t")).join("\n")}\n`;
}
