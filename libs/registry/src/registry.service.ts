import { Injectable, Logger } from '@nestjs/common';

import {
  type AliasMovedEvent,
  type AliasResponse,
  type CreateModelVersionRequest,
  EMPTY_EVALUATION,
  type ModelResponse,
  type ModelVersionDetail,
  type ModelVersionResponse,
  type NewModelVersion,
  type VersionRegisteredEvent,
} from '@atelier/contracts';
import type { Prisma } from '@atelier/db';
import { KafkaService } from '@atelier/kafka';
import { badRequest, conflict, notFound } from '@atelier/server';

import { ArtifactStore } from './artifact-store';
import { ModelInspector } from './model-inspector';
import { RegistryRepository, type VersionRow } from './registry.repository';

/** Models, their numbered versions and artifacts, and aliases that point at versions. */
@Injectable()
export class RegistryService {
  private readonly logger = new Logger('registry');

  constructor(
    private readonly repository: RegistryRepository,
    private readonly artifacts: ArtifactStore,
    private readonly kafka: KafkaService,
    private readonly inspector: ModelInspector,
  ) {}

  async listModels(): Promise<ModelResponse[]> {
    const models = await this.repository.listModels();
    return models.map(toModel);
  }

  async getModel(name: string): Promise<ModelResponse> {
    const model = await this.repository.findModel(name);
    if (!model) throw notFound(`model "${name}" does not exist`);
    return toModel(model);
  }

  createVersion(modelName: string, request: CreateModelVersionRequest, actor = 'system'): Promise<ModelVersionResponse> {
    const { artifactBase64, ...version } = request;
    const bytes = Buffer.from(artifactBase64, 'base64');
    if (bytes.length === 0) throw badRequest('artifactBase64 is not base64 of an .onnx file');
    return this.registerVersion(modelName, bytes, version, actor);
  }

  /**
   * Registers a version: the artifact is read and checked against the signature (or the signature
   * read from it) and loaded into ONNX Runtime before anything is stored; a bad model stores nothing.
   */
  async registerVersion(modelName: string, bytes: Buffer, request: NewModelVersion, actor = 'system'): Promise<ModelVersionResponse> {
    const { graph, signature } = await this.inspector.inspect(bytes, request.signature, request.columns);
    const sha256 = ArtifactStore.sha256(bytes);
    let written: string | undefined;
    try {
      const { row, again } = await this.repository.transaction(async (tx) => {
        const created = await this.repository.createVersion(
          {
            modelName,
            description: request.description,
            modelType: request.modelType,
            metrics: request.metrics,
            signature,
            graph,
            baseline: request.baseline,
            evaluation: request.evaluation as Prisma.InputJsonValue,
            lineage: request.lineage as Prisma.InputJsonValue,
            artifactUri: (version) => this.artifacts.uri(modelName, version),
            artifactSha256: sha256,
            artifactBytes: bytes.length,
            idempotencyKey: request.idempotencyKey,
          },
          tx,
        );
        if (!created.created) {
          if (created.row.modelName !== modelName)
            throw conflict(`idempotencyKey "${request.idempotencyKey}" registered a version of model "${created.row.modelName}"`);
          return { row: created.row, again: true };
        }
        await this.artifacts.write(created.row.artifactUri, bytes);
        written = created.row.artifactUri;
        await this.repository.audit(`model:${modelName}`, 'version-registered', { version: created.row.version, sha256 }, actor, tx);
        return { row: created.row, again: false };
      });
      if (again) return toVersion(row);
      const event: VersionRegisteredEvent = {
        type: 'version-registered',
        schemaVersion: 1,
        model: modelName,
        version: row.version,
        sha256,
        at: new Date().toISOString(),
      };
      this.kafka.publishInBackground('modelEvents', [{ key: modelName, value: event }]);
      return toVersion(row);
    } catch (error) {
      if (written) await this.artifacts.remove(written);
      throw error;
    }
  }

  async listVersions(modelName: string): Promise<ModelVersionResponse[]> {
    await this.getModel(modelName);
    const rows = await this.repository.listVersions(modelName);
    return rows.map(toVersion);
  }

  async getVersion(modelName: string, version: number): Promise<ModelVersionDetail> {
    const row = await this.requireVersion(modelName, version);
    const evaluation = { ...EMPTY_EVALUATION, ...(row.evaluation as Partial<ModelVersionDetail['evaluation']>) };
    return { ...toVersion(row), baseline: row.baseline as ModelVersionDetail['baseline'], evaluation };
  }

  async resolveAlias(modelName: string, alias: string): Promise<ModelVersionDetail> {
    const target = await this.repository.findAlias(modelName, alias);
    if (!target) {
      if (!(await this.repository.findModel(modelName))) throw notFound(`model "${modelName}" does not exist`);
      throw notFound(`model "${modelName}" has no alias "${alias}"`);
    }
    return this.getVersion(modelName, target.version);
  }

  async getArtifact(modelName: string, version: number): Promise<{ bytes: Buffer; sha256: string }> {
    const row = await this.requireVersion(modelName, version);
    return { bytes: await this.artifacts.read(row.artifactUri), sha256: row.artifactSha256 };
  }

  /** Points an alias at a version: audited, then announced on Kafka so serving hot-loads it. */
  async setAlias(modelName: string, alias: string, version: number, actor = 'system'): Promise<AliasResponse> {
    await this.requireVersion(modelName, version);
    const moved = await this.repository.transaction(async (tx) => {
      const before = await this.repository.findAlias(modelName, alias, tx);
      return this.moveAliasIn(tx, modelName, alias, version, before?.version ?? null, actor);
    });
    await this.kafka.publish('modelEvents', [{ key: modelName, value: moved }]);
    this.logger.log({ msg: 'alias moved', model: modelName, alias, version, previousVersion: moved.previousVersion });
    return { model: modelName, alias, version, previousVersion: moved.previousVersion, updatedAt: moved.at };
  }

  /**
   * Moves an alias inside the caller's transaction and audits it; answers the event to announce
   * once the transaction has committed (`setAlias`, and a deployment's promote).
   */
  async moveAliasIn(
    tx: Prisma.TransactionClient,
    modelName: string,
    alias: string,
    version: number,
    previousVersion: number | null,
    actor: string,
  ): Promise<AliasMovedEvent> {
    const updated = await this.repository.upsertAlias(modelName, alias, version, tx);
    await this.repository.audit(`model:${modelName}`, 'alias-moved', { alias, version, previousVersion }, actor, tx);
    return { type: 'alias-moved', schemaVersion: 1, model: modelName, alias, version, previousVersion, at: updated.updatedAt.toISOString() };
  }

  async audit(modelName: string) {
    await this.getModel(modelName);
    const events = await this.repository.listAudit(`model:${modelName}`);
    return events.map((e) => ({ action: e.action, payload: e.payload, actor: e.actor, at: e.createdAt.toISOString() }));
  }

  private async requireVersion(modelName: string, version: number): Promise<VersionRow> {
    const row = await this.repository.findVersion(modelName, version);
    if (!row) throw notFound(`model "${modelName}" has no version ${version}`);
    return row;
  }
}

function toModel(model: {
  name: string;
  description: string;
  createdAt: Date;
  aliases: Array<{ alias: string; version: number }>;
  versions: Array<{ version: number }>;
}): ModelResponse {
  return {
    name: model.name,
    description: model.description,
    latestVersion: model.versions[0]?.version ?? null,
    aliases: Object.fromEntries(model.aliases.map((a) => [a.alias, a.version])),
    createdAt: model.createdAt.toISOString(),
  };
}

function toVersion(row: VersionRow): ModelVersionResponse {
  return {
    model: row.modelName,
    version: row.version,
    modelType: row.modelType,
    description: row.description,
    metrics: row.metrics as Record<string, number>,
    signature: row.signature as ModelVersionResponse['signature'],
    lineage: row.lineage as ModelVersionResponse['lineage'],
    artifact: { uri: row.artifactUri, sha256: row.artifactSha256, bytes: row.artifactBytes },
    graph: (row.graph ?? null) as ModelVersionResponse['graph'],
    aliases: row.aliases.map((a) => a.alias).sort(),
    createdAt: row.createdAt.toISOString(),
  };
}
