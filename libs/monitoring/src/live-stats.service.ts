import { Injectable } from '@nestjs/common';

import type { LiveQualityHistoryQuery, LiveQualityHistoryResponse, ModelArmsResponse, ModelWindowStats } from '@atelier/contracts';

import { BaselineClient } from './baseline.client';
import { MonitoringRepository } from './monitoring.repository';
import { type Window, type WindowAggregate, windowEndingAt } from './window-metrics';

/** What a model's live traffic looks like over a window: its quality and traffic, and its deployment's arms side by side. */
@Injectable()
export class LiveStatsService {
  constructor(
    private readonly repository: MonitoringRepository,
    private readonly baselines: BaselineClient,
  ) {}

  /** The arms of the model's deployment over the last window, side by side. */
  async armStats(model: string, windowSeconds: number, now = new Date()): Promise<ModelArmsResponse> {
    const window = windowEndingAt(now, windowSeconds);
    const rows = await this.repository.armStats(model, window);
    if (rows.length === 0) await this.baselines.requireModel(model);
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

  /** The model's live figures over the last window: every version's predictions, or one version's. */
  async liveStats(model: string, windowSeconds: number, version: number | null = null, now = new Date()): Promise<ModelWindowStats> {
    const window = windowEndingAt(now, windowSeconds);
    // one snapshot: the counts, the per-class figures and AUC of the same rows (read apart, an
    // outcome stored in between was in some figures and not in others)
    const [stats, classes, auc] = await this.repository.snapshot(
      async (tx) =>
        [
          await this.repository.aggregateWindow(model, window, tx, version),
          await this.repository.classCounts(model, window, tx, version),
          await this.repository.windowAuc(model, window, tx, version),
        ] as const,
    );
    if (stats.predictions === 0) await this.baselines.requireModel(model);
    return { model, version, ...figuresOf(window, stats), auc: auc.auc, classes };
  }

  /**
   * Live quality over consecutive windows, oldest first (the dashboard's charts), the last one
   * ending with the current minute (so it counts what arrived so far in it): from the per-minute
   * sums, so whole minutes only.
   */
  async qualityHistory(model: string, query: LiveQualityHistoryQuery, now = new Date()): Promise<LiveQualityHistoryResponse> {
    const end = new Date((Math.floor(now.getTime() / 60_000) + 1) * 60_000);
    const version = query.version ?? null;
    const windows = await this.repository.qualityHistory(model, version, end, query.windowSeconds, query.windows);
    if (windows.every((w) => w.stats.predictions === 0)) await this.baselines.requireModel(model);
    return {
      model,
      version,
      windowSeconds: query.windowSeconds,
      points: windows.map(({ window, versions, stats }) => ({ ...figuresOf(window, stats), versions })),
    };
  }
}

/** A window's figures as the live-stats contracts name them. */
function figuresOf(window: Window, stats: WindowAggregate) {
  return {
    windowStart: window.start.toISOString(),
    windowEnd: window.end.toISOString(),
    predictions: stats.predictions,
    outcomes: stats.outcomes,
    predictionMean: stats.predictionMean,
    positiveRate: stats.positiveRate,
    accuracy: stats.accuracy,
    logLoss: stats.logLoss,
    precision: stats.precision,
    recall: stats.recall,
    rmse: stats.rmse,
    mae: stats.mae,
    mape: stats.mape,
  };
}
