import { Spool, type SpoolRecord, type SpoolWriteResult, toLine } from './spool';

export type { SpoolRecord } from './spool';

/** Sends one batch, in order; resolves once the broker acknowledged all of it. */
export type SendBatch = (messages: SpoolRecord[]) => Promise<void>;

export interface DurableProducerOptions {
  /** where the spool's segment files live; one directory per producer (never shared) */
  spoolDir: string;
  /** how long an event may wait in memory for companions before a flush */
  lingerMs?: number;
  /** events per `send`; a flush starts as soon as this many wait */
  batchSize?: number;
  /** events held in memory at most; beyond, they are written to the spool synchronously */
  maxBuffered?: number;
  /** spool size beyond which events are dropped (and counted) */
  maxSpoolBytes?: number;
  /** a spool segment is closed for appends at this size */
  segmentBytes?: number;
  /** spool directories of processes gone for good, replayed as this one's (`spoolsBeyond`) */
  adoptSpoolDirs?: readonly string[];
  /** wait before replaying the spool; doubles after each failed send up to `maxRetryMs` */
  retryMs?: number;
  maxRetryMs?: number;
  /** how long `close()` tries to send what is in memory before spooling it instead */
  closeTimeoutMs?: number;
}

export type DropReason = 'spool-full' | 'spool-error' | 'unserializable' | 'corrupt' | 'closed';

/**
 * Counters for the caller's metrics (kept free of prom-client). Gauges — buffered events, spool
 * size — are read from `stats()`, e.g. in a Gauge's `collect()`. Hooks must not throw; if one
 * does, the error is swallowed.
 */
export interface DurableProducerHooks {
  /** `n` events were acknowledged by the broker, straight from memory or replayed from the spool */
  onSent?(n: number, from: 'memory' | 'spool'): void;
  /** `n` events were written to the spool */
  onSpooled?(n: number): void;
  onDropped?(n: number, reason: DropReason): void;
  /** a send or a spool operation failed; for logging (the producer already handled it) */
  onError?(error: Error, during: 'send' | 'spool'): void;
}

export interface DurableProducerStats {
  /** events in memory waiting for a flush (not counting the batch of a send in flight) */
  buffered: number;
  /** events in the spool not yet acknowledged */
  spooledEvents: number;
  spoolBytes: number;
  dropped: number;
  sent: number;
}

const MiB = 1024 * 1024;

/**
 * An event log in front of a broker that never makes the caller wait or fail, and that keeps
 * events through a broker outage and a restart.
 *
 * Path of an event: `append` puts it in memory; after `lingerMs` (or once `batchSize` wait) it is
 * sent. If the send fails, or events arrive while the spool holds older ones, they go to the spool
 * (JSON lines in numbered segment files), which a background loop replays oldest first, deleting
 * a segment once all of it was acknowledged. One `send` is in flight at a time, so batches arrive
 * in append order. Delivery is at-least-once: a segment partly sent before a crash, or a batch
 * whose send failed after the broker had in fact written it, is sent again; consumers dedupe by key.
 *
 * Order: while the spool is non-empty, new events are spooled behind it, not sent around it. The
 * one exception is the replay of the last segment: events arriving meanwhile wait in memory (up to
 * half of `maxBuffered`) and are sent right after it, or spooled behind it if a send fails.
 * Without that, whenever a send takes longer than `lingerMs`, every replayed segment would leave a
 * newer one behind and the spool would never drain while traffic flows.
 *
 * Memory: at most `maxBuffered` events wait in memory, plus the batch in flight and, during
 * replay, the one segment being sent (≤ `segmentBytes`). When a send is slow, events are spooled
 * once half of `maxBuffered` wait; if even the asynchronous spool writes cannot keep up, the
 * event that fills the buffer writes it synchronously (the valve): blocking the event loop for one
 * write is the back-pressure, and the alternative would be losing events or unbounded memory.
 *
 * Durability: what is in memory — up to `lingerMs` of events, plus the batch in flight, plus
 * the events waiting for the last segment's replay — is lost if the process is killed. Once a spool
 * append has completed the events are in the OS's page cache and survive the process being
 * killed (SIGKILL, OOM, crash), but not a kernel crash or power loss: segments are not fsynced,
 * which would cost a disk flush every few milliseconds during an outage. Past `maxSpoolBytes`
 * events are dropped, and counted.
 *
 * Never throws from `append`, `start`, `stats` or `close`; failures go to the hooks.
 */
export class DurableProducer {
  private readonly lingerMs: number;
  private readonly batchSize: number;
  private readonly maxBuffered: number;
  /** a slow send spools the buffer from this size on, well before the valve */
  private readonly spillAt: number;
  private readonly retryMs: number;
  private readonly maxRetryMs: number;
  private readonly closeTimeoutMs: number;
  private readonly spool: Spool;

  private buffer: SpoolRecord[] = [];
  /** when the buffer's oldest event arrived (or the batch before it left): its linger runs from here */
  private bufferSince = 0;
  private lingerTimer?: NodeJS.Timeout;
  private flushSoon?: NodeJS.Immediate;
  private replayTimer?: NodeJS.Timeout;
  private backoffMs: number;

  /** the one send lane: a run of direct sends, or a replay */
  private lane?: Promise<void>;
  /** the batch of a send straight from memory (the spool was empty when it started) */
  private inFlight?: SpoolRecord[];
  /** the segment number set aside for that batch, should it fail after newer events were spooled */
  private reserved?: number;
  /** the last segment is being replayed: newer events wait in memory for it */
  private draining = false;
  /** the segment being replayed, and how far it was acknowledged */
  private cursor?: { seq: number; records: SpoolRecord[]; next: number };

  private started = false;
  private stopping = false;
  private closed = false;
  private closing?: Promise<void>;
  private counts = { sent: 0, dropped: 0 };

  constructor(
    private readonly send: SendBatch,
    options: DurableProducerOptions,
    private readonly hooks: DurableProducerHooks = {},
  ) {
    this.lingerMs = options.lingerMs ?? 5;
    this.batchSize = Math.max(1, options.batchSize ?? 500);
    this.maxBuffered = Math.max(1, options.maxBuffered ?? 20_000);
    this.spillAt = Math.max(1, Math.floor(this.maxBuffered / 2));
    this.retryMs = options.retryMs ?? 1000;
    this.maxRetryMs = Math.max(this.retryMs, options.maxRetryMs ?? 30_000);
    this.closeTimeoutMs = options.closeTimeoutMs ?? 2000;
    this.backoffMs = this.retryMs;
    this.spool = new Spool({
      dir: options.spoolDir,
      segmentBytes: options.segmentBytes ?? 16 * MiB,
      maxBytes: options.maxSpoolBytes ?? 1024 * MiB,
      adopt: options.adoptSpoolDirs,
    });
  }

  /** Indexes the spool a previous process may have left and starts replaying it. */
  start(): void {
    if (this.started || this.stopping) return;
    this.started = true;
    if (!this.spool.open()) this.report(this.spool.error, 'spool');
    this.spool.countRecovered().catch((error: unknown) => this.report(error, 'spool'));
    this.scheduleReplay(0);
    if (this.buffer.length > 0) this.flush();
  }

  /** Takes one event. Synchronous, never throws, never waits for I/O. */
  append(key: string, value: unknown): void {
    let json: string | undefined;
    try {
      json = JSON.stringify(value);
    } catch {
      json = undefined;
    }
    if (json === undefined) return this.drop(1, 'unserializable');
    this.take({ key: String(key), value: json });
  }

  /**
   * Takes one event as `append` does, keeping the object instead of its JSON: a send may pack
   * such events in a form of its own (see `DurableProducerSettings.pack`), and the JSON is made
   * only when something reads `value` (a spool write, a send that packs it as it is). `value`
   * must be plain JSON data that nothing changes after this call (it is serialized later, as it
   * is then); should it still not serialize, its JSON reads `null`.
   */
  appendObject(key: string, value: object): void {
    this.take(new ObjectRecord(String(key), value));
  }

  private take(record: SpoolRecord): void {
    if (this.closed) return this.drop(1, 'closed');
    if (this.buffer.push(record) === 1) this.bufferSince = performance.now();
    if (this.buffer.length >= this.maxBuffered) this.spillNow();
    else if (this.buffer.length >= Math.min(this.batchSize, this.spillAt)) this.scheduleFlush(0);
    else if (this.buffer.length === 1) this.scheduleFlush(this.lingerMs);
  }

  stats(): DurableProducerStats {
    const spool = this.spool.stats();
    return {
      buffered: this.buffer.length,
      spooledEvents: Math.max(0, spool.events - (this.cursor?.next ?? 0)),
      spoolBytes: spool.bytes,
      dropped: this.counts.dropped,
      sent: this.counts.sent,
    };
  }

  /**
   * Stops the loops and hands what is in memory to the broker, or, if that does not succeed
   * within `closeTimeoutMs`, to the spool (the next start replays it). A send still in flight at
   * the deadline is given up on: its batch is spooled too, and is a duplicate if it arrives after
   * all. Resolves once the spool writes have completed.
   */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    this.stopping = true;
    this.clearTimers();
    const deadline = Date.now() + this.closeTimeoutMs;
    const laneDone = await within(this.lane?.then(() => true) ?? Promise.resolve(true), this.closeTimeoutMs, false);
    if (!laneDone && this.inFlight) {
      // a replay in flight needs nothing: its segment stays on disk until acknowledged
      const batch = this.inFlight;
      this.inFlight = undefined;
      this.write(batch, this.reserved);
    }
    if (laneDone && this.buffer.length > 0 && this.started && this.spool.open() && this.spool.isEmpty) await this.sendWithin(deadline);
    if (this.buffer.length > 0) this.spill();
    this.closed = true;
    await this.spool.settled();
  }

  /** Sends the buffer batch by batch until done or the deadline; what is left stays in the buffer. */
  private async sendWithin(deadline: number): Promise<void> {
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, this.batchSize);
      const remaining = deadline - Date.now();
      const ok = remaining > 0 && (await within(this.trySend(batch), remaining, false));
      if (!ok) {
        // may still reach the broker after the deadline: spooled too, that is a duplicate at worst
        this.buffer = batch.concat(this.buffer);
        return;
      }
      this.sent(batch.length, 'memory');
    }
  }

  private scheduleFlush(delayMs: number): void {
    if (this.stopping) return;
    if (delayMs === 0) {
      if (this.lingerTimer) clearTimeout(this.lingerTimer);
      this.lingerTimer = undefined;
      this.flushSoon ??= setImmediate(() => this.flush());
    } else if (!this.lingerTimer && !this.flushSoon) {
      this.lingerTimer = setTimeout(() => this.flush(), delayMs);
      this.lingerTimer.unref();
    }
  }

  /** Routes what waits in memory: straight to the broker, or behind the spool. */
  private flush(): void {
    this.clearFlushTimers();
    if (this.buffer.length === 0 || this.stopping || !this.started) return;
    if (!this.spool.open() || this.spool.isEmpty) {
      if (!this.lane) this.lane = this.runLane(() => this.sendFromMemory());
      // a send is in flight: the buffer goes out when it returns, unless it has been slow
      else if (this.inFlight && this.buffer.length >= this.spillAt) this.spill();
      return;
    }
    if (this.draining && this.buffer.length < this.spillAt) return;
    this.spill();
  }

  /**
   * Direct sends while the spool is empty and a batch is due (full, or its oldest event has waited
   * `lingerMs`); a failed batch is spooled and the replay takes over. Events that arrived during a
   * send wait out their own linger too, so under load the broker gets one request per `lingerMs`
   * rather than one per round trip.
   */
  private async sendFromMemory(): Promise<void> {
    while (this.lingerLeft() === 0 && !this.stopping && (!this.spool.open() || this.spool.isEmpty)) {
      const batch = this.buffer.splice(0, this.batchSize);
      this.bufferSince = performance.now();
      this.inFlight = batch;
      this.reserved = undefined;
      const ok = await this.trySend(batch);
      if (this.inFlight !== batch) return; // close() gave up waiting and spooled it
      this.inFlight = undefined;
      if (ok) {
        this.sent(batch.length, 'memory');
      } else {
        this.write(batch, this.reserved);
        this.backoffMs = Math.min(this.backoffMs * 2, this.maxRetryMs);
      }
      this.reserved = undefined;
    }
  }

  /** Replays the spool oldest segment first, until it is empty, a send fails, or close() begins. */
  private async replay(): Promise<void> {
    let failed = false;
    while (!this.stopping && !this.spool.isEmpty) {
      const cursor = this.cursor ?? (await this.load());
      if (!cursor) continue;
      while (cursor.next < cursor.records.length && !this.stopping) {
        const batch = cursor.records.slice(cursor.next, cursor.next + this.batchSize);
        this.draining = this.spool.segmentCount === 1;
        const ok = await this.trySend(batch);
        this.draining = false;
        if (!ok) {
          failed = true;
          break;
        }
        cursor.next += batch.length;
        this.sent(batch.length, 'spool');
      }
      if (failed || cursor.next < cursor.records.length) break;
      this.cursor = undefined;
      await this.spool.remove(cursor.seq);
    }
    this.backoffMs = failed ? Math.min(this.backoffMs * 2, this.maxRetryMs) : this.retryMs;
  }

  /** Reads the oldest segment into the cursor; an unreadable one is set aside and counted. */
  private async load(): Promise<{ seq: number; records: SpoolRecord[]; next: number } | undefined> {
    const seq = this.spool.oldest();
    if (seq === undefined) return undefined;
    const read = await this.spool.read(seq);
    if (read.corrupt > 0) this.drop(read.corrupt, 'corrupt');
    if (read.error) {
      this.report(read.error, 'spool');
      this.drop(await this.spool.quarantine(seq), 'spool-error');
      return undefined;
    }
    this.cursor = { seq, records: read.records, next: 0 };
    return this.cursor;
  }

  /** Runs one job on the send lane, then hands over: replay if the spool holds events, else the buffer. */
  private async runLane(job: () => Promise<void>): Promise<void> {
    try {
      await job();
    } catch (error) {
      this.report(error, 'spool');
    } finally {
      this.lane = undefined;
    }
    if (this.stopping) return;
    if (!this.spool.isEmpty) this.scheduleReplay(this.backoffMs);
    if (this.buffer.length > 0) this.scheduleFlush(this.lingerLeft());
  }

  /** Milliseconds until the buffer is due for a send: 0 when full or lingered, Infinity when empty. */
  private lingerLeft(): number {
    if (this.buffer.length === 0) return Infinity;
    if (this.buffer.length >= this.batchSize) return 0;
    return Math.max(0, Math.ceil(this.bufferSince + this.lingerMs - performance.now()));
  }

  private scheduleReplay(delayMs: number): void {
    if (this.stopping || this.replayTimer || !this.started || this.spool.isEmpty) return;
    this.replayTimer = setTimeout(() => {
      this.replayTimer = undefined;
      if (this.lane) return this.scheduleReplay(this.retryMs); // a direct send holds the lane
      this.lane = this.runLane(() => this.replay());
    }, delayMs);
    this.replayTimer.unref();
  }

  /** Moves the whole buffer to the spool, behind a batch in flight that might still fail. */
  private spill(): void {
    const records = this.buffer;
    this.buffer = [];
    if (this.inFlight && this.reserved === undefined) this.reserved = this.spool.reserve();
    this.write(records);
  }

  /** The valve (see the class comment): the buffer is full and must leave memory now. */
  private spillNow(): void {
    const records = this.buffer;
    this.buffer = [];
    if (this.inFlight && this.reserved === undefined) this.reserved = this.spool.reserve();
    if (!this.spool.open()) return this.drop(records.length, 'spool-error');
    const result = this.spool.writeSync(records.map(toLine));
    this.drop(records.length - result.accepted, 'spool-full');
    this.settle(result);
    this.scheduleReplay(this.backoffMs);
  }

  private write(records: SpoolRecord[], seq?: number): void {
    if (records.length === 0) return;
    if (!this.spool.open()) return this.drop(records.length, 'spool-error');
    const { accepted, done } = this.spool.write(records.map(toLine), seq);
    this.drop(records.length - accepted, 'spool-full');
    void done.then((result) => this.settle(result));
    this.scheduleReplay(this.backoffMs);
  }

  private settle(result: SpoolWriteResult): void {
    if (result.written > 0) this.call(() => this.hooks.onSpooled?.(result.written));
    if (result.failed > 0) {
      this.report(result.error, 'spool');
      this.drop(result.failed, 'spool-error');
    }
  }

  /** `send`, turned into a boolean: a rejection or a synchronous throw is a failed send. */
  private async trySend(batch: SpoolRecord[]): Promise<boolean> {
    try {
      await this.send(batch);
      return true;
    } catch (error) {
      this.report(error, 'send');
      return false;
    }
  }

  private sent(n: number, from: 'memory' | 'spool'): void {
    this.counts.sent += n;
    this.call(() => this.hooks.onSent?.(n, from));
  }

  private drop(n: number, reason: DropReason): void {
    if (n <= 0) return;
    this.counts.dropped += n;
    this.call(() => this.hooks.onDropped?.(n, reason));
  }

  private report(error: unknown, during: 'send' | 'spool'): void {
    const e = error instanceof Error ? error : new Error(String(error ?? 'unknown error'));
    this.call(() => this.hooks.onError?.(e, during));
  }

  private call(hook: () => void): void {
    try {
      hook();
    } catch {
      // a metrics hook must not break the log
    }
  }

  private clearFlushTimers(): void {
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    if (this.flushSoon) clearImmediate(this.flushSoon);
    this.lingerTimer = undefined;
    this.flushSoon = undefined;
  }

  private clearTimers(): void {
    this.clearFlushTimers();
    if (this.replayTimer) clearTimeout(this.replayTimer);
    this.replayTimer = undefined;
  }
}

/** An event appended as an object (`appendObject`): its JSON made on the first read, once. */
class ObjectRecord implements SpoolRecord {
  private json?: string;

  constructor(
    readonly key: string,
    readonly object: object,
  ) {}

  get value(): string {
    if (this.json === undefined) {
      try {
        this.json = JSON.stringify(this.object) ?? 'null';
      } catch {
        this.json = 'null';
      }
    }
    return this.json;
  }
}

/** `promise`'s value, or `late` if it has not settled after `ms` (the promise must not reject). */
async function within<T>(promise: Promise<T>, ms: number, late: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => (timer = setTimeout(() => resolve(late), Math.max(0, ms))));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
