'use client';

import { useState } from 'react';

import type { ApiKeyResponse } from '@atelier/contracts';

import { Badge, type Tone } from '../../components/badge';
import { ErrorNotice } from '../../components/error-notice';
import { accessApi } from '../../lib/access-api';
import { formatCount, formatMinute } from '../../lib/format';
import { type KeyStatus, keyStatus } from './key-status';

const STATUS_TONES: Record<KeyStatus, Tone> = { active: 'success', expired: 'warning', revoked: 'neutral' };

/** One key; _Revoke_ asks once more before it acts, and revoking the session's own key signs out. */
export function KeyRow({ apiKey, isSessionKey, onChanged }: { apiKey: ApiKeyResponse; isSessionKey: boolean; onChanged: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const status = keyStatus(apiKey);

  const revoke = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await accessApi.revokeKey(apiKey.id);
    } catch (caught) {
      setError(caught);
      setBusy(false);
      return;
    }
    if (isSessionKey) {
      // this session's key no longer works: end the session too
      await fetch('/auth/sign-out', { method: 'POST' }).catch(() => undefined);
      window.location.assign('/sign-in');
      return;
    }
    setBusy(false);
    setConfirming(false);
    onChanged();
  };

  return (
    <>
      <tr
        data-testid="key-row"
        data-key-id={apiKey.id}
        data-name={apiKey.name}
        data-status={status}
        className={status === 'active' ? undefined : 'row-muted'}
      >
        <td>
          <div className="strong">{apiKey.name}</div>
          <div className="muted small mono">{apiKey.prefix}…</div>
        </td>
        <td>{apiKey.owner}</td>
        <td>
          <Badge tone={apiKey.role === 'admin' ? 'accent' : 'neutral'}>{apiKey.role}</Badge>
        </td>
        <td>
          <div className="badges">
            <Badge tone={STATUS_TONES[status]} testId="key-status">
              {status}
            </Badge>
            {isSessionKey ? <Badge tone="info">this session</Badge> : null}
          </div>
        </td>
        <td className="nowrap small">{formatMinute(apiKey.createdAt)}</td>
        <td className="nowrap small">
          {apiKey.revokedAt ? `revoked ${formatMinute(apiKey.revokedAt)}` : apiKey.expiresAt ? formatMinute(apiKey.expiresAt) : 'never'}
        </td>
        <td className="nowrap small">{formatMinute(apiKey.lastUsedAt)}</td>
        <td className="num small">
          {apiKey.rateLimitPerSecond === null ? <span className="muted">none</span> : `${formatCount(apiKey.rateLimitPerSecond)}/s`}
        </td>
        <td className="actions">
          {status === 'revoked' ? null : confirming ? (
            <span className="confirm" role="group" aria-label="Confirm revocation">
              <span className="small">{isSessionKey ? 'This is your key: you will be signed out. Revoke?' : 'Revoke for good?'}</span>
              <button
                type="button"
                className="button button-small button-danger"
                disabled={busy}
                onClick={() => void revoke()}
                data-testid="confirm-revoke"
              >
                {busy ? 'Revoking…' : 'Revoke'}
              </button>
              <button
                type="button"
                className="button button-small"
                disabled={busy}
                onClick={() => setConfirming(false)}
                data-testid="cancel-revoke"
              >
                Cancel
              </button>
            </span>
          ) : (
            <button type="button" className="button button-small" onClick={() => setConfirming(true)} data-testid="revoke-key">
              Revoke
            </button>
          )}
        </td>
      </tr>
      {error ? (
        <tr className="row-error">
          <td colSpan={9}>
            <ErrorNotice error={error} compact />
          </td>
        </tr>
      ) : null}
    </>
  );
}
