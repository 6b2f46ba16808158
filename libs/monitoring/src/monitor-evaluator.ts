import { Injectable, Logger } from '@nestjs/common';
import type { Counter } from 'prom-client';

import { isFeatureMetric, type MonitorEvaluation, type MonitorMetric } from '@atelier/contracts';
import type { Prisma } from '@atelier/db';
import { MetricsService } from '@atelier/server';

import { AlertNotifier } from './alert-notifier';
import { alertEvent, type AlertTransition, alertTransition, breachMessage, recoveryMessage } from './alert-rules';
import { BaselineClient } from './baseline.client';
import { populationStabilityIndex } from './drift';
import { DriftService } from './drift.service';
import { messageContext, monitorNotFound, monitorProblem, specOf } from './monitoring.mappers';
import { type AlertRow, MonitoringRepository, type MonitorRow } from './monitoring.repository';
import { judge, type Judgement, type Window, type WindowAggregate, windowEndingAt } from './window-metrics';

/** A window not judged: no value, nothing decided (an open alert stays as it is). */
const UNJUDGED: Judgement = { value: null, samples: 0, conclusive: false, breached: false };

interface Evaluated {
  monitor: MonitorRow;
  now: Date;
  evaluation: MonitorEvaluation;
  transition: AlertTransition;
  judgement: Judgement;
  alert: AlertRow | null;
}

/** Evaluates monitors window by window, and opens, refreshes and resolves the alerts they raise. */
@Injectable()
export class MonitorEvaluator {
  private readonly logger = new Logger('monitoring.monitors');
  private readonly opened: Counter<string>;
  private readonly resolved: Counter<string>;

  constructor(
    private readonly repository: MonitoringRepository,
    private readonly notifier: AlertNotifier,
    private readonly baselines: BaselineClient,
    private readonly drift: DriftService,
    metrics: MetricsService,
  ) {
    this.opened = metrics.counter('atelier_alerts_opened_total', 'alerts opened by monitor evaluations');
    this.resolved = metrics.counter('atelier_alerts_resolved_total', 'alerts resolved, by how', ['by']);
  }

  /**
   * Evaluates a monitor over the window ending now, stores the window and opens, refreshes or
   * resolves its alert. All of it happens under a lock on the monitor's row, so concurrent
   * evaluations (timer, consumed batch, API) cannot open two alerts for one monitor.
   * Notifications go out after the commit, in the background.
   */
  async evaluate(id: string, at?: Date, listed?: MonitorRow): Promise<MonitorEvaluation> {
    // the registry is asked before the lock, so the monitor's row is never held while it answers;
    // a monitor's model and metric never change, so a row listed earlier tells them as well as a fresh read
    const row = listed ?? (await this.repository.findMonitor(id));
    if (!row) throw monitorNotFound(id);
    const problem = monitorProblem(specOf(row).metric, await this.baselines.recentLive(row.modelName));
    // the aggregate runs under the lock; a month-long window of a busy model may take a while
    const result = await this.repository.transaction((tx) => this.evaluateLocked(id, at, problem, tx), { timeout: 60_000 });
    this.announce(result);
    return result.evaluation;
  }

  /** Evaluates the enabled monitors of these models (after a consumed batch touched them). */
  async evaluateModels(models: string[]): Promise<void> {
    for (const model of models) {
      for (const monitor of await this.repository.listMonitors({ model, enabled: true })) await this.evaluateQuietly(monitor);
    }
  }

  /** Evaluates every enabled monitor (the background timer). */
  async evaluateAll(): Promise<void> {
    for (const monitor of await this.repository.listMonitors({ enabled: true })) await this.evaluateQuietly(monitor);
  }

  private async evaluateQuietly(monitor: MonitorRow): Promise<void> {
    const id = monitor.id;
    try {
      await this.evaluate(id, undefined, monitor);
    } catch (error) {
      this.logger.warn({
        msg: 'background evaluation failed',
        monitorId: id,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  /** Drift of the window's predictions from the newest version's training baseline. */
  private async predictionDrift(
    model: string,
    window: Window,
    tx: Prisma.TransactionClient,
  ): Promise<{ psi: number | null; samples: number }> {
    const live = await this.repository.newestVersionPredictions(model, window, tx);
    if (!live) return { psi: null, samples: 0 };
    const baseline = await this.baselines.predictionHistogram(model, live.version).catch((error: unknown) => {
      this.logger.warn({ msg: 'no baseline for drift', model, version: live.version, error: String(error) });
      return null;
    });
    return { psi: baseline ? populationStabilityIndex(baseline, live.predictions) : null, samples: live.predictions.length };
  }

  /** What the monitor's metric is computed from, in the window. */
  private async windowStats(
    monitor: MonitorRow,
    metric: MonitorMetric,
    window: Window,
    tx: Prisma.TransactionClient,
  ): Promise<WindowAggregate> {
    const stats = await this.repository.aggregateWindow(monitor.modelName, window, tx);
    if (metric === 'prediction_psi') stats.drift = await this.predictionDrift(monitor.modelName, window, tx);
    if (metric === 'auc') stats.auc = await this.repository.windowAuc(monitor.modelName, window, tx);
    if (isFeatureMetric(metric) && monitor.feature)
      stats.feature = await this.drift.featureValue(monitor.modelName, monitor.feature, metric, window);
    return stats;
  }

  /** `problem`: why the monitor is not judged now (monitorProblem), null when it is. */
  private async evaluateLocked(id: string, at: Date | undefined, problem: string | null, tx: Prisma.TransactionClient): Promise<Evaluated> {
    const monitor = await this.repository.lockMonitor(id, tx);
    if (!monitor) throw monitorNotFound(id);
    const now = at ?? new Date(); // taken under the lock, so a monitor's windows and alert times only move forward
    const window = windowEndingAt(now, monitor.windowSeconds);
    const spec = specOf(monitor);
    // a metric the live version (production's, else the newest) does not fit is not judged: its window gets no value
    const judgement = problem ? UNJUDGED : judge(spec, await this.windowStats(monitor, spec.metric, window, tx));
    await this.repository.insertWindow(
      {
        monitorId: id,
        windowStart: window.start,
        windowEnd: window.end,
        value: judgement.value,
        samples: judgement.samples,
        breached: judgement.breached,
      },
      tx,
    );
    const open = await this.repository.findOpenAlert(id, tx);
    const transition = alertTransition(judgement, open !== null);
    const alert = await this.applyTransition(transition, monitor, judgement, open, now, tx);
    return {
      monitor,
      now,
      transition,
      judgement,
      alert,
      evaluation: {
        monitorId: id,
        windowStart: window.start.toISOString(),
        windowEnd: window.end.toISOString(),
        value: judgement.value,
        samples: judgement.samples,
        breached: judgement.breached,
        alert: alert ? { id: alert.id, status: alert.status === 'open' ? 'open' : 'resolved' } : null,
        problem,
      },
    };
  }

  private async applyTransition(
    transition: AlertTransition,
    monitor: MonitorRow,
    judgement: Judgement,
    open: AlertRow | null,
    now: Date,
    tx: Prisma.TransactionClient,
  ): Promise<AlertRow | null> {
    const value = judgement.value ?? 0; // a breach always has a value
    const message = breachMessage(messageContext(monitor), value, judgement.samples);
    if (transition === 'open') {
      const alert = {
        monitorId: monitor.id,
        modelName: monitor.modelName,
        metric: monitor.metric,
        value,
        threshold: monitor.threshold,
        message,
      };
      return this.repository.createAlert(alert, tx);
    }
    if (!open || transition === 'none') return open;
    if (transition === 'refresh')
      return this.repository.updateAlert(open.id, { value, threshold: monitor.threshold, message, lastSeenAt: now }, tx);
    return this.repository.updateAlert(open.id, { status: 'resolved', resolvedAt: now, resolvedBy: 'monitor' }, tx);
  }

  private announce({ monitor, now, transition, judgement, alert }: Evaluated): void {
    if (!alert || (transition !== 'open' && transition !== 'resolve')) return;
    const value = judgement.value ?? alert.value;
    this.logger.log({
      msg: transition === 'open' ? 'alert opened' : 'alert resolved',
      alertId: alert.id,
      monitorId: monitor.id,
      model: monitor.modelName,
      value,
    });
    if (transition === 'open') {
      this.opened.inc();
      this.notifier.notify(alertEvent('alert-opened', alert, value, alert.message, now), monitor);
    } else {
      this.resolved.inc({ by: 'recovery' });
      const message = recoveryMessage(messageContext(monitor), value, judgement.samples);
      this.notifier.notify(alertEvent('alert-resolved', alert, value, message, now), monitor);
    }
  }
}
