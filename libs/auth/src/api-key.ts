import { hash, randomInt } from 'node:crypto';

import type { AccessKind, Principal } from '@atelier/server';

export type Role = Principal['role'];

/** `atl_` and 40 letters or digits: about 238 bits from a CSPRNG. */
export const KEY_PATTERN = /^atl_[A-Za-z0-9]{40}$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** what people see of a key (in lists, the audit log, logs): `atl_` and its first 8 characters */
const PREFIX_LENGTH = 12;

export function generateKey(): string {
  let secret = '';
  for (let i = 0; i < 40; i++) secret += ALPHABET[randomInt(ALPHABET.length)];
  return `atl_${secret}`;
}

/**
 * What is stored of a key. The key is random and long, so a plain SHA-256 is enough (a slow
 * password hash protects guessable secrets; this one cannot be guessed). It runs on every request:
 * the one-shot `crypto.hash` takes ≈0.3 µs where `createHash().update().digest()` took ≈1.7 µs.
 */
export function hashKey(key: string): string {
  return hash('sha256', key, 'hex');
}

export function prefixOf(key: string): string {
  return key.slice(0, PREFIX_LENGTH);
}

/** The key of an `Authorization: Bearer …` header, or undefined. */
export function bearerKey(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/**
 * The role matrix. viewer reads; editor also trains, registers, moves aliases, edits monitors and
 * predicts; admin also manages keys, deletes and reads the audit log; a service key only predicts
 * (with online features and outcomes).
 */
const ALLOWED: Record<Role, ReadonlySet<AccessKind>> = {
  viewer: new Set(['public', 'self', 'read']),
  editor: new Set(['public', 'self', 'read', 'write', 'predict']),
  admin: new Set(['public', 'self', 'read', 'write', 'predict', 'admin']),
  service: new Set(['public', 'self', 'predict']),
};

export function roleAllows(role: Role, kind: AccessKind): boolean {
  return ALLOWED[role].has(kind);
}

export function describeAccess(kind: AccessKind): string {
  switch (kind) {
    case 'public':
    case 'self':
      return 'call this route';
    case 'read':
      return 'read';
    case 'write':
      return 'make changes';
    case 'predict':
      return 'predict';
    case 'admin':
      return 'administer keys, delete or read the audit log';
  }
}
