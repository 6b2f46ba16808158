'use client';

import type { Dispatch } from 'react';

import type { FeatureGroupResponse, ModelResponse } from '@atelier/contracts';

import type { BatchForm, BatchFormAction, TargetOption } from './batch-request';

interface FieldProps {
  form: BatchForm;
  dispatch: Dispatch<BatchFormAction>;
}

/** A model that has a version to score with (the empty choice while none is known). */
export function ModelSelect({
  name,
  value,
  models,
  loading,
  onChange,
  testId,
}: {
  name: string;
  value: string;
  models: ModelResponse[];
  loading: boolean;
  onChange: (model: string) => void;
  testId?: string;
}) {
  const scorable = models.filter((m) => m.latestVersion !== null);
  return (
    <label className="field">
      <span>Model</span>
      <select name={name} value={value} onChange={(e) => onChange(e.target.value)} disabled={scorable.length === 0} data-testid={testId}>
        {value === '' ? <option value="">{loading ? 'Loading models…' : 'No models with a version'}</option> : null}
        {scorable.map((m) => (
          <option key={m.name} value={m.name}>
            {m.name}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The model, and its alias or version to score with. */
export function ModelFields({
  form,
  dispatch,
  models,
  targets,
  loading,
  onTarget,
}: FieldProps & { models: ModelResponse[]; targets: TargetOption[]; loading: boolean; onTarget: (target: string) => void }) {
  return (
    <div className="grid-2">
      <ModelSelect
        name="model"
        value={form.model}
        models={models}
        loading={loading}
        onChange={(model) => dispatch({ type: 'model', model })}
        testId="batch-model"
      />
      <label className="field">
        <span>Alias or version</span>
        <select
          name="target"
          value={form.target}
          onChange={(e) => onTarget(e.target.value)}
          disabled={targets.length === 0}
          data-testid="batch-target"
        >
          {/* until the model's versions are known: the select shows what the form holds, not the first alias */}
          {form.target === '' ? <option value="">{form.model === '' ? '—' : 'Loading versions…'}</option> : null}
          {targets.map((t) => (
            <option key={t.value} value={t.value}>
              {t.label}
            </option>
          ))}
        </select>
        <small className="hint">An alias is resolved to its version when the job is created.</small>
      </label>
    </div>
  );
}

/** The feature group whose rows are scored, and the window of them. */
export function SourceFields({ form, dispatch, groups, loading }: FieldProps & { groups: FeatureGroupResponse[]; loading: boolean }) {
  return (
    <>
      <label className="field">
        <span>Source group</span>
        <select
          name="source"
          value={form.group}
          onChange={(e) => dispatch({ type: 'group', group: e.target.value, chosen: true })}
          disabled={groups.length === 0}
          data-testid="batch-source"
        >
          {form.group === '' ? <option value="">{loading ? 'Loading groups…' : 'No feature groups'}</option> : null}
          {groups.map((g) => (
            <option key={g.name} value={g.name}>
              {g.name} ({g.entity}, {g.rowCount.toLocaleString('en-US')} rows)
            </option>
          ))}
        </select>
        <small className="hint">
          One prediction per row of the group inside the window, its features joined as of the row&apos;s event time.
        </small>
      </label>
      <fieldset className="field">
        <legend>Window (UTC)</legend>
        <div className="window-grid">
          <label htmlFor="batch-start">Start</label>
          <input
            id="batch-start"
            type="datetime-local"
            name="start"
            step={60}
            value={form.start}
            onChange={(e) => dispatch({ type: 'window', field: 'start', value: e.target.value })}
            data-testid="batch-start"
          />
          <label htmlFor="batch-end">End</label>
          <input
            id="batch-end"
            type="datetime-local"
            name="end"
            step={60}
            value={form.end}
            onChange={(e) => dispatch({ type: 'window', field: 'end', value: e.target.value })}
            data-testid="batch-end"
          />
        </div>
        <small className="hint">Rows at or after the start and before the end. A trained version offers its validation slice.</small>
      </fieldset>
    </>
  );
}

/** Source columns copied beside each prediction, e.g. an id to join the output back on. */
export function PassthroughField({ form, dispatch, group }: FieldProps & { group: FeatureGroupResponse | undefined }) {
  return (
    <fieldset className="field">
      <legend>Passthrough columns</legend>
      {!group || group.features.length === 0 ? (
        <p className="muted small">{group ? 'The group has no columns.' : 'Choose a source group.'}</p>
      ) : (
        <div className="checks" data-testid="batch-passthrough">
          {group.features.map((feature) => (
            <label key={feature.name} className="check" title={feature.description || feature.dtype}>
              <input
                type="checkbox"
                name="passthrough"
                value={feature.name}
                checked={form.passthrough.includes(feature.name)}
                onChange={(e) => dispatch({ type: 'passthrough', column: feature.name, on: e.target.checked })}
              />
              <code>{feature.name}</code>
            </label>
          ))}
        </div>
      )}
      <small className="hint">Copied beside each prediction in the table and the Parquet file.</small>
    </fieldset>
  );
}

/** For each entity the version's features are keyed by: the source column holding its key. */
export function JoinKeyFields({
  form,
  dispatch,
  entities,
  trained,
  group,
}: FieldProps & { entities: string[]; trained: Record<string, string>; group: FeatureGroupResponse | undefined }) {
  if (entities.length === 0) return null;
  return (
    <fieldset className="field">
      <legend>Join keys</legend>
      <div className="kv-list">
        {entities.map((entity) => (
          <div key={entity} className="kv-row">
            <code>{entity}</code>
            <span className="muted">→</span>
            <select
              name={`joinKey-${entity}`}
              aria-label={`source column of ${entity}`}
              value={form.joinKeys[entity] ?? ''}
              onChange={(e) => dispatch({ type: 'joinKey', entity, column: e.target.value })}
            >
              <option value="">{trained[entity] ? `as trained (${trained[entity]})` : `a column named ${entity}`}</option>
              {(group?.features ?? []).map((f) => (
                <option key={f.name} value={f.name}>
                  {f.name}
                </option>
              ))}
            </select>
          </div>
        ))}
      </div>
      <small className="hint">The source column holding the key of each entity the model reads online features of.</small>
    </fieldset>
  );
}

/** Shard size and whether monitoring sees the predictions. */
export function RunFields({ form, dispatch }: FieldProps) {
  return (
    <>
      <label className="field">
        <span>Rows per shard</span>
        <input
          type="number"
          name="shardRows"
          min={100}
          max={1_000_000}
          step={1}
          value={form.shardRows}
          onChange={(e) => dispatch({ type: 'shardRows', value: e.target.value })}
          data-testid="batch-shard-rows"
        />
        <small className="hint">About this many rows per job of the batch queue; shards are scored side by side.</small>
      </label>
      <label className="check">
        <input
          type="checkbox"
          name="publish"
          checked={form.publish}
          onChange={(e) => dispatch({ type: 'publish', on: e.target.checked })}
          data-testid="batch-publish"
        />
        <span>Publish every prediction to the prediction log, so monitoring sees them</span>
      </label>
    </>
  );
}
