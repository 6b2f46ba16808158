import type { ApiKeyResponse } from '@atelier/contracts';

export type KeyStatus = 'active' | 'expired' | 'revoked';

export function keyStatus(key: ApiKeyResponse, now: number = Date.now()): KeyStatus {
  if (key.revokedAt) return 'revoked';
  return key.expiresAt && Date.parse(key.expiresAt) <= now ? 'expired' : 'active';
}

const ORDER: Record<KeyStatus, number> = { active: 0, expired: 1, revoked: 2 };

/** Keys that work first, then the newest. */
export function byStatusThenNewest(a: ApiKeyResponse, b: ApiKeyResponse): number {
  return ORDER[keyStatus(a)] - ORDER[keyStatus(b)] || b.createdAt.localeCompare(a.createdAt);
}
