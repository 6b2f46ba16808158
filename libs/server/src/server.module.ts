import { Global, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';

import { ATELIER_CONFIG, loadConfig } from '@atelier/config';

import { AtelierErrorFilter } from './error.filter';
import { HealthController, HealthRegistry } from './health';
import { HttpMetricsInterceptor, MetricsController, MetricsService } from './metrics';
import { RequestIdMiddleware } from './request-id.middleware';

/**
 * What every Atelier service has: parsed config, the error filter, request ids and logs,
 * `/health/live`, `/health/ready` and `/metrics`.
 */
@Global()
@Module({
  controllers: [HealthController, MetricsController],
  providers: [
    { provide: ATELIER_CONFIG, useFactory: () => loadConfig() },
    HealthRegistry,
    MetricsService,
    { provide: APP_FILTER, useClass: AtelierErrorFilter },
    { provide: APP_INTERCEPTOR, useClass: HttpMetricsInterceptor },
  ],
  exports: [ATELIER_CONFIG, HealthRegistry, MetricsService],
})
export class ServerModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequestIdMiddleware).forRoutes('*');
  }
}
