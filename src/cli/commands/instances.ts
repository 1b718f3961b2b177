// `clawnex instances`: registers OpenClaw instances directly in the store (no running server
// needed); a running server picks them up on its next poll and watcher round.
import { AppError, UsageError } from "../../errors.ts";
import { openCliContext } from "../../openclaw/cli-context.ts";
import type { Instance } from "../../openclaw/fleet/instance-store.ts";
import { resolveUserPath } from "../../openclaw/state-dir.ts";
import type { CliIo } from "../io.ts";
import { parseCommandArgs } from "../io.ts";
import type { Command } from "../main.ts";

const USAGE = `usage: clawnex instances add --name NAME [--gateway-url URL] [--state-dir DIR] [--token-env VAR] [--interval SECONDS] [--workspace NAME]
       clawnex instances list [--workspace NAME] [--json]
       clawnex instances remove ID|NAME [--workspace NAME]
       clawnex instances poll ID|NAME [--workspace NAME] [--json]

  add      register an instance: its gateway (polled at /healthz and /readyz) and/or its
           state dir (watched for transcripts, audited); --token-env names the environment
           variable that holds the gateway token (the token itself is never stored)
  list     registered instances with their last health
  remove   unregister an instance (its checkpoints go; recorded scans stay)
  poll     poll an instance's gateway now and print its health`;

function line(i: Instance): string {
  const health = i.gatewayUrl ? `${i.health}${i.ready === null ? "" : i.ready ? "/ready" : "/not-ready"}` : "-";
  return [i.id, i.name, i.origin, health, i.version ?? "-", i.lastSeenAt ?? "never", i.gatewayUrl ?? "-", i.stateDir ?? "-"].join("  ");
}

async function asUsage<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof AppError && (err.code === "invalid_request" || err.code === "conflict" || err.code === "not_found")) throw new UsageError(err.message);
    throw err;
  }
}

export const command: Command = {
  summary: "register and list the OpenClaw instances ClawNex watches and polls",
  usage: USAGE,
  async run(args, io: CliIo) {
    const [sub, ...rest] = args;
    const { values, positionals } = parseCommandArgs(rest, {
      name: { type: "string" },
      "gateway-url": { type: "string" },
      "state-dir": { type: "string" },
      "token-env": { type: "string" },
      interval: { type: "string" },
      workspace: { type: "string" },
      json: { type: "boolean", default: false },
    });
    const workspace = values.workspace ?? "default";
    const ctx = await openCliContext(io.env);
    try {
      switch (sub) {
        case "add": {
          if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
          if (!values.name) throw new UsageError("--name is required");
          const interval = values.interval === undefined ? undefined : Number(values.interval);
          if (interval !== undefined && (!Number.isInteger(interval) || interval < 5 || interval > 3600)) throw new UsageError("--interval takes whole seconds between 5 and 3600");
          const instance = await asUsage(() =>
            ctx.oc.instances.add({ name: values.name as string, workspace, gatewayUrl: values["gateway-url"], stateDir: values["state-dir"] ? resolveUserPath(values["state-dir"], ctx.config.env.openclaw) : undefined, tokenEnv: values["token-env"], pollIntervalSeconds: interval }, "cli"),
          );
          await ctx.core.audit.append({ actor: "cli", action: "openclaw.instance.add", target: instance.id, workspace, details: { name: instance.name, gatewayUrl: instance.gatewayUrl, stateDir: instance.stateDir } });
          io.stdout(`registered instance ${instance.id} "${instance.name}"\n`);
          return 0;
        }
        case "list": {
          const list = await ctx.oc.instances.list(workspace);
          if (values.json) io.stdout(`${JSON.stringify(list, null, 2)}\n`);
          else io.stdout(list.length === 0 ? "no instances\n" : `${["ID", "NAME", "ORIGIN", "HEALTH", "VERSION", "LAST SEEN", "GATEWAY", "STATE DIR"].join("  ")}\n${list.map(line).join("\n")}\n`);
          return 0;
        }
        case "remove":
        case "poll": {
          const [ref, extra] = positionals;
          if (!ref) throw new UsageError("the instance id or name is required");
          if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}'`);
          const instance = await asUsage(() => ctx.oc.instances.get(workspace, ref));
          if (sub === "remove") {
            await ctx.oc.instances.remove(workspace, instance.id);
            await ctx.core.audit.append({ actor: "cli", action: "openclaw.instance.remove", target: instance.id, workspace, details: { name: instance.name } });
            io.stdout(`removed instance ${instance.id} "${instance.name}"\n`);
            return 0;
          }
          const polled = await ctx.oc.poller.poll(instance);
          io.stdout(values.json ? `${JSON.stringify(polled, null, 2)}\n` : `${line(polled)}${polled.lastError ? `\nlast error: ${polled.lastError}` : ""}\n`);
          return polled.gatewayUrl && polled.lastError ? 1 : 0;
        }
        case undefined:
          throw new UsageError("missing sub-command: add, list, remove or poll");
        default:
          throw new UsageError(`unknown sub-command '${sub}': use add, list, remove or poll`);
      }
    } finally {
      await ctx.close();
    }
  },
};
