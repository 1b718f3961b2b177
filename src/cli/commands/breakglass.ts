// `clawnex breakglass start --minutes N --reason TEXT`, `clawnex breakglass end [--reason TEXT]`,
// `clawnex breakglass status [--json]`: works directly on the store, so it works while the server
// is down or unreachable; a running server picks the change up within a second. Audited.
import { AuditLog } from "../../audit/audit-log.ts";
import { AppError, UsageError } from "../../errors.ts";
import { BreakGlassService } from "../../gateway/breakglass.ts";
import type { CliIo } from "../io.ts";
import { parseCommandArgs } from "../io.ts";
import type { Command } from "../main.ts";
import { type CliStore, withStoreFromEnv } from "../open-store.ts";

const USAGE = `usage: clawnex breakglass start --minutes N --reason TEXT
       clawnex breakglass end [--reason TEXT]
       clawnex breakglass status [--json]

  start    Stop enforcing Shield verdicts for N minutes (at most the configured maximum,
           60 by default; CLAWNEX_BREAKGLASS_MAX_MINUTES or gateway.breakGlassMaxMinutes).
           Traffic is still scanned, recorded and marked as under break-glass. It ends by itself.
  end      End the active break-glass window now.
  status   Show the active window, if any, and recent ones.`;

function service(store: CliStore): BreakGlassService {
  return new BreakGlassService(store.db, new AuditLog(store.db), store.config.env.breakGlassMaxMinutes ?? store.config.gateway.breakGlassMaxMinutes);
}

async function start(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { minutes: { type: "string" }, reason: { type: "string" } }, false);
  void positionals;
  if (!values.minutes || !/^\d+$/.test(values.minutes)) throw new UsageError("--minutes N (a whole number) is required");
  if (!values.reason) throw new UsageError("--reason TEXT is required");
  const minutes = Number(values.minutes);
  const reason = values.reason;
  const state = await withStoreFromEnv(io.env, async (store) => {
    try {
      return await service(store).start(minutes, reason, "cli");
    } catch (err) {
      if (err instanceof AppError && err.code === "invalid_request") throw new UsageError(err.message);
      throw err;
    }
  });
  io.stdout(`break-glass ${state.id} active until ${state.expires_at} (Shield verdicts not enforced; traffic still scanned and recorded)\n`);
  return 0;
}

async function end(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, { reason: { type: "string" } }, false);
  const ended = await withStoreFromEnv(io.env, (store) => service(store).end("cli", values.reason));
  io.stdout(ended ? `break-glass ${ended.id} ended\n` : "no break-glass window was active\n");
  return 0;
}

async function status(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, { json: { type: "boolean", default: false } }, false);
  const [active, history] = await withStoreFromEnv(io.env, async (store) => {
    const bg = service(store);
    await bg.expireDue();
    return [await bg.active(), await bg.history(10)] as const;
  });
  if (values.json) io.stdout(`${JSON.stringify({ active, history }, null, 2)}\n`);
  else {
    io.stdout(active ? `ACTIVE ${active.id} until ${active.expires_at} (by ${active.started_by}: ${active.reason})\n` : "no break-glass window is active\n");
    for (const h of history) io.stdout(`  ${h.id} ${h.started_at} -> ${h.ended_at ?? h.expires_at} ${h.ended_by ? `ended by ${h.ended_by}` : ""} ${h.reason}\n`);
  }
  return 0;
}

export const command: Command = {
  summary: "suspend Shield enforcement for a bounded time (audited), or end it",
  usage: USAGE,
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub === "start") return start(rest, io);
    if (sub === "end") return end(rest, io);
    if (sub === "status") return status(rest, io);
    throw new UsageError(sub ? `unknown sub-command '${sub}'` : "give a sub-command: start, end or status");
  },
};
