import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Counter } from 'prom-client';

import { ATELIER_CONFIG, type AtelierConfig } from '@atelier/config';
import {
  type CreatedMonitorResponse,
  type CreateMonitorRequest,
  isFeatureMetric,
  type ModelArmsResponse,
  type ModelWindowStats,
  type MonitorEvaluation,
  MonitorMetric,
  MonitorOperator,
  type MonitorResponse,
  type MonitorWindowResponse,
  type UpdateMonitorRequest,
} from '@atelier/contracts';
import type { Prisma } from '@atelier/db';
import { badRequest, MetricsService, notFound } from '@atelier/server';

import { AlertNotifier } from './alert-notifier';
import { alertEvent, type AlertTransition, alertTransition, breachMessage, type MessageContext, recoveryMessage } from './alert-rules';
import { BaselineClient } from './baseline.client';
import { populationStabilityIndex } from './drift';
import { DriftService } from './drift.service';
import { toMonitorResponse, toWindowResponse } from './monitoring.mappers';
import { type AlertRow, MonitoringRepository, type MonitorRow } from './monitoring.repository';
import { newWebhookSecret } from './webhook';
import { webhookTargetProblem } from './webhook-target';
import { judge, type Judgement, type Window, windowEndingAt } from './window-metrics';

interface Evaluated {
  monitor: MonitorRow;
  now: Date;
  evaluation: MonitorEvaluation;
  transition: AlertTransition;
  judgement: Judgement;
  alert: AlertRow | null;
}

/** Monitors (user-set thresholds on live metrics), their evaluation and the alerts it raises. */
@Injectable()
export class MonitorsService {
  private readonly logger = new Logger('monitoring.monitors');
  private readonly opened: Counter<string>;
  private readonly resolved: Counter<string>;

  constructor(
    private readonly repository: MonitoringRepository,
    private readonly notifier: AlertNotifier,
    private readonly baselines: BaselineClient,
    private readonly drift: DriftService,
    @Inject(ATELIER_CONFIG) private readonly config: AtelierConfig,
    metrics: MetricsService,
  ) {
    this.opened = metrics.counter('atelier_alerts_opened_total', 'alerts opened by monitor evaluations');
    this.resolved = metrics.counter('atelier_alerts_resolved_total', 'alerts resolved, by how', ['by']);
  }

  async create(request: CreateMonitorRequest): Promise<CreatedMonitorResponse> {
    if (request.webhookUrl) {
      const problem = await webhookTargetProblem(request.webhookUrl, this.config.webhooks);
      if (problem) throw badRequest(problem);
    }
    await this.baselines.requireModel(request.model);
    if (request.feature !== undefined) await this.drift.requireFeature(request.model, request.feature);
    const row = await this.repository.createMonitor({
      name: request.name,
      modelName: request.model,
      metric: request.metric,
      operator: request.operator,
      threshold: request.threshold,
      windowSeconds: request.windowSeconds,
      minSamples: request.minSamples,
      webhookUrl: request.webhookUrl ?? null,
      webhookSecret: request.webhookUrl ? newWebhookSecret() : null,
      feature: request.feature ?? null,
    });
    return { ...toMonitorResponse(row), webhookSecret: row.webhookSecret };
  }

  async list(model?: string): Promise<MonitorResponse[]> {
    return (await this.repository.listMonitors({ model })).map(toMonitorResponse);
  }

  async get(id: string): Promise<MonitorResponse> {
    return toMonitorResponse(await this.require(id));
  }

  async update(id: string, request: UpdateMonitorRequest): Promise<MonitorResponse> {
    const row = await this.repository.updateMonitor(id, request);
    if (!row) throw monitorNotFound(id);
    return toMonitorResponse(row);
  }

  async remove(id: string): Promise<void> {
    if (!(await this.repository.deleteMonitor(id))) throw monitorNotFound(id);
  }

  async windows(id: string, limit: number): Promise<MonitorWindowResponse[]> {
    await this.require(id);
    return (await this.repository.listWindows(id, limit)).map(toWindowResponse);
  }

  /** The arms of the model's deployment over the last window, side by side. */
  async armStats(model: string, windowSeconds: number, now = new Date()): Promise<ModelArmsResponse> {
    const window = windowEndingAt(now, windowSeconds);
    const rows = await this.repository.armStats(model, window);
    return {
      model,
      windowStart: window.start.toISOString(),
      windowEnd: window.end.toISOString(),
      arms: rows.map((r) => ({
        arm: r.arm,
        version: r.version,
        predictions: r.predictions,
        outcomes: r.outcomes,
        predictionMean: r.prediction_mean,
        predictionP10: r.prediction_p10,
        predictionP50: r.prediction_p50,
        predictionP90: r.prediction_p90,
        positiveRate: r.positive_rate,
        latencyP50Ms: r.latency_p50,
        latencyP95Ms: r.latency_p95,
        accuracy: r.accuracy,
        logLoss: r.log_loss,
        mae: r.mae,
        agreement: r.agreement,
        meanAbsDifference: r.mean_abs_difference,
      })),
    };
  }

  async liveStats(model: string, windowSeconds: number, now = new Date()): Promise<ModelWindowStats> {
    const window = windowEndingAt(now, windowSeconds);
    const [stats, classes, auc] = await Promise.all([
      this.repository.aggregateWindow(model, window),
      this.repository.classCounts(model, window),
      this.repository.windowAuc(model, window),
    ]);
    return {
      model,
      windowStart: window.start.toISOString(),
      windowEnd: window.end.toISOString(),
      predictions: stats.predictions,
      outcomes: stats.outcomes,
      predictionMean: stats.predictionMean,
      positiveRate: stats.positiveRate,
      accuracy: stats.accuracy,
      logLoss: stats.logLoss,
      auc: auc.auc,
      precision: stats.precision,
      recall: stats.recall,
      rmse: stats.rmse,
      mae: stats.mae,
      mape: stats.mape,
      classes,
    };
  }

  /**
   * Evaluates a monitor over the window ending now, stores the window and opens, refreshes or
   * resolves its alert. All of it happens under a lock on the monitor's row, so concurrent
   * evaluations (timer, consumed batch, API) cannot open two alerts for one monitor.
   * Notifications go out after the commit, in the background.
   */
  async evaluate(id: string, at?: Date): Promise<MonitorEvaluation> {
    // the aggregate runs under the lock; a month-long window of a busy model may take a while
    const result = await this.repository.transaction((tx) => this.evaluateLocked(id, at, tx), { timeout: 60_000 });
    this.announce(result);
    return result.evaluation;
  }

  /** Evaluates the enabled monitors of these models (after a consumed batch touched them). */
  async evaluateModels(models: string[]): Promise<void> {
    for (const model of models) {
      for (const monitor of await this.repository.listMonitors({ model, enabled: true })) await this.evaluateQuietly(monitor.id);
    }
  }

  /** Evaluates every enabled monitor (the background timer). */
  async evaluateAll(): Promise<void> {
    for (const monitor of await this.repository.listMonitors({ enabled: true })) await this.evaluateQuietly(monitor.id);
  }

  private async evaluateQuietly(id: string): Promise<void> {
    try {
      await this.evaluate(id);
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

  private async evaluateLocked(id: string, at: Date | undefined, tx: Prisma.TransactionClient): Promise<Evaluated> {
    const monitor = await this.repository.lockMonitor(id, tx);
    if (!monitor) throw monitorNotFound(id);
    const now = at ?? new Date(); // taken under the lock, so a monitor's windows and alert times only move forward
    const window = windowEndingAt(now, monitor.windowSeconds);
    const spec = specOf(monitor);
    const stats = await this.repository.aggregateWindow(monitor.modelName, window, tx);
    if (spec.metric === 'prediction_psi') stats.drift = await this.predictionDrift(monitor.modelName, window, tx);
    if (spec.metric === 'auc') stats.auc = await this.repository.windowAuc(monitor.modelName, window, tx);
    if (isFeatureMetric(spec.metric) && monitor.feature) stats.feature = await this.drift.featureValue(monitor.modelName, monitor.feature, spec.metric, window);
    const judgement = judge(spec, stats);
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
    return this.repository.updateAlert(open.id, { status: 'resolved', resolvedAt: now }, tx);
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

  private async require(id: string): Promise<MonitorRow> {
    const row = await this.repository.findMonitor(id);
    if (!row) throw monitorNotFound(id);
    return row;
  }
}

function monitorNotFound(id: string) {
  return notFound(`monitor "${id}" does not exist`);
}

function specOf(monitor: MonitorRow): { metric: MonitorMetric; operator: MonitorOperator; threshold: number; minSamples: number } {
  return {
    metric: MonitorMetric.parse(monitor.metric),
    operator: MonitorOperator.parse(monitor.operator),
    threshold: monitor.threshold,
    minSamples: monitor.minSamples,
  };
}

function messageContext(monitor: MonitorRow): MessageContext {
  return { ...specOf(monitor), model: monitor.modelName, windowSeconds: monitor.windowSeconds, feature: monitor.feature };
}
