'use client';

import { useState } from 'react';

import type { BatchJobResponse } from '@atelier/contracts';

import { PageHeader } from '../../components/page-header';
import { api } from '../../lib/api';
import { useApi } from '../../lib/use-api';
import { BatchFileForm } from './batch-file-form';
import { BatchForm } from './batch-form';
import { BatchJobCard } from './batch-job';
import { BatchJobs } from './batch-jobs';

const SHOWN = 50;

export function BatchView({ initialJobId }: { initialJobId?: string }) {
  const [jobId, setJobId] = useState<string | undefined>(initialJobId);
  const jobs = useApi(() => api.listBatchJobs({ limit: SHOWN }), [], { refreshMs: 5000 });

  /** Follow the new job, and keep it in the URL so a reload shows the same job. */
  const created = (job: BatchJobResponse) => {
    setJobId(job.id);
    const url = new URL(window.location.href);
    url.searchParams.set('job', job.id);
    window.history.replaceState(null, '', url);
    jobs.reload();
  };

  return (
    <>
      <PageHeader
        title="Batch scoring"
        description="Score a feature group's rows in a time window, or a CSV or Parquet file, with a model version, its features joined as of each row's time; download the predictions as Parquet."
      />
      <div className="split">
        <div className="stack">
          <BatchForm onCreated={created} />
          <BatchFileForm onCreated={created} />
        </div>
        <div className="stack">
          {jobId ? (
            <BatchJobCard key={jobId} jobId={jobId} onFinished={jobs.reload} />
          ) : (
            <section className="card">
              <h2 className="card-title">Job</h2>
              <p className="muted">Queue a job to follow it live here, or open one from the list below.</p>
            </section>
          )}
        </div>
      </div>
      <BatchJobs state={jobs} selected={jobId} />
    </>
  );
}
