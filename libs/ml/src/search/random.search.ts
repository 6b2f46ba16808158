import { MlError } from '../ml.error';
import { createRng } from '../random/prng.util';
import type { SearchOptionsBase, SearchResult } from './search.types';
import { assertSearchSpace, sampleSpace } from './search-space.sampler';
import { rankTrials, TrialRecorder } from './trial.recorder';

export interface RandomSearchOptions extends SearchOptionsBase {
  /** How many configurations to sample and evaluate. */
  trials: number;
  /** Passed to every evaluation as `ctx.resource` (e.g. a fixed number of epochs). */
  resource?: number;
}

/**
 * Random search: `trials` configurations drawn from the space with a seeded PRNG, evaluated one
 * after another. A failing trial is recorded and the search goes on; the budget and the abort
 * signal stop it early, returning the trials so far. Best = best successful score.
 */
export async function randomSearch(options: RandomSearchOptions): Promise<SearchResult> {
  const { space, trials, seed = 42, resource } = options;
  assertSearchSpace(space);
  if (!(Number.isInteger(trials) && trials >= 1)) {
    throw new MlError('invalid_params', `trials must be a positive integer, got ${trials}`);
  }
  const recorder = new TrialRecorder(options);
  const rng = createRng(seed);
  // drawn in one order whatever runs them: the same seed gives the same trials at any concurrency
  const drawn = Array.from({ length: trials }, () => ({ params: sampleSpace(space, rng), placement: resource === undefined ? {} : { resource } }));
  const step = options.concurrency ?? 1;
  for (let i = 0; i < trials; i += step) {
    const stop = recorder.stopReason();
    if (stop) return recorder.result(rankTrials(recorder.trials, options.direction)[0] ?? null, stop);
    for (const trial of await recorder.evaluateAll(drawn.slice(i, i + step))) await recorder.report(trial);
  }
  const stopped = recorder.stopReason();
  if (stopped === 'budget' && recorder.trials.length < trials) return recorder.result(rankTrials(recorder.trials, options.direction)[0] ?? null, 'budget');
  const stop = options.signal?.aborted ? 'aborted' : 'completed';
  return recorder.result(rankTrials(recorder.trials, options.direction)[0] ?? null, stop);
}
