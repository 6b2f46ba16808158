import { z } from 'zod';

/**
 * The whole environment, parsed once. Nothing else in Atelier reads `process.env`;
 * every default works on a laptop where `deploy/local/up.sh` started the infrastructure.
 */
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
  /** share of predictions published to Kafka for monitoring, 0..1 */
  PREDICTION_SAMPLE_RATE: z.coerce.number().min(0).max(1).default(1),
  /** how often monitors are evaluated in the background; 0 turns the timer off */
  MONITOR_INTERVAL_SECONDS: z.coerce.number().min(0).default(30),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
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
    predictionSampleRate: env.PREDICTION_SAMPLE_RATE,
    monitorIntervalSeconds: env.MONITOR_INTERVAL_SECONDS,
    logLevel: env.LOG_LEVEL,
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
