import { Global, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';

import { ATELIER_CONFIG, loadConfig } from '@atelier/config';

import { AtelierErrorFilter } from './error.filter';
import { HealthController, HealthRegistry } from './health';
import { MetricsController, MetricsService } from './metrics';

/**
 * What every Atelier service has: parsed config, the error filter, `/health/live`,
 * `/health/ready` and `/metrics`. Request ids, request logs and HTTP metrics are hooks of the
 * HTTP server itself (see `createService`).
 */
@Global()
@Module({
  controllers: [HealthController, MetricsController],
  providers: [{ provide: ATELIER_CONFIG, useFactory: () => loadConfig() }, HealthRegistry, MetricsService, { provide: APP_FILTER, useClass: AtelierErrorFilter }],
  exports: [ATELIER_CONFIG, HealthRegistry, MetricsService],
})
export class ServerModule {}
