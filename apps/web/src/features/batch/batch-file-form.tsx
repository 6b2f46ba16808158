'use client';

import { type FormEvent, useState } from 'react';

import type { BatchJobResponse } from '@atelier/contracts';

import { ErrorNotice, IssueList } from '../../components/error-notice';
import { api } from '../../lib/api';
import { useApi } from '../../lib/use-api';
import { ModelSelect } from './batch-fields';
import { type FileFormState, fileJobFields, initialFileForm } from './batch-file-request';
import { defaultModel } from './batch-request';

/**
 * A batch job over a file instead of a group's window: CSV with a header row, or Parquet. The API
 * streams it, checks every row before the job is created, and names any column it lacks.
 */
export function BatchFileForm({ onCreated }: { onCreated: (job: BatchJobResponse) => void }) {
  const models = useApi(() => api.listModels(), []);
  const [form, setForm] = useState<FileFormState>(initialFileForm);
  const [file, setFile] = useState<File | null>(null);
  const [issues, setIssues] = useState<string[]>([]);
  const [submitError, setSubmitError] = useState<unknown>();
  const [submitting, setSubmitting] = useState(false);
  const scorable = (models.data ?? []).filter((m) => m.latestVersion !== null);
  const model = form.model || defaultModel(scorable);
  const set = (change: Partial<FileFormState>) => setForm((current) => ({ ...current, ...change }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitError(undefined);
    const checked = fileJobFields({ ...form, model });
    setIssues('problems' in checked ? checked.problems : []);
    if ('problems' in checked || !file) return;
    setSubmitting(true);
    try {
      onCreated(await api.uploadBatchJob(file, file.name, checked.fields));
    } catch (error) {
      setSubmitError(error);
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <form className="card form" onSubmit={(event) => void submit(event)} data-testid="batch-file-form" noValidate>
      <h2 className="card-title">Score a file</h2>
      <div className="grid-2">
        <ModelSelect
          name="fileModel"
          value={model}
          models={models.data ?? []}
          loading={models.loading}
          onChange={(m) => set({ model: m })}
        />
        <label className="field">
          <span>Alias or version</span>
          <input
            name="fileTarget"
            value={form.target}
            onChange={(e) => set({ target: e.target.value })}
            placeholder="production, or v3"
            spellCheck={false}
          />
        </label>
      </div>
      {models.error ? <ErrorNotice error={models.error} onRetry={models.reload} compact /> : null}
      <label className="field">
        <span>File</span>
        <input type="file" name="file" accept=".csv,.parquet,text/csv" onChange={(e) => setFile(e.target.files?.[0] ?? null)} required />
        <small className="hint">
          CSV with a header row, or Parquet: a column per request value (and per online feature the file carries).
        </small>
      </label>
      <div className="grid-2">
        <label className="field">
          <span>Time column (optional)</span>
          <input name="timeColumn" value={form.timeColumn} onChange={(e) => set({ timeColumn: e.target.value })} spellCheck={false} />
          <small className="hint">Features the file lacks are joined as of each row&apos;s time.</small>
        </label>
        <label className="field">
          <span>Join keys (optional)</span>
          <input
            name="fileJoinKeys"
            value={form.joinKeys}
            onChange={(e) => set({ joinKeys: e.target.value })}
            placeholder="airport=origin"
            spellCheck={false}
          />
          <small className="hint">entity=column, separated by commas; default: as the version was trained.</small>
        </label>
      </div>
      <label className="field">
        <span>Passthrough columns (optional)</span>
        <input
          name="filePassthrough"
          value={form.passthrough}
          onChange={(e) => set({ passthrough: e.target.value })}
          placeholder="flight_no, destination"
          spellCheck={false}
        />
      </label>
      <label className="check">
        <input type="checkbox" name="filePublish" checked={form.publish} onChange={(e) => set({ publish: e.target.checked })} />
        <span>Publish every prediction to the prediction log, so monitoring sees them</span>
      </label>
      <IssueList issues={issues} />
      {submitError ? <ErrorNotice error={submitError} /> : null}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={submitting || !file || !model} data-testid="submit-batch-file">
          {submitting ? 'Uploading…' : 'Score the file'}
        </button>
      </div>
    </form>
  );
}
