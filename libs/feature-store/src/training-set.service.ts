import { Injectable } from '@nestjs/common';

import type {
  FeatureDefinition,
  FeatureLookupRequest,
  FeatureLookupResponse,
  RowPartitionRequest,
  RowPartitionResponse,
  TrainingSetRequest,
  TrainingSetResponse,
} from '@atelier/contracts';
import { badRequest, notFound } from '@atelier/server';

import { FeatureStoreRepository, type ValuesRead } from './feature-store.repository';
import { AsOfIndex, atPositions, cell } from './point-in-time';
import { lookBackFrom } from './time-bounds';

/**
 * Builds point-in-time correct training sets from the offline store. Also what a training worker
 * process reads in-process (`TrainingSetModule`), so the join runs where the model trains.
 */
@Injectable()
export class TrainingSetService {
  constructor(private readonly repository: FeatureStoreRepository) {}

  /** Every feature group with the entity it is keyed by. */
  async featureGroups(): Promise<Array<{ name: string; entity: string }>> {
    return (await this.repository.listGroups()).map((g) => ({ name: g.name, entity: g.entityName }));
  }

  trainingSet(request: TrainingSetRequest): Promise<TrainingSetResponse> {
    return this.build(request);
  }

  async build(request: TrainingSetRequest): Promise<TrainingSetResponse> {
    const start = new Date(request.source.start);
    const end = new Date(request.source.end);
    if (!(start < end)) throw badRequest('source.start must be before source.end');
    const source = await this.repository.findGroup(request.source.group);
    if (!source) throw notFound(`feature group "${request.source.group}" does not exist`);
    const joins = await this.planJoins(request.features, request.joinKeys);

    const featureRows = this.featureRows(joins, start, end);
    // the label rows' values that the set reads: the passed-through columns and the join keys
    const keys = [...new Set([...request.columns, ...joins.map((j) => j.keyColumn)])];
    const { labels, sourceRows } = await this.labelRows(request, start, end, keys, source.features);
    const valuesOf = (key: string) => labels.values[keys.indexOf(key)]!;
    const columns: TrainingSetResponse['columns'] = {};
    for (const name of request.columns) columns[name] = valuesOf(name).map((v) => cell(v));

    const featureTimes: TrainingSetResponse['featureTimes'] = {};
    for (const [j, rows] of (await featureRows).entries()) {
      const join = joins[j]!;
      const positions = new AsOfIndex(rows, join.ttlMs).positions(valuesOf(join.keyColumn), labels.times);
      const times = atPositions(positions, rows.times);
      for (const { ref, feature } of join.features) {
        columns[ref] = atPositions(positions, rows.values[feature]!.map(cell));
        featureTimes[ref] = times.slice();
      }
    }
    const eventTimes = Array.from(labels.times);
    return { rowCount: labels.rowCount, eventTimes, columns, featureTimes, ...(sourceRows === undefined ? {} : { sourceRows }) };
  }

  /**
   * Consecutive [start, end) parts of a window of the group's rows, about `rowsPerPart` rows
   * each: what a batch job scores shard by shard. Rows with one event time stay in one part (a
   * part is a time range), so a part may hold more.
   */
  async partition(group: string, request: RowPartitionRequest): Promise<RowPartitionResponse> {
    const start = new Date(request.start);
    const end = new Date(request.end);
    if (!(start < end)) throw badRequest('start must be before end');
    if (!(await this.repository.findGroup(group))) throw notFound(`feature group "${group}" does not exist`);
    const cuts = await this.repository.partStarts(group, start, end, request.rowsPerPart);
    // each cut begins a run of event times (partStarts), so each part is a time range of its own
    const parts: RowPartitionResponse['parts'] = cuts.map((cut, i) => ({
      start: (i === 0 ? start : cut.start).toISOString(),
      end: (cuts[i + 1]?.start ?? end).toISOString(),
      rows: cut.rows,
    }));
    return { group, rows: cuts.reduce((n, c) => n + c.rows, 0), parts };
  }

  /**
   * Every join's feature rows, each query on a connection of its own, read while the label rows
   * are: those of the window, and each entity's newest in the TTL before it (a value that old is
   * still fresh at its start; not before year 1), with only the features the join reads.
   */
  private featureRows(joins: Array<{ group: string; ttlMs: number; values: ValuesRead }>, start: Date, end: Date) {
    const read = (join: (typeof joins)[number]) =>
      this.repository.rowsForJoin(join.group, lookBackFrom(start, join.ttlMs), start, end, join.values);
    const reads = Promise.all(joins.map(read));
    reads.catch(() => undefined); // awaited by the caller, or given up with the label rows when they fail first
    return reads;
  }

  /** The window's rows in event-time order, with the values of `keys`: all of them (up to `limit`), or an even sample. */
  private async labelRows(request: TrainingSetRequest, start: Date, end: Date, keys: string[], features: FeatureDefinition[]) {
    const group = request.source.group;
    const limit = Math.min(request.limit ?? 5_000_000, request.sample ?? Infinity);
    if (request.sample === undefined) {
      return { labels: await this.repository.rowsBetween(group, start, end, limit, { keys, features }), sourceRows: undefined };
    }
    const sourceRows = await this.repository.countBetween(group, start, end);
    const stride = Math.max(1, Math.ceil(sourceRows / limit));
    return { labels: await this.repository.sampleBetween(group, start, end, stride, limit, { keys, features }), sourceRows };
  }

  /**
   * Features as of given instants, one row per instant with its entity keys: the join of a
   * training set, for rows that are not in the offline store (a batch job's uploaded file).
   */
  async lookup(request: FeatureLookupRequest): Promise<FeatureLookupResponse> {
    const identity = Object.fromEntries(Object.keys(request.entities).map((entity) => [entity, entity]));
    const joins = await this.planJoins(request.features, identity, 'entities');
    const times = request.times.map((t) => Date.parse(t));
    const columns: FeatureLookupResponse['columns'] = {};
    let [first, last] = [Infinity, -Infinity];
    for (const t of times) [first, last] = [Math.min(first, t), Math.max(last, t)];
    for (const join of joins) {
      const keys = request.entities[join.keyColumn]!;
      const rows =
        times.length === 0
          ? { entityKeys: [], times: new Float64Array(0), values: {} }
          : await this.repository.rowsForJoin(
              join.group,
              lookBackFrom(new Date(first), join.ttlMs),
              new Date(first),
              new Date(last),
              join.values,
            );
      const index = new AsOfIndex(rows, join.ttlMs);
      const positions = Int32Array.from(keys, (key, i) => (key === null ? -1 : index.position(key, times[i]!)));
      for (const { ref, feature } of join.features) columns[ref] = atPositions(positions, (rows.values[feature] ?? []).map(cell));
    }
    return { rowCount: times.length, columns };
  }

  private async planJoins(features: string[], joinKeys: Record<string, string>, keysField = 'joinKeys') {
    const byGroup = new Map<string, Array<{ ref: string; feature: string }>>();
    for (const ref of features) {
      const [group, feature] = ref.split(':') as [string, string];
      byGroup.set(group, [...(byGroup.get(group) ?? []), { ref, feature }]);
    }
    const groups = await this.repository.findGroups([...byGroup.keys()]);
    return [...byGroup].map(([name, features]) => {
      const group = groups.find((g) => g.name === name);
      if (!group) throw notFound(`feature group "${name}" does not exist`);
      for (const { ref, feature } of features) {
        if (!group.features.some((f) => f.name === feature)) throw badRequest(`feature "${ref}": group "${name}" has no feature "${feature}"`);
      }
      const keyColumn = joinKeys[group.entityName];
      if (!keyColumn) {
        throw badRequest(
          keysField === 'joinKeys'
            ? `feature group "${name}" is keyed by entity "${group.entityName}": map it to a source column in joinKeys`
            : `feature group "${name}" is keyed by entity "${group.entityName}": give its keys in ${keysField}`,
        );
      }
      // what the join reads of the group's rows: its features' values, typed by the group
      const values: ValuesRead = { keys: features.map((f) => f.feature), features: group.features };
      return { group: name, ttlMs: group.ttlSeconds * 1000, values, keyColumn, features };
    });
  }
}
