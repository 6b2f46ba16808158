import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';

import { TrainingJobPayload } from '@atelier/contracts';

import { TrainingExecutor } from './training.executor';
import { TRAINING_QUEUE } from './training.queue';

@Processor(TRAINING_QUEUE)
export class TrainingProcessor {
  constructor(private readonly executor: TrainingExecutor) {}

  @Process()
  run(job: Job<unknown>): Promise<void> {
    return this.executor.execute(TrainingJobPayload.parse(job.data).jobId);
  }
}
