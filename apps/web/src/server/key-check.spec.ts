import { describe, expect, it } from 'vitest';

import { checkKey } from './key-check';

const API = 'http://127.0.0.1:3999';
const KEY = 'atl_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcd';
const WHO = { id: 'k1', prefix: 'atl_AbCdEfGh', name: 'laptop', owner: 'ada@example.com', role: 'admin', expiresAt: null };

function answering(status: number, body: unknown, seen: Request[] = []): typeof fetch {
  return (input, init) => {
    seen.push(new Request(input, init));
    return Promise.resolve(new Response(typeof body === 'string' ? body : JSON.stringify(body), { status }));
  };
}

describe('checkKey', () => {
  it('asks whoami with the key as a bearer token and returns who it is', async () => {
    const seen: Request[] = [];
    const check = await checkKey(API, KEY, answering(200, WHO, seen));

    expect(check).toEqual({ ok: true, who: WHO });
    expect(seen.map((r) => [r.method, r.url, r.headers.get('authorization')])).toEqual([
      ['GET', `${API}/api/auth/whoami`, `Bearer ${KEY}`],
    ]);
  });

  it("passes on the API's refusal, message and all", async () => {
    const body = { code: 'UNAUTHENTICATED', message: 'this API key was revoked', requestId: 'r-1' };

    expect(await checkKey(API, KEY, answering(401, body))).toEqual({ ok: false, status: 401, body });
  });

  it('says the API cannot be reached when fetch fails or the answer is not an Atelier error', async () => {
    const down: typeof fetch = () => Promise.reject(new TypeError('fetch failed'));

    for (const fetchImpl of [down, answering(404, '<html>not found</html>')]) {
      const check = await checkKey(API, KEY, fetchImpl);
      expect(check).toMatchObject({ ok: false, status: 502, body: { code: 'DEPENDENCY_UNAVAILABLE', requestId: 'unknown' } });
    }
  });

  it('refuses what cannot be a key without calling the API', async () => {
    const seen: Request[] = [];
    for (const key of ['', 'atl_ with space', `atl_${'x'.repeat(300)}`, 'atl_\nInjected: header']) {
      expect(await checkKey(API, key, answering(200, WHO, seen))).toMatchObject({
        ok: false,
        status: 400,
        body: { code: 'VALIDATION_FAILED' },
      });
    }
    expect(seen).toHaveLength(0);
  });
});
