import type { ModelInput, TrainingRequest, TrainingSetRequest, TrainingSetResponse } from '@atelier/contracts';
import { type CompiledExpression, compileExpression, type Dataset, type DatasetEncoding, encodeDataset, type EncodedColumnSpec, EncodedDatasetBuilder, type RawColumns } from '@atelier/ml';
import { notFound } from '@atelier/server';

/**
 * Turns a training request into (a) the training-set query for the feature store, (b) the
 * model's input signature, and (c) a numeric dataset from the returned columns — with the
 * label and transform expressions evaluated exactly as serving will evaluate them, and the
 * categorical columns encoded by encoders fitted on the training slice only.
 */
export interface DatasetPlan {
  query: TrainingSetRequest;
  inputs: ModelInput[];
  /** numeric model inputs, in order */
  numeric: string[];
  /** string source columns, encoded */
  categorical: string[];
  /** every string input read from the source rows as is: the categorical columns and a partitioned model's column */
  strings: string[];
  /** the label and transform expressions, compiled once */
  label: CompiledExpression;
  transforms: Array<{ name: string; compiled: CompiledExpression }>;
}

/** The entity a feature group is keyed by; an unknown group is a 404 naming it. */
export function entityOf(groups: Array<{ name: string; entity: string }>, name: string): string {
  const group = groups.find((g) => g.name === name);
  if (!group) throw notFound(`feature group "${name}" does not exist`);
  return group.entity;
}

export function planDataset(request: TrainingRequest, entityOf: (group: string) => string): DatasetPlan {
  const label = compileExpression(request.label);
  const transforms = request.transforms.map((t) => ({ name: t.name, expression: t.expression, compiled: compileExpression(t.expression) }));
  const refs = new Set(request.features);
  const categorical = request.categoricalFeatures.map((c) => c.column);
  const inputs: ModelInput[] = [
    ...request.features.map((ref) => ({ name: ref, source: 'feature' as const, ref, entity: entityOf(ref.split(':')[0]!) })),
    ...request.requestFeatures.map((name) => ({ name, source: 'request' as const, dtype: 'float' as const })),
    ...transforms.map((t) => ({ name: t.name, source: 'transform' as const, expression: t.expression })),
    ...categorical.map((name) => ({ name, source: 'request' as const, dtype: 'string' as const })),
  ];
  const known = new Set(inputs.map((i) => i.name));
  // a partitioned model's graph picks its model by the column's raw string: serving feeds it
  const partition = request.partition?.column;
  if (partition !== undefined && !known.has(partition)) inputs.push({ name: partition, source: 'request', dtype: 'string' });
  // Columns of the source rows that the label, request features and transforms read.
  const columns = new Set([...request.requestFeatures, ...categorical, ...(partition === undefined ? [] : [partition])]);
  for (const v of label.variables) if (!refs.has(v)) columns.add(v);
  for (const t of transforms) for (const v of t.compiled.variables) if (!known.has(v)) columns.add(v);
  return {
    query: {
      source: { group: request.source.group, start: request.window.start, end: request.window.end },
      joinKeys: request.joinKeys,
      features: request.features,
      columns: [...columns],
      limit: request.maxRows,
    },
    inputs,
    numeric: inputs.filter((i) => !(i.source === 'request' && i.dtype === 'string')).map((i) => i.name),
    categorical,
    strings: inputs.filter((i) => i.source === 'request' && i.dtype === 'string').map((i) => i.name),
    label,
    transforms: transforms.map(({ name, compiled }) => ({ name, compiled })),
  };
}

export interface BuiltDataset {
  dataset: Dataset;
  eventTimes: Float64Array;
  droppedRows: number;
  /** present when the request has categorical features: fitted on the training slice, exported inside the ONNX graph */
  encoding: DatasetEncoding | null;
  /** the model's inputs as serving receives them, row for row with `dataset`: numbers, and the categorical columns' strings */
  inputs: { numeric: Dataset; categorical: Record<string, Array<string | null>> };
  /** partitioned models: each row's value of the partition column (null: missing) */
  partitionValues: Array<string | null> | null;
}

/** Rows whose label is missing (NaN) are dropped; missing inputs stay NaN for the model to impute. */
export function buildDataset(request: TrainingRequest, plan: DatasetPlan, set: TrainingSetResponse): BuiltDataset {
  const n = set.rowCount;
  const columns = plan.numeric.map(() => new Float64Array(n));
  const labels = new Float64Array(n);
  const keep: number[] = [];
  forEachLabelledRow(plan, set, (i, row, y) => {
    const k = keep.length;
    keep.push(i);
    labels[k] = y;
    plan.numeric.forEach((name, j) => (columns[j]![k] = row[name] ?? NaN));
  });
  const rows = keep.length;
  const numeric: Dataset = { features: plan.numeric, columns: columns.map((c) => c.slice(0, rows)), label: labels.slice(0, rows), rowCount: rows };
  const eventTimes = Float64Array.from(keep, (i) => set.eventTimes[i]!);
  const strings = (column: string) => {
    const values = set.columns[column] ?? [];
    return keep.map((i) => (values[i] === null || values[i] === undefined || values[i] === '' ? null : String(values[i])));
  };
  const categorical = Object.fromEntries(plan.categorical.map((column) => [column, strings(column)]));
  const partitionValues = request.partition ? strings(request.partition.column) : null;
  const base = { eventTimes, droppedRows: n - rows, inputs: { numeric, categorical }, partitionValues };
  if (plan.categorical.length === 0) return { ...base, dataset: numeric, encoding: null };
  return { ...base, ...encodeCategorical(request, plan, categorical, numeric, eventTimes) };
}

/**
 * Evaluates every row of a training set as training does — source columns as numbers (strings
 * and nulls NaN), then the transforms, then the label — and visits those with a label. `row`
 * is reused: read it during the visit.
 */
export function forEachLabelledRow(
  plan: DatasetPlan,
  set: TrainingSetResponse,
  visit: (i: number, row: Readonly<Record<string, number>>, label: number) => void,
): void {
  const raw: Record<string, Float64Array> = {};
  for (const [name, values] of Object.entries(set.columns)) raw[name] = Float64Array.from(values, toNumber);
  const row: Record<string, number> = {};
  for (let i = 0; i < set.rowCount; i++) {
    for (const name in raw) row[name] = raw[name]![i]!;
    for (const t of plan.transforms) row[t.name] = t.compiled.evaluate(row);
    const y = plan.label.evaluate(row);
    if (!Number.isNaN(y)) visit(i, row, y);
  }
}

/**
 * Encodes the categorical columns with encoders fitted on the training rows (event time before
 * `validationStart`) only; numeric inputs pass through the same encoding so that the whole
 * input side of the model is one `DatasetEncoding`, exported in front of the model's graph.
 */
function encodeCategorical(request: TrainingRequest, plan: DatasetPlan, categorical: Record<string, Array<string | null>>, numeric: Dataset, eventTimes: Float64Array) {
  const rawColumns: RawColumns = {};
  const specs: Record<string, EncodedColumnSpec> = {};
  plan.numeric.forEach((name, j) => {
    rawColumns[name] = Array.from(numeric.columns[j]!, (v) => (Number.isNaN(v) ? null : v));
    specs[name] = { type: 'numeric' };
  });
  for (const c of request.categoricalFeatures) {
    rawColumns[c.column] = categorical[c.column]!;
    specs[c.column] =
      c.encoding === 'one_hot'
        ? { type: 'one_hot', maxCategories: c.maxCategories }
        : c.encoding === 'ordinal'
          ? { type: 'ordinal' }
          : { type: 'hashing', buckets: c.buckets, keepVocabulary: true };
  }
  const cutoff = Date.parse(request.window.validationStart);
  const trainRows = Array.from(eventTimes.keys()).filter((k) => eventTimes[k]! < cutoff);
  const { encoding } = new EncodedDatasetBuilder({ columns: specs }).fit(rawColumns, { rows: trainRows });
  return { dataset: { ...encodeDataset(encoding, rawColumns), label: numeric.label }, encoding };
}

function toNumber(value: number | string | null): number {
  return typeof value === 'number' ? value : NaN;
}
