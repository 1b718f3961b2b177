// `clawnex audit`: inspect and verify the hash-chained audit trail directly in the store.
// `verify` exits 1 when the chain is broken, so it can gate a cron job or CI step.
import { AuditLog, type AuditEvent, MAX_LIST_LIMIT } from "../../audit/audit-log.ts";
import { AppError, UsageError } from "../../errors.ts";
import type { CliIo } from "../io.ts";
import { parseCommandArgs } from "../io.ts";
import type { Command } from "../main.ts";
import { withStoreFromEnv } from "../open-store.ts";

const usage = `usage: clawnex audit verify [--json]
       clawnex audit list [--since ISO] [--until ISO] [--limit N] [--cursor C] [--workspace NAME] [--json]

  verify   Check every event's hash and link and the recorded chain head. Prints
           "audit chain intact: N events" (exit 0) or where the chain breaks (exit 1).
  list     Events in order, oldest first (default limit 50, at most ${MAX_LIST_LIMIT}).
           When more remain, the cursor for the next page is printed to stderr.`;

async function verify(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { json: { type: "boolean" } });
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const result = await withStoreFromEnv(io.env, (store) => new AuditLog(store.db).verify());
  if (values.json) io.stdout(`${JSON.stringify(result, null, 2)}\n`);
  else if (result.ok) io.stdout(`audit chain intact: ${result.count} events\n`);
  else io.stdout(`audit chain broken at event seq=${result.firstBad.seq} id=${result.firstBad.id ?? "(missing)"}: ${result.reason}\n`);
  return result.ok ? 0 : 1;
}

function parseLimit(text: string | undefined): number {
  if (text === undefined) return 50;
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_LIST_LIMIT) throw new UsageError(`--limit must be a whole number from 1 to ${MAX_LIST_LIMIT}`);
  return n;
}

function line(e: AuditEvent): string {
  const target = e.target ?? "-";
  return `${e.seq}\t${e.ts}\t${e.workspace}\t${e.actor}\t${e.action}\t${target}\t${JSON.stringify(e.details)}`;
}

async function list(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    since: { type: "string" },
    until: { type: "string" },
    limit: { type: "string" },
    cursor: { type: "string" },
    workspace: { type: "string" },
    json: { type: "boolean" },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const options = { since: values.since, until: values.until, limit: parseLimit(values.limit), cursor: values.cursor, workspace: values.workspace };
  const page = await withStoreFromEnv(io.env, async (store) => {
    try {
      return await new AuditLog(store.db).list(options);
    } catch (err) {
      // Bad --since/--until/--cursor values are reported by the domain layer as invalid_request.
      if (err instanceof AppError && err.code === "invalid_request") throw new UsageError(err.message);
      throw err;
    }
  });
  if (values.json) {
    io.stdout(`${JSON.stringify(page, null, 2)}\n`);
    return 0;
  }
  if (page.events.length === 0) io.stdout("no audit events\n");
  else io.stdout(`SEQ\tTS\tWORKSPACE\tACTOR\tACTION\tTARGET\tDETAILS\n${page.events.map(line).join("\n")}\n`);
  if (page.nextCursor) io.stderr(`more events: rerun with --cursor ${page.nextCursor}\n`);
  return 0;
}

export const command: Command = {
  summary: "verify and list the tamper-evident audit trail",
  usage,
  async run(args, io) {
    const [sub, ...rest] = args;
    switch (sub) {
      case "verify":
        return verify(rest, io);
      case "list":
        return list(rest, io);
      case undefined:
        throw new UsageError("missing sub-command: verify or list");
      default:
        throw new UsageError(`unknown sub-command '${sub}': use verify or list`);
    }
  },
};
