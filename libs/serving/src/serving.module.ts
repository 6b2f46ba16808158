import { Module } from '@nestjs/common';

import { BatchController } from './batch/batch.controller';
import { BatchProcessor } from './batch/batch.processor';
import { BatchQueueModule } from './batch/batch.queue';
import { BatchRepository } from './batch/batch.repository';
import { BatchShardScorer } from './batch/batch.scorer';
import { BatchJobsService } from './batch/batch.service';
import { HTTP_BATCH_ROWS } from './batch/batch-rows';
import { InferenceProtocolController } from './inference-protocol.controller';
import { InferenceProtocolService } from './inference-protocol.service';
import { ModelCache } from './model-cache';
import { ModelEventsConsumer } from './model-events.consumer';
import { OnlineFeaturesReader } from './online-features.reader';
import { PredictionService } from './prediction.service';
import { PredictionLog } from './prediction-log';
import { ServingController } from './serving.controller';

/** Online prediction, the Open Inference Protocol, and batch scoring jobs (shards off the batch queue). */
@Module({
  imports: [BatchQueueModule],
  controllers: [ServingController, InferenceProtocolController, BatchController],
  providers: [
    InferenceProtocolService,
    ModelCache,
    ModelEventsConsumer,
    OnlineFeaturesReader,
    PredictionLog,
    PredictionService,
    HTTP_BATCH_ROWS,
    BatchRepository,
    BatchJobsService,
    BatchShardScorer,
    BatchProcessor,
  ],
})
export class ServingModule {}
