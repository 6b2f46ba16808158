import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';
import { z } from 'zod';

import { FeatureStoreService, MATERIALIZATION_QUEUE, type MaterializationJob } from './feature-store.service';

const MaterializationJobPayload = z.object({ runId: z.uuid(), group: z.string(), asOf: z.iso.datetime({ offset: true }) });

@Processor(MATERIALIZATION_QUEUE)
export class MaterializationProcessor {
  constructor(private readonly service: FeatureStoreService) {}

  @Process()
  run(job: Job<MaterializationJob>): Promise<number> {
    return this.service.materialize(MaterializationJobPayload.parse(job.data));
  }
}
