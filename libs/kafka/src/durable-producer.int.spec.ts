import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { type Consumer, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { type AtelierConfig, loadConfig } from '@atelier/config';
import type { PredictionEvent } from '@atelier/contracts';
import { HealthRegistry } from '@atelier/server';

import { KafkaService } from './kafka.service';

// Against the real local Kafka; the shared broker is never stopped here (other specs use it).
// The namespace is made here rather than with @atelier/testing, which itself depends on this lib.

interface Received {
  key: string;
  partition: number;
  event: PredictionEvent;
}

function event(predictionId: string, seq: number): PredictionEvent {
  return {
    type: 'prediction',
    schemaVersion: 1,
    predictionId,
    model: 'durable-log-int',
    version: 1,
    alias: 'production',
    prediction: seq,
    inputs: { seq, carrier: 'XY' },
    entities: { airport: 'ORD' },
    at: new Date().toISOString(),
  };
}

/** Reads a topic from the beginning with a plain kafkajs consumer, keeping each message's key. */
async function consume(config: AtelierConfig, topic: string, into: Received[]): Promise<Consumer> {
  const kafka = new Kafka({ clientId: 'durable-log-int', brokers: config.kafka.brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({
    groupId: `${config.namespace}.durable-log-int-${randomBytes(2).toString('hex')}`,
    maxWaitTimeInMs: 200,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      into.push({
        key: message.key?.toString() ?? '',
        partition,
        event: JSON.parse(message.value?.toString() ?? 'null') as PredictionEvent,
      });
    },
  });
  return consumer;
}

async function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

describe('KafkaService.durableProducer (integration)', () => {
  let spoolDir: string;
  // with the run's token, so the run deletes its topics when it ends (as `testNamespace` does)
  const namespace = `test-${process.env.ATELIER_TEST_RUN ?? 'run'}-${randomBytes(4).toString('hex')}`;
  const cleanup: Array<() => Promise<void>> = [];

  function config(env: Record<string, string> = {}): AtelierConfig {
    return loadConfig({
      KAFKA_BROKERS: process.env.KAFKA_BROKERS,
      NODE_ENV: 'test',
      ATELIER_NAMESPACE: namespace,
      LOG_LEVEL: 'warn',
      PREDICTION_LOG_SPOOL_DIR: spoolDir,
      ...env,
    });
  }

  /** A platform's Kafka client in a namespace of its own, its topics made, and what a consumer reads of its predictions. */
  async function listening(env: Record<string, string>): Promise<{ kafka: KafkaService; received: Received[] }> {
    const kafka = new KafkaService(config(env), new HealthRegistry());
    cleanup.push(() => kafka.onModuleDestroy());
    await kafka.ensureTopics();
    const received: Received[] = [];
    const consumer = await consume(config(env), kafka.topic('predictions'), received);
    cleanup.push(() => consumer.disconnect());
    return { kafka, received };
  }

  beforeAll(async () => {
    spoolDir = await mkdtemp(path.join(os.tmpdir(), 'atelier-spool-int-'));
    const admin = new KafkaService(config(), new HealthRegistry());
    await admin.ensureTopics();
    await admin.onModuleDestroy();
  });

  afterAll(async () => {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
    await rm(spoolDir, { recursive: true, force: true });
  });

  it('delivers 5,000 appended events to the predictions topic, each key once, in order per partition', async () => {
    const kafka = new KafkaService(config(), new HealthRegistry());
    cleanup.push(() => kafka.onModuleDestroy());
    const received: Received[] = [];
    const consumer = await consume(config(), kafka.topic('predictions'), received);
    cleanup.push(() => consumer.disconnect());

    const log = kafka.durableProducer('predictions');
    expect(kafka.durableProducer('predictions')).toBe(log); // one per topic and process
    const ids = Array.from({ length: 5000 }, () => randomUUID());
    for (const [seq, id] of ids.entries()) {
      log.append(id, event(id, seq));
      if (seq % 500 === 499) await new Promise((r) => setImmediate(r));
    }

    await vi.waitFor(() => expect(new Set(received.map((r) => r.key)).size).toBe(ids.length), { timeout: 60_000, interval: 250 });
    expect(new Set(received.map((r) => r.key))).toEqual(new Set(ids));
    expect(received.every((r) => r.event.predictionId === r.key)).toBe(true);
    expect(log.stats()).toMatchObject({ sent: 5000, dropped: 0, spooledEvents: 0, buffered: 0 });
    // batches keep append order: within a partition, events arrive in the order they were appended
    for (const partition of new Set(received.map((r) => r.partition))) {
      const seqs = received.filter((r) => r.partition === partition).map((r) => r.event.prediction);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    }
  });

  it('sends a batch of megabytes in produce requests the broker takes, spooling nothing', async () => {
    const { kafka, received } = await listening({ ATELIER_NAMESPACE: `${namespace}-large`, PREDICTION_LOG_BATCH_SIZE: '3000' });
    const errors: string[] = [];
    const log = kafka.durableProducer('predictions', { hooks: { onError: (e) => errors.push(e.message) } });
    // 3,000 events of ~1.2 KB, appended at once: one batch of ~3.6 MB, over the broker's 1 MB a partition
    const ids = Array.from({ length: 3000 }, () => randomUUID());
    for (const [seq, id] of ids.entries()) log.append(id, { ...event(id, seq), inputs: { seq, note: 'x'.repeat(1000) } });
    await vi.waitFor(() => expect(new Set(received.map((r) => r.key))).toEqual(new Set(ids)), { timeout: 60_000, interval: 250 });
    expect(errors).toEqual([]);
    expect(log.stats()).toMatchObject({ sent: 3000, dropped: 0, spooledEvents: 0 });
  });

  it('spools fast while no broker answers, and a later process replays the spool into Kafka', async () => {
    const port = await closedPort();
    const errors: string[] = [];
    const restarted = { ATELIER_NAMESPACE: `${namespace}-restart` };
    const away = new KafkaService(config({ ...restarted, KAFKA_BROKERS: `127.0.0.1:${port}` }), new HealthRegistry());
    const first = away.durableProducer('predictions', { hooks: { onError: (e) => errors.push(e.message) } });
    const ids = Array.from({ length: 300 }, () => randomUUID());
    const started = Date.now();
    for (const [seq, id] of ids.entries()) first.append(id, event(id, seq));
    // the fail-fast client gives up within seconds, not the shared client's minutes of retries
    await vi.waitFor(() => expect(first.stats().spooledEvents).toBe(300), { timeout: 10_000, interval: 50 });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(errors.length).toBeGreaterThan(0);
    await away.onModuleDestroy(); // closes the producer; the spool stays for the next process
    expect(first.stats()).toMatchObject({ sent: 0, dropped: 0, spooledEvents: 300 });

    const { kafka, received } = await listening(restarted);
    const second = kafka.durableProducer('predictions');
    await vi.waitFor(() => expect(new Set(received.map((r) => r.key))).toEqual(new Set(ids)), { timeout: 60_000, interval: 250 });
    await vi.waitFor(() => expect(second.stats()).toMatchObject({ sent: 300, spooledEvents: 0, spoolBytes: 0 }), { timeout: 5000 });
  });
});
