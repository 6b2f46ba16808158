import { Injectable } from '@nestjs/common';

import type { ModelArmsResponse, ModelWindowStats } from '@atelier/contracts';

import { MonitoringRepository } from './monitoring.repository';
import { windowEndingAt } from './window-metrics';

/** What a model's live traffic looks like over a window: its quality and traffic, and its deployment's arms side by side. */
@Injectable()
export class LiveStatsService {
  constructor(private readonly repository: MonitoringRepository) {}

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
    // one snapshot: the counts, the per-class figures and AUC of the same rows (read apart, an
    // outcome stored in between was in some figures and not in others)
    const [stats, classes, auc] = await this.repository.snapshot(
      async (tx) =>
        [
          await this.repository.aggregateWindow(model, window, tx),
          await this.repository.classCounts(model, window, tx),
          await this.repository.windowAuc(model, window, tx),
        ] as const,
    );
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
}
