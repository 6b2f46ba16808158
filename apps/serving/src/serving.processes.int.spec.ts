import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { FeatureStoreModule } from '@atelier/feature-store';
import { sigmoid } from '@atelier/ml';
import { RegistryModule } from '@atelier/registry';
import {
  authHeaders,
  childrenOf,
  DISTANCE_MODEL,
  eventually,
  existsProcess,
  freePort,
  registerLogisticModel,
  startServingProcess,
  startTestApp,
  type TestApp,
  uniqueSuffix,
} from '@atelier/testing';

/** The inodes of the TCP connections accepted on `port` from these client ports (established), from /proc/net/tcp. */
function acceptedSockets(port: number, clientPorts: Set<number>): Set<string> {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10) continue;
      const local = parseInt(fields[1]!.split(':').at(-1)!, 16);
      const remote = parseInt(fields[2]!.split(':').at(-1)!, 16);
      if (local === port && clientPorts.has(remote) && fields[3] === '01') inodes.add(fields[9]!);
    }
  }
  return inodes;
}

/** The local ports of an agent's open connections. */
function portsOf(agent: http.Agent): Set<number> {
  const sockets = [...Object.values(agent.sockets), ...Object.values(agent.freeSockets)].flat();
  return new Set(sockets.flatMap((socket) => (socket?.localPort ? [socket.localPort] : [])));
}

/** How many of `sockets` each process holds open. */
function socketsHeld(pids: number[], sockets: Set<string>): number[] {
  return pids.map((pid) => {
    let held = 0;
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      return 0; // ended meanwhile
    }
    for (const fd of fds) {
      try {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        if (target.startsWith('socket:[') && sockets.has(target.slice(8, -1))) held++;
      } catch {
        // closed meanwhile
      }
    }
    return held;
  });
}

/**
 * Serving as several processes on one machine (`SERVING_PROCESSES`), the real service started as
 * a user would (apps/serving/src/main.ts), beside a feature store and a registry in this test's
 * process: every process answers on the one port, `/metrics` of any one counts for all, a process
 * that dies is started again while the others answer, and SIGTERM stops them all.
 */
describe('serving in several processes (integration)', () => {
  const s = uniqueSuffix();
  const model = `processes-${s}`;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'atelier-processes-'));
  let registry: TestApp;
  let serving: ChildProcess;
  let port: number;
  let url: string;
  let output: () => string;

  const predict = async (distance: number, agent?: http.Agent): Promise<{ status: number; prediction?: number }> =>
    new Promise((resolve, reject) => {
      const body = JSON.stringify({ model, features: { distance } });
      const request = http.request(
        `${url}/api/predict`,
        {
          method: 'POST',
          agent: agent ?? false,
          headers: { ...authHeaders(), 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (response) => {
          let text = '';
          response.on('data', (d: Buffer) => (text += d.toString()));
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, prediction: (JSON.parse(text) as { prediction?: number }).prediction }),
          );
        },
      );
      request.on('error', reject);
      request.setTimeout(5_000, () => request.destroy(new Error('no answer within 5 s')));
      request.end(body);
    });
  const expected = (distance: number) =>
    sigmoid(DISTANCE_MODEL.bias + DISTANCE_MODEL.weights[0]! * ((distance - DISTANCE_MODEL.means[0]!) / DISTANCE_MODEL.scales[0]!));

  beforeAll(async () => {
    registry = await startTestApp([FeatureStoreModule, RegistryModule]);
    await registerLogisticModel(registry.client, model);
    await registry.client.setAlias(model, 'production', 1);
    port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const started = await startServingProcess(port, { SERVING_PROCESSES: '2', PREDICTION_LOG_SPOOL_DIR: path.join(tmp, 'spool') });
    serving = started.child;
    output = started.output;
    // both processes listening: the primary hands connections only to a process that listens,
    // which it does a moment after it started (ready, it may still be loading)
    await eventually(async () => (childrenOf(serving.pid!).length === 2 ? true : undefined), 60_000, 200);
    await eventually(
      async () => {
        const { held } = await spread(childrenOf(serving.pid!), 2, () => 100);
        return held.every((n) => n > 0) ? true : undefined;
      },
      60_000,
      200,
    );
  }, 180_000);

  afterAll(async () => {
    if (serving && serving.exitCode === null) {
      serving.kill('SIGKILL');
      for (const child of childrenOf(serving.pid!)) process.kill(child, 'SIGKILL');
    }
    await registry?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  /**
   * Requests on connections opened one after another and kept open; answers which process holds
   * each connection (the primary hands each new connection to the next free process).
   */
  async function spread(workers: number[], count: number, distance: (i: number) => number) {
    const agents = Array.from({ length: count }, () => new http.Agent({ keepAlive: true, maxSockets: 1 }));
    const answers: Array<{ status: number; prediction?: number; error?: string }> = [];
    for (const [i, agent] of agents.entries())
      answers.push(await predict(distance(i), agent).catch((e: Error) => ({ status: -1, error: e.message })));
    const ports = new Set(agents.flatMap((agent) => [...portsOf(agent)]));
    const held = socketsHeld(workers, acceptedSockets(port, ports));
    for (const agent of agents) agent.destroy();
    return { answers, held };
  }

  it('answers on one port from both processes, and /metrics of either counts the predictions of both', async () => {
    const workers = childrenOf(serving.pid!);
    expect(workers).toHaveLength(2);
    const before = await predictionsCounted();
    const { answers, held } = await spread(workers, 8, (i) => 100 + 50 * i);
    for (const [i, answer] of answers.entries()) {
      expect(answer.status).toBe(200);
      expect(answer.prediction).toBeCloseTo(expected(100 + 50 * i), 6);
    }
    expect(held.reduce((a, b) => a + b, 0)).toBe(8);
    // SERVING_GC's default: each process collects garbage on its own thread
    for (const pid of workers) expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')).toContain('--single-threaded-gc');
    expect(Math.min(...held)).toBeGreaterThan(0);
    // the counter of either process's /metrics is the sum over both
    expect(await eventually(async () => ((await predictionsCounted()) - before === 8 ? true : undefined), 10_000, 200)).toBe(true);
  });

  it('starts a process that died again, while the other answers every request', async () => {
    const [first, second] = childrenOf(serving.pid!);
    process.kill(second!, 'SIGKILL');
    // what it held is lost with it; once the primary has seen it end, no connection goes to it
    await eventually(async () => (/process exited; starting it again/.test(output()) ? true : undefined), 10_000, 20);
    const failed: string[] = [];
    let answered = 0;
    let processes: number[] = [];
    let held: number[] = [];
    // requests on new connections until a new second process holds some of them (bounded in count and time)
    const until = Date.now() + 60_000;
    for (let round = 0; round < 600 && Date.now() < until; round++) {
      processes = childrenOf(serving.pid!);
      const result = await spread(processes, 4, () => 300);
      for (const answer of result.answers) {
        if (answer.status === 200) answered++;
        else failed.push(`${answer.status} ${answer.error ?? ''}`);
      }
      held = result.held;
      if (processes.length === 2 && !processes.includes(second!) && Math.min(...held) > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(processes).toContain(first);
    expect(processes).toHaveLength(2);
    expect(processes).not.toContain(second);
    expect(Math.min(...held)).toBeGreaterThan(0);
    expect({ answered: answered > 0, failed }).toEqual({ answered: true, failed: [] });
  }, 90_000);

  it('stops every process on SIGTERM', async () => {
    const workers = childrenOf(serving.pid!);
    const exited = new Promise<number | null>((resolve) => serving.once('exit', (code) => resolve(code)));
    serving.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(workers.filter((pid) => existsProcess(pid))).toEqual([]);
  }, 30_000);

  async function predictionsCounted(): Promise<number> {
    const text = await (await fetch(`${url}/metrics`, { headers: authHeaders() })).text();
    const line = text.split('\n').find((l) => l.startsWith('atelier_predictions_total{') && l.includes(`model="${model}"`));
    return line ? Number(line.split(' ').at(-1)) : 0;
  }
});
