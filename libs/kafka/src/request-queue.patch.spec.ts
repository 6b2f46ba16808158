import { setTimeout as sleep } from 'node:timers/promises';

import { describe, expect, it } from 'vitest';

import { patchKafkaRequestQueue } from './request-queue.patch';

// the kafkajs internal the patch fixes
const RequestQueue = require('kafkajs/src/network/requestQueue') as new (options: object) => Queue;

interface Entry {
  correlationId: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

interface Queue {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  push(request: { entry: Entry; expectResponse: boolean; sendRequest: () => void }): void;
  maybeThrottle(ms: number): void;
  fulfillRequest(response: { correlationId: number; payload: Buffer; size: number }): void;
  checkPendingRequests(): void;
}

const entry = (correlationId: number): Entry => ({ correlationId, resolve: () => undefined, reject: () => undefined });
const quiet = { debug: () => undefined, warn: () => undefined, error: () => undefined, info: () => undefined };
const queue = () =>
  new RequestQueue({
    maxInFlightRequests: null,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
    clientId: 'spec',
    broker: 'spec:9092',
    logger: quiet,
  });

describe('patchKafkaRequestQueue', () => {
  patchKafkaRequestQueue();

  it('leaves an idle connection without a timer', () => {
    const q = queue();
    q.checkPendingRequests();
    expect(q.throttleCheckTimeoutId).toBeNull();

    const sent: number[] = [];
    q.push({ entry: entry(1), expectResponse: true, sendRequest: () => sent.push(1) });
    q.fulfillRequest({ correlationId: 1, payload: Buffer.alloc(0), size: 0 });
    expect(sent).toEqual([1]);
    expect(q.throttleCheckTimeoutId).toBeNull();
  });

  it('still sends a request held back by a throttle once the throttle ends', async () => {
    const q = queue();
    q.maybeThrottle(30);
    const sent: number[] = [];
    q.push({ entry: entry(7), expectResponse: true, sendRequest: () => sent.push(7) });
    expect(q.pending).toHaveLength(1);
    expect(q.throttleCheckTimeoutId).not.toBeNull();

    for (let waited = 0; sent.length === 0 && waited < 2000; waited += 10) await sleep(10);
    expect(sent).toEqual([7]);
    expect(q.pending).toHaveLength(0);
    // nothing waits and nothing is throttled: the checks stop
    await sleep(20);
    expect(q.throttleCheckTimeoutId).toBeNull();
  });

  it('is installed once', () => {
    const proto = (RequestQueue as unknown as { prototype: { scheduleCheckPendingRequests: unknown } }).prototype;
    const before = proto.scheduleCheckPendingRequests;
    patchKafkaRequestQueue();
    expect(proto.scheduleCheckPendingRequests).toBe(before);
  });
});
