// A ClamAV clamd client speaking the INSTREAM protocol over TCP ("host:port") or a unix socket
// ("/path"): "zINSTREAM\0", then chunks each prefixed by their 4-byte big-endian length, then a
// zero-length chunk; clamd answers "stream: OK", "stream: <signature> FOUND" or "... ERROR".
import { createReadStream } from "node:fs";
import { connect, type Socket } from "node:net";

export interface ClamdVerdict {
  status: "clean" | "infected" | "error";
  signature: string | null;
  /** clamd's reply line, for the record. */
  reply: string;
}

export interface ClamdOptions {
  /** CLAWNEX_CLAMD: "host:port" or an absolute unix socket path. */
  address: string;
  timeoutMs: number;
  chunkBytes?: number;
}

function open(address: string): Socket {
  if (address.startsWith("/")) return connect({ path: address });
  const colon = address.lastIndexOf(":");
  return connect({ host: address.slice(0, colon), port: Number(address.slice(colon + 1)) });
}

export function parseClamdReply(reply: string): ClamdVerdict {
  const text = reply.replace(/\0/g, "").trim();
  const found = /^(?:stream|[^:]*):\s*(.+?)\s+FOUND$/.exec(text);
  if (found?.[1]) return { status: "infected", signature: found[1], reply: text };
  if (/:\s*OK$/.test(text)) return { status: "clean", signature: null, reply: text };
  return { status: "error", signature: null, reply: text };
}

/** Streams the file at `path` to clamd; resolves with its verdict (never throws: errors are a verdict). */
export function scanFileWithClamd(path: string, options: ClamdOptions): Promise<ClamdVerdict> {
  return new Promise((resolve) => {
    const socket = open(options.address);
    const reply: Buffer[] = [];
    let settled = false;
    const finish = (verdict: ClamdVerdict) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      file.destroy();
      resolve(verdict);
    };
    const fail = (message: string) => finish({ status: "error", signature: null, reply: message });
    const file = createReadStream(path, { highWaterMark: options.chunkBytes ?? 64 * 1024 });
    socket.setTimeout(options.timeoutMs, () => fail(`clamd did not answer within ${options.timeoutMs} ms`));
    socket.on("error", (err) => fail(`clamd connection failed: ${err.message}`));
    file.on("error", (err) => fail(`could not read the file for clamd: ${err.message}`));
    socket.on("data", (data: Buffer) => {
      reply.push(data);
      // clamd may answer before the stream ends (e.g. size limit exceeded): that ends the scan.
      if (data.includes(0)) finish(parseClamdReply(Buffer.concat(reply).toString("utf8")));
    });
    socket.on("end", () => finish(parseClamdReply(Buffer.concat(reply).toString("utf8"))));
    socket.once("connect", async () => {
      try {
        socket.write("zINSTREAM\0");
        for await (const chunk of file) {
          const data = chunk as Buffer;
          const header = Buffer.alloc(4);
          header.writeUInt32BE(data.length);
          if (!socket.write(Buffer.concat([header, data]))) await new Promise<void>((done) => {
            socket.once("drain", done);
            socket.once("close", done);
          });
          if (settled) return;
        }
        socket.write(Buffer.alloc(4));
      } catch (err) {
        fail(`clamd stream failed: ${(err as Error).message}`);
      }
    });
  });
}
