import type { FeatureValue } from '@atelier/contracts';

/**
 * The online store's published layout, owned by the feature-store domain and read by serving:
 * one Redis string per (feature group, entity key) holding the newest row as JSON, expiring
 * with the group's TTL. Any set of groups and keys is therefore one MGET.
 */
export interface OnlineRow {
  eventTime: string;
  values: Record<string, FeatureValue>;
}

export function onlineKey(namespace: string, group: string, entityKey: string): string {
  return `${namespace}:online:${group}:${entityKey}`;
}

/**
 * A key without expiry that the feature store keeps beside the rows: when it is gone, Redis lost
 * its data (a restart without persistence, a flush) and the online store needs materializing.
 */
export function onlineStoreMarkerKey(namespace: string): string {
  return `${namespace}:online-store:marker`;
}

/** Where the feature store announces that a group's definition changed (Redis pub/sub). */
export function groupChangesChannel(namespace: string): string {
  return `${namespace}:feature-groups:changed`;
}

export function encodeOnlineRow(row: OnlineRow): string {
  return JSON.stringify(row);
}

export function decodeOnlineRow(raw: string | null): OnlineRow | null {
  return raw === null ? null : (JSON.parse(raw) as OnlineRow);
}
