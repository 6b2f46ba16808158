import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import { z } from 'zod';

import type { TrialTrainer } from './hyperparameter.search';
import type { PartitionTrainer } from './partitions';
import { decodeModel, restoreTrained, type Trained } from './trainers';
import { TRAINING_TRIALS_QUEUE } from './training.queue';
import { TrainingRepository } from './training.repository';

/** One trial of a job's search (or AutoML): the model type and parameters to train with. */
export const TrialPayload = z.object({
  jobId: z.string().uuid(),
  trialId: z.number().int().min(0),
  choice: z.unknown(),
  /** a partitioned model's partition: trained on that value's rows only */
  partition: z.string().optional(),
});
export type TrialPayload = z.infer<typeof TrialPayload>;

/** What a trial job answers: the trained model (JSON that keeps non-finite numbers) and who trained it. */
export interface TrialResult {
  model: string;
  backend: string;
  worker: { pid: number; host: string };
}

/**
 * The trials of a search as jobs on the trials queue, so every training worker process — here or
 * on other machines — takes a share: the job running the search queues each trial and waits for
 * its model, scoring it itself on the validation rows it holds. A trial's id is its job's, so a
 * search run again (its worker died) finds the trials already trained.
 */
@Injectable()
export class TrainingTrials {
  constructor(
    @InjectQueue(TRAINING_TRIALS_QUEUE) private readonly queue: Queue<TrialPayload>,
    private readonly repository: TrainingRepository,
  ) {}

  /** Trains a job's trials on the queue; each finished one is named on the job with its worker. */
  trainer(jobId: string): TrialTrainer {
    return (candidate, trialId, signal) =>
      this.trainOnQueue(
        { jobId, trialId, choice: { modelType: candidate.modelType, params: candidate.params } },
        `${jobId}:${trialId}`,
        `trial ${trialId}`,
        signal,
      );
  }

  /**
   * Trains a partitioned job's partition models on the queue, with the job's own model type and
   * parameters; the worker picks the value's rows of the job's training set itself.
   */
  partitionTrainer(jobId: string): PartitionTrainer {
    return (value, index, _trainSet, _validation, signal) =>
      this.trainOnQueue({ jobId, trialId: index, choice: null, partition: value }, `${jobId}:p${index}`, `partition ${value}`, signal);
  }

  private async trainOnQueue(payload: TrialPayload, id: string, name: string, signal: AbortSignal): Promise<Trained> {
    signal.throwIfAborted();
    const job = await this.queue.add(payload, { jobId: id, attempts: 1 });
    const forget = () => void job.remove().catch(() => undefined); // waiting work of a cancelled job
    signal.addEventListener('abort', forget, { once: true });
    try {
      const result = (await job.finished()) as TrialResult;
      await this.repository.appendEvents(payload.jobId, [
        { at: new Date().toISOString(), message: `${name} trained by worker ${result.worker.pid} on ${result.worker.host}`, worker: result.worker },
      ]);
      return restoreTrained(decodeModel(result.model), result.backend);
    } finally {
      signal.removeEventListener('abort', forget);
      await job.remove().catch(() => undefined);
    }
  }
}
