import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { type DropReason, DurableProducer, type DurableProducerOptions } from './durable-producer';
import { type SpoolRecord, spoolsBeyond, toLine } from './spool';

/**
 * A broker stand-in: records every acknowledged batch, fails while `down`, and can hold a send
 * open (a slow broker) until the test lets it go.
 */
class FakeBroker {
  down = false;
  /** each send takes a random time below this */
  delayMs = 0;
  /** each send takes at least this long */
  latencyMs = 0;
  readonly batches: SpoolRecord[][] = [];
  attempts = 0;
  inFlight = 0;
  maxInFlight = 0;
  private held?: { resolve: () => void; reject: (e: Error) => void };
  private holdNext = false;

  readonly send = async (messages: SpoolRecord[]): Promise<void> => {
    this.attempts += 1;
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.holdNext) {
        this.holdNext = false;
        await new Promise<void>((resolve, reject) => (this.held = { resolve, reject }));
      }
      const wait = this.latencyMs + Math.random() * this.delayMs;
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (this.down) throw new Error('broker unreachable');
      this.batches.push([...messages]);
    } finally {
      this.inFlight -= 1;
    }
  };

  /** The next send hangs until `release`. */
  hold(): void {
    this.holdNext = true;
  }

  release(error?: Error): void {
    if (error) this.held?.reject(error);
    else this.held?.resolve();
    this.held = undefined;
  }

  get keys(): string[] {
    return this.batches.flat().map((m) => m.key);
  }
}

const keys = (from: number, to: number): string[] => Array.from({ length: to - from }, (_, i) => `p-${from + i}`);

async function segmentFiles(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [])).filter((f) => f.endsWith('.jsonl')).sort();
}

describe('DurableProducer', () => {
  let dir: string;
  let broker: FakeBroker;
  const open: DurableProducer[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'atelier-spool-'));
    broker = new FakeBroker();
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((p) => p.close()));
    await rm(dir, { recursive: true, force: true });
  });

  function producer(options: Partial<DurableProducerOptions> = {}, hooks = {}, send = broker.send): DurableProducer {
    const p = new DurableProducer(send, { spoolDir: dir, lingerMs: 5, retryMs: 20, maxRetryMs: 100, ...options }, hooks);
    p.start();
    open.push(p);
    return p;
  }

  it('sends a full batch without waiting for the linger time', async () => {
    const p = producer({ batchSize: 3, lingerMs: 60_000 });
    for (const k of keys(0, 6)) p.append(k, { k });
    await vi.waitFor(() => expect(broker.batches.map((b) => b.length)).toEqual([3, 3]), { timeout: 2000 });
    expect(broker.batches[0]).toEqual([
      { key: 'p-0', value: '{"k":"p-0"}' },
      { key: 'p-1', value: '{"k":"p-1"}' },
      { key: 'p-2', value: '{"k":"p-2"}' },
    ]);
  });

  it('sends a partial batch once the linger time has passed, as one batch', async () => {
    const p = producer({ batchSize: 100, lingerMs: 150 });
    p.append('a', 1);
    p.append('b', 2);
    await new Promise((r) => setTimeout(r, 50));
    expect(broker.attempts).toBe(0);
    await vi.waitFor(
      () =>
        expect(broker.batches).toEqual([
          [
            { key: 'a', value: '1' },
            { key: 'b', value: '2' },
          ],
        ]),
      { timeout: 2000 },
    );
  });

  it('lets events that arrive during a send wait out their own linger: one send per linger under load, not one per round trip', async () => {
    broker.latencyMs = 2;
    const p = producer({ batchSize: 1000, lingerMs: 60 });
    const started = performance.now();
    let n = 0;
    while (performance.now() - started < 400) {
      p.append(`p-${n}`, n);
      n += 1;
      await new Promise((r) => setTimeout(r, 1));
    }
    await vi.waitFor(() => expect(broker.keys).toHaveLength(n), { timeout: 2000 });
    expect(broker.keys).toEqual(keys(0, n));
    // 400 ms of traffic at a 60 ms linger: about 7 sends; a send per 2 ms round trip would be ~100
    expect(broker.attempts).toBeLessThanOrEqual(10);
  });
  it('keeps append order with one send in flight at a time, against a broker of varying speed', async () => {
    broker.delayMs = 3;
    const p = producer({ batchSize: 7, lingerMs: 1 });
    const appended = keys(0, 1000);
    for (const [i, k] of appended.entries()) {
      p.append(k, i);
      if (i % 50 === 0) await new Promise((r) => setTimeout(r, 2));
    }
    await vi.waitFor(() => expect(broker.keys.length).toBe(1000), { timeout: 10_000 });
    expect(broker.keys).toEqual(appended);
    expect(broker.maxInFlight).toBe(1);
    expect(broker.batches.every((b) => b.length <= 7)).toBe(true);
    expect(p.stats()).toEqual({ buffered: 0, spooledEvents: 0, spoolBytes: 0, dropped: 0, sent: 1000 });
  });

  it('spools while sends fail and replays in order once the broker is back, then deletes the segments', async () => {
    const sent: Array<'memory' | 'spool'> = [];
    const p = producer({ batchSize: 10, segmentBytes: 400 }, { onSent: (_n: number, from: 'memory' | 'spool') => sent.push(from) });
    broker.down = true;
    const appended = keys(0, 100);
    for (const [i, k] of appended.entries()) {
      p.append(k, { i });
      // each batch spooled before the next is appended: ten appends, so the spool has to roll over
      // (on a busy machine the batches could otherwise pile up and go to the spool as one write)
      if (i % 10 === 9) await vi.waitFor(() => expect(p.stats().spooledEvents).toBe(i + 1), { timeout: 3000 });
    }
    await vi.waitFor(() => expect(p.stats()).toMatchObject({ buffered: 0, spooledEvents: 100, sent: 0, dropped: 0 }), { timeout: 3000 });
    expect((await segmentFiles(dir)).length).toBeGreaterThan(1); // 400-byte segments: the spool rolled over
    expect(broker.keys).toEqual([]);

    broker.down = false;
    await vi.waitFor(() => expect(broker.keys.length).toBe(100), { timeout: 5000 });
    expect(broker.keys).toEqual(appended);
    expect(new Set(sent)).toEqual(new Set(['spool']));
    await vi.waitFor(async () => expect(await segmentFiles(dir)).toEqual([]), { timeout: 2000 });
    expect(p.stats()).toMatchObject({ spooledEvents: 0, spoolBytes: 0, sent: 100 });

    // back to direct sends once the spool is empty
    p.append('after', 1);
    await vi.waitFor(() => expect(broker.keys.at(-1)).toBe('after'), { timeout: 2000 });
    expect(sent.at(-1)).toBe('memory');
  });

  it('queues events behind the spool while it drains, so order holds across an outage', async () => {
    const p = producer({ batchSize: 5, retryMs: 50 });
    broker.down = true;
    for (const k of keys(0, 20)) p.append(k, k);
    await vi.waitFor(() => expect(p.stats().spooledEvents).toBe(20), { timeout: 3000 });
    broker.down = false;
    // the broker is back but the replay has not run yet: these must not overtake the spooled ones
    for (const k of keys(20, 40)) p.append(k, k);
    await vi.waitFor(() => expect(broker.keys.length).toBe(40), { timeout: 5000 });
    expect(broker.keys).toEqual(keys(0, 40));
  });

  it('drains the spool while traffic keeps flowing, and goes back to direct sends', async () => {
    const from: Array<'memory' | 'spool'> = [];
    const p = producer({ batchSize: 20, retryMs: 30 }, { onSent: (n: number, f: 'memory' | 'spool') => from.push(f) });
    broker.down = true;
    broker.latencyMs = 15; // longer than lingerMs: every replay send sees newer events arrive
    let i = 0;
    const until = async (ms: number): Promise<void> => {
      for (const end = Date.now() + ms; Date.now() < end;) {
        p.append(`p-${i}`, i++);
        await new Promise((r) => setTimeout(r, 1));
      }
    };
    await until(200);
    expect(p.stats().spooledEvents).toBeGreaterThan(0);
    broker.down = false;
    await until(600);
    // while events still arrived every millisecond, the spool emptied and direct sends resumed
    expect(from.at(-1)).toBe('memory');
    await vi.waitFor(() => expect(broker.keys.length).toBe(i), { timeout: 5000 });
    expect(broker.keys).toEqual(keys(0, i));
    expect(await segmentFiles(dir)).toEqual([]);
  });

  it('holds memory to maxBuffered under a flood while the broker hangs, then fails, and loses nothing', async () => {
    const maxBuffered = 1000;
    const p = producer({ batchSize: 100, maxBuffered, segmentBytes: 64 * 1024 });
    broker.hold(); // the first send hangs: a broker that accepts connections but never answers
    const appended = keys(0, 50_000);
    p.append(appended[0]!, { i: 0 });
    await vi.waitFor(() => expect(broker.attempts).toBe(1), { timeout: 2000 });
    let peak = 0;
    for (const [i, k] of appended.entries()) {
      if (i === 0) continue;
      p.append(k, { i, features: { distance: i % 977, carrier: 'XY' } });
      peak = Math.max(peak, p.stats().buffered);
      if (i % 5000 === 4999) await new Promise((r) => setImmediate(r));
    }
    expect(peak).toBeLessThanOrEqual(maxBuffered);
    expect(broker.attempts).toBe(1); // the valve spooled the flood; no second send while one is in flight

    // the hung send now fails: its batch, the oldest, must still be replayed first
    broker.down = true;
    broker.release(new Error('request timed out'));
    await vi.waitFor(() => expect(p.stats()).toMatchObject({ buffered: 0, spooledEvents: 50_000, dropped: 0 }), { timeout: 10_000 });
    broker.down = false;
    await vi.waitFor(() => expect(broker.keys.length).toBe(50_000), { timeout: 30_000 });
    expect(broker.keys).toEqual(appended);
    expect(p.stats()).toMatchObject({ sent: 50_000, dropped: 0, spooledEvents: 0, spoolBytes: 0 });
  });

  it('a new instance on the same spool directory replays what the previous process spooled, before its own events', async () => {
    const first = producer({ batchSize: 50 });
    broker.down = true;
    for (const k of keys(0, 200)) first.append(k, { k });
    await vi.waitFor(() => expect(first.stats().spooledEvents).toBe(200), { timeout: 3000 });
    // the process stops during the outage: close() leaves the spool for the next start
    await first.close();
    expect(await segmentFiles(dir)).not.toEqual([]);

    const second = new DurableProducer(broker.send, { spoolDir: dir, lingerMs: 5, retryMs: 20 });
    open.push(second);
    second.start();
    for (const k of keys(200, 210)) second.append(k, { k });
    // what the previous process left is counted, still during the outage
    await vi.waitFor(
      () =>
        expect(second.stats()).toMatchObject({
          spooledEvents: 210,
          spoolBytes: first.stats().spoolBytes + 10 * Buffer.byteLength(toLine({ key: 'p-200', value: '{"k":"p-200"}' })),
        }),
      {
        timeout: 3000,
      },
    );
    broker.down = false;
    await vi.waitFor(() => expect(broker.keys.length).toBe(210), { timeout: 5000 });
    expect(broker.keys).toEqual(keys(0, 210));
    expect(broker.batches[0]![0]).toEqual({ key: 'p-0', value: '{"k":"p-0"}' });
    await vi.waitFor(async () => expect(await segmentFiles(dir)).toEqual([]), { timeout: 2000 });
  });

  it('process 0 replays, after its own, what processes the machine no longer runs spooled, and removes their directories', async () => {
    // the machine ran four processes (0..3) and now runs two: 2 and 3 will not come back
    const spoolOf = (index: number) => path.join(dir, String(index));
    broker.down = true;
    for (const [index, from] of [
      [0, 0],
      [1, 100],
      [2, 200],
      [3, 300],
    ] as const) {
      const before = producer({ spoolDir: spoolOf(index), batchSize: 20 });
      for (const k of keys(from, from + 30)) before.append(k, { k });
      await vi.waitFor(() => expect(before.stats().spooledEvents).toBe(30), { timeout: 3000 });
      await before.close();
    }
    expect(spoolsBeyond(spoolOf(0), 2).sort()).toEqual([spoolOf(2), spoolOf(3)]);
    expect(spoolsBeyond(spoolOf(0), 4)).toEqual([]);

    const zero = producer({ spoolDir: spoolOf(0), adoptSpoolDirs: spoolsBeyond(spoolOf(0), 2) });
    await vi.waitFor(() => expect(zero.stats().spooledEvents).toBe(90), { timeout: 3000 });
    broker.down = false;
    await vi.waitFor(() => expect(broker.keys.length).toBe(90), { timeout: 5000 });
    expect(broker.keys).toEqual([...keys(0, 30), ...keys(200, 230), ...keys(300, 330)]);
    expect((await readdir(dir)).sort()).toEqual(['0', '1']);
    // process 1's spool is its own, replayed when it starts
    expect(await segmentFiles(spoolOf(1))).not.toEqual([]);
  });

  it('replays a segment whose last line a kill tore, counting the torn line as dropped', async () => {
    const torn = '{"k":"a","v":{"x":1}}\n{"k":"b","v":{"x":2}}\n{"k":"c","v":{"x"';
    await writeFile(path.join(dir, 'segment-000000000007.jsonl'), torn);
    const dropped: Array<[number, DropReason]> = [];
    const p = producer({}, { onDropped: (n: number, reason: DropReason) => dropped.push([n, reason]) });
    await vi.waitFor(() => expect(broker.keys).toEqual(['a', 'b']), { timeout: 3000 });
    expect(broker.batches.flat()[1]).toEqual({ key: 'b', value: '{"x":2}' });
    expect(dropped).toEqual([[1, 'corrupt']]);
    expect(p.stats().dropped).toBe(1);
  });

  it('drops and counts events beyond maxSpoolBytes, and keeps the ones that fit', async () => {
    const dropped: Array<[number, DropReason]> = [];
    const p = producer({ batchSize: 10, maxSpoolBytes: 1000 }, { onDropped: (n: number, reason: DropReason) => dropped.push([n, reason]) });
    broker.down = true;
    const appended = Array.from({ length: 100 }, (_, i) => `k-${String(i).padStart(3, '0')}`);
    const value = { padding: 'x'.repeat(20) };
    const lineBytes = Buffer.byteLength(toLine({ key: appended[0]!, value: JSON.stringify(value) }));
    const fit = Math.floor(1000 / lineBytes);
    for (const k of appended) p.append(k, value);
    await vi.waitFor(() => expect(p.stats()).toMatchObject({ buffered: 0, spooledEvents: fit, dropped: 100 - fit }), { timeout: 3000 });
    expect(p.stats().spoolBytes).toBe(fit * lineBytes);
    expect(dropped.every(([, reason]) => reason === 'spool-full')).toBe(true);
    expect(dropped.reduce((sum, [n]) => sum + n, 0)).toBe(100 - fit);

    broker.down = false;
    await vi.waitFor(() => expect(broker.keys).toEqual(appended.slice(0, fit)), { timeout: 3000 });
  });

  it('close() sends what is in memory at once, without waiting for the linger time', async () => {
    const p = producer({ lingerMs: 60_000 });
    for (const k of keys(0, 5)) p.append(k, k);
    await p.close();
    expect(broker.keys).toEqual(keys(0, 5));
    expect(p.stats()).toMatchObject({ buffered: 0, sent: 5 });
    expect(await segmentFiles(dir)).toEqual([]);
    p.append('late', 1);
    expect(p.stats().dropped).toBe(1);
  });

  it('close() spools what is in memory when the broker does not answer in time, and the next start sends it', async () => {
    const p = producer({ lingerMs: 60_000, closeTimeoutMs: 100 });
    for (const k of keys(0, 5)) p.append(k, k);
    broker.hold();
    const started = Date.now();
    await p.close();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(broker.keys).toEqual([]);
    expect((await segmentFiles(dir)).length).toBe(1);
    broker.release(new Error('gone'));

    const next = producer();
    await vi.waitFor(() => expect(broker.keys).toEqual(keys(0, 5)), { timeout: 3000 });
    expect(next.stats().sent).toBe(5);
  });

  it('close() gives up on a send that hangs past closeTimeoutMs: spooled in order, a duplicate at worst', async () => {
    const p = producer({ lingerMs: 1, closeTimeoutMs: 100 });
    broker.hold();
    for (const k of keys(0, 3)) p.append(k, k);
    await vi.waitFor(() => expect(broker.attempts).toBe(1), { timeout: 2000 });
    for (const k of keys(3, 5)) p.append(k, k);
    const started = Date.now();
    await p.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(p.stats()).toMatchObject({ buffered: 0, spooledEvents: 5, sent: 0 });

    broker.release(); // the broker did take the batch after all
    await vi.waitFor(() => expect(broker.keys).toEqual(keys(0, 3)), { timeout: 2000 });
    expect(p.stats().sent).toBe(0); // close() had already handed that batch to the spool

    producer();
    await vi.waitFor(() => expect(broker.keys).toEqual([...keys(0, 3), ...keys(0, 5)]), { timeout: 3000 });
  });

  it('never throws from append: unserializable values and throwing hooks are counted, not raised', async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const p = producer(
      {},
      {
        onSent: () => {
          throw new Error('metrics are broken');
        },
      },
    );
    expect(() => p.append('big', 10n)).not.toThrow();
    expect(() => p.append('cyclic', cyclic)).not.toThrow();
    expect(() => p.append('undefined', undefined)).not.toThrow();
    p.append('ok', { fine: true });
    await vi.waitFor(() => expect(broker.keys).toEqual(['ok']), { timeout: 2000 });
    expect(p.stats()).toMatchObject({ dropped: 3, sent: 1 });
  });
  it('keeps an appended object for the send and makes its JSON only when read: for a send, for the spool and its replay', async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const p = producer({ batchSize: 3, lingerMs: 60_000 });
    const objects = [{ a: 1 }, { b: [2, 'x'] }, cyclic];
    objects.forEach((o, i) => p.appendObject(`o-${i}`, o));
    await vi.waitFor(() => expect(broker.batches).toHaveLength(1), { timeout: 2000 });
    const [batch] = broker.batches;
    expect(batch!.map((r) => r.object)).toEqual(objects);
    // a value that does not serialize reads as null instead of throwing
    expect(batch!.map((r) => [r.key, r.value])).toEqual([
      ['o-0', '{"a":1}'],
      ['o-1', '{"b":[2,"x"]}'],
      ['o-2', 'null'],
    ]);

    // through the spool: the JSON is what is written, and what the replay sends
    broker.down = true;
    p.appendObject('o-3', { c: 3 });
    p.appendObject('o-4', { d: 4 });
    p.appendObject('o-5', { e: 5 });
    await vi.waitFor(() => expect(p.stats().spooledEvents).toBe(3), { timeout: 3000 });
    broker.down = false;
    await vi.waitFor(() => expect(broker.keys).toHaveLength(6), { timeout: 5000 });
    expect(
      broker.batches
        .flat()
        .slice(3)
        .map((r) => [r.key, r.value, r.object]),
    ).toEqual([
      ['o-3', '{"c":3}', undefined],
      ['o-4', '{"d":4}', undefined],
      ['o-5', '{"e":5}', undefined],
    ]);
    expect(p.stats()).toMatchObject({ dropped: 0, sent: 6 });
  });
});
