import type { ReactNode } from 'react';

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
