'use client';

import { type FormEvent, useState } from 'react';

import {
  CreateMonitorRequest,
  type CreateMonitorRequestInput,
  isFeatureMetric,
  metricTaskProblem,
  MonitorMetric,
  MonitorOperator,
} from '@atelier/contracts';

import { ErrorNotice, IssueList } from '../../components/error-notice';
import { api } from '../../lib/api';
import { useApi } from '../../lib/use-api';
import { issueLines } from '../../lib/validation';
import { OPERATOR_SYMBOLS } from './operators';

const EMPTY = {
  name: '',
  model: '',
  metric: MonitorMetric.options[0],
  operator: 'lt' as MonitorOperator,
  threshold: '',
  windowSeconds: '3600',
  minSamples: '10',
  webhookUrl: '',
  feature: '',
};

/** `models` lists the registry's models when it answered; otherwise the model is typed in. */
export function MonitorForm({ models, onCreated }: { models?: string[]; onCreated: () => void }) {
  const [form, setForm] = useState(EMPTY);
  const [issues, setIssues] = useState<string[]>([]);
  const [error, setError] = useState<unknown>();
  const [saving, setSaving] = useState(false);
  const [created, setCreated] = useState<string | null>(null);
  const set = <K extends keyof typeof EMPTY>(key: K, value: (typeof EMPTY)[K]) => setForm((current) => ({ ...current, [key]: value }));

  const model = form.model || models?.[0] || '';
  // the metrics of the model's task (its newest version's) only, as the API takes no other; all
  // of them while the task is not known
  const task = useApi(
    async () => {
      const { latestVersion } = await api.getModel(model);
      return latestVersion === null ? null : (await api.getVersion(model, latestVersion)).signature.task;
    },
    [model],
    { enabled: model !== '' },
  );
  const metrics = MonitorMetric.options.filter((m) => !task.data || metricTaskProblem(m, task.data) === null);
  const metric = metrics.includes(form.metric) ? form.metric : metrics[0]!;
  const watchesInput = isFeatureMetric(metric);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setCreated(null);
    const body: CreateMonitorRequestInput = {
      name: form.name.trim() || `${model} ${metric}`,
      model,
      metric,
      operator: form.operator,
      threshold: form.threshold.trim() === '' ? Number.NaN : Number(form.threshold),
      windowSeconds: Number(form.windowSeconds),
      minSamples: Number(form.minSamples),
      ...(form.webhookUrl.trim() ? { webhookUrl: form.webhookUrl.trim() } : {}),
      ...(watchesInput ? { feature: form.feature.trim() || undefined } : {}),
    };
    // an empty threshold goes to the check as NaN: "threshold: enter a number"
    const problems = issueLines(CreateMonitorRequest.safeParse(body));
    setIssues(problems);
    if (problems.length > 0) return;
    setSaving(true);
    try {
      const monitor = await api.createMonitor(body);
      setCreated(monitor.name);
      setForm({ ...EMPTY, model: form.model });
      onCreated();
    } catch (caught) {
      setError(caught);
    } finally {
      setSaving(false);
    }
  };

  return (
    <form className="card form" onSubmit={(event) => void submit(event)} data-testid="monitor-form" noValidate>
      <h2 className="card-title">New monitor</h2>
      <div className="form-grid">
        <label className="field">
          <span>Model</span>
          {models && models.length > 0 ? (
            <select value={model} onChange={(e) => set('model', e.target.value)} name="model">
              {models.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
          ) : (
            <input
              value={form.model}
              onChange={(e) => set('model', e.target.value)}
              name="model"
              placeholder="flight_delay"
              spellCheck={false}
            />
          )}
        </label>
        <label className="field">
          <span>Name</span>
          <input
            value={form.name}
            onChange={(e) => set('name', e.target.value)}
            name="name"
            placeholder={model ? `${model} ${metric}` : 'optional'}
          />
        </label>
        <label className="field">
          <span>Metric</span>
          <select value={metric} onChange={(e) => set('metric', MonitorMetric.parse(e.target.value))} name="metric">
            {metrics.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
        {watchesInput ? (
          <label className="field">
            <span>Input (feature)</span>
            <input
              value={form.feature}
              onChange={(e) => set('feature', e.target.value)}
              name="feature"
              placeholder="airport_delay_stats:mean_delay_24h"
              spellCheck={false}
            />
          </label>
        ) : null}
        <label className="field">
          <span>Operator</span>
          <select value={form.operator} onChange={(e) => set('operator', MonitorOperator.parse(e.target.value))} name="operator">
            {MonitorOperator.options.map((op) => (
              <option key={op} value={op}>
                {OPERATOR_SYMBOLS[op]} ({op})
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Threshold</span>
          <input
            type="number"
            step="any"
            value={form.threshold}
            onChange={(e) => set('threshold', e.target.value)}
            name="threshold"
            placeholder="0.7"
          />
        </label>
        <label className="field">
          <span>Window (seconds)</span>
          <input
            type="number"
            min={1}
            step={1}
            value={form.windowSeconds}
            onChange={(e) => set('windowSeconds', e.target.value)}
            name="windowSeconds"
          />
        </label>
        <label className="field">
          <span>Min samples</span>
          <input
            type="number"
            min={1}
            step={1}
            value={form.minSamples}
            onChange={(e) => set('minSamples', e.target.value)}
            name="minSamples"
          />
        </label>
        <label className="field span-2">
          <span>Webhook URL (optional)</span>
          <input
            type="url"
            value={form.webhookUrl}
            onChange={(e) => set('webhookUrl', e.target.value)}
            name="webhookUrl"
            placeholder="https://hooks.example.com/atelier"
          />
        </label>
      </div>
      <p className="hint">
        Alert when <code>{metric}</code>
        {watchesInput ? (
          <>
            {' '}
            of <code>{form.feature || '…'}</code>
          </>
        ) : null}{' '}
        {OPERATOR_SYMBOLS[form.operator]} {form.threshold || '…'} over the last {form.windowSeconds || '…'} s, once at least{' '}
        {form.minSamples || '…'} samples are in.
      </p>
      <IssueList issues={issues} />
      {error ? <ErrorNotice error={error} /> : null}
      {created ? (
        <p className="success-text" role="status">
          Created “{created}”.
        </p>
      ) : null}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={saving} data-testid="create-monitor">
          {saving ? 'Creating…' : 'Create monitor'}
        </button>
      </div>
    </form>
  );
}
