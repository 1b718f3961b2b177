// Multipart uploads for the tests: small files through fetch + FormData (as a browser or the SDK
// sends them), and a large streamed body through node:http, generated on the fly so the test
// itself never holds it in memory.
import { request } from "node:http";
import type { Reply } from "./client.ts";

export async function upload(url: string, key: string | undefined, content: Buffer | string, filename = "notes.txt", type = "text/plain", headers: Record<string, string> = {}): Promise<Reply> {
  const form = new FormData();
  form.append("file", new Blob([content], { type }), filename);
  const all: Record<string, string> = { ...headers };
  if (key) all["x-clawnex-key"] = key;
  const response = await fetch(url, { method: "POST", headers: all, body: form });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

/**
 * POSTs a multipart body whose file part is `size` bytes of `fill`, written in 1 MiB chunks.
 * Resolves with the response as soon as it arrives, even if the server stops reading early.
 */
export function streamUpload(url: string, key: string, size: number, fill = 0x61): Promise<{ status: number; body: Reply["body"]; sent: number }> {
  const boundary = `----clawnex${Date.now()}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const chunk = Buffer.alloc(1024 * 1024, fill);
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = request(url, { method: "POST", headers: { "x-clawnex-key": key, "content-type": `multipart/form-data; boundary=${boundary}`, "content-length": String(head.length + size + tail.length) } });
    req.on("response", (res) => {
      answered = true;
      const parts: Buffer[] = [];
      res.on("data", (d: Buffer) => parts.push(d));
      res.on("end", () => {
        const text = Buffer.concat(parts).toString("utf8");
        resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null, sent });
      });
    });
    // Once the server has answered (413) and closed, further writes fail: that is expected.
    req.on("error", (err) => {
      if (!answered) reject(err);
    });
    const write = async () => {
      if (!req.write(head)) await new Promise((r) => req.once("drain", r));
      let left = size;
      while (left > 0 && !answered && !req.destroyed) {
        const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
        left -= piece.length;
        sent += piece.length;
        if (!req.write(piece)) await new Promise((r) => {
          req.once("drain", r);
          req.once("close", r);
        });
      }
      if (!answered && !req.destroyed) req.end(tail);
    };
    void write().catch((err: unknown) => {
      if (!answered) reject(err as Error);
    });
  });
}
