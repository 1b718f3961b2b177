// Decides whether an uploaded file may be used: EICAR, type by magic bytes, the Shield over text
// content (all of it, in overlapping windows, so a payload deep in a large file or across a seam is
// not missed, in constant memory), and ClamAV's clamd when CLAWNEX_CLAMD is set. Infected or
// blocked files are quarantined.
import { AppError } from "../../errors.ts";
import type { ScanService } from "../../scans/scan-service.ts";
import type { Verdict } from "../../shield/types.ts";
import { type ClamdOptions, scanFileWithClamd } from "./clamd.ts";
import { EICAR_SIGNATURE_NAME } from "./eicar.ts";
import type { Received } from "./receive.ts";
import { type FileKind, sniff } from "./sniff.ts";
import { DEFAULT_WINDOW_CHARS, fileTextWindows } from "./text-windows.ts";

export type FileStatus = "clean" | "flagged" | "quarantined";

export interface FileScanReport {
  status: FileStatus;
  kind: FileKind;
  detected_type: string;
  /** Why the file is flagged or quarantined, e.g. "eicar: Eicar-Test-Signature", "type: executable (elf)". */
  reasons: string[];
  shield: { verdict: Verdict | null; scan_ids: string[]; windows: number };
  clamd: { status: "clean" | "infected"; signature: string | null } | null;
}

export interface FileScannerOptions {
  scans: Pick<ScanService, "scan" | "evaluate">;
  clamd: ClamdOptions | undefined;
  quarantineKinds: readonly string[];
  /** Characters per Shield window (consecutive windows overlap so a match cannot hide on a seam). */
  windowChars?: number;
  /** The Shield's longest possible match (shieldReach): how much each window carries into the next. */
  reachChars: () => number;
}

export interface ScanContext {
  workspace: string;
  keyId: string | null;
  fileId: string;
  sandbox: boolean;
}

const RANK: Record<Verdict, number> = { ALLOW: 0, REVIEW: 1, BLOCK: 2 };

export class FileScanner {
  readonly #options: FileScannerOptions;

  constructor(options: FileScannerOptions) {
    this.#options = options;
  }

  async scan(path: string, received: Received, ctx: ScanContext): Promise<FileScanReport> {
    const sniffed = sniff(received.head, received.head.length >= received.size);
    const report: FileScanReport = { status: "clean", kind: sniffed.kind, detected_type: sniffed.type, reasons: [], shield: { verdict: null, scan_ids: [], windows: 0 }, clamd: null };
    const quarantine = (reason: string) => {
      report.status = "quarantined";
      report.reasons.push(reason);
    };
    const flag = (reason: string) => {
      if (report.status === "clean") report.status = "flagged";
      report.reasons.push(reason);
    };

    if (received.eicar) quarantine(`eicar: ${EICAR_SIGNATURE_NAME}`);
    if (sniffed.kind === "executable" || sniffed.kind === "archive") {
      const reason = `type: ${sniffed.kind} (${sniffed.type})`;
      if (this.#options.quarantineKinds.includes(sniffed.kind)) quarantine(reason);
      else flag(reason);
    }
    if (sniffed.kind === "text") await this.#shield(path, ctx, report, quarantine, flag);
    if (this.#options.clamd) {
      const verdict = await scanFileWithClamd(path, this.#options.clamd);
      if (verdict.status === "error") throw new AppError("unavailable", `the virus scanner (clamd) could not scan the file: ${verdict.reply}`);
      report.clamd = { status: verdict.status, signature: verdict.signature };
      if (verdict.status === "infected") quarantine(`clamd: ${verdict.signature ?? "FOUND"}`);
    }
    return report;
  }

  async #shield(path: string, ctx: ScanContext, report: FileScanReport, quarantine: (r: string) => void, flag: (r: string) => void): Promise<void> {
    const reachChars = this.#options.reachChars();
    // Custom rules with very long patterns widen the windows too, so the carried seam (at most half
    // a window) always holds the longest match, and each window still brings mostly new text.
    const options = { windowChars: Math.max(this.#options.windowChars ?? DEFAULT_WINDOW_CHARS, 4 * reachChars), reachChars };
    for await (const text of fileTextWindows(path, options)) {
      const first = report.shield.windows === 0;
      report.shield.windows++;
      // Only windows that matter are recorded; the first always is, so every file has a scan id.
      const outcome = first ? null : this.#options.scans.evaluate(text, "inbound");
      if (outcome && outcome.verdict === "ALLOW" && outcome.detections.length === 0) continue;
      const scan = await this.#options.scans.scan({
        text,
        direction: "inbound",
        source: "file",
        workspace: ctx.workspace,
        keyId: ctx.keyId,
        metadata: { file_id: ctx.fileId, window: report.shield.windows, sandbox: ctx.sandbox },
      });
      report.shield.scan_ids.push(scan.id);
      if (report.shield.verdict === null || RANK[scan.verdict] > RANK[report.shield.verdict]) report.shield.verdict = scan.verdict;
      if (scan.enforced) quarantine(`shield: ${scan.verdict} (scan ${scan.id})`);
      else if (scan.verdict !== "ALLOW") flag(`shield: ${scan.verdict} (scan ${scan.id})`);
      // BLOCK is the worst verdict: later windows cannot change the file's status (breaking out
      // closes the read stream). REVIEW is not final, a later window may still block.
      if (scan.verdict === "BLOCK") break;
    }
    if (report.shield.verdict === null) report.shield.verdict = "ALLOW";
  }
}
