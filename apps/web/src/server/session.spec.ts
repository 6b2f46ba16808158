import { describe, expect, it } from 'vitest';

import { openSession, sealSession, type Session, SESSION_HOURS, sessionEnd, sessionKey, sessionUser } from './session';

const SECRET = 'a-test-secret-of-more-than-thirty-two-characters';
const NOW = Date.parse('2026-03-01T12:00:00Z');
const SESSION: Session = {
  key: 'atl_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcd',
  keyId: '5b0f7c8e-0000-4000-8000-000000000001',
  owner: 'ada@example.com',
  role: 'editor',
  expiresAt: NOW + 3600_000,
};

describe('session cookie sealing', () => {
  it('opens what it sealed, unchanged, before the session ends', async () => {
    const key = await sessionKey(SECRET);
    const sealed = await sealSession(SESSION, key);

    expect(await openSession(sealed, key, NOW)).toEqual(SESSION);
    expect(await openSession(sealed, key, SESSION.expiresAt - 1)).toEqual(SESSION);
  });

  it('never shows the key in the cookie value, and seals the same session differently each time', async () => {
    const key = await sessionKey(SECRET);
    const [first, second] = [await sealSession(SESSION, key), await sealSession(SESSION, key)];

    for (const sealed of [first, second]) {
      expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
      expect(sealed).not.toContain(SESSION.key);
      expect(sealed).not.toContain(SESSION.owner);
    }
    expect(first).not.toBe(second);
  });

  it('refuses a cookie with any byte changed', async () => {
    const key = await sessionKey(SECRET);
    const sealed = await sealSession(SESSION, key);
    const [version, iv, ciphertext] = sealed.split('.');
    const flip = (text: string, at: number) => `${text.slice(0, at)}${text[at] === 'A' ? 'B' : 'A'}${text.slice(at + 1)}`;

    expect(await openSession(`${version}.${iv}.${flip(ciphertext, 0)}`, key, NOW)).toBeNull();
    // the last characters are the authentication tag
    expect(await openSession(`${version}.${iv}.${flip(ciphertext, ciphertext.length - 2)}`, key, NOW)).toBeNull();
    expect(await openSession(`${version}.${flip(iv, 3)}.${ciphertext}`, key, NOW)).toBeNull();
    expect(await openSession(`v2.${iv}.${ciphertext}`, key, NOW)).toBeNull();
    expect(await openSession(`${sealed}.extra`, key, NOW)).toBeNull();
  });

  it('refuses a session whose end has passed', async () => {
    const key = await sessionKey(SECRET);
    const sealed = await sealSession(SESSION, key);

    expect(await openSession(sealed, key, SESSION.expiresAt)).toBeNull();
    expect(await openSession(sealed, key, SESSION.expiresAt + 1)).toBeNull();
  });

  it('refuses a cookie sealed under another secret', async () => {
    const sealed = await sealSession(SESSION, await sessionKey(SECRET));

    expect(await openSession(sealed, await sessionKey(`${SECRET}-rotated`), NOW)).toBeNull();
  });

  it('refuses values that are not sealed sessions at all', async () => {
    const key = await sessionKey(SECRET);
    const plain = Buffer.from(JSON.stringify(SESSION)).toString('base64url');

    for (const value of [undefined, '', 'v1', 'v1..', `v1.${plain}.${plain}`, `v1.!!!.${plain}`, 'x'.repeat(5000)]) {
      expect(await openSession(value, key, NOW)).toBeNull();
    }
  });

  it('refuses a well-sealed value that is not a session (e.g. from an older build)', async () => {
    const key = await sessionKey(SECRET);
    const sealed = await sealSession({ ...SESSION, role: 'root' } as unknown as Session, key);

    expect(await openSession(sealed, key, NOW)).toBeNull();
  });
});

describe('sessionEnd', () => {
  it(`lasts ${SESSION_HOURS} hours for a key that never expires or expires later`, () => {
    expect(sessionEnd(NOW, null)).toBe(NOW + 12 * 3600_000);
    expect(sessionEnd(NOW, '2026-03-05T00:00:00Z')).toBe(NOW + 12 * 3600_000);
  });

  it('ends with the key when the key expires sooner', () => {
    expect(sessionEnd(NOW, '2026-03-01T13:30:00Z')).toBe(Date.parse('2026-03-01T13:30:00Z'));
  });
});

describe('sessionUser', () => {
  it('is the session without its key', () => {
    expect(sessionUser(SESSION)).toEqual({ keyId: SESSION.keyId, owner: 'ada@example.com', role: 'editor', expiresAt: SESSION.expiresAt });
    expect(JSON.stringify(sessionUser(SESSION))).not.toContain(SESSION.key);
  });
});
