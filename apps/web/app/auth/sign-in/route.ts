import { type NextRequest, NextResponse } from 'next/server';

import type { ErrorBody } from '@atelier/contracts';

import { safeNextPath } from '../../../src/lib/next-path';
import { apiUrl } from '../../../src/server/config';
import { checkKey } from '../../../src/server/key-check';
import { sessionEnd } from '../../../src/server/session';
import { fromAnotherSite, setSessionCookie } from '../../../src/server/session-cookie';

export const dynamic = 'force-dynamic';

/** What the sign-in form sends: the key as typed, and the page to go back to. */
interface SignInBody {
  key?: unknown;
  next?: unknown;
}

/**
 * `POST /auth/sign-in` `{ key, next? }`: checks the key with the API (`whoami`) and, when it is
 * good, answers `{ next, owner, role }` with the sealed session cookie; otherwise the API's error
 * (or this server's) with its status, and no cookie. The key is never sent back.
 */
export async function POST(request: NextRequest): Promise<Response> {
  if (fromAnotherSite(request)) return problem(403, { code: 'FORBIDDEN', message: 'sign in from this site', requestId: '' });
  if (!request.headers.get('content-type')?.startsWith('application/json')) {
    return problem(400, { code: 'BAD_REQUEST', message: 'send JSON: { "key": "atl_…" }', requestId: '' });
  }
  const body = (await request.json().catch(() => ({}))) as SignInBody;
  const key = typeof body.key === 'string' ? body.key.trim() : '';
  if (!key) return problem(400, { code: 'VALIDATION_FAILED', message: 'Enter an API key.', requestId: '' });

  const check = await checkKey(apiUrl(), key);
  if (!check.ok) return problem(check.status, check.body);
  const { id, owner, role, expiresAt } = check.who;
  const response = NextResponse.json({ next: safeNextPath(typeof body.next === 'string' ? body.next : null), owner, role });
  await setSessionCookie(response, { key, keyId: id, owner, role, expiresAt: sessionEnd(Date.now(), expiresAt) }, request);
  return response;
}

function problem(status: number, body: ErrorBody): Response {
  return NextResponse.json(body, { status, headers: { 'cache-control': 'no-store' } });
}
