// One access-log line per request, written once its response has gone out. Fastify's default
// also logs a line when a request arrives: a synchronous write to stdout in front of every
// request, the gateway's included, before auth or routing (40 to 100 µs when the caches are cold,
// as they are between an agent's calls). The line written at the end names the request too, so
// nothing is lost but the duplicate.
//
// Routes whose every call leaves a record of its own (a gateway call's traffic record and scans)
// mark themselves `config: { accessLog: "debug" }`: their line goes at debug unless the call
// failed with a 5xx. At gateway rates an info line per call would repeat those records on stdout,
// cost each call a synchronous write, and run into log collectors' rate limits (journald drops a
// service's lines past 10,000 per 30 s by default), taking the server's warnings down with it.
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
    else if (reply.statusCode < 500 && request.routeOptions.config.accessLog === "debug") reply.log.debug(line, "request completed");
    else reply.log.info(line, "request completed");
  }
}
