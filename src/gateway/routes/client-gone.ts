// A client that closes its connection before its answer was sent no longer wants it: the upstream
// call it started is aborted (it may be a long, paid generation). The response's "close" is the
// signal; the request's own "close" is no use here, as Node emits it once the body has been read.
import type { ServerResponse } from "node:http";

/** Aborts `controller` if `res` closes unfinished; returns the function that stops watching. */
export function abortWhenClientLeaves(res: ServerResponse, controller: AbortController): () => void {
  const onClose = (): void => {
    if (!res.writableFinished) controller.abort();
  };
  res.on("close", onClose);
  return () => res.off("close", onClose);
}
