/** Per-connection headers that a proxy must not pass on, and ones `fetch` sets itself. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'host',
  'content-length',
  'accept-encoding',
  'upgrade',
  'te',
  'trailer',
]);

/**
 * What the `/api/*` proxy sends upstream: the browser's headers without its cookies (the session
 * is this server's business, not the API's) and without any `authorization` it made up, plus the
 * session's own key as the bearer token.
 */
export function upstreamHeaders(incoming: Headers, key: string): Headers {
  const headers = new Headers();
  incoming.forEach((value, name) => {
    if (!HOP_BY_HOP.has(name) && name !== 'cookie' && name !== 'authorization') headers.set(name, value);
  });
  headers.set('authorization', `Bearer ${key}`);
  return headers;
}

/**
 * What the browser gets back: the API's headers without hop-by-hop ones, `content-encoding` (the
 * body was already decoded) and `set-cookie` (only this server sets cookies on its origin).
 */
export function downstreamHeaders(upstream: Headers): Headers {
  const headers = new Headers();
  upstream.forEach((value, name) => {
    if (!HOP_BY_HOP.has(name) && name !== 'content-encoding' && name !== 'set-cookie') headers.set(name, value);
  });
  return headers;
}
