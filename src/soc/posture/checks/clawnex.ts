// ClawNex's own exposure: where its API and gateway listen, and whether anything but the local
// host can reach them in clear text. ClawNex speaks plain HTTP (TLS belongs to a reverse proxy in
// front) and every API route but health and the docs requires a key; so a public bind without a
// declared proxy means keys, prompts and responses cross the network unencrypted. Also: the data
// dir (database, audit chain, config) must not be readable by other local users.
import { posix } from "node:path";
import { octalMode, type PostureFinding } from "../findings.ts";
import type { CheckOutcome, PostureCheck } from "./check.ts";
import { unlessShielded } from "./file-modes.ts";

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost|\[::1\])$/i;

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.test(host.trim());
}

export const clawnexCheck: PostureCheck = {
  id: "clawnex",
  title: "ClawNex's own exposure",
  async run(ctx, input): Promise<CheckOutcome> {
    const { host, port, trustProxy, dataDir, mcp } = input.clawnex;
    const findings: PostureFinding[] = [];
    const bind = `CLAWNEX_HOST=${host} CLAWNEX_PORT=${port}`;
    if (!isLoopbackHost(host)) {
      if (!trustProxy) {
        findings.push({
          checkId: "posture.clawnex.public_plaintext",
          severity: "high",
          title: `ClawNex listens on ${host}:${port} over plain HTTP`,
          evidence: bind,
          detail: "ClawNex does not terminate TLS. Bound beyond loopback without a reverse proxy, API keys, gateway prompts and model responses cross the network in clear text; the API still requires a key on every route except /api/v1/health and the docs.",
          remediation: "Bind ClawNex to 127.0.0.1 (CLAWNEX_HOST) and put a TLS-terminating reverse proxy in front of it; then set server.trustProxy: true in clawnex.config.json.",
        });
      } else {
        findings.push({
          checkId: "posture.clawnex.public_behind_proxy",
          severity: "low",
          title: `ClawNex binds ${host}:${port} and trusts X-Forwarded-* headers from any client`,
          evidence: `${bind} server.trustProxy=true`,
          detail: "With trustProxy on, a client that reaches the port directly (not through the proxy) can bypass TLS and forge its address in the logs and rate limits.",
          remediation: "Bind ClawNex to 127.0.0.1 (or the proxy-facing interface only), or firewall the port so only the reverse proxy can reach it.",
        });
      }
    }
    const dirStat = ctx.fs.stat(dataDir);
    if (dirStat && input.platform !== "win32") {
      for (const path of [dataDir, posix.join(dataDir, "clawnex.db"), posix.join(dataDir, "clawnex.config.json")]) {
        const stat = ctx.fs.stat(path);
        if (!stat) continue;
        const readableByOthers = stat.isDirectory ? (stat.mode & 0o005) !== 0 : (stat.mode & 0o004) !== 0;
        const writableByOthers = (stat.mode & 0o002) !== 0;
        if (!readableByOthers && !writableByOthers) continue;
        findings.push(unlessShielded(ctx.fs, path, "others", {
          checkId: writableByOthers ? "posture.clawnex.data_writable" : "posture.clawnex.data_readable",
          severity: writableByOthers ? "high" : "medium",
          title: `ClawNex ${stat.isDirectory ? "data dir" : posix.basename(path)} is ${writableByOthers ? "writable" : "readable"} by other local users`,
          evidence: path,
          detail: `mode ${octalMode(stat.mode)}: the database holds scan excerpts, traffic records, hashed keys and the audit chain.`,
          remediation: stat.isDirectory ? `chmod 700 ${path}` : `chmod 600 ${path}`,
        }));
      }
    }
    const mcpNote = mcp.enabled ? `; MCP HTTP on 127.0.0.1:${mcp.port} (loopback only, bearer key)` : "";
    return { findings, note: `API and gateway on ${host}:${port}${isLoopbackHost(host) ? " (loopback)" : trustProxy ? " behind a declared proxy" : " (public, plain HTTP)"}${mcpNote}` };
  },
};
