import os from 'node:os';

import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';

import { type TrainingJobEvent, TrainingRequest } from '@atelier/contracts';

import { CancelledByRequest, TrainingCancellations, WorkerStopping } from './training.cancellation';
import { MAX_JOB_ATTEMPTS } from './training.queue';
import { TrainingRepository, type WorkerIdentity } from './training.repository';
import { TrainingRunner } from './training.runner';

/** How long a stopping worker waits for its aborted jobs to record how they ended. */
const STOP_WAIT_MS = 5_000;


/** Runs the jobs the queue hands this process, recording which process ran each. */
@Injectable()
export class TrainingExecutor implements OnModuleDestroy {
  private readonly logger = new Logger('training');
  private readonly worker: WorkerIdentity = { pid: process.pid, host: os.hostname() };
  private readonly executions = new Set<Promise<void>>();
  private readonly running = new Set<string>();

  constructor(
    private readonly repository: TrainingRepository,
    private readonly runner: TrainingRunner,
    private readonly cancellations: TrainingCancellations,
  ) {}

  /** Called by the queue processor. Failures are recorded on the job, not thrown back to Bull. */
  execute(jobId: string): Promise<void> {
    const execution = this.run(jobId).finally(() => this.executions.delete(execution));
    this.executions.add(execution);
    return execution;
  }

  private async run(jobId: string): Promise<void> {
    if (this.running.has(jobId)) return; // handed out again while this process still runs it
    this.running.add(jobId);
    try {
      await this.runOnce(jobId);
    } finally {
      this.running.delete(jobId);
    }
  }

  private async runOnce(jobId: string): Promise<void> {
    const job = await this.repository.find(jobId);
    if (!job || (job.status !== 'queued' && job.status !== 'running')) return; // cancelled, or finished
    // tracked before the claim, so a cancel that comes after the claim finds the job here
    const signal = this.cancellations.track(jobId);
    try {
      if (job.status === 'running') {
        // The queue hands a running job out again only when the worker that had it stopped renewing
        // its lock: it died, with its process (a worker dying alone is failed by its supervisor).
        if (job.attempts >= MAX_JOB_ATTEMPTS) {
          await this.repository.finish(jobId, 'failed', { error: `the worker running the job stopped ${job.attempts} times (its process died); not started again` });
          return;
        }
        if (!(await this.repository.reclaim(jobId, job.attempts))) return;
        await this.event(jobId, `worker ${this.worker.pid} on ${this.worker.host} took the job over: the worker running it stopped (attempt ${job.attempts + 1} of ${MAX_JOB_ATTEMPTS})`);
      } else {
        if (!(await this.repository.claim(jobId))) return;
        await this.event(jobId, `worker ${this.worker.pid} on ${this.worker.host} started the job`);
      }
      await this.runner.run(jobId, TrainingRequest.parse(job.request), signal);
    } catch (error) {
      await this.recordFailure(jobId, error, signal);
    } finally {
      this.cancellations.release(jobId);
    }
  }

  private async recordFailure(jobId: string, error: unknown, signal: AbortSignal): Promise<void> {
    const reason: unknown = signal.aborted ? signal.reason : undefined;
    if (reason instanceof CancelledByRequest) {
      // the job is cancelled already; say that this worker stopped training it
      this.logger.log({ msg: 'training cancelled', jobId });
      await this.event(jobId, `worker ${this.worker.pid} on ${this.worker.host} stopped the job: ${reason.message}`).catch(() => undefined);
      return;
    }
    const message = reason instanceof WorkerStopping ? reason.message : error instanceof Error ? error.message : String(error);
    this.logger.warn({ msg: 'training failed', jobId, error: message });
    await this.repository.finish(jobId, 'failed', { error: message });
  }

  private event(jobId: string, message: string): Promise<void> {
    const event: TrainingJobEvent = { at: new Date().toISOString(), message, worker: this.worker };
    return this.repository.appendEvents(jobId, [event]);
  }

  /** A stopping process aborts its jobs and lets them record it, rather than leave them "running". */
  async onModuleDestroy(): Promise<void> {
    if (this.executions.size === 0) return;
    this.cancellations.abortAll(new WorkerStopping(`training worker ${this.worker.pid} on ${this.worker.host} stopped before the job finished; start it again`));
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, STOP_WAIT_MS).unref());
    await Promise.race([Promise.allSettled([...this.executions]), timeout]);
  }
}
