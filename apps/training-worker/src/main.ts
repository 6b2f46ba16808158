import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

import { loadConfig } from '@atelier/config';
import { DbModule } from '@atelier/db';
import { TrainingSetModule, TrainingSetService } from '@atelier/feature-store';
import { JsonLogger, lowerPriority, QueueRootModule, ServerModule } from '@atelier/server';
import { TRAINING_DATA, TrainingWorkerModule, watchParent, WORKER_READY } from '@atelier/training';

import 'reflect-metadata';

// A training worker: takes training jobs off the Bull queue; no HTTP. The platform forks
// TRAINING_WORKERS of these; in a cluster they are a deployment of their own. Training sets are
// built here, by the feature store's module in-process (not over HTTP by the API process).
@Module({
  imports: [
    ServerModule,
    DbModule,
    QueueRootModule,
    TrainingWorkerModule.register({ imports: [TrainingSetModule], trainingData: { provide: TRAINING_DATA, useExisting: TrainingSetService } }),
  ],
})
class TrainingWorkerAppModule {}

/** How long a worker whose parent is gone may take to stop before it exits anyway. */
const STOP_TIMEOUT_MS = 15_000;

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = new JsonLogger('training-worker', config.logLevel);
  // before any thread of its own starts (they inherit it): serving goes first on a shared CPU
  lowerPriority(config.trainingWorkerNice, logger, 'bootstrap');
  const app = await NestFactory.createApplicationContext(TrainingWorkerAppModule, { logger });
  // SIGTERM: abort the running jobs (recorded on them), close the queue, exit (flushing the logs)
  app.enableShutdownHooks(undefined, { useProcessExit: true });
  logger.log({ msg: 'taking training jobs', pid: process.pid }, 'bootstrap');
  if (!process.send) return; // started by hand or by an orchestrator, not by the platform
  if (process.connected) process.send(WORKER_READY);
  watchParent((reason) => {
    logger.warn({ msg: 'stopping: the platform process is gone', reason }, 'bootstrap');
    setTimeout(() => process.exit(1), STOP_TIMEOUT_MS).unref();
    process.kill(process.pid, 'SIGTERM'); // the same graceful stop as when the platform asks
  });
}

main().catch((error: unknown) => {
  new JsonLogger('training-worker').error({ msg: 'the training worker could not start', error: String(error) }, 'bootstrap');
  process.exit(1);
});
