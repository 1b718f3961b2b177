// Receives one uploaded file stream into a temporary file, hashing (sha256), counting and
// watching for EICAR as the bytes pass, and keeping only the first bytes for type sniffing.
// Memory stays flat whatever the size; past `maxBytes` it stops at once with 413.
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { AppError } from "../../errors.ts";
import { EicarDetector } from "./eicar.ts";
import { SNIFF_BYTES } from "./sniff.ts";

export interface Received {
  size: number;
  sha256: string;
  /** The first SNIFF_BYTES bytes (or the whole file if smaller). */
  head: Buffer;
  eicar: boolean;
}

export function tooLarge(maxBytes: number): AppError {
  return new AppError("payload_too_large", `file exceeds the ${maxBytes}-byte upload limit`, { details: { max_bytes: maxBytes } });
}

export async function receiveToFile(source: Readable, tempPath: string, maxBytes: number): Promise<Received> {
  const hash = createHash("sha256");
  const eicar = new EicarDetector();
  const headChunks: Buffer[] = [];
  let headBytes = 0;
  let size = 0;
  const inspect = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      if (size > maxBytes) {
        done(tooLarge(maxBytes));
        return;
      }
      hash.update(chunk);
      eicar.push(chunk);
      if (headBytes < SNIFF_BYTES) {
        const part = chunk.subarray(0, SNIFF_BYTES - headBytes);
        headChunks.push(Buffer.from(part));
        headBytes += part.length;
      }
      done(null, chunk);
    },
  });
  await pipeline(source, inspect, createWriteStream(tempPath, { mode: 0o600 }));
  return { size, sha256: hash.digest("hex"), head: Buffer.concat(headChunks), eicar: eicar.found };
}
