import { type ModelTask, SEARCH_SCORES, type SearchTrialResult, type TrainingJobResponse } from '@atelier/contracts';

import { higherIsBetter } from '../../lib/format';

export type Direction = 'maximize' | 'minimize';

/** What a search scores a trial by, and which way is better: the contract's table (the training service's too). */
export { SEARCH_SCORES };

/** `validation AUC (higher is better)` */
export function describeScore(task: ModelTask): string {
  const { label, direction } = SEARCH_SCORES[task];
  return `validation ${label} (${direction === 'maximize' ? 'higher' : 'lower'} is better)`;
}

/**
 * The trial the search registers, as the training service picks it: the best score among the
 * successful trials of the highest rung reached (successive halving: scores earned with less
 * budget are not comparable); on a tie the earlier trial. Undefined before any trial succeeded.
 */
export function searchWinner(trials: readonly SearchTrialResult[], direction: Direction): SearchTrialResult | undefined {
  const ok = trials.filter((t): t is SearchTrialResult & { score: number } => t.status === 'ok' && t.score !== null);
  if (ok.length === 0) return undefined;
  const top = Math.max(...ok.map((t) => t.rung ?? 0));
  const sign = direction === 'maximize' ? -1 : 1;
  return ok.filter((t) => (t.rung ?? 0) === top).sort((a, b) => sign * (a.score - b.score) || a.id - b.id)[0];
}

/**
 * A column of the trials table: a fixed one, `param:<name>` for a searched parameter, or (AutoML)
 * `metric:<name>` for a validation metric.
 */
export type TrialColumn = 'id' | 'modelType' | 'score' | 'rung' | 'seconds' | 'status' | `param:${string}` | `metric:${string}`;
export interface TrialSort {
  column: TrialColumn;
  descending: boolean;
}

/**
 * Trials ordered by a column; trials without a value there (a failed trial's score, a parameter
 * it did not draw) go last either way, and ties keep trial order.
 */
export function sortTrials(trials: readonly SearchTrialResult[], sort: TrialSort): SearchTrialResult[] {
  const keyed = trials.map((trial) => ({ trial, key: sortKey(trial, sort.column) }));
  return keyed
    .sort((a, b) => {
      if (a.key === null || b.key === null) return (a.key === null ? 1 : 0) - (b.key === null ? 1 : 0) || a.trial.id - b.trial.id;
      const order = compare(a.key, b.key);
      return (sort.descending ? -order : order) || a.trial.id - b.trial.id;
    })
    .map(({ trial }) => trial);
}

/** A header clicked: the same column flips; a new one starts ascending, the score and the metrics best first. */
export function nextSort(current: TrialSort, column: TrialColumn, direction: Direction): TrialSort {
  if (current.column === column) return { column, descending: !current.descending };
  if (column.startsWith('metric:')) return { column, descending: higherIsBetter(column.slice('metric:'.length)) };
  return { column, descending: column === 'score' && direction === 'maximize' };
}

/** The parameters the job's search varies: its space, else whatever its trials drew. */
export function searchedParams(job: Pick<TrainingJobResponse, 'request' | 'trials'>): string[] {
  const names = job.request.search ? Object.keys(job.request.search.space) : job.trials.flatMap((t) => Object.keys(t.params));
  return [...new Set(names)];
}

const STATUS_ORDER: Record<SearchTrialResult['status'], number> = { ok: 0, pruned: 1, failed: 2 };

type Key = ReadonlyArray<number | string>;

function sortKey(trial: SearchTrialResult, column: TrialColumn): Key | null {
  switch (column) {
    case 'id':
      return [trial.id];
    case 'modelType':
      return trial.modelType === undefined ? null : [trial.modelType];
    case 'score':
      return trial.score === null ? null : [trial.score];
    case 'rung':
      // by rung, then by the budget spent on it
      return trial.rung === undefined && trial.resource === undefined ? null : [trial.rung ?? 0, trial.resource ?? 0];
    case 'seconds':
      return [trial.seconds];
    case 'status':
      return [STATUS_ORDER[trial.status]];
    default: {
      if (column.startsWith('metric:')) {
        const metric = trial.metrics?.[column.slice('metric:'.length)];
        return metric === undefined ? null : [metric];
      }
      const value = trial.params[column.slice('param:'.length)];
      return value === undefined ? null : [typeof value === 'boolean' ? String(value) : value];
    }
  }
}

/** Element by element: numbers by value, anything else as text. */
function compare(a: Key, b: Key): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const [x, y] = [a[i]!, b[i]!];
    const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    if (order !== 0) return order;
  }
  return a.length - b.length;
}
