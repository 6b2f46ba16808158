import { Global, Module } from '@nestjs/common';

import { KafkaService } from './kafka.service';
import { ModelEventsFeed } from './model-events.feed';

@Global()
@Module({ providers: [KafkaService, ModelEventsFeed], exports: [KafkaService, ModelEventsFeed] })
export class KafkaModule {}
