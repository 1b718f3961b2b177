// File type by magic bytes (the client's content type and name are not trusted): executables and
// archives are flagged by what they are, whatever they are called.
export type FileKind = "text" | "executable" | "archive" | "binary" | "empty";

export interface Sniffed {
  kind: FileKind;
  /** A short type name: "elf", "pe", "zip", "utf8-text", ... */
  type: string;
}

interface Signature {
  type: string;
  kind: FileKind;
  offset: number;
  bytes: number[];
}

const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

const SIGNATURES: Signature[] = [
  { type: "elf", kind: "executable", offset: 0, bytes: [0x7f, 0x45, 0x4c, 0x46] },
  { type: "pe", kind: "executable", offset: 0, bytes: [0x4d, 0x5a] },
  { type: "mach-o", kind: "executable", offset: 0, bytes: [0xfe, 0xed, 0xfa, 0xce] },
  { type: "mach-o", kind: "executable", offset: 0, bytes: [0xfe, 0xed, 0xfa, 0xcf] },
  { type: "mach-o", kind: "executable", offset: 0, bytes: [0xce, 0xfa, 0xed, 0xfe] },
  { type: "mach-o", kind: "executable", offset: 0, bytes: [0xcf, 0xfa, 0xed, 0xfe] },
  { type: "mach-o-universal", kind: "executable", offset: 0, bytes: [0xca, 0xfe, 0xba, 0xbe] },
  { type: "wasm", kind: "executable", offset: 0, bytes: [0x00, 0x61, 0x73, 0x6d] },
  { type: "dex", kind: "executable", offset: 0, bytes: ascii("dex\n") },
  { type: "zip", kind: "archive", offset: 0, bytes: [0x50, 0x4b, 0x03, 0x04] },
  { type: "zip", kind: "archive", offset: 0, bytes: [0x50, 0x4b, 0x05, 0x06] },
  { type: "zip", kind: "archive", offset: 0, bytes: [0x50, 0x4b, 0x07, 0x08] },
  { type: "gzip", kind: "archive", offset: 0, bytes: [0x1f, 0x8b] },
  { type: "bzip2", kind: "archive", offset: 0, bytes: ascii("BZh") },
  { type: "xz", kind: "archive", offset: 0, bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] },
  { type: "zstd", kind: "archive", offset: 0, bytes: [0x28, 0xb5, 0x2f, 0xfd] },
  { type: "7z", kind: "archive", offset: 0, bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c] },
  { type: "rar", kind: "archive", offset: 0, bytes: ascii("Rar!\x1a\x07") },
  { type: "cab", kind: "archive", offset: 0, bytes: ascii("MSCF") },
  { type: "tar", kind: "archive", offset: 257, bytes: ascii("ustar") },
  { type: "ar", kind: "archive", offset: 0, bytes: ascii("!<arch>\n") },
  { type: "rpm", kind: "archive", offset: 0, bytes: [0xed, 0xab, 0xee, 0xdb] },
  { type: "iso9660", kind: "archive", offset: 0x8001, bytes: ascii("CD001") },
  { type: "pdf", kind: "binary", offset: 0, bytes: ascii("%PDF-") },
  { type: "png", kind: "binary", offset: 0, bytes: [0x89, 0x50, 0x4e, 0x47] },
  { type: "jpeg", kind: "binary", offset: 0, bytes: [0xff, 0xd8, 0xff] },
  { type: "gif", kind: "binary", offset: 0, bytes: ascii("GIF8") },
];

/** Bytes sniff() wants to see (the ISO 9660 marker sits past 32 KiB). */
export const SNIFF_BYTES = 0x8001 + 8;

function matches(head: Uint8Array, sig: Signature): boolean {
  if (head.length < sig.offset + sig.bytes.length) return false;
  return sig.bytes.every((b, i) => head[sig.offset + i] === b);
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function looksLikeText(head: Uint8Array, complete: boolean): boolean {
  if (head.includes(0)) return false;
  // A multi-byte character may be cut at the end of the sample: drop up to 3 trailing bytes.
  for (let cut = 0; cut <= (complete ? 0 : 3) && cut < head.length; cut++) {
    try {
      utf8.decode(head.subarray(0, head.length - cut));
      return true;
    } catch {
      // try a shorter sample
    }
  }
  return false;
}

/** Classifies content from its first bytes; `complete` says the sample is the whole file. */
export function sniff(head: Uint8Array, complete: boolean): Sniffed {
  if (head.length === 0) return { kind: "empty", type: "empty" };
  for (const sig of SIGNATURES) if (matches(head, sig)) return { kind: sig.kind, type: sig.type };
  if (looksLikeText(head.subarray(0, 64 * 1024), complete || head.length <= 64 * 1024)) return { kind: "text", type: "utf8-text" };
  return { kind: "binary", type: "unknown" };
}
