import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bull';

import type {
  CreateEntityRequest,
  CreateFeatureGroupRequest,
  EntityResponse,
  FeatureDefinition,
  FeatureGroupResponse,
  FeatureGroupStatsResponse,
  FeatureRowInput,
  FeatureValue,
  ImportRowsForm,
  IngestRowsRequest,
  IngestRowsResponse,
  MaterializationResponse,
  MaterializeRequest,
} from '@atelier/contracts';
import { badRequest, conflict, instantCell, notFound, numberCell, type TableRow, type TabularSource, type TabularStream, textCell, withTabularStream } from '@atelier/server';

import { FeatureGroupCache } from './feature-group.cache';
import { FeatureStoreRepository, type StoredGroup } from './feature-store.repository';
import { OnlineStore } from './online-store';
import { lookBackFrom } from './time-bounds';
import { type TouchedKeys, WindowAggregationService } from './window-aggregation.service';

export const MATERIALIZATION_QUEUE = 'materialization';

export interface MaterializationJob {
  runId: string;
  group: string;
  asOf: string;
}

// Entities written to the online store per round trip when an import writes them.
const ONLINE_WRITE_CHUNK = 10_000;
const DEFAULT_TTL_SECONDS = 7 * 24 * 3600;

/** Entities, feature groups, ingestion and materialization. */
@Injectable()
export class FeatureStoreService {
  constructor(
    private readonly repository: FeatureStoreRepository,
    private readonly online: OnlineStore,
    private readonly definitions: FeatureGroupCache,
    private readonly aggregations: WindowAggregationService,
    @InjectQueue(MATERIALIZATION_QUEUE) private readonly queue: Queue<MaterializationJob>,
  ) {}

  async createEntity(request: CreateEntityRequest): Promise<EntityResponse> {
    if (await this.repository.findEntity(request.name)) throw conflict(`entity "${request.name}" already exists`);
    const entity = await this.repository.createEntity(request);
    return { ...request, createdAt: entity.createdAt.toISOString() };
  }

  async listEntities(): Promise<EntityResponse[]> {
    const entities = await this.repository.listEntities();
    return entities.map((e) => ({ name: e.name, joinKey: e.joinKey, description: e.description, createdAt: e.createdAt.toISOString() }));
  }

  async createGroup(request: CreateFeatureGroupRequest): Promise<FeatureGroupResponse> {
    if (!(await this.repository.findEntity(request.entity))) {
      throw notFound(`entity "${request.entity}" does not exist; create it first with POST /api/entities`);
    }
    if (await this.repository.findGroup(request.name)) throw conflict(`feature group "${request.name}" already exists`);
    // an aggregation's features are its windows, checked against its source
    const { features, ttlSeconds } = request.aggregation
      ? await this.aggregations.define(request.aggregation, request.ttlSeconds)
      : { features: request.features, ttlSeconds: request.ttlSeconds ?? DEFAULT_TTL_SECONDS };
    const group = await this.repository.createGroup({
      name: request.name,
      entityName: request.entity,
      features,
      ttlSeconds,
      description: request.description,
      aggregation: request.aggregation ?? null,
    });
    await this.definitions.changed(group.name);
    return toResponse(group, 0);
  }

  async getGroup(name: string): Promise<FeatureGroupResponse> {
    const group = await this.requireGroup(name);
    return toResponse(group, await this.repository.countRows(name));
  }

  /** The group's offline rows described: size, freshness, each feature's statistics (one scan). */
  async groupStats(name: string): Promise<FeatureGroupStatsResponse> {
    const group = await this.requireGroup(name);
    const { row, lastRun } = await this.repository.groupStats(name, group.features);
    const rows = Number(row.rows);
    const number = (v: unknown) => (v === null || v === undefined ? null : Number(v));
    const time = (v: unknown) => (v instanceof Date ? v.toISOString() : null);
    return {
      group: name,
      rows,
      entities: Number(row.entities),
      oldestEventTime: time(row.oldest),
      newestEventTime: time(row.newest),
      lastIngestedAt: time(row.ingested),
      lastMaterialization: lastRun?.asOf ? { asOf: lastRun.asOf.toISOString(), finishedAt: lastRun.finishedAt?.toISOString() ?? null, entityCount: lastRun.entityCount } : null,
      features: group.features.map((f, k) => {
        const count = Number(row[`c${k}`] ?? 0);
        return {
          name: f.name,
          dtype: f.dtype,
          count,
          missingShare: rows > 0 ? (rows - count) / rows : null,
          mean: number(row[`mean${k}`]),
          min: number(row[`min${k}`]),
          max: number(row[`max${k}`]),
          distinct: f.dtype === 'string' ? Number(row[`distinct${k}`] ?? 0) : null,
        };
      }),
    };
  }

  async listGroups(): Promise<FeatureGroupResponse[]> {
    const [groups, counts] = await Promise.all([this.repository.listGroups(), this.repository.countRowsByGroup()]);
    return groups.map((g) => toResponse(g, counts.get(g.name) ?? 0));
  }

  async requireGroup(name: string): Promise<StoredGroup> {
    const group = await this.repository.findGroup(name);
    if (!group) throw notFound(`feature group "${name}" does not exist`);
    return group;
  }

  /** Validates every row against the group's definitions first, so a bad batch stores nothing. */
  async ingest(groupName: string, request: IngestRowsRequest): Promise<IngestRowsResponse> {
    const group = ingestible(await this.requireGroup(groupName));
    const problems = validateRows(group.features, request.rows);
    if (problems.length > 0) {
      throw badRequest(
        `${problems.length} row(s) do not match feature group "${groupName}": ${problems[0]?.message}`,
        problems.slice(0, 20),
      );
    }
    const { inserted, replaced } = await this.repository.insertRows(groupName, request.rows);
    if (request.writeOnline) await this.writeNewestOnline(group, request.rows);
    await this.aggregations.afterIngest(groupName, request.rows);
    return { group: groupName, accepted: request.rows.length, inserted, replaced };
  }

  /**
   * Imports a file of rows (CSV, Parquet or JSON Lines) as it is read, never holding it whole:
   * each row checked against the group — a missing column, a key or time that is not one, a value
   * of the wrong type: a 400 naming the column and row — and stored in chunks in one transaction,
   * committed after the last row: the whole file or nothing. Online values (`writeOnline`), each
   * entity's newest row, are written after the commit; only they are kept meanwhile, with the keys
   * the rows touch of the aggregations over the group, which recompute those after the commit.
   */
  async importFile(groupName: string, source: TabularSource, form: ImportRowsForm): Promise<IngestRowsResponse> {
    const group = ingestible(await this.requireGroup(groupName));
    const entityColumn = form.entityColumn ?? (await this.repository.findEntity(group.entityName))?.joinKey ?? group.entityName;
    const newest = form.writeOnline ? new Map<string, FeatureRowInput>() : null;
    const touched = await this.aggregations.tracker(groupName);
    const { written, inserted } = await withTabularStream(source, async (table) => {
      const rows = importedRows(group, table, entityColumn, form.timeColumn);
      const kept = newest ? keepingNewest(rows, newest) : rows;
      return this.repository.insertRowStream(groupName, touched ? noting(kept, touched) : kept);
    });
    if (newest) {
      const rows = [...newest.values()];
      for (let i = 0; i < rows.length; i += ONLINE_WRITE_CHUNK) await this.writeNewestOnline(group, rows.slice(i, i + ONLINE_WRITE_CHUNK));
    }
    if (touched) await this.aggregations.recompute(touched);
    return { group: groupName, accepted: written, inserted, replaced: written - inserted };
  }

  /**
   * Rows of one group from the `feature-rows` stream: checked against the group like the API's,
   * stored in the offline store (idempotent on entity and event time) and, per entity, the newest
   * written online unless the online store holds a newer one, so a message delivered again or late
   * changes nothing. Aggregations over the group then recompute what the rows change. A group
   * that does not exist (404), is an aggregation (400) or a row that does not match it (400)
   * throws: the consumer then sets the offending messages aside on the dead-letter topic.
   */
  async ingestStreamed(groupName: string, rows: FeatureRowInput[]): Promise<{ inserted: number; replaced: number }> {
    // the definitions cache the online path reads (invalidated on change): no query per batch
    const group = (await this.definitions.get([groupName])).get(groupName);
    if (!group) throw notFound(`feature group "${groupName}" does not exist`);
    ingestible(group);
    const problems = validateRows(group.features, rows);
    if (problems.length > 0) throw badRequest(`row does not match feature group "${groupName}": ${problems[0]?.message.replace(/^row \d+: /, '')}`, problems.slice(0, 20));
    const stored = await this.repository.insertRows(groupName, rows);
    await this.writeNewestOnline(group, rows, { keepNewer: true });
    await this.aggregations.afterIngest(groupName, rows);
    return stored;
  }

  private async writeNewestOnline(group: StoredGroup, rows: FeatureRowInput[], options: { keepNewer?: boolean } = {}): Promise<void> {
    const newest = new Map<string, FeatureRowInput>();
    for (const row of rows) keepNewest(newest, row);
    const online = [...newest.values()].map((r) => ({ entityKey: r.entityKey, eventTime: new Date(r.eventTime), values: r.values }));
    if (options.keepNewer) await this.online.writeIfNewer(group.name, group.ttlSeconds, online);
    else await this.online.write(group.name, group.ttlSeconds, online);
  }

  async requestMaterialization(groupName: string, request: MaterializeRequest): Promise<MaterializationResponse> {
    await this.requireGroup(groupName);
    return toRunResponse(await this.enqueueMaterialization(groupName, request.asOf ? new Date(request.asOf) : new Date()));
  }

  /**
   * Materializes again what the online store held, after it was found empty (Redis lost its
   * data): each group as of its newest materialization that wrote something. Returns the runs.
   */
  async rematerializeAll(reason: string): Promise<Array<{ group: string; runId: string; asOf: Date }>> {
    const runs = [];
    for (const { group, asOf } of await this.repository.lastMaterializedAsOf()) {
      const run = await this.enqueueMaterialization(
        group,
        asOf,
        `${reason}; materializing again as of ${asOf.toISOString()}, the instant of the last run that wrote values`,
      );
      runs.push({ group, runId: run.id, asOf });
    }
    return runs;
  }

  private async enqueueMaterialization(group: string, asOf: Date, message: string | null = null) {
    const run = await this.repository.createMaterialization(group, asOf, message);
    await this.queue.add({ runId: run.id, group, asOf: asOf.toISOString() }, { removeOnComplete: true, attempts: 3, backoff: 1000 });
    return run;
  }

  async getMaterialization(id: string): Promise<MaterializationResponse> {
    const run = await this.repository.findMaterialization(id);
    if (!run) throw notFound(`materialization run "${id}" does not exist`);
    return toRunResponse(run);
  }

  /**
   * Copies the newest offline value per entity (as of `asOf`, within the TTL) to the online
   * store. Redis expiry counts from `asOf`, so replaying history (the demo's 2001 flights)
   * materializes values as fresh as they were at that instant.
   */
  async materialize(job: MaterializationJob): Promise<number> {
    // the run as queued: its message says why the platform started it, when it did
    const started = await this.repository.updateMaterialization(job.runId, { status: 'running' });
    try {
      const group = await this.requireGroup(job.group);
      const asOf = new Date(job.asOf);
      const rows = await this.repository.latestPerEntity(group.name, lookBackFrom(asOf, group.ttlSeconds * 1000), asOf);
      const written = await this.online.write(group.name, group.ttlSeconds, rows, asOf.getTime());
      const outcome =
        written > 0
          ? `wrote the newest row of ${written} entities within the TTL (${group.ttlSeconds} s) before ${job.asOf}`
          : await this.whyNothing(group, asOf);
      const message = started.message ? `${started.message}: ${outcome}` : outcome;
      await this.repository.updateMaterialization(job.runId, {
        status: 'succeeded',
        entityCount: written,
        message,
        finishedAt: new Date(),
      });
      return written;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await this.repository.updateMaterialization(job.runId, { status: 'failed', error: message, finishedAt: new Date() });
      throw error;
    }
  }

  /** Why a materialization wrote nothing, with what to do about it. */
  private async whyNothing(group: StoredGroup, asOf: Date): Promise<string> {
    const { rows, newestBefore, firstAfter } = await this.repository.rowSpread(group.name, asOf);
    const at = asOf.toISOString();
    if (rows === 0) return `nothing written: feature group "${group.name}" has no rows; ingest rows first`;
    if (newestBefore === null) {
      return `nothing written: every row of "${group.name}" is after asOf ${at} (the first at ${firstAfter?.toISOString()}); materialize with a later asOf`;
    }
    const ageSeconds = Math.round((asOf.getTime() - newestBefore.getTime()) / 1000);
    if (ageSeconds >= group.ttlSeconds) {
      return (
        `nothing written: the newest row of "${group.name}" at or before asOf ${at} is from ${newestBefore.toISOString()}, ` +
        `${ageSeconds} s earlier, older than the group's TTL (${group.ttlSeconds} s); materialize with an asOf within the TTL after it`
      );
    }
    return `nothing written: the rows of "${group.name}" within the TTL before asOf ${at} expire within a second`;
  }
}

/**
 * A table's rows as rows of the group, each checked as it is read: a 400 names the column and row
 * (counted from 1) of the first bad value.
 */
function importedRows(group: StoredGroup, table: TabularStream, entityColumn: string, timeColumn: string): AsyncGenerator<FeatureRowInput> {
  const features = importedFeatures(group, table, entityColumn, timeColumn);
  const sparse = table.format === 'jsonl';
  return (async function* () {
    let r = 0;
    let holdsFeature = !sparse;
    for await (const raw of table.rows) {
      holdsFeature ||= features.some((f) => f.name in raw);
      yield featureRow(raw, ++r, features, entityColumn, timeColumn);
    }
    if (r === 0) throw badRequest('the file has no rows');
    if (!holdsFeature) throw noFeatures(group);
  })();
}

/**
 * The features a file's rows give, once its columns hold the entity key and time columns: those
 * among its columns, or, in JSON Lines, whose lines need not hold the same keys, all of them (a
 * key a line lacks is null; `importedRows` checks the file holds one somewhere).
 */
function importedFeatures(group: StoredGroup, table: TabularStream, entityColumn: string, timeColumn: string): FeatureDefinition[] {
  const header = new Set(table.columns);
  for (const [column, what] of [
    [entityColumn, 'the entity key column'],
    [timeColumn, 'the time column'],
  ] as const) {
    if (!header.has(column)) throw badRequest(`the file has no column "${column}": it is ${what}`, { column });
  }
  const features = table.format === 'jsonl' ? group.features : group.features.filter((f) => header.has(f.name));
  if (features.length === 0) throw noFeatures(group);
  return features;
}

const noFeatures = (group: StoredGroup) =>
  badRequest(`the file has none of the features of group "${group.name}" (${group.features.map((f) => f.name).join(', ')})`);

/** Row `r` of a file (from 1) as a row of the group; a 400 naming the column and row at the first bad value. */
function featureRow(raw: TableRow, r: number, features: FeatureDefinition[], entityColumn: string, timeColumn: string): FeatureRowInput {
  const at = (column: string) => `column "${column}", row ${r}`;
  const entityKey = textCell(raw[entityColumn]);
  if (!entityKey || entityKey.length > 200) throw badRequest(`${at(entityColumn)}: an entity key is 1 to 200 characters`);
  storable(entityKey, at(entityColumn));
  const time = instantCell(raw[timeColumn], at(timeColumn));
  const year = new Date(time).getUTCFullYear();
  if (!(year >= 1 && year <= 9999)) throw badRequest(`${at(timeColumn)}: a time in the years 0001–9999`);
  const values: FeatureRowInput['values'] = {};
  for (const f of features) values[f.name] = cellOf(f.dtype, raw[f.name], at(f.name));
  return { entityKey, eventTime: new Date(time).toISOString(), values };
}

/** An aggregation group's rows are computed from its source's, never ingested: a 400 saying where they go. */
function ingestible(group: StoredGroup): StoredGroup {
  if (group.aggregation) {
    throw badRequest(
      `feature group "${group.name}" is computed from "${group.aggregation.source}" (an aggregation): ingest rows into "${group.aggregation.source}"`,
    );
  }
  return group;
}

/** The rows passed on, each noted in `touched` (the keys of the aggregations over their group). */
async function* noting(rows: AsyncIterable<FeatureRowInput>, touched: TouchedKeys): AsyncGenerator<FeatureRowInput> {
  for await (const row of rows) {
    touched.add(row);
    yield row;
  }
}

/** The rows passed on, each entity's newest (by event time; the later of equal ones) kept in `newest`. */
async function* keepingNewest(rows: AsyncIterable<FeatureRowInput>, newest: Map<string, FeatureRowInput>): AsyncGenerator<FeatureRowInput> {
  for await (const row of rows) {
    keepNewest(newest, row);
    yield row;
  }
}

function keepNewest(newest: Map<string, FeatureRowInput>, row: FeatureRowInput): void {
  const seen = newest.get(row.entityKey);
  if (!seen || Date.parse(seen.eventTime) <= Date.parse(row.eventTime)) newest.set(row.entityKey, row);
}

/** A cell of an imported file as the feature's type; empty is null, anything else a 400 at `where`. */
function cellOf(dtype: FeatureDefinition['dtype'], value: unknown, where: string): FeatureValue {
  switch (dtype) {
    case 'float':
      return numberCell(value, where);
    case 'int': {
      const n = numberCell(value, where);
      if (n !== null && !Number.isInteger(n)) throw badRequest(`${where}: ${JSON.stringify(value)} is not an integer`);
      if (n !== null && !Number.isSafeInteger(n)) throw badRequest(`${where}: ${JSON.stringify(value)} is beyond an integer feature's range (±2^53 − 1)`);
      return n;
    }
    case 'bool': {
      if (value === null || value === undefined || value === '') return null;
      if (typeof value === 'boolean') return value;
      const text = String(value).trim().toLowerCase();
      if (text === 'true' || text === '1') return true;
      if (text === 'false' || text === '0') return false;
      throw badRequest(`${where}: ${JSON.stringify(value)} is not true or false`);
    }
    case 'string': {
      const text = textCell(value);
      return text === null ? null : storable(text, where);
    }
  }
}

/** Text PostgreSQL stores (no NUL in text or jsonb): a 400 at `where` rather than a failed transaction. */
function storable(text: string, where: string): string {
  if (text.includes('\u0000')) throw badRequest(`${where}: ${JSON.stringify(text)} holds a NUL character, which cannot be stored`);
  return text;
}

function validateRows(features: FeatureDefinition[], rows: FeatureRowInput[]): Array<{ row: number; message: string }> {
  const byName = new Map(features.map((f) => [f.name, f]));
  const problems: Array<{ row: number; message: string }> = [];
  rows.forEach((row, index) => {
    for (const [name, value] of Object.entries(row.values)) {
      const feature = byName.get(name);
      if (!feature) problems.push({ row: index, message: `row ${index}: unknown feature "${name}"` });
      else if (!matchesDtype(feature.dtype, value)) {
        problems.push({ row: index, message: `row ${index}: feature "${name}" is ${feature.dtype}, got ${JSON.stringify(value)}` });
      }
    }
  });
  return problems;
}

function matchesDtype(dtype: FeatureDefinition['dtype'], value: FeatureValue): boolean {
  if (value === null) return true;
  switch (dtype) {
    case 'float':
      return typeof value === 'number' && Number.isFinite(value);
    case 'int':
      // beyond 2^53 a JSON number is no longer an exact integer
      return typeof value === 'number' && Number.isSafeInteger(value);
    case 'bool':
      return typeof value === 'boolean';
    case 'string':
      return typeof value === 'string';
  }
}

function toResponse(group: StoredGroup, rowCount: number): FeatureGroupResponse {
  return {
    name: group.name,
    entity: group.entityName,
    features: group.features,
    ttlSeconds: group.ttlSeconds,
    description: group.description,
    version: group.version,
    rowCount,
    createdAt: group.createdAt.toISOString(),
    aggregation: group.aggregation,
  };
}

function toRunResponse(run: {
  id: string;
  groupName: string;
  status: string;
  entityCount: number;
  error: string | null;
  asOf: Date | null;
  message: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}): MaterializationResponse {
  return {
    id: run.id,
    group: run.groupName,
    status: run.status as MaterializationResponse['status'],
    entityCount: run.entityCount,
    error: run.error,
    asOf: run.asOf?.toISOString() ?? null,
    message: run.message,
    createdAt: run.createdAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
  };
}
