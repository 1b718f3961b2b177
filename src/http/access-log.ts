// One access-log line per request, written once its response has gone out. Fastify's default
// also logs a line when a request arrives: a synchronous write to stdout in front of every
// request, the gateway's included, before auth or routing (40 to 100 µs when the caches are cold,
// as they are between an agent's calls). The line written at the end names the request too, so
// nothing is lost but the duplicate.
//
// Routes whose answered calls leave a record of their own (a gateway call's traffic record and
// scans) mark themselves `config: { accessLog: "debug" }`: a call they answer with success logs
// at debug. At gateway rates an info line per call would repeat those records on stdout, cost each
// call a synchronous write, and run into log collectors' rate limits (journald drops a service's
// lines past 10,000 per 30 s by default), taking the server's warnings down with it. Every other
// status stays at info: a rejected key, a Shield block or an upstream failure is what an operator
// reading the log is looking for.
import { LogController, type FastifyReply, type FastifyRequest } from "fastify";

declare module "fastify" {
  interface FastifyContextConfig {
    accessLog?: "debug";
  }
}

export class AccessLogController extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    const line = { req: request, res: reply, responseTime: reply.elapsedTime };
    if (error) reply.log.error({ ...line, err: error }, "request errored");
    else if (reply.statusCode < 400 && request.routeOptions.config.accessLog === "debug") reply.log.debug(line, "request completed");
    else reply.log.info(line, "request completed");
  }
}
