import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { Module } from '@nestjs/common';

import { AuthModule } from '@atelier/auth';
import { DbModule } from '@atelier/db';
import { KafkaModule } from '@atelier/kafka';
import { AtelierClient } from '@atelier/sdk';
import { createService, QueueRootModule, ServerModule } from '@atelier/server';

import { freePort, useTestEnvironment } from './test-env';

export interface TestApp {
  app: INestApplication;
  baseUrl: string;
  namespace: string;
  /** an admin key of this app; `client` sends it */
  adminKey: string;
  client: AtelierClient;
  close(): Promise<void>;
}

/**
 * Starts the given domain modules in one Nest app against the real Postgres, Redis and Kafka,
 * on a free port, with a namespace of its own. Every service URL points at this app.
 */
export async function startTestApp(modules: Array<Type | DynamicModule>, env: Record<string, string> = {}): Promise<TestApp> {
  const port = await freePort();
  const { namespace, baseUrl, adminKey } = useTestEnvironment(port, env);

  @Module({ imports: [ServerModule, DbModule, AuthModule, KafkaModule, QueueRootModule, ...modules] })
  class TestRootModule {}

  const app = await createService(TestRootModule, { name: 'test', description: 'test app', defaultPort: port });
  await app.listen(port, '127.0.0.1');
  return {
    app,
    baseUrl,
    namespace,
    adminKey,
    client: new AtelierClient({ baseUrl, apiKey: adminKey }),
    close: () => app.close(),
  };
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 30_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`condition not met within ${timeoutMs} ms${lastError ? `: ${String(lastError)}` : ''}`);
}
