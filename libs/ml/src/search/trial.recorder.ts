import { MlError } from '../ml.error';
import type { SearchDirection, SearchOptionsBase, SearchParams, SearchResult, SearchStopReason, SearchTrial } from './search.types';

/**
 * Runs objective evaluations and keeps their record. Shared by the searches so failure handling,
 * budgets and cancellation behave the same in each. Within one process trials run one after
 * another (trainers already use every core); `concurrency` > 1 is for objectives that hand the
 * work to other processes, and changes only when a trial runs, never its number or its place.
 */
export class TrialRecorder {
  readonly trials: SearchTrial[] = [];
  private readonly clock: () => number;
  private readonly startedMs: number;

  constructor(private readonly options: SearchOptionsBase) {
    assertSearchOptions(options);
    this.clock = options.clock ?? (() => performance.now());
    this.startedMs = this.clock();
  }

  /** Why no further trial may start, or `null` while the search may go on. */
  stopReason(): Exclude<SearchStopReason, 'completed'> | null {
    const { signal, budget } = this.options;
    if (signal?.aborted) return 'aborted';
    if (budget?.maxTrials !== undefined && this.trials.length >= budget.maxTrials) return 'budget';
    if (budget?.maxSeconds !== undefined && (this.clock() - this.startedMs) / 1000 >= budget.maxSeconds) {
      return 'budget';
    }
    return null;
  }

  /** Evaluates one configuration; a throw or a non-finite score is recorded as a failed trial. */
  async evaluate(params: SearchParams, placement: Placement = {}): Promise<SearchTrial> {
    const [trial] = await this.evaluateAll([{ params, placement }]);
    return trial!;
  }

  /**
   * Evaluates configurations in their order, up to `concurrency` at once, each numbered in that
   * order; none starts once the search must stop (`stopReason`), so the trials returned are a
   * prefix of the list. They are recorded in order once all that started have finished.
   */
  async evaluateAll(items: Array<{ params: SearchParams; placement?: Placement }>): Promise<SearchTrial[]> {
    const first = this.trials.length;
    const done: SearchTrial[] = [];
    let next = 0;
    let stopped = false;
    const lane = async () => {
      while (next < items.length && !stopped) {
        if (this.stopReason()) {
          stopped = true;
          return;
        }
        const k = next++;
        done[k] = await this.run(first + k, items[k]!.params, items[k]!.placement ?? {});
      }
    };
    const lanes = Math.max(1, Math.min(this.options.concurrency ?? 1, items.length));
    await Promise.all(Array.from({ length: lanes }, lane));
    const started = done.filter((t): t is SearchTrial => t !== undefined);
    this.trials.push(...started);
    return started;
  }

  private async run(id: number, params: SearchParams, placement: Placement): Promise<SearchTrial> {
    const started = this.clock();
    let score: number | null = null;
    let error: string | undefined;
    try {
      const value = await this.options.objective({ ...params }, { trialId: id, resource: placement.resource, signal: this.options.signal });
      if (typeof value === 'number' && Number.isFinite(value)) score = value;
      else error = `objective returned ${String(value)}, expected a finite number`;
    } catch (caught) {
      error = caught instanceof Error ? caught.message : String(caught);
    }
    const trial: SearchTrial = {
      id,
      params,
      score,
      ...(placement.resource === undefined ? {} : { resource: placement.resource }),
      ...(placement.rung === undefined ? {} : { rung: placement.rung, configId: placement.configId }),
      seconds: (this.clock() - started) / 1000,
      status: score === null ? 'failed' : 'ok',
      ...(error === undefined ? {} : { error }),
    };
    return trial;
  }

  async report(trial: SearchTrial): Promise<void> {
    await this.options.onTrial?.(trial);
  }

  result(best: SearchTrial | null, stopReason: SearchStopReason): SearchResult {
    return {
      best: best && best.score !== null ? { trialId: best.id, params: best.params, score: best.score } : null,
      trials: this.trials,
      stopReason,
    };
  }
}

/** Successful trials, best first; ties keep the earlier trial first. */
export function rankTrials(trials: SearchTrial[], direction: SearchDirection): SearchTrial[] {
  const sign = direction === 'maximize' ? -1 : 1;
  return trials
    .filter((t): t is SearchTrial & { score: number } => t.score !== null)
    .sort((a, b) => sign * (a.score - b.score) || a.id - b.id);
}

type Placement = Pick<SearchTrial, 'resource' | 'rung' | 'configId'>;

function assertSearchOptions({ direction, budget, objective, concurrency }: SearchOptionsBase): void {
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1)) {
    throw new MlError('invalid_params', `concurrency must be a positive integer, got ${concurrency}`);
  }
  if (direction !== 'maximize' && direction !== 'minimize') {
    throw new MlError('invalid_params', `direction must be "maximize" or "minimize", got ${String(direction)}`);
  }
  if (typeof objective !== 'function') throw new MlError('invalid_params', 'objective must be a function');
  if (budget?.maxSeconds !== undefined && !(budget.maxSeconds > 0)) {
    throw new MlError('invalid_params', `budget.maxSeconds must be positive, got ${budget.maxSeconds}`);
  }
  if (budget?.maxTrials !== undefined && !(Number.isInteger(budget.maxTrials) && budget.maxTrials >= 1)) {
    throw new MlError('invalid_params', `budget.maxTrials must be a positive integer, got ${budget.maxTrials}`);
  }
}
