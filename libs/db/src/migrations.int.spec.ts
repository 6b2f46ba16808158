import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { applyMigrations, MigrationError } from './migrations';

/** A scratch database of the real PostgreSQL for the describe block that calls it (created before its tests, dropped after), and a query helper. */
function scratchDatabase() {
  const admin = process.env.DATABASE_URL ?? 'postgresql://atelier:atelier@127.0.0.1:5432/atelier';
  const name = `atelier_migrations_${randomBytes(4).toString('hex')}`;
  const url = Object.assign(new URL(admin), { pathname: `/${name}` }).toString();
  const sql = async (connection: string, query: string) => {
    const client = new Client({ connectionString: connection });
    await client.connect();
    try {
      return (await client.query(query)).rows;
    } finally {
      await client.end();
    }
  };

  beforeAll(() => sql(admin, `CREATE DATABASE ${name}`));
  afterAll(() => sql(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  return { url, sql };
}

describe('migration runner', () => {
  const { url, sql } = scratchDatabase();

  it('applies every migration once and records it in Prisma\'s bookkeeping table', async () => {
    const first = await applyMigrations(url, path.resolve('prisma/migrations'));
    expect(first.applied.length).toBeGreaterThan(0);
    const second = await applyMigrations(url, path.resolve('prisma/migrations'));
    expect(second).toEqual({ applied: [], alreadyApplied: first.applied });
    const rows = await sql(url, 'SELECT migration_name, finished_at, applied_steps_count, checksum FROM "_prisma_migrations" ORDER BY migration_name');
    expect(rows.map((r) => r.migration_name)).toEqual(first.applied);
    expect(rows.every((r) => r.finished_at !== null && r.applied_steps_count === 1 && /^[0-9a-f]{64}$/.test(r.checksum))).toBe(true);
    expect(await sql(url, "SELECT to_regclass('public.feature_rows') AS t")).toEqual([{ t: 'feature_rows' }]);
  });

  it('refuses a migration that was edited after it was applied', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'atelier-migrations-'));
    cpSync('prisma/migrations', dir, { recursive: true });
    const [firstName] = (await applyMigrations(url, dir)).alreadyApplied;
    const file = path.join(dir, firstName!, 'migration.sql');
    writeFileSync(file, readFileSync(file, 'utf8') + '\n-- edited\n');
    await expect(applyMigrations(url, dir)).rejects.toThrow(MigrationError);
    await expect(applyMigrations(url, dir)).rejects.toThrow(/was edited after it was applied/);
  });
});

describe('migration monitor_names_unique', () => {
  const { url, sql } = scratchDatabase();

  it("renames a model's monitors that share a name, oldest first keeping it, before names become unique", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'atelier-migrations-'));
    cpSync('prisma/migrations', dir, { recursive: true });
    const unique = readdirSync(dir).find((d) => d.endsWith('_monitor_names_unique'))!;
    rmSync(path.join(dir, unique), { recursive: true });
    await applyMigrations(url, dir); // the database as it was before
    await sql(
      url,
      `INSERT INTO monitors (id, name, model_name, metric, operator, threshold, window_seconds, min_samples, created_at) VALUES
         (gen_random_uuid(), 'watch', 'a', 'accuracy', 'lt', 0.5, 3600, 10, '2026-01-01'),
         (gen_random_uuid(), 'watch', 'a', 'auc', 'lt', 0.5, 3600, 10, '2026-01-02'),
         (gen_random_uuid(), 'watch', 'a', 'log_loss', 'gt', 1, 3600, 10, '2026-01-03'),
         (gen_random_uuid(), 'watch', 'b', 'accuracy', 'lt', 0.5, 3600, 10, '2026-01-01')`,
    );
    expect((await applyMigrations(url, path.resolve('prisma/migrations'))).applied).toContain(unique);
    expect(await sql(url, 'SELECT model_name, metric, name FROM monitors ORDER BY model_name, created_at')).toEqual([
      { model_name: 'a', metric: 'accuracy', name: 'watch' },
      { model_name: 'a', metric: 'auc', name: 'watch (2)' },
      { model_name: 'a', metric: 'log_loss', name: 'watch (3)' },
      { model_name: 'b', metric: 'accuracy', name: 'watch' },
    ]);
    rmSync(dir, { recursive: true });
  });
});

describe('npm run db:check', () => {
  const check = (args: string[]) => {
    try {
      return { code: 0, output: execFileSync('node', ['-r', '@swc-node/register', 'libs/db/src/cli/check-migrations.ts', ...args], { encoding: 'utf8', stdio: 'pipe' }) };
    } catch (error) {
      const e = error as { status: number; stderr: string; stdout: string };
      return { code: e.status, output: e.stdout + e.stderr };
    }
  };

  it('passes when the migrations match the schema', () => {
    expect(check([])).toMatchObject({ code: 0, output: expect.stringMatching(/migrations match/) });
  }, 60_000);

  it('fails when the schema changed without a migration, and says which SQL is missing', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'atelier-schema-'));
    const schema = path.join(dir, 'schema.prisma');
    writeFileSync(schema, readFileSync('prisma/schema.prisma', 'utf8').replace('model Entity {', 'model Entity {\n  owner String?'));
    const result = check(['--schema', schema]);
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/no migration contains/);
    expect(result.output).toMatch(/ALTER TABLE "entities" ADD COLUMN\s+"owner" TEXT/);
  }, 60_000);
});
