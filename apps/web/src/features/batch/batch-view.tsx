'use client';

import { useState } from 'react';

import type { BatchJobResponse } from '@atelier/contracts';

import { PageHeader } from '../../components/page-header';
import { api } from '../../lib/api';
import { useApi } from '../../lib/use-api';
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
        description="Score a feature group's rows in a time window with a model version, its features joined as of each row's event time; download the predictions as Parquet."
      />
      <div className="split">
        <BatchForm onCreated={created} />
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
