import path from 'node:path';

import { Client } from 'pg';

import { applyMigrations } from '@atelier/db';

import { testDatabaseUrl } from './test-env';

/**
 * vitest global setup: recreates the test database and applies every migration, once per run.
 * The infrastructure itself is started by `npm test` (deploy/local/up.sh) before vitest runs.
 */
export default async function setup(): Promise<void> {
  const testUrl = testDatabaseUrl();
  const admin = new Client({ connectionString: process.env.DATABASE_URL ?? 'postgresql://atelier:atelier@127.0.0.1:5432/atelier' });
  await admin.connect();
  try {
    await admin.query('DROP DATABASE IF EXISTS atelier_test WITH (FORCE)');
    await admin.query('CREATE DATABASE atelier_test');
  } finally {
    await admin.end();
  }
  await applyMigrations(testUrl, path.resolve('prisma/migrations'));
}
