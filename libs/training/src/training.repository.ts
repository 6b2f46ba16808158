import { Injectable } from '@nestjs/common';

import type { SearchTrialResult, TrainingJobEvent, TrainingRequest } from '@atelier/contracts';
import { Prisma, PrismaService } from '@atelier/db';

export type JobRow = Prisma.TrainingJobGetPayload<object>;

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

  /** Sets a final status unless the job was already cancelled. */
  async finish(id: string, status: 'succeeded' | 'failed', data: Prisma.TrainingJobUpdateManyMutationInput): Promise<boolean> {
    const result = await this.prisma.client.trainingJob.updateMany({
      where: { id, status: { notIn: ['cancelled'] } },
      data: { ...data, status, finishedAt: new Date() },
    });
    return result.count === 1;
  }
}
