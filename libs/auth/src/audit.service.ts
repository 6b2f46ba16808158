import { Injectable } from '@nestjs/common';

import type { AuditEventResponse, AuditQuery } from '@atelier/contracts';

import { ApiKeyRepository } from './api-key.repository';
import { AuditRecorder } from './audit.recorder';

@Injectable()
export class AuditService {
  constructor(
    private readonly repository: ApiKeyRepository,
    private readonly recorder: AuditRecorder,
  ) {}

  async list(query: AuditQuery): Promise<AuditEventResponse[]> {
    await this.recorder.settle();
    const rows = await this.repository.listAudit({ actor: query.actor, subject: query.subject, limit: query.limit });
    return rows.map((r) => ({ id: r.id.toString(), subject: r.subject, action: r.action, actor: r.actor, payload: r.payload, createdAt: r.createdAt.toISOString() }));
  }
}
