import { describe, expect, it } from 'vitest';

import type { PredictRow } from '@atelier/contracts';

import { armOf, fnv1a32, mix32 } from './traffic-split';

const row = (airport?: string): PredictRow => ({ entities: airport ? { airport } : {}, features: {} });

describe('armOf (canary traffic split)', () => {
  it('hashes with FNV-1a 32 (reference values)', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
    expect(mix32(0)).toBe(0);
    expect(mix32(1)).not.toBe(1);
  });

  it('keeps one key on one arm, and sends about the share of keys to the canary', () => {
    const canary = { version: 2, share: 20, stickyBy: 'airport' };
    const keys = Array.from({ length: 20_000 }, (_, i) => `K${i}`);
    const arms = keys.map((k) => armOf('delays', canary, row(k)));
    expect(keys.map((k) => armOf('delays', canary, row(k)))).toEqual(arms);
    const share = arms.filter((a) => a === 'canary').length / keys.length;
    expect(share).toBeGreaterThan(0.19);
    expect(share).toBeLessThan(0.21);
    // a larger share keeps every key that was on the canary there
    const wider = { ...canary, share: 50 };
    keys.forEach((k, i) => arms[i] === 'canary' && expect(armOf('delays', wider, row(k))).toBe('canary'));
  });

  it('spreads keys that differ only in their last characters', () => {
    const canary = { version: 2, share: 30, stickyBy: 'airport' };
    for (const model of ['delays', 'deploy-x1y2', 'm']) {
      const keys = Array.from({ length: 1000 }, (_, i) => `A${String(i).padStart(3, '0')}`);
      const share = keys.filter((k) => armOf(model, canary, row(k)) === 'canary').length / keys.length;
      expect(share, model).toBeGreaterThan(0.25);
      expect(share, model).toBeLessThan(0.35);
    }
  });

  it('draws at random without the sticky key; 0 and 100 are never drawn', () => {
    const canary = { version: 2, share: 30, stickyBy: 'airport' };
    expect(armOf('delays', canary, row(), () => 0.29)).toBe('canary');
    expect(armOf('delays', canary, row(), () => 0.3)).toBe('primary');
    expect(armOf('delays', { ...canary, stickyBy: null }, row('SFO'), () => 0.1)).toBe('canary');
    const never = () => {
      throw new Error('drawn');
    };
    expect(armOf('delays', { ...canary, share: 0 }, row(), never)).toBe('primary');
    expect(armOf('delays', { ...canary, share: 100 }, row(), never)).toBe('canary');
    expect(armOf('delays', null, row('SFO'), never)).toBe('primary');
  });
});
