import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';

import { ACCESS_GUARD } from '@atelier/server';

import { AccessGuard } from './access.guard';
import { ApiKeyRepository } from './api-key.repository';
import { ApiKeysService } from './api-keys.service';
import { AuditRecorder } from './audit.recorder';
import { AuditService } from './audit.service';
import { AuthController } from './auth.controller';
import { RateLimiter } from './rate-limiter';

/**
 * API keys, roles and the audit log for a service: import it once in the service's root module
 * (every service and the platform do; `createService` refuses to start without it).
 */
@Global()
@Module({
  controllers: [AuthController],
  providers: [
    ApiKeyRepository,
    ApiKeysService,
    RateLimiter,
    AuditRecorder,
    AuditService,
    AccessGuard,
    { provide: APP_GUARD, useExisting: AccessGuard },
    { provide: ACCESS_GUARD, useExisting: AccessGuard },
  ],
  exports: [ApiKeysService],
})
export class AuthModule {}
