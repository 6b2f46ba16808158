import { describe, expect, it } from 'vitest';

import { InFlight } from './in-flight';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('InFlight', () => {
  it('shares one pending promise per key, and starts again once it settled', async () => {
    const inFlight = new InFlight<string, number>();
    const first = deferred<number>();
    let starts = 0;
    const start = () => (starts++, first.promise);
    const a = inFlight.run('k', start);
    const b = inFlight.run('k', start);
    expect(a).toBe(b);
    expect(inFlight.has('k')).toBe(true);
    first.resolve(1);
    expect(await b).toBe(1);
    expect(inFlight.has('k')).toBe(false);
    expect(await inFlight.run('k', async () => (starts++, 2))).toBe(2);
    expect(starts).toBe(2);
  });

  it('gives every caller the rejection, and lets the next one start afresh', async () => {
    const inFlight = new InFlight<string, number>();
    const failing = deferred<number>();
    const calls = [inFlight.run('k', () => failing.promise), inFlight.run('k', () => failing.promise)];
    failing.reject(new Error('refused'));
    expect((await Promise.allSettled(calls)).map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(await inFlight.run('k', async () => 3)).toBe(3);
  });

  it('starts afresh after forget, and the older promise settling does not drop the newer one', async () => {
    const inFlight = new InFlight<string, number>();
    const older = deferred<number>();
    const newer = deferred<number>();
    void inFlight.run('k', () => older.promise);
    inFlight.forget('k');
    const next = inFlight.run('k', () => newer.promise);
    older.resolve(1);
    await older.promise;
    expect(inFlight.get('k')).toBe(next);
    newer.resolve(2);
    expect(await next).toBe(2);
  });
});
