import path from 'node:path';

import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import { type Admin, type Consumer, type EachBatchPayload, Kafka, type KafkaMessage, logLevel, Partitioners, type Producer } from 'kafkajs';
import type { Counter, Gauge } from 'prom-client';
import type { z } from 'zod';

import { ATELIER_CONFIG, type AtelierConfig } from '@atelier/config';
import { type TopicKey, topicName, Topics } from '@atelier/contracts';
import { dependencyUnavailable, HealthRegistry, MetricsService } from '@atelier/server';

import { DurableProducer, type DurableProducerHooks, type DurableProducerOptions, type SpoolRecord } from './durable-producer';
import { spoolsBeyond } from './spool';

import './crc32c.patch';
import './request-queue.patch';

export interface SubscribeOptions<T> {
  /** consumer group, prefixed with the namespace */
  group: string;
  topics: TopicKey[];
  schema: z.ZodType<T>;
  /**
   * A quick test that holds only for values `schema` takes unchanged (e.g. `isPlainPredictionEvent`):
   * those are used as they are, without the schema's cost; the others go through the schema.
   */
  accepts?: (value: unknown) => boolean;
  /**
   * All messages of one fetched batch that parsed; those that do not go to the dead-letter topic.
   * When it throws, the batch is retried (a database away), unless `poison` says the error is
   * the data's own: then the batch is handled one message at a time and the messages that fail
   * so go to the dead-letter topic with the reason, so one bad message never stalls the others.
   */
  handle: (events: T[], topic: TopicKey) => Promise<void>;
  poison?: (error: unknown) => boolean;
  fromBeginning?: boolean;
  /**
   * How many partitions' batches are handled at once (kafkajs `partitionsConsumedConcurrently`);
   * one partition's batches always in order. Default 1.
   */
  concurrency?: number;
  /**
   * A message may hold a JSON array of events (what a packing durable producer sends, see
   * `DurableProducerSettings.packUpTo`): each is checked and handled as an event of its own, and
   * one that fails goes to the dead-letter topic alone, with its place in the message.
   */
  unpack?: boolean;
  /**
   * A topic of rare events (model events): a fetch returns as soon as one message is there, and
   * an idle consumer asks the broker once a second (LOW_VOLUME_FETCH) instead of five times.
   */
  lowVolume?: boolean;
}

/**
 * Fetch settings: under load a fetch waits up to 200 ms for 64 KiB (batches of hundreds of events,
 * one database transaction each for monitoring; idle, 200 ms of latency at most); a low-volume
 * consumer waits for one byte, up to a second.
 */
const BULK_FETCH = { maxWaitTimeInMs: 200, minBytes: 65_536 };
const LOW_VOLUME_FETCH = { maxWaitTimeInMs: 1_000, minBytes: 1 };

/** An event of a message; `item` is its place in a packed message (a JSON array of events). */
type Parsed<T> = { message: KafkaMessage; event: T; item?: { index: number; value: unknown } };
type Refused = { message: KafkaMessage; reason: string; item?: { index: number; value: unknown } };

/** A consumer group's position on its topics (see `KafkaService.consumerLag`). */
export interface ConsumerLag {
  /** the group's id on the broker, with the namespace */
  group: string;
  partitions: Array<{ topic: string; partition: number; committed: number | null; end: number; lag: number }>;
  /** messages not yet handled, over every partition */
  lag: number;
}

function messageOf(error: unknown): string {
  const issues = (error as { issues?: Array<{ path: PropertyKey[]; message: string }> } | null)?.issues;
  if (Array.isArray(issues)) return issues.map((i) => `${i.path.map(String).join('.') || 'message'}: ${i.message}`).join('; ');
  return error instanceof Error ? error.message : String(error);
}

/** What the dead-letter topic holds: the message as it was, where it came from, and why. */
export interface DeadLetter {
  group: string;
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  /** an event of a packed message (a JSON array of events): its place in the array; `value` is the event alone */
  item?: number;
  reason: string;
  at: string;
}

/** Overrides of the prediction-log configuration for one durable producer, and its metrics hooks. */
export type DurableProducerSettings = Partial<Omit<DurableProducerOptions, 'spoolDir'>> & {
  hooks?: DurableProducerHooks;
  /**
   * Events per Kafka message: consecutive events of a send go out as JSON arrays of up to this
   * many, keyed by the first one's key (consumers read them with `SubscribeOptions.unpack`). Saves
   * the client's per-message work (partitioning, record encoding) and the consumer's. Default 1:
   * one event per message, its key its own.
   */
  packUpTo?: number;
  /**
   * How a send's events become messages, in order, instead of `packUpTo`'s arrays: the prediction
   * log sends a run of like events as one batch event. A message's value must stay under
   * `MAX_PACKED_CHARS` to fit the broker's message size.
   */
  pack?: (records: SpoolRecord[]) => Array<{ key: string; value: string }>;
};

/**
 * The durable producers' Kafka client fails fast, unlike the shared one (8 retries, 30 s request
 * timeout, which keeps a send against a stopped broker pending for tens of seconds): a failed send
 * costs nothing there, the events go to the spool and the replay retries with its own backoff.
 * Worst case per send: 3 attempts of ≤ 5 s against a broker that accepts but never answers;
 * about a second against one that refuses connections.
 */
const FAIL_FAST = {
  retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
  requestTimeout: 5000,
  connectionTimeout: 1000,
  /** how long the broker may wait for the in-sync replicas' acknowledgement */
  ackTimeoutMs: 3000,
};

/**
 * Atelier's Kafka client: one producer per process, JSON events validated with their
 * contracts on both sides, topics created up front with the namespace in their names.
 */
@Injectable()
export class KafkaService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('kafka');
  private readonly kafka: Kafka;
  private readonly consumers: Consumer[] = [];
  private producer?: Promise<Producer>;
  private admin?: Promise<Admin>;
  private durableKafka?: Kafka;
  private durableClient?: Promise<Producer>;
  private readonly durables = new Map<TopicKey, DurableProducer>();
  private readonly deadLetters?: Counter<string>;
  private readonly lagMessages?: Gauge<string>;
  private readonly lagSeconds?: Gauge<string>;

  constructor(
    @Inject(ATELIER_CONFIG) private readonly config: AtelierConfig,
    private readonly health: HealthRegistry,
    @Optional() metrics?: MetricsService,
  ) {
    this.deadLetters = metrics?.counter('atelier_dead_letters_total', 'consumed messages set aside on the dead-letter topic', ['topic']);
    this.lagMessages = metrics?.labeledGauge(
      'atelier_kafka_consumer_lag_messages',
      "messages of a partition not yet handled by this process's consumer group, after its last batch",
      ['group', 'topic', 'partition'],
    );
    this.lagSeconds = metrics?.labeledGauge(
      'atelier_kafka_consumer_lag_seconds',
      'how far behind a partition its consumer is: 0 when its last batch emptied it, else the age of the last message handled',
      ['group', 'topic', 'partition'],
    );
    this.kafka = new Kafka({
      clientId: config.kafka.clientId,
      brokers: config.kafka.brokers,
      logLevel: logLevel.WARN,
      retry: { retries: 8, initialRetryTime: 200 },
      logCreator: () => (entry) =>
        this.logger.warn({ msg: entry.log.message, kafka: entry.namespace, error: (entry.log as { error?: unknown }).error }),
    });
  }

  onModuleInit(): void {
    this.health.register('kafka', async () => {
      const admin = await this.getAdmin();
      await admin.describeCluster();
    });
  }

  topic(key: TopicKey): string {
    return topicName(this.config.namespace, key);
  }

  /** Creates every Atelier topic that does not exist yet. */
  async ensureTopics(partitions = 3): Promise<void> {
    const admin = await this.getAdmin();
    const existing = new Set(await admin.listTopics());
    const missing = (Object.keys(Topics) as TopicKey[]).map((k) => this.topic(k)).filter((t) => !existing.has(t));
    if (missing.length === 0) return;
    await admin.createTopics({ waitForLeaders: true, topics: missing.map((topic) => ({ topic, numPartitions: partitions })) });
  }

  /**
   * How far a consumer group is behind on topics, asked of the broker (whichever process
   * consumes): per partition the group's committed offset, the partition's end, and the messages
   * between (a partition the group never committed counts from its start). Kafka away: 503.
   */
  async consumerLag(group: string, keys: TopicKey[]): Promise<ConsumerLag> {
    try {
      return await this.askLag(group, keys);
    } catch (error) {
      throw dependencyUnavailable(`Kafka did not answer: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async askLag(group: string, keys: TopicKey[]): Promise<ConsumerLag> {
    const admin = await this.getAdmin();
    const groupId = `${this.config.namespace}.${group}`;
    const topics = keys.map((k) => this.topic(k));
    const committed = await admin.fetchOffsets({ groupId, topics });
    const partitions: ConsumerLag['partitions'] = [];
    for (const topic of topics) {
      const ends = await admin.fetchTopicOffsets(topic);
      const mine = committed.find((c) => c.topic === topic)?.partitions ?? [];
      for (const end of ends) {
        const at = Number(mine.find((p) => p.partition === end.partition)?.offset ?? '-1');
        const start = Number(end.low);
        const position = at >= 0 ? at : start;
        partitions.push({
          topic,
          partition: end.partition,
          committed: at >= 0 ? at : null,
          end: Number(end.high),
          lag: Math.max(0, Number(end.high) - position),
        });
      }
    }
    return { group: groupId, partitions, lag: partitions.reduce((n, p) => n + p.lag, 0) };
  }

  async publish(key: TopicKey, messages: Array<{ key: string; value: unknown }>): Promise<void> {
    const producer = await this.getProducer();
    const encoded = messages.map((m) => ({ key: m.key, value: JSON.stringify(m.value) }));
    // one send per ~512 KB: a partition's record batch must stay under the broker's message.max.bytes (1 MB)
    for (const chunk of chunksOf(encoded, SEND_BYTES)) await producer.send({ topic: this.topic(key), messages: chunk });
  }

  /**
   * Publishes without making the caller wait or fail: for the prediction path, where a slow
   * or absent broker must never cost a response. Failures are counted and logged.
   */
  publishInBackground(key: TopicKey, messages: Array<{ key: string; value: unknown }>, onError?: (e: Error) => void): void {
    this.publish(key, messages).catch((error: unknown) => {
      const e = error instanceof Error ? error : new Error(String(error));
      this.logger.warn({ msg: 'publish failed', topic: this.topic(key), error: e.message });
      onError?.(e);
    });
  }

  /**
   * A log to `key`'s topic that never makes the caller wait or fail and keeps events through a
   * broker outage and a restart (see DurableProducer): the prediction path's publisher. Started
   * here, closed in onModuleDestroy. Defaults come from the PREDICTION_LOG_* configuration; the
   * spool lives in `<spoolDir>/<namespace>/<topic>/<process index>`, so neither two namespaces nor
   * two serving processes share segment files. One per topic and process: a second call returns
   * the first producer, with the first call's settings and hooks.
   */
  durableProducer(key: TopicKey, settings: DurableProducerSettings = {}): DurableProducer {
    const existing = this.durables.get(key);
    if (existing) return existing;
    const {
      hooks,
      packUpTo = 1,
      pack = packUpTo > 1 ? (records: SpoolRecord[]) => packed(records, packUpTo) : undefined,
      ...overrides
    } = settings;
    const topic = this.topic(key);
    const log = this.config.predictionLog;
    const spoolDir = path.join(log.spoolDir, this.config.namespace, key, String(this.config.processIndex));
    const producer = new DurableProducer(
      (messages) => this.sendDurably(topic, pack ? pack(messages) : messages),
      {
        lingerMs: log.lingerMs,
        batchSize: log.batchSize,
        maxBuffered: log.maxBuffered,
        maxSpoolBytes: log.maxSpoolBytes,
        ...overrides,
        spoolDir,
        // process 0 replays what processes this machine no longer runs left spooled
        adoptSpoolDirs: this.config.processIndex === 0 ? spoolsBeyond(spoolDir, this.config.processCount) : [],
      },
      { ...hooks, onError: this.warnEvery(10_000, topic, hooks?.onError) },
    );
    this.durables.set(key, producer);
    producer.start();
    return producer;
  }

  /**
   * During an outage every retry fails, and a full disk fails every spool write: one warning per
   * kind and interval, with how many were left out, keeps the log readable.
   */
  private warnEvery(
    intervalMs: number,
    topic: string,
    next?: DurableProducerHooks['onError'],
  ): NonNullable<DurableProducerHooks['onError']> {
    const last = new Map<string, { at: number; suppressed: number }>();
    return (error, during) => {
      next?.(error, during);
      const seen = last.get(during);
      const now = Date.now();
      if (seen && now - seen.at < intervalMs) {
        seen.suppressed += 1;
        return;
      }
      last.set(during, { at: now, suppressed: 0 });
      this.logger.warn({ msg: `prediction log: ${during} failed`, topic, error: error.message, suppressed: seen?.suppressed ?? 0 });
    };
  }

  /**
   * One batch of the durable producer, in order. Under a backlog a batch holds megabytes (a
   * 1,000-row batch predict logs ~300 KB): it goes in produce requests of up to
   * DURABLE_REQUEST_BYTES, so each partition's record batch stays under the broker's 1 MB.
   */
  private async sendDurably(topic: string, messages: Array<{ key: string; value: string }>): Promise<void> {
    const producer = await this.getDurableClient();
    for (const chunk of chunksOf(messages, DURABLE_REQUEST_BYTES)) await producer.send({ topic, acks: -1, timeout: FAIL_FAST.ackTimeoutMs, messages: chunk });
  }

  /**
   * Starts a consumer; resolves once it has joined its group and fetched once: that first fetch
   * fixed where each partition starts (for a new group not reading `fromBeginning`, the latest
   * offset then), so nothing published after this resolves is skipped — after the join alone, an
   * event published before that fetch was.
   */
  async subscribe<T>(options: SubscribeOptions<T>): Promise<Consumer> {
    await this.ensureTopics();
    const fetch = options.lowVolume ? LOW_VOLUME_FETCH : BULK_FETCH;
    const consumer = this.kafka.consumer({ groupId: `${this.config.namespace}.${options.group}`, ...fetch });
    this.consumers.push(consumer);
    await consumer.connect();
    const byTopic = new Map(options.topics.map((k) => [this.topic(k), k]));
    await consumer.subscribe({ topics: [...byTopic.keys()], fromBeginning: options.fromBeginning ?? true });
    const joined = new Promise<void>((resolve) => {
      let inGroup = false;
      consumer.on(consumer.events.GROUP_JOIN, () => (inGroup = true));
      consumer.on(consumer.events.FETCH, () => inGroup && resolve());
    });
    await consumer.run({
      partitionsConsumedConcurrently: Math.max(1, options.concurrency ?? 1),
      eachBatch: async (payload: EachBatchPayload) => {
        const key = byTopic.get(payload.batch.topic);
        if (!key) return;
        const { parsed, invalid } = this.parseBatch(payload, options);
        if (invalid.length > 0) await this.deadLetter(options.group, payload, invalid);
        if (parsed.length > 0) await this.handleBatch(options, key, payload, parsed);
        payload.resolveOffset(payload.batch.lastOffset());
        this.recordLag(options.group, payload);
        await payload.heartbeat();
      },
    });
    await joined;
    return consumer;
  }

  private recordLag(group: string, { batch }: EachBatchPayload): void {
    const labels = { group, topic: batch.topic, partition: String(batch.partition) };
    const behind = Math.max(0, Number(batch.offsetLag()));
    this.lagMessages?.set(labels, behind);
    const last = batch.messages.at(-1);
    this.lagSeconds?.set(labels, behind === 0 || !last ? 0 : Math.max(0, (Date.now() - Number(last.timestamp)) / 1000));
  }

  private async handleBatch<T>(
    options: SubscribeOptions<T>,
    key: TopicKey,
    payload: EachBatchPayload,
    parsed: Array<Parsed<T>>,
  ): Promise<void> {
    try {
      await options.handle(
        parsed.map((p) => p.event),
        key,
      );
      return;
    } catch (error) {
      if (!options.poison?.(error)) throw error; // retried: the store may be back next time
    }
    const refused: Refused[] = [];
    for (const p of parsed) {
      try {
        await options.handle([p.event], key);
      } catch (error) {
        if (!options.poison?.(error)) throw error;
        refused.push({ message: p.message, item: p.item, reason: `refused by its consumer: ${messageOf(error)}` });
      }
      await payload.heartbeat();
    }
    await this.deadLetter(options.group, payload, refused);
  }

  /** Sets messages aside on the dead-letter topic (waits for Kafka: the offsets move on after). */
  private async deadLetter(group: string, payload: EachBatchPayload, messages: Refused[]): Promise<void> {
    if (messages.length === 0) return;
    const at = new Date().toISOString();
    const letters: DeadLetter[] = messages.map(({ message, reason, item }) => ({
      group,
      topic: payload.batch.topic,
      partition: payload.batch.partition,
      offset: message.offset,
      key: message.key?.toString() ?? null,
      value: item ? (JSON.stringify(item.value) ?? null) : (message.value?.toString() ?? null),
      ...(item ? { item: item.index } : {}),
      reason,
      at,
    }));
    await this.publish(
      'deadLetters',
      letters.map((l) => ({ key: `${l.topic}:${l.partition}:${l.offset}${l.item === undefined ? '' : `:${l.item}`}`, value: l })),
    );
    this.deadLetters?.inc({ topic: payload.batch.topic }, letters.length);
    for (const l of letters)
      this.logger.warn({
        msg: 'message set aside on the dead-letter topic',
        topic: l.topic,
        partition: l.partition,
        offset: l.offset,
        reason: l.reason,
      });
  }

  private parseBatch<T>(
    payload: EachBatchPayload,
    { schema, accepts, unpack = false }: SubscribeOptions<T>,
  ): { parsed: Array<Parsed<T>>; invalid: Refused[] } {
    const parsed: Array<Parsed<T>> = [];
    const invalid: Refused[] = [];
    const check = (value: unknown): ReturnType<typeof schema.safeParse> =>
      accepts?.(value) ? { success: true, data: value as T } : schema.safeParse(value);
    const refuse = (message: KafkaMessage, error: unknown, item?: Refused['item']) =>
      invalid.push({ message, item, reason: `does not match its contract: ${messageOf(error).slice(0, 300)}` });
    for (const message of payload.batch.messages) {
      let body: unknown;
      try {
        body = JSON.parse(message.value?.toString() ?? 'null');
      } catch (error) {
        refuse(message, error);
        continue;
      }
      if (!(unpack && Array.isArray(body))) {
        const checked = check(body);
        if (checked.success) parsed.push({ message, event: checked.data });
        else refuse(message, checked.error);
        continue;
      }
      body.forEach((value: unknown, index) => {
        const checked = check(value);
        if (checked.success) parsed.push({ message, event: checked.data, item: { index, value } });
        else refuse(message, checked.error, { index, value });
      });
    }
    return { parsed, invalid };
  }

  private getProducer(): Promise<Producer> {
    this.producer ??= (async () => {
      const producer = this.kafka.producer({ allowAutoTopicCreation: true, createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      return producer;
    })();
    this.producer.catch(() => (this.producer = undefined));
    return this.producer;
  }

  private getDurableClient(): Promise<Producer> {
    this.durableClient ??= (async () => {
      this.durableKafka ??= new Kafka({
        clientId: `${this.config.kafka.clientId}-log`,
        brokers: this.config.kafka.brokers,
        // every failure surfaces as a failed send, which onError reports (throttled by warnEvery)
        logLevel: logLevel.NOTHING,
        retry: FAIL_FAST.retry,
        requestTimeout: FAIL_FAST.requestTimeout,
        connectionTimeout: FAIL_FAST.connectionTimeout,
      });
      const producer = this.durableKafka.producer({
        allowAutoTopicCreation: true,
        createPartitioner: Partitioners.DefaultPartitioner,
        retry: FAIL_FAST.retry,
      });
      await producer.connect();
      return producer;
    })();
    this.durableClient.catch(() => (this.durableClient = undefined));
    return this.durableClient;
  }

  private getAdmin(): Promise<Admin> {
    this.admin ??= (async () => {
      const admin = this.kafka.admin();
      await admin.connect();
      return admin;
    })();
    this.admin.catch(() => (this.admin = undefined));
    return this.admin;
  }

  async onModuleDestroy(): Promise<void> {
    // first: their last events still need the durable client (or end up in the spool)
    await Promise.allSettled([...this.durables.values()].map((d) => d.close()));
    this.durables.clear();
    if (this.durableClient) await (await this.durableClient.catch(() => undefined))?.disconnect();
    await Promise.allSettled(this.consumers.map((c) => c.disconnect()));
    if (this.producer) await (await this.producer.catch(() => undefined))?.disconnect();
    if (this.admin) await (await this.admin.catch(() => undefined))?.disconnect();
  }
}

const SEND_BYTES = 512 * 1024;
/** A packed message's value at most (characters): half a send, well under the broker's 1 MB message. */
export const MAX_PACKED_CHARS = SEND_BYTES / 2;
/** a durable send's produce request at most (keys and values, in characters): see `sendDurably` */
const DURABLE_REQUEST_BYTES = 768 * 1024;

/**
 * Consecutive records as JSON arrays of up to `upTo` values each (and under `SEND_BYTES`), keyed
 * by the first one's key: what `DurableProducerSettings.packUpTo` sends.
 */
export function packed(records: Array<{ key: string; value: string }>, upTo: number): Array<{ key: string; value: string }> {
  const messages: Array<{ key: string; value: string }> = [];
  let values: string[] = [];
  let bytes = 0;
  let key = '';
  const close = () => {
    if (values.length > 0) messages.push({ key, value: `[${values.join(',')}]` });
    values = [];
    bytes = 0;
  };
  for (const r of records) {
    if (values.length >= upTo || (values.length > 0 && bytes + r.value.length > MAX_PACKED_CHARS)) close();
    if (values.length === 0) key = r.key;
    values.push(r.value);
    bytes += r.value.length + 1;
  }
  close();
  return messages;
}

function* chunksOf<T extends { key: string; value: string }>(messages: T[], maxBytes: number): Generator<T[]> {
  let chunk: T[] = [];
  let bytes = 0;
  for (const m of messages) {
    const size = m.key.length + m.value.length + 64;
    if (chunk.length > 0 && bytes + size > maxBytes) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(m);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}
