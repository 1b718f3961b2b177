// The client's end of a relayed stream: a raw ServerResponse behind the StreamSink interface.
//
// A class, not closures in the route handler, on purpose. Closures made there put the handler's
// scope (the request, its parsed body, the prepared call) into a heap context object. Measured
// under the OpenClaw request shape (60 KB bodies, 100 streams/s, --trace-gc-nvp), that kept about
// 120 KB per request alive through young-generation collections long after the stream ended:
// 12 MB promoted per second, freed only by the next major GC, and scavenges of 10-15 ms instead
// of 1-2 ms. Why the young collector kept them is not understood (a heap snapshot, which runs a
// full GC first, finds none of it reachable); the same code without those closures promotes
// under 1.2 MB per scavenge. This object holds the response and the request id only.
import type { ServerResponse } from "node:http";
import type { StreamSink } from "../chat-stream.ts";
import { abortWhenClientLeaves } from "./client-gone.ts";

export class ResponseSink implements StreamSink {
  readonly #res: ServerResponse;
  readonly #requestId: string;
  /** Aborted when the client goes away before the response is finished, or is abandoned. */
  readonly #controller: AbortController;
  #corked = false;

  constructor(res: ServerResponse, requestId: string, controller: AbortController) {
    this.#res = res;
    this.#requestId = requestId;
    this.#controller = controller;
    abortWhenClientLeaves(res, controller);
  }

  open(headers: Record<string, string>): void {
    const res = this.#res;
    res.writeHead(200, { ...headers, "x-request-id": this.#requestId });
    // Send the headers now: clients start their time-to-first-token clock on them. The socket
    // stays corked until the events the upstream sent with its headers have been relayed
    // (flush(), after the first read), or at the latest until the end of this turn of the event
    // loop when none came: headers and first events leave in one write, not two. end() uncorks
    // fully by itself. (The socket, not res.cork(): with chunked encoding, res.end() writes its
    // terminator before res.cork()'s buffer.)
    const socket = res.socket;
    if (socket) {
      socket.cork();
      this.#corked = true;
      setImmediate(this.flush);
    }
    res.flushHeaders();
  }

  readonly flush = (): void => {
    if (!this.#corked) return;
    this.#corked = false;
    if (!this.#res.writableEnded) this.#res.socket?.uncork();
  };

  write(text: string): void {
    this.#res.write(text);
  }

  get congested(): boolean {
    return this.#res.writableNeedDrain && !this.closed;
  }

  drained(timeoutMs: number): Promise<boolean> {
    const res = this.#res;
    return new Promise<boolean>((resolve) => {
      const settle = (drained: boolean): void => {
        clearTimeout(timer);
        res.off("drain", onDrain);
        res.off("close", onClose);
        resolve(drained);
      };
      const onDrain = (): void => settle(true);
      const onClose = (): void => settle(false);
      const timer = setTimeout(settle, timeoutMs, false);
      res.on("drain", onDrain);
      res.on("close", onClose);
    });
  }

  abandon(): void {
    this.#controller.abort();
    this.#res.destroy();
  }

  end(): void {
    if (!this.#res.writableEnded) this.#res.end();
  }

  get closed(): boolean {
    return this.#controller.signal.aborted || this.#res.destroyed;
  }
}
