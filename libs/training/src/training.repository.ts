import { Injectable } from '@nestjs/common';

import type { SearchTrialResult, TrainingJobEvent, TrainingRequest } from '@atelier/contracts';
import { Prisma, PrismaService } from '@atelier/db';

export type JobRow = Prisma.TrainingJobGetPayload<object>;

/** The process that ran a job, as recorded on the job's start event. */
export interface WorkerIdentity {
  pid: number;
  host: string;
}

/** Owns the `training_jobs` table. */
@Injectable()
export class TrainingRepository {
  constructor(private readonly prisma: PrismaService) {}

  create(request: TrainingRequest): Promise<JobRow> {
    return this.prisma.client.trainingJob.create({
      data: { modelName: request.modelName, modelType: request.modelType, status: 'queued', request: request as unknown as Prisma.InputJsonValue },
    });
  }

  find(id: string): Promise<JobRow | null> {
    return this.prisma.client.trainingJob.findUnique({ where: { id } });
  }

  list(limit: number): Promise<JobRow[]> {
    return this.prisma.client.trainingJob.findMany({ orderBy: { createdAt: 'desc' }, take: limit });
  }

  update(id: string, data: Prisma.TrainingJobUpdateInput): Promise<JobRow> {
    return this.prisma.client.trainingJob.update({ where: { id }, data });
  }

  /** Appends progress events atomically in SQL, so concurrent writers never lose one. */
  async appendEvents(id: string, events: TrainingJobEvent[], progress?: number): Promise<void> {
    const json = JSON.stringify(events);
    if (progress === undefined) {
      await this.prisma.client.$executeRaw`UPDATE training_jobs SET events = events || ${json}::jsonb WHERE id = ${id}::uuid`;
    } else {
      await this.prisma.client.$executeRaw`UPDATE training_jobs SET events = events || ${json}::jsonb, progress = ${progress} WHERE id = ${id}::uuid`;
    }
  }

  async appendTrial(id: string, trial: SearchTrialResult, progress: number): Promise<void> {
    const json = JSON.stringify([trial]);
    await this.prisma.client.$executeRaw`UPDATE training_jobs SET trials = trials || ${json}::jsonb, progress = ${progress} WHERE id = ${id}::uuid`;
  }

  /** Moves a queued job to running; false when it is no longer queued (cancelled, or taken). */
  async claim(id: string): Promise<boolean> {
    const result = await this.prisma.client.trainingJob.updateMany({
      where: { id, status: 'queued' },
      data: { status: 'running', startedAt: new Date(), attempts: { increment: 1 } },
    });
    return result.count === 1;
  }

  /** Takes over a running job whose worker stopped (attempts unchanged since it was read). */
  async reclaim(id: string, attempts: number): Promise<boolean> {
    const result = await this.prisma.client.trainingJob.updateMany({
      where: { id, status: 'running', attempts },
      data: { startedAt: new Date(), progress: 0, attempts: { increment: 1 } },
    });
    return result.count === 1;
  }

  /** Fails the running jobs whose start event names this worker process; returns their ids. */
  async failRunningOn(worker: WorkerIdentity, error: string): Promise<string[]> {
    const started = JSON.stringify([{ worker }]);
    const rows = await this.prisma.client.$queryRaw<Array<{ id: string }>>`SELECT id::text FROM training_jobs WHERE status = 'running' AND events @> ${started}::jsonb`;
    const ids = rows.map((r) => r.id);
    if (ids.length > 0) {
      await this.prisma.client.trainingJob.updateMany({ where: { id: { in: ids }, status: 'running' }, data: { status: 'failed', error, finishedAt: new Date() } });
    }
    return ids;
  }

  /** Sets a final status unless the job was already cancelled. */
  async finish(id: string, status: 'succeeded' | 'failed', data: Prisma.TrainingJobUpdateManyMutationInput): Promise<boolean> {
    const result = await this.prisma.client.trainingJob.updateMany({
      where: { id, status: { notIn: ['cancelled'] } },
      data: { ...data, status, finishedAt: new Date() },
    });
    return result.count === 1;
  }
}
