import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';

import { dropTypeOfEmptyBody } from './empty-body';

describe('dropTypeOfEmptyBody', () => {
  /** A route that answers what it was given as its body, behind the hook (unless `hooked` is false). */
  const post = async (headers: Record<string, string>, payload?: string, hooked = true) => {
    const app = Fastify();
    if (hooked)
      app.addHook('onRequest', (request, _reply, done) => {
        dropTypeOfEmptyBody(request.headers);
        done();
      });
    app.post('/echo', async (request) => ({ body: request.body ?? 'none' }));
    const response = await app.inject({ method: 'POST', url: '/echo', headers, ...(payload === undefined ? {} : { payload }) });
    await app.close();
    return { status: response.statusCode, body: response.json<{ body?: unknown; message?: string }>() };
  };

  it('reads a JSON content type without a body as no body', async () => {
    expect(await post({ 'content-type': 'application/json' })).toEqual({ status: 200, body: { body: 'none' } });
    expect(await post({ 'content-type': 'application/json' }, '')).toEqual({ status: 200, body: { body: 'none' } });
    expect(await post({ 'content-type': 'application/json', 'content-length': '0' })).toEqual({ status: 200, body: { body: 'none' } });
  });

  it('leaves requests with a body as they are: parsed, or refused when they are not what they say', async () => {
    expect(await post({ 'content-type': 'application/json' }, '{"a":1}')).toEqual({ status: 200, body: { body: { a: 1 } } });
    const broken = await post({ 'content-type': 'application/json' }, '{"a":');
    expect(broken.status).toBe(400);
    expect(await post({ 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, '{"b":2}')).toEqual({
      status: 200,
      body: { body: { b: 2 } },
    });
  });

  it('is what Fastify does without the hook that it corrects', async () => {
    const unhooked = await post({ 'content-type': 'application/json' }, undefined, false);
    expect(unhooked.status).toBe(400);
    expect(unhooked.body.message).toMatch(/Body cannot be empty/);
  });
});
