import { applyDecorators, createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiBearerAuth, ApiResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';

import { ErrorBody } from '@atelier/contracts';

import { openApiSchema } from './endpoint';

/**
 * What a route does, for access control (the roles allowed to each are in `@atelier/auth`):
 * - `public`: health, metrics, the protocol's liveness; no key;
 * - `read`: reads (the default of GET and HEAD);
 * - `write`: changes (the default of every other method): train, register, move aliases, monitors;
 * - `predict`: prediction, online features and outcomes, what product services call;
 * - `admin`: keys, deletions, the audit log;
 * - `self`: any valid key, about itself.
 */
export type AccessKind = 'public' | 'read' | 'write' | 'predict' | 'admin' | 'self';

export const ACCESS_METADATA = 'atelier:access';

/** Who made a request, as the access guard found it from the API key. */
export interface Principal {
  keyId: string;
  prefix: string;
  name: string;
  owner: string;
  role: 'viewer' | 'editor' | 'admin' | 'service';
  rateLimitPerSecond: number | null;
}

/** What the access guard leaves on a request it let through. */
export interface AuthenticatedRequest {
  principal?: Principal;
  access?: AccessKind;
}

/**
 * Marks a route (or every route of a controller) with what it does; see `AccessKind`. `errors`:
 * the schema of its 401 and 403 bodies when it answers in a protocol's own error shape.
 */
export function Access(kind: AccessKind, errors: z.ZodType = ErrorBody): ClassDecorator & MethodDecorator {
  const decorators: Array<ClassDecorator | MethodDecorator> = [SetMetadata(ACCESS_METADATA, kind)];
  if (kind !== 'public') {
    decorators.push(
      ApiBearerAuth(),
      ApiResponse({ status: 401, description: 'no API key, or an unknown, revoked or expired one', schema: openApiSchema(errors) }),
      ApiResponse({ status: 403, description: "the key's role does not allow this", schema: openApiSchema(errors) }),
    );
  }
  return applyDecorators(...decorators);
}

/**
 * The most a route's JSON body may weigh (`raw`: a body of any other or no content type reaches
 * the route as a Buffer, for protocols that send binary data); beyond it the answer is 413 before anything is parsed.
 * Without it a route takes `HTTP_BODY_LIMIT_KB` (small: large bodies only where they belong).
 */
export function BodyLimit(bytes: number, options: { raw?: boolean } = {}): MethodDecorator {
  return RouteConfig({ bodyLimit: bytes, rawBody: options.raw === true }) as MethodDecorator;
}

/** The owner of the request's API key ("system" for work the platform does on its own). */
export const Actor = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  const request = context.switchToHttp().getRequest<FastifyRequest & AuthenticatedRequest>();
  return request.principal?.owner ?? 'system';
});

/** The access guard's token: a service without one refuses to start (see `createService`). */
export const ACCESS_GUARD = Symbol('ACCESS_GUARD');

export const MiB = 1024 * 1024;
