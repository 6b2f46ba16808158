import { Controller, Get, HttpCode, Injectable, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

import type { HealthStatus } from '@atelier/contracts';

import { Access } from './access';

export type HealthCheck = () => Promise<void>;

/** Modules register what readiness depends on (Postgres, Redis, Kafka) as they start. */
@Injectable()
export class HealthRegistry {
  private readonly checks = new Map<string, HealthCheck>();

  register(name: string, check: HealthCheck): void {
    this.checks.set(name, check);
  }

  /** From now on readiness fails: the process is stopping (see `startService`). */
  stop(): void {
    this.register('shutdown', async () => {
      throw new Error('stopping: finishing the requests under way');
    });
  }

  async run(timeoutMs = 2000): Promise<HealthStatus> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        try {
          await withTimeout(check(), timeoutMs);
          return [name, { status: 'up' as const }] as const;
        } catch (error) {
          return [name, { status: 'down' as const, error: error instanceof Error ? error.message : String(error) }] as const;
        }
      }),
    );
    const checks = Object.fromEntries(entries);
    const ok = entries.every(([, c]) => c.status === 'up');
    return { status: ok ? 'ok' : 'error', checks };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e: unknown) => (clearTimeout(timer), reject(e instanceof Error ? e : new Error(String(e)))),
    );
  });
}

@ApiExcludeController()
@Access('public')
@Controller('health')
export class HealthController {
  constructor(private readonly registry: HealthRegistry) {}

  @Get('live')
  @HttpCode(200)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res({ passthrough: true }) response: FastifyReply): Promise<HealthStatus> {
    const result = await this.registry.run();
    void response.status(result.status === 'ok' ? 200 : 503);
    return result;
  }
}
