import os from 'node:os';

import { Process, Processor } from '@nestjs/bull';
import { Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bull';

import { ModelChoice, TrainingRequest } from '@atelier/contracts';
import { selectRows } from '@atelier/ml';

import { partitionRows } from './partitions';
import { encodeModel, train } from './trainers';
import { TrainingCancellations } from './training.cancellation';
import { TRAINING_TRIALS_QUEUE } from './training.queue';
import { TrainingRepository } from './training.repository';
import { type Prepared, TrainingRunner } from './training.runner';
import { TrialPayload, type TrialResult } from './training-trials';

/**
 * Trains the trials a worker process takes off the queue: the job's request with the trial's
 * model type and parameters, on the job's training slice — built once per job and process (the
 * same point-in-time join the job itself ran), kept for the job's next trials.
 */
/** How long a worker keeps a job's training set after its last trial, for the job's next ones. */
const KEEP_TRAINING_SET_MS = 60_000;

@Injectable()
export class TrialWorker {
  private readonly logger = new Logger('training');
  private readonly worker = { pid: process.pid, host: os.hostname() };
  private cached: { jobId: string; prepared: Promise<Prepared> } | null = null;
  private forget: NodeJS.Timeout | undefined;

  constructor(
    private readonly repository: TrainingRepository,
    private readonly runner: TrainingRunner,
    private readonly cancellations: TrainingCancellations,
  ) {}

  async run(payload: TrialPayload): Promise<TrialResult> {
    const { jobId, trialId } = TrialPayload.parse(payload);
    const job = await this.repository.find(jobId);
    if (job?.status !== 'running') throw new Error(`trial ${trialId} of job ${jobId}: the job is ${job?.status ?? 'gone'}`);
    const request = TrainingRequest.parse(job.request);
    const partition = payload.partition;
    // a partition's model has the job's own type and parameters
    const candidate = partition === undefined ? ({ ...request, ...ModelChoice.parse(payload.choice) } as TrainingRequest) : request;
    const key = partition === undefined ? `${jobId}:${trialId}` : `${jobId}:p${trialId}`;
    const signal = this.cancellations.track(key);
    try {
      const prepared = await this.prepared(jobId, request);
      const { target } = prepared;
      let { train: trainSet, validation } = prepared;
      if (partition !== undefined) {
        const cutoff = Date.parse(request.window.validationStart);
        const rows = partitionRows(prepared.built.partitionValues ?? [], (row) => prepared.built.eventTimes[row]! < cutoff, partition);
        [trainSet, validation] = [selectRows(prepared.built.dataset, rows.train), selectRows(prepared.built.dataset, rows.validation)];
      }
      const trained = await train(candidate, trainSet, validation, { signal }, target);
      this.logger.debug({ msg: 'trial trained', jobId, trialId, modelType: candidate.modelType });
      return { model: encodeModel(trained.model), backend: trained.backend, worker: this.worker };
    } finally {
      this.cancellations.release(key);
      // the training set is let go once no trial has come for a while (the job's search ended)
      clearTimeout(this.forget);
      this.forget = setTimeout(() => (this.cached = null), KEEP_TRAINING_SET_MS).unref();
    }
  }

  private prepared(jobId: string, request: TrainingRequest): Promise<Prepared> {
    if (this.cached?.jobId !== jobId) {
      const prepared = this.runner.prepare(request);
      prepared.catch(() => (this.cached = null)); // a failed build is tried again by the next trial
      this.cached = { jobId, prepared };
    }
    clearTimeout(this.forget); // kept while a trial of it trains
    return this.cached.prepared;
  }
}

@Processor(TRAINING_TRIALS_QUEUE)
export class TrainingTrialProcessor {
  constructor(private readonly worker: TrialWorker) {}

  @Process()
  run(job: Job<TrialPayload>): Promise<TrialResult> {
    return this.worker.run(job.data);
  }
}
