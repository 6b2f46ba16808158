import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';

import { FeatureGroupCache } from './feature-group.cache';
import { FeatureRowsConsumer } from './feature-rows.consumer';
import { FeatureStoreController } from './feature-store.controller';
import { FeatureStoreRepository } from './feature-store.repository';
import { FeatureStoreService, MATERIALIZATION_QUEUE } from './feature-store.service';
import { MaterializationProcessor } from './materialization.processor';
import { OnlineFeaturesService } from './online-features.service';
import { OnlineStore } from './online-store';
import { OnlineStoreWatch } from './online-store.watch';
import { TrainingSetService } from './training-set.service';
import { WindowAggregationService } from './window-aggregation.service';

@Module({
  imports: [BullModule.registerQueue({ name: MATERIALIZATION_QUEUE })],
  controllers: [FeatureStoreController],
  providers: [
    FeatureGroupCache,
    FeatureRowsConsumer,
    FeatureStoreRepository,
    FeatureStoreService,
    OnlineFeaturesService,
    OnlineStore,
    OnlineStoreWatch,
    TrainingSetService,
    MaterializationProcessor,
    WindowAggregationService,
  ],
  // what a process that also serves reads in-process: groups, and point-in-time rows for batch jobs
  exports: [FeatureStoreService, TrainingSetService],
})
export class FeatureStoreModule {}
