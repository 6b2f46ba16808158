import type { ReactNode } from 'react';

export type Tone = 'neutral' | 'info' | 'success' | 'warning' | 'danger' | 'accent';

export function Badge({
  tone = 'neutral',
  children,
  title,
  testId,
}: {
  tone?: Tone;
  children: ReactNode;
  title?: string;
  testId?: string;
}) {
  return (
    <span className={`badge badge-${tone}`} title={title} data-testid={testId}>
      {children}
    </span>
  );
}

const STATUS_TONES: Record<string, Tone> = {
  queued: 'neutral',
  running: 'info',
  succeeded: 'success',
  failed: 'danger',
  cancelled: 'neutral',
  open: 'danger',
  resolved: 'success',
};

/** A training job's or an alert's status, coloured by meaning. */
export function StatusBadge({ status, testId }: { status: string; testId?: string }) {
  return (
    <Badge tone={STATUS_TONES[status] ?? 'neutral'} testId={testId}>
      {status === 'running' ? <span className="pulse" aria-hidden /> : null}
      {status}
    </Badge>
  );
}

/** Model aliases: `production` stands out. */
export function AliasBadge({ alias, version }: { alias: string; version?: number }) {
  return (
    <Badge tone={alias === 'production' ? 'success' : alias === 'candidate' ? 'accent' : 'neutral'}>
      {alias}
      {version !== undefined ? ` → v${version}` : ''}
    </Badge>
  );
}
