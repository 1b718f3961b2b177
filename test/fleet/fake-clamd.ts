// A tiny clamd that speaks INSTREAM, for tests: it parses the framing strictly (command, then
// 4-byte big-endian length-prefixed chunks, then a zero-length chunk) and reports a signature when
// the streamed bytes contain MARKER. It records what it received so tests can check the framing.
import { createServer, type Server, type Socket } from "node:net";

export const CLAMD_MARKER = "zz-clamd-test-virus";

export interface FakeClamd {
  address: string;
  /** Byte counts of each complete INSTREAM scan received. */
  scans: number[];
  close(): Promise<void>;
}

function handle(socket: Socket, scans: number[]): void {
  let buffer = Buffer.alloc(0);
  let commandSeen = false;
  const body: Buffer[] = [];
  let total = 0;
  socket.on("data", (data: Buffer) => {
    buffer = Buffer.concat([buffer, data]);
    if (!commandSeen) {
      const end = buffer.indexOf(0);
      if (end < 0) return;
      const command = buffer.subarray(0, end).toString("latin1");
      buffer = buffer.subarray(end + 1);
      if (command !== "zINSTREAM") {
        socket.end("UNKNOWN COMMAND\0");
        return;
      }
      commandSeen = true;
    }
    while (buffer.length >= 4) {
      const length = buffer.readUInt32BE(0);
      if (length === 0) {
        scans.push(total);
        const content = Buffer.concat(body).toString("latin1");
        socket.end(content.includes(CLAMD_MARKER) ? "stream: Test.Clamd.Marker FOUND\0" : "stream: OK\0");
        return;
      }
      if (buffer.length < 4 + length) return;
      body.push(buffer.subarray(4, 4 + length));
      total += length;
      buffer = buffer.subarray(4 + length);
    }
  });
  socket.on("error", () => {});
}

export async function startFakeClamd(): Promise<FakeClamd> {
  const scans: number[] = [];
  const server: Server = createServer((socket) => handle(socket, scans));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return { address: `127.0.0.1:${address.port}`, scans, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
