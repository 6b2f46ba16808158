import {
  AUTOML_MODEL_TYPES,
  type ModelType,
  SEARCH_SCORES,
  type SearchTrialResult,
  taskOf,
  type TrainingJobResponse,
} from '@atelier/contracts';

import type { Series, Tone } from '../../components/line-chart';
import { formatMetric, formatStat, metricKeys } from '../../lib/format';
import { modelTypeName } from './automl-settings';

/** The trials table of a search, or AutoML's leaderboard: which columns it has besides trial, score, seconds and status. */
export interface TrialColumns {
  /** AutoML: each trial's model type, its parameters in one cell (they differ by type) and its validation metrics */
  autoMl: boolean;
  /** a search: a column per searched parameter */
  params: string[];
  /** AutoML: the validation metrics besides the score's own, the familiar first */
  metrics: string[];
  /** successive halving: the rung (and a search's budget) of each trial */
  halving: boolean;
}

export function trialColumns(job: Pick<TrainingJobResponse, 'request' | 'trials'>, params: string[]): TrialColumns {
  const halving = job.request.search?.strategy === 'successive_halving' || job.trials.some((t) => t.resource !== undefined);
  if (!job.request.automl) return { autoMl: false, params, metrics: [], halving };
  const score = SEARCH_SCORES[taskOf(job.request)].metric;
  return { autoMl: true, params: [], metrics: metricKeys(job.trials.map((t) => t.metrics)).filter((m) => m !== score), halving: true };
}

/** A candidate's parameters in one cell, in the order drawn (its budget last): `learningRate=0.07 numIterations=11`. */
export function formatParams(params: SearchTrialResult['params']): string {
  return Object.entries(params)
    .map(([name, value]) => `${name}=${typeof value === 'number' ? formatStat(value) : String(value)}`)
    .join(' ');
}

/** The model types an AutoML job draws from, in its order. */
export function autoMlTypes(request: TrainingJobResponse['request']): ModelType[] {
  return request.automl?.modelTypes ?? AUTOML_MODEL_TYPES[taskOf(request)];
}

const TYPE_TONES: readonly Tone[] = ['a', 'b', 'c'];

/**
 * Dots of the scored trials by trial number, the winner on top in a tone of its own. A search:
 * the finished trials and the pruned ones apart; AutoML (`modelTypes`): a tone per model type.
 */
export function scoreSeries(
  trials: readonly SearchTrialResult[],
  winner: SearchTrialResult | undefined,
  winnerLabel: string,
  modelTypes?: readonly ModelType[],
): Series[] {
  const point = (t: SearchTrialResult) => ({ x: t.id, y: t.score ?? NaN });
  const others = trials.filter((t) => t.id !== winner?.id);
  const series: Series[] = modelTypes
    ? modelTypes.map((type, i) => ({
        label: modelTypeName(type),
        points: others.filter((t) => t.modelType === type).map(point),
        mark: 'dots',
        tone: TYPE_TONES[i % TYPE_TONES.length],
      }))
    : [
        { label: 'trial', points: others.filter((t) => t.status === 'ok').map(point), mark: 'dots', tone: 'a' },
        { label: 'pruned', points: others.filter((t) => t.status === 'pruned').map(point), mark: 'dots', tone: 'c' },
      ];
  if (winner) {
    const label = modelTypes && winner.modelType ? `${winnerLabel}: ${modelTypeName(winner.modelType)}` : winnerLabel;
    series.push({ label, points: [point(winner)], mark: 'dots', tone: modelTypes ? 'd' : 'b' });
  }
  return series;
}

/**
 * AutoML's outcome in a line: the type that won (or leads while the job runs), its trial and
 * score, and the version registered. Undefined before a candidate has a score, and for a job that
 * stopped without registering.
 */
export function autoMlOutcome(
  job: Pick<TrainingJobResponse, 'request' | 'status' | 'modelName' | 'modelVersion'>,
  winner: SearchTrialResult | undefined,
): string | undefined {
  if (!winner?.modelType) return undefined;
  const { label } = SEARCH_SCORES[taskOf(job.request)];
  const type = modelTypeName(winner.modelType);
  const how = `trial ${winner.id}, validation ${label} ${formatMetric(winner.score)}`;
  if (job.status === 'succeeded' && job.modelVersion !== null) {
    return `${capitalized(type)} won (${how}): registered as ${job.modelName} v${job.modelVersion}, a ${winner.modelType} model.`;
  }
  return job.status === 'queued' || job.status === 'running' ? `Best so far: ${type} (${how}).` : undefined;
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
