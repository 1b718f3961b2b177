// `clawnex shield test [FILE]`, `clawnex shield rules`, `clawnex shield mode [OBSERVE|BLOCK]`.
import { readFileSync } from "node:fs";
import { z } from "zod";
import { buildEngine } from "../../app/services.ts";
import { AuditLog } from "../../audit/audit-log.ts";
import { loadConfig } from "../../config/config.ts";
import { UsageError } from "../../errors.ts";
import { ShieldModeService } from "../../scans/shield-mode.ts";
import { SettingsStore } from "../../settings/settings-store.ts";
import { runRuleSamples, runVerdictCases, type TestReport, type VerdictCase } from "../../shield/self-test.ts";
import type { CliIo } from "../io.ts";
import { parseCommandArgs } from "../io.ts";
import type { Command } from "../main.ts";
import { openStoreFromEnv } from "../open-store.ts";

const USAGE = `usage: clawnex shield test [FILE] [--json]     run every rule's samples, or FILE's expected verdicts
       clawnex shield rules [--json]           list the rules in force
       clawnex shield mode [OBSERVE|BLOCK]     show or change the Shield mode (audited)

FILE is JSONL, one case per line: {"text": "...", "expect": "ALLOW"|"REVIEW"|"BLOCK", "direction"?: "inbound"|"outbound", "name"?: "..."}`;

const caseSchema = z.object({
  text: z.string(),
  expect: z.enum(["ALLOW", "REVIEW", "BLOCK"]),
  direction: z.enum(["inbound", "outbound", "input", "output"]).transform((d) => (d === "input" ? "inbound" : d === "output" ? "outbound" : d)).optional(),
  name: z.string().optional(),
});

function readCases(path: string): VerdictCase[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new UsageError(`cannot read ${path}: ${(err as Error).message}`);
  }
  return text.split("\n").flatMap((line, i) => {
    if (line.trim() === "") return [];
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      throw new UsageError(`${path}:${i + 1}: not valid JSON`);
    }
    const parsed = caseSchema.safeParse(raw);
    if (!parsed.success) throw new UsageError(`${path}:${i + 1}: ${parsed.error.issues.map((x) => `${x.path.join(".")} ${x.message}`).join("; ")}`);
    return [parsed.data];
  });
}

function printReport(io: CliIo, report: TestReport, json: boolean): number {
  if (json) io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  else {
    for (const f of report.failures) io.stdout(`FAIL ${f.rule_id ? `${f.rule_id}: ` : ""}${JSON.stringify(f.case)} expected ${f.expected}, got ${f.actual}\n`);
    io.stdout(`${report.passed} passed, ${report.failed} failed\n`);
  }
  return report.failed > 0 ? 1 : 0;
}

async function mode(args: string[], io: CliIo): Promise<number> {
  const wanted = args[0]?.toUpperCase();
  if (wanted !== undefined && wanted !== "OBSERVE" && wanted !== "BLOCK") throw new UsageError("mode is OBSERVE or BLOCK");
  const store = await openStoreFromEnv(io.env);
  try {
    const modes = new ShieldModeService(new SettingsStore(store.db), new AuditLog(store.db), store.config.shield.mode);
    if (wanted === undefined) io.stdout(`${await modes.current()}\n`);
    else {
      const { previous } = await modes.set(wanted, "cli");
      io.stdout(`shield mode: ${previous} -> ${wanted}\n`);
    }
    return 0;
  } finally {
    await store.close();
  }
}

export const command: Command = {
  summary: "test the Shield rules, list them, or show/change the Shield mode",
  usage: USAGE,
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub === "mode") return mode(rest, io);
    const { values, positionals } = parseCommandArgs(rest, { json: { type: "boolean", default: false } });
    if (sub === "test") {
      const engine = buildEngine(loadConfig(io.env));
      const report = positionals[0] ? runVerdictCases(engine, readCases(positionals[0])) : runRuleSamples(engine);
      return printReport(io, report, values.json);
    }
    if (sub === "rules") {
      const engine = buildEngine(loadConfig(io.env));
      if (values.json) io.stdout(`${JSON.stringify(engine.rules.map(({ mustMatch, mustNotMatch, ...r }) => r), null, 2)}\n`);
      else for (const r of engine.rules) io.stdout(`${r.id.padEnd(44)} ${r.severity.padEnd(8)} ${r.direction.padEnd(8)} ${r.title}\n`);
      return 0;
    }
    throw new UsageError(sub ? `unknown sub-command '${sub}'` : "give a sub-command: test, rules or mode");
  },
};
