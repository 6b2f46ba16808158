import { Module } from '@nestjs/common';

import { InferenceProtocolController } from './inference-protocol.controller';
import { InferenceProtocolService } from './inference-protocol.service';
import { ModelCache } from './model-cache';
import { ModelEventsConsumer } from './model-events.consumer';
import { OnlineFeaturesReader } from './online-features.reader';
import { PredictionService } from './prediction.service';
import { PredictionLog } from './prediction-log';
import { ServingController } from './serving.controller';

@Module({
  controllers: [ServingController, InferenceProtocolController],
  providers: [InferenceProtocolService, ModelCache, ModelEventsConsumer, OnlineFeaturesReader, PredictionLog, PredictionService],
})
export class ServingModule {}
