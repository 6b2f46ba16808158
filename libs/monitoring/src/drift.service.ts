import { Injectable } from '@nestjs/common';

import {
  type FeatureDrift,
  type FeatureDriftHistoryResponse,
  type FeatureDriftResponse,
  type FeatureMetric,
  MAX_DRIFT_HISTORY_PREDICTIONS,
  MAX_DRIFT_PREDICTIONS,
  MonitorMetric,
  MonitorOperator,
} from '@atelier/contracts';
import { badRequest } from '@atelier/server';

import { BaselineClient } from './baseline.client';
import { featureDrift } from './drift';
import { MonitoringRepository } from './monitoring.repository';
import { type Window, windowEndingAt } from './window-metrics';

/** Drift of a model's inputs: a window's live values against the serving version's training baseline. */
@Injectable()
export class DriftService {
  constructor(
    private readonly repository: MonitoringRepository,
    private readonly baselines: BaselineClient,
  ) {}

  /** Every input of the version's baseline, over the window's most recent predictions. */
  async featureDrift(model: string, windowSeconds: number, version?: number, now = new Date()): Promise<FeatureDriftResponse> {
    await this.baselines.requireModel(model);
    const window = windowEndingAt(now, windowSeconds);
    const head = { model, windowStart: window.start.toISOString(), windowEnd: window.end.toISOString() };
    const live = await this.repository.windowInputs(model, window, version, MAX_DRIFT_PREDICTIONS);
    if (!live) {
      // no prediction in the window (a named version always answers, with no inputs)
      const baseline = await this.baselines.newestBaseline(model);
      return { ...head, version: null, predictions: 0, features: (baseline?.features ?? []).map((f) => featureDrift(f, [])) };
    }
    const baseline = await this.baselines.versionBaseline(model, live.version);
    return {
      ...head,
      version: live.version,
      predictions: live.inputs.length,
      features: baseline.features.map((f) =>
        featureDrift(
          f,
          live.inputs.map((inputs) => inputs[f.name]),
        ),
      ),
    };
  }

  /**
   * One input's drift over `windows` consecutive windows of `windowSeconds`, the last ending now,
   * oldest first: per window its newest version with predictions (their most recent
   * MAX_DRIFT_HISTORY_PREDICTIONS) against that version's baseline; and the monitors on the input.
   */
  async featureDriftHistory(
    model: string,
    feature: string,
    windowSeconds: number,
    windows: number,
    now = new Date(),
  ): Promise<FeatureDriftHistoryResponse> {
    await this.baselines.requireModel(model);
    await this.requireFeature(model, feature);
    const last = windowEndingAt(now, windowSeconds);
    const points: FeatureDriftHistoryResponse['points'] = [];
    for (let k = windows - 1; k >= 0; k--) {
      const window = {
        start: new Date(last.start.getTime() - k * windowSeconds * 1000),
        end: new Date(last.end.getTime() - k * windowSeconds * 1000),
      };
      const head = { windowStart: window.start.toISOString(), windowEnd: window.end.toISOString() };
      const live = await this.repository.windowInputs(model, window, undefined, MAX_DRIFT_HISTORY_PREDICTIONS, feature);
      const baseline = live
        ? (await this.baselines.versionBaseline(model, live.version)).features.find((f) => f.name === feature)
        : undefined;
      if (!live || !baseline) {
        points.push({ ...head, version: live?.version ?? null, predictions: live?.inputs.length ?? 0, drift: null });
        continue;
      }
      points.push({
        ...head,
        version: live.version,
        predictions: live.inputs.length,
        drift: featureDrift(
          baseline,
          live.inputs.map((inputs) => inputs[feature]),
        ),
      });
    }
    const monitors = (await this.repository.listMonitors({ model }))
      .filter((m) => m.feature === feature)
      .map((m) => ({
        id: m.id,
        name: m.name,
        metric: MonitorMetric.parse(m.metric),
        operator: MonitorOperator.parse(m.operator),
        threshold: m.threshold,
        enabled: m.enabled,
      }));
    return { model, feature, windowSeconds, points, monitors };
  }

  /**
   * A `feature_*` monitor's value in a window and the observations it rests on: the predictions
   * that carried the input (all of them for the missing rate).
   */
  async featureValue(
    model: string,
    feature: string,
    metric: FeatureMetric,
    window: Window,
  ): Promise<{ value: number | null; samples: number }> {
    const live = await this.repository.windowInputs(model, window, undefined, MAX_DRIFT_PREDICTIONS, feature);
    if (!live) return { value: null, samples: 0 };
    const baseline = (await this.baselines.versionBaseline(model, live.version)).features.find((f) => f.name === feature);
    if (!baseline) return { value: null, samples: 0 }; // the version serving now does not have the input
    const drift = featureDrift(
      baseline,
      live.inputs.map((inputs) => inputs[feature]),
    );
    return { value: valueOf(metric, drift), samples: metric === 'feature_missing_rate' ? live.inputs.length : drift.samples };
  }

  /** A monitor may watch only an input the model's newest version has a baseline of. */
  async requireFeature(model: string, feature: string, metric?: MonitorMetric): Promise<void> {
    const baseline = await this.baselines.newestBaseline(model);
    const names = (baseline?.features ?? []).map((f) => f.name);
    if (!names.includes(feature)) {
      const known =
        names.length > 0 ? `its inputs are ${names.map((n) => `"${n}"`).join(', ')}` : 'it has no version with a training baseline';
      throw badRequest(`model "${model}" has no input "${feature}" to watch: ${known}`);
    }
    // a measure the input's kind never has would leave the monitor without a value for ever
    const categorical = baseline!.features.find((f) => f.name === feature)!.categories !== undefined;
    if (metric && (categorical ? NUMERIC_ONLY : CATEGORICAL_ONLY).includes(metric))
      throw badRequest(
        `${metric} measures ${categorical ? 'numeric' : 'categorical'} inputs; "${feature}" is ${categorical ? 'categorical' : 'numeric'}: ` +
          `watch it with ${categorical ? 'feature_chi_square' : 'feature_ks or feature_wasserstein'}, feature_psi, feature_js or feature_missing_rate`,
      );
  }
}

function valueOf(metric: FeatureMetric, drift: FeatureDrift): number | null {
  switch (metric) {
    case 'feature_psi':
      return drift.psi;
    case 'feature_ks':
      return drift.ks;
    case 'feature_wasserstein':
      return drift.wasserstein;
    case 'feature_js':
      return drift.js;
    case 'feature_chi_square':
      return drift.chiSquare;
    case 'feature_missing_rate':
      return drift.missingRate;
  }
}

/** Drift measures of one kind of input only (the other kind's drift has them null). */
const NUMERIC_ONLY: readonly MonitorMetric[] = ['feature_ks', 'feature_wasserstein'];
const CATEGORICAL_ONLY: readonly MonitorMetric[] = ['feature_chi_square'];
