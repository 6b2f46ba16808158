import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bull';

import { ATELIER_CONFIG, type AtelierConfig } from '@atelier/config';
import { type TrainingJobPayload, type TrainingJobResponse, type TrainingPreviewResponse, TrainingRequest } from '@atelier/contracts';
import { compileExpression, ExpressionError } from '@atelier/ml';
import { AtelierApiError } from '@atelier/sdk';
import { badRequest, conflict, dependencyUnavailable, notFound } from '@atelier/server';

import { previewTraining } from './training.preview';
import { TRAINING_QUEUE, trainingCancelChannel } from './training.queue';
import { type JobRow, TrainingRepository } from './training.repository';
import { TRAINING_DATA, type TrainingData } from './training-data';

/** Training jobs: accepted over HTTP, run by queue workers (other processes), observable while they run. */
@Injectable()
export class TrainingService {
  private readonly logger = new Logger('training');

  constructor(
    private readonly repository: TrainingRepository,
    @InjectQueue(TRAINING_QUEUE) private readonly queue: Queue<TrainingJobPayload>,
    @Inject(ATELIER_CONFIG) private readonly config: AtelierConfig,
    @Inject(TRAINING_DATA) private readonly data: TrainingData,
  ) {}

  /** What the request would train on (label rows, label balance, coverage, sample rows), without a job. */
  async preview(request: TrainingRequest): Promise<TrainingPreviewResponse> {
    assertExpressions(request);
    try {
      return await previewTraining(request, this.data);
    } catch (error) {
      if (!(error instanceof AtelierApiError)) throw error;
      // the feature store's refusal of the query is the request's problem; anything else is its outage
      if (error.status === 404) throw notFound(error.body.message);
      if (error.status >= 400 && error.status < 500) throw badRequest(error.body.message);
      throw dependencyUnavailable(`the feature store could not be reached: ${error.message}`);
    }
  }

  async start(request: TrainingRequest): Promise<TrainingJobResponse> {
    assertExpressions(request);
    const job = await this.repository.create(request);
    await this.queue.add({ jobId: job.id }, { jobId: job.id, removeOnComplete: true, removeOnFail: 100 });
    return toResponse(job);
  }

  async get(id: string): Promise<TrainingJobResponse> {
    const job = await this.repository.find(id);
    if (!job) throw notFound(`training job "${id}" does not exist`);
    return toResponse(job);
  }

  async list(): Promise<TrainingJobResponse[]> {
    return (await this.repository.list(50)).map(toResponse);
  }

  /**
   * The status is the truth: a queued job that is cancelled never starts. A running one is
   * stopped by its worker, which hears the announcement (or reads the status after a reconnect).
   */
  async cancel(id: string): Promise<TrainingJobResponse> {
    const job = await this.repository.find(id);
    if (!job) throw notFound(`training job "${id}" does not exist`);
    if (job.status !== 'queued' && job.status !== 'running') throw conflict(`training job "${id}" already ${job.status}`);
    const updated = await this.repository.update(id, { status: 'cancelled', finishedAt: new Date() });
    // the queue's own Redis connection; a lost announcement is caught up by the workers' recheck
    await this.queue.client.publish(trainingCancelChannel(this.config.namespace), id).catch((error: unknown) => {
      this.logger.warn({ msg: 'could not announce a cancelled training job', jobId: id, error: String(error) });
    });
    return toResponse(updated);
  }
}

function assertExpressions(request: TrainingRequest): void {
  const check = (what: string, source: string) => {
    try {
      compileExpression(source);
    } catch (error) {
      if (error instanceof ExpressionError) throw badRequest(`${what}: ${error.message}`, { position: error.position });
      throw error;
    }
  };
  check('label', request.label);
  for (const t of request.transforms) check(`transform "${t.name}"`, t.expression);
}

function toResponse(job: JobRow): TrainingJobResponse {
  return {
    id: job.id,
    modelName: job.modelName,
    modelType: job.modelType as TrainingJobResponse['modelType'],
    status: job.status as TrainingJobResponse['status'],
    progress: job.progress,
    request: job.request as unknown as TrainingJobResponse['request'],
    events: job.events as unknown as TrainingJobResponse['events'],
    trials: job.trials as unknown as TrainingJobResponse['trials'],
    backend: job.backend,
    metrics: job.metrics as TrainingJobResponse['metrics'],
    modelVersion: job.modelVersion,
    error: job.error,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
  };
}
