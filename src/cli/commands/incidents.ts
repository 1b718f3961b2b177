// `clawnex incidents`: list, show (with the explanation and events) and triage incidents in the store.
import { UsageError } from "../../errors.ts";
import { parseChange, parseList, table, withSoc } from "../../soc/cli-support.ts";
import { parseCommandArgs } from "../io.ts";
import type { Command } from "../main.ts";

const usage = `usage: clawnex incidents list [--status S[,S]] [--severity S[,S]] [--rule ID] [--since CURSOR] [--limit N] [--workspace W] [--json]
       clawnex incidents show ID [--workspace W] [--json]
       clawnex incidents ack|resolve|reopen ID [--reason TEXT] [--workspace W]
       clawnex incidents suppress ID --reason TEXT (--for 24h | --until ISO) [--workspace W]

  show      The incident's explanation (rule, steps, score) and its events in order.`;

export const command: Command = {
  summary: "list, explain and triage SOC incidents",
  usage,
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub === "list") {
      const { json, workspace, filter, request } = parseList(rest);
      if (filter.agent !== undefined) throw new UsageError("incidents have no --agent filter: use --rule, --status or --severity");
      const page = await withSoc(io, (soc) => soc.incidents.list(workspace, filter, request));
      if (json) io.stdout(`${JSON.stringify(page, null, 2)}\n`);
      else if (page.data.length === 0) io.stdout("no incidents\n");
      else io.stdout(table([["ID", "SEVERITY", "STATUS", "SCORE", "EVENTS", "LAST SEEN", "RULE", "GROUP"], ...page.data.map((i) => [i.id, i.severity, i.status, String(i.score), String(i.event_count), i.last_seen, i.rule_id, Object.entries(i.group).map(([k, v]) => `${k}=${v ?? "-"}`).join(",")])]));
      if (page.has_more && page.next_cursor) io.stderr(`more incidents: rerun with --since ${page.next_cursor}\n`);
      return 0;
    }
    if (sub === "show") {
      const { values, positionals } = parseCommandArgs(rest, { workspace: { type: "string" }, json: { type: "boolean" } });
      if (!positionals[0]) throw new UsageError("missing incident id");
      const id = positionals[0];
      const incident = await withSoc(io, (soc) => soc.incidents.get(values.workspace ?? "default", id));
      if (values.json) io.stdout(`${JSON.stringify(incident, null, 2)}\n`);
      else {
        const events = incident.events.map((e) => `  ${e.event.ts}  [${e.steps.join(",")}]  ${e.event.severity.padEnd(8)} ${e.event.summary}`);
        io.stdout(`${incident.id}  ${incident.severity}  ${incident.status}  score ${incident.score}\n\n${incident.explanation}\n\nEvents:\n${events.join("\n")}\n`);
      }
      return 0;
    }
    if (sub === "ack" || sub === "resolve" || sub === "reopen" || sub === "suppress") {
      const { id, workspace, change, json } = parseChange(sub, rest);
      const incident = await withSoc(io, (soc) => soc.incidents.update(workspace, id, change, "cli"));
      io.stdout(json ? `${JSON.stringify(incident, null, 2)}\n` : `${incident.id} ${incident.status}${incident.suppressed_until ? ` until ${incident.suppressed_until}` : ""}\n`);
      return 0;
    }
    throw new UsageError(sub === undefined ? "missing sub-command: list, show, ack, resolve, reopen or suppress" : `unknown sub-command '${sub}'`);
  },
};
