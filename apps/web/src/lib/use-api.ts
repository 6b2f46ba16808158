'use client';

import { type DependencyList, useCallback, useEffect, useRef, useState } from 'react';

import { AtelierApiError } from '@atelier/sdk';

export interface ApiState<T> {
  data: T | undefined;
  /** the last call's error; `data` keeps the last good answer meanwhile */
  error: unknown;
  loading: boolean;
  updatedAt: Date | null;
  reload: () => void;
}

export interface UseApiOptions<T> {
  /** call again this many ms after each answer */
  refreshMs?: number;
  /** stop refreshing once this is true of an answer (e.g. a finished job) */
  stopWhen?: (data: T) => boolean;
  /** when false, nothing is called */
  enabled?: boolean;
}

/**
 * Whether asking again cannot change an error: the API refused the request itself (a 4xx: no such
 * job, no access), except a timeout or a rate limit, which pass.
 */
export function isFinalRefusal(error: unknown): boolean {
  return error instanceof AtelierApiError && error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429;
}

/**
 * Calls `load` when `deps` change, and again every `refreshMs` after the previous call settles,
 * so slow answers never pile up; a refusal that asking again cannot change (`isFinalRefusal`, e.g.
 * a 404) stops the refreshing until `reload`. Answers that arrive after unmount or a deps change are dropped.
 */
export function useApi<T>(load: () => Promise<T>, deps: DependencyList, options: UseApiOptions<T> = {}): ApiState<T> {
  const { refreshMs, enabled = true } = options;
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(enabled);
  const [updatedAt, setUpdatedAt] = useState<Date | null>(null);
  const [tick, setTick] = useState(0);
  const latest = useRef({ load, stopWhen: options.stopWhen });
  latest.current = { load, stopWhen: options.stopWhen };

  useEffect(() => {
    if (!enabled) {
      setLoading(false);
      return;
    }
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      setLoading(true);
      let stop = false;
      try {
        const answer = await latest.current.load();
        if (cancelled) return;
        setData(answer);
        setError(undefined);
        setUpdatedAt(new Date());
        stop = latest.current.stopWhen?.(answer) ?? false;
      } catch (caught) {
        if (cancelled) return;
        setError(caught);
        stop = isFinalRefusal(caught);
      }
      setLoading(false);
      if (refreshMs && !stop) timer = setTimeout(() => void run(), refreshMs);
    };
    void run();
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
    // `deps` stand for what `load` reads (it is kept in a ref); `tick` forces a reload.
  }, [...deps, tick, refreshMs, enabled]);

  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data, error, loading, updatedAt, reload };
}
