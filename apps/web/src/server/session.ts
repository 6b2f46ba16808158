import { ApiKeyRole } from '@atelier/contracts';

/**
 * The UI's session: the API key a person signed in with, sealed into a cookie with AES-256-GCM
 * (encrypted and authenticated) under a key derived from the server's secret.
 *
 * Invariant: a cookie opens only if a server with the same secret sealed it, no byte of it was
 * changed, and its end has not passed. Anything else opens to `null`, never to an error.
 *
 * Web Crypto only (no `node:crypto`), so the same code runs in middleware and route handlers.
 */
export interface Session {
  /** the API key itself; never leaves the Next server */
  key: string;
  keyId: string;
  owner: string;
  role: ApiKeyRole;
  /** when the session ends, in ms since the epoch */
  expiresAt: number;
}

/** What pages may show of a session: everything but the key. */
export type SessionUser = Omit<Session, 'key'>;

/** A session lasts this long, or until its key expires if that is sooner. */
export const SESSION_HOURS = 12;

const VERSION = 'v1';
/** binds a sealed value to its purpose, so no other AES-GCM value of ours opens as a session */
const ASSOCIATED_DATA = new TextEncoder().encode('atelier-web-session.v1');
const IV_BYTES = 12;
/** longer than any cookie we write; anything bigger is refused before any work */
const MAX_SEALED_LENGTH = 4096;

/** The AES-256-GCM key for sessions, derived from the server's secret with HKDF-SHA-256. */
export async function sessionKey(secret: string): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: new TextEncoder().encode('atelier-web'), info: new TextEncoder().encode('session cookie v1') },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

/** `v1.<iv>.<ciphertext and tag>`, both base64url: safe in a cookie value as it is. */
export async function sealSession(session: Session, key: CryptoKey): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const plaintext = new TextEncoder().encode(JSON.stringify(session));
  const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: ASSOCIATED_DATA }, key, plaintext);
  return `${VERSION}.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(sealed))}`;
}

/** The session in a cookie value, or `null` when it is missing, forged, altered, foreign or over. */
export async function openSession(sealed: string | undefined, key: CryptoKey, now: number = Date.now()): Promise<Session | null> {
  if (!sealed || sealed.length > MAX_SEALED_LENGTH) return null;
  const [version, iv, ciphertext, ...rest] = sealed.split('.');
  if (version !== VERSION || !iv || !ciphertext || rest.length > 0) return null;
  try {
    const ivBytes = fromBase64Url(iv);
    if (ivBytes.length !== IV_BYTES) return null;
    const plaintext = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: ivBytes, additionalData: ASSOCIATED_DATA },
      key,
      fromBase64Url(ciphertext),
    );
    const session = asSession(JSON.parse(new TextDecoder().decode(plaintext)));
    return session && session.expiresAt > now ? session : null;
  } catch {
    // bad base64, a tag that does not verify (tampered, or another secret), or bad JSON
    return null;
  }
}

/** When a session started `now` ends: after SESSION_HOURS, or when the key expires if sooner. */
export function sessionEnd(now: number, keyExpiresAt: string | null): number {
  const end = now + SESSION_HOURS * 3600 * 1000;
  const keyEnd = keyExpiresAt === null ? Number.NaN : Date.parse(keyExpiresAt);
  return Number.isFinite(keyEnd) ? Math.min(end, keyEnd) : end;
}

export function sessionUser({ keyId, owner, role, expiresAt }: Session): SessionUser {
  return { keyId, owner, role, expiresAt };
}

/** Checks the decrypted JSON's shape: a cookie sealed by an older build may differ. */
function asSession(value: unknown): Session | null {
  if (typeof value !== 'object' || value === null) return null;
  const { key, keyId, owner, role, expiresAt } = value as Record<string, unknown>;
  const parsedRole = ApiKeyRole.safeParse(role);
  if (typeof key !== 'string' || typeof keyId !== 'string' || typeof owner !== 'string' || !parsedRole.success) return null;
  if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) return null;
  return { key, keyId, owner, role: parsedRole.data, expiresAt };
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error('not base64url');
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}
