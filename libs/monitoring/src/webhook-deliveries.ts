import { InjectQueue, Process, Processor } from '@nestjs/bull';
import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { Job, Queue } from 'bull';
import type { Counter } from 'prom-client';
import { z } from 'zod';

import { ATELIER_CONFIG, type AtelierConfig } from '@atelier/config';
import { AlertEvent } from '@atelier/contracts';
import { MetricsService } from '@atelier/server';

import { MonitoringRepository } from './monitoring.repository';
import { postWebhook } from './webhook';
import { webhookTargetProblem } from './webhook-target';

export const WEBHOOK_QUEUE = 'webhooks';

/**
 * One delivery: the event and where it goes. The signing secret stays in PostgreSQL and is read
 * at each attempt, so it never sits in Redis (and a monitor deleted meanwhile gets nothing).
 */
const WebhookJob = z.object({ monitorId: z.uuid(), url: z.string(), event: AlertEvent });
export type WebhookJob = z.infer<typeof WebhookJob>;

/** Outcomes of delivery attempts, by alert event type. */
export function deliveryCounter(metrics: MetricsService): Counter<string> {
  return metrics.counter('atelier_alert_deliveries_total', 'alert notifications by channel and result', ['type', 'channel', 'result']);
}

/**
 * Alert webhooks through a durable Bull queue: a delivery waits in Redis (append-only file), so a
 * restart of the platform during a receiver's outage delays it and loses nothing. Each attempt is
 * one POST; network errors, timeouts, 408, 429 and 5xx are retried by the queue with exponential
 * backoff (`WEBHOOK_ATTEMPTS`, `WEBHOOK_RETRY_MS`); any other 4xx is the receiver refusing it.
 * The job id is the event's identity, so one event is queued once however often it is offered.
 */
@Injectable()
export class WebhookDeliveries implements OnModuleDestroy {
  private readonly logger = new Logger('monitoring.webhooks');
  private readonly shutdown = new AbortController();
  private readonly direct = new Set<Promise<void>>();
  private readonly deliveries: Counter<string>;

  constructor(
    @InjectQueue(WEBHOOK_QUEUE) private readonly queue: Queue<WebhookJob>,
    private readonly repository: MonitoringRepository,
    @Inject(ATELIER_CONFIG) private readonly config: AtelierConfig,
    metrics: MetricsService,
  ) {
    this.deliveries = deliveryCounter(metrics);
  }

  /** Queues a delivery; if Redis cannot take it, tries it from this process instead. */
  async enqueue(job: WebhookJob): Promise<void> {
    const { attempts, retryMs } = this.config.webhooks;
    try {
      await this.queue.add(job, {
        jobId: `${job.event.alertId}:${job.event.type}:${job.event.at}`,
        attempts,
        backoff: { type: 'exponential', delay: retryMs },
        removeOnComplete: 1000,
        removeOnFail: 5000,
      });
    } catch (error) {
      this.logger.warn({
        msg: 'webhook queue unavailable; delivering from this process',
        alertId: job.event.alertId,
        error: String(error),
      });
      const attempt = this.deliverNow(job).catch((e: unknown) => this.logger.error({ msg: 'webhook delivery crashed', error: String(e) }));
      this.direct.add(attempt);
      void attempt.finally(() => this.direct.delete(attempt));
    }
  }

  /** The queue's side: one attempt; throws to have Bull retry it later. */
  async attempt(job: Job<WebhookJob>): Promise<void> {
    const data = WebhookJob.parse(job.data);
    const posted = await this.post(data, 1);
    if (posted.outcome === 'done') return;
    if (posted.outcome === 'refused') {
      await job.discard();
      throw new Error(`the receiver refused the delivery: ${posted.last}`);
    }
    if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) this.count(data, 'failed');
    throw new Error(`webhook not delivered: ${posted.last}`);
  }

  /** Without the queue: the same attempts, spaced in this process (lost if it stops meanwhile). */
  private async deliverNow(job: WebhookJob): Promise<void> {
    if ((await this.post(job, this.config.webhooks.attempts)).outcome === 'retry') this.count(job, 'failed');
  }

  /**
   * Up to `attempts` POSTs of one delivery. 'done': delivered, or nothing to deliver (the target is
   * not allowed, the monitor is gone); 'refused': the receiver answered a 4xx; 'retry': worth
   * trying later. Counts every outcome but that last one, which only the final attempt counts.
   */
  private async post(job: WebhookJob, attempts: number): Promise<{ outcome: 'done' | 'refused' | 'retry'; last?: string }> {
    const { event, url } = job;
    const refused = await webhookTargetProblem(url, this.config.webhooks);
    if (refused) {
      this.count(job, 'refused');
      this.logger.warn({
        msg: 'webhook target refused',
        alertId: event.alertId,
        monitorId: job.monitorId,
        url: redact(url),
        reason: refused,
      });
      return { outcome: 'done' };
    }
    const monitor = await this.repository.findMonitor(job.monitorId);
    if (!monitor) {
      this.count(job, 'dropped');
      return { outcome: 'done' };
    }
    const result = await postWebhook(url, event, {
      secret: monitor.webhookSecret,
      attempts,
      backoffMs: this.config.webhooks.retryMs,
      signal: this.shutdown.signal,
    });
    if (result.delivered) {
      this.count(job, 'delivered');
      return { outcome: 'done' };
    }
    this.logger.warn({
      msg: 'webhook attempt failed',
      alertId: event.alertId,
      monitorId: job.monitorId,
      url: redact(url),
      last: result.last,
    });
    if (result.refused) {
      this.count(job, 'refused');
      return { outcome: 'refused', last: result.last };
    }
    return { outcome: 'retry', last: result.last };
  }

  private count(job: WebhookJob, result: string): void {
    this.deliveries.inc({ type: job.event.type, channel: 'webhook', result });
  }

  async onModuleDestroy(): Promise<void> {
    this.shutdown.abort();
    await Promise.allSettled([...this.direct]);
  }
}

@Processor(WEBHOOK_QUEUE)
export class WebhookDeliveryProcessor {
  constructor(private readonly deliveries: WebhookDeliveries) {}

  @Process({ concurrency: 4 })
  deliver(job: Job<WebhookJob>): Promise<void> {
    return this.deliveries.attempt(job);
  }
}

/** Webhook URLs may carry tokens (Slack, Teams); logs get the origin and path only. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(invalid url)';
  }
}
