import { randomUUID } from 'node:crypto';

import { Injectable, Logger, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

const REQUEST_ID = Symbol('requestId');
type WithId = Request & { [REQUEST_ID]?: string };

export function requestIdOf(request: Request): string {
  return (request as WithId)[REQUEST_ID] ?? 'unknown';
}

/** Gives every request an id (the caller's `x-request-id` when sane), echoes it, logs the request. */
@Injectable()
export class RequestIdMiddleware implements NestMiddleware {
  private readonly logger = new Logger('http');

  use(request: Request, response: Response, next: NextFunction): void {
    const given = request.header('x-request-id');
    const id = given && /^[\w.-]{1,128}$/.test(given) ? given : randomUUID();
    (request as WithId)[REQUEST_ID] = id;
    response.setHeader('x-request-id', id);
    const started = process.hrtime.bigint();
    response.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (request.path.startsWith('/health') || request.path === '/metrics') return;
      this.logger.log({ msg: 'request', requestId: id, method: request.method, path: request.originalUrl, status: response.statusCode, ms: Math.round(ms * 10) / 10 });
    });
    next();
  }
}
