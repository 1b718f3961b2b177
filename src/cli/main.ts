// The `clawnex` command line. Each sub-command lives in its own module under ./commands and is
// loaded on demand, so `clawnex scan` in a CI pipeline doesn't pay for the HTTP server's imports.
import { ConfigError, UsageError } from "../errors.ts";
import { lookup } from "../json-record.ts";
import type { CliIo } from "./io.ts";
import { processIo } from "./io.ts";

export interface Command {
  summary: string;
  usage: string;
  run(args: string[], io: CliIo): Promise<number>;
}

const COMMANDS: Record<string, () => Promise<{ command: Command }>> = {
  start: () => import("./commands/start.ts"),
  scan: () => import("./commands/scan.ts"),
  keys: () => import("./commands/keys.ts"),
  audit: () => import("./commands/audit.ts"),
  shield: () => import("./commands/shield.ts"),
  breakglass: () => import("./commands/breakglass.ts"),
  watch: () => import("./commands/watch.ts"),
  trust: () => import("./commands/trust.ts"),
  instances: () => import("./commands/instances.ts"),
  openclaw: () => import("./commands/openclaw.ts"),
  alerts: () => import("./commands/alerts.ts"),
  incidents: () => import("./commands/incidents.ts"),
  posture: () => import("./commands/posture.ts"),
  mcp: () => import("./commands/mcp.ts"),
};

async function help(io: CliIo): Promise<number> {
  const lines = ["usage: clawnex <command> [options]", "", "commands:"];
  for (const [name, load] of Object.entries(COMMANDS)) {
    const { command } = await load();
    lines.push(`  ${name.padEnd(10)} ${command.summary}`);
  }
  lines.push("", "Run `clawnex <command> --help` for a command's options.");
  io.stdout(lines.join("\n") + "\n");
  return 0;
}

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") return help(io);
  const load = lookup(COMMANDS, name);
  if (!load) {
    io.stderr(`clawnex: unknown command '${name}'. Run \`clawnex --help\` for the list.\n`);
    return 2;
  }
  const { command } = await load();
  if (rest.includes("--help") || rest.includes("-h")) {
    io.stdout(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`clawnex ${name}: ${err.message}\n${command.usage}\n`);
      return 2;
    }
    if (err instanceof ConfigError) {
      io.stderr(`clawnex: ${err.message}\n`);
      return 2;
    }
    io.stderr(`clawnex ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
