import { createHmac } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { postWebhook, signWebhook } from './webhook';

/** A fetch that answers with the given statuses in turn (a string is a network error). */
function scripted(answers: Array<number | string>): { fetch: typeof fetch; calls: RequestInit[] } {
  const calls: RequestInit[] = [];
  const fake = async (_url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    calls.push(init ?? {});
    const answer = answers[calls.length - 1] ?? 500;
    if (typeof answer === 'string') throw new Error(answer);
    return new Response(null, { status: answer });
  };
  return { fetch: fake as typeof fetch, calls };
}

describe('postWebhook', () => {
  it('posts the event as JSON and stops at the first success', async () => {
    const { fetch, calls } = scripted([204]);
    const result = await postWebhook('http://hook.test/x', { type: 'alert-opened' }, { fetch, backoffMs: 1 });
    expect(result).toEqual({ delivered: true, attempts: 1, last: 'HTTP 204' });
    expect(calls[0]?.method).toBe('POST');
    expect(calls[0]?.body).toBe('{"type":"alert-opened"}');
    expect((calls[0]?.headers as Record<string, string>)['content-type']).toBe('application/json');
  });

  it('retries network errors and 5xx, up to three attempts', async () => {
    const { fetch, calls } = scripted(['ECONNREFUSED', 503, 200]);
    expect(await postWebhook('http://hook.test/x', {}, { fetch, backoffMs: 1 })).toEqual({
      delivered: true,
      attempts: 3,
      last: 'HTTP 200',
    });
    expect(calls).toHaveLength(3);
  });

  it('gives up after the last attempt and says why', async () => {
    const { fetch, calls } = scripted([500, 502, 503, 200]);
    expect(await postWebhook('http://hook.test/x', {}, { fetch, backoffMs: 1 })).toEqual({
      delivered: false,
      attempts: 3,
      last: 'HTTP 503',
    });
    expect(calls).toHaveLength(3);
  });

  it('does not retry a receiver that refuses the request (4xx)', async () => {
    const { fetch, calls } = scripted([404, 200]);
    expect(await postWebhook('http://hook.test/x', {}, { fetch, backoffMs: 1 })).toEqual({
      delivered: false,
      attempts: 1,
      last: 'HTTP 404',
      refused: true,
    });
    expect(calls).toHaveLength(1);
  });

  it('stops retrying when aborted (service shutdown)', async () => {
    const controller = new AbortController();
    const { fetch, calls } = scripted([503, 200]);
    const pending = postWebhook('http://hook.test/x', {}, { fetch, backoffMs: 60_000, signal: controller.signal });
    setTimeout(() => controller.abort(), 10);
    expect(await pending).toMatchObject({ delivered: false });
    expect(calls).toHaveLength(1);
  });
});

describe('signWebhook', () => {
  it('signs "<timestamp>.<body>" with HMAC-SHA256 and the secret, as a receiver recomputes it', () => {
    const body = '{"type":"alert-opened"}';
    const expected = createHmac('sha256', 'whsec_test').update(`1700000000.${body}`).digest('hex');
    expect(signWebhook('whsec_test', body, 1_700_000_000)).toBe(`t=1700000000,v1=${expected}`);
    expect(signWebhook('whsec_other', body, 1_700_000_000)).not.toBe(`t=1700000000,v1=${expected}`);
  });

  it('signs every attempt of a delivery over the exact bytes sent, with the time of that attempt', async () => {
    const { fetch, calls } = scripted([503, 204]);
    let clock = 1_700_000_000_000;
    await postWebhook('http://hook.test/x', { type: 'alert-opened', n: 1 }, { fetch, backoffMs: 1, secret: 'whsec_test', now: () => (clock += 5_000) });
    expect(calls).toHaveLength(2);
    for (const [i, call] of calls.entries()) {
      const header = (call.headers as Record<string, string>)['atelier-signature'];
      expect(header).toBe(signWebhook('whsec_test', call.body as string, 1_700_000_005 + i * 5));
    }
  });

  it('sends no signature header without a secret', async () => {
    const { fetch, calls } = scripted([204]);
    await postWebhook('http://hook.test/x', {}, { fetch });
    expect(calls[0]!.headers as Record<string, string>).not.toHaveProperty('atelier-signature');
  });
});
