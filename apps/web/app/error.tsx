'use client';

/** Last-resort boundary: a rendering bug shows a message and a retry, never a blank page. */
export default function PageError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="notice notice-error" role="alert">
      <div className="notice-body">
        <strong>This page failed to render</strong>
        <span>{error.message}</span>
      </div>
      <button type="button" className="button button-small" onClick={reset}>
        Retry
      </button>
    </div>
  );
}
