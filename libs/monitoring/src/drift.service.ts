import { Injectable } from '@nestjs/common';

import { type FeatureDrift, type FeatureDriftResponse, type FeatureMetric, MAX_DRIFT_PREDICTIONS } from '@atelier/contracts';
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
   * A `feature_*` monitor's value in a window and the observations it rests on: the predictions
   * that carried the input (all of them for the missing rate).
   */
  async featureValue(model: string, feature: string, metric: FeatureMetric, window: Window): Promise<{ value: number | null; samples: number }> {
    const live = await this.repository.windowInputs(model, window, undefined, MAX_DRIFT_PREDICTIONS);
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
  async requireFeature(model: string, feature: string): Promise<void> {
    const baseline = await this.baselines.newestBaseline(model);
    const names = (baseline?.features ?? []).map((f) => f.name);
    if (!names.includes(feature)) {
      const known = names.length > 0 ? `its inputs are ${names.map((n) => `"${n}"`).join(', ')}` : 'it has no version with a training baseline';
      throw badRequest(`model "${model}" has no input "${feature}" to watch: ${known}`);
    }
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
