import type { IncomingHttpHeaders } from 'node:http';

/**
 * A request that names a content type but sends no body — `curl -X POST -H
 * content-type:application/json` (the README's `acurl`), or a client that sets the header on every
 * call — is read as a request without a body, as if the header were absent: Fastify would
 * otherwise refuse it (400, "Body cannot be empty when content-type is set to
 * 'application/json'") before the route could say whether it needs one. A route that needs a body
 * still refuses its absence itself, with its own 400. For an `onRequest` hook.
 */
export function dropTypeOfEmptyBody(headers: IncomingHttpHeaders): void {
  if (headers['content-type'] === undefined || headers['transfer-encoding'] !== undefined) return;
  const length = headers['content-length'];
  if (length === undefined || length === '0') delete headers['content-type'];
}
