/** One hyper-parameter value: what a sampled search space assigns to a parameter. */
export type ParamValue = number | string | boolean;

/** A continuous parameter in `[min, max]`; `log` samples uniformly in log space (needs `min > 0`). */
export interface FloatParamSpec {
  type: 'float';
  min: number;
  max: number;
  log?: boolean;
}

/** An integer parameter in `[min, max]`, both included; `log` favours small values (needs `min > 0`). */
export interface IntParamSpec {
  type: 'int';
  min: number;
  max: number;
  log?: boolean;
}

/** One of a fixed list of values, each equally likely. */
export interface ChoiceParamSpec {
  type: 'choice';
  values: ParamValue[];
}

export type ParamSpec = FloatParamSpec | IntParamSpec | ChoiceParamSpec;

/** A declared search space: parameter name → how to draw it. Plain JSON, so a job payload can carry it. */
export type SearchSpace = Record<string, ParamSpec>;

/** One point of a search space. */
export type SearchParams = Record<string, ParamValue>;

export type SearchDirection = 'maximize' | 'minimize';

export interface SearchTrialContext {
  /** Id of the trial being evaluated (unique within one search). */
  trialId: number;
  /** Budget for this evaluation (epochs, boosting rounds…), when the search allocates one. */
  resource?: number;
  /** Aborted when the search is cancelled; pass it on to the trainer so a running trial stops. */
  signal?: AbortSignal;
}

/** Trains and scores one configuration. A rejection (or a non-finite score) fails that trial only. */
export type SearchObjective = (params: SearchParams, ctx: SearchTrialContext) => Promise<number>;

export type SearchTrialStatus = 'ok' | 'failed' | 'pruned';

export interface SearchTrial {
  id: number;
  params: SearchParams;
  /** The objective's score; `null` when the trial failed (JSON has no NaN). */
  score: number | null;
  resource?: number;
  /** Successive halving only: 0 for the first (cheapest) rung. */
  rung?: number;
  /** Successive halving only: the sampled configuration this evaluation belongs to (one per rung). */
  configId?: number;
  seconds: number;
  status: SearchTrialStatus;
  /** Why the trial failed. */
  error?: string;
}

export interface SearchBudget {
  /** No new trial starts after this many seconds; a running trial is never cut short by it. */
  maxSeconds?: number;
  /** Upper bound on evaluations, on top of the search's own count. */
  maxTrials?: number;
}

export interface SearchOptionsBase {
  space: SearchSpace;
  objective: SearchObjective;
  direction: SearchDirection;
  seed?: number;
  budget?: SearchBudget;
  /** Cancels the search: no new trial starts, the running one sees the signal, trials so far are returned. */
  signal?: AbortSignal;
  /**
   * How many evaluations may run at once (default 1). Configurations are drawn and numbered
   * before they run and trials are recorded in that order, so the result does not depend on it
   * (given an objective that does not): e.g. trials trained by several worker processes.
   */
  concurrency?: number;
  /** Called after each trial is recorded (awaited, so a job can persist progress in order). */
  onTrial?: (trial: SearchTrial) => void | Promise<void>;
  /** Milliseconds clock, injectable for tests; defaults to `performance.now`. */
  clock?: () => number;
}

/** Why the search stopped before evaluating everything it planned, if it did. */
export type SearchStopReason = 'completed' | 'budget' | 'aborted';

export interface SearchResult {
  /** Best successful trial (see each search for how rungs compare); `null` when every trial failed. */
  best: { trialId: number; params: SearchParams; score: number } | null;
  trials: SearchTrial[];
  stopReason: SearchStopReason;
}
