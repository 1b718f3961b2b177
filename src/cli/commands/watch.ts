// `clawnex watch`: reads OpenClaw transcripts (SQLite store and JSONL files) from a state dir,
// scans them with the Shield and records detections in the ClawNex store. --once scans what is
// there (resuming from the last checkpoint) and prints a summary; without it, it keeps watching.
import { setTimeout as sleep } from "node:timers/promises";
import { UsageError } from "../../errors.ts";
import { instanceForStateDir, openCliContext, stateDirArgument } from "../../openclaw/cli-context.ts";
import type { PassSummary } from "../../openclaw/watcher/pass.ts";
import type { CliIo } from "../io.ts";
import { parseCommandArgs } from "../io.ts";
import type { Command } from "../main.ts";

const USAGE = `usage: clawnex watch --once [STATE_DIR] [--json] [--rescan] [--instance NAME]
       clawnex watch [STATE_DIR] [--interval SECONDS] [--instance NAME]

  STATE_DIR        an OpenClaw state dir; default: OpenClaw's own (OPENCLAW_STATE_DIR,
                   OPENCLAW_HOME, OPENCLAW_PROFILE, else ~/.openclaw)
  --once           scan the history once (from the last checkpoint) and print a summary
  --json           print the summary as JSON: events read and skipped, detections
                   (agent, session, eventId, role, verdict, ruleIds, ...)
  --rescan         forget this state dir's checkpoints first (recorded scans are not repeated)
  --instance NAME  use a registered instance's state dir and checkpoints
  --interval S     pause between passes when watching continuously (default 5)

Detections are recorded as scans (source "watcher") in the ClawNex store.`;

function text(summary: PassSummary): string {
  const lines = [
    `state dir    ${summary.stateDir}`,
    `agents       ${summary.agents}    sessions read: ${summary.sessions}`,
    `events       ${summary.eventsRead} read, ${summary.eventsSkipped} skipped (malformed ${summary.skipped.malformed}, oversized ${summary.skipped.oversized}, undecodable ${summary.skipped.undecodable}, unknown types ${summary.skipped.unknownTypes})`,
    `model calls  ${summary.modelCalls} (${summary.failedCalls} failed), tokens ${summary.tokens.total}, cost $${summary.costUsd}`,
  ];
  if (summary.partialLines > 0) lines.push(`partial      ${summary.partialLines} file(s) end mid-line (read when complete)`);
  if (summary.truncations > 0) lines.push(`re-read      ${summary.truncations} transcript(s) truncated or rewritten since the last pass`);
  lines.push(`detections   ${summary.detections.length}${summary.detectionsTruncated ? " (list truncated)" : ""}`);
  for (const d of summary.detections) {
    lines.push(`  ${d.verdict.padEnd(6)} ${d.agent}/${d.session} event ${d.eventId} ${d.role}${d.toolCallId ? ` (tool call ${d.toolCallId})` : ""}${d.sender ? ` from ${d.sender}` : ""}: ${d.ruleIds.join(", ")}`);
  }
  for (const e of summary.errors) lines.push(`error        ${e}`);
  return `${lines.join("\n")}\n`;
}

export const command: Command = {
  summary: "scan OpenClaw session transcripts with the Shield (--once, or continuously)",
  usage: USAGE,
  async run(args, io: CliIo) {
    const { values, positionals } = parseCommandArgs(args, {
      once: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      rescan: { type: "boolean", default: false },
      instance: { type: "string" },
      interval: { type: "string" },
    });
    if (positionals.length > 1) throw new UsageError("give at most one STATE_DIR");
    if (values.instance && positionals[0]) throw new UsageError("give either STATE_DIR or --instance, not both");
    const interval = values.interval === undefined ? 5 : Number(values.interval);
    if (!Number.isFinite(interval) || interval < 0.2 || interval > 3600) throw new UsageError("--interval takes seconds between 0.2 and 3600");
    const ctx = await openCliContext(io.env);
    try {
      const instance = values.instance ? await ctx.oc.instances.get("default", values.instance) : await instanceForStateDir(ctx.oc, stateDirArgument(ctx.config, positionals[0]));
      if (!instance.stateDir) throw new UsageError(`instance ${instance.name} has no state dir`);
      const target = ctx.oc.target(instance);
      if (values.once) {
        const summary = await ctx.oc.watcher.passOnce(target, { rescan: values.rescan });
        await ctx.oc.afterPass(target, summary, null);
        io.stdout(values.json ? `${JSON.stringify(summary, null, 2)}\n` : text(summary));
        return 0;
      }
      let stop = false;
      const onSignal = () => {
        stop = true;
      };
      process.once("SIGINT", onSignal);
      process.once("SIGTERM", onSignal);
      io.stderr(`watching ${instance.stateDir} (Ctrl-C to stop)\n`);
      let first = true;
      while (!stop) {
        const summary = await ctx.oc.watcher.passOnce(target, { rescan: first && values.rescan });
        first = false;
        await ctx.oc.afterPass(target, summary, null);
        if (summary.eventsRead > 0 || summary.errors.length > 0) io.stdout(values.json ? `${JSON.stringify(summary)}\n` : text(summary));
        await sleep(interval * 1000);
      }
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      return 0;
    } finally {
      await ctx.close();
    }
  },
};
