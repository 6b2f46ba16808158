import { beforeEach, describe, expect, it } from 'vitest';

import { MlflowSearchModelVersionsQuery, MlflowSearchRegisteredModelsQuery } from '@atelier/contracts';
import type { KafkaService } from '@atelier/kafka';
import { DomainError } from '@atelier/server';

import type { RegistryRepository, TaggedModelRow, TaggedVersionRow } from '../registry.repository';
import type { RegistryService } from '../registry.service';
import { MlflowRegistryService } from './mlflow-registry.service';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

interface Version {
  modelName: string;
  version: number;
  description: string;
  createdAt: Date;
  updatedAt: Date;
  tags: Map<string, string>;
}
interface Model {
  name: string;
  description: string;
  createdAt: Date;
  updatedAt: Date;
  tags: Map<string, string>;
  aliases: Map<string, number>;
}

/** The repository's MLflow methods over two maps; `audits` is the model's audit log. */
class FakeRepository {
  models = new Map<string, Model>();
  versions: Version[] = [];
  audits: Array<{ subject: string; action: string; payload: unknown; actor: string }> = [];
  queriedNames: Array<readonly string[] | undefined> = [];

  addModel(name: string, minutes: number, versions: number[] = []) {
    this.models.set(name, { name, description: '', createdAt: at(minutes), updatedAt: at(minutes), tags: new Map(), aliases: new Map() });
    for (const v of versions)
      this.versions.push({
        modelName: name,
        version: v,
        description: '',
        createdAt: at(minutes + v),
        updatedAt: at(minutes + v),
        tags: new Map(),
      });
  }

  transaction = <T>(run: (tx: never) => Promise<T>) => run(undefined as never);

  private versionRow = (v: Version): TaggedVersionRow => ({
    modelName: v.modelName,
    version: v.version,
    description: v.description,
    artifactUri: `local://${v.modelName}/${v.version}/model.onnx`,
    createdAt: v.createdAt,
    updatedAt: v.updatedAt,
    tags: [...v.tags].sort().map(([key, value]) => ({ key, value })),
    aliases: [...(this.models.get(v.modelName)?.aliases ?? [])].filter(([, n]) => n === v.version).map(([alias]) => ({ alias })),
  });

  private modelRow = (m: Model): TaggedModelRow => {
    const newest = this.versions.filter((v) => v.modelName === m.name).sort((a, b) => b.version - a.version)[0];
    return {
      name: m.name,
      description: m.description,
      createdAt: m.createdAt,
      updatedAt: m.updatedAt,
      tags: [...m.tags].sort().map(([key, value]) => ({ key, value })),
      aliases: [...m.aliases].sort().map(([alias, version]) => ({ alias, version })),
      versions: newest ? [this.versionRow(newest)] : [],
    };
  };

  private version = (name: string, version: number) => this.versions.find((v) => v.modelName === name && v.version === version);

  hasModel = async (name: string) => this.models.has(name);
  hasVersion = async (name: string, version: number) => this.version(name, version) !== undefined;
  listTaggedModels = async (names?: readonly string[]) => {
    this.queriedNames.push(names);
    return [...this.models.values()].filter((m) => !names || names.includes(m.name)).map(this.modelRow);
  };
  findTaggedModel = async (name: string) => {
    const model = this.models.get(name);
    return model ? this.modelRow(model) : null;
  };
  listTaggedVersions = async (names?: readonly string[]) =>
    this.versions.filter((v) => !names || names.includes(v.modelName)).map(this.versionRow);
  findTaggedVersion = async (name: string, version: number) => {
    const row = this.version(name, version);
    return row ? this.versionRow(row) : null;
  };
  updateModelDescription = async (name: string, description: string) =>
    Object.assign(this.models.get(name)!, { description, updatedAt: at(1000) });
  updateVersionDescription = async (name: string, version: number, description: string) =>
    Object.assign(this.version(name, version)!, { description, updatedAt: at(1000) });
  upsertModelTag = async (name: string, key: string, value: string) => this.models.get(name)!.tags.set(key, value);
  deleteModelTag = async (name: string, key: string) => (this.models.get(name)!.tags.delete(key) ? 1 : 0);
  upsertVersionTag = async (name: string, version: number, key: string, value: string) => this.version(name, version)!.tags.set(key, value);
  deleteVersionTag = async (name: string, version: number, key: string) => (this.version(name, version)!.tags.delete(key) ? 1 : 0);
  deleteAlias = async (name: string, alias: string) => {
    const aliases = this.models.get(name)!.aliases;
    const version = aliases.get(alias);
    aliases.delete(alias);
    return version ?? null;
  };
  audit = async (subject: string, action: string, payload: unknown, actor: string) => {
    this.audits.push({ subject, action, payload, actor });
  };
}

class FakeRegistry {
  moves: Array<[string, string, number, string]> = [];
  constructor(private readonly repository: FakeRepository) {}
  setAlias = async (name: string, alias: string, version: number, actor: string) => {
    this.moves.push([name, alias, version, actor]);
    this.repository.models.get(name)!.aliases.set(alias, version);
  };
}

class FakeKafka {
  published: unknown[] = [];
  publish = async (_topic: string, messages: Array<{ value: unknown }>) => {
    this.published.push(...messages.map((m) => m.value));
  };
}

async function refusal(run: () => Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return { code: (error as DomainError).code, message: (error as DomainError).message };
  }
  throw new Error('not refused');
}

describe('MlflowRegistryService', () => {
  let repository: FakeRepository;
  let registry: FakeRegistry;
  let kafka: FakeKafka;
  let service: MlflowRegistryService;

  beforeEach(() => {
    repository = new FakeRepository();
    registry = new FakeRegistry(repository);
    kafka = new FakeKafka();
    service = new MlflowRegistryService(
      repository as unknown as RegistryRepository,
      registry as unknown as RegistryService,
      kafka as unknown as KafkaService,
    );
    repository.addModel('flights', 0, [1, 2]);
    repository.addModel('fleet', 10, [1]);
    repository.addModel('weather', 20);
  });

  it('shows a model with its newest version as latest, updated when that version was added', async () => {
    const { registered_model: model } = await service.getRegisteredModel('flights');
    expect(model).toEqual({
      name: 'flights',
      creation_timestamp: T0,
      last_updated_timestamp: at(2).getTime(),
      description: '',
      latest_versions: [
        {
          name: 'flights',
          version: '2',
          creation_timestamp: at(2).getTime(),
          last_updated_timestamp: at(2).getTime(),
          current_stage: 'None',
          description: '',
          source: 'local://flights/2/model.onnx',
          run_id: '',
          status: 'READY',
          tags: [],
          aliases: [],
        },
      ],
      tags: [],
      aliases: [],
    });
    expect(await refusal(() => service.getRegisteredModel('nope'))).toEqual({
      code: 'NOT_FOUND',
      message: 'Registered Model with name=nope not found',
    });
  });

  it('searches with a filter, in order, page by page, asking the database only for the names a filter names', async () => {
    const search = (query: Record<string, unknown>) => service.searchRegisteredModels(MlflowSearchRegisteredModelsQuery.parse(query));
    const first = await search({ filter: "name LIKE 'f%'", max_results: '1' });
    expect(first.registered_models.map((m) => m.name)).toEqual(['fleet']);
    const second = await search({ filter: "name LIKE 'f%'", max_results: '1', page_token: first.next_page_token });
    expect(second).toEqual({ registered_models: [expect.objectContaining({ name: 'flights' })] });
    expect((await search({ order_by: 'timestamp DESC' })).registered_models.map((m) => m.name)).toEqual(['weather', 'fleet', 'flights']);
    expect((await search({ filter: "name = 'weather'" })).registered_models.map((m) => m.name)).toEqual(['weather']);
    expect(repository.queriedNames).toEqual([undefined, undefined, undefined, ['weather']]);
  });

  it('searches versions newest change first by default, and by the order asked', async () => {
    const search = (query: Record<string, unknown>) => service.searchModelVersions(MlflowSearchModelVersionsQuery.parse(query));
    const all = await search({});
    expect(all.model_versions.map((v) => `${v.name}:${v.version}`)).toEqual(['fleet:1', 'flights:2', 'flights:1']);
    const mine = await search({ filter: "name = 'flights' AND version_number < 2", order_by: ['version_number ASC'] });
    expect(mine.model_versions.map((v) => v.version)).toEqual(['1']);
  });

  it('sets and deletes tags, each change in the model’s audit log with its actor; deleting a missing tag changes nothing', async () => {
    await service.setRegisteredModelTag('flights', 'team', 'ops', 'ana');
    await service.setModelVersionTag('flights', 2, 'validated', 'yes', 'ana');
    expect((await service.getRegisteredModel('flights')).registered_model.tags).toEqual([{ key: 'team', value: 'ops' }]);
    expect((await service.getModelVersion('flights', 2)).model_version.tags).toEqual([{ key: 'validated', value: 'yes' }]);
    await service.deleteRegisteredModelTag('flights', 'team', 'bob');
    await service.deleteRegisteredModelTag('flights', 'team', 'bob');
    await service.deleteModelVersionTag('flights', 2, 'validated', 'bob');
    expect(repository.audits).toEqual([
      { subject: 'model:flights', action: 'tag-set', payload: { key: 'team', value: 'ops' }, actor: 'ana' },
      { subject: 'model:flights', action: 'version-tag-set', payload: { version: 2, key: 'validated', value: 'yes' }, actor: 'ana' },
      { subject: 'model:flights', action: 'tag-deleted', payload: { key: 'team' }, actor: 'bob' },
      { subject: 'model:flights', action: 'version-tag-deleted', payload: { version: 2, key: 'validated' }, actor: 'bob' },
    ]);
    expect(await refusal(() => service.setModelVersionTag('flights', 9, 'k', 'v', 'ana'))).toEqual({
      code: 'NOT_FOUND',
      message: 'Model Version (name=flights, version=9) not found',
    });
  });

  it('updates descriptions; a version update without one changes nothing', async () => {
    expect((await service.updateRegisteredModel('flights', 'delays > 15 min', 'ana')).registered_model.description).toBe('delays > 15 min');
    const updated = await service.updateModelVersion('flights', 1, 'first', 'ana');
    expect(updated.model_version).toMatchObject({ description: 'first', last_updated_timestamp: at(1000).getTime() });
    expect((await service.updateModelVersion('flights', 1, undefined, 'ana')).model_version.description).toBe('first');
    expect(repository.audits.map((a) => a.action)).toEqual(['description-updated', 'version-description-updated']);
  });

  it("moves an alias through Atelier's own alias move, and resolves it (and latest)", async () => {
    await service.setAlias('flights', 'production', 1, 'ana');
    expect(registry.moves).toEqual([['flights', 'production', 1, 'ana']]);
    expect((await service.getVersionByAlias('flights', 'production')).model_version).toMatchObject({
      version: '1',
      aliases: ['production'],
    });
    expect((await service.getVersionByAlias('flights', 'latest')).model_version.version).toBe('2');
    expect((await service.getRegisteredModel('flights')).registered_model.aliases).toEqual([{ alias: 'production', version: '1' }]);
    // as MLflow: an alias the model lacks is an invalid parameter; a version that does not exist is not found
    expect(await refusal(() => service.getVersionByAlias('flights', 'candidate'))).toEqual({
      code: 'BAD_REQUEST',
      message: 'Registered model alias candidate not found.',
    });
    expect((await refusal(() => service.setAlias('flights', 'candidate', 7, 'ana'))).code).toBe('NOT_FOUND');
    expect(registry.moves).toHaveLength(1);
  });

  it('removes an alias: audited and announced once; removing it again changes nothing', async () => {
    await service.setAlias('flights', 'production', 2, 'ana');
    await service.deleteAlias('flights', 'production', 'bob');
    await service.deleteAlias('flights', 'production', 'bob');
    expect(repository.audits).toEqual([
      { subject: 'model:flights', action: 'alias-removed', payload: { alias: 'production', previousVersion: 2 }, actor: 'bob' },
    ]);
    expect(kafka.published).toEqual([
      expect.objectContaining({ type: 'alias-removed', schemaVersion: 1, model: 'flights', alias: 'production', previousVersion: 2 }),
    ]);
    expect((await refusal(() => service.deleteAlias('nope', 'production', 'bob'))).code).toBe('NOT_FOUND');
  });

  it('answers latest versions for the stage None only', async () => {
    expect((await service.getLatestVersions('flights', [])).model_versions.map((v) => v.version)).toEqual(['2']);
    expect((await service.getLatestVersions('flights', ['None', 'Production'])).model_versions).toHaveLength(1);
    expect((await service.getLatestVersions('flights', ['production'])).model_versions).toEqual([]);
    expect((await service.getLatestVersions('weather', [])).model_versions).toEqual([]);
    expect((await refusal(() => service.getLatestVersions('flights', ['Live']))).message).toBe(
      'Invalid Model Version stage: Live. Value must be one of None, Staging, Production, Archived.',
    );
  });
});
