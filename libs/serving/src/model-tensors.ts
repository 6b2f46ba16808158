import { Tensor } from 'onnxruntime-node';

import type { ClassLabel, InputValue, TensorFeed } from '@atelier/contracts';

import type { OutputPlan } from './inference-plan';
import type { PlainTensor } from './onnx-runner';

/**
 * Rows of named values → the graph's input tensors: each feed a `[rows, columns]` tensor (or
 * `[rows]` for rank 1) of its element type. A missing number is NaN (the graph's own missing-value
 * handling), a missing category the empty string; integer inputs are checked before this (they
 * have no missing value).
 */
export function feedTensors(feeds: readonly TensorFeed[], rows: ReadonlyArray<Record<string, InputValue>>): Record<string, Tensor> {
  return feedTensorsOf(feeds, rows.length, (name) => (r) => rows[r]![name]);
}

/** `feedTensors` of `n` rows held some other way: `column(name)` reads row r's value of that name. */
export function feedTensorsOf(
  feeds: readonly TensorFeed[],
  n: number,
  column: (name: string) => (r: number) => InputValue | undefined,
): Record<string, Tensor> {
  const tensors: Record<string, Tensor> = {};
  for (const feed of feeds) {
    const width = feed.columns.length;
    const dims = feed.rank === 1 ? [n] : [n, width];
    const readers = feed.columns.map(column);
    const cell = (r: number, c: number) => readers[c]!(r);
    switch (feed.elementType) {
      case 'string':
        tensors[feed.name] = new Tensor(
          'string',
          fill(n, width, (r, c) => String(cell(r, c) ?? ''), new Array<string>(n * width)),
          dims,
        );
        break;
      case 'float':
        tensors[feed.name] = new Tensor(
          'float32',
          fill(n, width, (r, c) => toNumber(cell(r, c)), new Float32Array(n * width)),
          dims,
        );
        break;
      case 'double':
        tensors[feed.name] = new Tensor(
          'float64',
          fill(n, width, (r, c) => toNumber(cell(r, c)), new Float64Array(n * width)),
          dims,
        );
        break;
      case 'int64':
        tensors[feed.name] = new Tensor(
          'int64',
          fill(n, width, (r, c) => BigInt(Math.trunc(toNumber(cell(r, c)) || 0)), new BigInt64Array(n * width)),
          dims,
        );
        break;
      case 'int32':
        tensors[feed.name] = new Tensor(
          'int32',
          fill(n, width, (r, c) => Math.trunc(toNumber(cell(r, c)) || 0), new Int32Array(n * width)),
          dims,
        );
        break;
      case 'bool':
        tensors[feed.name] = new Tensor(
          'bool',
          fill<number, Uint8Array>(n, width, (r, c) => (toNumber(cell(r, c)) ? 1 : 0), new Uint8Array(n * width)),
          dims,
        );
        break;
    }
  }
  return tensors;
}

function fill<T, A extends { [i: number]: T }>(n: number, width: number, value: (r: number, c: number) => T, into: A): A {
  for (let r = 0; r < n; r++) for (let c = 0; c < width; c++) into[r * width + c] = value(r, c);
  return into;
}

function toNumber(value: InputValue | undefined): number {
  return typeof value === 'number' ? value : NaN;
}

/** One row's answer. */
export interface RowOutput {
  /** P(positive) for binary classifiers, P(label) for multi-class ones, the value of a regressor */
  prediction: number;
  label: ClassLabel | null;
  /** multi-class: the probability of each class, by label */
  probabilities?: Record<string, number>;
}

/**
 * A run's outputs → one answer per row. Probabilities `[N, 1]` are P(positive) (Atelier's binary
 * models); `[N, C]` are per class in `classes` order, the label their argmax when the graph has no
 * label output.
 */
export function readOutputs(plan: OutputPlan, out: Record<string, PlainTensor>, rows: number): RowOutput[] {
  const labels = plan.label ? out[plan.label] : undefined;
  const probabilities = plan.probabilities ? out[plan.probabilities] : undefined;
  const value = plan.value ? out[plan.value] : undefined;
  const width = probabilities ? (probabilities.dims.length === 2 ? probabilities.dims[1]! : 1) : 0;
  const results: RowOutput[] = [];
  for (let i = 0; i < rows; i++) {
    const label = labels ? labelAt(labels, i) : null;
    if (value) {
      results.push({ prediction: Number((value.data as ArrayLike<number>)[i]), label: null });
    } else if (!probabilities) {
      results.push({ prediction: NaN, label });
    } else if (width === 1) {
      const prediction = Number((probabilities.data as ArrayLike<number>)[i]);
      // no probability (a graph fed NaN for missing inputs): its label output is no answer either
      results.push({ prediction, label: Number.isFinite(prediction) ? label : null });
    } else {
      const p = Array.from({ length: width }, (_, c) => Number((probabilities.data as ArrayLike<number>)[i * width + c]));
      const classes = plan.classes ?? p.map((_, c) => c);
      const best = p.indexOf(Math.max(...p));
      // an ArgMax over NaN probabilities names the first class: no answer, not class 0
      const chosen = p.every(Number.isFinite) ? (label ?? classes[best] ?? best) : null;
      if (plan.task === 'binary_classification' && width === 2) {
        // classes with names (not 0/1): the event carries them, so monitoring judges outcomes by name
        const named = classes.some((c) => typeof c === 'string');
        results.push({
          prediction: p[1]!,
          label: chosen,
          ...(named ? { probabilities: Object.fromEntries(classes.map((c, k) => [String(c), p[k]!])) } : {}),
        });
      } else {
        const at = classes.findIndex((c) => String(c) === String(chosen));
        results.push({
          prediction: chosen === null ? NaN : p[at >= 0 ? at : best]!,
          label: chosen,
          probabilities: Object.fromEntries(classes.map((c, k) => [String(c), p[k]!])),
        });
      }
    }
  }
  return results;
}

function labelAt(tensor: PlainTensor, i: number): ClassLabel {
  const v = (tensor.data as ArrayLike<number | bigint | string>)[i]!;
  return typeof v === 'string' ? v : Number(v);
}
