import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import Redis from 'ioredis';

import { ATELIER_CONFIG, type AtelierConfig } from '@atelier/config';

import { trainingCancelChannel } from './training.queue';
import { TrainingRepository } from './training.repository';

/** Why a job's signal was aborted: a person cancelled it. */
export class CancelledByRequest extends Error {
  constructor() {
    super('cancelled by request');
  }
}

/** Why a job's signal was aborted: its worker process is shutting down. */
export class WorkerStopping extends Error {}

/**
 * The abort signals of the jobs this process runs. A cancel is announced on a Redis channel (the
 * API may be another process) and aborts the job here. An announcement made while this process
 * was not subscribed is missed, so after every (re)subscription the status of each running job
 * is read from the database instead.
 */
@Injectable()
export class TrainingCancellations implements OnModuleDestroy {
  private readonly logger = new Logger('training');
  private readonly running = new Map<string, AbortController>();
  private readonly channel: string;
  private readonly subscriber: Redis;
  private listening = false;

  constructor(
    private readonly repository: TrainingRepository,
    @Inject(ATELIER_CONFIG) config: AtelierConfig,
  ) {
    this.channel = trainingCancelChannel(config.namespace);
    // connects with the first job, so a process that never trains holds no subscription
    this.subscriber = new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: null });
  }

  /** The signal that aborts this job's training when it is cancelled. */
  track(jobId: string): AbortSignal {
    const controller = new AbortController();
    this.running.set(jobId, controller);
    this.listen();
    return controller.signal;
  }

  release(jobId: string): void {
    this.running.delete(jobId);
  }

  /** Aborts every job of this process, e.g. when it stops. */
  abortAll(reason: Error): void {
    for (const controller of this.running.values()) controller.abort(reason);
  }

  /** Aborts the job's training here, and its search trials this process trains (`<jobId>:<trial>`). */
  private cancel(jobId: string): void {
    for (const [key, controller] of this.running) {
      if (key === jobId || key.startsWith(`${jobId}:`)) controller.abort(new CancelledByRequest());
    }
  }

  private listen(): void {
    if (this.listening) return;
    this.listening = true;
    this.subscriber.on('message', (_channel: string, jobId: string) => this.cancel(jobId));
    // ioredis subscribes again by itself after a reconnect; what was announced meanwhile is lost
    this.subscriber.on('ready', () => void this.recheck());
    this.subscriber.on('error', (error: Error) => this.logger.debug({ msg: 'training cancel subscription', error: error.message }));
    this.subscriber.connect().catch(() => undefined); // reconnects by itself
    // queued until the connection is up
    this.subscriber
      .subscribe(this.channel)
      .then(() => this.recheck())
      .catch((error: unknown) => this.logger.warn({ msg: 'training cancel subscription failed', error: String(error) }));
  }

  private async recheck(): Promise<void> {
    for (const jobId of new Set([...this.running.keys()].map((key) => key.split(':')[0]!))) {
      const job = await this.repository.find(jobId).catch(() => null);
      if (job?.status === 'cancelled') this.cancel(jobId);
    }
  }

  async onModuleDestroy(): Promise<void> {
    if (this.listening) await this.subscriber.quit().catch(() => this.subscriber.disconnect());
  }
}
