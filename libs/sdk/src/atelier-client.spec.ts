import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { AtelierClient, AtelierTimeoutError } from './atelier-client';

/** A loopback server: `/stall` never answers, `/slow-body` sends its headers and stalls, anything else answers at once. */
function loopbackServer(): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.url?.startsWith('/stall')) return; // holds the request
    if (request.url?.startsWith('/slow-body')) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"name":');
      return; // the rest never comes
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ name: 'm', latestVersion: 1, aliases: {}, description: null }));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('AtelierClient', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = await loopbackServer();
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('gives up on a call not answered within timeoutMs, headers or body, naming the call', async () => {
    for (const prefix of ['/stall', '/slow-body']) {
      const client = new AtelierClient({ baseUrl: `${base}${prefix}`, apiKey: 'k', timeoutMs: 200 });
      const started = performance.now();
      const call = client.getModel('flight-delay');
      await expect(call).rejects.toBeInstanceOf(AtelierTimeoutError);
      await expect(call).rejects.toThrow('GET /api/models/flight-delay did not answer within 200 ms');
      expect(performance.now() - started).toBeLessThan(2_000);
    }
  });

  it('answers as usual within the timeout', async () => {
    const client = new AtelierClient({ baseUrl: base, apiKey: 'k', timeoutMs: 2_000 });
    expect(await client.getModel('m')).toMatchObject({ name: 'm', latestVersion: 1 });
  });
});
