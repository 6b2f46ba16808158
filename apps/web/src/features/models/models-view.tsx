'use client';

import Link from 'next/link';

import { AliasBadge } from '../../components/badge';
import { ErrorNotice } from '../../components/error-notice';
import { PageHeader } from '../../components/page-header';
import { EmptyState, Loading, UpdatedAt } from '../../components/states';
import { api } from '../../lib/api';
import { formatTime } from '../../lib/format';
import { useApi } from '../../lib/use-api';

export function ModelsView() {
  const models = useApi(() => api.listModels(), []);
  const rows = [...(models.data ?? [])].sort((a, b) => a.name.localeCompare(b.name));

  return (
    <>
      <PageHeader
        title="Models"
        description="Every registered model, its newest version and where its aliases point."
        actions={
          <>
            <UpdatedAt at={models.updatedAt} />
            <button type="button" className="button" onClick={models.reload} disabled={models.loading}>
              Refresh
            </button>
            <Link href="/upload" className="button" data-testid="upload-link">
              Upload a model
            </Link>
            <Link href="/train" className="button button-primary">
              Train a model
            </Link>
          </>
        }
      />
      {models.error ? <ErrorNotice error={models.error} onRetry={models.reload} /> : null}
      {models.data === undefined ? (
        models.loading ? (
          <Loading what="Loading models" />
        ) : null
      ) : rows.length === 0 ? (
        <EmptyState title="No models yet">
          Start a training job on the <Link href="/train">Train</Link> page; its model appears here when it succeeds.
        </EmptyState>
      ) : (
        <div className="card table-wrap">
          <table className="table" data-testid="models-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Description</th>
                <th className="num">Latest version</th>
                <th>Aliases</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((model) => (
                <tr key={model.name} data-testid="model-row" data-model={model.name}>
                  <td>
                    <Link href={`/models/${encodeURIComponent(model.name)}`} className="strong">
                      {model.name}
                    </Link>
                  </td>
                  <td className="muted">{model.description || '—'}</td>
                  <td className="num">{model.latestVersion === null ? '—' : `v${model.latestVersion}`}</td>
                  <td>
                    <div className="badges">
                      {Object.entries(model.aliases).length === 0 ? <span className="muted">—</span> : null}
                      {Object.entries(model.aliases)
                        .sort(([a], [b]) => (a === 'production' ? -1 : b === 'production' ? 1 : a.localeCompare(b)))
                        .map(([alias, version]) => (
                          <AliasBadge key={alias} alias={alias} version={version} />
                        ))}
                    </div>
                  </td>
                  <td className="nowrap muted">{formatTime(model.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
