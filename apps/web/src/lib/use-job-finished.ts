'use client';

import { useEffect, useRef } from 'react';

/** Calls `onFinished` once when the followed job ends (again only for another job id). */
export function useJobFinished(jobId: string, finished: boolean, onFinished: (() => void) | undefined): void {
  const reported = useRef<string | null>(null);
  useEffect(() => {
    if (finished && reported.current !== jobId) {
      reported.current = jobId;
      onFinished?.();
    }
  }, [finished, jobId, onFinished]);
}
