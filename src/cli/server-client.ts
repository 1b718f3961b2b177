// A small client for CLI commands that talk to a running ClawNex server (--url).
import { UsageError } from "../errors.ts";
import type { ScanResult } from "../scans/scan-service.ts";
import type { Direction } from "../shield/types.ts";
import type { CliIo } from "./io.ts";

export function scanThroughServer(url: string, io: CliIo): (text: string, direction: Direction) => Promise<ScanResult> {
  const key = io.env.CLAWNEX_API_KEY;
  if (!key) throw new UsageError("--url needs CLAWNEX_API_KEY set to a key with the shield:scan scope");
  let endpoint: URL;
  try {
    endpoint = new URL("/api/v1/shield/scan", url);
  } catch {
    throw new UsageError(`--url is not a URL: ${url}`);
  }
  return async (text, direction) => {
    const response = await fetch(endpoint, {
      method: "POST",
      headers: { "content-type": "application/json", "x-clawnex-key": key },
      body: JSON.stringify({ text, direction, source: "cli" }),
    });
    const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | ScanResult | null;
    if (!response.ok) {
      const message = body && "error" in body && body.error?.message ? body.error.message : `HTTP ${response.status}`;
      throw new Error(`server refused the scan (${response.status}): ${message}`);
    }
    return body as ScanResult;
  };
}
