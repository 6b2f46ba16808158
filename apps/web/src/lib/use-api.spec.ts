import { describe, expect, it } from 'vitest';

import { AtelierApiError } from '@atelier/sdk';

import { isFinalRefusal } from './use-api';

describe('isFinalRefusal', () => {
  const refusal = (status: number) => new AtelierApiError(status, { code: 'X', message: 'x', requestId: 'r' });

  it('stops on what asking again cannot change, not on a timeout, a rate limit, a server error or a lost connection', () => {
    expect([400, 401, 403, 404, 409].map((s) => isFinalRefusal(refusal(s)))).toEqual([true, true, true, true, true]);
    expect([408, 429, 500, 503].map((s) => isFinalRefusal(refusal(s)))).toEqual([false, false, false, false]);
    expect(isFinalRefusal(new TypeError('fetch failed'))).toBe(false);
  });
});
