import { Injectable, OnModuleDestroy } from '@nestjs/common';
import type { Counter } from 'prom-client';

import type { AlertEvent } from '@atelier/contracts';
import { type DurableProducer, KafkaService } from '@atelier/kafka';
import { MetricsService } from '@atelier/server';

import { deliveryCounter, WebhookDeliveries } from './webhook-deliveries';

/**
 * Tells the world an alert opened or resolved: an `AlertEvent` on the `alerts` topic, through the
 * durable producer (memory, then a spool on disk while the broker is away), and, when the monitor
 * has one, a POST to its webhook through the durable delivery queue. Neither can delay or fail
 * the evaluation that raised the alert, and neither is lost to a broker outage or a restart.
 */
@Injectable()
export class AlertNotifier implements OnModuleDestroy {
  private readonly alerts: DurableProducer;
  private readonly published: Counter<string>;
  private readonly queued = new Set<Promise<void>>();

  constructor(
    kafka: KafkaService,
    private readonly webhooks: WebhookDeliveries,
    metrics: MetricsService,
  ) {
    this.published = deliveryCounter(metrics);
    this.alerts = kafka.durableProducer('alerts', { hooks: { onError: () => this.published.inc({ type: 'any', channel: 'kafka', result: 'retried' }) } });
  }

  notify(event: AlertEvent, monitor: { id: string; webhookUrl: string | null }): void {
    this.alerts.append(event.monitorId, event);
    if (!monitor.webhookUrl) return;
    const queued = this.webhooks.enqueue({ monitorId: monitor.id, url: monitor.webhookUrl, event });
    this.queued.add(queued);
    void queued.finally(() => this.queued.delete(queued));
  }

  /** Waits for deliveries being handed to the queue (the queue keeps them from there). */
  async onModuleDestroy(): Promise<void> {
    await Promise.allSettled([...this.queued]);
  }
}
