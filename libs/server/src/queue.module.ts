import { BullModule } from '@nestjs/bull';
import { Global, Module } from '@nestjs/common';

import { ATELIER_CONFIG, type AtelierConfig } from '@atelier/config';

/** Bull's Redis connection, shared by every queue of a process; keys carry the namespace. */
@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [ATELIER_CONFIG],
      useFactory: (config: AtelierConfig) => ({ redis: config.redisUrl, prefix: `${config.namespace}:bull` }),
    }),
  ],
  exports: [BullModule],
})
export class QueueRootModule {}
