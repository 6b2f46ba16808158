import { Injectable } from '@nestjs/common';

import { type Db, Prisma, PrismaService } from '@atelier/db';

export type VersionRow = Prisma.ModelVersionGetPayload<{ include: { aliases: true } }>;

export interface NewVersion {
  modelName: string;
  description: string;
  modelType: string;
  metrics: Prisma.InputJsonValue;
  signature: Prisma.InputJsonValue;
  baseline: Prisma.InputJsonValue;
  evaluation: Prisma.InputJsonValue;
  lineage: Prisma.InputJsonValue;
  graph: Prisma.InputJsonValue;
  artifactUri: (version: number) => string;
  artifactSha256: string;
  artifactBytes: number;
  idempotencyKey?: string;
}

/** Owns models, versions, aliases and the audit log. */
@Injectable()
export class RegistryRepository {
  constructor(private readonly prisma: PrismaService) {}

  transaction<T>(run: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
    return this.prisma.client.$transaction(run);
  }

  listModels(db: Db = this.prisma.client) {
    return db.model.findMany({ orderBy: { name: 'asc' }, include: { aliases: true, versions: { select: { version: true }, orderBy: { version: 'desc' }, take: 1 } } });
  }

  findModel(name: string, db: Db = this.prisma.client) {
    return db.model.findUnique({ where: { name }, include: { aliases: true, versions: { select: { version: true }, orderBy: { version: 'desc' }, take: 1 } } });
  }

  /**
   * Creates the model when it is new and the next version number under a row lock on the
   * model, so two trainings finishing at once get versions n and n+1, never the same one.
   */
  async createVersion(data: NewVersion, tx: Prisma.TransactionClient): Promise<{ row: VersionRow; created: boolean }> {
    await tx.model.upsert({ where: { name: data.modelName }, create: { name: data.modelName, description: data.description }, update: {} });
    await tx.$queryRaw`SELECT name FROM models WHERE name = ${data.modelName} FOR UPDATE`;
    if (data.idempotencyKey) {
      // under the model's lock: the same registration sent twice finds the first one here
      const earlier = await tx.modelVersion.findUnique({ where: { idempotencyKey: data.idempotencyKey }, include: { aliases: true } });
      if (earlier) return { row: earlier, created: false };
    }
    const latest = await tx.modelVersion.findFirst({ where: { modelName: data.modelName }, orderBy: { version: 'desc' }, select: { version: true } });
    const version = (latest?.version ?? 0) + 1;
    const row = await tx.modelVersion.create({
      data: {
        modelName: data.modelName,
        version,
        idempotencyKey: data.idempotencyKey ?? null,
        modelType: data.modelType,
        metrics: data.metrics,
        signature: data.signature,
        baseline: data.baseline,
        evaluation: data.evaluation,
        lineage: data.lineage,
        graph: data.graph,
        artifactUri: data.artifactUri(version),
        artifactSha256: data.artifactSha256,
        artifactBytes: data.artifactBytes,
      },
      include: { aliases: true },
    });
    return { row, created: true };
  }

  listVersions(modelName: string, db: Db = this.prisma.client) {
    return db.modelVersion.findMany({ where: { modelName }, orderBy: { version: 'desc' }, include: { aliases: true } });
  }

  findVersion(modelName: string, version: number, db: Db = this.prisma.client) {
    return db.modelVersion.findUnique({ where: { modelName_version: { modelName, version } }, include: { aliases: true } });
  }

  findAlias(modelName: string, alias: string, db: Db = this.prisma.client) {
    return db.modelAlias.findUnique({ where: { modelName_alias: { modelName, alias } } });
  }

  upsertAlias(modelName: string, alias: string, version: number, db: Db) {
    return db.modelAlias.upsert({
      where: { modelName_alias: { modelName, alias } },
      create: { modelName, alias, version },
      update: { version },
    });
  }

  audit(subject: string, action: string, payload: Prisma.InputJsonValue, actor: string, db: Db) {
    return db.auditEvent.create({ data: { subject, action, payload, actor } });
  }

  listAudit(subject: string) {
    return this.prisma.client.auditEvent.findMany({ where: { subject }, orderBy: { id: 'desc' }, take: 200 });
  }
}
