import { availableParallelism } from 'node:os';

import { z } from 'zod';

/**
 * The whole environment, parsed once. Nothing else in Atelier reads `process.env`;
 * every default works on a laptop where `deploy/local/up.sh` started the infrastructure.
 */
const ApiKey = z.string().regex(/^atl_[A-Za-z0-9]{40}$/, 'an Atelier API key: "atl_" and 40 letters or digits');

const Env = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  DATABASE_URL: z.string().default('postgresql://atelier:atelier@127.0.0.1:5432/atelier'),
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  KAFKA_BROKERS: z.string().default('127.0.0.1:9092'),
  KAFKA_CLIENT_ID: z.string().default('atelier'),
  /** prefix for Kafka consumer groups and Bull queues, so test runs do not share state */
  ATELIER_NAMESPACE: z.string().default('atelier'),
  ATELIER_ARTIFACT_DIR: z.string().default('.atelier/artifacts'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** Where each service is reachable; in the single-process platform they are all the same. */
  FEATURE_STORE_URL: z.string().default('http://127.0.0.1:3000'),
  REGISTRY_URL: z.string().default('http://127.0.0.1:3000'),
  SERVING_URL: z.string().default('http://127.0.0.1:3000'),
  MONITORING_URL: z.string().default('http://127.0.0.1:3000'),
  TRAINING_URL: z.string().default('http://127.0.0.1:3000'),
  /**
   * How long serving, monitoring and training wait for the registry to answer a call (a model
   * to load, a task, a version to register) before they give up with an error: a registry that
   * hangs is then a 503 or a failed attempt, not a wait. Reads of training sets and shards from the
   * feature store take what they take.
   */
  SERVICE_CALL_TIMEOUT_MS: z.coerce.number().int().min(1).default(30_000),
  /** training worker processes the platform forks; 0 runs training jobs inside the platform process */
  TRAINING_WORKERS: z.coerce.number().int().min(0).max(64).default(1),
  /**
   * the scheduling priority ("nice", 0–19) training worker processes give themselves: above 0,
   * the processes that answer requests get the CPU first while a model trains on the same machine
   */
  TRAINING_WORKER_NICE: z.coerce.number().int().min(0).max(19).default(10),
  /** a training job's queue lock: when its worker's process dies, another worker takes the job over after this */
  TRAINING_JOB_LOCK_MS: z.coerce.number().int().min(500).max(600_000).default(30_000),
  /** share of predictions published to Kafka for monitoring, 0..1 */
  PREDICTION_SAMPLE_RATE: z.coerce.number().min(0).max(1).default(1),
  /** how often monitors are evaluated in the background; 0 turns the timer off */
  MONITOR_INTERVAL_SECONDS: z.coerce.number().min(0).default(30),
  /**
   * How many partitions of the prediction and outcome topics monitoring's consumer stores at once
   * (each in a transaction of its own, no lock shared between them); one partition's batches
   * always in order. More processes in the consumer group divide the partitions between them.
   */
  MONITORING_CONSUMER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(3),
  /**
   * How long monitoring keeps each stored prediction (with its inputs and outcome), shadow
   * prediction, parked outcome and evaluated monitor window; older ones are deleted every hour.
   * The per-minute sums behind live statistics are kept. 0 keeps everything.
   */
  MONITORING_RETENTION_DAYS: z.coerce.number().min(0).default(30),
  /**
   * How often the feature store checks that the online store still holds its data (a marker key);
   * when Redis comes back empty it materializes every group again. 0 turns the check off.
   */
  ONLINE_STORE_CHECK_SECONDS: z.coerce.number().min(0).max(86_400).default(10),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /**
   * The prediction log (KafkaService.durableProducer): how long an event waits in memory for
   * companions, events per Kafka send, events held in memory at most (beyond, they go to the
   * spool on disk), the spool's directory and its size beyond which events are dropped. The
   * linger sets how many produce requests a process sends under load (one per linger), which the
   * broker, the producer and monitoring's consumer each pay for (docs/benchmarks.md).
   */
  PREDICTION_LOG_LINGER_MS: z.coerce.number().int().min(0).default(250),
  PREDICTION_LOG_BATCH_SIZE: z.coerce.number().int().min(1).default(2000),
  PREDICTION_LOG_MAX_BUFFERED: z.coerce.number().int().min(1).default(20_000),
  PREDICTION_LOG_SPOOL_DIR: z.string().min(1).default('.atelier/spool'),
  PREDICTION_LOG_MAX_SPOOL_MB: z.coerce.number().min(0).default(1024),
  /**
   * Processes the platform and the serving service run on one machine, sharing the port (default:
   * one per core); each gets its index in ATELIER_PROCESS_INDEX, and background work (Kafka
   * consumers of monitoring, monitor schedules, training workers) runs in process 0 only.
   */
  SERVING_PROCESSES: z.coerce.number().int().min(1).max(64).default(availableParallelism()),
  ATELIER_PROCESS_INDEX: z.coerce.number().int().min(0).default(0),
  /** set by the cluster: how many processes it runs (indexes 0 .. count - 1) */
  ATELIER_PROCESS_COUNT: z.coerce.number().int().min(1).default(1),
  /**
   * The platform as several processes: `separate` runs process 0's background work (monitoring's
   * consumers and schedules, the training supervisor) in a process of its own that answers no
   * request, at the priority BACKGROUND_PROCESS_NICE, beside SERVING_PROCESSES that only serve;
   * `shared` leaves it in the first serving process.
   */
  BACKGROUND_PROCESS: z.enum(['separate', 'shared']).default('separate'),
  /** the scheduling priority ("nice", 0–19) of that process: above 0, answers get the CPU first */
  BACKGROUND_PROCESS_NICE: z.coerce.number().int().min(0).max(19).default(10),
  /** set by the cluster on the process it starts for background work (BACKGROUND_PROCESS) */
  ATELIER_PROCESS_ROLE: z.enum(['serve', 'background']).default('serve'),
  /**
   * Garbage collection of those processes (when there are several) and of the training workers
   * the platform forks: `single-threaded` collects on each process's own thread; `parallel` is
   * V8's default, whose helper threads (four a process) take the cores the other processes answer
   * on during each collection (docs/benchmarks.md).
   */
  SERVING_GC: z.enum(['single-threaded', 'parallel']).default('single-threaded'),
  /** a model whose single-row run takes longer than this (measured at load) runs on worker threads */
  ONNX_INLINE_MAX_MS: z.coerce.number().min(0).default(1),
  /** worker threads of such a model (default: the cores but one, at least one) */
  ONNX_POOL_THREADS: z.coerce.number().int().min(1).max(64).default(Math.max(1, availableParallelism() - 1)),
  /** coalesce the rows of concurrent prediction requests into one model run per event-loop turn */
  PREDICT_MICRO_BATCH: z.enum(['on', 'off']).default('on'),
  /**
   * `production`: each serving process loads every model's production version (and its canary's
   * and shadow's) when it starts, and is ready once they are loaded; `none`: each loads at its
   * first request.
   */
  SERVING_PRELOAD: z.enum(['production', 'none']).default('production'),
  /**
   * API keys the platform ensures at start (created once, kept hashed): an admin key for the first
   * person to sign in, and the key the services present to each other (default: the admin key).
   */
  ATELIER_ADMIN_KEY: ApiKey.optional(),
  ATELIER_SERVICE_KEY: ApiKey.optional(),
  /**
   * Webhook targets: hosts allowed although private, loopback or link-local (comma-separated;
   * none by default), and whether public hosts may be targets (off keeps deliveries in-house).
   */
  WEBHOOK_ALLOWED_HOSTS: z.string().default(''),
  WEBHOOK_PUBLIC_TARGETS: z.enum(['on', 'off']).default('on'),
  /**
   * Webhook deliveries wait in a Bull queue (they outlive a restart): attempts per delivery, and
   * the wait before the second one, doubling after each failure (10 and 2 s: about 17 minutes).
   */
  WEBHOOK_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(10),
  WEBHOOK_RETRY_MS: z.coerce.number().int().min(10).max(3_600_000).default(2000),
  /** browser origins allowed to call the API directly (comma-separated); none by default */
  CORS_ORIGINS: z.string().default(''),
  /**
   * On SIGTERM or SIGINT a service answers 503 on readiness at once and goes on answering requests
   * for this long (so a load balancer or Kubernetes takes it out first), then finishes the requests
   * under way and closes. Kubernetes' manifests set 5000.
   */
  SHUTDOWN_DRAIN_MS: z.coerce.number().int().min(0).max(60_000).default(0),
  /** the largest JSON body of a route that does not declare its own limit */
  HTTP_BODY_LIMIT_KB: z.coerce.number().int().min(1).max(1024 * 1024).default(1024),
  FEATURE_IMPORT_MAX_MB: z.coerce.number().int().min(1).max(1024 * 1024).default(4096),
  BATCH_UPLOAD_MAX_MB: z.coerce.number().int().min(1).max(1024 * 1024).default(4096),
});

export type AtelierConfig = ReturnType<typeof toConfig>;

function toConfig(env: z.infer<typeof Env>) {
  return {
    env: env.NODE_ENV,
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    kafka: {
      brokers: env.KAFKA_BROKERS.split(',').map((b) => b.trim()).filter(Boolean),
      clientId: env.KAFKA_CLIENT_ID,
    },
    namespace: env.ATELIER_NAMESPACE,
    artifactDir: env.ATELIER_ARTIFACT_DIR,
    host: env.HOST,
    port: env.PORT,
    urls: {
      featureStore: env.FEATURE_STORE_URL,
      registry: env.REGISTRY_URL,
      serving: env.SERVING_URL,
      monitoring: env.MONITORING_URL,
      training: env.TRAINING_URL,
    },
    serviceCallTimeoutMs: env.SERVICE_CALL_TIMEOUT_MS,
    trainingWorkers: env.TRAINING_WORKERS,
    trainingWorkerNice: env.TRAINING_WORKER_NICE,
    trainingJobLockMs: env.TRAINING_JOB_LOCK_MS,
    predictionSampleRate: env.PREDICTION_SAMPLE_RATE,
    monitorIntervalSeconds: env.MONITOR_INTERVAL_SECONDS,
    monitoringConsumerConcurrency: env.MONITORING_CONSUMER_CONCURRENCY,
    monitoringRetentionDays: env.MONITORING_RETENTION_DAYS,
    onlineStoreCheckSeconds: env.ONLINE_STORE_CHECK_SECONDS,
    logLevel: env.LOG_LEVEL,
    predictionLog: {
      lingerMs: env.PREDICTION_LOG_LINGER_MS,
      batchSize: env.PREDICTION_LOG_BATCH_SIZE,
      maxBuffered: env.PREDICTION_LOG_MAX_BUFFERED,
      spoolDir: env.PREDICTION_LOG_SPOOL_DIR,
      maxSpoolBytes: Math.round(env.PREDICTION_LOG_MAX_SPOOL_MB * 1024 * 1024),
    },
    processIndex: env.ATELIER_PROCESS_INDEX,
    processCount: env.ATELIER_PROCESS_COUNT,
    /** `background`: this process answers no request (BACKGROUND_PROCESS) */
    processRole: env.ATELIER_PROCESS_ROLE,
    serving: {
      processes: env.SERVING_PROCESSES,
      singleThreadedGc: env.SERVING_GC === 'single-threaded',
      onnxInlineMaxMs: env.ONNX_INLINE_MAX_MS,
      onnxPoolThreads: env.ONNX_POOL_THREADS,
      microBatch: env.PREDICT_MICRO_BATCH === 'on',
      preload: env.SERVING_PRELOAD === 'production',
      /** a process of its own for background work beside the serving processes, and its priority */
      background: env.BACKGROUND_PROCESS === 'separate' ? { nice: env.BACKGROUND_PROCESS_NICE } : null,
    },
    auth: {
      adminKey: env.ATELIER_ADMIN_KEY,
      serviceKey: env.ATELIER_SERVICE_KEY ?? env.ATELIER_ADMIN_KEY,
    },
    webhooks: {
      allowedHosts: env.WEBHOOK_ALLOWED_HOSTS.split(',').map((h) => h.trim()).filter(Boolean),
      allowPublic: env.WEBHOOK_PUBLIC_TARGETS === 'on',
      attempts: env.WEBHOOK_ATTEMPTS,
      retryMs: env.WEBHOOK_RETRY_MS,
    },
    http: {
      corsOrigins: env.CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean),
      bodyLimitBytes: env.HTTP_BODY_LIMIT_KB * 1024,
      shutdownDrainMs: env.SHUTDOWN_DRAIN_MS,
      /** a file of rows imported into a feature group streams through, never held whole */
      importLimitBytes: env.FEATURE_IMPORT_MAX_MB * 1024 * 1024,
      /** a file a batch job scores streams through too */
      batchUploadLimitBytes: env.BATCH_UPLOAD_MAX_MB * 1024 * 1024,
    },
  };
}

export class ConfigError extends Error {}

/** Parses an environment (default: the process's) into Atelier's typed configuration. */
export function loadConfig(env: Record<string, string | undefined> = process.env): AtelierConfig {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid environment: ${problems}`);
  }
  return toConfig(parsed.data);
}

/** Nest injection token for the parsed configuration. */
export const ATELIER_CONFIG = Symbol('ATELIER_CONFIG');
