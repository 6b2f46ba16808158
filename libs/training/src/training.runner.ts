import { Inject, Injectable, Logger } from '@nestjs/common';

import { ATELIER_CONFIG, type AtelierConfig } from '@atelier/config';
import { type Lineage, type ModelTask, type SearchTrialResult, taskOf, type TrainingJobEvent, type TrainingRequest } from '@atelier/contracts';
import {
  accuracy,
  type Dataset,
  exportOnnx,
  logLoss,
  macroF1,
  mae,
  multiclassAccuracy,
  multiclassLogLoss,
  r2,
  rmse,
  rocAuc,
  timeSplit,
  type TrainingProgress,
} from '@atelier/ml';
import { AtelierClient } from '@atelier/sdk';

import { autoMlAndTrain } from './automl';
import { buildDataset, type BuiltDataset, entityOf, planDataset } from './dataset.builder';
import { evaluationReport } from './evaluation.report';
import { searchAndTrain } from './hyperparameter.search';
import { checkLabels } from './label.check';
import { choosePartitions, noPartitionReason, partitionReport, pickRows, routedPredictions, trainPartitions } from './partitions';
import { outputsOf, train as trainModel, type Trained, type TrainingTarget } from './trainers';
import { trainingBaseline } from './training.baseline';
import { TrainingRepository } from './training.repository';
import { TRAINING_DATA, type TrainingData } from './training-data';
import { TrainingTrials } from './training-trials';

// Progress shares of the whole job: data 0–20 %, training 20–90 %, evaluation + registration after.
const DATA_DONE = 0.2;
const TRAIN_DONE = 0.9;

/** Runs one training job end to end: data → train → evaluate → ONNX → registry. */
@Injectable()
export class TrainingRunner {
  private readonly logger = new Logger('training');
  private readonly client: AtelierClient;
  /** trials of a search queued at once: one per training worker process here (at least one) */
  private readonly trialConcurrency: number;

  constructor(
    private readonly repository: TrainingRepository,
    @Inject(TRAINING_DATA) private readonly data: TrainingData,
    private readonly trials: TrainingTrials,
    @Inject(ATELIER_CONFIG) config: AtelierConfig,
  ) {
    this.client = new AtelierClient({ baseUrl: config.urls.registry, apiKey: config.auth.serviceKey, timeoutMs: config.serviceCallTimeoutMs });
    this.trialConcurrency = Math.max(1, config.trainingWorkers);
  }

  async run(jobId: string, request: TrainingRequest, signal: AbortSignal): Promise<void> {
    const say: Say = (message, progress, extra = {}) =>
      this.repository.appendEvents(jobId, [{ at: new Date().toISOString(), message, ...extra }], progress);

    await say(`building a point-in-time training set from "${request.source.group}"`, 0.02);
    const { plan, built, train, validation, task, target } = await this.prepare(request);
    const classes = task === 'multiclass_classification' ? `, ${target.numClass} classes` : '';
    await say(`training set: ${train.rowCount} training rows, ${validation.rowCount} validation rows (${built.droppedRows} without a label dropped)${classes}`, DATA_DONE);
    signal.throwIfAborted();

    const { trained, params, modelType } = request.automl
      ? await this.autoMl(jobId, request, train, validation, target, signal, say)
      : request.search
        ? { ...(await this.search(jobId, request, train, validation, target, signal)), modelType: request.modelType }
        : {
            trained: await trainModel(request, train, validation, { signal, onProgress: this.epochReporter(say) }, target),
            params: request.params,
            modelType: request.modelType,
          };
    const { model } = trained;
    await this.repository.update(jobId, { backend: trained.backend });
    this.logger.log({ msg: 'trained', jobId, modelType, backend: trained.backend, rows: train.rowCount });

    const cutoff = Date.parse(request.window.validationStart);
    const partitioned = request.partition ? await this.trainPartitions(jobId, request, built, cutoff, target, trained, signal, say) : null;
    const pValid = partitioned?.pValid ?? trained.predict(validation.columns);
    const pTrain = partitioned?.pTrain ?? trained.predict(train.columns);
    const metrics = {
      ...evaluate(task, target.numClass, train.label, pTrain, validation.label, pValid),
      train_rows: train.rowCount,
      validation_rows: validation.rowCount,
    };
    await say(`validation ${Object.entries(metrics).slice(0, 2).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ')}`, 0.93);

    // categorical encoders go inside the graph, so serving feeds raw strings and numbers
    const artifact = exportOnnx(
      model,
      { name: request.modelName, description: request.description, extra: { training_job: jobId } },
      {
        ...(built.encoding ? { encoding: built.encoding } : {}),
        ...(partitioned ? { partition: { column: request.partition!.column, partitions: partitioned.partitions.map((p) => ({ value: p.value, model: p.trained.model })) } } : {}),
      },
    );
    const lineage: Lineage = {
      trainingJobId: jobId,
      source: request.source.group,
      features: built.dataset.features,
      window: request.window,
      params: { ...params, label: request.label, joinKeys: request.joinKeys },
      trainRows: train.rowCount,
      validationRows: validation.rowCount,
      backend: trained.backend,
    };
    signal.throwIfAborted(); // a job cancelled while it was evaluated registers nothing
    const version = await this.client.createVersion(request.modelName, {
      modelType,
      description: request.description,
      metrics,
      signature: {
        inputs: plan.inputs,
        onnxInputs: plan.inputs.map((i) => i.name),
        ...outputsOf(task, target.numClass),
        task,
        missingFeatures: request.missingFeatures,
        ...(partitioned ? { partition: { column: request.partition!.column, values: partitioned.partitions.map((p) => p.value) } } : {}),
      },
      baseline: trainingBaseline(built, cutoff, servedPredictions(task, target.numClass, pTrain)),
      lineage,
      // the curves and explanations are the served predictions'; partitioned models add a row per partition
      evaluation: { ...evaluationReport(task, trained, validation, pValid, target.numClass), ...(partitioned ? { partitions: partitioned.report } : {}) },
      artifactBase64: Buffer.from(artifact).toString('base64'),
      // a job run again (its worker died after registering) gets the version it registered, not a second one
      idempotencyKey: `training-job:${jobId}`,
    });
    await say(`registered ${request.modelName} version ${version.version}`, 1);
    await this.repository.finish(jobId, 'succeeded', { progress: 1, metrics, modelVersion: version.version });
  }

  /** Live progress from epochs, solver iterations or boosting rounds: at most a few writes a second. */
  private epochReporter(say: Say) {
    let lastWrite = 0;
    return ({ epoch, epochs, loss, unit = 'epoch' }: TrainingProgress) => {
      const now = Date.now();
      if (now - lastWrite < 250 && epoch < epochs) return;
      lastWrite = now;
      const progress = DATA_DONE + ((TRAIN_DONE - DATA_DONE) * epoch) / epochs;
      // a solver's iterations stop at convergence, usually well before the cap
      const step = unit === 'iteration' ? `iteration ${epoch} (at most ${epochs})` : `${unit} ${epoch}/${epochs}`;
      void say(`${step}: loss ${loss.toFixed(5)}`, progress, { epoch, loss }).catch(() => undefined);
    };
  }

  /**
   * Partitioned models: one model per chosen value of the partition column, trained after the
   * global one on its rows; the served predictions (each row's partition model, else the
   * global) for the version's metrics, and the per-partition report.
   */
  private async trainPartitions(
    jobId: string,
    request: TrainingRequest,
    built: BuiltDataset,
    cutoff: number,
    target: TrainingTarget,
    global: Trained,
    signal: AbortSignal,
    say: Say,
  ) {
    const { minRows, maxPartitions, column } = request.partition!;
    const values = built.partitionValues!;
    const isTrain = (row: number) => built.eventTimes[row]! < cutoff;
    const chosen = choosePartitions(values, isTrain, minRows, maxPartitions);
    if (chosen.length === 0)
      throw new Error(`${noPartitionReason(column, minRows, values, isTrain)}: lower minRows or partition by another column`);
    await say(
      `partitions by "${column}": ${chosen.length} with at least ${minRows} training rows (${chosen.join(', ')}); the global model answers the rest`,
      TRAIN_DONE,
    );
    const partitions = await trainPartitions(request, built.dataset, values, isTrain, chosen, target, signal, (message) => say(message), {
      trainOne: this.trials.partitionTrainer(jobId),
      concurrency: this.trialConcurrency,
    });
    const task = taskOf(request);
    const perRow = task === 'multiclass_classification' ? target.numClass : 1;
    const globalAll = global.predict(built.dataset.columns);
    const routed = routedPredictions(globalAll, built.dataset, partitions, perRow);
    const rows = Array.from(built.eventTimes.keys());
    const trainRows = rows.filter(isTrain);
    const validationRows = rows.filter((row) => !isTrain(row));
    const validationOnly = (y: Float64Array, p: Float64Array) =>
      Object.fromEntries(Object.entries(evaluate(task, target.numClass, y, p, y, p)).filter(([key]) => !key.startsWith('train_')));
    const labels = built.dataset.label;
    const report = partitionReport(partitions, labels, routed, globalAll, perRow, validationOnly, {
      trainRows: trainRows.length,
      validationRows: validationRows.length,
      metrics: validationOnly(pickRows(labels, validationRows, 1), pickRows(globalAll, validationRows, perRow)),
    });
    for (const p of report.slice(1)) {
      const [key] = Object.keys(p.metrics);
      if (key) await say(`partition ${p.value}: ${p.trainRows} training rows, validation ${key} ${p.metrics[key]!.toFixed(4)} (global model ${p.globalMetrics[key]?.toFixed(4)})`);
    }
    return { partitions, report, pTrain: pickRows(routed, trainRows, perRow), pValid: pickRows(routed, validationRows, perRow) };
  }

  /**
   * The job's training and validation slices, built point-in-time from the feature store; a label
   * the task cannot learn from fails here, before any training. Trial workers build the same.
   */
  async prepare(request: TrainingRequest): Promise<Prepared> {
    const groups = await this.data.featureGroups();
    const plan = planDataset(request, (group) => entityOf(groups, group));
    const set = await this.data.trainingSet(plan.query);
    const built = buildDataset(request, plan, set);
    const { train, validation } = timeSplit(built.dataset, built.eventTimes, Date.parse(request.window.validationStart));
    if (train.rowCount === 0 || validation.rowCount === 0) {
      throw new Error(`the window gives ${train.rowCount} training and ${validation.rowCount} validation rows; both must be non-empty`);
    }
    const task = taskOf(request);
    const target: TrainingTarget = { numClass: checkLabels(task, train.label, validation.label) };
    return { plan, built, train, validation, task, target };
  }

  /** AutoML: each candidate's trial is stored on the job as it happens, then the winner is named. */
  private async autoMl(jobId: string, request: TrainingRequest, train: Dataset, validation: Dataset, target: TrainingTarget, signal: AbortSignal, say: Say) {
    const outcome = await autoMlAndTrain(request, train, validation, taskOf(request), target, {
      signal,
      trainTrial: this.trials.trainer(jobId),
      concurrency: this.trialConcurrency,
      onTrial: this.trialKeeper(jobId, (trial) => `candidate ${trial.id}: ${trial.modelType} ${JSON.stringify(trial.params)}`),
    });
    await say(`AutoML: the best of ${outcome.trials.length} trials is ${outcome.modelType} (score ${outcome.score.toFixed(4)})`);
    return { trained: outcome.trained, params: outcome.params, modelType: outcome.modelType };
  }

  /** Hyper-parameter search: each finished trial is stored on the job as it happens. */
  private async search(jobId: string, request: TrainingRequest, train: Dataset, validation: Dataset, target: TrainingTarget, signal: AbortSignal) {
    const outcome = await searchAndTrain(request, train, validation, taskOf(request), target, {
      signal,
      trainTrial: this.trials.trainer(jobId),
      concurrency: this.trialConcurrency,
      onTrial: this.trialKeeper(jobId, (trial) => `trial ${trial.id} (${JSON.stringify(trial.params)})`),
    });
    return { trained: outcome.trained, params: outcome.params };
  }

  /** Stores each finished trial on the job with an event naming it, and moves the progress on. */
  private trialKeeper(jobId: string, name: (trial: SearchTrialResult) => string) {
    let done = 0;
    return async (trial: SearchTrialResult, planned: number) => {
      done++;
      const progress = DATA_DONE + ((TRAIN_DONE - DATA_DONE) * Math.min(done, planned)) / planned;
      const score = trial.score === null ? trial.status : trial.score.toFixed(4);
      await this.repository.appendTrial(jobId, trial, progress);
      await this.repository.appendEvents(jobId, [{ at: new Date().toISOString(), message: `${name(trial)}: ${score}` }]);
    };
  }
}

type Say = (message: string, progress?: number, extra?: Partial<TrainingJobEvent>) => Promise<void>;

/** What a job trains on: see `TrainingRunner.prepare`. */
export interface Prepared {
  plan: ReturnType<typeof planDataset>;
  built: BuiltDataset;
  train: Dataset;
  validation: Dataset;
  task: ModelTask;
  target: TrainingTarget;
}

/** Validation metrics (and the training score, to see over-fitting) for the model's task. */
function evaluate(task: ModelTask, numClass: number, yTrain: Float64Array, pTrain: Float64Array, yValid: Float64Array, pValid: Float64Array): Record<string, number> {
  switch (task) {
    case 'multiclass_classification':
      return {
        accuracy: multiclassAccuracy(yValid, pValid, numClass),
        log_loss: multiclassLogLoss(yValid, pValid, numClass),
        macro_f1: macroF1(yValid, pValid, numClass),
        train_accuracy: multiclassAccuracy(yTrain, pTrain, numClass),
      };
    case 'binary_classification':
      return {
        auc: rocAuc(yValid, pValid),
        log_loss: logLoss(yValid, pValid),
        accuracy: accuracy(yValid, pValid),
        train_auc: rocAuc(yTrain, pTrain),
        positive_rate: mean(yValid),
      };
    case 'regression':
      return { rmse: rmse(yValid, pValid), mae: mae(yValid, pValid), r2: r2(yValid, pValid), train_rmse: rmse(yTrain, pTrain) };
  }
}

/**
 * The number serving answers as `prediction` for each row, whose distribution is the baseline of
 * prediction drift: the value itself, or for multi-class the probability of the predicted class.
 */
function servedPredictions(task: ModelTask, numClass: number, p: Float64Array): Float64Array {
  if (task !== 'multiclass_classification') return p;
  const top = new Float64Array(p.length / numClass);
  for (let i = 0; i < top.length; i++) top[i] = Math.max(...p.subarray(i * numClass, (i + 1) * numClass));
  return top;
}

function mean(values: Float64Array): number {
  let sum = 0;
  for (const v of values) sum += v;
  return values.length ? sum / values.length : NaN;
}

