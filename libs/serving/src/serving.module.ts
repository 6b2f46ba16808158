import { type DynamicModule, Module, type ModuleMetadata, type Provider } from '@nestjs/common';

import { ATELIER_CONFIG, type AtelierConfig } from '@atelier/config';

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
import { ModelPreloader } from './model-preloader';
import { OnlineFeaturesReader } from './online-features.reader';
import { PredictionService } from './prediction.service';
import { PredictionLog } from './prediction-log';
import { ServingController } from './serving.controller';

/**
 * Online prediction, the Open Inference Protocol, and batch scoring jobs (shards off the batch
 * queue). Imported as it is, batch jobs read their rows from the feature store over HTTP
 * (`HTTP_BATCH_ROWS`); `register` puts another `BATCH_ROWS` in its place.
 */
@Module({
  imports: [BatchQueueModule],
  controllers: [ServingController, InferenceProtocolController, BatchController],
  providers: [
    InferenceProtocolService,
    ModelCache,
    ModelEventsConsumer,
    ModelPreloader,
    OnlineFeaturesReader,
    PredictionLog,
    PredictionService,
    HTTP_BATCH_ROWS,
    BatchRepository,
    BatchJobsService,
    BatchShardScorer,
    {
      // @nestjs/bull runs the processor a factory returns. The platform's background process
      // (BACKGROUND_PROCESS=separate) returns none: niced, it would hold its shard while the
      // serving processes finish theirs, and it loads the job's model cold (it preloads none).
      provide: BatchProcessor,
      inject: [ATELIER_CONFIG, BatchShardScorer, BatchRepository],
      useFactory: (config: AtelierConfig, scorer: BatchShardScorer, repository: BatchRepository) =>
        config.processRole === 'background' ? null : new BatchProcessor(scorer, repository),
    },
  ],
})
export class ServingModule {
  /**
   * `batchRows`: where batch jobs read their rows — in a process that also holds the feature
   * store, its services in-process, without a JSON document per shard; `imports`: the modules
   * that provider needs.
   */
  static register(options: { batchRows: Provider; imports?: ModuleMetadata['imports'] }): DynamicModule {
    // added after the class's own providers: this BATCH_ROWS replaces HTTP_BATCH_ROWS
    return { module: ServingModule, imports: options.imports ?? [], providers: [options.batchRows] };
  }
}
