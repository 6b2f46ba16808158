import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { ACCESS_METADATA, type AccessKind, type AuthenticatedRequest, forbidden, rateLimited, unauthenticated } from '@atelier/server';

import { bearerKey, describeAccess, roleAllows } from './api-key';
import { ApiKeysService } from './api-keys.service';
import { RateLimiter } from './rate-limiter';

/**
 * Every route needs an API key unless it is marked `@Access('public')`; the key's role must
 * allow what the route does (`@Access(kind)`, by default `read` for GET and HEAD, `write`
 * otherwise); prediction routes count against the key's rate limit.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeysService,
    private readonly limiter: RateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<FastifyRequest & AuthenticatedRequest>();
    const kind = this.kindOf(context, request.method);
    if (kind === 'public') return true;
    const key = bearerKey(request.headers.authorization);
    if (!key) throw unauthenticated('this route needs an API key: send "Authorization: Bearer <key>"');
    const principal = await this.keys.verify(key);
    if (!roleAllows(principal.role, kind)) throw forbidden(`the ${principal.role} role cannot ${describeAccess(kind)}`);
    request.principal = principal;
    request.access = kind;
    if (kind === 'predict') {
      const decision = await this.limiter.take(principal);
      if (!decision.allowed) {
        void context.switchToHttp().getResponse<FastifyReply>().header('retry-after', String(decision.retryAfterSeconds));
        throw rateLimited(`API key ${principal.prefix}… is over its limit of ${principal.rateLimitPerSecond} requests per second`, {
          retryAfterSeconds: decision.retryAfterSeconds,
        });
      }
    }
    return true;
  }

  private kindOf(context: ExecutionContext, method: string): AccessKind {
    const declared = this.reflector.getAllAndOverride<AccessKind | undefined>(ACCESS_METADATA, [context.getHandler(), context.getClass()]);
    return declared ?? (method === 'GET' || method === 'HEAD' ? 'read' : 'write');
  }
}
