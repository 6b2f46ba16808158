import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bull';

import { type TrainingJobPayload, type TrainingJobResponse,TrainingRequest } from '@atelier/contracts';
import { compileExpression, ExpressionError } from '@atelier/ml';
import { badRequest, conflict, notFound } from '@atelier/server';

import { type JobRow,TrainingRepository } from './training.repository';
import { TrainingRunner } from './training.runner';

export const TRAINING_QUEUE = 'training';

/** Training jobs: accepted over HTTP, run by queue workers, observable while they run. */
@Injectable()
export class TrainingService {
  private readonly logger = new Logger('training');
  private readonly running = new Map<string, AbortController>();

  constructor(
    private readonly repository: TrainingRepository,
    private readonly runner: TrainingRunner,
    @InjectQueue(TRAINING_QUEUE) private readonly queue: Queue<TrainingJobPayload>,
  ) {}

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

  async cancel(id: string): Promise<TrainingJobResponse> {
    const job = await this.repository.find(id);
    if (!job) throw notFound(`training job "${id}" does not exist`);
    if (job.status !== 'queued' && job.status !== 'running') throw conflict(`training job "${id}" already ${job.status}`);
    const updated = await this.repository.update(id, { status: 'cancelled', finishedAt: new Date() });
    this.running.get(id)?.abort(new Error('cancelled by request'));
    return toResponse(updated);
  }

  /** Called by the queue worker. Failures are recorded on the job, not thrown back to Bull. */
  async execute(jobId: string): Promise<void> {
    const job = await this.repository.find(jobId);
    if (!job || job.status !== 'queued') return; // cancelled before it started, or a redelivery
    const controller = new AbortController();
    this.running.set(jobId, controller);
    try {
      await this.repository.update(jobId, { status: 'running', startedAt: new Date() });
      await this.runner.run(jobId, TrainingRequest.parse(job.request), controller.signal);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.logger.warn({ msg: 'training failed', jobId, error: message });
      await this.repository.finish(jobId, 'failed', { error: message });
    } finally {
      this.running.delete(jobId);
    }
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
