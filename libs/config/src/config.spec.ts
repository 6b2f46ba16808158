import { describe, expect, it } from 'vitest';

import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('gives working local defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config.databaseUrl).toBe('postgresql://atelier:atelier@127.0.0.1:5432/atelier');
    expect(config.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(config.predictionSampleRate).toBe(1);
    expect(config.monitoringRetentionDays).toBe(30);
  });

  it('keeps monitoring data for MONITORING_RETENTION_DAYS (0 = for ever, fractions allowed)', () => {
    expect(loadConfig({ MONITORING_RETENTION_DAYS: '0' }).monitoringRetentionDays).toBe(0);
    expect(loadConfig({ MONITORING_RETENTION_DAYS: '0.5' }).monitoringRetentionDays).toBe(0.5);
    expect(() => loadConfig({ MONITORING_RETENTION_DAYS: '-1' })).toThrow(/MONITORING_RETENTION_DAYS/);
    expect(() => loadConfig({ MONITORING_RETENTION_DAYS: 'a month' })).toThrow(/MONITORING_RETENTION_DAYS/);
  });

  it('splits a broker list and coerces numbers', () => {
    const config = loadConfig({ KAFKA_BROKERS: 'a:1, b:2', PORT: '3005', PREDICTION_SAMPLE_RATE: '0.25' });
    expect(config.kafka.brokers).toEqual(['a:1', 'b:2']);
    expect(config.port).toBe(3005);
    expect(config.predictionSampleRate).toBe(0.25);
  });

  it('forks one training worker by default; 0 keeps training in the platform process', () => {
    expect(loadConfig({}).trainingWorkers).toBe(1);
    expect(loadConfig({ TRAINING_WORKERS: '0' }).trainingWorkers).toBe(0);
    expect(loadConfig({ TRAINING_WORKERS: '4' }).trainingWorkers).toBe(4);
    expect(loadConfig({}).trainingWorkerNice).toBe(10);
    expect(loadConfig({ TRAINING_WORKER_NICE: '0' }).trainingWorkerNice).toBe(0);
    expect(() => loadConfig({ TRAINING_WORKER_NICE: '20' })).toThrow(/TRAINING_WORKER_NICE/);
    expect(() => loadConfig({ TRAINING_WORKERS: '-1' })).toThrow(/TRAINING_WORKERS/);
    expect(() => loadConfig({ TRAINING_WORKERS: 'two' })).toThrow(/TRAINING_WORKERS/);
  });

  it('gives the prediction log its defaults, in bytes where the variable is in MiB', () => {
    const config = loadConfig({});
    expect(config.predictionLog).toEqual({
      lingerMs: 250,
      batchSize: 2000,
      maxBuffered: 20_000,
      spoolDir: '.atelier/spool',
      maxSpoolBytes: 1024 * 1024 * 1024,
    });
    expect(config.processIndex).toBe(0);
  });

  it('reads the prediction log settings and the serving process index', () => {
    const config = loadConfig({
      PREDICTION_LOG_LINGER_MS: '20',
      PREDICTION_LOG_BATCH_SIZE: '1000',
      PREDICTION_LOG_MAX_BUFFERED: '5000',
      PREDICTION_LOG_SPOOL_DIR: '/var/spool/atelier',
      PREDICTION_LOG_MAX_SPOOL_MB: '0.5',
      ATELIER_PROCESS_INDEX: '3',
    });
    expect(config.predictionLog).toEqual({
      lingerMs: 20,
      batchSize: 1000,
      maxBuffered: 5000,
      spoolDir: '/var/spool/atelier',
      maxSpoolBytes: 524_288,
    });
    expect(config.processIndex).toBe(3);
    expect(config.processCount).toBe(1);
    expect(loadConfig({ ATELIER_PROCESS_COUNT: '3' }).processCount).toBe(3);
    expect(() => loadConfig({ ATELIER_PROCESS_COUNT: '0' })).toThrow(/ATELIER_PROCESS_COUNT/);
    expect(() => loadConfig({ PREDICTION_LOG_BATCH_SIZE: '0' })).toThrow(/PREDICTION_LOG_BATCH_SIZE/);
    expect(() => loadConfig({ ATELIER_PROCESS_INDEX: '-1' })).toThrow(/ATELIER_PROCESS_INDEX/);
  });

  it('runs serving in one process per core unless told otherwise, micro-batching on, each collecting garbage on its own thread and loading production models at start', () => {
    const config = loadConfig({});
    expect(config.serving.processes).toBeGreaterThanOrEqual(1);
    expect(config.serving.microBatch).toBe(true);
    expect(config.serving.singleThreadedGc).toBe(true);
    expect(config.serving.preload).toBe(true);
    expect(
      loadConfig({ SERVING_PROCESSES: '1', PREDICT_MICRO_BATCH: 'off', SERVING_GC: 'parallel', SERVING_PRELOAD: 'none' }).serving,
    ).toMatchObject({
      processes: 1,
      microBatch: false,
      singleThreadedGc: false,
      preload: false,
    });
    expect(() => loadConfig({ SERVING_PROCESSES: '0' })).toThrow(/SERVING_PROCESSES/);
    expect(() => loadConfig({ SERVING_GC: 'concurrent' })).toThrow(/SERVING_GC/);
    expect(() => loadConfig({ SERVING_PRELOAD: 'all' })).toThrow(/SERVING_PRELOAD/);
  });

  it('gives background work a process of its own at nice 10 unless told otherwise; a process serves unless the cluster says', () => {
    expect(loadConfig({}).serving.background).toEqual({ nice: 10 });
    expect(loadConfig({}).processRole).toBe('serve');
    expect(loadConfig({ BACKGROUND_PROCESS_NICE: '0' }).serving.background).toEqual({ nice: 0 });
    expect(loadConfig({ BACKGROUND_PROCESS: 'shared' }).serving.background).toBeNull();
    expect(loadConfig({ ATELIER_PROCESS_ROLE: 'background' }).processRole).toBe('background');
    expect(() => loadConfig({ BACKGROUND_PROCESS_NICE: '20' })).toThrow(/BACKGROUND_PROCESS_NICE/);
    expect(() => loadConfig({ BACKGROUND_PROCESS: 'none' })).toThrow(/BACKGROUND_PROCESS/);
  });

  it('stops at once by default, after a drain of at most a minute when asked', () => {
    expect(loadConfig({}).http.shutdownDrainMs).toBe(0);
    expect(loadConfig({ SHUTDOWN_DRAIN_MS: '5000' }).http.shutdownDrainMs).toBe(5000);
    expect(() => loadConfig({ SHUTDOWN_DRAIN_MS: '120000' })).toThrow(/SHUTDOWN_DRAIN_MS/);
  });

  it('names the variable that is wrong', () => {
    expect(() => loadConfig({ PREDICTION_SAMPLE_RATE: '2' })).toThrow(ConfigError);
    expect(() => loadConfig({ PREDICTION_SAMPLE_RATE: '2' })).toThrow(/PREDICTION_SAMPLE_RATE/);
  });
});
