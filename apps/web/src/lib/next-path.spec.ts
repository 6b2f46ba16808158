import { describe, expect, it } from 'vitest';

import { LANDING_PATH, safeNextPath } from './next-path';

describe('safeNextPath', () => {
  it('keeps a path on this site, with its query', () => {
    expect(safeNextPath('/models/flight-delay')).toBe('/models/flight-delay');
    expect(safeNextPath('/audit?actor=ada&subject=model%3Ax')).toBe('/audit?actor=ada&subject=model%3Ax');
  });

  it('lands on the models page when nothing usable was asked for', () => {
    for (const raw of [undefined, null, '', 'models', 'https://evil.example/', '//evil.example/x', '/\\evil.example', '/\t/evil.example']) {
      expect(safeNextPath(raw)).toBe(LANDING_PATH);
    }
  });

  it('never goes back to the sign-in page, the auth handlers or the API proxy', () => {
    for (const raw of ['/sign-in', '/sign-in?next=/models', '/auth/sign-out', '/api/keys', '/api']) {
      expect(safeNextPath(raw)).toBe(LANDING_PATH);
    }
    expect(safeNextPath('/sign-inside')).toBe('/sign-inside');
  });
});
