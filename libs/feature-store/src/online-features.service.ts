import { Injectable } from '@nestjs/common';

import type {
  FeastOnlineFeaturesRequest,
  FeastOnlineFeaturesResponse,
  FeatureValue,
  OnlineFeaturesRequest,
  OnlineFeaturesResponse,
} from '@atelier/contracts';
import { badRequest, notFound } from '@atelier/server';

import { FeatureGroupCache } from './feature-group.cache';
import type { StoredGroup } from './feature-store.repository';
import { OnlineStore } from './online-store';

interface ParsedRef {
  ref: string;
  group: StoredGroup;
  feature: string;
}

/** Reads the online store: Atelier's own shape and the Feast feature-server shape. */
@Injectable()
export class OnlineFeaturesService {
  constructor(
    private readonly definitions: FeatureGroupCache,
    private readonly online: OnlineStore,
  ) {}

  async get(request: OnlineFeaturesRequest): Promise<OnlineFeaturesResponse> {
    const refs = await this.resolveRefs(request.features);
    const rowCount = this.rowCount(request.entities);
    const groups = [...new Map(refs.map((r) => [r.group.name, r.group])).values()];
    for (const group of groups) {
      if (!request.entities[group.entityName]) {
        throw badRequest(`feature group "${group.name}" is keyed by entity "${group.entityName}": give its keys in "entities"`);
      }
    }
    const pairs = groups.flatMap((group) =>
      Array.from({ length: rowCount }, (_, i) => ({ group: group.name, entityKey: request.entities[group.entityName]![i]! })),
    );
    const found = await this.online.read(pairs);
    const lookup = new Map(pairs.map((p, i) => [`${p.group}\u0000${p.entityKey}`, found[i]]));
    const rows = Array.from({ length: rowCount }, (_, i) => {
      const values: Record<string, FeatureValue> = {};
      const eventTimes: Record<string, string | null> = {};
      for (const { ref, group, feature } of refs) {
        const hit = lookup.get(`${group.name}\u0000${request.entities[group.entityName]![i]}`);
        values[ref] = hit?.values[feature] ?? null;
        eventTimes[ref] = hit?.eventTime ?? null;
      }
      return { entityKey: Object.values(request.entities).map((keys) => keys[i]).join('|'), values, eventTimes };
    });
    return { rows };
  }

  /** Feast's `POST /get-online-features`: one result per feature, values in entity order. */
  async getFeast(request: FeastOnlineFeaturesRequest): Promise<FeastOnlineFeaturesResponse> {
    const entities = Object.fromEntries(Object.entries(request.entities).map(([k, v]) => [k, v.map(String)]));
    const { rows } = await this.get({ features: request.features, entities });
    const entityNames = Object.keys(entities);
    const featureNames = [...entityNames, ...request.features.map((ref) => (request.full_feature_names ? ref.replace(':', '__') : ref.split(':')[1]!))];
    const results = [
      ...entityNames.map((name) => ({
        values: entities[name]!,
        statuses: entities[name]!.map(() => 'PRESENT' as const),
        event_timestamps: entities[name]!.map(() => '1970-01-01T00:00:00Z'),
      })),
      ...request.features.map((ref) => ({
        values: rows.map((r) => r.values[ref] ?? null),
        statuses: rows.map((r) => (r.eventTimes[ref] ? ('PRESENT' as const) : ('NOT_FOUND' as const))),
        event_timestamps: rows.map((r) => r.eventTimes[ref] ?? '1970-01-01T00:00:00Z'),
      })),
    ];
    return { metadata: { feature_names: featureNames }, results };
  }

  private rowCount(entities: Record<string, string[]>): number {
    const lengths = new Set(Object.values(entities).map((keys) => keys.length));
    if (lengths.size !== 1) throw badRequest('every entity key list must have the same length (one entry per row)');
    return [...lengths][0]!;
  }

  private async resolveRefs(refs: string[]): Promise<ParsedRef[]> {
    const names = [...new Set(refs.map((r) => r.split(':')[0]!))];
    const groups = await this.definitions.get(names);
    return refs.map((ref) => {
      const [groupName, feature] = ref.split(':') as [string, string];
      const group = groups.get(groupName);
      if (!group) throw notFound(`feature "${ref}": feature group "${groupName}" does not exist`);
      if (!group.features.some((f) => f.name === feature)) throw badRequest(`feature "${ref}": group "${groupName}" has no feature "${feature}"`);
      return { ref, group, feature };
    });
  }
}
