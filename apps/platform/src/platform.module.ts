import { Module, type Provider } from '@nestjs/common';

import { AuthModule } from '@atelier/auth';
import { DbModule } from '@atelier/db';
import { FeatureStoreModule, FeatureStoreService, TrainingSetService } from '@atelier/feature-store';
import { KafkaModule } from '@atelier/kafka';
import { MonitoringModule } from '@atelier/monitoring';
import { RegistryModule } from '@atelier/registry';
import { QueueRootModule, ServerModule } from '@atelier/server';
import { BATCH_ROWS, type BatchRows, ServingModule } from '@atelier/serving';
import { TrainingWorkersModule } from '@atelier/training';

/**
 * Batch jobs read their rows from the feature store's services in this process, as training
 * workers do, rather than as a JSON document per shard over HTTP to itself.
 */
export const IN_PROCESS_BATCH_ROWS: Provider = {
  provide: BATCH_ROWS,
  inject: [FeatureStoreService, TrainingSetService],
  useFactory: (store: FeatureStoreService, sets: TrainingSetService): BatchRows => ({
    group: (name) => store.getGroup(name),
    partition: (group, request) => sets.partition(group, request),
    rows: (request) => sets.build(request),
    lookup: (request) => sets.lookup(request),
  }),
};

/**
 * Every service's modules in one process: the local default. The domains still talk to each
 * other over HTTP, Kafka and queues, so the same code runs split into services; the one
 * exception is batch jobs reading the feature store's rows in-process (above).
 */
@Module({
  imports: [
    ServerModule,
    DbModule,
    AuthModule,
    KafkaModule,
    QueueRootModule,
    FeatureStoreModule,
    TrainingWorkersModule,
    RegistryModule,
    ServingModule.register({ batchRows: IN_PROCESS_BATCH_ROWS, imports: [FeatureStoreModule] }),
    MonitoringModule,
  ],
})
export class PlatformModule {}
