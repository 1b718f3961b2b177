// Unbiased random base62 strings for API keys and ids.
import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
// 248 = 4 * 62: bytes at or above it are discarded, so `byte % 62` is uniform (no modulo bias).
const LIMIT = 256 - (256 % ALPHABET.length);

export function randomBase62(length: number): string {
  let out = "";
  while (out.length < length) {
    // About 3% of bytes are rejected; ask for a little more than needed to rarely loop twice.
    for (const byte of randomBytes(Math.ceil((length - out.length) * 1.1) + 2)) {
      if (byte < LIMIT) out += ALPHABET[byte % ALPHABET.length];
      if (out.length === length) break;
    }
  }
  return out;
}
