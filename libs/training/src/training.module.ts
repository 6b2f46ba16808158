import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';

import { TrainingController } from './training.controller';
import { TrainingProcessor } from './training.processor';
import { TrainingRepository } from './training.repository';
import { TrainingRunner } from './training.runner';
import { TRAINING_QUEUE, TrainingService } from './training.service';

@Module({
  imports: [BullModule.registerQueue({ name: TRAINING_QUEUE })],
  controllers: [TrainingController],
  providers: [TrainingRepository, TrainingRunner, TrainingService, TrainingProcessor],
})
export class TrainingModule {}
