// The host as the posture checks see it: a file system under a root (/ on a real host, a fixture
// tree in tests; /proc, /etc and the OpenClaw state dirs all resolve under it) and a command
// runner with a timeout. Checks take these narrow interfaces and nothing else, so every check
// runs on recorded fixtures as well as on the machine itself.
import { execFile } from "node:child_process";
import { lstatSync, readdirSync, readFileSync, readlinkSync, statSync, type Stats } from "node:fs";
import { join } from "node:path";

export interface HostStat {
  /** Permission bits (mode & 0o7777). */
  mode: number;
  uid: number;
  gid: number;
  isDirectory: boolean;
  isSymbolicLink: boolean;
  mtimeMs: number;
  size: number;
}

export type ReadResult = { ok: true; text: string } | { ok: false; reason: "missing" | "denied" | "error"; message: string };

export interface HostFs {
  /** Reads a text file (at most maxBytes); says why when it cannot. */
  read(path: string, maxBytes?: number): ReadResult;
  /** Directory entries, or null when absent or unreadable. */
  list(path: string): string[] | null;
  /** Follows symlinks; null when absent or unreadable. */
  stat(path: string): HostStat | null;
  lstat(path: string): HostStat | null;
  readLink(path: string): string | null;
}

export interface CommandResult {
  /** Exit status; null when the command did not run to completion. */
  status: number | null;
  stdout: string;
  stderr: string;
  /** Why it did not run: not installed, killed at the timeout, or another spawn failure. */
  error?: "not_found" | "timeout" | "failed" | undefined;
}

export interface CommandRunner {
  run(command: string, args: readonly string[], options: { timeoutMs: number }): Promise<CommandResult>;
}

/** Everything a check may look at. */
export interface HostContext {
  fs: HostFs;
  run: CommandRunner;
  /** The scan's clock (advisory EOL dates, list ages). */
  now: Date;
  /** Per-command timeout. */
  commandTimeoutMs: number;
}

function toStat(s: Stats): HostStat {
  return { mode: s.mode & 0o7777, uid: s.uid, gid: s.gid, isDirectory: s.isDirectory(), isSymbolicLink: s.isSymbolicLink(), mtimeMs: s.mtimeMs, size: s.size };
}

function errorReason(err: unknown): "missing" | "denied" | "error" {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "ENOENT" || code === "ENOTDIR") return "missing";
  if (code === "EACCES" || code === "EPERM") return "denied";
  return "error";
}

/** The real file system, with every absolute path taken relative to `root`. */
export function rootedFs(root: string): HostFs {
  const at = (path: string) => (root === "/" ? path : join(root, path));
  return {
    read(path, maxBytes = 4 * 1024 * 1024) {
      try {
        const buffer = readFileSync(at(path));
        return { ok: true, text: buffer.subarray(0, maxBytes).toString("utf8") };
      } catch (err) {
        return { ok: false, reason: errorReason(err), message: (err as Error).message };
      }
    },
    list(path) {
      try {
        return readdirSync(at(path)).sort();
      } catch {
        return null;
      }
    },
    stat(path) {
      try {
        return toStat(statSync(at(path)));
      } catch {
        return null;
      }
    },
    lstat(path) {
      try {
        return toStat(lstatSync(at(path)));
      } catch {
        return null;
      }
    },
    readLink(path) {
      try {
        return readlinkSync(at(path));
      } catch {
        return null;
      }
    },
  };
}

/**
 * Runs real commands (no shell, inherited environment, killed at the timeout). Output is capped
 * so a runaway command cannot exhaust memory.
 */
export const execRunner: CommandRunner = {
  run(command, args, options) {
    return new Promise((resolve) => {
      execFile(command, [...args], { timeout: options.timeoutMs, killSignal: "SIGKILL", maxBuffer: 16 * 1024 * 1024, encoding: "utf8", windowsHide: true }, (err, stdout, stderr) => {
        if (!err) return resolve({ status: 0, stdout, stderr });
        const e = err as NodeJS.ErrnoException & { killed?: boolean; signal?: string | null; code?: string | number };
        if (e.code === "ENOENT") return resolve({ status: null, stdout: "", stderr: "", error: "not_found" });
        if (e.killed || e.signal === "SIGKILL") return resolve({ status: null, stdout, stderr, error: "timeout" });
        if (typeof e.code === "number") return resolve({ status: e.code, stdout, stderr });
        resolve({ status: null, stdout, stderr: stderr || e.message, error: "failed" });
      });
    });
  },
};
