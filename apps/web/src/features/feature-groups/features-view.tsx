'use client';

import { type FormEvent, useState } from 'react';

import type {
  BackfillResponse,
  FeatureAggregation,
  FeatureGroupResponse,
  FeatureGroupStatsResponse,
  IngestRowsResponse,
} from '@atelier/contracts';

import { ConsumerLag } from '../../components/consumer-lag';
import { ErrorNotice } from '../../components/error-notice';
import { PageHeader } from '../../components/page-header';
import { EmptyState, Loading } from '../../components/states';
import { api } from '../../lib/api';
import { formatCount, formatShare, formatStat, formatTime } from '../../lib/format';
import { useApi } from '../../lib/use-api';
import { describeWindow } from './aggregation-windows';

/**
 * The feature store: every group with its entity and rows; for the chosen one, its freshness,
 * each feature's statistics over the offline rows, and a file import (CSV, Parquet, JSON Lines) —
 * or, for an aggregation group, how it is computed from its source and a backfill.
 */
export function FeaturesView({ initialGroup }: { initialGroup?: string }) {
  const groups = useApi(() => api.listFeatureGroups(), []);
  const [chosen, setChosen] = useState<string | undefined>(initialGroup);
  const list = groups.data ?? [];
  const group = list.find((g) => g.name === chosen) ?? list[0];

  return (
    <>
      <PageHeader
        title="Features"
        description="Feature groups of the offline store: their rows, freshness and statistics; import a file of rows; the stream of rows from Kafka."
        actions={
          <button type="button" className="button" onClick={groups.reload} disabled={groups.loading}>
            Refresh
          </button>
        }
      />
      {groups.error ? <ErrorNotice error={groups.error} onRetry={groups.reload} /> : null}
      {groups.data === undefined ? (
        groups.loading ? (
          <Loading what="Loading feature groups" />
        ) : null
      ) : list.length === 0 ? (
        <EmptyState title="No feature groups">Create one with POST /api/feature-groups (see the README).</EmptyState>
      ) : (
        <>
          <div className="table-wrap card">
            <table className="table" data-testid="feature-groups">
              <thead>
                <tr>
                  <th>Group</th>
                  <th>entity</th>
                  <th className="num">features</th>
                  <th className="num">rows</th>
                  <th className="num">TTL</th>
                </tr>
              </thead>
              <tbody>
                {list.map((g) => (
                  <tr
                    key={g.name}
                    className={g.name === group?.name ? 'selected' : undefined}
                    data-testid="feature-group-row"
                    data-group={g.name}
                  >
                    <td>
                      <button type="button" className="link-button mono" onClick={() => setChosen(g.name)}>
                        {g.name}
                      </button>
                      {g.description ? <div className="muted small">{g.description}</div> : null}
                    </td>
                    <td className="mono">{g.entity}</td>
                    <td className="num mono">{g.features.length}</td>
                    <td className="num mono">{formatCount(g.rowCount)}</td>
                    <td className="num mono">{formatStat(g.ttlSeconds / 3600)} h</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {group ? <GroupDetail key={group.name} group={group} onImported={groups.reload} /> : null}
        </>
      )}
      <ConsumerLag title="Streaming ingestion (feature-rows topic)" load={() => api.featureRowsLag()} testId="feature-rows-lag" />
    </>
  );
}

function GroupDetail({ group, onImported }: { group: FeatureGroupResponse; onImported: () => void }) {
  const stats = useApi(() => api.featureGroupStats(group.name), [group.name]);
  const reload = () => {
    stats.reload();
    onImported();
  };
  return (
    <section className="card" data-testid="feature-group-detail" data-group={group.name}>
      <h2 className="card-title">
        <span className="mono">{group.name}</span>
      </h2>
      {stats.error ? <ErrorNotice error={stats.error} onRetry={stats.reload} compact /> : null}
      {stats.data ? <Stats stats={stats.data} /> : stats.loading ? <Loading what="Reading the rows" /> : null}
      {group.aggregation ? (
        <Aggregation group={group.name} aggregation={group.aggregation} onBackfilled={reload} />
      ) : (
        <ImportForm group={group} onImported={reload} />
      )}
    </section>
  );
}

function Stats({ stats }: { stats: FeatureGroupStatsResponse }) {
  return (
    <div className="stack">
      <dl className="facts" data-testid="feature-group-freshness">
        <div>
          <dt>Rows</dt>
          <dd>{formatCount(stats.rows)}</dd>
        </div>
        <div>
          <dt>Entities</dt>
          <dd>{formatCount(stats.entities)}</dd>
        </div>
        <div>
          <dt>Event times</dt>
          <dd>{stats.oldestEventTime ? `${formatTime(stats.oldestEventTime)} – ${formatTime(stats.newestEventTime!)}` : '—'}</dd>
        </div>
        <div>
          <dt>Last ingested</dt>
          <dd>{stats.lastIngestedAt ? formatTime(stats.lastIngestedAt) : '—'}</dd>
        </div>
        <div>
          <dt>Online store</dt>
          <dd data-testid="feature-group-online">
            {stats.lastMaterialization
              ? `${formatCount(stats.lastMaterialization.entityCount)} entities as of ${formatTime(stats.lastMaterialization.asOf)}`
              : 'never materialized'}
          </dd>
        </div>
      </dl>
      <div className="table-wrap">
        <table className="table table-compact" data-testid="feature-stats">
          <thead>
            <tr>
              <th>Feature</th>
              <th>type</th>
              <th className="num">values</th>
              <th className="num">missing</th>
              <th className="num">mean</th>
              <th className="num">min</th>
              <th className="num">max</th>
              <th className="num">distinct</th>
            </tr>
          </thead>
          <tbody>
            {stats.features.map((f) => (
              <tr key={f.name} data-testid="feature-stats-row" data-feature={f.name}>
                <td className="mono">{f.name}</td>
                <td>{f.dtype}</td>
                <td className="num mono">{formatCount(f.count)}</td>
                <td className="num mono">{f.missingShare === null ? '—' : formatShare(f.missingShare, 1)}</td>
                <td className="num mono">{formatStat(f.mean)}</td>
                <td className="num mono">{formatStat(f.min)}</td>
                <td className="num mono">{formatStat(f.max)}</td>
                <td className="num mono">{f.distinct === null ? '—' : formatCount(f.distinct)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

/** An aggregation group's definition (its rows are computed from the source's, never imported) and a backfill. */
function Aggregation({ group, aggregation, onBackfilled }: { group: string; aggregation: FeatureAggregation; onBackfilled: () => void }) {
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<BackfillResponse | null>(null);
  const [busy, setBusy] = useState(false);

  const backfill = async () => {
    setBusy(true);
    setError(undefined);
    setDone(null);
    try {
      setDone(await api.backfillFeatureGroup(group));
      onBackfilled();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="stack" data-testid="feature-group-aggregation">
      <h3 className="section-title">Computed from a stream</h3>
      <p className="muted">
        One value per <span className="mono">{aggregation.keyColumn}</span> of the rows of{' '}
        <span className="mono">{aggregation.source}</span> at each of their event times, recomputed as rows arrive there (Kafka, the API, a
        file); a backfill computes them over its offline rows.
      </p>
      <div className="table-wrap">
        <table className="table table-compact">
          <thead>
            <tr>
              <th>Feature</th>
              <th>window</th>
            </tr>
          </thead>
          <tbody>
            {aggregation.windows.map((w) => (
              <tr key={w.name} data-testid="aggregation-window" data-feature={w.name}>
                <td className="mono">{w.name}</td>
                <td>{describeWindow(w)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {error ? <ErrorNotice error={error} compact /> : null}
      {done ? (
        <p className="success-text" role="status" data-testid="backfill-done">
          Computed {formatCount(done.computed)} values of {formatCount(done.keys)} keys ({formatCount(done.written)} written,{' '}
          {formatCount(done.online)} online).
        </p>
      ) : null}
      <div className="form-actions">
        <button type="button" className="button" onClick={() => void backfill()} disabled={busy} data-testid="backfill-submit">
          {busy ? 'Backfilling…' : 'Backfill'}
        </button>
      </div>
    </div>
  );
}

/** A file of rows into the group: read by the API as it arrives, stored in one transaction or refused naming the row and column. */
function ImportForm({ group, onImported }: { group: FeatureGroupResponse; onImported: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [timeColumn, setTimeColumn] = useState('event_time');
  const [entityColumn, setEntityColumn] = useState('');
  const [writeOnline, setWriteOnline] = useState(false);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<IngestRowsResponse | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!file) return;
    setBusy(true);
    setError(undefined);
    setDone(null);
    try {
      setDone(
        await api.importRowsFile(group.name, file, file.name, {
          timeColumn: timeColumn.trim(),
          entityColumn: entityColumn.trim() || undefined,
          writeOnline,
        }),
      );
      onImported();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form" onSubmit={(event) => void submit(event)} data-testid="import-form" noValidate>
      <h3 className="section-title">Import a file</h3>
      <div className="form-grid">
        <label className="field">
          <span>File</span>
          <input
            type="file"
            name="importFile"
            accept=".csv,.parquet,.jsonl,.ndjson,text/csv"
            onChange={(e) => setFile(e.target.files?.[0] ?? null)}
          />
          <small className="hint">
            CSV with a header row, Parquet or JSON Lines: a column per feature ({group.features.map((f) => f.name).join(', ')}).
          </small>
        </label>
        <label className="field">
          <span>Time column</span>
          <input name="importTimeColumn" value={timeColumn} onChange={(e) => setTimeColumn(e.target.value)} spellCheck={false} />
        </label>
        <label className="field">
          <span>Entity column (optional)</span>
          <input
            name="importEntityColumn"
            value={entityColumn}
            onChange={(e) => setEntityColumn(e.target.value)}
            placeholder="the entity's join key"
            spellCheck={false}
          />
        </label>
        <label className="field checkbox">
          <input type="checkbox" name="importWriteOnline" checked={writeOnline} onChange={(e) => setWriteOnline(e.target.checked)} />
          <span>Also write the newest values to the online store</span>
        </label>
      </div>
      {error ? <ErrorNotice error={error} compact /> : null}
      {done ? (
        <p className="success-text" role="status" data-testid="import-done">
          Imported {formatCount(done.accepted)} rows ({formatCount(done.inserted)} new, {formatCount(done.replaced)} replaced).
        </p>
      ) : null}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={busy || !file} data-testid="import-submit">
          {busy ? 'Importing…' : 'Import'}
        </button>
      </div>
    </form>
  );
}
