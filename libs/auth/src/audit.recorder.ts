import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';

import type { Prisma } from '@atelier/db';
import type { AuthenticatedRequest } from '@atelier/server';

import { ApiKeyRepository } from './api-key.repository';

/** Audit rows gather this long (or up to BATCH of them) before one insert. */
const FLUSH_MS = 500;
const BATCH = 200;

/**
 * Writes an audit event for every change that succeeded (write and admin routes answering
 * 2xx), with the owner and prefix of the key that made it. Predictions and outcomes are traffic,
 * not changes, and are not audited. Rows are written after the answer, in small batches.
 */
@Injectable()
export class AuditRecorder implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('audit');
  private pending: Prisma.AuditEventCreateManyInput[] = [];
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly adapter: HttpAdapterHost,
    private readonly repository: ApiKeyRepository,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapter.httpAdapter?.getInstance<FastifyInstance>();
    fastify?.addHook('onResponse', (request, reply, done) => {
      const { principal, access } = request as FastifyRequest & AuthenticatedRequest;
      if (principal && (access === 'write' || access === 'admin') && reply.statusCode < 300) {
        this.record({
          subject: request.url.split('?')[0]!,
          action: `${request.method} ${request.routeOptions.url ?? ''}`,
          payload: { status: reply.statusCode, params: (request.params ?? {}) as Prisma.InputJsonObject, key: principal.prefix, requestId: request.id },
          actor: principal.owner,
        });
      }
      done();
    });
  }

  private record(row: Prisma.AuditEventCreateManyInput): void {
    this.pending.push(row);
    if (this.pending.length >= BATCH) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const rows = this.pending;
    this.pending = [];
    if (rows.length === 0) return;
    this.flushing = this.flushing
      .then(() => this.repository.audit(rows))
      .catch((error: unknown) => this.logger.error({ msg: 'audit events not written', count: rows.length, error: String(error) }));
  }

  /** Writes what is gathered now (the audit log is read after it). */
  async settle(): Promise<void> {
    this.flush();
    await this.flushing;
  }

  onModuleDestroy(): Promise<void> {
    return this.settle();
  }
}
