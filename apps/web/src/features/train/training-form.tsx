'use client';

import { type FormEvent, useEffect, useMemo, useReducer, useState } from 'react';

import { type FeatureGroupResponse, type TrainingJobResponse, type TrainingPreviewResponse, TrainingRequest, type TrainingRequestInput } from '@atelier/contracts';
import { AtelierApiError } from '@atelier/sdk';

import { ErrorNotice, IssueList } from '../../components/error-notice';
import { api, describeError } from '../../lib/api';
import { useApi } from '../../lib/use-api';
import { issueLines } from '../../lib/validation';
import { AutoMlFields } from './automl-fields';
import { type AutoMlAction, autoMlIssueLines, autoMlReducer, checkAutoMl, initialAutoMlSettings } from './automl-settings';
import { DatasetPreview } from './dataset-preview';
import { FeaturePicker } from './feature-picker';
import { CategoricalRows, ColumnPicker, type TransformCheck, TransformFields } from './input-fields';
import { checkInputs, expressionProblemOf, type InputSettings, inputsReducer, sourceColumns, type TransformRow } from './input-settings';
import type { ClonedForm } from './job-clone';
import { ModelFields } from './model-fields';
import { checkModel, initialModelSettings, modelIssueLines, modelReducer, TASKS } from './model-settings';
import { SearchFields } from './search-fields';
import { checkSearch, initialSearchSettings, type SearchAction, searchIssueLines, searchReducer } from './search-settings';
import { describeScore } from './search-trials';

interface JoinKeyRow {
  entity: string;
  column: string;
}

/** Defaults that train the flights demo model out of the box. */
const DEFAULTS = {
  modelName: 'flight-delay',
  inputs: { requestFeatures: 'distance,hour', categoricalFeatures: '', categoricalOptions: {}, transforms: [] } as InputSettings,
  partitionColumn: '',
  partitionMinRows: '1000',
  joinKeys: [{ entity: 'airport', column: 'origin' }] as JoinKeyRow[],
  label: 'delay > 15',
  start: '2001-01-01T00:00:00Z',
  validationStart: '2001-01-22T00:00:00Z',
  end: '2001-02-01T00:00:00Z',
};

/** The demo's label rows live in a group called `flights`; otherwise the first group is the source. */
function defaultSource(groups: FeatureGroupResponse[]): string {
  return (groups.find((g) => g.name === 'flights') ?? groups[0])?.name ?? '';
}

/** `clone`: a past job's request to start from instead of the defaults (see `cloneRequest`). */
export function TrainingForm({ onStarted, clone }: { onStarted: (job: TrainingJobResponse) => void; clone?: ClonedForm }) {
  const groups = useApi(() => api.listFeatureGroups(), []);
  const start0 = clone ?? { ...DEFAULTS, source: '', features: [] as string[] };
  const [modelName, setModelName] = useState(start0.modelName);
  const [source, setSource] = useState(start0.source);
  const [features, setFeatures] = useState<string[]>(start0.features);
  const [inputs, dispatchInputs] = useReducer(inputsReducer, start0.inputs);
  const [partitionColumn, setPartitionColumn] = useState(start0.partitionColumn);
  const [partitionMinRows, setPartitionMinRows] = useState(start0.partitionMinRows);
  const [joinKeys, setJoinKeys] = useState<JoinKeyRow[]>(start0.joinKeys);
  const [label, setLabel] = useState(start0.label);
  const [start, setStart] = useState(start0.start);
  const [validationStart, setValidationStart] = useState(start0.validationStart);
  const [end, setEnd] = useState(start0.end);
  const [model, dispatchModel] = useReducer(modelReducer, undefined, () => clone?.model ?? initialModelSettings());
  const [search, dispatchSearch] = useReducer(searchReducer, undefined, () => clone?.search ?? initialSearchSettings());
  const [automl, dispatchAutoMl] = useReducer(autoMlReducer, undefined, () => clone?.automl ?? initialAutoMlSettings());
  const [issues, setIssues] = useState<string[]>([]);
  const [submitError, setSubmitError] = useState<unknown>();
  const [submitting, setSubmitting] = useState(false);
  const [preview, setPreview] = useState<TrainingPreviewResponse>();
  const [previewError, setPreviewError] = useState<unknown>();
  const [previewing, setPreviewing] = useState(false);

  const allGroups = useMemo(() => groups.data ?? [], [groups.data]);
  useEffect(() => {
    if (!source && allGroups.length > 0) setSource(defaultSource(allGroups));
  }, [allGroups, source]);

  const featureGroups = allGroups.filter((g) => g.name !== source);
  const sourceGroup = allGroups.find((g) => g.name === source);
  const chosenFeatures = features.filter((ref) => featureGroups.some((g) => ref.startsWith(`${g.name}:`)));
  const missingJoinKeys = entitiesWithoutJoinKey(featureGroups, chosenFeatures, joinKeys);
  const task = TASKS[model.task].modelTask;
  // checked as the user types; shown beside its fields, and refused at submit
  const modelCheck = checkModel(model);
  const inputCheck = checkInputs(inputs);
  const searchCheck = checkSearch(search, model.modelType);
  const autoMlCheck = checkAutoMl(automl, task);
  // the API refuses AutoML with a search, and either with a partition: switching either section on
  // switches the other off, and either disables the partition fields (what they hold is not sent)
  const onSearch = (action: SearchAction) => {
    dispatchSearch(action);
    if (action.type === 'on' && action.on) dispatchAutoMl({ type: 'on', on: false });
  };
  const onAutoMl = (action: AutoMlAction) => {
    dispatchAutoMl(action);
    if (action.type === 'on' && action.on) dispatchSearch({ type: 'on', on: false });
  };
  const partitionOff = automl.on || search.on;

  const pick = (refs: string[], on: boolean) =>
    setFeatures((current) => {
      const rest = current.filter((ref) => !refs.includes(ref));
      return on ? [...rest, ...refs] : rest;
    });

  const requestBody = (): TrainingRequestInput => ({
    modelName: modelName.trim(),
    source: { group: source },
    window: { start: start.trim(), validationStart: validationStart.trim(), end: end.trim() },
    joinKeys: Object.fromEntries(joinKeys.filter((k) => k.entity.trim()).map((k) => [k.entity.trim(), k.column.trim()])),
    features: chosenFeatures,
    requestFeatures: inputCheck.requestFeatures,
    categoricalFeatures: inputCheck.categoricalFeatures,
    transforms: inputCheck.transforms,
    label: label.trim(),
    ...(partitionColumn.trim() && !partitionOff
      ? { partition: { column: partitionColumn.trim(), minRows: Number(partitionMinRows) } }
      : {}),
    ...modelCheck.choice,
  });

  /**
   * The request as the form holds it, checked with the same zod contract the API parses with;
   * undefined when it has issues. The preview reads data only: a search or AutoML does not hold it up.
   */
  const checkedBody = ({ withSearch }: { withSearch: boolean }): TrainingRequestInput | undefined => {
    const searchProblems = withSearch ? searchIssueLines(searchCheck.errors) : [];
    const autoMlProblems = withSearch ? autoMlIssueLines(autoMlCheck.errors) : [];
    // a search or AutoML with problems of its own is left out, so they are not listed twice
    const search = withSearch && searchProblems.length === 0 ? searchCheck.search : undefined;
    const automl = withSearch && autoMlProblems.length === 0 ? autoMlCheck.automl : undefined;
    const body = { ...requestBody(), ...(search ? { search } : {}), ...(automl ? { automl } : {}) };
    // problems of the fields checked as typed, then the contract's for the whole request
    const problems = [
      ...modelIssueLines(modelCheck.errors),
      ...inputCheck.issues,
      ...searchProblems,
      ...autoMlProblems,
      ...issueLines(TrainingRequest.safeParse(body)),
    ];
    setIssues(problems);
    return problems.length > 0 ? undefined : body;
  };

  /**
   * A transform checked by the API as it is typed: the form's request with this transform only,
   * previewed. A bad expression is a 400 with its position; a good one answers sample rows.
   */
  const checkTransform = async (transform: TransformRow): Promise<TransformCheck> => {
    const body = { ...requestBody(), transforms: [transform] };
    const problems = [...modelIssueLines(modelCheck.errors), ...issueLines(TrainingRequest.safeParse(body))];
    if (problems.length > 0) return { state: 'unchecked', why: problems[0]! };
    try {
      const preview = await api.previewTraining(body);
      return { state: 'ok', values: preview.rows.slice(0, 5).map((row) => row.values[transform.name] ?? null) };
    } catch (error) {
      const problem = error instanceof AtelierApiError ? expressionProblemOf(transform.name, error.body.message, error.body.details) : undefined;
      return problem ? { state: 'error', problem } : { state: 'unchecked', why: describeError(error).message };
    }
  };

  const showPreview = async () => {
    setPreviewError(undefined);
    const body = checkedBody({ withSearch: false });
    if (!body) return;
    setPreviewing(true);
    try {
      setPreview(await api.previewTraining(body));
    } catch (error) {
      setPreview(undefined);
      setPreviewError(error);
    } finally {
      setPreviewing(false);
    }
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitError(undefined);
    const body = checkedBody({ withSearch: true });
    if (!body) return;
    setSubmitting(true);
    try {
      onStarted(await api.startTraining(body));
    } catch (error) {
      setSubmitError(error);
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <form className="card form" onSubmit={(event) => void submit(event)} data-testid="training-form" noValidate>
      <h2 className="card-title">New training job</h2>
      {clone ? (
        <div className="notice notice-info" data-testid="cloned-from">
          <div className="notice-body">
            <strong>Cloned from a past job.</strong> Change what you like and start it as a new job.
            {clone.left.length > 0 ? (
              <ul className="notice-details" data-testid="clone-left">
                {clone.left.map((line) => (
                  <li key={line}>Not in this form, so not in the new job: {line}</li>
                ))}
              </ul>
            ) : null}
          </div>
        </div>
      ) : null}

      <label className="field">
        <span>Model name</span>
        <input value={modelName} onChange={(e) => setModelName(e.target.value)} name="modelName" required spellCheck={false} />
        <small className="hint">Lower-case letters, digits, “_” or “-”. An existing name gets a new version.</small>
      </label>

      <label className="field">
        <span>Source group</span>
        <select value={source} onChange={(e) => setSource(e.target.value)} name="source" disabled={allGroups.length === 0}>
          {allGroups.length === 0 ? <option value="">{groups.loading ? 'Loading groups…' : 'No feature groups'}</option> : null}
          {allGroups.map((g) => (
            <option key={g.name} value={g.name}>
              {g.name} ({g.entity}, {g.rowCount.toLocaleString('en-US')} rows)
            </option>
          ))}
        </select>
        <small className="hint">Its rows inside the window are the label rows.</small>
      </label>
      {groups.error ? <ErrorNotice error={groups.error} onRetry={groups.reload} compact /> : null}

      <fieldset className="field">
        <legend>Features</legend>
        {featureGroups.length === 0 ? (
          <p className="muted small">{groups.data ? 'No other feature groups to join.' : 'Feature groups load from the feature store.'}</p>
        ) : (
          <FeaturePicker groups={featureGroups} chosen={features} onChange={pick} />
        )}
      </fieldset>

      <ColumnPicker
        legend="Request features"
        name="requestFeatures"
        text={inputs.requestFeatures}
        columns={sourceColumns(sourceGroup, 'value')}
        onChange={(text) => dispatchInputs({ type: 'requestFeatures', text })}
        hint="Source columns used as they are: check them, or type names comma-separated; callers send them at prediction time."
      />

      <ColumnPicker
        legend="Categorical features"
        name="categoricalFeatures"
        text={inputs.categoricalFeatures}
        columns={sourceColumns(sourceGroup, 'string')}
        onChange={(text) => dispatchInputs({ type: 'categoricalFeatures', text })}
        hint="String source columns, encoded by an encoder fitted on the training rows that travels inside the model; callers send the raw string."
      >
        <CategoricalRows
          columns={inputs.categoricalFeatures}
          options={inputs.categoricalOptions}
          errors={inputCheck.categoricalErrors}
          onChange={(column, options) => dispatchInputs({ type: 'categoricalOptions', column, options })}
        />
      </ColumnPicker>

      <TransformFields
        rows={inputs.transforms}
        errors={inputCheck.transformErrors}
        check={checkTransform}
        onChange={(rows) => dispatchInputs({ type: 'transforms', rows })}
      />

      <div className="form-grid">
        <label className="field">
          <span>Partition by (optional)</span>
          <input
            value={partitionColumn}
            onChange={(e) => setPartitionColumn(e.target.value)}
            name="partitionColumn"
            placeholder="e.g. origin"
            spellCheck={false}
            disabled={partitionOff}
          />
          <small className="hint">
            {partitionOff
              ? `${automl.on ? 'AutoML' : 'A search'} trains one model, without partitions: switch ${automl.on ? 'AutoML' : 'the search'} off to partition.`
              : "A string source column: one model per value with enough training rows, and the global model for every other value (Michelangelo's per-city models). One version, one ONNX file."}
          </small>
        </label>
        <label className="field">
          <span>Rows per partition (at least)</span>
          <input
            type="number"
            min={10}
            step={1}
            value={partitionMinRows}
            onChange={(e) => setPartitionMinRows(e.target.value)}
            name="partitionMinRows"
            disabled={partitionOff}
          />
        </label>
      </div>

      <fieldset className="field">
        <legend>Join keys</legend>
        <div className="kv-list">
          {joinKeys.map((row, index) => (
            <div key={index} className="kv-row">
              <input
                aria-label="entity"
                placeholder="entity"
                value={row.entity}
                list="entity-names"
                onChange={(e) => setJoinKeys(replaceAt(joinKeys, index, { ...row, entity: e.target.value }))}
              />
              <span className="muted">→</span>
              <input
                aria-label="source column"
                placeholder="source column"
                value={row.column}
                onChange={(e) => setJoinKeys(replaceAt(joinKeys, index, { ...row, column: e.target.value }))}
              />
              <button
                type="button"
                className="button button-small"
                onClick={() => setJoinKeys(joinKeys.filter((_, i) => i !== index))}
                aria-label="remove join key"
              >
                ×
              </button>
            </div>
          ))}
          <button type="button" className="button button-small" onClick={() => setJoinKeys([...joinKeys, { entity: '', column: '' }])}>
            Add join key
          </button>
        </div>
        <datalist id="entity-names">
          {[...new Set(allGroups.map((g) => g.entity))].map((entity) => (
            <option key={entity} value={entity} />
          ))}
        </datalist>
        <small className="hint">Entity of a joined group → the source column holding its key.</small>
        {missingJoinKeys.length > 0 ? (
          <small className="hint warning-text">
            No join key for {missingJoinKeys.map((e) => `“${e}”`).join(', ')}, which the chosen features are keyed by.
          </small>
        ) : null}
      </fieldset>

      <label className="field">
        <span>Label expression</span>
        <input value={label} onChange={(e) => setLabel(e.target.value)} name="label" spellCheck={false} />
        <small className="hint">{TASKS[model.task].labelHint}</small>
      </label>

      <fieldset className="field">
        <legend>Time window (UTC, ISO 8601)</legend>
        <div className="window-grid">
          <label htmlFor="window-start">Start</label>
          <input id="window-start" value={start} onChange={(e) => setStart(e.target.value)} name="start" spellCheck={false} />
          <label htmlFor="window-validation">Validation start</label>
          <input
            id="window-validation"
            value={validationStart}
            onChange={(e) => setValidationStart(e.target.value)}
            name="validationStart"
            spellCheck={false}
          />
          <label htmlFor="window-end">End</label>
          <input id="window-end" value={end} onChange={(e) => setEnd(e.target.value)} name="end" spellCheck={false} />
        </div>
        <small className="hint">Rows before the validation start train the model; the rest evaluate it.</small>
      </fieldset>

      <ModelFields model={model} errors={modelCheck.errors} dispatch={dispatchModel} />
      <SearchFields
        settings={search}
        modelType={model.modelType}
        errors={searchCheck.errors}
        score={describeScore(task)}
        dispatch={onSearch}
      />
      <AutoMlFields settings={automl} task={task} errors={autoMlCheck.errors} score={describeScore(task)} dispatch={onAutoMl} />

      <IssueList issues={issues} />
      {previewError ? <ErrorNotice error={previewError} /> : null}
      {preview ? <DatasetPreview preview={preview} /> : null}
      {submitError ? <ErrorNotice error={submitError} /> : null}
      <div className="form-actions">
        <button type="button" className="button" disabled={previewing || !source} onClick={() => void showPreview()} data-testid="preview-training">
          {previewing ? 'Reading the data…' : 'Preview data'}
        </button>
        <button type="submit" className="button button-primary" disabled={submitting || !source} data-testid="start-training">
          {submitting ? 'Starting…' : 'Start training'}
        </button>
      </div>
    </form>
  );
}

function replaceAt<T>(items: T[], index: number, item: T): T[] {
  return items.map((current, i) => (i === index ? item : current));
}

/** Entities of the groups behind the chosen features that no join key maps to a source column. */
function entitiesWithoutJoinKey(groups: FeatureGroupResponse[], refs: string[], joinKeys: JoinKeyRow[]): string[] {
  const mapped = new Set(joinKeys.filter((k) => k.column.trim()).map((k) => k.entity.trim()));
  const needed = new Set(groups.filter((g) => refs.some((ref) => ref.startsWith(`${g.name}:`))).map((g) => g.entity));
  return [...needed].filter((entity) => !mapped.has(entity));
}
