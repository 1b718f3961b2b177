// `clawnex scan`: the Shield for CI pipelines. Scans in-process by default (no server, nothing
// recorded), or through a running server with --url. Exit 0 = nothing blocked, 1 = something
// reached the failing verdict, 2 = usage error.
import { readFileSync } from "node:fs";
import { buildEngine } from "../../app/services.ts";
import { loadConfig } from "../../config/config.ts";
import { UsageError } from "../../errors.ts";
import { ScanService, type ScanResult } from "../../scans/scan-service.ts";
import type { Direction, Verdict } from "../../shield/types.ts";
import type { CliIo } from "../io.ts";
import { parseCommandArgs } from "../io.ts";
import type { Command } from "../main.ts";
import { scanThroughServer } from "../server-client.ts";

const USAGE = `usage: clawnex scan [TEXT] [--file PATH] [--jsonl] [--direction inbound|outbound] [--fail-on block|review] [--url URL]

  TEXT              text to scan; without TEXT or --file, stdin is scanned
  --file PATH       scan the contents of a file
  --jsonl           read one JSON object per line on stdin ({"text", "direction"?}) and
                    write one result per line, in order
  --direction D     inbound (a prompt, the default) or outbound (a model response);
                    input/output are accepted as synonyms
  --fail-on V       exit 1 when any result is BLOCK (default) or, with review, REVIEW too
  --url URL         scan through a running ClawNex server (key from CLAWNEX_API_KEY)

exit status: 0 nothing at the failing verdict, 1 something was, 2 usage error`;

export function parseDirection(value: unknown): Direction {
  if (value === undefined || value === null) return "inbound";
  if (value === "inbound" || value === "input") return "inbound";
  if (value === "outbound" || value === "output") return "outbound";
  throw new UsageError(`direction must be inbound or outbound (input/output accepted), got ${JSON.stringify(value)}`);
}

type Scanner = (text: string, direction: Direction) => Promise<ScanResult>;

function inProcessScanner(io: CliIo): Scanner {
  const config = loadConfig(io.env);
  const engine = buildEngine(config);
  const service = new ScanService({
    engine: () => engine,
    modes: { current: async () => config.shield.mode },
    sink: { record: async () => {} },
    storeRawText: false,
  });
  return (text, direction) => service.scan({ text, direction, source: "cli" });
}

function failing(verdict: Verdict, failOn: "block" | "review"): boolean {
  return verdict === "BLOCK" || (failOn === "review" && verdict === "REVIEW");
}

async function scanJsonl(io: CliIo, scanner: Scanner, failOn: "block" | "review"): Promise<number> {
  let failed = false;
  let usage = false;
  let lineNo = 0;
  for await (const line of io.stdinLines()) {
    lineNo++;
    if (line.trim() === "") continue;
    let item: { text?: unknown; direction?: unknown };
    try {
      item = JSON.parse(line) as { text?: unknown; direction?: unknown };
      if (typeof item !== "object" || item === null || typeof item.text !== "string") throw new Error('each line needs a "text" string');
      const result = await scanner(item.text, parseDirection(item.direction));
      if (failing(result.verdict, failOn)) failed = true;
      io.stdout(`${JSON.stringify(result)}\n`);
    } catch (err) {
      usage = true;
      const message = err instanceof Error ? err.message : String(err);
      io.stdout(`${JSON.stringify({ line: lineNo, error: message })}\n`);
      io.stderr(`clawnex scan: line ${lineNo}: ${message}\n`);
    }
  }
  return usage ? 2 : failed ? 1 : 0;
}

export const command: Command = {
  summary: "scan text with the Shield (argument, --file, stdin or --jsonl)",
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {
      file: { type: "string" },
      jsonl: { type: "boolean", default: false },
      direction: { type: "string" },
      "fail-on": { type: "string", default: "block" },
      url: { type: "string" },
    });
    const failOn = values["fail-on"];
    if (failOn !== "block" && failOn !== "review") throw new UsageError("--fail-on takes block or review");
    if (positionals.length > 1) throw new UsageError("give the text as one argument (quote it)");
    if (values.jsonl && (positionals.length > 0 || values.file)) throw new UsageError("--jsonl reads stdin; don't combine it with TEXT or --file");
    const direction = parseDirection(values.direction);

    const scanner: Scanner = values.url ? scanThroughServer(values.url, io) : inProcessScanner(io);
    if (values.jsonl) return scanJsonl(io, scanner, failOn);

    let text: string;
    if (values.file) {
      try {
        text = readFileSync(values.file, "utf8");
      } catch (err) {
        throw new UsageError(`cannot read ${values.file}: ${(err as Error).message}`);
      }
    } else if (positionals[0] !== undefined) {
      text = positionals[0];
    } else {
      text = await io.readStdin();
    }
    const result = await scanner(text, direction);
    io.stdout(`${JSON.stringify(result, null, 2)}\n`);
    return failing(result.verdict, failOn) ? 1 : 0;
  },
};
