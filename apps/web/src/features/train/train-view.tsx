'use client';

import { useCallback, useState } from 'react';

import type { TrainingJobResponse } from '@atelier/contracts';

import { PageHeader } from '../../components/page-header';
import { api } from '../../lib/api';
import { useApi } from '../../lib/use-api';
import { type ClonedForm, cloneRequest } from './job-clone';
import { JobPanel } from './job-panel';
import { RecentJobs } from './recent-jobs';
import { TrainingForm } from './training-form';

export function TrainView({ initialJobId }: { initialJobId?: string }) {
  const [jobId, setJobId] = useState<string | undefined>(initialJobId);
  // a job cloned into the form: `n` gives the form a new key, so it starts over from the clone
  const [clone, setClone] = useState<{ form: ClonedForm; n: number }>();
  const jobs = useApi(() => api.listTrainingJobs(), [], { refreshMs: 5000 });

  /** Watch a job, and keep it in the URL so a reload or a shared link shows the same job. */
  const watch = useCallback((id: string) => {
    setJobId(id);
    const url = new URL(window.location.href);
    url.searchParams.set('job', id);
    window.history.replaceState(null, '', url);
  }, []);

  const started = (job: TrainingJobResponse) => {
    watch(job.id);
    jobs.reload();
  };

  return (
    <>
      <PageHeader
        title="Train"
        description="Build a point-in-time correct training set from the feature store, train a model and register it as a new version."
      />
      <div className="split">
        <TrainingForm key={clone?.n ?? 0} clone={clone?.form} onStarted={started} />
        <div className="stack">
          {jobId ? (
            <JobPanel
              key={jobId}
              jobId={jobId}
              onFinished={jobs.reload}
              onClone={(job) => setClone((c) => ({ form: cloneRequest(job.request), n: (c?.n ?? 0) + 1 }))}
            />
          ) : (
            <section className="card">
              <h2 className="card-title">Job</h2>
              <p className="muted">Start a job, or pick one from the recent jobs below, to follow it live here.</p>
            </section>
          )}
        </div>
      </div>
      <RecentJobs state={jobs} selected={jobId} onWatch={watch} />
    </>
  );
}
