import { loadConfig } from '@atelier/config';
import { DEMO, demoFirstModelRequest, seedFlightsDemo } from '@atelier/demo';
import { AtelierClient } from '@atelier/sdk';

/**
 * `npm run demo:seed`: loads January 2001 of the flights demo into a running platform, trains
 * the first `flight-delay` model and points `production` at it. Safe to run again.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const client = new AtelierClient({
    baseUrl: config.urls.featureStore,
    urls: {
      featureStore: config.urls.featureStore,
      training: config.urls.training,
      registry: config.urls.registry,
      monitoring: config.urls.monitoring,
    },
  });
  const log = (message: string) => console.log(`[atelier-demo] ${message}`);
  await seedFlightsDemo(client, { from: new Date('2001-01-01T00:00:00Z'), to: new Date('2001-02-01T00:00:00Z'), log });

  await ensureModel(client, log);
  // monitors watch registered models: after the first version
  await ensureMonitor(client, log);
}

async function ensureModel(client: AtelierClient, log: (message: string) => void): Promise<void> {
  const models = await client.listModels();
  if (models.some((m) => m.name === DEMO.model && m.latestVersion !== null)) {
    log(`model ${DEMO.model} already trained`);
    return;
  }
  const job = await client.startTraining(
    demoFirstModelRequest({ start: '2001-01-01T00:00:00Z', validationStart: '2001-01-22T00:00:00Z', end: '2001-02-01T00:00:00Z' }),
  );
  log(`training ${DEMO.model} (job ${job.id})`);
  for (;;) {
    await new Promise((r) => setTimeout(r, 1000));
    const state = await client.getTrainingJob(job.id);
    if (state.status === 'succeeded' && state.modelVersion) {
      await client.setAlias(DEMO.model, 'production', state.modelVersion);
      log(`${DEMO.model} v${state.modelVersion}: AUC ${state.metrics?.auc?.toFixed(4)}; alias production set`);
      return;
    }
    if (state.status === 'failed' || state.status === 'cancelled') throw new Error(`training ${state.status}: ${state.error}`);
  }
}

/** A first monitor, so the demo shows where thresholds are set: live accuracy over the last hour. */
async function ensureMonitor(client: AtelierClient, log: (message: string) => void): Promise<void> {
  const monitors = await client.listMonitors();
  if (monitors.some((m) => m.model === DEMO.model)) return;
  await client.createMonitor({
    name: 'live accuracy',
    model: DEMO.model,
    metric: 'accuracy',
    operator: 'lt',
    threshold: 0.7,
    windowSeconds: 3600,
    minSamples: 50,
  });
  log(`monitor "live accuracy" of ${DEMO.model}: alert below 0.70 over the last hour (at least 50 outcomes)`);
}

main().catch((error: unknown) => {
  console.error(`[atelier-demo] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
