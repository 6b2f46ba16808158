import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { generateKey } from '@atelier/auth';

/** The database of this test run, created and migrated by the vitest global setup. */
export function testDatabaseUrl(): string {
  const url = process.env.ATELIER_TEST_DATABASE_URL;
  if (!url) throw new Error('ATELIER_TEST_DATABASE_URL is not set: run the tests with vitest (its global setup creates the database)');
  return url;
}

/** A short random suffix for names, so test files sharing one database never collide. */
export function uniqueSuffix(): string {
  return randomBytes(4).toString('hex');
}

/**
 * A Kafka (and Bull) namespace of its own for an app under test: `kind`, this run's token and a
 * random suffix. The token (`ATELIER_TEST_RUN`, set by the vitest global setup) is how the run
 * finds its topics to delete when it ends, leaving another run's alone.
 */
export function testNamespace(kind = 'test'): string {
  return `${kind}-${process.env.ATELIER_TEST_RUN ?? 'run'}-${uniqueSuffix()}`;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** One admin key per test process (API keys live in the shared test database). */
export const testAdminKey = generateKey();

/** Headers of a raw `fetch` to a test app: its admin key (and JSON when there is a body). */
export function authHeaders(key = process.env.ATELIER_API_KEY ?? testAdminKey, json = true): Record<string, string> {
  return { authorization: `Bearer ${key}`, ...(json ? { 'content-type': 'application/json' } : {}) };
}

/**
 * Points this process's configuration at the test database, a fresh Kafka/Bull namespace and a
 * temporary artifact directory, with every service URL at `baseUrl` (all modules in one app).
 */
export function useTestEnvironment(port: number, overrides: Record<string, string> = {}): { namespace: string; baseUrl: string; adminKey: string } {
  const namespace = testNamespace();
  const baseUrl = `http://127.0.0.1:${port}`;
  Object.assign(process.env, {
    NODE_ENV: 'test',
    DATABASE_URL: testDatabaseUrl(),
    ATELIER_NAMESPACE: namespace,
    ATELIER_ARTIFACT_DIR: mkdtempSync(path.join(os.tmpdir(), 'atelier-artifacts-')),
    PORT: String(port),
    FEATURE_STORE_URL: baseUrl,
    REGISTRY_URL: baseUrl,
    SERVING_URL: baseUrl,
    MONITORING_URL: baseUrl,
    TRAINING_URL: baseUrl,
    MONITOR_INTERVAL_SECONDS: '0',
    // the test database is shared by many namespaces: no app re-materializes what others made
    ONLINE_STORE_CHECK_SECONDS: '0',
    // nor loads every production model in it at start: each app's models load at first use
    SERVING_PRELOAD: 'none',
    LOG_LEVEL: 'warn',
    // webhooks in tests go to loopback only
    WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
    WEBHOOK_PUBLIC_TARGETS: 'off',
    WEBHOOK_RETRY_MS: '200',
    // the app ensures this admin key at start; clients of the SDK in this process send it
    ATELIER_ADMIN_KEY: testAdminKey,
    ATELIER_API_KEY: testAdminKey,
    ...overrides,
  });
  return { namespace, baseUrl, adminKey: process.env.ATELIER_ADMIN_KEY ?? testAdminKey };
}
