import {
  CategoricalFeature,
  type CategoricalFeatureInput,
  type FeatureGroupResponse,
  type TrainingRequest,
  TransformDefinition,
} from '@atelier/contracts';

import { splitList } from '../../lib/format';

export type Encoding = CategoricalFeature['encoding'];

/** What each encoding of a string column does, and the option it takes. */
export const ENCODINGS: Record<Encoding, { label: string; hint: string; option?: 'maxCategories' | 'buckets' }> = {
  one_hot: {
    label: 'one-hot',
    hint: 'A column per category; unknown and rare ones share “__other__”.',
    option: 'maxCategories',
  },
  ordinal: { label: 'ordinal', hint: 'One column holding a category code (suits trees).' },
  hashing: { label: 'hashing', hint: 'Categories hashed into a fixed number of buckets, for many of them.', option: 'buckets' },
};

const OPTION_LABELS = { maxCategories: 'Max categories', buckets: 'Buckets' } as const;

/** The model inputs besides the joined features: source columns as they are, categorical columns, transforms. */
export interface InputSettings {
  /** source columns used as they are, comma-separated as typed (or checked) */
  requestFeatures: string;
  /** string source columns, comma-separated as typed (or checked) */
  categoricalFeatures: string;
  /** by column: kept when a column leaves the list, so putting it back keeps its encoding */
  categoricalOptions: Record<string, CategoricalOptions>;
  transforms: TransformRow[];
}

export type InputAction =
  | { type: 'requestFeatures' | 'categoricalFeatures'; text: string }
  | { type: 'categoricalOptions'; column: string; options: CategoricalOptions }
  | { type: 'transforms'; rows: TransformRow[] };

export function inputsReducer(state: InputSettings, action: InputAction): InputSettings {
  switch (action.type) {
    case 'requestFeatures':
    case 'categoricalFeatures':
      return { ...state, [action.type]: action.text };
    case 'categoricalOptions':
      return { ...state, categoricalOptions: { ...state.categoricalOptions, [action.column]: action.options } };
    case 'transforms':
      return { ...state, transforms: action.rows };
  }
}

/**
 * The inputs as the request's lists, checked as typed: `categoricalErrors` and `transformErrors`
 * by field (shown beside it), and all of them as `issues` lines for the form's list of problems.
 */
export function checkInputs(settings: InputSettings) {
  const categorical = checkCategorical(settings.categoricalFeatures, settings.categoricalOptions);
  const transforms = checkTransforms(settings.transforms);
  return {
    requestFeatures: splitList(settings.requestFeatures),
    categoricalFeatures: categorical.features,
    transforms: transforms.transforms,
    categoricalErrors: categorical.errors,
    transformErrors: transforms.errors,
    issues: [
      ...Object.entries(categorical.errors).map(([key, message]) => `categoricalFeatures.${key}: ${message}`),
      ...Object.entries(transforms.errors).map(([key, message]) => `transforms.${key}: ${message}`),
    ],
  };
}

/** A stored request's inputs as the form holds them. */
export function inputsOf(request: Pick<TrainingRequest, 'requestFeatures' | 'categoricalFeatures' | 'transforms'>): InputSettings {
  return {
    requestFeatures: request.requestFeatures.join(','),
    categoricalFeatures: request.categoricalFeatures.map((c) => c.column).join(','),
    categoricalOptions: Object.fromEntries(
      request.categoricalFeatures.map((c) => [
        c.column,
        { encoding: c.encoding, maxCategories: String(c.maxCategories), buckets: String(c.buckets) },
      ]),
    ),
    transforms: request.transforms.map((t) => ({ name: t.name, expression: t.expression })),
  };
}

/** The contract's defaults for a categorical column. */
const DEFAULT = CategoricalFeature.parse({ column: 'x' });

/** A categorical column's encoding and its option, as typed. */
export interface CategoricalOptions {
  encoding: Encoding;
  maxCategories: string;
  buckets: string;
}

export function defaultCategoricalOptions(): CategoricalOptions {
  return { encoding: DEFAULT.encoding, maxCategories: String(DEFAULT.maxCategories), buckets: String(DEFAULT.buckets) };
}

/** The option of an encoding: its field's label, the contract's default and bounds. */
export function encodingOption(encoding: Encoding) {
  const option = ENCODINGS[encoding].option;
  if (!option) return undefined;
  const schema = CategoricalFeature.shape[option].unwrap();
  return { option, label: OPTION_LABELS[option], default: DEFAULT[option], min: schema.minValue, max: schema.maxValue };
}

/**
 * The categorical columns as a request, one per column of the list (typed, comma-separated, or
 * checked), checked with the contract's `CategoricalFeature`: `errors` by `<column>.<field>`.
 * The encoding and its option are sent only when they are not the contract's defaults.
 */
export function checkCategorical(
  columns: string,
  options: Record<string, CategoricalOptions>,
): { features: CategoricalFeatureInput[]; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const features = [...new Set(splitList(columns))].map((column) => {
    const o = options[column] ?? defaultCategoricalOptions();
    const option = encodingOption(o.encoding);
    const feature: CategoricalFeatureInput = { column };
    if (o.encoding !== DEFAULT.encoding) feature.encoding = o.encoding;
    if (option && o[option.option].trim() !== '' && Number(o[option.option]) !== option.default)
      feature[option.option] = Number(o[option.option]);
    for (const issue of CategoricalFeature.safeParse(feature).error?.issues ?? []) {
      errors[`${column}.${String(issue.path[0] ?? 'column')}`] ??= issue.message;
    }
    return feature;
  });
  return { features, errors };
}

/** `a,b` with `name` added (at the end) or removed: the typed list behind a column's checkbox. */
export function toggleListed(text: string, name: string, on: boolean): string {
  const names = splitList(text).filter((n) => n !== name);
  return (on ? [...names, name] : names).join(',');
}

/** The source group's columns a list can pick from: string ones (categorical) or the others (used as they are). */
export function sourceColumns(
  group: FeatureGroupResponse | undefined,
  kind: 'string' | 'value',
): Array<{ name: string; dtype: string; description: string }> {
  return (group?.features ?? []).filter((f) => (f.dtype === 'string') === (kind === 'string'));
}

/** Groups by entity, each group's features whose name (or the group's) contains the search text. */
export function filterFeatureGroups(
  groups: FeatureGroupResponse[],
  search: string,
): Array<{ entity: string; groups: FeatureGroupResponse[] }> {
  const needle = search.trim().toLowerCase();
  const matching = groups
    .map((g) => ({ ...g, features: g.features.filter((f) => !needle || `${g.name}:${f.name}`.includes(needle)) }))
    .filter((g) => g.features.length > 0);
  const entities = [...new Set(matching.map((g) => g.entity))].sort();
  return entities.map((entity) => ({ entity, groups: matching.filter((g) => g.entity === entity) }));
}

/** A transform as typed. */
export interface TransformRow {
  name: string;
  expression: string;
}

/**
 * The transforms as a request, checked with the contract's `TransformDefinition`: `errors` by
 * `<index>.name` / `<index>.expression`. A row left wholly blank is not sent.
 */
export function checkTransforms(rows: TransformRow[]): { transforms: TransformRow[]; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const transforms: TransformRow[] = [];
  rows.forEach((row, index) => {
    const transform = { name: row.name.trim(), expression: row.expression.trim() };
    if (!transform.name && !transform.expression) return;
    transforms.push(transform);
    for (const issue of TransformDefinition.safeParse(transform).error?.issues ?? []) {
      errors[`${index}.${String(issue.path[0])}`] ??= issue.message;
    }
  });
  const names = transforms.map((t) => t.name);
  rows.forEach((row, index) => {
    if (names.filter((n) => n === row.name.trim()).length > 1) errors[`${index}.name`] ??= `"${row.name.trim()}" names two transforms`;
  });
  return { transforms, errors };
}

/** An expression's problem as the API reports it: what is wrong, and where (0-based). */
export interface ExpressionProblem {
  reason: string;
  position: number;
}

/**
 * The problem with transform `name`'s expression in a 400 from the API (`transform "x": unexpected
 * ")" at position 9 in "…"`, with `details.position`), or undefined for any other answer.
 */
export function expressionProblemOf(name: string, message: string, details: unknown): ExpressionProblem | undefined {
  const prefix = `transform "${name}": `;
  if (!message.startsWith(prefix)) return undefined;
  const match = /^(.*) at position (\d+) in "/s.exec(message.slice(prefix.length));
  if (!match) return undefined;
  const position = typeof details === 'object' && details !== null && 'position' in details ? Number(details.position) : Number(match[2]);
  return { reason: match[1]!, position };
}
