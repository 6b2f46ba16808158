import { type ModelType, ParamSpace, SearchRequest, type TrainingRequest, type TrainingRequestInput } from '@atelier/contracts';

import { splitList } from '../../lib/format';
import { defaultRow, type ParamRow, type ParamValue, type SearchableParam, searchableParams } from './search-params';

type SearchInput = NonNullable<TrainingRequestInput['search']>;
type SpaceInput = SearchInput['space'][string];
export type SearchStrategy = NonNullable<SearchInput['strategy']>;

export const STRATEGIES: Record<SearchStrategy, { label: string; hint: string }> = {
  random: { label: 'Random', hint: 'Each trial trains one configuration drawn from the space, with the full budget.' },
  successive_halving: {
    label: 'Successive halving',
    hint: 'Trials are configurations: each first trains with about a ninth of the rounds, and the best third of each rung goes on with three times as many, the last rung with all of them.',
  },
};

/** The search section of the training form. */
export interface SearchSettings {
  on: boolean;
  strategy: SearchStrategy;
  /** as typed; blank: the contract's default */
  trials: string;
  maxSeconds: string;
  seed: string;
  /** the rows touched, per model type: switching the type and back keeps them */
  rows: Partial<Record<ModelType, Record<string, ParamRow>>>;
}

export type SearchAction =
  | { type: 'on'; on: boolean }
  | { type: 'strategy'; strategy: SearchStrategy }
  | { type: 'set'; field: 'trials' | 'maxSeconds' | 'seed'; value: string }
  | { type: 'row'; modelType: ModelType; param: SearchableParam; change: Partial<ParamRow> };

/** Off, with the contract's defaults. */
export function initialSearchSettings(): SearchSettings {
  return {
    on: false,
    strategy: SearchRequest.shape.strategy.parse(undefined),
    trials: String(SearchRequest.shape.trials.parse(undefined)),
    maxSeconds: '',
    seed: String(SearchRequest.shape.seed.parse(undefined)),
    rows: {},
  };
}

export function searchReducer(state: SearchSettings, action: SearchAction): SearchSettings {
  switch (action.type) {
    case 'on':
      return { ...state, on: action.on };
    case 'strategy':
      return { ...state, strategy: action.strategy };
    case 'set':
      return { ...state, [action.field]: action.value };
    case 'row': {
      const { modelType, param, change } = action;
      const rows = state.rows[modelType] ?? {};
      const row = { ...(rows[param.name] ?? defaultRow(param)), ...change };
      return { ...state, rows: { ...state.rows, [modelType]: { ...rows, [param.name]: row } } };
    }
  }
}

/** Every searchable parameter of the model type with its row, as typed or the default. */
export function searchRows(settings: SearchSettings, modelType: ModelType): Array<{ param: SearchableParam; row: ParamRow }> {
  const rows = settings.rows[modelType] ?? {};
  return searchableParams(modelType).map((param) => ({ param, row: rows[param.name] ?? defaultRow(param) }));
}

/**
 * The form's search as a request, checked as the user types: `errors` by field (`trials`,
 * `maxSeconds`, `seed`, `space`, `space.<param>`), the contract's messages first (an empty range,
 * a log scale from 0); on top of them ends the parameter itself does not take, so such a search
 * is refused before it is sent. No `search` when the section is off.
 */
export function checkSearch(settings: SearchSettings, modelType: ModelType): { search?: SearchInput; errors: Record<string, string> } {
  if (!settings.on) return { errors: {} };
  const errors: Record<string, string> = {};
  const space: Record<string, SpaceInput> = {};
  for (const { param, row } of searchRows(settings, modelType)) {
    if (!row.on) continue;
    const checked = spaceOf(param, row);
    space[param.name] = checked.space;
    if (checked.error) errors[`space.${param.name}`] = checked.error;
  }
  const search: SearchInput = {
    strategy: settings.strategy,
    ...optionalNumber('trials', settings.trials),
    ...optionalNumber('maxSeconds', settings.maxSeconds),
    ...optionalNumber('seed', settings.seed),
    space,
  };
  const parsed = SearchRequest.safeParse(search);
  for (const issue of parsed.error?.issues ?? []) {
    const [first, name] = issue.path.map(String);
    const key = first === 'space' && name ? `space.${name}` : (first ?? 'search');
    errors[key] ??= issue.message;
  }
  return { search, errors };
}

/** `search.space.learningRate: …` lines for the form's list of problems. */
export function searchIssueLines(errors: Record<string, string>): string[] {
  return Object.entries(errors).map(([key, message]) => `search.${key}: ${message}`);
}

/** A number field as typed: blank leaves the key out, so the contract's default applies. */
export function optionalNumber<K extends string>(key: K, text: string): Partial<Record<K, number>> {
  return text.trim() === '' ? {} : ({ [key]: Number(text) } as Record<K, number>);
}

function spaceOf(param: SearchableParam, row: ParamRow): { space: SpaceInput; error?: string } {
  if (param.type === 'choice') {
    const values = splitList(row.values).map((text): ParamValue => (typeof param.default === 'boolean' ? booleanOf(text) : text));
    const space: SpaceInput = { type: 'choice', values };
    if (values.length === 0) return { space, error: `name at least one of ${param.options.join(', ')}, comma-separated` };
    const contract = firstIssue(ParamSpace.safeParse(space));
    const bad = values.map((value) => ({ value, problem: param.problem(value) })).find((v) => v.problem);
    return { space, error: contract ?? (bad ? `${JSON.stringify(bad.value)}: ${bad.problem}` : undefined) };
  }
  const [min, max] = [Number(row.min), Number(row.max)];
  const space: SpaceInput = { type: param.type, min, max, log: row.log };
  if (row.min.trim() === '' || row.max.trim() === '') return { space, error: 'enter a min and a max' };
  const contract = firstIssue(ParamSpace.safeParse(space));
  // the contract refuses an empty range and a log scale from 0
  if (contract) return { space, error: contract };
  const out = [
    { end: 'min', value: min },
    { end: 'max', value: max },
  ]
    .map(({ end, value }) => ({ end, value, problem: param.problem(value) }))
    .find((e) => e.problem);
  return { space, error: out ? `${out.end} ${out.value}: ${out.problem}` : undefined };
}

function booleanOf(text: string): ParamValue {
  return text === 'true' ? true : text === 'false' ? false : text;
}

function firstIssue(result: {
  success: boolean;
  error?: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> };
}) {
  const issue = result.error?.issues[0];
  if (!issue) return undefined;
  const path = issue.path.map(String).join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}

/**
 * A stored job's search as the form holds it; a range or choice the form cannot show for its
 * parameter (a list of numbers, a float range over an int) is named in `left` instead.
 */
export function searchSettingsOf(request: TrainingRequest, left: string[]): SearchSettings {
  if (!request.search) return initialSearchSettings();
  const { strategy, trials, maxSeconds, seed, space } = request.search;
  const params = searchableParams(request.modelType);
  const rows: Record<string, ParamRow> = {};
  for (const [name, spec] of Object.entries(space)) {
    const param = params.find((p) => p.name === name);
    if (!param || (spec.type === 'choice') !== (param.type === 'choice') || (spec.type !== 'choice' && spec.type !== param.type)) {
      left.push(`the search of ${name} over ${JSON.stringify(spec)}`);
    } else if (spec.type === 'choice') {
      rows[name] = { ...defaultRow(param), on: true, values: spec.values.map(String).join(',') };
    } else {
      rows[name] = { on: true, min: String(spec.min), max: String(spec.max), log: spec.log, values: '' };
    }
  }
  return {
    on: true,
    strategy,
    trials: String(trials),
    maxSeconds: maxSeconds === undefined ? '' : String(maxSeconds),
    seed: String(seed),
    rows: { [request.modelType]: rows },
  };
}
