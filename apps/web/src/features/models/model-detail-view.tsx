'use client';

import Link from 'next/link';
import { useState } from 'react';

import type { ModelVersionResponse } from '@atelier/contracts';

import { AliasBadge } from '../../components/badge';
import { ErrorNotice } from '../../components/error-notice';
import { PageHeader } from '../../components/page-header';
import { EmptyState, Loading } from '../../components/states';
import { api } from '../../lib/api';
import { formatCount, formatDate, formatMetric, formatMinute, formatTime, metricKeys, shortId } from '../../lib/format';
import { useApi } from '../../lib/use-api';
import { VersionCompare } from './version-compare';
import { VersionReport } from './version-report';

const PRODUCTION = 'production';

export function ModelDetailView({ name, highlight }: { name: string; highlight?: number }) {
  const state = useApi(async () => {
    const [model, versions] = await Promise.all([api.getModel(name), api.listVersions(name)]);
    return { model, versions: [...versions].sort((a, b) => b.version - a.version) };
  }, [name]);
  const [promoting, setPromoting] = useState<number | null>(null);
  const [actionError, setActionError] = useState<unknown>();
  // the version whose evaluation report is open below the table
  const [reported, setReported] = useState<number | null>(null);
  const toggleReport = (version: number) => setReported((open) => (open === version ? null : version));

  const promote = async (version: number) => {
    setPromoting(version);
    setActionError(undefined);
    try {
      await api.setAlias(name, PRODUCTION, version);
      state.reload();
    } catch (error) {
      setActionError(error);
    } finally {
      setPromoting(null);
    }
  };

  const model = state.data?.model;
  const versions = state.data?.versions ?? [];
  const metrics = metricKeys(versions.map((v) => v.metrics));

  return (
    <>
      <p className="breadcrumb">
        <Link href="/models">Models</Link> / <span>{name}</span>
      </p>
      <PageHeader
        title={name}
        description={model?.description || 'Versions, their metrics and lineage; promote one to production.'}
        actions={
          <>
            <div className="badges">
              {Object.entries(model?.aliases ?? {}).map(([alias, version]) => (
                <AliasBadge key={alias} alias={alias} version={version} />
              ))}
            </div>
            <Link className="button" href={`/models/${name}/deploy`} data-testid="deploy-link">
              Deploy
            </Link>
            <Link className="button" href={`/models/${name}/drift`} data-testid="drift-link">
              Monitoring
            </Link>
            <button type="button" className="button" onClick={state.reload} disabled={state.loading}>
              Refresh
            </button>
          </>
        }
      />
      {state.error ? <ErrorNotice error={state.error} onRetry={state.reload} /> : null}
      {actionError ? <ErrorNotice error={actionError} /> : null}
      {state.data === undefined ? (
        state.loading ? (
          <Loading what="Loading versions" />
        ) : null
      ) : versions.length === 0 ? (
        <EmptyState title="No versions yet">A training job registers a version when it succeeds.</EmptyState>
      ) : (
        <>
          <section className="card table-wrap">
            <h2 className="card-title">Versions</h2>
            <table className="table" data-testid="versions-table">
              <thead>
                <tr>
                  <th>Version</th>
                  <th>Created (UTC)</th>
                  {metrics.map((key) => (
                    <th key={key} className="num">
                      {key}
                    </th>
                  ))}
                  <th>Aliases</th>
                  <th>Artifact</th>
                  <th>Lineage</th>
                </tr>
              </thead>
              <tbody>
                {versions.map((version) => (
                  <VersionRow
                    key={version.version}
                    version={version}
                    metrics={metrics}
                    highlighted={version.version === highlight}
                    reported={version.version === reported}
                    onReport={() => toggleReport(version.version)}
                    promoting={promoting === version.version}
                    onPromote={() => void promote(version.version)}
                    busy={promoting !== null}
                  />
                ))}
              </tbody>
            </table>
          </section>
          {reported !== null ? <VersionReport model={name} version={reported} onClose={() => setReported(null)} /> : null}
          <VersionCompare versions={versions} production={model?.aliases[PRODUCTION]} />
        </>
      )}
    </>
  );
}

function VersionRow(props: {
  version: ModelVersionResponse;
  metrics: string[];
  highlighted: boolean;
  reported: boolean;
  promoting: boolean;
  busy: boolean;
  onPromote: () => void;
  onReport: () => void;
}) {
  const { version, metrics, highlighted, reported, promoting, busy, onPromote, onReport } = props;
  const { lineage } = version;
  const isProduction = version.aliases.includes(PRODUCTION);
  return (
    <tr
      data-testid="version-row"
      data-version={version.version}
      className={['row-clickable', highlighted ? 'row-highlight' : '', reported ? 'row-selected' : ''].filter(Boolean).join(' ')}
      onClick={(event) => {
        // the row opens the report, except from its own links and buttons or while selecting text
        if ((event.target as HTMLElement).closest('a, button') || window.getSelection()?.toString()) return;
        onReport();
      }}
    >
      <td>
        <div className="strong">v{version.version}</div>
        <code className="muted small">{version.modelType}</code>
        <div>
          <button
            type="button"
            className="link-button report-toggle"
            onClick={onReport}
            aria-expanded={reported}
            data-testid="version-report-toggle"
          >
            {reported ? 'Hide report' : 'Report'}
          </button>
        </div>
      </td>
      <td className="nowrap muted" title={formatTime(version.createdAt)}>
        {formatMinute(version.createdAt)}
      </td>
      {metrics.map((key) => (
        <td key={key} className="num mono">
          {formatMetric(version.metrics[key])}
        </td>
      ))}
      <td>
        <div className="alias-cell">
          <div className="badges">
            {version.aliases.map((alias) => (
              <AliasBadge key={alias} alias={alias} />
            ))}
          </div>
          {isProduction ? null : (
            <button type="button" className="button button-small" onClick={onPromote} disabled={busy} data-testid="set-production">
              {promoting ? 'Setting…' : 'Set production'}
            </button>
          )}
        </div>
      </td>
      <td>
        <code title={`${version.artifact.sha256}\n${version.artifact.uri}`}>{version.artifact.sha256.slice(0, 12)}</code>
        <div className="muted small">{formatCount(version.artifact.bytes)} B</div>
      </td>
      <td className="small lineage">
        <div>
          job{' '}
          {lineage.trainingJobId ? (
            <Link href={`/train?job=${encodeURIComponent(lineage.trainingJobId)}`} title={lineage.trainingJobId}>
              <code>{shortId(lineage.trainingJobId)}</code>
            </Link>
          ) : (
            <span className="muted">—</span>
          )}
          {lineage.source ? <span className="muted"> · from {lineage.source}</span> : null}
        </div>
        {lineage.window ? (
          <div className="muted" title={`validation from ${lineage.window.validationStart}`}>
            {formatDate(lineage.window.start)} → {formatDate(lineage.window.end)} (val. {formatDate(lineage.window.validationStart)})
          </div>
        ) : null}
        {lineage.trainRows !== null ? (
          <div className="muted">
            {formatCount(lineage.trainRows)} train / {formatCount(lineage.validationRows)} val. rows
          </div>
        ) : null}
      </td>
    </tr>
  );
}
