// Decides whether an uploaded file may be used: EICAR, type by magic bytes, the Shield over text
// content (all of it, window by window, so a payload deep in a large file is not missed), and
// ClamAV's clamd when CLAWNEX_CLAMD is set. Infected or blocked files are quarantined.
import { createReadStream } from "node:fs";
import { AppError } from "../../errors.ts";
import type { ScanService } from "../../scans/scan-service.ts";
import type { Verdict } from "../../shield/types.ts";
import { type ClamdOptions, scanFileWithClamd } from "./clamd.ts";
import { EICAR_SIGNATURE_NAME } from "./eicar.ts";
import type { Received } from "./receive.ts";
import { type FileKind, sniff } from "./sniff.ts";

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
}

export interface ScanContext {
  workspace: string;
  keyId: string | null;
  fileId: string;
  sandbox: boolean;
}

const OVERLAP_CHARS = 2048;
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
    const windowChars = this.#options.windowChars ?? 256 * 1024;
    const decoder = new TextDecoder("utf-8");
    let buffer = "";
    let scannedUpTo = 0; // chars of `buffer` already covered by a window
    const scanWindow = async (text: string, first: boolean) => {
      report.shield.windows++;
      // Only windows that matter are recorded; the first always is, so every file has a scan id.
      const outcome = first ? null : this.#options.scans.evaluate(text, "inbound");
      if (outcome && outcome.verdict === "ALLOW" && outcome.detections.length === 0) return;
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
    };
    for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 })) {
      buffer += decoder.decode(chunk as Buffer, { stream: true });
      while (buffer.length >= windowChars) {
        await scanWindow(buffer.slice(0, windowChars), report.shield.windows === 0);
        buffer = buffer.slice(windowChars - OVERLAP_CHARS);
        scannedUpTo = OVERLAP_CHARS;
      }
    }
    buffer += decoder.decode();
    if (buffer.length > scannedUpTo || report.shield.windows === 0) await scanWindow(buffer, report.shield.windows === 0);
    if (report.shield.verdict === null) report.shield.verdict = "ALLOW";
  }
}
