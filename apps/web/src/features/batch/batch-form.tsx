'use client';

import { type FormEvent, useEffect, useMemo, useReducer, useState } from 'react';

import { type BatchJobResponse, CreateBatchJobRequest } from '@atelier/contracts';

import { ErrorNotice, IssueList } from '../../components/error-notice';
import { api } from '../../lib/api';
import { useApi } from '../../lib/use-api';
import { issueLines } from '../../lib/validation';
import { JoinKeyFields, ModelFields, PassthroughField, RunFields, SourceFields } from './batch-fields';
import {
  batchFormReducer,
  batchRequest,
  defaultGroup,
  defaultModel,
  defaultTarget,
  entitiesOf,
  initialBatchForm,
  suggestionOf,
  targetOptions,
  trainedJoinKeys,
  versionOf,
} from './batch-request';

/** A new batch scoring job: which model version scores which rows of which feature group. */
export function BatchForm({ onCreated }: { onCreated: (job: BatchJobResponse) => void }) {
  const models = useApi(() => api.listModels(), []);
  const groups = useApi(() => api.listFeatureGroups(), []);
  const [form, dispatch] = useReducer(batchFormReducer, undefined, initialBatchForm);
  // tagged with its model: an answer for the model chosen before is not this model's
  const versions = useApi(async () => ({ model: form.model, versions: await api.listVersions(form.model) }), [form.model], {
    enabled: form.model !== '',
  });
  const [issues, setIssues] = useState<string[]>([]);
  const [submitError, setSubmitError] = useState<unknown>();
  const [submitting, setSubmitting] = useState(false);

  const allModels = useMemo(() => models.data ?? [], [models.data]);
  const allGroups = useMemo(() => groups.data ?? [], [groups.data]);
  const model = allModels.find((m) => m.name === form.model);
  const known = versions.data?.model === form.model ? versions.data.versions : undefined;
  const targets = useMemo(() => targetOptions(model, known ?? []), [model, known]);
  const version = versionOf(form.target, model, known ?? []);
  const group = allGroups.find((g) => g.name === form.group);
  const entities = entitiesOf(version);

  const chooseTarget = (target: string) =>
    dispatch({ type: 'target', target, suggestion: suggestionOf(versionOf(target, model, known ?? []), allGroups) });

  // Defaults, once what they depend on has loaded: the demo model, its production alias, the flights group.
  useEffect(() => {
    if (!form.model && allModels.length > 0) dispatch({ type: 'model', model: defaultModel(allModels) });
  }, [allModels, form.model]);
  useEffect(() => {
    if (!form.target && known && targets.length > 0) chooseTarget(defaultTarget(targets));
  }, [known, targets, form.target]);
  useEffect(() => {
    if (!form.group && allGroups.length > 0) dispatch({ type: 'group', group: defaultGroup(allGroups), chosen: false });
  }, [allGroups, form.group]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitError(undefined);
    const body = batchRequest(form, entities);
    const problems = issueLines(CreateBatchJobRequest.safeParse(body));
    setIssues(problems);
    if (problems.length > 0) return;
    setSubmitting(true);
    try {
      onCreated(await api.createBatchJob(body));
    } catch (error) {
      setSubmitError(error);
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <form className="card form" onSubmit={(event) => void submit(event)} data-testid="batch-form" noValidate>
      <h2 className="card-title">New batch job</h2>
      <ModelFields form={form} dispatch={dispatch} models={allModels} targets={targets} loading={models.loading} onTarget={chooseTarget} />
      {models.error ? <ErrorNotice error={models.error} onRetry={models.reload} compact /> : null}
      {versions.error ? <ErrorNotice error={versions.error} onRetry={versions.reload} compact /> : null}
      <SourceFields form={form} dispatch={dispatch} groups={allGroups} loading={groups.loading} />
      {groups.error ? <ErrorNotice error={groups.error} onRetry={groups.reload} compact /> : null}
      <PassthroughField form={form} dispatch={dispatch} group={group} />
      <JoinKeyFields form={form} dispatch={dispatch} entities={entities} trained={trainedJoinKeys(version)} group={group} />
      <RunFields form={form} dispatch={dispatch} />

      <IssueList issues={issues} />
      {submitError ? <ErrorNotice error={submitError} /> : null}
      <div className="form-actions">
        <button
          type="submit"
          className="button button-primary"
          disabled={submitting || !form.target || !form.group}
          data-testid="submit-batch"
        >
          {submitting ? 'Queueing…' : 'Score'}
        </button>
      </div>
    </form>
  );
}
