import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

import type { FastifyRequest } from 'fastify';

const SANE = /^[\w.-]{1,128}$/;

/** Every request's id: the caller's `x-request-id` when sane, else a new one (fastify's `genReqId`). */
export function requestIdFor(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && SANE.test(given) ? given : randomUUID();
}

export function requestIdOf(request: FastifyRequest): string {
  return request.id ?? 'unknown';
}
