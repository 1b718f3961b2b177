// Checks that turn a pattern match into a finding: checksums (Luhn, IBAN mod-97, GitHub's
// CRC32), randomness (Shannon entropy) and placeholder rejection (EXAMPLE keys, xxxx, <token>).
import type { Validator } from "./types.ts";

export function luhn(value: string): boolean {
  const digits = value.replace(/[\s-]/g, "");
  if (!/^\d{12,19}$/.test(digits)) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

export function ibanValid(value: string): boolean {
  const iban = value.replace(/\s/g, "").toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/.test(iban)) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    const chunk = code >= 65 ? String(code - 55) : ch;
    for (const digit of chunk) remainder = (remainder * 10 + (digit.charCodeAt(0) - 48)) % 97;
  }
  return remainder === 1;
}

/** Shannon entropy in bits per character. */
export function entropy(value: string): number {
  if (value.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

const PLACEHOLDER_WORDS = /example|sample|dummy|placeholder|your[_-]?(?:api[_-]?)?(?:key|token|secret|password)|changeme|redacted|insert|replace|xxxx|\*\*\*\*|<[^>]*>|\.\.\.|fake|test[_-]?key|0{8}|1234567|abcdef(?:gh)?(?:ij)?$/i;

/** True for values that are clearly not real credentials (documentation placeholders). */
export function isPlaceholder(value: string): boolean {
  if (PLACEHOLDER_WORDS.test(value)) return true;
  // One character repeated, e.g. AKIAAAAAAAAAAAAAAAAA.
  const body = value.replace(/^[A-Za-z]{2,5}[_-]/, "");
  if (body.length >= 8 && new Set(body).size <= 3) return true;
  return false;
}

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
let crcTable: Uint32Array | undefined;

function crc32(text: string): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) crc = (crcTable[(crc ^ text.charCodeAt(i)) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function base62(value: number, width: number): string {
  let out = "";
  let v = value;
  while (v > 0) {
    out = BASE62[v % 62] + out;
    v = Math.floor(v / 62);
  }
  return out.padStart(width, "0");
}

/** GitHub's 2021 token format: prefix_ + 30 random base62 + 6-char base62 CRC32 of the random part. */
export function githubChecksumValid(token: string): boolean {
  const m = /^(gh[pousr]|github_pat)_([A-Za-z0-9_]+)$/.exec(token);
  if (!m || !m[2] || m[1] === "github_pat") return m !== null && m[1] === "github_pat";
  const body = m[2];
  if (body.length !== 36) return false;
  return base62(crc32(body.slice(0, 30)), 6) === body.slice(30);
}

export function runValidators(validators: readonly Validator[], value: string): boolean {
  for (const v of validators) {
    switch (v.type) {
      case "luhn":
        if (!luhn(value)) return false;
        break;
      case "iban":
        if (!ibanValid(value)) return false;
        break;
      case "entropy":
        if (entropy(value) < v.min) return false;
        break;
      case "not_placeholder":
        if (isPlaceholder(value)) return false;
        break;
      case "github_checksum":
        if (!githubChecksumValid(value)) return false;
        break;
      case "min_distinct":
        if (new Set(value).size < v.min) return false;
        break;
    }
  }
  return true;
}
