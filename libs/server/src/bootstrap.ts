import type { Server } from 'node:http';

import type { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

import { loadConfig } from '@atelier/config';

import { JsonLogger } from './json-logger';

import 'reflect-metadata';

export interface ServiceOptions {
  /** service name, used in logs and the OpenAPI title */
  name: string;
  description: string;
  defaultPort: number;
  /** 0 picks a free port (tests) */
  port?: number;
}

/** Builds a service from its root module: JSON logs, body limits, OpenAPI at `/docs`. */
export async function createService(root: Type, options: ServiceOptions): Promise<NestExpressApplication> {
  const config = loadConfig();
  const app = await NestFactory.create<NestExpressApplication>(root, {
    logger: new JsonLogger(options.name, config.logLevel),
    bodyParser: false,
  });
  app.useBodyParser('json', { limit: '64mb' });
  app.enableCors();
  app.enableShutdownHooks();
  // Idle keep-alive sockets live longer than any client's or load balancer's, so a client never
  // reuses a socket the server is closing at that moment (ECONNRESET under load).
  const server = app.getHttpServer() as Server;
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  mountOpenApi(app, options);
  return app;
}

function mountOpenApi(app: INestApplication, options: ServiceOptions): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder().setTitle(`Atelier ${options.name}`).setDescription(options.description).setVersion('0.1.0').build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
}

/** Starts a service on its port and returns its base URL. */
export async function startService(root: Type, options: ServiceOptions): Promise<{ app: NestExpressApplication; url: string }> {
  const config = loadConfig();
  const app = await createService(root, options);
  const port = options.port ?? config.port ?? options.defaultPort;
  await app.listen(port, config.host);
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://${config.host}:${address.port}`;
  new JsonLogger(options.name, config.logLevel).log({ msg: 'listening', url, docs: `${url}/docs` }, 'bootstrap');
  return { app, url };
}
