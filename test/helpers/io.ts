// An in-process CliIo that captures what a command prints.
import type { CliIo } from "../../src/cli/io.ts";

export interface CapturedIo extends CliIo {
  out(): string;
  err(): string;
}

export function captureIo(env: NodeJS.ProcessEnv, stdin = ""): CapturedIo {
  let out = "";
  let err = "";
  return {
    env,
    stdout: (text) => void (out += text),
    stderr: (text) => void (err += text),
    readStdin: async () => stdin,
    async *stdinLines() {
      for (const line of stdin.split("\n")) yield line;
    },
    out: () => out,
    err: () => err,
  };
}
