import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { generateKey } from '@atelier/auth';
import { AtelierClient } from '@atelier/sdk';
import {
  childrenOf,
  DISTANCE_MODEL,
  eventually,
  existsProcess,
  freePort,
  registerLogisticModel,
  spawnedPlatformEnv,
  testDatabaseUrl,
  testNamespace,
  uniqueSuffix,
} from '@atelier/testing';

/** The processes a process started, and the role and count the cluster gave each (ATELIER_PROCESS_ROLE, _COUNT). */
function rolesOfChildren(pid: number): Array<{ pid: number; role: string | undefined; count: string | undefined }> {
  return childrenOf(pid).map((child) => {
    const env = readFileSync(`/proc/${child}/environ`, 'utf8').split('\0');
    const variable = (name: string) => env.find((v) => v.startsWith(`${name}=`))?.split('=')[1];
    return { pid: child, role: variable('ATELIER_PROCESS_ROLE'), count: variable('ATELIER_PROCESS_COUNT') };
  });
}

describe('the platform as several processes (SERVING_PROCESSES=2, BACKGROUND_PROCESS=separate by default)', () => {
  const s = uniqueSuffix();
  const key = generateKey();
  const model = `processes-${s}`;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'atelier-processes-'));
  let platform: ChildProcess;
  let output = '';
  let url = '';
  let client: AtelierClient;

  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    platform = spawn('node', ['-r', '@swc-node/register', 'apps/platform/src/main.ts'], {
      env: spawnedPlatformEnv(port, tmp, key, testNamespace('processes'), {
        SERVING_PROCESSES: '2',
        LOG_LEVEL: 'info',
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    platform.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    platform.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    await eventually(
      async () => {
        if (platform.exitCode !== null) throw new Error(`the platform exited (${platform.exitCode}): ${output}`);
        const ready = (await fetch(`${url}/health/ready`).catch(() => undefined))?.ok;
        return ready && output.includes('running background work') ? true : undefined;
      },
      120_000,
      300,
    );
    client = new AtelierClient({ baseUrl: url, apiKey: key });
  }, 150_000);

  afterAll(async () => {
    if (platform.exitCode === null && platform.pid) {
      for (const child of rolesOfChildren(platform.pid)) process.kill(child.pid, 'SIGKILL');
      platform.kill('SIGKILL');
    }
    rmSync(tmp, { recursive: true, force: true });
  });

  it('runs the background work in a process of its own at nice 10 that answers no request, beside two that serve', () => {
    const children = rolesOfChildren(platform.pid!);
    expect(children.map((c) => c.role).sort()).toEqual(['background', 'serve', 'serve']);
    // process 0 adopts the spools of indexes 3 and above (spoolsBeyond)
    expect(children.map((c) => c.count)).toEqual(['3', '3', '3']);
    const background = children.find((c) => c.role === 'background')!;
    expect(os.getPriority(background.pid)).toBe(10);
    for (const serving of children.filter((c) => c.role === 'serve')) expect(os.getPriority(serving.pid)).toBe(0);
    expect(output).toContain(`"msg":"running background work; answers no request","pid":${background.pid},"nice":10`);
    expect(output.match(/"msg":"listening"/g)).toHaveLength(2);
  });

  it('stores in monitoring what a serving process answered: the consumer runs in the background process', async () => {
    await registerLogisticModel(client, model, DISTANCE_MODEL, [{ name: 'distance', source: 'request', dtype: 'float' }]);
    await client.setAlias(model, 'production', 1);
    const answer = await client.predict({ model, features: { distance: 500 } });
    const db = new Client({ connectionString: testDatabaseUrl() });
    await db.connect();
    try {
      const stored = await eventually(async () => {
        const { rows } = await db.query('SELECT count(*)::int AS n FROM monitored_predictions WHERE prediction_id = $1', [
          answer.predictionId,
        ]);
        return rows[0].n === 1 ? true : undefined;
      }, 60_000);
      expect(stored).toBe(true);
    } finally {
      await db.end();
    }
  }, 90_000);

  it('scores batch shards in the serving processes only: the niced background process takes none', async () => {
    // the model registered by the case before; 1,200 rows in shards of 100
    const csv = ['distance', ...Array.from({ length: 1_200 }, (_, i) => String(100 + i))].join('\n');
    const job = await client.uploadBatchJob(new Blob([csv], { type: 'text/csv' }), 'rows.csv', { model, shardRows: 100 });
    const done = await eventually(async () => {
      const now = await client.getBatchJob(job.id);
      return now.status === 'succeeded' || now.status === 'failed' ? now : undefined;
    }, 60_000);
    expect(done).toMatchObject({ status: 'succeeded', shards: { total: 12, done: 12 }, rows: { scored: 1_200 } });
    // each shard's log line names the process that scored it (info lines are flushed within a second)
    const scoredBy = await eventually(async () => {
      const pids = [...output.matchAll(/"msg":"batch shard scored","pid":(\d+),"jobId":"([^"]+)"/g)]
        .filter((m) => m[2] === job.id)
        .map((m) => Number(m[1]));
      return pids.length === 12 ? pids : undefined;
    }, 10_000);
    const serving = rolesOfChildren(platform.pid!)
      .filter((c) => c.role === 'serve')
      .map((c) => c.pid);
    expect(scoredBy.every((pid) => serving.includes(pid))).toBe(true);
  }, 90_000);

  it('answers readiness for the background work too: down while its process is gone, up once the cluster started it again', async () => {
    const ready = async () => {
      const response = await fetch(`${url}/health/ready`);
      return { status: response.status, body: (await response.json()) as { checks: Record<string, { status: string; error?: string }> } };
    };
    expect((await ready()).body.checks.background).toEqual({ status: 'up' });
    const before = rolesOfChildren(platform.pid!).find((c) => c.role === 'background')!;
    process.kill(before.pid, 'SIGKILL');
    const down = await eventually(
      async () => {
        const answer = await ready();
        return answer.status === 503 ? answer : undefined;
      },
      10_000,
      50,
    );
    expect(down.body.checks.background).toMatchObject({ status: 'down' });
    await eventually(async () => ((await ready()).status === 200 ? true : undefined), 60_000, 300);
    const after = rolesOfChildren(platform.pid!).find((c) => c.role === 'background')!;
    expect(after.pid).not.toBe(before.pid);
    expect(os.getPriority(after.pid)).toBe(10);
  }, 90_000);

  it('stops every process, the background one too, on SIGTERM', async () => {
    const children = rolesOfChildren(platform.pid!);
    const exited = new Promise<number | null>((resolve) => platform.once('exit', (code) => resolve(code)));
    platform.kill('SIGTERM');
    expect(await exited).toBe(0);
    await eventually(async () => (children.every((c) => !existsProcess(c.pid)) ? true : undefined), 15_000);
    expect(output).not.toMatch(/"msg":"stop failed"/);
  }, 30_000);
});
