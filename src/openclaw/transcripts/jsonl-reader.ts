// Reads a JSONL transcript from a byte offset, a bounded number of lines at a time, with bounded
// memory: a line longer than the limit is skipped (reported as oversized), never buffered whole.
// A final line without its newline is left for the next pass (OpenClaw may be mid-write), except
// in archives, which are immutable. Zstd archives are decompressed in memory (OpenClaw keeps
// transcripts it archives under 64 MiB; larger ones are refused here).
import { createHash } from "node:crypto";
import { closeSync, fstatSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { zstdDecompressSync } from "node:zlib";

export type JsonlItem = { kind: "line"; text: string; end: number } | { kind: "oversized"; end: number };

export interface JsonlBatch {
  items: JsonlItem[];
  /** Offset of the first byte not consumed: where the next read resumes. */
  offset: number;
  eof: boolean;
  /** An unterminated last line is waiting for its newline. */
  partialTail: boolean;
}

export interface JsonlReaderOptions {
  maxLineBytes: number;
  /** Immutable archives end at EOF even without a trailing newline. */
  immutable: boolean;
  chunkBytes?: number;
  maxDecompressedBytes?: number;
}

const NEWLINE = 0x0a;
/** Bytes hashed to recognise a file's content across rotation (the session header line). */
const FINGERPRINT_BYTES = 1024;

/** Whether content whose head hashes to `fingerprint` ("<n>:<sha256>") is this content. */
export function fingerprintMatches(fingerprint: string | null, head: (n: number) => Buffer, length: number): boolean {
  if (!fingerprint) return false;
  const colon = fingerprint.indexOf(":");
  const n = Number(fingerprint.slice(0, colon));
  if (!Number.isInteger(n) || n < 0 || length < n) return false;
  return createHash("sha256").update(head(n)).digest("hex") === fingerprint.slice(colon + 1);
}

export class JsonlReader {
  readonly #fd: number | null;
  readonly #memory: Buffer | null;
  readonly #options: Required<JsonlReaderOptions>;
  #pending: Buffer = Buffer.alloc(0);
  #lineStart: number;
  #readPos: number;
  /** Inside a line already known to be oversized: drop bytes until its newline. */
  #skipping = false;

  /** Content length when opened (decompressed length for archives). */
  readonly length: number;

  private constructor(fd: number | null, memory: Buffer | null, options: JsonlReaderOptions) {
    this.#fd = fd;
    this.#memory = memory;
    this.#lineStart = 0;
    this.#readPos = 0;
    this.#options = { chunkBytes: 1024 * 1024, maxDecompressedBytes: 256 * 1024 * 1024, ...options };
    this.length = memory ? memory.length : fstatSync(fd as number).size;
  }

  static open(path: string, compressed: boolean, options: JsonlReaderOptions): JsonlReader {
    if (!compressed) return new JsonlReader(openSync(path, "r"), null, options);
    const max = options.maxDecompressedBytes ?? 256 * 1024 * 1024;
    if (statSync(path).size > max) throw new Error(`compressed archive larger than ${max} bytes`);
    const memory = zstdDecompressSync(readFileSync(path), { maxOutputLength: max });
    return new JsonlReader(null, memory, options);
  }

  /** The first n bytes of the content. */
  head(n: number): Buffer {
    if (this.#memory) return this.#memory.subarray(0, n);
    const buf = Buffer.alloc(n);
    const read = readSync(this.#fd as number, buf, 0, n, 0);
    return buf.subarray(0, read);
  }

  /** "<n>:<sha256 of the first n bytes>", n = min(length, 1 KiB). */
  fingerprint(): string {
    const n = Math.min(this.length, FINGERPRINT_BYTES);
    return `${n}:${createHash("sha256").update(this.head(n)).digest("hex")}`;
  }

  matches(fingerprint: string | null): boolean {
    return fingerprintMatches(fingerprint, (n) => this.head(n), this.length);
  }

  /** Positions the reader at a line boundary recorded earlier. */
  seek(offset: number): void {
    this.#pending = Buffer.alloc(0);
    this.#skipping = false;
    this.#lineStart = offset;
    this.#readPos = offset;
  }

  #readChunk(): Buffer {
    if (this.#memory) {
      const chunk = this.#memory.subarray(this.#readPos, this.#readPos + this.#options.chunkBytes);
      this.#readPos += chunk.length;
      return chunk;
    }
    const chunk = Buffer.allocUnsafe(this.#options.chunkBytes);
    const n = readSync(this.#fd as number, chunk, 0, chunk.length, this.#readPos);
    this.#readPos += n;
    return chunk.subarray(0, n);
  }

  read(maxItems: number): JsonlBatch {
    const items: JsonlItem[] = [];
    const max = this.#options.maxLineBytes;
    while (items.length < maxItems) {
      const nl = this.#pending.indexOf(NEWLINE);
      if (nl >= 0) {
        const end = this.#lineStart + nl + 1;
        if (this.#skipping || nl > max) items.push({ kind: "oversized", end });
        else {
          const text = this.#pending.toString("utf8", 0, nl > 0 && this.#pending[nl - 1] === 0x0d ? nl - 1 : nl);
          if (text.trim() !== "") items.push({ kind: "line", text, end });
        }
        this.#skipping = false;
        this.#pending = this.#pending.subarray(nl + 1);
        this.#lineStart = end;
        continue;
      }
      if (this.#pending.length > max) {
        // Drop what we hold of the oversized line but keep counting its bytes.
        this.#skipping = true;
        this.#pending = Buffer.alloc(0);
      }
      const chunk = this.#readChunk();
      if (chunk.length === 0) return this.#atEof(items);
      this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
      if (this.#skipping) {
        // lineStart stays at the oversized line's start; pending now begins mid-line.
        const skipNl = this.#pending.indexOf(NEWLINE);
        if (skipNl < 0) {
          this.#pending = Buffer.alloc(0);
          continue;
        }
        const end = this.#readPos - (this.#pending.length - skipNl - 1);
        items.push({ kind: "oversized", end });
        this.#skipping = false;
        this.#pending = this.#pending.subarray(skipNl + 1);
        this.#lineStart = end;
      }
    }
    return { items, offset: this.#lineStart, eof: false, partialTail: false };
  }

  #atEof(items: JsonlItem[]): JsonlBatch {
    const tail = this.#skipping || this.#pending.length > 0;
    if (tail && this.#options.immutable) {
      const end = this.#readPos;
      if (this.#skipping || this.#pending.length > this.#options.maxLineBytes) items.push({ kind: "oversized", end });
      else {
        const text = this.#pending.toString("utf8");
        if (text.trim() !== "") items.push({ kind: "line", text, end });
      }
      this.#pending = Buffer.alloc(0);
      this.#skipping = false;
      this.#lineStart = end;
      return { items, offset: end, eof: true, partialTail: false };
    }
    if (this.#skipping) {
      // Resume from the oversized line's start next time; it is still being written.
      this.#pending = Buffer.alloc(0);
      this.#readPos = this.#lineStart;
      this.#skipping = false;
    }
    return { items, offset: this.#lineStart, eof: true, partialTail: tail };
  }

  close(): void {
    if (this.#fd !== null) closeSync(this.#fd);
  }
}
