import { Injectable } from '@nestjs/common';

import { Prisma, PrismaService } from '@atelier/db';

export type ApiKeyRow = Prisma.ApiKeyGetPayload<object>;
export type AuditRow = Prisma.AuditEventGetPayload<object>;

/** Owns API keys, and writes and reads the audit log (which the registry also writes to). */
@Injectable()
export class ApiKeyRepository {
  constructor(private readonly prisma: PrismaService) {}

  create(data: Prisma.ApiKeyCreateInput): Promise<ApiKeyRow> {
    return this.prisma.client.apiKey.create({ data });
  }

  /** Creates the key unless one with its hash exists (a revoked bootstrap key stays revoked). */
  async ensure(data: Prisma.ApiKeyCreateManyInput): Promise<void> {
    await this.prisma.client.apiKey.createMany({ data: [data], skipDuplicates: true });
  }

  findByHash(hash: string): Promise<ApiKeyRow | null> {
    return this.prisma.client.apiKey.findUnique({ where: { hash } });
  }

  list(): Promise<ApiKeyRow[]> {
    return this.prisma.client.apiKey.findMany({ orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
  }

  /** Revokes a key (once: the first revocation time stays); null when it does not exist. */
  async revoke(id: string, at: Date): Promise<ApiKeyRow | null> {
    await this.prisma.client.apiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: at } });
    return this.prisma.client.apiKey.findUnique({ where: { id } });
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.prisma.client.apiKey.updateMany({ where: { id }, data: { lastUsedAt: at } });
  }

  async audit(data: Prisma.AuditEventCreateManyInput[]): Promise<void> {
    await this.prisma.client.auditEvent.createMany({ data });
  }

  listAudit(filter: { actor?: string; subject?: string; limit: number }): Promise<AuditRow[]> {
    return this.prisma.client.auditEvent.findMany({
      where: { actor: filter.actor, subject: filter.subject ? { startsWith: filter.subject } : undefined },
      orderBy: { id: 'desc' },
      take: filter.limit,
    });
  }
}
