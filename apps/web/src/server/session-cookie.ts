import { cookies } from 'next/headers';
import type { NextRequest, NextResponse } from 'next/server';

import { uiSecret } from './config';
import { openSession, sealSession, type Session, sessionKey, type SessionUser, sessionUser } from './session';

/** The cookie that holds the sealed session (see ./session.ts). */
export const SESSION_COOKIE = 'atelier_session';

interface CookieReader {
  get(name: string): { value: string } | undefined;
}

let derived: { secret: string; key: Promise<CryptoKey> } | undefined;

/** The sealing key of the current secret, derived once. */
function currentKey(): Promise<CryptoKey> {
  const secret = uiSecret();
  if (derived?.secret !== secret) derived = { secret, key: sessionKey(secret) };
  return derived.key;
}

/** The session of a request (`request.cookies`, or `await cookies()`), or `null`. */
export async function readSession(jar: CookieReader): Promise<Session | null> {
  return openSession(jar.get(SESSION_COOKIE)?.value, await currentKey());
}

/** The signed-in person, for server components: owner, role, key id and end; never the key. */
export async function currentUser(): Promise<SessionUser | null> {
  const session = await readSession(await cookies());
  return session ? sessionUser(session) : null;
}

/**
 * Sets the sealed session on a response: http-only (no script reads it), SameSite=Lax (not sent
 * with other sites' POSTs or fetches), Secure when the request came over https, and gone when the
 * session ends.
 */
export async function setSessionCookie(response: NextResponse, session: Session, request: NextRequest): Promise<void> {
  response.cookies.set(SESSION_COOKIE, await sealSession(session, await currentKey()), {
    ...attributes(request),
    expires: new Date(session.expiresAt),
    maxAge: Math.max(0, Math.floor((session.expiresAt - Date.now()) / 1000)),
  });
}

export function clearSessionCookie(response: NextResponse, request: NextRequest): void {
  response.cookies.set(SESSION_COOKIE, '', { ...attributes(request), expires: new Date(0), maxAge: 0 });
}

function attributes(request: NextRequest) {
  return { httpOnly: true, sameSite: 'lax', secure: cameOverHttps(request), path: '/' } as const;
}

/** Directly, or through a proxy that terminates TLS and says so. */
function cameOverHttps(request: NextRequest): boolean {
  const forwarded = request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  return request.nextUrl.protocol === 'https:' || forwarded === 'https';
}

/**
 * True for requests another site started (a form posted from elsewhere): the auth handlers refuse
 * them. Browsers send `Sec-Fetch-Site`; clients that do not are not browsers, so not at risk.
 */
export function fromAnotherSite(request: NextRequest): boolean {
  const site = request.headers.get('sec-fetch-site');
  return site === 'cross-site' || site === 'same-site';
}
