import type { Arm, CanarySplit, PredictRow } from '@atelier/contracts';

/**
 * Which arm answers a request of a model with a canary: the canary when the request's draw falls
 * in its share. The draw is a hash of the model and the request's key of the `stickyBy` entity,
 * so one caller (one airport, one user) stays on one arm for as long as the share is unchanged;
 * a request without that key is drawn at random. A batch goes to one arm, by its first row.
 */
export function armOf(model: string, canary: CanarySplit | null, row: PredictRow | undefined, random: () => number = Math.random): Arm {
  if (!canary || canary.share <= 0) return 'primary';
  if (canary.share >= 100) return 'canary';
  const key = canary.stickyBy ? row?.entities[canary.stickyBy] : undefined;
  const draw = key === undefined ? random() : mix32(fnv1a32(`${model}\u0000${key}`)) / 2 ** 32;
  return draw * 100 < canary.share ? 'canary' : 'primary';
}

/** FNV-1a, 32 bits, over the UTF-16 code units: small, fast and evenly spread for short keys. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * MurmurHash3's finalizer: FNV-1a alone leaves keys that differ only in their last character
 * (A01, A02, …) close together in the high bits the draw reads; this spreads them over the range.
 */
export function mix32(hash: number): number {
  let h = hash;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
