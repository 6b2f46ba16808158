'use client';

import { usePathname } from 'next/navigation';

import { describeError } from '../lib/api';

/**
 * A readable error: "cannot reach the API", an API error with its code and request id, or other.
 * A session that ended (401) gets a link to sign in again and come back here.
 */
export function ErrorNotice({
  error,
  onRetry,
  compact = false,
  title,
}: {
  error: unknown;
  onRetry?: () => void;
  compact?: boolean;
  title?: string;
}) {
  const info = describeError(error);
  const pathname = usePathname();
  const signIn = info.code === 'UNAUTHENTICATED' && pathname !== '/sign-in';
  return (
    <div
      className={`notice notice-${info.kind === 'api' ? 'warning' : 'error'}${compact ? ' notice-compact' : ''}`}
      role="alert"
      data-testid={info.kind === 'unreachable' ? 'api-unreachable' : 'api-error'}
    >
      <div className="notice-body">
        <strong>{title ?? info.title}</strong>
        <span>{info.message}</span>
        {info.details.length > 0 ? (
          <ul className="notice-details">
            {info.details.map((line, index) => (
              <li key={index}>{line}</li>
            ))}
          </ul>
        ) : null}
        {info.requestId && info.requestId !== 'unknown' ? (
          <span className="muted small">
            {info.code} · request {info.requestId}
          </span>
        ) : null}
        {signIn ? (
          <a href={`/sign-in?next=${encodeURIComponent(pathname)}`} data-testid="sign-in-again">
            Sign in again
          </a>
        ) : null}
      </div>
      {onRetry ? (
        <button type="button" className="button button-small" onClick={onRetry}>
          Retry
        </button>
      ) : null}
    </div>
  );
}

/** Problems found before anything was sent. */
export function IssueList({ issues }: { issues: string[] }) {
  if (issues.length === 0) return null;
  return (
    <div className="notice notice-warning" role="alert" data-testid="form-issues">
      <div className="notice-body">
        <strong>Please fix the form</strong>
        <ul className="notice-details">
          {issues.map((line, index) => (
            <li key={index}>{line}</li>
          ))}
        </ul>
      </div>
    </div>
  );
}
