'use client';

import { type FormEvent, useState } from 'react';

import { ApiKeyRole, CreateApiKeyRequest, type CreatedApiKeyResponse } from '@atelier/contracts';

import { ErrorNotice, IssueList } from '../../components/error-notice';
import { accessApi } from '../../lib/access-api';
import { issueLines } from '../../lib/validation';

const EMPTY = { name: '', owner: '', role: 'viewer' as ApiKeyRole, expiresAt: '', rateLimitPerSecond: '' };

const ROLE_HINTS: Record<ApiKeyRole, string> = {
  viewer: 'reads everything',
  editor: 'also trains, registers, moves aliases, edits monitors, predicts',
  admin: 'also manages keys, deletes, reads the audit log',
  service: 'predicts and records outcomes only',
};

/** A `datetime-local` value (`2026-12-31T18:00`) read as UTC, like every time the UI shows. */
function utcFromInput(value: string): string {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value)
    ? `${value}:00Z`
    : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(value)
      ? `${value}Z`
      : value;
}

export function KeyForm({ onCreated }: { onCreated: (key: CreatedApiKeyResponse) => void }) {
  const [form, setForm] = useState(EMPTY);
  const [issues, setIssues] = useState<string[]>([]);
  const [error, setError] = useState<unknown>();
  const [saving, setSaving] = useState(false);
  const set = <K extends keyof typeof EMPTY>(key: K, value: (typeof EMPTY)[K]) => setForm((current) => ({ ...current, [key]: value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    const parsed = CreateApiKeyRequest.safeParse({
      name: form.name,
      owner: form.owner,
      role: form.role,
      ...(form.expiresAt ? { expiresAt: utcFromInput(form.expiresAt) } : {}),
      ...(form.rateLimitPerSecond.trim() ? { rateLimitPerSecond: Number(form.rateLimitPerSecond) } : {}),
    });
    const problems = issueLines(parsed);
    if (parsed.success && parsed.data.expiresAt && Date.parse(parsed.data.expiresAt) <= Date.now()) {
      problems.push('expiresAt: pick a time in the future');
    }
    setIssues(problems);
    if (!parsed.success || problems.length > 0) return;
    setSaving(true);
    try {
      onCreated(await accessApi.createKey(parsed.data));
      setForm(EMPTY);
    } catch (caught) {
      setError(caught);
    } finally {
      setSaving(false);
    }
  };

  return (
    <form className="card form" onSubmit={(event) => void submit(event)} data-testid="key-form" noValidate>
      <h2 className="card-title">New key</h2>
      <div className="form-grid">
        <label className="field">
          <span>Name</span>
          <input value={form.name} onChange={(e) => set('name', e.target.value)} name="name" placeholder="ci pipeline" />
        </label>
        <label className="field">
          <span>Owner</span>
          <input value={form.owner} onChange={(e) => set('owner', e.target.value)} name="owner" placeholder="ada@example.com" />
        </label>
        <label className="field">
          <span>Role</span>
          <select value={form.role} onChange={(e) => set('role', ApiKeyRole.parse(e.target.value))} name="role">
            {ApiKeyRole.options.map((role) => (
              <option key={role} value={role}>
                {role}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Expires (UTC, optional)</span>
          <input type="datetime-local" value={form.expiresAt} onChange={(e) => set('expiresAt', e.target.value)} name="expiresAt" />
        </label>
        <label className="field">
          <span>Rate limit (optional)</span>
          <input
            type="number"
            min={1}
            step={1}
            value={form.rateLimitPerSecond}
            onChange={(e) => set('rateLimitPerSecond', e.target.value)}
            name="rateLimitPerSecond"
            placeholder="predictions per second"
          />
        </label>
      </div>
      <p className="hint">
        A <strong>{form.role}</strong> key {ROLE_HINTS[form.role]}.{' '}
        {form.expiresAt ? `It stops working at ${utcFromInput(form.expiresAt)}.` : 'It works until it is revoked.'}{' '}
        {form.rateLimitPerSecond.trim()
          ? `At most ${form.rateLimitPerSecond} predictions per second, across all servers.`
          : 'No rate limit.'}
      </p>
      <IssueList issues={issues} />
      {error ? <ErrorNotice error={error} /> : null}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={saving} data-testid="create-key">
          {saving ? 'Creating…' : 'Create key'}
        </button>
      </div>
    </form>
  );
}
