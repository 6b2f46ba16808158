import { Module } from '@nestjs/common';

import { FeatureStoreRepository } from './feature-store.repository';
import { TrainingSetService } from './training-set.service';

/** Point-in-time training sets alone (no HTTP, no online store, no queues): what a training worker reads in-process. */
@Module({ providers: [FeatureStoreRepository, TrainingSetService], exports: [TrainingSetService] })
export class TrainingSetModule {}
