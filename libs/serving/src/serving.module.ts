import { Module } from '@nestjs/common';

import { InferenceProtocolController } from './inference-protocol.controller';
import { ModelCache } from './model-cache';
import { ModelEventsConsumer } from './model-events.consumer';
import { PredictionService } from './prediction.service';
import { ServingController } from './serving.controller';

@Module({
  controllers: [ServingController, InferenceProtocolController],
  providers: [ModelCache, ModelEventsConsumer, PredictionService],
})
export class ServingModule {}
