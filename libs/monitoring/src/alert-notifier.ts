import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { Counter } from 'prom-client';

import { ATELIER_CONFIG, type AtelierConfig } from '@atelier/config';
import type { AlertEvent } from '@atelier/contracts';
import { KafkaService } from '@atelier/kafka';
import { MetricsService } from '@atelier/server';

import { postWebhook } from './webhook';
import { webhookTargetProblem } from './webhook-target';

/**
 * Tells the world an alert opened or resolved: an `AlertEvent` on the `alerts` topic and, when
 * the monitor has one, a POST to its webhook. Both run in the background; neither can delay or
 * fail the evaluation that raised the alert.
 */
@Injectable()
export class AlertNotifier implements OnModuleDestroy {
  private readonly logger = new Logger('monitoring.alerts');
  private readonly shutdown = new AbortController();
  private readonly deliveries = new Set<Promise<void>>();
  private readonly published: Counter<string>;

  constructor(
    private readonly kafka: KafkaService,
    @Inject(ATELIER_CONFIG) private readonly config: AtelierConfig,
    metrics: MetricsService,
  ) {
    this.published = metrics.counter(
      'atelier_alert_deliveries_total',
      'alert events that could not be published or were posted to webhooks',
      ['type', 'channel', 'result'],
    );
  }

  notify(event: AlertEvent, webhook: { url: string | null; secret: string | null }): void {
    this.kafka.publishInBackground('alerts', [{ key: event.monitorId, value: event }], () =>
      this.published.inc({ type: event.type, channel: 'kafka', result: 'failed' }),
    );
    if (webhook.url) this.track(this.deliver(webhook.url, webhook.secret, event));
  }

  private async deliver(url: string, secret: string | null, event: AlertEvent): Promise<void> {
    const refused = await webhookTargetProblem(url, this.config.webhooks);
    if (refused) {
      this.published.inc({ type: event.type, channel: 'webhook', result: 'refused' });
      this.logger.warn({ msg: 'webhook target refused', alertId: event.alertId, monitorId: event.monitorId, url: redact(url), reason: refused });
      return;
    }
    const result = await postWebhook(url, event, { secret, signal: this.shutdown.signal });
    this.published.inc({ type: event.type, channel: 'webhook', result: result.delivered ? 'delivered' : 'failed' });
    if (!result.delivered) {
      this.logger.warn({
        msg: 'webhook not delivered',
        alertId: event.alertId,
        monitorId: event.monitorId,
        url: redact(url),
        attempts: result.attempts,
        last: result.last,
      });
    }
  }

  private track(delivery: Promise<void>): void {
    const tracked = delivery.catch((error: unknown) => this.logger.error({ msg: 'webhook delivery crashed', error: String(error) }));
    this.deliveries.add(tracked);
    void tracked.finally(() => this.deliveries.delete(tracked));
  }

  /** Stops retrying and waits for attempts in flight (each is bounded by its timeout). */
  async onModuleDestroy(): Promise<void> {
    this.shutdown.abort();
    await Promise.allSettled([...this.deliveries]);
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
