'use client';

import { type Dispatch, useState } from 'react';

import type { ModelType } from '@atelier/contracts';

import { FieldError } from './budget-field';
import {
  defaultText,
  MODEL_TYPES,
  type ModelAction,
  type ModelParam,
  modelParams,
  type ModelSettings,
  paramText,
  rangeOf,
  type Task,
  TASKS,
} from './model-settings';

interface Props {
  model: ModelSettings;
  /** by parameter, from `checkModel` */
  errors: Record<string, string>;
  dispatch: Dispatch<ModelAction>;
}

/** Model type, task, and every parameter of the type: the basic ones shown, the others behind "advanced". */
export function ModelFields({ model, errors, dispatch }: Props) {
  const info = MODEL_TYPES[model.modelType];
  const params = modelParams(model.modelType);
  const field = (param: ModelParam) => (
    <ParamField key={param.name} param={param} model={model} error={errors[param.name]} dispatch={dispatch} />
  );
  const advanced = params.filter((p) => !p.basic);
  const advancedErrors = advanced.filter((p) => errors[p.name]).length;
  const [advancedOpen, setAdvancedOpen] = useState(false);
  return (
    <>
      <label className="field">
        <span>Model type</span>
        <select
          value={model.modelType}
          onChange={(e) => dispatch({ type: 'modelType', modelType: e.target.value as ModelType })}
          name="modelType"
        >
          {(Object.keys(MODEL_TYPES) as ModelType[]).map((type) => (
            <option key={type} value={type}>
              {MODEL_TYPES[type].label}
            </option>
          ))}
        </select>
      </label>
      {info.tasks.length > 1 ? <TaskField task={model.task} tasks={info.tasks} dispatch={dispatch} /> : null}
      <div className="grid-2" data-testid="model-params">
        {params.filter((p) => p.basic).map(field)}
      </div>
      {/* opened when one of its fields has a problem, so the message is seen; it stays open once fixed */}
      <details
        className="field advanced-params"
        data-testid="advanced-params"
        open={advancedOpen || advancedErrors > 0}
        onToggle={(e) => setAdvancedOpen(e.currentTarget.open)}
      >
        <summary>
          Advanced parameters ({advanced.length}){advancedErrors > 0 ? ` — ${advancedErrors} with a problem` : ''}
        </summary>
        <div className="grid-2">{advanced.map(field)}</div>
      </details>
    </>
  );
}

function TaskField({ task, tasks, dispatch }: { task: Task; tasks: Task[]; dispatch: Dispatch<ModelAction> }) {
  return (
    <label className="field">
      <span>Task</span>
      <select value={task} onChange={(e) => dispatch({ type: 'task', task: e.target.value as Task })} name="task">
        {tasks.map((t) => (
          <option key={t} value={t}>
            {TASKS[t].label}
          </option>
        ))}
      </select>
    </label>
  );
}

/**
 * One parameter: its input (named `epochs` for the type's training budget, as it always was, else
 * `param-<name>`), its explanation, default and range, and the contract's message when it has one.
 */
function ParamField({
  param,
  model,
  error,
  dispatch,
}: {
  param: ModelParam;
  model: ModelSettings;
  error: string | undefined;
  dispatch: Dispatch<ModelAction>;
}) {
  const info = MODEL_TYPES[model.modelType];
  const budget = param.name === info.budget;
  const name = budget ? 'epochs' : `param-${param.name}`;
  const text = paramText(model, param);
  const set = (value: string) => dispatch({ type: 'param', name: param.name, value });
  const invalid = error ? true : undefined;
  const range = rangeOf(param);
  const hint = [param.hint, `Default ${defaultText(param)}${range ? `, ${range}` : ''}.`].filter(Boolean).join(' ');
  const label = budget ? info.rounds : param.name;
  const input = () => {
    switch (param.type) {
      case 'choice':
        return typeof param.default === 'boolean' ? (
          <input type="checkbox" name={name} checked={text === 'true'} onChange={(e) => set(String(e.target.checked))} />
        ) : (
          <select name={name} value={text} onChange={(e) => set(e.target.value)} aria-invalid={invalid}>
            {param.options.map((option) => (
              <option key={String(option)} value={String(option)}>
                {String(option)}
              </option>
            ))}
          </select>
        );
      case 'list':
        return <input name={name} value={text} onChange={(e) => set(e.target.value)} aria-invalid={invalid} spellCheck={false} />;
      case 'int':
      case 'float':
        return (
          <input
            type="number"
            name={name}
            min={param.min ?? undefined}
            max={param.max ?? undefined}
            step={param.type === 'int' ? 1 : 'any'}
            value={text}
            onChange={(e) => set(e.target.value)}
            aria-invalid={invalid}
          />
        );
    }
  };
  return (
    <label className="field" data-testid="model-param" data-param={param.name}>
      <span>
        {label}
        {budget ? (
          <>
            {' '}
            <code className="muted small">{param.name}</code>
          </>
        ) : null}
      </span>
      {input()}
      <small className="hint">{hint}</small>
      <FieldError error={error} testId={`param-error-${param.name}`} />
    </label>
  );
}
