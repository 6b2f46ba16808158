'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';

import type { BatchJobResponse } from '@atelier/contracts';

import { StatusBadge } from '../../components/badge';
import { ErrorNotice } from '../../components/error-notice';
import { PageHeader } from '../../components/page-header';
import { Loading } from '../../components/states';
import { api } from '../../lib/api';
import { shortId } from '../../lib/format';
import { isFinished } from '../../lib/job-status';
import { BatchError, BatchFacts, BatchProgress, useBatchJob } from './batch-job';
import { BatchPredictions } from './batch-predictions';
import { jobModelLabel, sourceLabel } from './batch-request';

/** One batch job: live progress while it runs, then its predictions and the Parquet file. */
export function BatchJobView({ id, canDelete }: { id: string; canDelete: boolean }) {
  const job = useBatchJob(id);
  const router = useRouter();
  const [busy, setBusy] = useState<'cancelling' | 'deleting' | null>(null);
  const [actionError, setActionError] = useState<unknown>();

  const act = async (action: 'cancelling' | 'deleting') => {
    if (action === 'deleting' && !window.confirm('Delete this batch job with its predictions and Parquet file?')) return;
    setBusy(action);
    setActionError(undefined);
    try {
      if (action === 'cancelling') {
        await api.cancelBatchJob(id);
        job.reload();
      } else {
        await api.deleteBatchJob(id);
        router.push('/batch');
      }
    } catch (error) {
      setActionError(error);
    } finally {
      setBusy(null);
    }
  };

  const data = job.data;
  return (
    <>
      <p className="breadcrumb">
        <Link href="/batch">Batch</Link> / <span>{shortId(id)}</span>
      </p>
      <PageHeader
        title={
          <>
            Batch job <code title={id}>{shortId(id)}</code>
          </>
        }
        description={data ? `${jobModelLabel(data)} scoring ${sourceLabel(data.source)}` : undefined}
        actions={data ? <JobActions job={data} busy={busy} canDelete={canDelete} onAct={(action) => void act(action)} /> : null}
      />
      {job.error ? <ErrorNotice error={job.error} onRetry={job.reload} /> : null}
      {actionError ? <ErrorNotice error={actionError} /> : null}
      {!data ? (
        job.loading ? (
          <Loading what="Loading the batch job" />
        ) : null
      ) : (
        <>
          <section className="card" data-testid="batch-job" data-job-id={id}>
            <div className="card-head">
              <h2 className="card-title">Progress</h2>
              <StatusBadge status={data.status} testId="job-status" />
            </div>
            <div className="stack">
              <BatchProgress job={data} />
              <BatchError job={data} />
              <BatchFacts job={data} />
            </div>
          </section>
          <BatchPredictions job={data} />
        </>
      )}
    </>
  );
}

const ACTIONS = {
  cancelling: { label: 'Cancel', busy: 'Cancelling…', testId: 'cancel-batch' },
  deleting: { label: 'Delete', busy: 'Deleting…', testId: 'delete-batch' },
} as const;

/** Cancel while the job may still change; then the Parquet file (once it has succeeded) and, for an admin, deletion. */
function JobActions({
  job,
  busy,
  canDelete,
  onAct,
}: {
  job: BatchJobResponse;
  busy: 'cancelling' | 'deleting' | null;
  canDelete: boolean;
  onAct: (action: 'cancelling' | 'deleting') => void;
}) {
  // one action at a time: cancel while the job may still change, then (an admin's) delete
  const action = !isFinished(job.status) ? 'cancelling' : canDelete ? 'deleting' : null;
  return (
    <>
      {action ? (
        <button
          type="button"
          className="button button-danger"
          onClick={() => onAct(action)}
          disabled={busy !== null}
          data-testid={ACTIONS[action].testId}
        >
          {busy === action ? ACTIONS[action].busy : ACTIONS[action].label}
        </button>
      ) : null}
      {job.outputUrl ? (
        // a path under this server's /api, whose proxy adds the session's key: a plain link downloads the file
        <a className="button button-primary" href={job.outputUrl} download data-testid="download-batch">
          Download Parquet
        </a>
      ) : null}
    </>
  );
}
