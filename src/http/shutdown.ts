// Stopping the HTTP server without hanging on its clients. Fastify's close() waits for every
// connection that is not idle: a stream still relaying a long generation, or a client that opened
// a connection and never sent a request (Node counts that as busy until its 60 s header timeout).
// Behind a supervisor that kills after a few seconds (Docker's default is 10), that wait would cost
// the traffic records still queued, which are written after the server has stopped. So requests in
// flight get a grace period, then every connection still open is closed: cut streams end as client
// disconnects (the upstream call is aborted and the record kept).
import type { FastifyInstance } from "fastify";

export async function closeServer(app: FastifyInstance, graceMs: number): Promise<void> {
  const timer = setTimeout(() => app.server.closeAllConnections(), graceMs);
  try {
    await app.close();
  } finally {
    clearTimeout(timer);
  }
}
