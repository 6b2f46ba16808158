import { Client } from 'pg';

import { applyMigrations, MIGRATIONS_DIR } from '@atelier/db';

import { deleteRunTopics } from './kafka-cleanup';
import { uniqueSuffix } from './test-env';

/**
 * vitest global setup: a database of this run's own (so two runs on one machine never share
 * one), with every migration applied, and a token every Kafka namespace of the run holds
 * (`testNamespace`); when the run ends, the database is dropped and the run's topics deleted.
 * The infrastructure itself is started by `npm test` (deploy/local/up.sh) before vitest runs.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const run = uniqueSuffix();
  process.env.ATELIER_TEST_RUN = run;
  const { url, drop } = await createMigratedDatabase(process.env.DATABASE_URL ?? 'postgresql://atelier:atelier@127.0.0.1:5432/atelier');
  process.env.ATELIER_TEST_DATABASE_URL = url;
  return async () => {
    await deleteRunTopics(run);
    await drop();
  };
}

/**
 * A new database beside the one `serverUrl` names, with every migration applied, and how to drop
 * it. Also for a spec that must not see the rows other specs write at the same time.
 */
export async function createMigratedDatabase(serverUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const database = await createDatabase(serverUrl);
  await applyMigrations(database.url, MIGRATIONS_DIR);
  return database;
}

/** A new, empty database beside the one `serverUrl` names, and how to drop it. */
export async function createDatabase(serverUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `atelier_test_${uniqueSuffix()}`;
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  await admin(serverUrl, `CREATE DATABASE ${name}`);
  return { url: url.toString(), drop: () => dropDatabase(serverUrl, name) };
}

/**
 * Drops a database and the connections to it. An autovacuum worker busy in it is a superuser's
 * process, which FORCE may not end for a plain role (insufficient_privilege): it finishes soon,
 * so the drop is tried again for up to 30 s.
 */
async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await admin(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } catch (error) {
      if ((error as { code?: string }).code !== '42501' || attempt >= 30) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

async function admin(url: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
