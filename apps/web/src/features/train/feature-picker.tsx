'use client';

import { useState } from 'react';

import type { FeatureGroupResponse, FeatureGroupStatsResponse } from '@atelier/contracts';

import { api, describeError } from '../../lib/api';
import { formatShare, formatTime } from '../../lib/format';
import { filterFeatureGroups } from './input-settings';

/** A group's statistics, read when asked for: they scan its offline rows. */
type GroupStats = { state: 'loading' } | { state: 'ready'; stats: FeatureGroupStatsResponse } | { state: 'failed'; message: string };

/**
 * The features of the other groups to join, found by name: grouped by entity and group, each with
 * its type and description. "all" and "none" act on the features shown. A group's freshness and
 * its features' missing shares come from the group's statistics, on request (one scan each).
 */
export function FeaturePicker({
  groups,
  chosen,
  onChange,
}: {
  groups: FeatureGroupResponse[];
  chosen: string[];
  onChange: (refs: string[], on: boolean) => void;
}) {
  const [search, setSearch] = useState('');
  const [stats, setStats] = useState<Record<string, GroupStats>>({});
  const loadStats = (group: string) => {
    setStats((current) => ({ ...current, [group]: { state: 'loading' } }));
    api.featureGroupStats(group).then(
      (result) => setStats((current) => ({ ...current, [group]: { state: 'ready', stats: result } })),
      (error: unknown) => setStats((current) => ({ ...current, [group]: { state: 'failed', message: describeError(error).message } })),
    );
  };
  const shown = filterFeatureGroups(groups, search);
  return (
    <div className="feature-groups" data-testid="feature-picker">
      <input
        type="search"
        name="featureSearch"
        aria-label="search features"
        placeholder="Search features by name"
        value={search}
        onChange={(e) => setSearch(e.target.value)}
      />
      {shown.length === 0 ? <p className="muted small">No feature matches “{search}”.</p> : null}
      {shown.map(({ entity, groups }) => (
        <div key={entity} data-testid="feature-entity" data-entity={entity}>
          <div className="muted small">keyed by {entity}</div>
          {groups.map((group) => {
            const refs = group.features.map((f) => `${group.name}:${f.name}`);
            const groupStats = stats[group.name];
            const ready = groupStats?.state === 'ready' ? groupStats.stats : undefined;
            return (
              <div key={group.name} className="feature-group" data-testid="feature-group" data-group={group.name}>
                <div className="feature-group-head">
                  <strong>{group.name}</strong>
                  {group.description ? <span className="muted small">{group.description}</span> : null}
                  <span className="spacer" />
                  {groupStats === undefined ? (
                    <button type="button" className="link-button" data-testid="feature-group-stats" onClick={() => loadStats(group.name)}>
                      freshness
                    </button>
                  ) : null}
                  <button type="button" className="link-button" onClick={() => onChange(refs, true)}>
                    all
                  </button>
                  <button type="button" className="link-button" onClick={() => onChange(refs, false)}>
                    none
                  </button>
                </div>
                {groupStats === undefined ? null : (
                  <div className="muted small" data-testid="feature-group-freshness">
                    {groupStats.state === 'loading'
                      ? 'Reading its statistics…'
                      : groupStats.state === 'failed'
                        ? `No statistics: ${groupStats.message}`
                        : `${groupStats.stats.rows.toLocaleString('en-US')} rows, newest ${formatTime(groupStats.stats.newestEventTime)}, last ingested ${formatTime(groupStats.stats.lastIngestedAt)}`}
                  </div>
                )}
                <div className="checks">
                  {group.features.map((feature) => {
                    const ref = `${group.name}:${feature.name}`;
                    const missing = ready?.features.find((f) => f.name === feature.name)?.missingShare;
                    return (
                      <label key={ref} className="check" title={feature.description || feature.dtype}>
                        <input type="checkbox" checked={chosen.includes(ref)} onChange={(e) => onChange([ref], e.target.checked)} />
                        <code>{ref}</code>
                        <span className="muted small" data-testid="feature-dtype">
                          {feature.dtype}
                        </span>
                        {feature.description ? <span className="muted small check-note">— {feature.description}</span> : null}
                        {missing === undefined || missing === null ? null : (
                          <span className="muted small" data-testid="feature-missing">
                            {formatShare(missing, 1)} missing
                          </span>
                        )}
                      </label>
                    );
                  })}
                </div>
              </div>
            );
          })}
        </div>
      ))}
    </div>
  );
}
