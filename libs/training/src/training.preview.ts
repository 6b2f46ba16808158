import {
  PREVIEW_SAMPLE_ROWS,
  PREVIEW_SHOWN_ROWS,
  type PreviewInput,
  type PreviewLabel,
  type PreviewRow,
  type PreviewSlice,
  taskOf,
  type TrainingPreviewResponse,
  type TrainingRequest,
} from '@atelier/contracts';

import { type DatasetPlan, entityOf, forEachLabelledRow, planDataset } from './dataset.builder';
import { checkLabels } from './label.check';
import { choosePartitions, noPartitionReason } from './partitions';
import type { TrainingData } from './training-data';

/** An input missing in more than this share of the labelled sample is worth a warning. */
const MOSTLY_MISSING = 0.5;
/** A class below this share of the labelled sample is worth a warning. */
const RARE_CLASS = 0.01;

type SliceName = 'training' | 'validation';

/** One slice's sample, evaluated as the job would: label, transforms and inputs per row. */
interface EvaluatedSlice {
  name: SliceName;
  preview: PreviewSlice;
  labels: number[];
  /** per labelled row: each input's value (null when missing) */
  values: Array<Record<string, number | string | null>>;
  eventTimes: number[];
}

/**
 * What a training request would train on, without starting a job: both slices of the window read
 * as an even sample of at most PREVIEW_SAMPLE_ROWS rows each (the point-in-time join included),
 * the label and transforms evaluated exactly as training evaluates them. Counts of source rows are
 * exact; label shares, coverage and the rest are the sample's.
 */
export async function previewTraining(request: TrainingRequest, data: TrainingData): Promise<TrainingPreviewResponse> {
  const started = performance.now();
  const groups = await data.featureGroups();
  const plan = planDataset(request, (group) => entityOf(groups, group));
  const { start, validationStart, end } = request.window;
  const [training, validation] = await Promise.all([
    evaluateSlice('training', start, validationStart, plan, data),
    evaluateSlice('validation', validationStart, end, plan, data),
  ]);
  const task = taskOf(request);
  const labelled = [...training.labels, ...validation.labels];
  const inputs = previewInputs(plan, [...training.values, ...validation.values]);
  const label = describeLabel(task, labelled);
  const { problems, warnings } = judge(request, label, training, validation, inputs);
  return {
    slices: { training: training.preview, validation: validation.preview },
    label,
    inputs,
    rows: [...shownRows(training), ...shownRows(validation)],
    problems,
    warnings,
    ms: Math.round(performance.now() - started),
  };
}

async function evaluateSlice(name: SliceName, start: string, end: string, plan: DatasetPlan, data: TrainingData): Promise<EvaluatedSlice> {
  const set = await data.trainingSet({
    ...plan.query,
    source: { ...plan.query.source, start, end },
    limit: undefined,
    sample: PREVIEW_SAMPLE_ROWS,
  });
  const labels: number[] = [];
  const values: EvaluatedSlice['values'] = [];
  const eventTimes: number[] = [];
  forEachLabelledRow(plan, set, (i, row, y) => {
    labels.push(y);
    eventTimes.push(set.eventTimes[i]!);
    const inputs: Record<string, number | string | null> = {};
    for (const input of plan.numeric) inputs[input] = Number.isNaN(row[input] ?? NaN) ? null : row[input]!;
    // categorical columns, and a partitioned model's column: the source's raw strings
    for (const column of plan.strings) {
      const value = set.columns[column]?.[i];
      inputs[column] = value === null || value === undefined || value === '' ? null : String(value);
    }
    values.push(inputs);
  });
  const sourceRows = set.sourceRows ?? set.rowCount;
  const labelledShare = set.rowCount > 0 ? labels.length / set.rowCount : null;
  return {
    name,
    labels,
    values,
    eventTimes,
    preview: {
      start,
      end,
      sourceRows,
      sampledRows: set.rowCount,
      labelledShare,
      estimatedLabelRows: Math.round(sourceRows * (labelledShare ?? 0)),
    },
  };
}

function previewInputs(plan: DatasetPlan, rows: EvaluatedSlice['values']): PreviewInput[] {
  const categorical = new Set(plan.categorical);
  return plan.inputs.map((input): PreviewInput => {
    const source = categorical.has(input.name) ? 'categorical' : input.source;
    let missing = 0;
    let min = Infinity;
    let max = -Infinity;
    const distinct = new Set<string>();
    for (const row of rows) {
      const value = row[input.name];
      if (value === null || value === undefined) missing++;
      else if (typeof value === 'number') {
        if (value < min) min = value;
        if (value > max) max = value;
      } else distinct.add(value);
    }
    const missingShare = rows.length > 0 ? missing / rows.length : 1;
    if (source === 'categorical') return { name: input.name, source, missingShare, distinct: distinct.size };
    if (input.source === 'request' && input.dtype === 'string') return { name: input.name, source, missingShare, distinct: distinct.size };
    return { name: input.name, source, missingShare, min: min === Infinity ? null : min, max: max === -Infinity ? null : max };
  });
}

function describeLabel(task: PreviewLabel['task'], labels: number[]): PreviewLabel {
  if (task === 'regression') {
    if (labels.length === 0) return { task };
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    for (const y of labels) {
      sum += y;
      if (y < min) min = y;
      if (y > max) max = y;
    }
    const mean = sum / labels.length;
    const variance = labels.reduce((acc, y) => acc + (y - mean) ** 2, 0) / labels.length;
    return { task, summary: { min, mean, max, std: Math.sqrt(variance) } };
  }
  const counts = new Map<number, number>();
  for (const y of labels) counts.set(y, (counts.get(y) ?? 0) + 1);
  const classes = [...counts]
    .map(([value, count]) => ({ value, share: count / labels.length }))
    .sort((a, b) => b.share - a.share || a.value - b.value);
  return { task, classes };
}

/** Problems make the job fail or learn nothing; warnings deserve a look. */
function judge(
  request: TrainingRequest,
  label: PreviewLabel,
  training: EvaluatedSlice,
  validation: EvaluatedSlice,
  inputs: PreviewInput[],
) {
  const problems: string[] = [];
  const warnings: string[] = [];
  for (const slice of [training, validation]) {
    const { sourceRows, start, end } = slice.preview;
    if (sourceRows === 0) problems.push(`the ${slice.name} slice [${start}, ${end}) holds no rows of "${request.source.group}"`);
    else if (slice.labels.length === 0)
      problems.push(
        `the label expression "${request.label}" gives no value on any sampled row of the ${slice.name} slice (${sourceRows} rows)`,
      );
  }
  const labels = [...training.labels, ...validation.labels];
  if (labels.length > 0) {
    if (labels.every((y) => y === labels[0]))
      problems.push(`the label expression "${request.label}" gives ${labels[0]} on every sampled row: there is nothing to learn`);
    else {
      try {
        checkLabels(label.task, Float64Array.from(training.labels), Float64Array.from(validation.labels));
      } catch (error) {
        problems.push(error instanceof Error ? error.message : String(error));
      }
    }
  }
  for (const input of inputs) {
    if (labels.length === 0) break;
    const what = input.source === 'feature' ? `feature "${input.name}"` : `${input.source} input "${input.name}"`;
    const hint = input.source === 'feature' ? ": check its join key and its group's rows and TTL in this window" : '';
    if (input.missingShare === 1) problems.push(`${what} has no value on any sampled row${hint}`);
    // present only where the model is validated: it learns nothing from it
    else if (training.values.length > 0 && training.values.every((row) => row[input.name] === null))
      problems.push(`${what} has no value on any sampled row of the training slice${hint}`);
    else if (input.missingShare > MOSTLY_MISSING) warnings.push(`${what} is missing on ${percent(input.missingShare)} of the sampled rows`);
  }
  if (problems.length === 0) {
    for (const c of label.classes ?? []) {
      if (c.share < RARE_CLASS) warnings.push(`class ${c.value} is ${percent(c.share)} of the sampled labels`);
    }
  }
  if (request.partition && labels.length > 0) judgePartitions(request, training, validation, problems, warnings);
  for (const slice of [training, validation]) {
    if (slice.preview.estimatedLabelRows > request.maxRows)
      warnings.push(
        `the ${slice.name} slice holds about ${slice.preview.estimatedLabelRows} label rows; the job reads at most maxRows = ${request.maxRows} in all`,
      );
  }
  return { problems, warnings };
}

function percent(share: number): string {
  return `${(share * 100).toFixed(share < 0.1 ? 1 : 0)} %`;
}

/** A few labelled rows of a slice, spread over it. */
function shownRows(slice: EvaluatedSlice): PreviewRow[] {
  const n = slice.labels.length;
  const count = Math.min(n, PREVIEW_SHOWN_ROWS / 2);
  return Array.from({ length: count }, (_, k) => {
    const i = Math.floor((k * n) / count);
    return {
      eventTime: new Date(slice.eventTimes[i]!).toISOString(),
      slice: slice.name,
      label: slice.labels[i]!,
      values: slice.values[i]!,
    };
  });
}

/**
 * Whether the job would find partitions to train, from the sample: each value's sampled training
 * rows stand for their share of the slice's label rows (at most maxRows). A problem when not even
 * half of `minRows` is in sight for any value — the job would fail, having no partition — and a
 * warning when none clearly reaches it.
 */
function judgePartitions(
  request: TrainingRequest,
  training: EvaluatedSlice,
  validation: EvaluatedSlice,
  problems: string[],
  warnings: string[],
): void {
  const { column, minRows, maxPartitions } = request.partition!;
  const rows = [...training.values, ...validation.values];
  // the job's values are the column's raw ones as strings (a number column's too)
  const values = rows.map((row) => (row[column] === null || row[column] === undefined ? null : String(row[column])));
  const isTrain = (row: number) => row < training.values.length;
  // label rows of the training slice one sampled row stands for
  const scale = training.labels.length > 0 ? Math.min(training.preview.estimatedLabelRows, request.maxRows) / training.labels.length : 1;
  const chosen = (rowsNeeded: number) => choosePartitions(values, isTrain, Math.max(1, Math.ceil(rowsNeeded / scale)), maxPartitions);
  if (chosen(minRows).length > 0) return;
  const message = noPartitionReason(column, minRows, values, isTrain, { scale, estimated: true });
  if (chosen(minRows / 2).length === 0) problems.push(`${message}: the job would have no partition to train`);
  else warnings.push(`${message}: the job may train no partition`);
}
