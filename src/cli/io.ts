// The CLI's window on the world, as an interface so commands can be tested in-process.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "../errors.ts";

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readStdin(): Promise<string>;
  stdinLines(): AsyncIterable<string>;
  env: NodeJS.ProcessEnv;
}

export function processIo(): CliIo {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    async readStdin() {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString("utf8");
    },
    async *stdinLines() {
      const { createInterface } = await import("node:readline");
      const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
      for await (const line of rl) yield line;
    },
    env: process.env,
  };
}

/** node:util parseArgs with strict checking, turning its errors into usage errors (exit 2). */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig["options"]>>(args: string[], options: T, allowPositionals = true) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}
