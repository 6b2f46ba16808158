import { Injectable } from '@nestjs/common';
import type { Counter } from 'prom-client';

import type { AlertResponse, ListAlertsQuery } from '@atelier/contracts';
import { conflict, MetricsService, notFound } from '@atelier/server';

import { AlertNotifier } from './alert-notifier';
import { alertEvent } from './alert-rules';
import { toAlertResponse } from './monitoring.mappers';
import { MonitoringRepository } from './monitoring.repository';

/** Reading alerts, acknowledging them and resolving them by hand. */
@Injectable()
export class AlertsService {
  private readonly resolved: Counter<string>;
  private readonly acknowledged: Counter<string>;

  constructor(
    private readonly repository: MonitoringRepository,
    private readonly notifier: AlertNotifier,
    metrics: MetricsService,
  ) {
    this.resolved = metrics.counter('atelier_alerts_resolved_total', 'alerts resolved, by how', ['by']);
    this.acknowledged = metrics.counter('atelier_alerts_acknowledged_total', 'open alerts acknowledged');
  }

  /** Newest first. */
  async list(query: ListAlertsQuery): Promise<AlertResponse[]> {
    return (await this.repository.listAlerts(query)).map(toAlertResponse);
  }

  async get(id: string): Promise<AlertResponse> {
    const row = await this.repository.findAlert(id);
    if (!row) throw alertNotFound(id);
    return toAlertResponse(row);
  }

  /**
   * Resolves an alert by hand (someone fixed the cause, or the alert is noise). Resolving a
   * resolved alert changes nothing. If the metric is still past its threshold, the next
   * evaluation opens a new alert: resolving silences nothing, disabling the monitor does.
   */
  async resolve(id: string, actor: string, now = new Date()): Promise<AlertResponse> {
    const { alert, webhook, changed } = await this.repository.transaction(async (tx) => {
      const found = await this.repository.findAlert(id, tx);
      if (!found) throw alertNotFound(id);
      // the same lock evaluations take, so a concurrent evaluation cannot refresh what we resolve
      const monitor = await this.repository.lockMonitor(found.monitorId, tx);
      const current = await this.repository.findAlert(id, tx);
      if (!current || !monitor) throw alertNotFound(id);
      const webhook = { id: monitor.id, webhookUrl: monitor.webhookUrl };
      if (current.status !== 'open') return { alert: current, webhook, changed: false };
      const updated = await this.repository.updateAlert(id, { status: 'resolved', resolvedAt: now, resolvedBy: actor }, tx);
      return { alert: updated, webhook, changed: true };
    });
    if (changed) {
      this.resolved.inc({ by: 'hand' });
      this.notifier.notify(alertEvent('alert-resolved', alert, alert.value, `resolved by hand: ${alert.message}`, now), webhook);
    }
    return toAlertResponse(alert);
  }

  /**
   * Acknowledges an open alert: someone is on it. It stays open, is still refreshed by
   * evaluations and resolves as any other; the first acknowledgement is kept (acknowledging again
   * changes nothing). A resolved alert cannot be acknowledged (409).
   */
  async acknowledge(id: string, actor: string, now = new Date()): Promise<AlertResponse> {
    const { alert, changed } = await this.repository.transaction(async (tx) => {
      const found = await this.repository.findAlert(id, tx);
      if (!found) throw alertNotFound(id);
      // the lock evaluations and resolutions take: the alert cannot resolve meanwhile
      await this.repository.lockMonitor(found.monitorId, tx);
      const current = await this.repository.findAlert(id, tx);
      if (!current) throw alertNotFound(id);
      if (current.status !== 'open') throw conflict(`alert "${id}" is resolved already; only an open alert can be acknowledged`);
      if (current.acknowledgedAt) return { alert: current, changed: false };
      return { alert: await this.repository.updateAlert(id, { acknowledgedAt: now, acknowledgedBy: actor }, tx), changed: true };
    });
    if (changed) this.acknowledged.inc();
    return toAlertResponse(alert);
  }
}

function alertNotFound(id: string) {
  return notFound(`alert "${id}" does not exist`);
}
