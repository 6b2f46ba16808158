import { Module } from '@nestjs/common';

import { TrainingController } from './training.controller';
import { TrainingQueueModule } from './training.queue';
import { TrainingRepository } from './training.repository';
import { TrainingService } from './training.service';

/** The HTTP side of training: accepts, lists and cancels jobs and puts them on the queue. Trains nothing. */
@Module({
  imports: [TrainingQueueModule],
  controllers: [TrainingController],
  providers: [TrainingRepository, TrainingService],
})
export class TrainingApiModule {}
