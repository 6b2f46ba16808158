'use client';

import { useCallback, useEffect, useState } from 'react';

import type { TrainingJobResponse } from '@atelier/contracts';

import { api } from './api';
import { isFinished } from './job-status';

export interface JobStream {
  data: TrainingJobResponse | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/**
 * A training job as the server pushes it (server-sent events through this server's `/api`
 * proxy): every change of its progress, events and trials as it happens, until it ends. A stream
 * that cannot be opened (e.g. an unknown job) is asked once more as a plain request, whose error
 * says why.
 */
export function useJobStream(jobId: string): JobStream {
  const [data, setData] = useState<TrainingJobResponse>();
  const [error, setError] = useState<unknown>();
  const [attempt, setAttempt] = useState(0);
  const reload = useCallback(() => setAttempt((n) => n + 1), []);

  useEffect(() => {
    let closed = false;
    const source = new EventSource(`/api/training-jobs/${encodeURIComponent(jobId)}/events`);
    source.addEventListener('job', (event) => {
      const job = JSON.parse((event as MessageEvent<string>).data) as TrainingJobResponse;
      setData(job);
      setError(undefined);
      if (isFinished(job.status)) {
        closed = true;
        source.close(); // the server ends the stream too; no reconnecting
      }
    });
    source.onerror = () => {
      // EventSource reconnects by itself after a dropped stream; a refused one it gives up on
      if (closed || source.readyState !== EventSource.CLOSED) return;
      api.getTrainingJob(jobId).then(setData, setError);
    };
    return () => {
      closed = true;
      source.close();
    };
  }, [jobId, attempt]);

  return { data, error, loading: data === undefined && error === undefined, reload };
}
