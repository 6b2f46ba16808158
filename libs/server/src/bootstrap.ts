import cluster from 'node:cluster';
import os from 'node:os';

import { Logger, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { FastifyInstance } from 'fastify';

import { type AtelierConfig, loadConfig } from '@atelier/config';

import { ACCESS_GUARD } from './access';
import { dropTypeOfEmptyBody } from './empty-body';
import { HealthRegistry } from './health';
import { JsonLogger } from './json-logger';
import { MetricsService } from './metrics';
import { enableMultipart } from './multipart';
import { lowerPriority } from './priority';
import { answerReadinessInCluster, backgroundReadiness, isClusterPrimary, runProcessCluster } from './process-cluster';
import { requestIdFor } from './request-id';

import './async-resource.patch';
import 'reflect-metadata';

export interface ServiceOptions {
  /** service name, used in logs and the OpenAPI title */
  name: string;
  description: string;
  defaultPort: number;
  /** 0 picks a free port (tests) */
  port?: number;
  /** copies of the service on this machine, sharing its port (see `runProcessCluster`) */
  processes?: number;
  /** with several copies, process 0's background roles get a process of their own as BACKGROUND_PROCESS says (the platform) */
  background?: boolean;
}

// The largest JSON body any route may declare (`@BodyLimit`); the others take the configured default.
const MAX_BODY_LIMIT = 256 * 1024 * 1024;

/**
 * Builds a service from its root module on Fastify (the lean HTTP stack under Nest): JSON logs,
 * request ids, HTTP metrics, body limits, OpenAPI at `/docs`.
 */
export async function createService(root: Type, options: ServiceOptions): Promise<NestFastifyApplication> {
  const config = loadConfig();
  const logger = new JsonLogger(options.name, config.logLevel);
  const adapter = new FastifyAdapter({
    bodyLimit: MAX_BODY_LIMIT,
    genReqId: requestIdFor,
    // Idle keep-alive sockets live longer than any client's or load balancer's, so a client never
    // reuses a socket the server is closing at that moment (ECONNRESET under load).
    keepAliveTimeout: 65_000,
    // query strings of the protocol routes (MLflow's filters) percent-encoded may pass Node's 16 KiB
    http: { maxHeaderSize: 64 * 1024 },
    // request logs are written by the hook below, at debug level
    logger: false,
  });
  const app = await NestFactory.create<NestFastifyApplication>(root, adapter, { logger });
  requireAccessGuard(app, options.name);
  if (config.http.corsOrigins.length > 0) app.enableCors({ origin: config.http.corsOrigins, credentials: false });
  installHooks(app.getHttpAdapter().getInstance(), app.get(MetricsService), logger, config);
  await enableMultipart(app.getHttpAdapter().getInstance());
  mountOpenApi(app, options);
  return app;
}

/**
 * Per request, as Fastify hooks rather than Nest middleware/interceptors (cheaper on the hot
 * path): the request id echoed, a content type without a body dropped (`dropTypeOfEmptyBody`), the
 * duration observed, a debug log line.
 */
function installHooks(fastify: FastifyInstance, metrics: MetricsService, logger: JsonLogger, config: AtelierConfig): void {
  const debug = config.logLevel === 'debug';
  // per-route body limits: Nest passes `@BodyLimit` as route config, Fastify wants a route option
  fastify.addHook('onRoute', (route) => {
    const declared = (route.config as { bodyLimit?: number } | undefined)?.bodyLimit;
    route.bodyLimit = declared ?? config.http.bodyLimitBytes;
  });
  // bodies of other content types: bytes for routes that take them raw, 415 elsewhere (no type: no body)
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
    if ((request.routeOptions.config as { rawBody?: boolean } | undefined)?.rawBody) return done(null, body);
    if (request.headers['content-type'] === undefined) return done(null, undefined);
    done(
      Object.assign(new Error(`unsupported content type "${request.headers['content-type']}"; send application/json`), { statusCode: 415 }),
      undefined,
    );
  });
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    dropTypeOfEmptyBody(request.headers);
    done();
  });
  fastify.addHook('onClose', (_instance, done) => {
    logger.flush();
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpDuration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    if (debug && route !== '/health/live' && route !== '/health/ready' && route !== '/metrics') {
      logger.pino.debug({
        context: 'http',
        msg: 'request',
        requestId: request.id,
        method: request.method,
        path: request.url,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
      });
    }
    done();
  });
}

/** Every route needs a key unless marked public: a service built without the guard does not start. */
function requireAccessGuard(app: NestFastifyApplication, name: string): void {
  try {
    app.get(ACCESS_GUARD, { strict: false });
  } catch {
    throw new Error(`service ${name}: no access guard; import AuthModule from @atelier/auth in its root module`);
  }
}

function mountOpenApi(app: NestFastifyApplication, options: ServiceOptions): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(`Atelier ${options.name}`)
      .setDescription(options.description)
      .setVersion('0.1.0')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'an Atelier API key (atl_…)' })
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
}

/** Starts a service on its port (in `processes` processes when asked) and returns its base URL. */
export async function startService(root: Type, options: ServiceOptions): Promise<{ app: NestFastifyApplication; url: string } | undefined> {
  const config = loadConfig();
  if (isClusterPrimary(options.processes ?? 1)) {
    runProcessCluster(
      options.processes!,
      options.name,
      new JsonLogger(options.name, config.logLevel),
      config.serving.singleThreadedGc,
      config.http.shutdownDrainMs,
      options.background ? config.serving.background : null,
    );
    return undefined;
  }
  if (config.processRole === 'background') return startBackground(root, options, config);
  const app = await createService(root, options);
  // the platform's readiness covers its background work, wherever it runs (BACKGROUND_PROCESS)
  if (cluster.isWorker && options.background && config.serving.background)
    app.get(HealthRegistry).register('background', backgroundReadiness);
  const port = options.port ?? config.port ?? options.defaultPort;
  await app.listen(port, config.host);
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://${config.host}:${address.port}`;
  new Logger('bootstrap').log({ msg: 'listening', url, docs: `${url}/docs` });
  stopOnSignals(app, config.http.shutdownDrainMs);
  return { app, url };
}

/**
 * The cluster's background process (BACKGROUND_PROCESS): every module as in the others, started
 * but not listening, so it runs process 0's roles and answers nothing; its priority lowered first,
 * so the threads it starts inherit it.
 */
async function startBackground(root: Type, options: ServiceOptions, config: AtelierConfig): Promise<undefined> {
  const logger = new Logger('bootstrap');
  if (config.serving.background) lowerPriority(config.serving.background.nice, logger, 'bootstrap');
  const app = await createService(root, options);
  await app.init();
  const health = app.get(HealthRegistry);
  answerReadinessInCluster(() => health.run());
  logger.log({ msg: 'running background work; answers no request', pid: process.pid, nice: os.getPriority() });
  stopOnSignals(app, 0);
  return undefined;
}

/**
 * SIGTERM and SIGINT stop a service in the order that drops no request: readiness fails at once
 * (a load balancer, or Kubernetes, takes the process out of rotation), requests go on being
 * answered for `drainMs` (the time that takes), then the server takes no new connection and
 * finishes the requests under way, and only then do the modules close — the prediction log sent
 * or spooled, Kafka, Redis, PostgreSQL. (Nest's own shutdown hooks close the modules first, under
 * requests still running.) A second signal during the stop changes nothing; the process ends by
 * the signal it got.
 */
function stopOnSignals(app: NestFastifyApplication, drainMs: number): void {
  const logger = new Logger('bootstrap');
  const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    app.get(HealthRegistry).stop();
    logger.log({ msg: 'stopping', signal, drainMs });
    try {
      if (drainMs > 0) await new Promise((resolve) => setTimeout(resolve, drainMs));
      await app.getHttpAdapter().getInstance().close();
      await app.close();
    } catch (error) {
      logger.error({ msg: 'stop failed', error: String(error) });
    }
    for (const s of signals) process.removeAllListeners(s);
    process.kill(process.pid, signal);
  };
  for (const signal of signals) process.on(signal, () => void stop(signal));
}
