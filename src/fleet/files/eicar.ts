// The EICAR anti-virus test file (https://www.eicar.org): every scanner must report it, so ClamAV
// or not, ClawNex detects it itself. Fed chunk by chunk while the upload streams, it keeps only
// the last few bytes between chunks, so memory stays constant whatever the file's size.
// The signature is assembled from two halves so this source file is not itself flagged.
const EICAR = Buffer.from("X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + "EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*", "latin1");

export const EICAR_SIGNATURE_NAME = "Eicar-Test-Signature";

export class EicarDetector {
  #tail: Buffer = Buffer.alloc(0);
  #found = false;

  get found(): boolean {
    return this.#found;
  }

  push(chunk: Buffer): void {
    if (this.#found) return;
    const keep = EICAR.length - 1;
    // Only the seam (the previous tail plus this chunk's start) is copied, never the chunk.
    const seam = this.#tail.length > 0 ? Buffer.concat([this.#tail, chunk.subarray(0, keep)]) : Buffer.alloc(0);
    if (seam.includes(EICAR) || chunk.includes(EICAR)) {
      this.#found = true;
      return;
    }
    this.#tail = chunk.length >= keep ? Buffer.from(chunk.subarray(chunk.length - keep)) : Buffer.from(Buffer.concat([this.#tail, chunk]).subarray(-keep));
  }
}

/** The test string itself, for tests and self-checks. */
export function eicarTestString(): string {
  return EICAR.toString("latin1");
}
