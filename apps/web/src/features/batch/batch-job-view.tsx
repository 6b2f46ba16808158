'use client';

import Link from 'next/link';
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
export function BatchJobView({ id }: { id: string }) {
  const job = useBatchJob(id);
  const [cancelling, setCancelling] = useState(false);
  const [cancelError, setCancelError] = useState<unknown>();

  const cancel = async () => {
    setCancelling(true);
    setCancelError(undefined);
    try {
      await api.cancelBatchJob(id);
      job.reload();
    } catch (error) {
      setCancelError(error);
    } finally {
      setCancelling(false);
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
        actions={data ? <JobActions job={data} cancelling={cancelling} onCancel={() => void cancel()} /> : null}
      />
      {job.error ? <ErrorNotice error={job.error} onRetry={job.reload} /> : null}
      {cancelError ? <ErrorNotice error={cancelError} /> : null}
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

/** Cancel while the job may still change; the Parquet file once it has succeeded. */
function JobActions({ job, cancelling, onCancel }: { job: BatchJobResponse; cancelling: boolean; onCancel: () => void }) {
  return (
    <>
      {!isFinished(job.status) ? (
        <button type="button" className="button button-danger" onClick={onCancel} disabled={cancelling} data-testid="cancel-batch">
          {cancelling ? 'Cancelling…' : 'Cancel'}
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
