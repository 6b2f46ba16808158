import { MlError } from '../ml.error';
import { createRng } from '../random/prng.util';
import type { SearchOptionsBase, SearchResult, SearchStopReason, SearchTrial } from './search.types';
import { assertSearchSpace, sampleSpace } from './search-space.sampler';
import { rankTrials, TrialRecorder } from './trial.recorder';

export interface SuccessiveHalvingOptions extends SearchOptionsBase {
  /** Configurations sampled for the first rung. */
  n: number;
  /** Resource (epochs, boosting rounds…) each configuration gets on the first rung. */
  minResource: number;
  /** Resource of the last rung; the winner is always evaluated with it. */
  maxResource: number;
  /** Each rung keeps the best `1/eta` of its configurations and gives them `eta` times the resource. */
  eta?: number;
}

export interface RungPlan {
  rung: number;
  /** Configurations evaluated on this rung (before failures). */
  configs: number;
  resource: number;
}

/**
 * The rungs successive halving will run: rung k evaluates `⌊n / eta^k⌋` configurations with
 * `minResource · eta^k`, for as long as both at least one configuration is left to promote and the
 * resource stays within `maxResource`; the last rung always uses `maxResource`. Resources are
 * rounded to integers when both bounds are integers (epochs are).
 */
export function planSuccessiveHalving(n: number, minResource: number, maxResource: number, eta = 3): RungPlan[] {
  if (!(Number.isInteger(n) && n >= 1)) throw new MlError('invalid_params', `n must be a positive integer, got ${n}`);
  if (!(minResource > 0 && Number.isFinite(minResource))) {
    throw new MlError('invalid_params', `minResource must be a positive number, got ${minResource}`);
  }
  if (!(maxResource >= minResource && Number.isFinite(maxResource))) {
    throw new MlError('invalid_params', `maxResource must be a number ≥ minResource ${minResource}, got ${maxResource}`);
  }
  if (!(eta > 1 && Number.isFinite(eta))) throw new MlError('invalid_params', `eta must be greater than 1, got ${eta}`);

  // The epsilon keeps exact powers (27 / 1 with eta 3) from losing a rung to floating-point error.
  const logEta = (x: number): number => Math.floor(Math.log(x) / Math.log(eta) + 1e-9);
  const rungCount = 1 + Math.min(logEta(n), logEta(maxResource / minResource));
  const integral = Number.isInteger(minResource) && Number.isInteger(maxResource);
  const plan: RungPlan[] = [];
  let configs = n;
  for (let rung = 0; rung < rungCount; rung++) {
    const raw = rung === rungCount - 1 ? maxResource : minResource * eta ** rung;
    plan.push({ rung, configs, resource: integral ? Math.round(raw) : raw });
    configs = Math.max(1, Math.floor(configs / eta));
  }
  return plan;
}

/**
 * Successive halving: sample `n` configurations, evaluate all with `minResource`, keep the best
 * `1/eta`, evaluate those with `eta` times the resource, and so on up to `maxResource` (see
 * `planSuccessiveHalving`). Every evaluation is its own trial carrying its `rung`, `resource` and
 * `configId`; one not promoted is marked `pruned`. `onTrial` sees a rung's trials once the rung
 * is decided, so each status it sees is final. Failed trials are never promoted.
 *
 * Best = best score on the highest rung that has a successful trial: scores earned with different
 * resources are not comparable, and more resource is the better estimate.
 */
export async function successiveHalving(options: SuccessiveHalvingOptions): Promise<SearchResult> {
  const { space, n, minResource, maxResource, eta = 3, seed = 42, direction } = options;
  assertSearchSpace(space);
  const plan = planSuccessiveHalving(n, minResource, maxResource, eta);
  const recorder = new TrialRecorder(options);
  const rng = createRng(seed);
  let survivors = Array.from({ length: n }, (_, configId) => ({ configId, params: sampleSpace(space, rng) }));
  let stopReason: SearchStopReason = 'completed';

  for (const { rung, resource } of plan) {
    const rungTrials: SearchTrial[] = await recorder.evaluateAll(
      survivors.map(({ configId, params }) => ({ params, placement: { resource, rung, configId } })),
    );
    if (rungTrials.length < survivors.length) stopReason = recorder.stopReason() ?? 'aborted';
    const isLastRung = rung === plan.length - 1;
    const promoted =
      isLastRung || stopReason !== 'completed'
        ? []
        : rankTrials(rungTrials, direction).slice(0, Math.max(1, Math.floor(survivors.length / eta)));
    if (!isLastRung && stopReason === 'completed') {
      const promotedIds = new Set(promoted.map((t) => t.id));
      for (const trial of rungTrials) if (trial.status === 'ok' && !promotedIds.has(trial.id)) trial.status = 'pruned';
    }
    for (const trial of rungTrials) await recorder.report(trial);
    if (stopReason !== 'completed' || promoted.length === 0) break;
    survivors = promoted.map((t) => ({ configId: t.configId ?? -1, params: t.params }));
  }
  if (stopReason === 'completed' && options.signal?.aborted) stopReason = 'aborted';
  return recorder.result(bestOfHighestRung(recorder.trials, direction), stopReason);
}

function bestOfHighestRung(trials: SearchTrial[], direction: SuccessiveHalvingOptions['direction']): SearchTrial | null {
  const scored = trials.filter((t) => t.score !== null);
  if (scored.length === 0) return null;
  const top = Math.max(...scored.map((t) => t.rung ?? 0));
  return rankTrials(
    scored.filter((t) => (t.rung ?? 0) === top),
    direction,
  )[0];
}
