import {
  type BatchJobResponse,
  type CreateBatchJobRequestInput,
  type FeatureGroupResponse,
  type ModelResponse,
  type ModelVersionResponse,
  PRIMARY_ALIAS,
} from '@atelier/contracts';

/** The demo's held-out slice: the window offered when the chosen version names none of its own. */
export const DEFAULT_WINDOW = { start: '2001-01-22T00:00', end: '2001-02-01T00:00' };
export const DEFAULT_SHARD_ROWS = '50000';

/** The batch form as a person fills it in; `batchRequest` turns it into the API's request. */
export interface BatchForm {
  model: string;
  /** `alias:<name>` or `version:<n>`; '' until the model's versions are known */
  target: string;
  group: string;
  /** `datetime-local` values, read as UTC */
  start: string;
  end: string;
  /** set once a person chose these: another version chosen afterwards no longer moves them */
  groupChosen: boolean;
  windowChosen: boolean;
  passthrough: string[];
  /** entity → source column; an entity left out keeps the column its version was trained with */
  joinKeys: Record<string, string>;
  shardRows: string;
  publish: boolean;
}

/** What a version suggests for the fields a person has not chosen yet. */
export interface Suggestion {
  group?: string;
  window?: { start: string; end: string };
}

export type BatchFormAction =
  | { type: 'model'; model: string }
  | { type: 'target'; target: string; suggestion: Suggestion }
  | { type: 'group'; group: string; chosen: boolean }
  | { type: 'window'; field: 'start' | 'end'; value: string }
  | { type: 'passthrough'; column: string; on: boolean }
  | { type: 'joinKey'; entity: string; column: string }
  | { type: 'shardRows'; value: string }
  | { type: 'publish'; on: boolean };

export function initialBatchForm(): BatchForm {
  return {
    model: '',
    target: '',
    group: '',
    ...DEFAULT_WINDOW,
    groupChosen: false,
    windowChosen: false,
    passthrough: [],
    joinKeys: {},
    shardRows: DEFAULT_SHARD_ROWS,
    publish: false,
  };
}

export function batchFormReducer(state: BatchForm, action: BatchFormAction): BatchForm {
  switch (action.type) {
    case 'model':
      // the version is picked again once the new model's versions are known
      return action.model === state.model ? state : { ...state, model: action.model, target: '', joinKeys: {} };
    case 'target': {
      const { group, window } = action.suggestion;
      const next = { ...state, target: action.target, ...(window && !state.windowChosen ? window : {}) };
      return group && !state.groupChosen ? withGroup(next, group) : next;
    }
    case 'group':
      return { ...withGroup(state, action.group), groupChosen: state.groupChosen || action.chosen };
    case 'window':
      return { ...state, [action.field]: action.value, windowChosen: true };
    case 'passthrough': {
      const rest = state.passthrough.filter((column) => column !== action.column);
      return { ...state, passthrough: action.on ? [...rest, action.column] : rest };
    }
    case 'joinKey': {
      const { [action.entity]: _, ...rest } = state.joinKeys;
      return { ...state, joinKeys: action.column ? { ...rest, [action.entity]: action.column } : rest };
    }
    case 'shardRows':
      return { ...state, shardRows: action.value };
    case 'publish':
      return { ...state, publish: action.on };
  }
}

/** Passthrough columns and join keys name columns of the source group: another group starts them over. */
function withGroup(state: BatchForm, group: string): BatchForm {
  return group === state.group ? state : { ...state, group, passthrough: [], joinKeys: {} };
}

/** The request the form stands for; the caller checks it with the `CreateBatchJobRequest` contract. */
export function batchRequest(form: BatchForm, entities: string[]): CreateBatchJobRequestInput {
  const [kind, value = ''] = splitTarget(form.target);
  const joinKeys = Object.fromEntries(entities.filter((e) => form.joinKeys[e]).map((e) => [e, form.joinKeys[e]!]));
  return {
    model: form.model,
    ...(kind === 'version' ? { version: Number(value) } : { alias: value || PRIMARY_ALIAS }),
    source: { group: form.group, start: isoOfInput(form.start), end: isoOfInput(form.end) },
    ...(Object.keys(joinKeys).length > 0 ? { joinKeys } : {}),
    passthrough: form.passthrough,
    shardRows: form.shardRows.trim() === '' ? Number.NaN : Number(form.shardRows),
    publish: form.publish,
  };
}

function splitTarget(target: string): [string, string?] {
  const at = target.indexOf(':');
  return at === -1 ? [target] : [target.slice(0, at), target.slice(at + 1)];
}

export interface TargetOption {
  value: string;
  label: string;
}

/** A model's aliases (production first) and versions (newest first), as the version select offers them. */
export function targetOptions(model: ModelResponse | undefined, versions: ModelVersionResponse[]): TargetOption[] {
  const aliases = Object.entries(model?.aliases ?? {}).sort(
    ([a], [b]) => Number(b === PRIMARY_ALIAS) - Number(a === PRIMARY_ALIAS) || a.localeCompare(b),
  );
  return [
    ...aliases.map(([alias, version]) => ({ value: `alias:${alias}`, label: `${alias} → v${version}` })),
    ...[...versions].sort((a, b) => b.version - a.version).map((v) => ({ value: `version:${v.version}`, label: `v${v.version}` })),
  ];
}

/** The version a target stands for, when the model's aliases and versions say. */
export function versionOf(
  target: string,
  model: ModelResponse | undefined,
  versions: ModelVersionResponse[],
): ModelVersionResponse | undefined {
  const [kind, value = ''] = splitTarget(target);
  const number = kind === 'alias' ? model?.aliases[value] : kind === 'version' ? Number(value) : undefined;
  return versions.find((v) => v.version === number);
}

/** The demo model if there is one, else the first model with a version. */
export function defaultModel(models: ModelResponse[]): string {
  return (
    (models.find((m) => m.name === 'flight-delay' && m.latestVersion !== null) ?? models.find((m) => m.latestVersion !== null))?.name ?? ''
  );
}

/** The `production` alias if there is one, else the newest version. */
export function defaultTarget(options: TargetOption[]): string {
  return (options.find((o) => o.value === `alias:${PRIMARY_ALIAS}`) ?? options.find((o) => o.value.startsWith('version:')))?.value ?? '';
}

/** The demo's label rows live in `flights`; otherwise the first group is the source. */
export function defaultGroup(groups: FeatureGroupResponse[]): string {
  return (groups.find((g) => g.name === 'flights') ?? groups[0])?.name ?? '';
}

/**
 * A trained version suggests its own source group and its validation slice: rows of that group
 * which the model was evaluated on, not trained on.
 */
export function suggestionOf(version: ModelVersionResponse | undefined, groups: FeatureGroupResponse[]): Suggestion {
  const { source, window } = version?.lineage ?? {};
  return {
    ...(source && groups.some((g) => g.name === source) ? { group: source } : {}),
    ...(window ? { window: { start: inputOfIso(window.validationStart), end: inputOfIso(window.end) } } : {}),
  };
}

/** The entities the version's online features are keyed by: each needs a source column holding its key. */
export function entitiesOf(version: ModelVersionResponse | undefined): string[] {
  return [...new Set((version?.signature.inputs ?? []).flatMap((input) => (input.source === 'feature' ? [input.entity] : [])))];
}

/** The entity → column mapping the version was trained with, which the API uses unless told otherwise. */
export function trainedJoinKeys(version: ModelVersionResponse | undefined): Record<string, string> {
  const keys = version?.lineage.params['joinKeys'];
  if (!keys || typeof keys !== 'object' || Array.isArray(keys)) return {};
  return Object.fromEntries(Object.entries(keys).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/** `2001-01-22T00:00:00Z` → `2001-01-22T00:00`, the value of a `datetime-local` input (in UTC). */
export function inputOfIso(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : date.toISOString().slice(0, 16);
}

const LOCAL_INPUT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/;

/** A `datetime-local` value read as UTC → ISO 8601; anything else is left for the contract to name. */
export function isoOfInput(value: string): string {
  const trimmed = value.trim();
  if (!LOCAL_INPUT.test(trimmed)) return trimmed;
  const date = new Date(`${trimmed}Z`);
  return Number.isNaN(date.getTime()) ? trimmed : date.toISOString();
}

/** `flight-delay v2 (production)` */
export function jobModelLabel(job: Pick<BatchJobResponse, 'model' | 'version' | 'alias'>): string {
  return `${job.model} v${job.version}${job.alias ? ` (${job.alias})` : ''}`;
}

/** `flights · 2001-01-22 00:00 → 2001-02-01 00:00` (UTC), or `an uploaded CSV file of 1,200 rows` */
export function sourceLabel(source: BatchJobResponse['source']): string {
  if ('group' in source) {
    const minute = (iso: string) => new Date(iso).toISOString().slice(0, 16).replace('T', ' ');
    return `${source.group} · ${minute(source.start)} → ${minute(source.end)}`;
  }
  const time = source.timeColumn ? `, features as of “${source.timeColumn}”` : '';
  return `an uploaded ${source.format === 'csv' ? 'CSV' : 'Parquet'} file of ${source.rows.toLocaleString('en-US')} rows${time}`;
}
