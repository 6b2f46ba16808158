import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ZodError } from 'zod';

import type { ErrorBody, ErrorCode } from '@atelier/contracts';

import { DomainError, httpStatusOf } from './domain-error';
import { requestIdOf } from './request-id';

const logger = new Logger('http');

/** The one place where any thrown error becomes Atelier's error shape. */
@Catch()
export class AtelierErrorFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendError(error, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>());
  }
}

/** Another protocol's error body, made from Atelier's (e.g. the Open Inference Protocol's `{ error }`). */
export type ErrorShape = (status: number, body: ErrorBody) => unknown;

const shapes: Array<{ prefix: string; shape: ErrorShape }> = [];

/**
 * Routes under `prefix` speak another protocol, whose clients decode only its own error body:
 * their errors (parsing and access checks included) are sent in `shape`.
 */
export function shapeErrorsUnder(prefix: string, shape: ErrorShape): void {
  if (!shapes.some((s) => s.prefix === prefix)) shapes.push({ prefix, shape });
}

/** Also fastify's error handler, for what fails before a route runs (body parsing, limits). */
function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = toErrorBody(error, requestIdOf(request));
  const shaped = shapes.find((s) => request.url.startsWith(s.prefix));
  if (status === 500) {
    logger.error({
      msg: 'request failed',
      requestId: body.requestId,
      method: request.method,
      path: request.url,
      error: error instanceof Error ? error.stack : String(error),
    });
  } else if (status > 500) {
    // a dependency away (503): expected during an outage, said once per request at debug, no stack
    logger.debug({ msg: 'request refused', requestId: body.requestId, path: request.url, code: body.code, message: body.message });
  }
  void reply.status(status).send(shaped ? shaped.shape(status, body) : body);
}

export function toErrorBody(error: unknown, requestId: string): { status: number; body: ErrorBody } {
  if (error instanceof DomainError) {
    return { status: httpStatusOf(error.code), body: { code: error.code, message: error.message, details: error.details, requestId } };
  }
  if (error instanceof ZodError) {
    const details = error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    const first = details[0];
    const message = first ? `invalid ${first.path || 'input'}: ${first.message}` : 'invalid input';
    return { status: 400, body: { code: 'VALIDATION_FAILED', message, details, requestId } };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    return { status, body: { code: codeOf(status), message: messageOf(error), requestId } };
  }
  if (isClientError(error)) {
    return { status: error.statusCode, body: { code: codeOf(error.statusCode), message: `request: ${error.message}`, requestId } };
  }
  if (isConnectionLost(error)) {
    return {
      status: 503,
      body: {
        code: 'DEPENDENCY_UNAVAILABLE',
        message: 'a store this route needs (the database) is unavailable; try again shortly',
        requestId,
      },
    };
  }
  return { status: 500, body: { code: 'INTERNAL', message: 'internal error; the request id is in the server log', requestId } };
}

function codeOf(status: number): ErrorCode {
  if (status === 404) return 'NOT_FOUND';
  if (status === 413) return 'PAYLOAD_TOO_LARGE';
  return status >= 500 ? 'INTERNAL' : 'BAD_REQUEST';
}

function messageOf(error: HttpException): string {
  const response = error.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  return Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : error.message;
}

/**
 * The database (or another store) could not be reached or dropped the connection: a 503, not a
 * 500, since the request itself is fine and will pass once it is back. Looks through the causes
 * that Prisma's driver adapter and node-postgres wrap such errors in.
 */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08006',
  'P1001',
  'P1002',
  'P1017',
]);
const CONNECTION_MESSAGES =
  /Connection terminated|connect ECONNREFUSED|the database system is (starting up|shutting down)|Can't reach database server|terminating connection due to administrator command|timeout exceeded when trying to connect/i;

export function isConnectionLost(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current; depth++) {
    const e = current as { code?: unknown; message?: unknown; cause?: unknown; originalCode?: unknown; kind?: unknown };
    if (typeof e.code === 'string' && CONNECTION_CODES.has(e.code)) return true;
    if (typeof e.originalCode === 'string' && CONNECTION_CODES.has(e.originalCode)) return true;
    if (typeof e.message === 'string' && CONNECTION_MESSAGES.test(e.message)) return true;
    current = e.cause;
  }
  return false;
}

/** fastify's own 4xx errors (bad JSON, body too large, unsupported media type) carry `statusCode`. */
function isClientError(error: unknown): error is { statusCode: number; message: string } {
  const e = error as { statusCode?: unknown; message?: unknown };
  return typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500 && typeof e.message === 'string';
}
