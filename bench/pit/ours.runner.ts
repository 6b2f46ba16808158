import path from 'node:path';

import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

import type { TrainingSetResponse } from '@atelier/contracts';
import { DbModule } from '@atelier/db';
import { TrainingSetModule, TrainingSetService } from '@atelier/feature-store';
import { ServerModule } from '@atelier/server';

import { cpuSeconds, outputNames, peakRssKb, PIT_DATA, PIT_REQUEST, printResult, timeJoin, writeColumns } from './pit.settings';

import 'reflect-metadata';

/**
 * Our side of one `bench:pit` run, in a fresh process: `TrainingSetService.build` wired as the
 * training worker wires it (TrainingSetModule on the process's Prisma client and pool, DATABASE_URL
 * from the environment), called in-process on the demo's training-set request.
 *   1. end to end: `build` reading PostgreSQL; the read part is the time with a repository call
 *      in flight (the feature rows are read while the label rows are);
 *   2. the join alone: `build` again (`BENCH_JOIN_REPEATS` times, the median) on a repository
 *      that answers each call with what (1) read, from memory — the same code path without the I/O.
 */
@Module({ imports: [ServerModule, DbModule, TrainingSetModule] })
class PitModule {}

type Repository = ConstructorParameters<typeof TrainingSetService>[0];

async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(PitModule, { logger: false });
  try {
    // the repository Nest injects into the service (its class is the service's one constructor parameter)
    const [repositoryClass] = Reflect.getMetadata('design:paramtypes', TrainingSetService) as [new (...args: never[]) => Repository];
    const repository = app.get(repositoryClass);
    const recorded = recorder(repository);

    const { totalSeconds, totalCpuSeconds, live } = await endToEnd(recorded.live);
    const joined = await timeJoin(() => new TrainingSetService(recorded.replay).build(PIT_REQUEST));
    const replayed = joined.result;

    const misses = missesOf(replayed);
    if (live.rows !== replayed.rowCount || JSON.stringify(live.misses) !== JSON.stringify(misses)) {
      throw new Error('the replayed join answered differently from the live one');
    }
    const group = PIT_REQUEST.features[0]!.split(':')[0]!;
    const [stored] = await repository.findGroups([group]);
    const names = outputNames(PIT_REQUEST);
    const dir = path.join(PIT_DATA, 'ours');
    writeColumns(dir, names, (name) => column(replayed, name));
    printResult({
      side: 'ours',
      engine: `TrainingSetService.build in-process, Node ${process.version}`,
      labelRows: replayed.rowCount,
      featureRows: recorded.featureRows(),
      ttlSeconds: stored?.ttlSeconds ?? NaN,
      misses,
      totalSeconds,
      readSeconds: recorded.readMs() / 1000,
      loadSeconds: 0,
      joinSeconds: joined.seconds,
      joinRepeats: joined.repeats,
      totalCpuSeconds,
      joinCpuSeconds: joined.cpuSeconds,
      peakRssKb: peakRssKb(),
      outputDir: dir,
      outputNames: names,
    });
  } finally {
    await app.close();
  }
}

/** `build` from PostgreSQL, timed; its answer is let go before the join alone runs (only its row count and misses are kept). */
async function endToEnd(repository: Repository) {
  const cpu = process.cpuUsage();
  const t = performance.now();
  const set = await new TrainingSetService(repository).build(PIT_REQUEST);
  const totalSeconds = (performance.now() - t) / 1000;
  return { totalSeconds, totalCpuSeconds: cpuSeconds(cpu), live: { rows: set.rowCount, misses: missesOf(set) } };
}

/**
 * The repository twice: `live` forwards every call and keeps its answer (timing the calls),
 * `replay` answers the same calls (same method, same arguments) with the kept answers.
 */
function recorder(repository: Repository) {
  const answers = new Map<string, unknown>();
  let readMs = 0;
  let featureRows = 0;
  const keyOf = (name: string, args: unknown[]) => JSON.stringify([name, args]);
  const wrap = (answer: (name: string, args: unknown[], call: () => Promise<unknown>) => Promise<unknown>): Repository =>
    new Proxy(repository, {
      get(target, name, receiver) {
        const member: unknown = Reflect.get(target, name, receiver);
        if (typeof member !== 'function' || typeof name !== 'string') return member;
        return (...args: unknown[]) => answer(name, args, () => (member as (...a: unknown[]) => Promise<unknown>).apply(target, args));
      },
    });
  // wall time with at least one call in flight: calls that overlap count once
  let inFlight = 0;
  let since = 0;
  const live = wrap(async (name, args, call) => {
    if (inFlight++ === 0) since = performance.now();
    const result = await call().finally(() => {
      if (--inFlight === 0) readMs += performance.now() - since;
    });
    answers.set(keyOf(name, args), result);
    if (name === 'rowsForJoin') featureRows += rowCountOf(result);
    return result;
  });
  const replay = wrap((name, args) => {
    const key = keyOf(name, args);
    if (!answers.has(key)) throw new Error(`replay: ${name} was not called with these arguments in the live run`);
    return Promise.resolve(answers.get(key));
  });
  return { live, replay, readMs: () => readMs, featureRows: () => featureRows };
}

/** Rows in a repository answer: an array of rows, or columns with a `rowCount`. */
function rowCountOf(answer: unknown): number {
  if (Array.isArray(answer)) return answer.length;
  // the feature rows of a join come as columns
  const keys = (answer as { entityKeys?: unknown } | null)?.entityKeys;
  if (Array.isArray(keys)) return keys.length;
  const count = (answer as { rowCount?: unknown } | null)?.rowCount;
  return typeof count === 'number' ? count : NaN;
}

function missesOf(set: TrainingSetResponse): Record<string, number> {
  return Object.fromEntries(Object.entries(set.featureTimes).map(([ref, times]) => [ref, times.filter((t) => t === null).length]));
}

function column(set: TrainingSetResponse, name: string): ArrayLike<number | string | null> {
  if (name === 'eventTime') return set.eventTimes;
  if (name.endsWith('@time')) return set.featureTimes[name.slice(0, -'@time'.length)]!;
  return set.columns[name]!;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
