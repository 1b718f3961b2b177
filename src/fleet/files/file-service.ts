// Files: upload (stream to disk, scan, keep), read metadata, download, delete. An upload is two
// steps so the HTTP layer can settle its Idempotency-Key between them: receive() streams and
// scans into a temporary file (no record yet), keep() records it (the effect).
import type { ReadStream } from "node:fs";
import type { Readable } from "node:stream";
import { AppError, notFound } from "../../errors.ts";
import { newId } from "../../store/ids.ts";
import type { Page, PageRequest, Paginator } from "../shared/pagination.ts";
import { sandboxFlag, type Space } from "../shared/space.ts";
import type { FleetFilesTable } from "../tables.ts";
import type { FileScanner, FileScanReport } from "./file-scanner.ts";
import { type FileFilter, type FleetFile, FileStore, toFile } from "./file-store.ts";
import { type Received, receiveToFile } from "./receive.ts";
import type { FileStorage } from "./storage.ts";

export interface IncomingFile {
  stream: Readable;
  filename: string;
  mimetype: string;
}

export interface PendingUpload {
  id: string;
  at: string;
  tempPath: string;
  name: string;
  contentType: string;
  received: Received;
  report: FileScanReport;
}

export interface FileServiceDeps {
  store: FileStore;
  storage: FileStorage;
  scanner: FileScanner;
  paginator: Paginator;
  maxBytes: number;
}

/** A display name from whatever the client sent: last path segment, no control characters, bounded. */
export function displayName(filename: string): string {
  const base = filename.split(/[\\/]/).pop() ?? "";
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, "").trim().slice(0, 255);
  return clean === "" || clean === "." || clean === ".." ? "upload" : clean;
}

function cleanContentType(value: string): string {
  return /^[\w.+-]+\/[\w.+-]+$/.test(value) && value.length <= 127 ? value.toLowerCase() : "application/octet-stream";
}

export function quarantined(file: { id: string; scan_status: string; scan: Record<string, unknown> }): AppError {
  return new AppError("conflict", `file '${file.id}' is quarantined: it cannot be downloaded or attached to a task`, { details: { file_id: file.id, scan_status: file.scan_status, reasons: file.scan.reasons ?? [] } });
}

export class FileService {
  readonly #deps: FileServiceDeps;

  constructor(deps: FileServiceDeps) {
    this.#deps = deps;
  }

  get maxBytes(): number {
    return this.#deps.maxBytes;
  }

  /** Streams the upload to a temporary file and scans it; nothing is recorded yet. */
  async receive(space: Space, keyId: string | null, incoming: IncomingFile): Promise<PendingUpload> {
    const { id, at } = newId("file");
    const tempPath = this.#deps.storage.tempPath();
    try {
      const received = await receiveToFile(incoming.stream, tempPath, this.#deps.maxBytes);
      const report = await this.#deps.scanner.scan(tempPath, received, { workspace: space.workspace, keyId, fileId: id, sandbox: space.sandbox });
      return { id, at, tempPath, name: displayName(incoming.filename), contentType: cleanContentType(incoming.mimetype), received, report };
    } catch (err) {
      await this.#deps.storage.discard(tempPath);
      throw err;
    }
  }

  async discard(upload: PendingUpload): Promise<void> {
    await this.#deps.storage.discard(upload.tempPath);
  }

  /** Moves the scanned upload into storage and records it. */
  async keep(space: Space, upload: PendingUpload): Promise<FleetFile> {
    const { report } = upload;
    const row: FleetFilesTable = {
      id: upload.id,
      workspace: space.workspace,
      sandbox: sandboxFlag(space),
      filename: upload.name,
      content_type: upload.contentType,
      detected_type: report.detected_type,
      size: upload.received.size,
      sha256: upload.received.sha256,
      status: report.status,
      scan: JSON.stringify({ kind: report.kind, reasons: report.reasons, shield: report.shield, clamd: report.clamd }),
      created_at: upload.at,
    };
    try {
      await this.#deps.storage.commit(upload.tempPath, upload.id);
      await this.#deps.store.insert(row);
    } catch (err) {
      await this.#deps.storage.discard(upload.tempPath);
      await this.#deps.storage.remove(upload.id);
      throw err;
    }
    return toFile(row);
  }

  async get(space: Space, id: string): Promise<FleetFile> {
    const row = await this.#deps.store.get(space, id);
    if (!row) throw notFound(`file '${id}'`);
    return toFile(row);
  }

  async list(space: Space, filter: FileFilter, request: PageRequest): Promise<Page<FleetFile>> {
    const q = this.#deps.paginator.query("files", request);
    return this.#deps.paginator.page("files", q, await this.#deps.store.list(space, filter, q), toFile);
  }

  /** The content as a stream; quarantined files are refused (409). */
  async content(space: Space, id: string): Promise<{ file: FleetFile; stream: ReadStream }> {
    const file = await this.get(space, id);
    if (file.scan_status === "quarantined") throw quarantined(file);
    return { file, stream: this.#deps.storage.openRead(id) };
  }

  /** Files for a task: each must exist in the space and not be quarantined. */
  async usable(space: Space, ids: readonly string[]): Promise<FleetFile[]> {
    const rows = await this.#deps.store.getMany(space, ids);
    const byId = new Map(rows.map((r) => [r.id, toFile(r)]));
    return ids.map((id) => {
      const file = byId.get(id);
      if (!file) throw notFound(`file '${id}'`);
      if (file.scan_status === "quarantined") throw quarantined(file);
      return file;
    });
  }

  async delete(space: Space, id: string): Promise<FleetFile> {
    const file = await this.get(space, id);
    if (!(await this.#deps.store.delete(space, id))) throw notFound(`file '${id}'`);
    await this.#deps.storage.remove(id);
    return file;
  }
}
