import { type NextRequest, NextResponse } from 'next/server';

import { clearSessionCookie, readSession, SESSION_COOKIE } from './src/server/session-cookie';

/**
 * Every page but /sign-in needs a session whose cookie opens (./src/server/session.ts): without
 * one, the browser goes to `/sign-in?next=<where it was going>`. `/api/*` answers 401 itself (its
 * callers are scripts, not people) and `/auth/*` are the sign-in and sign-out handlers.
 *
 * The Node.js runtime: the same process and secret as the route handlers, so a per-process random
 * secret (no ATELIER_UI_SECRET) works too.
 */
export async function middleware(request: NextRequest): Promise<NextResponse> {
  if (request.nextUrl.pathname === '/sign-in' || (await readSession(request.cookies))) return NextResponse.next();

  // `request.url`, not `request.nextUrl`: with `skipMiddlewareUrlNormalize` (next.config.mjs) it is
  // the address Next listens on, so Next sends this redirect on as a relative one, and the browser
  // stays on the host it used (127.0.0.1, or the public name in front of a proxy).
  const target = new URL('/sign-in', request.url);
  const from = `${request.nextUrl.pathname}${request.nextUrl.search}`;
  if (from !== '/') target.searchParams.set('next', from);
  const response = NextResponse.redirect(target);
  // a cookie that does not open (forged, expired, another secret) is of no more use
  if (request.cookies.has(SESSION_COOKIE)) clearSessionCookie(response, request);
  return response;
}

export const config = {
  runtime: 'nodejs',
  matcher: ['/((?!api/|auth/|_next/|icon\\.svg|favicon\\.ico|robots\\.txt).*)'],
};
