import { Module } from '@nestjs/common';

import { TrainingController } from './training.controller';
import { TrainingQueueModule } from './training.queue';
import { TrainingRepository } from './training.repository';
import { TrainingService } from './training.service';
import { HTTP_TRAINING_DATA } from './training-data';

/** The HTTP side of training: accepts, lists and cancels jobs and puts them on the queue. Trains nothing. */
@Module({
  imports: [TrainingQueueModule],
  controllers: [TrainingController],
  // previews read the feature store like a job does (over HTTP from the API process)
  providers: [TrainingRepository, TrainingService, HTTP_TRAINING_DATA],
})
export class TrainingApiModule {}
