import { randomBytes } from 'node:crypto';

import { afterAll, describe, expect, it, vi } from 'vitest';

import { type AtelierConfig, loadConfig } from '@atelier/config';
import type { ModelEvent } from '@atelier/contracts';
import { HealthRegistry } from '@atelier/server';

import { KafkaService } from './kafka.service';
import { ModelEventsFeed } from './model-events.feed';

// Against the real local Kafka, in a namespace of its own (as durable-producer.int.spec.ts makes it).

function moved(model: string, version: number): ModelEvent {
  return {
    type: 'alias-moved',
    schemaVersion: 1,
    model,
    alias: 'production',
    version,
    previousVersion: null,
    at: new Date().toISOString(),
  };
}

describe('ModelEventsFeed (integration)', () => {
  const namespace = `test-${process.env.ATELIER_TEST_RUN ?? 'run'}-${randomBytes(4).toString('hex')}`;
  const cleanup: Array<() => Promise<void>> = [];
  const config = (brokers = process.env.KAFKA_BROKERS): AtelierConfig =>
    loadConfig({ KAFKA_BROKERS: brokers, NODE_ENV: 'test', ATELIER_NAMESPACE: namespace, LOG_LEVEL: 'error' });

  afterAll(async () => {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
  });

  /** A process's Kafka client and feed (against these brokers: the local Kafka unless told). */
  function aProcess(brokers?: string): { kafka: KafkaService; feed: ModelEventsFeed } {
    const kafka = new KafkaService(config(brokers), new HealthRegistry());
    const feed = new ModelEventsFeed(kafka);
    cleanup.push(
      () => kafka.onModuleDestroy(),
      () => feed.onModuleDestroy(),
    );
    return { kafka, feed };
  }

  it('gives every handler of every process each event in order, past a handler that fails', async () => {
    const [a, b] = [aProcess(), aProcess()];
    const seen = { first: [] as number[], second: [] as number[], other: [] as number[] };
    let failures = 0;
    a.feed.subscribe('first', (e) => {
      if (e.type === 'alias-moved') seen.first.push(e.version);
    });
    a.feed.subscribe('failing', () => {
      failures += 1;
      throw new Error('refused');
    });
    a.feed.subscribe('second', async (e) => {
      await new Promise((r) => setTimeout(r, 5)); // a slow handler still sees the events in order
      if (e.type === 'alias-moved') seen.second.push(e.version);
    });
    b.feed.subscribe('other', (e) => {
      if (e.type === 'alias-moved') seen.other.push(e.version);
    });
    // bootstrap waits up to 5 s for each feed to join its group (longer on a busy machine, when
    // a test would publish too early): nothing published after the join is missed
    await Promise.all([a.feed.onApplicationBootstrap(), b.feed.onApplicationBootstrap()]);
    await Promise.all([a.feed.whenRunning(), b.feed.whenRunning()]);

    const events = [1, 2, 3, 4, 5].map((v) => moved('feed-int', v));
    // one key, so one partition and the events' order
    await a.kafka.publish(
      'modelEvents',
      events.map((e) => ({ key: e.model, value: e })),
    );
    await vi.waitFor(() => expect([seen.first.length, seen.second.length, seen.other.length]).toEqual([5, 5, 5]), {
      timeout: 15_000,
      interval: 50,
    });
    expect(seen).toEqual({ first: [1, 2, 3, 4, 5], second: [1, 2, 3, 4, 5], other: [1, 2, 3, 4, 5] });
    expect(failures).toBe(5);
  }, 60_000);

  it('does not hold a handler back while another is still busy with an earlier event', async () => {
    const { kafka, feed } = aProcess();
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const seen = { slow: [] as number[], quick: [] as number[] };
    feed.subscribe('slow', async (e) => {
      await gate; // a large model loading
      if (e.type === 'alias-moved') seen.slow.push(e.version);
    });
    feed.subscribe('quick', (e) => {
      if (e.type === 'alias-moved') seen.quick.push(e.version);
    });
    await feed.onApplicationBootstrap();
    await feed.whenRunning(); // joined (bootstrap gives up waiting after 5 s)
    // two sends, so the consumer's second batch comes while the slow handler still holds the first
    await kafka.publish('modelEvents', [{ key: 'feed-queues', value: moved('feed-queues', 1) }]);
    await vi.waitFor(() => expect(seen.quick).toEqual([1]), { timeout: 15_000, interval: 50 });
    await kafka.publish('modelEvents', [2, 3].map((v) => ({ key: 'feed-queues', value: moved('feed-queues', v) })));
    await vi.waitFor(() => expect(seen.quick).toEqual([1, 2, 3]), { timeout: 15_000, interval: 50 });
    expect(seen.slow).toEqual([]);
    open();
    await vi.waitFor(() => expect(seen.slow).toEqual([1, 2, 3]), { timeout: 5_000, interval: 20 });
  }, 60_000);

  it('lets start-up go on within seconds while Kafka is away, and keeps trying in the background', async () => {
    const { feed } = aProcess('127.0.0.1:1');
    feed.subscribe('waiting', () => undefined);
    const started = Date.now();
    await feed.onApplicationBootstrap();
    // one attempt alone takes kafkajs's connection retries (about 30 s); start-up waits 5 s at most
    expect(Date.now() - started).toBeLessThan(8_000);
    let joined = false;
    void feed.whenRunning().then(() => (joined = true));
    await new Promise((r) => setTimeout(r, 100));
    expect(joined).toBe(false); // still trying in the background
  }, 60_000);

  it('starts when a handler subscribes after bootstrap', async () => {
    const { kafka, feed } = aProcess();
    await feed.onApplicationBootstrap(); // nothing subscribed yet: returns at once, no consumer
    const seen: number[] = [];
    feed.subscribe('late', (e) => {
      if (e.type === 'alias-moved') seen.push(e.version);
    });
    await feed.whenRunning();
    await kafka.publish('modelEvents', [{ key: 'feed-late', value: moved('feed-late', 7) }]);
    await vi.waitFor(() => expect(seen.length).toBe(1), { timeout: 15_000, interval: 50 });
    expect(seen).toEqual([7]);
  }, 60_000);
});
