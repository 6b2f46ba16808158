import type { ModelInput, TrainingRequest, TrainingSetRequest, TrainingSetResponse } from '@atelier/contracts';
import { compileExpression, type Dataset } from '@atelier/ml';

/**
 * Turns a training request into (a) the training-set query for the feature store, (b) the
 * model's input signature, and (c) a numeric dataset from the returned columns — with the
 * label and transform expressions evaluated exactly as serving will evaluate them.
 */
export interface DatasetPlan {
  query: TrainingSetRequest;
  inputs: ModelInput[];
  features: string[];
}

export function planDataset(request: TrainingRequest, entityOf: (group: string) => string): DatasetPlan {
  const label = compileExpression(request.label);
  const transforms = request.transforms.map((t) => ({ ...t, compiled: compileExpression(t.expression) }));
  const refs = new Set(request.features);
  const inputs: ModelInput[] = [
    ...request.features.map((ref) => ({ name: ref, source: 'feature' as const, ref, entity: entityOf(ref.split(':')[0]!) })),
    ...request.requestFeatures.map((name) => ({ name, source: 'request' as const })),
    ...transforms.map((t) => ({ name: t.name, source: 'transform' as const, expression: t.expression })),
  ];
  const known = new Set(inputs.map((i) => i.name));
  // Columns of the source rows that the label, request features and transforms read.
  const columns = new Set(request.requestFeatures);
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
    features: inputs.map((i) => i.name),
  };
}

export interface BuiltDataset {
  dataset: Dataset;
  eventTimes: Float64Array;
  droppedRows: number;
}

/** Rows whose label is missing (NaN) are dropped; missing inputs stay NaN for the model to impute. */
export function buildDataset(request: TrainingRequest, plan: DatasetPlan, set: TrainingSetResponse): BuiltDataset {
  const label = compileExpression(request.label);
  const transforms = request.transforms.map((t) => ({ name: t.name, compiled: compileExpression(t.expression) }));
  const n = set.rowCount;
  const raw: Record<string, Float64Array> = {};
  for (const [name, values] of Object.entries(set.columns)) raw[name] = Float64Array.from(values, toNumber);

  const columns = plan.features.map(() => new Float64Array(n));
  const labels = new Float64Array(n);
  const keep: number[] = [];
  const row: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    for (const name in raw) row[name] = raw[name]![i]!;
    for (const t of transforms) row[t.name] = t.compiled.evaluate(row);
    const y = label.evaluate(row);
    if (Number.isNaN(y)) continue;
    const k = keep.length;
    keep.push(i);
    labels[k] = y;
    plan.features.forEach((name, j) => (columns[j]![k] = row[name] ?? NaN));
  }
  const rows = keep.length;
  return {
    dataset: { features: plan.features, columns: columns.map((c) => c.slice(0, rows)), label: labels.slice(0, rows), rowCount: rows },
    eventTimes: Float64Array.from(keep, (i) => set.eventTimes[i]!),
    droppedRows: n - rows,
  };
}

function toNumber(value: number | string | null): number {
  return typeof value === 'number' ? value : NaN;
}
