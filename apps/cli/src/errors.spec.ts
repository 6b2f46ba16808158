import { describe, expect, it } from 'vitest';

import { AtelierApiError } from '@atelier/sdk';

import { describeError } from './errors';

const api = (status: number, code: string, message: string, details?: unknown) =>
  new AtelierApiError(status, { code: code as never, message, details, requestId: 'req-1' });

describe('describeError', () => {
  it("says the API's own message with the status and code", () => {
    expect(describeError(api(404, 'NOT_FOUND', 'model "x" does not exist'), 'http://a.test')).toEqual([
      'error: model "x" does not exist (404 NOT_FOUND)',
    ]);
  });

  it('lists the fields a validation failure names, ten at most', () => {
    const details = Array.from({ length: 12 }, (_, i) => ({ path: `features.${i}`, message: 'expected group:feature' }));
    const lines = describeError(
      api(400, 'VALIDATION_FAILED', 'invalid features.0: expected group:feature', [{ path: '', message: 'bad' }, ...details]),
      '',
    );
    expect(lines[0]).toBe('error: invalid features.0: expected group:feature (400 VALIDATION_FAILED)');
    expect(lines[1]).toBe('  (body): bad');
    expect(lines[2]).toBe('  features.0: expected group:feature');
    expect(lines).toHaveLength(1 + 10 + 1);
    expect(lines.at(-1)).toBe('  … and 3 more');
  });

  it('hints at the API key on 401 and 403', () => {
    expect(describeError(api(401, 'UNAUTHENTICATED', 'no API key'), '')).toEqual([
      'error: no API key (401 UNAUTHENTICATED)',
      'hint: set ATELIER_API_KEY, pass --api-key, or run `atelier login`',
    ]);
    expect(describeError(api(403, 'FORBIDDEN', 'viewer may not'), '')[1]).toMatch(/^hint: this key's role may not/);
  });

  it('names the URL it could not reach, and never prints a stack', () => {
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3999'), { code: 'ECONNREFUSED' }),
    });
    expect(describeError(refused, 'http://127.0.0.1:3999')).toEqual([
      'error: cannot reach Atelier at http://127.0.0.1:3999 (ECONNREFUSED)',
      'hint: is the platform running? Point --url or ATELIER_URL at it.',
    ]);
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    expect(describeError(timeout, 'http://a.test')).toEqual(['error: no answer from Atelier at http://a.test in time']);
    const lines = describeError(new Error('boom'), '');
    expect(lines).toEqual(['error: boom']);
  });
});
