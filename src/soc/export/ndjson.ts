// Streams feed records as NDJSON (one JSON object per line) from an async source, in the
// request's own pace: the response pulls pages from the store as the client reads.
import { Readable } from "node:stream";

export function ndjsonStream<T>(source: AsyncIterable<T>, transform: (batch: T[]) => Promise<unknown[]> = async (b) => b, batchSize = 200): Readable {
  async function* lines(): AsyncGenerator<string> {
    let batch: T[] = [];
    for await (const item of source) {
      batch.push(item);
      if (batch.length >= batchSize) {
        yield (await transform(batch)).map((r) => `${JSON.stringify(r)}\n`).join("");
        batch = [];
      }
    }
    if (batch.length > 0) yield (await transform(batch)).map((r) => `${JSON.stringify(r)}\n`).join("");
  }
  return Readable.from(lines());
}
