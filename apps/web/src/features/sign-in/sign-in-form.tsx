'use client';

import { type FormEvent, useState } from 'react';

import { AtelierApiError } from '@atelier/sdk';

import { ErrorNotice } from '../../components/error-notice';
import { describeError, errorBodyOf } from '../../lib/api';

/**
 * One field, the API key. `/auth/sign-in` checks it with the API and keeps it in a sealed,
 * http-only cookie; this page forgets it as soon as it is sent, and never stores it.
 */
export function SignInForm({ next, signedInAs }: { next: string; signedInAs: string | null }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const response = await fetch('/auth/sign-in', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ key, next }),
        cache: 'no-store',
      });
      if (!response.ok) throw new AtelierApiError(response.status, await errorBodyOf(response));
      const answer = (await response.json()) as { next: string };
      setKey('');
      // a full load, so the layout renders with the new session
      window.location.assign(answer.next);
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  };

  return (
    <div className="sign-in">
      <form className="card form" onSubmit={(event) => void submit(event)} data-testid="sign-in-form" noValidate>
        <div>
          <h1>Sign in</h1>
          <p className="muted">Use an Atelier API key. Ask an admin for one if you have none.</p>
        </div>
        {signedInAs ? (
          <p className="hint" data-testid="signed-in-as">
            You are signed in as {signedInAs}; signing in again replaces that session.
          </p>
        ) : null}
        <label className="field">
          <span>API key</span>
          <input
            type="password"
            name="apiKey"
            value={key}
            onChange={(e) => setKey(e.target.value)}
            placeholder="atl_…"
            autoComplete="off"
            spellCheck={false}
            autoFocus
            required
            data-testid="api-key-input"
          />
        </label>
        {error ? (
          <div data-testid="sign-in-error">
            <ErrorNotice error={error} title={describeError(error).kind === 'api' ? 'Sign-in refused' : undefined} />
          </div>
        ) : null}
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={busy} data-testid="sign-in-submit">
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </div>
        <p className="hint">
          The key stays on this web server, encrypted in an http-only cookie, for 12 hours at most (less if the key expires sooner).
        </p>
      </form>
    </div>
  );
}
