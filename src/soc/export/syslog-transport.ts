// Sending syslog messages: UDP (RFC 5426, one message per datagram) or a stream — TCP or TLS —
// with octet-counting framing (RFC 6587: "LEN SP MSG"). A stream connects on first use and
// reconnects after an error; send() rejects when the messages could not be written, so the
// forwarder keeps its position and retries them.
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { isIPv6 } from "node:net";
import { connect as tcpConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";

export interface SyslogTransport {
  send(messages: string[]): Promise<void>;
  close(): Promise<void>;
}

export interface TransportOptions {
  transport: "udp" | "tcp" | "tls";
  host: string;
  port: number;
  tlsRejectUnauthorized: boolean;
  /** Connect and write timeout. */
  timeoutMs?: number;
}

/** UDP datagrams above this are cut (a SIEM would drop or truncate them anyway). */
export const MAX_DATAGRAM_BYTES = 8192;

class UdpTransport implements SyslogTransport {
  readonly #socket: UdpSocket;
  readonly #options: TransportOptions;

  constructor(options: TransportOptions) {
    this.#options = options;
    this.#socket = createSocket(isIPv6(options.host) ? "udp6" : "udp4");
    this.#socket.unref();
  }

  async send(messages: string[]): Promise<void> {
    for (const message of messages) {
      let bytes = Buffer.from(message, "utf8");
      if (bytes.length > MAX_DATAGRAM_BYTES) bytes = bytes.subarray(0, MAX_DATAGRAM_BYTES);
      await new Promise<void>((resolve, reject) => this.#socket.send(bytes, this.#options.port, this.#options.host, (err) => (err ? reject(err) : resolve())));
    }
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.#socket.close(() => resolve()));
  }
}

class StreamTransport implements SyslogTransport {
  readonly #options: TransportOptions;
  #socket: Socket | undefined;

  constructor(options: TransportOptions) {
    this.#options = options;
  }

  #connect(): Promise<Socket> {
    if (this.#socket && !this.#socket.destroyed) return Promise.resolve(this.#socket);
    const { host, port, transport, tlsRejectUnauthorized } = this.#options;
    const timeout = this.#options.timeoutMs ?? 5000;
    return new Promise<Socket>((resolve, reject) => {
      const socket: Socket = transport === "tls" ? tlsConnect({ host, port, servername: host, rejectUnauthorized: tlsRejectUnauthorized }) : tcpConnect({ host, port });
      const fail = (err: Error) => {
        socket.destroy();
        reject(err);
      };
      socket.setTimeout(timeout, () => fail(new Error(`syslog ${transport} ${host}:${port}: timed out`)));
      socket.once("error", fail);
      socket.once(transport === "tls" ? "secureConnect" : "connect", () => {
        socket.off("error", fail);
        socket.setTimeout(0);
        // Later errors (the collector went away) drop the socket; the next send reconnects.
        socket.on("error", () => socket.destroy());
        socket.on("end", () => socket.destroy());
        socket.on("close", () => {
          if (this.#socket === socket) this.#socket = undefined;
        });
        socket.on("data", () => {});
        socket.unref();
        this.#socket = socket;
        resolve(socket);
      });
    });
  }

  async send(messages: string[]): Promise<void> {
    if (messages.length === 0) return;
    const socket = await this.#connect();
    const frame = messages.map((m) => `${Buffer.byteLength(m, "utf8")} ${m}`).join("");
    await new Promise<void>((resolve, reject) => {
      socket.write(frame, "utf8", (err) => {
        if (err) {
          socket.destroy();
          reject(err);
        } else resolve();
      });
    });
  }

  async close(): Promise<void> {
    const socket = this.#socket;
    this.#socket = undefined;
    if (!socket || socket.destroyed) return;
    await new Promise<void>((resolve) => socket.end(() => resolve()));
  }
}

export function createTransport(options: TransportOptions): SyslogTransport {
  return options.transport === "udp" ? new UdpTransport(options) : new StreamTransport(options);
}
