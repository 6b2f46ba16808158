'use client';

import { useState } from 'react';

import type { CreatedApiKeyResponse } from '@atelier/contracts';

import { ErrorNotice } from '../../components/error-notice';
import { PageHeader } from '../../components/page-header';
import { EmptyState, ListBody } from '../../components/states';
import { accessApi } from '../../lib/access-api';
import { useApi } from '../../lib/use-api';
import { CreatedKey } from './created-key';
import { KeyForm } from './key-form';
import { KeyRow } from './key-row';
import { byStatusThenNewest } from './key-status';

/** `sessionKeyId`: the key this page is used with, marked in the list (revoking it signs out). */
export function KeysView({ sessionKeyId }: { sessionKeyId: string }) {
  const keys = useApi(() => accessApi.listKeys(), []);
  const [created, setCreated] = useState<CreatedApiKeyResponse | null>(null);
  const rows = [...(keys.data ?? [])].sort(byStatusThenNewest);

  return (
    <>
      <PageHeader
        title="API keys"
        description="Who may call the API, and with which role. A key is shown once, when it is created; Atelier keeps only its hash."
        actions={
          <button type="button" className="button" onClick={keys.reload} disabled={keys.loading}>
            Refresh
          </button>
        }
      />
      {keys.error ? <ErrorNotice error={keys.error} onRetry={keys.reload} /> : null}
      <section className="card table-wrap">
        <h2 className="card-title">Keys</h2>
        <ListBody
          state={keys}
          count={rows.length}
          loadingWhat="Loading keys"
          empty={<EmptyState title="No keys">Create one with the form.</EmptyState>}
        >
          <table className="table" data-testid="keys-table">
            <thead>
              <tr>
                <th>Key</th>
                <th>Owner</th>
                <th>Role</th>
                <th>Status</th>
                <th>Created (UTC)</th>
                <th>Expires (UTC)</th>
                <th>Last used (UTC)</th>
                <th className="num">Rate limit</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {rows.map((key) => (
                <KeyRow key={key.id} apiKey={key} isSessionKey={key.id === sessionKeyId} onChanged={keys.reload} />
              ))}
            </tbody>
          </table>
        </ListBody>
      </section>
      {created ? <CreatedKey created={created} onDone={() => setCreated(null)} /> : null}
      <KeyForm
        onCreated={(key) => {
          setCreated(key);
          keys.reload();
        }}
      />
    </>
  );
}
