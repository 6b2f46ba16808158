import { Injectable } from '@nestjs/common';

import type { CanarySplit, ShadowCopy } from '@atelier/contracts';
import { type Db, Prisma, PrismaService } from '@atelier/db';

/** A deployment's traffic split as stored. */
export interface DeploymentSplit {
  canary: CanarySplit | null;
  shadow: ShadowCopy | null;
}

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
    return db.model.findMany({
      orderBy: { name: 'asc' },
      include: { aliases: true, versions: { select: { version: true }, orderBy: { version: 'desc' }, take: 1 } },
    });
  }

  findModel(name: string, db: Db = this.prisma.client) {
    return db.model.findUnique({
      where: { name },
      include: { aliases: true, versions: { select: { version: true }, orderBy: { version: 'desc' }, take: 1 } },
    });
  }

  /**
   * Creates the model when it is new and the next version number under a row lock on the
   * model, so two trainings finishing at once get versions n and n+1, never the same one.
   */
  async createVersion(data: NewVersion, tx: Prisma.TransactionClient): Promise<{ row: VersionRow; created: boolean }> {
    await tx.model.upsert({ where: { name: data.modelName }, create: { name: data.modelName, description: data.description }, update: {} });
    await this.lockModel(data.modelName, tx);
    if (data.idempotencyKey) {
      // under the model's lock: the same registration sent twice finds the first one here
      const earlier = await tx.modelVersion.findUnique({ where: { idempotencyKey: data.idempotencyKey }, include: { aliases: true } });
      if (earlier) return { row: earlier, created: false };
    }
    const latest = await tx.modelVersion.findFirst({
      where: { modelName: data.modelName },
      orderBy: { version: 'desc' },
      select: { version: true },
    });
    const version = (latest?.version ?? 0) + 1;
    const row = await tx.modelVersion.create({
      data: {
        modelName: data.modelName,
        version,
        idempotencyKey: data.idempotencyKey ?? null,
        description: data.description,
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

  findDeployment(modelName: string, db: Db = this.prisma.client) {
    return db.modelDeployment.findUnique({ where: { modelName } });
  }

  upsertDeployment(modelName: string, split: DeploymentSplit, actor: string, db: Db) {
    const data = {
      canaryVersion: split.canary?.version ?? null,
      canaryShare: split.canary?.share ?? 0,
      stickyBy: split.canary?.stickyBy ?? null,
      shadowVersion: split.shadow?.version ?? null,
      updatedBy: actor,
    };
    return db.modelDeployment.upsert({ where: { modelName }, create: { modelName, ...data }, update: data });
  }

  /** Locks the model's row for the rest of the transaction: deployment changes of one model queue up. */
  async lockModel(name: string, tx: Prisma.TransactionClient): Promise<boolean> {
    return (await tx.$queryRaw<unknown[]>`SELECT name FROM models WHERE name = ${name} FOR UPDATE`).length > 0;
  }

  listAuditActions(subject: string, actions: readonly string[], take = 200) {
    return this.prisma.client.auditEvent.findMany({ where: { subject, action: { in: [...actions] } }, orderBy: { id: 'desc' }, take });
  }

  audit(subject: string, action: string, payload: Prisma.InputJsonValue, actor: string, db: Db) {
    return db.auditEvent.create({ data: { subject, action, payload, actor } });
  }

  listAudit(subject: string) {
    return this.prisma.client.auditEvent.findMany({ where: { subject }, orderBy: { id: 'desc' }, take: 200 });
  }

  // ── tags, descriptions and alias removal (the MLflow-compatible API) ──

  /**
   * Whether a model (or one of its versions) exists, in one query: the guard of a transaction.
   * (Reads with relations run their queries side by side, which one transaction's connection
   * cannot; they come after the transaction.)
   */
  async hasModel(name: string, db: Db = this.prisma.client): Promise<boolean> {
    return (await db.model.count({ where: { name } })) > 0;
  }

  async hasVersion(modelName: string, version: number, db: Db = this.prisma.client): Promise<boolean> {
    return (await db.modelVersion.count({ where: { modelName, version } })) > 0;
  }

  /** Models with their tags, aliases and newest version; only those named when `names` is given. */
  listTaggedModels(names?: readonly string[], db: Db = this.prisma.client): Promise<TaggedModelRow[]> {
    return db.model.findMany({ where: names ? { name: { in: [...names] } } : {}, orderBy: { name: 'asc' }, include: TAGGED_MODEL });
  }

  findTaggedModel(name: string, db: Db = this.prisma.client): Promise<TaggedModelRow | null> {
    return db.model.findUnique({ where: { name }, include: TAGGED_MODEL });
  }

  /** Versions (without their large JSON columns) with tags and aliases; of the named models when `modelNames` is given. */
  listTaggedVersions(modelNames?: readonly string[], db: Db = this.prisma.client): Promise<TaggedVersionRow[]> {
    return db.modelVersion.findMany({ where: modelNames ? { modelName: { in: [...modelNames] } } : {}, select: TAGGED_VERSION });
  }

  findTaggedVersion(modelName: string, version: number, db: Db = this.prisma.client): Promise<TaggedVersionRow | null> {
    return db.modelVersion.findUnique({ where: { modelName_version: { modelName, version } }, select: TAGGED_VERSION });
  }

  updateModelDescription(name: string, description: string, db: Db) {
    return db.model.update({ where: { name }, data: { description } });
  }

  updateVersionDescription(modelName: string, version: number, description: string, db: Db) {
    return db.modelVersion.update({ where: { modelName_version: { modelName, version } }, data: { description } });
  }

  upsertModelTag(modelName: string, key: string, value: string, db: Db) {
    return db.modelTag.upsert({ where: { modelName_key: { modelName, key } }, create: { modelName, key, value }, update: { value } });
  }

  /** How many tags it deleted: 0 or 1. */
  async deleteModelTag(modelName: string, key: string, db: Db): Promise<number> {
    return (await db.modelTag.deleteMany({ where: { modelName, key } })).count;
  }

  upsertVersionTag(modelName: string, version: number, key: string, value: string, db: Db) {
    return db.modelVersionTag.upsert({
      where: { modelName_version_key: { modelName, version, key } },
      create: { modelName, version, key, value },
      update: { value },
    });
  }

  async deleteVersionTag(modelName: string, version: number, key: string, db: Db): Promise<number> {
    return (await db.modelVersionTag.deleteMany({ where: { modelName, version, key } })).count;
  }

  /** Removes an alias; returns the version it pointed at, or null when there was none. */
  async deleteAlias(modelName: string, alias: string, db: Db): Promise<number | null> {
    const removed = await db.$queryRaw<Array<{ version: number }>>`
      DELETE FROM model_aliases WHERE model_name = ${modelName} AND alias = ${alias} RETURNING version`;
    return removed[0]?.version ?? null;
  }
}

const TAGGED_VERSION = {
  modelName: true,
  version: true,
  description: true,
  artifactUri: true,
  createdAt: true,
  updatedAt: true,
  tags: { select: { key: true, value: true }, orderBy: { key: 'asc' } },
  aliases: { select: { alias: true }, orderBy: { alias: 'asc' } },
} satisfies Prisma.ModelVersionSelect;

const TAGGED_MODEL = {
  tags: { select: { key: true, value: true }, orderBy: { key: 'asc' } },
  aliases: { select: { alias: true, version: true }, orderBy: { alias: 'asc' } },
  versions: { select: TAGGED_VERSION, orderBy: { version: 'desc' }, take: 1 },
} satisfies Prisma.ModelInclude;

/** A version as the MLflow API shows it. */
export type TaggedVersionRow = Prisma.ModelVersionGetPayload<{ select: typeof TAGGED_VERSION }>;
/** A model as the MLflow API shows it, with its newest version (if any) in `versions`. */
export type TaggedModelRow = Prisma.ModelGetPayload<{ include: typeof TAGGED_MODEL }>;

export type DeploymentRow = Prisma.ModelDeploymentGetPayload<object>;
