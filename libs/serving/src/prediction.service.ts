import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Counter, Histogram } from 'prom-client';

import { ATELIER_CONFIG, type AtelierConfig } from '@atelier/config';
import {
  type Arm,
  type BatchPredictResponse,
  type ClassLabel,
  type InputValue,
  MAX_BATCH_ROWS,
  type PredictionEvent,
  type PredictRequest,
  type PredictResponse,
  type PredictRow,
  PRIMARY_ALIAS,
} from '@atelier/contracts';
import { badRequest, MetricsService, missingFeatures, payloadTooLarge } from '@atelier/server';

import { type InferencePlan, numeric, requestValue } from './inference-plan';
import { MicroBatcher } from './micro-batcher';
import { ModelCache, type ServedModel, type TrafficSplit } from './model-cache';
import { feedTensors, feedTensorsOf, readOutputs } from './model-tensors';
import { OnlineFeaturesReader } from './online-features.reader';
import type { PlainTensor } from './onnx-runner';
import { predictionIds } from './prediction-id';
import { PredictionLog } from './prediction-log';
import { armOf } from './traffic-split';

const DEFAULT_ALIAS = PRIMARY_ALIAS;
/** Rows one coalesced model run takes at most (a larger batch request runs alone). */
const MICRO_BATCH_MAX_ROWS = 256;

export interface Scored {
  inputs: Record<string, InputValue>;
  missing: string[];
  prediction: number;
  label: ClassLabel | null;
  probabilities?: Record<string, number>;
}

/**
 * Online prediction: the online features of every row in one Redis round trip → request values
 * → the training-time transforms → one ONNX Runtime run for all rows → sampled prediction log.
 */
@Injectable()
export class PredictionService {
  private readonly predictions: Counter<string>;
  private readonly missingValues: Counter<string>;
  private readonly latency: Histogram<string>;
  private readonly shadowPredictions: Counter<string>;
  private readonly shadowFailures: Counter<string>;
  private readonly logger = new Logger('serving');
  private readonly batcher: MicroBatcher<ServedModel, Scored>;

  constructor(
    private readonly cache: ModelCache,
    private readonly online: OnlineFeaturesReader,
    private readonly log: PredictionLog,
    @Inject(ATELIER_CONFIG) config: AtelierConfig,
    metrics: MetricsService,
  ) {
    this.predictions = metrics.counter('atelier_predictions_total', 'Predictions served', ['model', 'version']);
    this.missingValues = metrics.counter('atelier_prediction_missing_values_total', 'Model inputs that had no value, by model and input', [
      'model',
      'input',
    ]);
    this.shadowPredictions = metrics.counter('atelier_shadow_predictions_total', 'Mirrored requests a shadow version scored', [
      'model',
      'version',
    ]);
    this.shadowFailures = metrics.counter('atelier_shadow_failures_total', 'Mirrored requests a shadow version failed to score', [
      'model',
      'version',
    ]);
    // one row per run when off: every request runs alone
    this.batcher = new MicroBatcher(config.serving.microBatch ? MICRO_BATCH_MAX_ROWS : 1, runRows, applyOutputs);
    this.latency = metrics.histogram(
      'atelier_prediction_seconds',
      'Time to answer a prediction request',
      [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    );
  }

  async predict(request: PredictRequest): Promise<PredictResponse | BatchPredictResponse> {
    const started = performance.now();
    const rows = request.rows ?? [{ entities: request.entities ?? {}, features: request.features ?? {} }];
    if (rows.length > MAX_BATCH_ROWS) throw payloadTooLarge(`a batch holds at most ${MAX_BATCH_ROWS} rows; got ${rows.length}`);
    const alias = request.version ? null : (request.alias ?? DEFAULT_ALIAS);
    // only the primary alias is split; an explicit version or another alias is served as asked
    const split = alias === PRIMARY_ALIAS ? await this.cache.split(request.model) : null;
    // each row draws its arm, a batch's too: a caller keeps its arm whether it asks alone or in a batch
    const arms = split ? rows.map((row) => armOf(request.model, split.canary, row)) : undefined;
    const batch = request.rows !== undefined;
    if (arms && arms.some((a) => a !== arms[0])) {
      const answered = await Promise.all(
        (['primary', 'canary'] as const).map(async (arm) => {
          const at = arms.flatMap((a, i) => (a === arm ? [i] : []));
          const served = await this.servedBy(request, alias, split, arm);
          const { version } = served.detail;
          const predictions = await this.answer(
            served,
            at.map((i) => rows[i]!),
            true,
            alias,
            arm,
            split,
            started,
            at,
          );
          return { at, version, predictions: predictions.map((p) => ({ ...p, arm, version })) };
        }),
      );
      const predictions: BatchPredictResponse['predictions'] = new Array(rows.length);
      for (const { at, predictions: answers } of answered) at.forEach((i, k) => (predictions[i] = answers[k]!));
      this.latency.observe((performance.now() - started) / 1000);
      // the primary's version above; each answer says its own arm and version
      return { model: request.model, version: answered[0]!.version, alias, predictions };
    }
    const arm = arms?.[0];
    const served = await this.servedBy(request, alias, split, arm);
    const predictions = await this.answer(served, rows, batch, alias, arm, split, started);
    this.latency.observe((performance.now() - started) / 1000);
    const { model, version } = served.detail;
    const servedBy = arm ? { model, version, alias, arm } : { model, version, alias };
    return batch ? { ...servedBy, predictions } : { ...predictions[0]!, ...servedBy };
  }

  /** The version that answers a request: the canary's for its arm, else the one the alias or version names. */
  private servedBy(request: PredictRequest, alias: string | null, split: TrafficSplit | null, arm: Arm | undefined): Promise<ServedModel> {
    if (arm === 'canary') return this.cache.byVersion(request.model, split!.canary!.version);
    return alias ? this.cache.byAlias(request.model, alias) : this.cache.byVersion(request.model, request.version!);
  }

  /**
   * Scores rows with one version and answers them: ids, the prediction log (and the shadow's
   * copy), the metrics. `rowNumbers` are the rows' places in the request's batch when they are a
   * part of it (one arm's), for the errors that name a row.
   */
  private async answer(
    served: ServedModel,
    rows: PredictRow[],
    batch: boolean,
    alias: string | null,
    arm: Arm | undefined,
    split: TrafficSplit | null,
    started: number,
    rowNumbers?: number[],
  ): Promise<Array<BatchPredictResponse['predictions'][number]>> {
    const scored = await this.score(served, rows, batch, true, rowNumbers);
    const latencyMs = performance.now() - started;

    const { model, version } = served.detail;
    const at = new Date().toISOString();
    const ids = scored.length === 1 ? [predictionIds.next()] : predictionIds.block(scored.length).ids;
    // logged in line: deferred to a setImmediate after the answer, the events made the serving
    // bench's (b) and (g) slower, not faster (tried twice; docs/benchmarks.md)
    const events: PredictionEvent[] = [];
    const logged: number[] = [];
    const predictions = scored.map((s, i) => {
      const predictionId = ids[i]!;
      // a row the model gave no number for (a graph fed NaN) has nothing to monitor: monitoring's
      // contract wants a number, and the event went to the dead-letter topic
      if (Number.isFinite(s.prediction) && this.log.sampled()) {
        events.push(predictionEvent(model, version, alias, s, rows[i]!.entities, at, predictionId, latencyMs, arm));
        logged.push(i);
      }
      const answer = {
        predictionId,
        prediction: s.prediction,
        label: s.label,
        inputs: s.inputs,
        missing: s.missing,
        ...partitionOf(served, s),
      };
      return s.probabilities ? { ...answer, probabilities: s.probabilities } : answer;
    });
    this.log.record(events);
    if (split?.shadow && events.length > 0) {
      const shadow = split.shadow.version;
      const mirrored = logged.map((i) => rows[i]!);
      const answered = events.map((e) => e.predictionId);
      // after the answer is on its way: the shadow never changes or slows it
      setImmediate(() => void this.mirror(model, shadow, mirrored, answered, batch));
    }
    this.predictions.inc({ model, version: String(version) }, rows.length);
    return predictions;
  }

  /**
   * The shadow version scores a copy of the logged rows (reading its own online features); its
   * predictions go to the prediction log as `shadow`, each with the id of the answer it mirrors.
   * A failure is counted and logged, and touches nothing else.
   */
  private async mirror(model: string, version: number, rows: PredictRow[], answered: string[], batch: boolean): Promise<void> {
    const started = performance.now();
    try {
      const served = await this.cache.byVersion(model, version);
      const scored = await this.score(served, rows, batch, false);
      const latencyMs = performance.now() - started;
      const at = new Date().toISOString();
      this.log.record(
        scored.map((s, i) => ({
          ...predictionEvent(model, version, null, s, rows[i]!.entities, at, predictionIds.next(), latencyMs, 'shadow'),
          shadowOf: answered[i]!,
        })),
      );
      this.shadowPredictions.inc({ model, version: String(version) }, rows.length);
    } catch (error) {
      this.shadowFailures.inc({ model, version: String(version) });
      this.logger.warn({ msg: 'shadow prediction failed', model, version, error: error instanceof Error ? error.message : String(error) });
    }
  }

  private async score(
    served: ServedModel,
    rows: PredictRow[],
    batch: boolean,
    countMissing = true,
    rowNumbers?: number[],
  ): Promise<Scored[]> {
    const { plan } = served;
    // a row's place in the request: a batch split between arms scores each arm's rows apart
    const rowOf = (r: number) => rowNumbers?.[r] ?? r;
    const where = (r: number) => (batch ? `row ${rowOf(r)}: ` : '');
    const pairs: Array<{ group: string; entityKey: string }> = [];
    rows.forEach((row, r) => {
      for (const lookup of plan.lookups) {
        const entityKey = row.entities[lookup.entity];
        if (!entityKey)
          throw badRequest(`${where(r)}model ${served.detail.model} needs the "${lookup.entity}" entity key: give it in "entities"`);
        pairs.push({ group: lookup.group, entityKey });
      }
    });
    const found = pairs.length > 0 ? await this.online.read(pairs) : [];

    const scored = rows.map((row, r): Scored => {
      const values: Record<string, number | null> = {};
      const missing: string[] = [];
      plan.lookups.forEach((lookup, l) => {
        const hit = found[r * plan.lookups.length + l];
        for (const s of lookup.slots) {
          const slot = plan.features[s]!;
          const value = numeric(hit?.values[slot.feature]);
          values[slot.input] = value;
          if (value === null) missing.push(slot.input);
        }
      });
      if (missing.length > 0 && plan.missingFeatures === 'refuse') {
        throw missingFeatures(
          `${where(r)}model ${served.detail.model} v${served.detail.version} refuses to predict without ${missing.join(', ')} (not in the online store)`,
          {
            row: batch ? rowOf(r) : undefined,
            missing,
            entities: row.entities,
          },
        );
      }
      return completeRow(served, row.features, values, missing, where(r));
    });
    if (countMissing) this.countMissing(served.detail.model, scored);

    await this.batcher.score(served, scored);
    return scored;
  }

  /** Adds the rows' missing inputs to the metric, one increment per input (a label lookup each costs ~1 µs). */
  private countMissing(model: string, scored: Scored[]): void {
    let counts: Map<string, number> | undefined;
    for (const s of scored) for (const input of s.missing) (counts ??= new Map()).set(input, (counts.get(input) ?? 0) + 1);
    counts?.forEach((n, input) => this.missingValues.inc({ model, input }, n));
  }

  /**
   * Scores rows whose inputs were read elsewhere — a batch job's point-in-time join — given as
   * columns by input name: the online features as of each row's time and its request values.
   * Missing values, request values and the transforms are as online (`completeRow`), the model
   * runs `chunkRows` rows per ONNX Runtime run, yielding to the event loop between runs. A row
   * that lacks a feature of a model that refuses to predict without it is answered without a
   * prediction (its `missing` says why). No prediction log, no metrics. Column by column, with
   * no object a row but its answer: a shard of 50,000 rows held five records a row before, all
   * alive until its commit (docs/benchmarks.md).
   */
  async scoreColumns(
    served: ServedModel,
    rows: number,
    column: (input: string) => ArrayLike<unknown> | undefined,
    chunkRows = 4096,
  ): Promise<ScoredColumns> {
    const { plan } = served;
    // every value by name, as the graph is fed: numbers (NaN for none), then strings
    const numbers = new Map<string, Float64Array>();
    const strings = new Map<string, Array<string | null>>();
    const missing = new Array<readonly string[]>(rows).fill(NOTHING_MISSING);
    const read = (name: string, dtype: 'feature' | 'float' | 'string') => {
      const source = column(name);
      const values = dtype === 'string' ? new Array<string | null>(rows) : new Float64Array(rows);
      for (let r = 0; r < rows; r++) {
        const value = dtype === 'feature' ? numeric(source?.[r]) : requestValue(source?.[r], dtype);
        values[r] = value ?? (dtype === 'string' ? null : NaN);
        if (value === null) missing[r] = missing[r] === NOTHING_MISSING ? [name] : [...missing[r]!, name];
      }
      if (values instanceof Float64Array) numbers.set(name, values);
      else strings.set(name, values as Array<string | null>);
    };
    for (const slot of plan.features) read(slot.input, 'feature');
    for (const input of plan.requestInputs) read(input.name, input.dtype);
    transformColumns(plan.transforms, numbers, rows);

    const refused = new Uint8Array(rows);
    const scorable: number[] = [];
    for (let r = 0; r < rows; r++) {
      const gaps = missing[r]!;
      if (gaps.length > 0) {
        const noInteger = gaps.find((input) => plan.integerColumns.has(input));
        if (noInteger) throw badRequest(`row ${r}: model ${served.detail.model} takes "${noInteger}" as an integer and needs a value for it`);
        if (plan.missingFeatures === 'refuse') {
          refused[r] = 1;
          continue;
        }
      }
      scorable.push(r);
    }
    const valueOf = (name: string): ((r: number) => InputValue | undefined) => {
      const n = numbers.get(name);
      if (n) return (r) => (Number.isNaN(n[r]!) ? null : n[r]!);
      const s = strings.get(name);
      return s ? (r) => s[r] : () => undefined;
    };
    const prediction = new Float64Array(rows).fill(NaN);
    const label = new Array<ClassLabel | null>(rows).fill(null);
    const probabilities = new Array<Record<string, number> | null>(rows).fill(null);
    for (let from = 0; from < scorable.length; from += chunkRows) {
      const chunk = scorable.slice(from, from + chunkRows);
      const feeds = feedTensorsOf(plan.feeds, chunk.length, (name) => {
        const value = valueOf(name);
        return (k) => value(chunk[k]!);
      });
      readOutputs(plan.outputs, await served.runner.run(feeds), chunk.length).forEach((o, k) => {
        // a row whose model gave no finite number has no answer at all
        if (!Number.isFinite(o.prediction)) return;
        const r = chunk[k]!;
        prediction[r] = o.prediction;
        label[r] = o.label;
        probabilities[r] = o.probabilities ?? null;
      });
      await new Promise((resolve) => setImmediate(resolve));
    }
    return {
      refused,
      missing,
      prediction,
      label,
      probabilities,
      inputsOf: (r) => {
        // in the order a row's inputs have online: the numbers, transforms included, then the strings
        const inputs: Record<string, InputValue> = {};
        for (const [name, values] of numbers) inputs[name] = Number.isNaN(values[r]!) ? null : values[r]!;
        for (const [name, values] of strings) inputs[name] = values[r]!;
        return inputs;
      },
    };
  }
}

/** A batch of rows scored by `scoreColumns`, column by column. */
export interface ScoredColumns {
  /** 1 for a row left unscored: it lacks a feature of a model that refuses to predict without it */
  refused: Uint8Array;
  /** the inputs each row lacked, in the model's order (one shared empty array for none) */
  missing: ReadonlyArray<readonly string[]>;
  /** each row's prediction; NaN for a row without an answer (refused, or no finite number from the model) */
  prediction: Float64Array;
  /** each row's class (null without an answer or for a regression) */
  label: ReadonlyArray<ClassLabel | null>;
  /** the class probabilities of a row whose answer names them (multi-class, named classes), else null */
  probabilities: ReadonlyArray<Record<string, number> | null>;
  /** a row's inputs by name, transforms included, as an online prediction's (made when asked) */
  inputsOf(row: number): Record<string, InputValue>;
}

const NOTHING_MISSING: readonly string[] = Object.freeze([]);

/**
 * The transforms of every row, each into a column of its own beside the inputs: one record is
 * filled with a row's numbers and handed to the transforms in turn (a later one may read an
 * earlier one's value), as `completeRow` does a row at a time.
 */
function transformColumns(transforms: InferencePlan['transforms'], numbers: Map<string, Float64Array>, rows: number): void {
  if (transforms.length === 0) return;
  const inputs = [...numbers];
  const outputs = transforms.map((t) => {
    const values = new Float64Array(rows);
    numbers.set(t.name, values);
    return values;
  });
  const row: Record<string, number | null> = {};
  for (let r = 0; r < rows; r++) {
    for (const [name, values] of inputs) row[name] = Number.isNaN(values[r]!) ? null : values[r]!;
    transforms.forEach((t, k) => {
      const value = t.evaluate(row);
      row[t.name] = value;
      outputs[k]![r] = value ?? NaN;
    });
  }
}

/** Partitioned models: which partition's model the graph answered the row with (null: the global one). */
function partitionOf(served: ServedModel, s: Scored): { partition?: string | null } {
  const partition = served.detail.signature.partition;
  if (!partition) return {};
  const value = s.inputs[partition.column];
  return { partition: typeof value === 'string' && partition.values.includes(value) ? value : null };
}

/** A row's request values and its transforms, once its online features are in `values`. */
function completeRow(served: ServedModel, features: Record<string, unknown>, values: Record<string, number | null>, missing: string[], where: string): Scored {
  const { plan } = served;
  const strings: Record<string, string | null> = {};
  for (const input of plan.requestInputs) {
    const given = features[input.name];
    const value = requestValue(given, input.dtype);
    // none (absent, null, "") is missing; a value of another type is bad input, not a missing one
    if (value === null && given !== undefined && given !== null && given !== '')
      throw badRequest(`${where}"${input.name}" takes ${input.dtype === 'string' ? 'a string' : 'a number'}; got ${JSON.stringify(given)}`);
    if (input.dtype === 'string') strings[input.name] = value as string | null;
    else values[input.name] = value as number | null;
    if (value === null) missing.push(input.name);
  }
  for (const t of plan.transforms) values[t.name] = t.evaluate(values);
  const noInteger = missing.find((input) => plan.integerColumns.has(input));
  if (noInteger) throw badRequest(`${where}model ${served.detail.model} takes "${noInteger}" as an integer and needs a value for it`);
  // the string values join the numbers once the transforms (which read numbers only) have run:
  // the inputs are `values` itself, not a copy of it (a batch shard makes 50,000 of these)
  const inputs: Record<string, InputValue> = values;
  for (const name in strings) inputs[name] = strings[name]!;
  return { inputs, missing, prediction: NaN, label: null };
}

function predictionEvent(
  model: string,
  version: number,
  alias: string | null,
  s: Scored,
  entities: Record<string, string>,
  at: string,
  predictionId: string,
  latencyMs: number,
  arm: PredictionEvent['arm'],
): PredictionEvent {
  return {
    type: 'prediction',
    schemaVersion: 1,
    predictionId,
    model,
    version,
    alias,
    prediction: s.prediction,
    // multi-class: monitoring judges the class and scores the probabilities
    ...(s.probabilities ? { label: s.label, probabilities: s.probabilities } : {}),
    inputs: s.inputs,
    entities,
    at,
    latencyMs,
    ...(arm ? { arm } : {}),
  };
}

function runRows(served: ServedModel) {
  return (rows: Scored[]) =>
    served.runner.run(
      feedTensors(
        served.plan.feeds,
        rows.map((s) => s.inputs),
      ),
    );
}

function applyOutputs(served: ServedModel, rows: Scored[], out: Record<string, PlainTensor>): void {
  readOutputs(served.plan.outputs, out, rows.length).forEach((o, i) => Object.assign(rows[i]!, o));
}
