import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Starts the benchmark's servers (the platform, the floor, MLflow) each in a process group of
 * its own, so stopping one also stops what it started (MLflow → uvicorn). Every group id is also
 * written to `pidFile`: if this process is killed outright, run.sh's trap stops them from there.
 */
export interface StartOptions {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  logFile: string;
  /** resolves true once the server answers */
  ready: () => Promise<boolean>;
  timeoutMs: number;
}

export interface Service {
  name: string;
  child: ChildProcess;
  logFile: string;
  alive(): boolean;
  /** how it ended, e.g. `signal SIGTERM`; undefined while it runs */
  exit(): string | undefined;
}

export class Supervisor {
  private readonly services = new Set<Service>();
  /** logs this run has written to: a restarted server appends, a first start truncates */
  private readonly logs = new Set<string>();

  constructor(private readonly pidFile: string) {
    mkdirSync(path.dirname(pidFile), { recursive: true });
    // last resort: a synchronous kill when the process exits without `stopAll`
    process.on('exit', () => this.services.forEach((s) => signalGroup(s.child, 'SIGKILL')));
  }

  async start(o: StartOptions): Promise<Service> {
    const log = openSync(o.logFile, this.logs.has(o.logFile) ? 'a' : 'w');
    this.logs.add(o.logFile);
    const child = spawn(o.command, o.args, { cwd: process.cwd(), env: o.env ?? process.env, detached: true, stdio: ['ignore', log, log] });
    closeSync(log);
    let exit: string | undefined;
    child.on('exit', (code, signal) => (exit = signal ? `signal ${signal}` : `exit ${code}`));
    const service: Service = { name: o.name, child, logFile: o.logFile, alive: () => exit === undefined, exit: () => exit };
    this.services.add(service);
    this.writePids();
    const deadline = Date.now() + o.timeoutMs;
    while (Date.now() < deadline) {
      if (!service.alive())
        throw new Error(`${o.name} exited during start-up (exit ${child.exitCode ?? child.signalCode}); see ${o.logFile}`);
      if (await o.ready().catch(() => false)) return service;
      await sleep(250);
    }
    await this.stop(service);
    throw new Error(`${o.name} was not ready after ${o.timeoutMs / 1000} s; see ${o.logFile}`);
  }

  /** SIGTERM to the group, SIGKILL after 10 s. */
  async stop(service: Service): Promise<void> {
    if (service.alive()) {
      signalGroup(service.child, 'SIGTERM');
      const deadline = Date.now() + 10_000;
      while (service.alive() && Date.now() < deadline) await sleep(100);
      if (service.alive()) signalGroup(service.child, 'SIGKILL');
    }
    this.services.delete(service);
    this.writePids();
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.services].map((s) => this.stop(s)));
  }

  private writePids(): void {
    writeFileSync(this.pidFile, [...this.services].map((s) => `${s.child.pid}\n`).join(''));
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // the group is gone already
  }
}

/** The first port from `from` on that nothing listens on at 127.0.0.1 (0: any free port). */
export async function freePort(from = 0): Promise<number> {
  for (let port = from; port < from + 100; port++) {
    const got = await new Promise<number | undefined>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(undefined));
      server.listen(port, '127.0.0.1', () => {
        const chosen = (server.address() as net.AddressInfo).port;
        server.close(() => resolve(chosen));
      });
    });
    if (got !== undefined) return got;
  }
  throw new Error(`no free port in ${from}–${from + 99}`);
}

/** True when `url` answers 2xx within two seconds (a GET, or a JSON POST when `body` is given). */
export async function answers(url: string, body?: unknown): Promise<boolean> {
  const init: RequestInit =
    body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(2000) });
  await response.arrayBuffer();
  return response.ok;
}
