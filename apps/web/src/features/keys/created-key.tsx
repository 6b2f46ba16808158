'use client';

import { useState } from 'react';

import type { CreatedApiKeyResponse } from '@atelier/contracts';

/** The new key, this once: the API keeps only its hash, so it cannot be shown again. */
export function CreatedKey({ created, onDone }: { created: CreatedApiKeyResponse; onDone: () => void }) {
  const [copy, setCopy] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copyKey = async () => {
    try {
      await navigator.clipboard.writeText(created.key);
      setCopy('copied');
    } catch {
      setCopy('failed');
    }
  };

  return (
    <section className="card created-key" data-testid="created-key" role="status">
      <h2 className="card-title">
        New {created.role} key “{created.name}” for {created.owner}
      </h2>
      <div className="secret">
        <code data-testid="created-key-value">{created.key}</code>
        <button type="button" className="button button-small" onClick={() => void copyKey()} data-testid="copy-key">
          {copy === 'copied' ? 'Copied' : 'Copy'}
        </button>
      </div>
      <p className="hint warning-text">
        Copy it now and hand it over safely: this is the only time it is shown. A lost key cannot be shown again; revoke it and create
        another.
      </p>
      {copy === 'failed' ? <p className="hint">The browser did not allow copying: select the key and copy it by hand.</p> : null}
      <div className="form-actions">
        <button type="button" className="button" onClick={onDone} data-testid="created-key-done">
          Done, I have copied it
        </button>
      </div>
    </section>
  );
}
