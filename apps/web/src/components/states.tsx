import type { ReactNode } from 'react';

import type { ApiState } from '../lib/use-api';
import { ErrorNotice } from './error-notice';

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p className="loading muted" data-testid="loading">
      <span className="spinner" aria-hidden /> {what}…
    </p>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty" data-testid="empty-state">
      <strong>{title}</strong>
      {children ? <div className="muted">{children}</div> : null}
    </div>
  );
}

/** "Updated 12:00:05 UTC · refreshes every 5 s" */
export function UpdatedAt({ at, everySeconds }: { at: Date | null; everySeconds?: number }) {
  if (!at) return null;
  return (
    <span className="muted small" data-testid="updated-at">
      Updated {at.toISOString().slice(11, 19)} UTC{everySeconds ? ` · refreshes every ${everySeconds} s` : ''}
    </span>
  );
}

/**
 * What a list `state` loads shows as: a spinner while nothing has loaded yet, `empty` when the
 * list is empty, else `children` (the table).
 */
export function ListBody({
  state,
  count,
  loadingWhat,
  empty,
  children,
}: {
  state: ApiState<unknown>;
  /** how many rows the list shows */
  count: number;
  loadingWhat: string;
  empty: ReactNode;
  children: ReactNode;
}) {
  if (state.data === undefined) return state.loading ? <Loading what={loadingWhat} /> : null;
  return count === 0 ? empty : children;
}

/**
 * A card over a list `state` loads and refreshes: its title and when it was last updated, the
 * load's error (with a retry), then the list (`ListBody`).
 */
export function ListCard({ title, everySeconds = 5, ...body }: Parameters<typeof ListBody>[0] & { title: string; everySeconds?: number }) {
  const { state } = body;
  return (
    <section className="card table-wrap">
      <div className="card-head">
        <h2 className="card-title">{title}</h2>
        <UpdatedAt at={state.updatedAt} everySeconds={everySeconds} />
      </div>
      {state.error ? <ErrorNotice error={state.error} onRetry={state.reload} compact /> : null}
      <ListBody {...body} />
    </section>
  );
}
