'use client';

import type { Dispatch } from 'react';

import { AUTOML_MODEL_TYPES, type ModelTask } from '@atelier/contracts';

import { type AutoMlAction, autoMlModelTypes, type AutoMlSettings, modelTypeName } from './automl-settings';
import { BudgetField, FieldError } from './budget-field';
import { MODEL_TYPES } from './model-settings';

interface Props {
  settings: AutoMlSettings;
  /** what the model settings make of the task: AutoML learns the same */
  task: ModelTask;
  /** by field, from `checkAutoMl` */
  errors: Record<string, string>;
  /** what a candidate is scored by, e.g. `validation AUC (higher is better)` */
  score: string;
  dispatch: Dispatch<AutoMlAction>;
}

/** The AutoML section of the training form: off by default; on, the budget, the seed and the model types to try. */
export function AutoMlFields({ settings, task, errors, score, dispatch }: Props) {
  const section = 'automl';
  return (
    <fieldset className="field automl-fields" data-testid="automl-fields">
      <legend>AutoML</legend>
      <label className="check">
        <input type="checkbox" name="automlOn" checked={settings.on} onChange={(e) => dispatch({ type: 'on', on: e.target.checked })} />
        AutoML: try every model type
      </label>
      <small className="hint" data-testid="automl-hint">
        The task comes from the model settings ({task.replace('_', ' ')}); AutoML tries{' '}
        {listed(AUTOML_MODEL_TYPES[task].map(modelTypeName))} with parameters of their own and registers the best under its own type.
      </small>
      {settings.on ? (
        <>
          <div className="form-grid">
            <BudgetField
              name="automlTrials"
              label="Candidates"
              field="trials"
              min={3}
              max={100}
              {...{ section, settings, errors, dispatch }}
            />
            <BudgetField
              name="automlMaxSeconds"
              label="Max seconds (optional)"
              field="maxSeconds"
              min={1}
              {...{ section, settings, errors, dispatch }}
            />
            <BudgetField name="automlSeed" label="Seed" field="seed" min={0} {...{ section, settings, errors, dispatch }} />
          </div>
          <div className="checks" role="group" aria-label="model types to try">
            {autoMlModelTypes(settings, task).map(({ modelType, on }) => (
              <label key={modelType} className="check">
                <input
                  type="checkbox"
                  name={`automl-type-${modelType}`}
                  checked={on}
                  onChange={(e) => dispatch({ type: 'modelType', task, modelType, on: e.target.checked })}
                />
                {MODEL_TYPES[modelType].label}
              </label>
            ))}
          </div>
          <FieldError error={errors.modelTypes} testId="automl-error-modelTypes" />
          <small className="hint">
            Each candidate is a model type with parameters drawn from its own space, trained first on a ninth of its type&apos;s budget
            (boosting rounds, epochs or solver iterations) and scored by {score}; the best third of each rung go on with three times as
            much, the last rung with all of it. The model parameters above are not used. No new candidate starts after the max
            seconds.
          </small>
        </>
      ) : null}
    </fieldset>
  );
}

/** `a, b and c` */
function listed(items: string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}
