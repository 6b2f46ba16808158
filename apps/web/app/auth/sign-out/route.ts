import { type NextRequest, NextResponse } from 'next/server';

import { clearSessionCookie, fromAnotherSite } from '../../../src/server/session-cookie';

export const dynamic = 'force-dynamic';

/**
 * `POST /auth/sign-out` (the nav's form): drops the session cookie and goes to the sign-in page.
 * The key itself stays valid; revoking it is an admin's job (/admin/keys).
 */
export function POST(request: NextRequest): Response {
  if (fromAnotherSite(request)) return new Response('sign out from this site', { status: 403 });
  // relative: `request.nextUrl` may name another host than the browser used (see middleware.ts)
  const response = new NextResponse(null, { status: 303, headers: { location: '/sign-in' } });
  clearSessionCookie(response, request);
  return response;
}
