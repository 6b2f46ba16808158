import { describe, expect, it } from 'vitest';

import { downstreamHeaders, upstreamHeaders } from './proxy-headers';

const KEY = 'atl_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcd';

describe('upstreamHeaders', () => {
  it("sends the session's key, never the browser's cookies or its own authorization", () => {
    const incoming = new Headers({
      Cookie: 'atelier_session=v1.abc.def; other=1',
      Authorization: 'Bearer atl_someoneElsesKey',
      'Content-Type': 'application/json',
      Accept: 'application/json',
      Host: 'ui.example',
      Connection: 'keep-alive',
      'X-Request-Id': 'r-7',
    });

    expect(Object.fromEntries(upstreamHeaders(incoming, KEY))).toEqual({
      accept: 'application/json',
      authorization: `Bearer ${KEY}`,
      'content-type': 'application/json',
      'x-request-id': 'r-7',
    });
  });
});

describe('downstreamHeaders', () => {
  it('passes the answer headers on, without cookies, encodings or hop-by-hop ones', () => {
    const upstream = new Headers({
      'content-type': 'application/json',
      'content-encoding': 'gzip',
      'set-cookie': 'tracking=1',
      'transfer-encoding': 'chunked',
      'retry-after': '2',
      'x-request-id': 'r-7',
    });

    expect(Object.fromEntries(downstreamHeaders(upstream))).toEqual({
      'content-type': 'application/json',
      'retry-after': '2',
      'x-request-id': 'r-7',
    });
  });
});
