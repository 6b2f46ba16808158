import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';

import { TrainingJobPayload } from '@atelier/contracts';

import { TRAINING_QUEUE, TrainingService } from './training.service';

@Processor(TRAINING_QUEUE)
export class TrainingProcessor {
  constructor(private readonly service: TrainingService) {}

  @Process()
  run(job: Job<unknown>): Promise<void> {
    return this.service.execute(TrainingJobPayload.parse(job.data).jobId);
  }
}
