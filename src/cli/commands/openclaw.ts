// `clawnex openclaw connect`: points an OpenClaw install at the ClawNex gateway in one step (a
// models.providers entry, agents re-pointed at it, the original config backed up); --revert undoes it.
import { join } from "node:path";
import { loadConfig } from "../../config/config.ts";
import { UsageError } from "../../errors.ts";
import { stateDirArgument } from "../../openclaw/cli-context.ts";
import { ENV_NAME } from "../../openclaw/config-schema.ts";
import { connect, revert } from "../../openclaw/connect/connector.ts";
import { resolveUserPath } from "../../openclaw/state-dir.ts";
import { clawnexOrigins } from "../../openclaw/trust/service.ts";
import { parseCommandArgs } from "../io.ts";
import type { Command } from "../main.ts";

const USAGE = `usage: clawnex openclaw connect [STATE_DIR] [--url CLAWNEX_URL] [--key-env VAR | --key KEY] [--provider-id ID] [--config PATH] [--dry-run] [--json]
       clawnex openclaw connect [STATE_DIR] --revert [--force] [--config PATH]

  STATE_DIR        an OpenClaw state dir; default: OpenClaw's own (OPENCLAW_STATE_DIR, ...)
  --url URL        where OpenClaw reaches ClawNex (default: CLAWNEX_URL, else CLAWNEX_HOST:PORT)
  --key-env VAR    OpenClaw reads the ClawNex API key (scope chat) from this variable: the config
                   gets "\${VAR}" (default CLAWNEX_API_KEY)
  --key KEY        write the key itself into openclaw.json instead (plaintext: avoid)
  --provider-id ID the provider entry's name (default clawnex)
  --dry-run        show what would change, write nothing
  --revert         restore the backup taken by connect (refused if the file changed since,
                   unless --force)

openclaw.json is backed up byte for byte next to it before the first change.`;

export const command: Command = {
  summary: "route an OpenClaw install through the ClawNex gateway (connect / --revert)",
  usage: USAGE,
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub !== "connect") throw new UsageError(sub ? `unknown sub-command '${sub}': use connect` : "missing sub-command: connect");
    const { values, positionals } = parseCommandArgs(rest, {
      url: { type: "string" },
      "key-env": { type: "string" },
      key: { type: "string" },
      "provider-id": { type: "string" },
      config: { type: "string" },
      "dry-run": { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      revert: { type: "boolean", default: false },
      force: { type: "boolean", default: false },
    });
    if (positionals.length > 1) throw new UsageError("give at most one STATE_DIR");
    const config = loadConfig(io.env);
    const stateDir = stateDirArgument(config, positionals[0]);
    const configPath = values.config ? resolveUserPath(values.config, config.env.openclaw) : join(stateDir, "openclaw.json");
    try {
      if (values.revert) {
        const { restoredFrom } = revert(configPath, values.force);
        io.stdout(`restored ${configPath} from ${restoredFrom}\n`);
        return 0;
      }
      if (values.key && values["key-env"]) throw new UsageError("give --key-env or --key, not both");
      if (values["key-env"] && !ENV_NAME.safeParse(values["key-env"]).success) throw new UsageError("--key-env takes an environment variable name");
      const providerId = values["provider-id"] ?? "clawnex";
      if (!/^[a-z][a-z0-9_-]{0,63}$/.test(providerId)) throw new UsageError("--provider-id: lower-case letters, digits, '_' and '-'");
      const url = values.url ?? clawnexOrigins(config)[0] ?? "http://127.0.0.1:5001";
      if (!/^https?:\/\//.test(url)) throw new UsageError("--url must be an http(s) URL");
      const result = connect({ configPath, clawnexUrl: url, providerId, keyEnv: values["key-env"], key: values.key, dryRun: values["dry-run"] });
      if (values.json) io.stdout(`${JSON.stringify(result, null, 2)}\n`);
      else {
        const lines = [`${result.dryRun ? "would add" : "added"} provider ${result.providerId} -> ${result.baseUrl} (models: ${result.models.join(", ") || "none"})`];
        for (const change of result.repointed) lines.push(`  ${change}`);
        if (!result.dryRun) lines.push(`backup: ${result.backupPath} (undo with --revert)`);
        for (const u of result.upstreams) lines.push(`configure ClawNex to reach ${u.provider}'s upstream${u.baseUrl ? ` ${u.baseUrl}` : ""} (gateway providers in clawnex.config.json)`);
        if (values.key) io.stderr("warning: the ClawNex key is now in openclaw.json in plaintext; prefer --key-env\n");
        io.stdout(`${lines.join("\n")}\n`);
      }
      return 0;
    } catch (err) {
      if (err instanceof UsageError) throw err;
      throw new Error(err instanceof Error ? err.message : String(err));
    }
  },
};
