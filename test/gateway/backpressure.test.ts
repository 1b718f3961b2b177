// A stream client that stops reading: ClawNex must hold the upstream back (TCP flow control on
// both hops) rather than read the whole generation into its own memory on the client's behalf.
// The upstream here honours backpressure itself and counts what it managed to send.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";
import { after, before, test } from "node:test";
import { type GatewayHarness, startGateway, traffic } from "./setup.ts";

const STREAM_BYTES = 256 * 1024 * 1024;
const CONTENT = "The quarterly report lists open actions for the team and the dates they are due. ".repeat(10);

let upstream: Server;
let sent = 0;
let upstreamClosed = false;
let h: GatewayHarness;

before(async () => {
  upstream = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.on("close", () => (upstreamClosed = true));
      const event = `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 0, model: "m", choices: [{ index: 0, delta: { content: CONTENT }, finish_reason: null }] })}\n\n`;
      const pump = (): void => {
        while (sent < STREAM_BYTES && !res.destroyed) {
          sent += event.length;
          if (!res.write(event)) return void res.once("drain", pump);
        }
        if (!res.destroyed) res.end("data: [DONE]\n\n");
      };
      pump();
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  const { port } = upstream.address() as AddressInfo;
  h = await startGateway({ providers: () => [{ id: "fast", kind: "openai-compatible", baseUrl: `http://127.0.0.1:${port}/v1`, apiKeyEnv: "LOCAL_KEY", models: ["*"] }] });
});

after(async () => {
  await h.close();
  upstream.closeAllConnections();
  await new Promise((resolve) => upstream.close(resolve));
});

/** A stream request over a raw socket that, once the response has begun, reads nothing more. */
async function stalledClient(gateway: GatewayHarness): Promise<Socket> {
  sent = 0;
  upstreamClosed = false;
  const url = new URL(gateway.server.url);
  const body = JSON.stringify({ model: "m", stream: true, messages: [{ role: "user", content: "a very long answer please" }] });
  const client = connect(Number(url.port), "127.0.0.1");
  await new Promise<void>((resolve) => client.once("connect", resolve));
  client.write(`POST /v1/chat/completions HTTP/1.1\r\nhost: ${url.host}\r\nauthorization: Bearer ${gateway.key}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  const head = await new Promise<string>((resolve) => client.once("data", (d: Buffer) => resolve(d.toString("latin1"))));
  assert.match(head, /^HTTP\/1\.1 200/);
  client.pause();
  return client;
}

async function waitFor(check: () => boolean): Promise<boolean> {
  for (let i = 0; i < 250 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
  return check();
}

test("a stream client that stops reading holds the upstream back; when it leaves, the upstream call is aborted", async () => {
  const client = await stalledClient(h);
  await new Promise((r) => setTimeout(r, 1500));
  const early = sent;
  await new Promise((r) => setTimeout(r, 1500));
  // What is in flight fits in the socket buffers of the two hops and the gateway's read-ahead: a
  // few megabytes, not the generation (a gateway that kept reading would be hundreds of MB in).
  assert.ok(sent < 32 * 1024 * 1024, `the upstream sent ${(sent / 1048576).toFixed(1)} MB to a client that reads nothing`);
  assert.ok(sent - early < 4 * 1024 * 1024, `the upstream kept sending: ${((sent - early) / 1048576).toFixed(1)} MB in the last 1.5 s`);
  client.destroy();
  assert.equal(await waitFor(() => upstreamClosed), true, "the upstream request was aborted once the client left");
});

test("a stream client that reads nothing for clientStallTimeoutMs is disconnected, its upstream call aborted and recorded", async () => {
  const { port } = upstream.address() as AddressInfo;
  const strict = await startGateway({
    gateway: { clientStallTimeoutMs: 300 },
    providers: () => [{ id: "fast", kind: "openai-compatible", baseUrl: `http://127.0.0.1:${port}/v1`, apiKeyEnv: "LOCAL_KEY", models: ["*"] }],
  });
  try {
    const client = await stalledClient(strict);
    assert.equal(await waitFor(() => upstreamClosed), true, "the upstream call was aborted");
    // The connection was closed under it: reading again, the client gets what was in flight, then the end.
    let closed = false;
    client.once("close", () => (closed = true));
    client.resume();
    assert.equal(await waitFor(() => closed), true, "the stalled client's connection was closed");
    const [row] = await traffic(strict);
    assert.equal(row?.outcome, "client_disconnect");
    assert.equal(row?.error_code, "client_stalled");
  } finally {
    await strict.close();
  }
});
