// What a posture check is: a named function from the host (and the scan's inputs) to findings
// plus a one-line note on what it saw or why it could not look.
import type { PostureFinding } from "../findings.ts";
import type { HostContext } from "../host.ts";
import type { AdvisoryTable } from "../advisories.ts";

export interface ScanInput {
  /** OpenClaw state dirs to inspect (absolute paths, resolved under the host root). */
  openclawStateDirs: string[];
  /** The OpenClaw executable to ask for its version (on PATH), or null to not run it. */
  openclawBinary: string | null;
  /** The Node.js running ClawNex (process.versions.node). */
  nodeVersion: string;
  platform: NodeJS.Platform;
  /** ClawNex's own listening configuration. */
  clawnex: { host: string; port: number; trustProxy: boolean; dataDir: string; mcp: { enabled: boolean; port: number } };
  /** Listeners the operator expects beyond loopback ("tcp:22", "udp:51820"): reported at info. */
  allowedListeners: string[];
  advisories: AdvisoryTable;
}

export interface CheckOutcome {
  findings: PostureFinding[];
  /** One line for humans: what was looked at, or why nothing could be. */
  note: string;
  /** The check did not apply to this host (no sshd, no OpenClaw, not Linux). */
  skipped?: boolean;
}

export interface PostureCheck {
  id: string;
  title: string;
  run(ctx: HostContext, input: ScanInput): Promise<CheckOutcome>;
}
