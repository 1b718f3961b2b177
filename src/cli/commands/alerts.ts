// `clawnex alerts`: list, show and triage alerts directly in the store (works with the server down).
import { UsageError } from "../../errors.ts";
import { parseChange, parseList, table, withSoc } from "../../soc/cli-support.ts";
import { parseCommandArgs } from "../io.ts";
import type { Command } from "../main.ts";

const usage = `usage: clawnex alerts list [--status S[,S]] [--severity S[,S]] [--agent ID] [--rule ID] [--since CURSOR] [--limit N] [--workspace W] [--json]
       clawnex alerts show ID [--workspace W]
       clawnex alerts ack|resolve|reopen ID [--reason TEXT] [--workspace W]
       clawnex alerts suppress ID --reason TEXT (--for 24h | --until ISO) [--workspace W]

  list      Alerts oldest first (default 50). When more remain, the cursor for --since is printed
            to stderr. Statuses: open, acknowledged, resolved, suppressed.
  show      One alert as JSON.
  ack, resolve, reopen, suppress
            Change the status (audited, actor "cli"). A suppression needs a reason and ends at
            most 90 days ahead.`;

export const command: Command = {
  summary: "list, show and triage SOC alerts",
  usage,
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub === "list") {
      const { json, workspace, filter, request } = parseList(rest);
      const page = await withSoc(io, (soc) => soc.alerts.list(workspace, filter, request));
      if (json) io.stdout(`${JSON.stringify(page, null, 2)}\n`);
      else if (page.data.length === 0) io.stdout("no alerts\n");
      else io.stdout(table([["ID", "SEVERITY", "STATUS", "COUNT", "LAST SEEN", "RULE", "AGENT", "SUMMARY"], ...page.data.map((a) => [a.id, a.severity, a.status, String(a.count), a.last_seen, a.rule_id, a.agent ?? "-", a.summary])]));
      if (page.has_more && page.next_cursor) io.stderr(`more alerts: rerun with --since ${page.next_cursor}\n`);
      return 0;
    }
    if (sub === "show") {
      const { values, positionals } = parseCommandArgs(rest, { workspace: { type: "string" } });
      if (!positionals[0]) throw new UsageError("missing alert id");
      const id = positionals[0];
      const alert = await withSoc(io, (soc) => soc.alerts.get(values.workspace ?? "default", id));
      io.stdout(`${JSON.stringify(alert, null, 2)}\n`);
      return 0;
    }
    if (sub === "ack" || sub === "resolve" || sub === "reopen" || sub === "suppress") {
      const { id, workspace, change, json } = parseChange(sub, rest);
      const alert = await withSoc(io, (soc) => soc.alerts.update(workspace, id, change, "cli"));
      io.stdout(json ? `${JSON.stringify(alert, null, 2)}\n` : `${alert.id} ${alert.status}${alert.suppressed_until ? ` until ${alert.suppressed_until}` : ""}\n`);
      return 0;
    }
    throw new UsageError(sub === undefined ? "missing sub-command: list, show, ack, resolve, reopen or suppress" : `unknown sub-command '${sub}'`);
  },
};
