import { type NextRequest, NextResponse } from 'next/server';

import { apiUrl } from '../../../src/server/config';
import { downstreamHeaders, upstreamHeaders } from '../../../src/server/proxy-headers';
import { clearSessionCookie, readSession } from '../../../src/server/session-cookie';

/**
 * The browser's one door to the platform: `/api/*` on this server is forwarded to the Atelier
 * API, so there is one origin and no CORS. Read per request (not at build time like a Next
 * rewrite), so one build runs against any API: `ATELIER_API_URL` (default http://127.0.0.1:3000).
 *
 * Every call carries the signed-in person's API key, taken from the sealed session cookie; the
 * browser never holds it. Without a session nothing is sent upstream.
 */
export const dynamic = 'force-dynamic';

async function forward(request: NextRequest): Promise<Response> {
  const session = await readSession(request.cookies);
  if (!session) {
    return NextResponse.json({ code: 'UNAUTHENTICATED', message: 'sign in first', requestId: '' }, { status: 401 });
  }
  const api = apiUrl();
  const target = `${api}${request.nextUrl.pathname}${request.nextUrl.search}`;
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
  let upstream: Response;
  try {
    upstream = await fetch(target, {
      method: request.method,
      headers: upstreamHeaders(request.headers, session.key),
      body: hasBody ? await request.arrayBuffer() : undefined,
      cache: 'no-store',
    });
  } catch {
    // 502 with no JSON error body: the UI reads this as "cannot reach the API"
    return new Response(`cannot reach the Atelier API at ${api}`, { status: 502, headers: { 'content-type': 'text/plain' } });
  }
  const response = new NextResponse(upstream.body, { status: upstream.status, headers: downstreamHeaders(upstream.headers) });
  // The key was revoked or expired since sign-in: end the session, so the next page asks again.
  if (upstream.status === 401) clearSessionCookie(response, request);
  return response;
}

export { forward as DELETE, forward as GET, forward as PATCH, forward as POST, forward as PUT };
