import { Injectable } from '@nestjs/common';

import {
  type AliasRemovedEvent,
  MAX_INT32,
  type MlflowDownloadUriResponse,
  type MlflowEmptyResponse,
  type MlflowErrorBody,
  type MlflowModelVersion,
  type MlflowModelVersionResponse,
  type MlflowModelVersionsResponse,
  type MlflowRegisteredModel,
  type MlflowRegisteredModelResponse,
  type MlflowSearchModelVersionsQuery,
  type MlflowSearchModelVersionsResponse,
  type MlflowSearchRegisteredModelsQuery,
  type MlflowSearchRegisteredModelsResponse,
} from '@atelier/contracts';
import type { Prisma } from '@atelier/db';
import { KafkaService } from '@atelier/kafka';
import { badRequest, notFound } from '@atelier/server';

import { RegistryRepository, type TaggedModelRow, type TaggedVersionRow } from '../registry.repository';
import { RegistryService } from '../registry.service';
import { type Filterable, matchesFilter, MODEL_VERSION_FILTER, namesIn, parseFilter, REGISTERED_MODEL_FILTER } from './mlflow-filter';
import { decodePageToken, MODEL_VERSION_ORDER, pageOf, parseOrderBy, REGISTERED_MODEL_ORDER, sortBy } from './mlflow-search';

/** Registry writes of MLflow's API that Atelier does its own way. */
const ATELIER_ONLY = [
  'registered-models/create',
  'registered-models/rename',
  'registered-models/delete',
  'model-versions/create',
  'model-versions/delete',
  'model-versions/transition-stage',
];

/** MLflow's stages; every Atelier version is in `None` (Atelier moves aliases instead). */
const STAGES = ['none', 'staging', 'production', 'archived'];

/**
 * Atelier's registry in the shape of MLflow's Model Registry REST API, so MLflow's client reads
 * models and versions and moves aliases here. An alias set this way is the same audited,
 * announced move as Atelier's own (`RegistryService.setAlias`); tags, descriptions and alias
 * removals are audited in the model's log too. Searches run MLflow's filter language over the
 * models (or versions) of the names a filter names, or over all of them (light columns only).
 */
@Injectable()
export class MlflowRegistryService {
  constructor(
    private readonly repository: RegistryRepository,
    private readonly registry: RegistryService,
    private readonly kafka: KafkaService,
  ) {}

  // ───────────────────────────── registered models ─────────────────────────────

  async getRegisteredModel(name: string): Promise<MlflowRegisteredModelResponse> {
    return { registered_model: toRegisteredModel(await this.requireModel(name)) };
  }

  async searchRegisteredModels(query: MlflowSearchRegisteredModelsQuery): Promise<MlflowSearchRegisteredModelsResponse> {
    const clauses = parseFilter(query.filter, REGISTERED_MODEL_FILTER);
    const order = parseOrderBy(query.order_by, REGISTERED_MODEL_ORDER);
    const offset = decodePageToken(query.page_token);
    const rows = await this.repository.listTaggedModels(namesIn(clauses));
    const matching = rows.filter((row) => matchesFilter(clauses, modelFilterable(row)));
    const { page, nextPageToken } = pageOf(sortBy(matching, order, modelValue), offset, query.max_results);
    return { registered_models: page.map(toRegisteredModel), ...(nextPageToken ? { next_page_token: nextPageToken } : {}) };
  }

  async updateRegisteredModel(name: string, description: string, actor: string): Promise<MlflowRegisteredModelResponse> {
    await this.repository.transaction(async (tx) => {
      await this.mustHaveModel(name, tx);
      await this.repository.updateModelDescription(name, description, tx);
      await this.audit(name, 'description-updated', { description }, actor, tx);
    });
    return this.getRegisteredModel(name);
  }

  async setRegisteredModelTag(name: string, key: string, value: string, actor: string): Promise<MlflowEmptyResponse> {
    await this.repository.transaction(async (tx) => {
      await this.mustHaveModel(name, tx);
      await this.repository.upsertModelTag(name, key, value, tx);
      await this.audit(name, 'tag-set', { key, value }, actor, tx);
    });
    return {};
  }

  /** Deleting a tag the model does not have changes nothing (as in MLflow); the model must exist. */
  async deleteRegisteredModelTag(name: string, key: string, actor: string): Promise<MlflowEmptyResponse> {
    await this.repository.transaction(async (tx) => {
      await this.mustHaveModel(name, tx);
      if ((await this.repository.deleteModelTag(name, key, tx)) > 0) await this.audit(name, 'tag-deleted', { key }, actor, tx);
    });
    return {};
  }

  /** The newest version, when the stages asked for include `None` (or none are named); the model first, as MLflow. */
  async getLatestVersions(name: string, stages: readonly string[]): Promise<MlflowModelVersionsResponse> {
    const newest = (await this.requireModel(name)).versions[0];
    const unknown = stages.find((stage) => !STAGES.includes(stage.toLowerCase()));
    if (unknown !== undefined) {
      throw badRequest(`Invalid Model Version stage: ${unknown}. Value must be one of None, Staging, Production, Archived.`);
    }
    const wanted = stages.length === 0 || stages.some((stage) => stage.toLowerCase() === 'none');
    return { model_versions: newest && wanted ? [toModelVersion(newest)] : [] };
  }

  // ───────────────────────────── aliases ─────────────────────────────

  /** Atelier's own alias move: audited, announced on Kafka, hot-loaded by serving. */
  async setAlias(name: string, alias: string, version: number, actor: string): Promise<MlflowEmptyResponse> {
    await this.requireVersion(name, version);
    await this.registry.setAlias(name, alias, version, actor);
    return {};
  }

  /** Removes an alias (audited, announced); removing one the model does not have changes nothing. */
  async deleteAlias(name: string, alias: string, actor: string): Promise<MlflowEmptyResponse> {
    const removed = await this.repository.transaction(async (tx) => {
      await this.mustHaveModel(name, tx);
      const previousVersion = await this.repository.deleteAlias(name, alias, tx);
      if (previousVersion !== null) await this.audit(name, 'alias-removed', { alias, previousVersion }, actor, tx);
      return previousVersion;
    });
    if (removed !== null) {
      const event: AliasRemovedEvent = {
        type: 'alias-removed',
        schemaVersion: 1,
        model: name,
        alias,
        previousVersion: removed,
        at: new Date().toISOString(),
      };
      await this.kafka.publish('modelEvents', [{ key: name, value: event }]);
    }
    return {};
  }

  /** As MLflow: `latest` is the newest version; an alias the model lacks is an invalid parameter (400). */
  async getVersionByAlias(name: string, alias: string): Promise<MlflowModelVersionResponse> {
    const model = await this.requireModel(name);
    if (alias.toLowerCase() === 'latest') {
      const newest = model.versions[0];
      if (!newest) throw notFound(`Latest version not found for model ${name}.`);
      return { model_version: toModelVersion(newest) };
    }
    const target = model.aliases.find((a) => a.alias === alias);
    if (!target) throw badRequest(`Registered model alias ${alias} not found.`);
    return { model_version: toModelVersion(await this.requireVersion(name, target.version)) };
  }

  // ───────────────────────────── model versions ─────────────────────────────

  async getModelVersion(name: string, version: number): Promise<MlflowModelVersionResponse> {
    return { model_version: toModelVersion(await this.requireVersion(name, version)) };
  }

  async searchModelVersions(query: MlflowSearchModelVersionsQuery): Promise<MlflowSearchModelVersionsResponse> {
    const clauses = parseFilter(query.filter, MODEL_VERSION_FILTER);
    const order = parseOrderBy(query.order_by, MODEL_VERSION_ORDER);
    const offset = decodePageToken(query.page_token);
    const rows = await this.repository.listTaggedVersions(namesIn(clauses));
    const matching = rows.filter((row) => matchesFilter(clauses, versionFilterable(row)));
    const { page, nextPageToken } = pageOf(sortBy(matching, order, versionValue), offset, query.max_results);
    return { model_versions: page.map(toModelVersion), ...(nextPageToken ? { next_page_token: nextPageToken } : {}) };
  }

  /** Without a description the version stays as it is (MLflow changes only what is sent). */
  async updateModelVersion(
    name: string,
    version: number,
    description: string | undefined,
    actor: string,
  ): Promise<MlflowModelVersionResponse> {
    await this.repository.transaction(async (tx) => {
      await this.mustHaveVersion(name, version, tx);
      if (description !== undefined) {
        await this.repository.updateVersionDescription(name, version, description, tx);
        await this.audit(name, 'version-description-updated', { version, description }, actor, tx);
      }
    });
    return this.getModelVersion(name, version);
  }

  async setModelVersionTag(name: string, version: number, key: string, value: string, actor: string): Promise<MlflowEmptyResponse> {
    await this.repository.transaction(async (tx) => {
      await this.mustHaveVersion(name, version, tx);
      await this.repository.upsertVersionTag(name, version, key, value, tx);
      await this.audit(name, 'version-tag-set', { version, key, value }, actor, tx);
    });
    return {};
  }

  async deleteModelVersionTag(name: string, version: number, key: string, actor: string): Promise<MlflowEmptyResponse> {
    await this.repository.transaction(async (tx) => {
      await this.mustHaveVersion(name, version, tx);
      if ((await this.repository.deleteVersionTag(name, version, key, tx)) > 0)
        await this.audit(name, 'version-tag-deleted', { version, key }, actor, tx);
    });
    return {};
  }

  /** Where the version's artifact is: its URI in Atelier's artifact store. */
  async getDownloadUri(name: string, version: number): Promise<MlflowDownloadUriResponse> {
    return { artifact_uri: (await this.requireVersion(name, version)).artifactUri };
  }

  /**
   * The answer to any other path under the MLflow prefix: MLflow's client reads `ENDPOINT_NOT_FOUND`
   * as "not on this server"; the registry's own writes (create, rename, delete, stages) are
   * `NOT_IMPLEMENTED`, saying how Atelier does them.
   */
  unsupported(method: string, url: string): { status: number; body: MlflowErrorBody } {
    const path = url.split('?')[0]!;
    const endpoint = path.replace(/^\/(?:ajax-)?api\/2\.0\/mlflow\//, '');
    if (ATELIER_ONLY.includes(endpoint)) {
      const message = `${endpoint} is not available: Atelier registers models and versions itself (POST /api/models/{name}/versions with the ONNX file), with aliases instead of stages`;
      return { status: 501, body: { error_code: 'NOT_IMPLEMENTED', message } };
    }
    return { status: 404, body: { error_code: 'ENDPOINT_NOT_FOUND', message: `No API endpoint ${method} ${path}` } };
  }

  // ───────────────────────────── helpers ─────────────────────────────

  private async requireModel(name: string): Promise<TaggedModelRow> {
    const row = await this.repository.findTaggedModel(name);
    if (!row) throw modelNotFound(name);
    return row;
  }

  private async requireVersion(name: string, version: number): Promise<TaggedVersionRow> {
    const row = version <= MAX_INT32 ? await this.repository.findTaggedVersion(name, version) : null;
    if (!row) throw versionNotFound(name, version);
    return row;
  }

  private async mustHaveModel(name: string, tx: Prisma.TransactionClient): Promise<void> {
    if (!(await this.repository.hasModel(name, tx))) throw modelNotFound(name);
  }

  private async mustHaveVersion(name: string, version: number, tx: Prisma.TransactionClient): Promise<void> {
    if (version > MAX_INT32 || !(await this.repository.hasVersion(name, version, tx))) throw versionNotFound(name, version);
  }

  private audit(name: string, action: string, payload: Prisma.InputJsonObject, actor: string, tx: Prisma.TransactionClient) {
    return this.repository.audit(`model:${name}`, action, payload, actor, tx);
  }
}

// MLflow's own words for what is not there
const modelNotFound = (name: string) => notFound(`Registered Model with name=${name} not found`);
const versionNotFound = (name: string, version: number) => notFound(`Model Version (name=${name}, version=${version}) not found`);

// ───────────────────────────── Atelier rows → MLflow entities ─────────────────────────────

function toModelVersion(row: TaggedVersionRow): MlflowModelVersion {
  return {
    name: row.modelName,
    version: String(row.version),
    creation_timestamp: row.createdAt.getTime(),
    last_updated_timestamp: row.updatedAt.getTime(),
    current_stage: 'None',
    description: row.description,
    source: row.artifactUri,
    run_id: '',
    status: 'READY',
    tags: row.tags,
    aliases: row.aliases.map((a) => a.alias),
  };
}

function toRegisteredModel(row: TaggedModelRow): MlflowRegisteredModel {
  const newest = row.versions[0];
  return {
    name: row.name,
    creation_timestamp: row.createdAt.getTime(),
    last_updated_timestamp: modelUpdatedAt(row),
    description: row.description,
    latest_versions: newest ? [toModelVersion(newest)] : [],
    tags: row.tags,
    aliases: row.aliases.map((a) => ({ alias: a.alias, version: String(a.version) })),
  };
}

/** A model changes when it is edited and when a version is added to it (as in MLflow). */
function modelUpdatedAt(row: TaggedModelRow): number {
  return Math.max(row.updatedAt.getTime(), row.versions[0]?.createdAt.getTime() ?? 0);
}

function modelFilterable(row: TaggedModelRow): Filterable {
  return { attributes: { name: row.name }, tags: Object.fromEntries(row.tags.map((t) => [t.key, t.value])) };
}

function versionFilterable(row: TaggedVersionRow): Filterable {
  return {
    attributes: { name: row.modelName, version_number: row.version, run_id: '', source_path: row.artifactUri },
    tags: Object.fromEntries(row.tags.map((t) => [t.key, t.value])),
  };
}

function modelValue(row: TaggedModelRow, key: string): string | number {
  if (key === 'creation_timestamp') return row.createdAt.getTime();
  if (key === 'last_updated_timestamp') return modelUpdatedAt(row);
  return row.name;
}

function versionValue(row: TaggedVersionRow, key: string): string | number {
  if (key === 'version_number') return row.version;
  if (key === 'creation_timestamp') return row.createdAt.getTime();
  if (key === 'last_updated_timestamp') return row.updatedAt.getTime();
  return row.modelName;
}
