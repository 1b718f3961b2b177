// `clawnex keys`: manage API keys directly in the store (no running server needed). The new key
// is printed alone on the last line of stdout so scripts can capture it:
//   KEY=$(clawnex keys create --name ci --scopes shield:scan | tail -1)
import { AuditLog } from "../../audit/audit-log.ts";
import { type ApiKeyRecord, KeyService, parseDuration } from "../../auth/keys.ts";
import { SCOPES } from "../../auth/scopes.ts";
import { AppError, UsageError } from "../../errors.ts";
import type { CliIo } from "../io.ts";
import { parseCommandArgs } from "../io.ts";
import type { Command } from "../main.ts";
import { type CliStore, withStoreFromEnv } from "../open-store.ts";

const ACTOR = "cli";

const usage = `usage: clawnex keys create --name NAME --scopes SCOPE[,SCOPE...] [--expires DURATION] [--workspace NAME]
       clawnex keys list [--workspace NAME] [--json]
       clawnex keys revoke ID

  create   Create a key. A summary goes to stderr; the key itself is the last line of stdout
           and is shown only once. DURATION: 90s, 45m, 12h, 30d, 2w. Default: never expires.
  list     List keys (never shows the secret part). --json prints the records as JSON.
  revoke   Revoke a key by id; takes effect on the server's next request.

scopes: ${SCOPES.join(", ")} (admin implies all)`;

function keyService(store: CliStore): KeyService {
  return new KeyService(store.db, new AuditLog(store.db));
}

/** Invalid input detected by the domain layer is a usage problem here: exit 2 with usage. */
async function asUsage<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof AppError && err.code === "invalid_request") throw new UsageError(err.message);
    throw err;
  }
}

function noPositionals(positionals: string[]): void {
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
}

async function create(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    name: { type: "string" },
    scopes: { type: "string" },
    expires: { type: "string" },
    workspace: { type: "string" },
  });
  noPositionals(positionals);
  if (!values.name) throw new UsageError("--name is required");
  if (!values.scopes) throw new UsageError("--scopes is required");
  const scopes = values.scopes.split(",").map((s) => s.trim()).filter((s) => s !== "");
  const expires = values.expires;
  const expiresInMs = expires === undefined ? undefined : await asUsage(async () => parseDuration(expires));
  const input = { name: values.name, scopes, expiresInMs, workspace: values.workspace };
  const { key, record } = await withStoreFromEnv(io.env, (store) => asUsage(() => keyService(store).create(input, ACTOR)));
  io.stderr(
    [
      `Created API key ${record.id} "${record.name}" in workspace ${record.workspace}`,
      `  prefix:  ${record.prefix}`,
      `  scopes:  ${record.scopes.join(", ")}`,
      `  expires: ${record.expiresAt ?? "never"}`,
      "Store the key now: it is shown only once (last line of standard output).",
      "",
    ].join("\n"),
  );
  io.stdout(`${key}\n`);
  return 0;
}

function table(records: ApiKeyRecord[]): string {
  const header = ["ID", "NAME", "PREFIX", "SCOPES", "STATUS", "EXPIRES"];
  const rows = records.map((r) => [r.id, r.name, r.prefix, r.scopes.join(","), r.status, r.expiresAt ?? "never"]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ").trimEnd();
  return [line(header), ...rows.map(line)].join("\n") + "\n";
}

async function list(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { workspace: { type: "string" }, json: { type: "boolean" } });
  noPositionals(positionals);
  const records = await withStoreFromEnv(io.env, (store) => keyService(store).list(values.workspace));
  if (values.json) io.stdout(`${JSON.stringify(records, null, 2)}\n`);
  else if (records.length === 0) io.stdout("no API keys\n");
  else io.stdout(table(records));
  return 0;
}

async function revoke(args: string[], io: CliIo): Promise<number> {
  const { positionals } = parseCommandArgs(args, {});
  const [id, extra] = positionals;
  if (!id) throw new UsageError("the id of the key to revoke is required");
  if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}'`);
  const { after, already } = await withStoreFromEnv(io.env, async (store) => {
    const keys = keyService(store);
    const before = await keys.get(id);
    return { after: await keys.revoke(id, ACTOR), already: before?.revokedAt != null };
  });
  io.stdout(already ? `API key ${after.id} (${after.prefix}) was already revoked at ${after.revokedAt}\n` : `revoked API key ${after.id} (${after.prefix}) "${after.name}"\n`);
  return 0;
}

export const command: Command = {
  summary: "create, list and revoke API keys",
  usage,
  async run(args, io) {
    const [sub, ...rest] = args;
    switch (sub) {
      case "create":
        return create(rest, io);
      case "list":
        return list(rest, io);
      case "revoke":
        return revoke(rest, io);
      case undefined:
        throw new UsageError("missing sub-command: create, list or revoke");
      default:
        throw new UsageError(`unknown sub-command '${sub}': use create, list or revoke`);
    }
  },
};
