import type { NextRequest } from 'next/server';

/**
 * The browser's one door to the platform: `/api/*` on this server is forwarded to the Atelier
 * API, so there is one origin and no CORS. Read per request (not at build time like a Next
 * rewrite), so one build runs against any API: `ATELIER_API_URL` (default http://127.0.0.1:3000).
 */
export const dynamic = 'force-dynamic';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host', 'content-length', 'accept-encoding']);

async function forward(request: NextRequest): Promise<Response> {
  const api = (process.env.ATELIER_API_URL ?? 'http://127.0.0.1:3000').replace(/\/$/, '');
  const target = `${api}${request.nextUrl.pathname}${request.nextUrl.search}`;
  const headers = new Headers();
  request.headers.forEach((value, key) => {
    if (!HOP_BY_HOP.has(key)) headers.set(key, value);
  });
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
  try {
    const upstream = await fetch(target, { method: request.method, headers, body: hasBody ? await request.arrayBuffer() : undefined, cache: 'no-store' });
    const out = new Headers();
    upstream.headers.forEach((value, key) => {
      if (!HOP_BY_HOP.has(key) && key !== 'content-encoding') out.set(key, value);
    });
    return new Response(upstream.body, { status: upstream.status, headers: out });
  } catch {
    // 502 with no JSON error body: the UI reads this as "cannot reach the API"
    return new Response(`cannot reach the Atelier API at ${api}`, { status: 502, headers: { 'content-type': 'text/plain' } });
  }
}

export { forward as DELETE, forward as GET, forward as PATCH, forward as POST, forward as PUT };
