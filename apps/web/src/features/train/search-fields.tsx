'use client';

import type { Dispatch } from 'react';

import type { ModelType } from '@atelier/contracts';

import { BudgetField, FieldError } from './budget-field';
import type { ParamRow, SearchableParam } from './search-params';
import { type SearchAction, searchRows, type SearchSettings, type SearchStrategy, STRATEGIES } from './search-settings';

interface Props {
  settings: SearchSettings;
  modelType: ModelType;
  /** by field, from `checkSearch` */
  errors: Record<string, string>;
  /** what a trial is scored by, e.g. `validation AUC (higher is better)` */
  score: string;
  dispatch: Dispatch<SearchAction>;
}

/** The search section of the training form: off by default; on, the strategy, budget, seed and a range or choices per parameter. */
export function SearchFields({ settings, modelType, errors, score, dispatch }: Props) {
  const section = 'search';
  return (
    <fieldset className="field search-fields" data-testid="search-fields">
      <legend>Search hyper-parameters</legend>
      <label className="check">
        <input type="checkbox" name="searchOn" checked={settings.on} onChange={(e) => dispatch({ type: 'on', on: e.target.checked })} />
        Train several configurations and register the best
      </label>
      <small className="hint">Each trial trains on the training rows and is scored by {score} on the validation rows.</small>
      {settings.on ? (
        <>
          <div className="form-grid">
            <label className="field">
              <span>Strategy</span>
              <select
                name="searchStrategy"
                value={settings.strategy}
                onChange={(e) => dispatch({ type: 'strategy', strategy: e.target.value as SearchStrategy })}
              >
                {(Object.keys(STRATEGIES) as SearchStrategy[]).map((strategy) => (
                  <option key={strategy} value={strategy}>
                    {STRATEGIES[strategy].label}
                  </option>
                ))}
              </select>
            </label>
            <BudgetField name="searchTrials" label="Trials" field="trials" min={1} max={200} {...{ section, settings, errors, dispatch }} />
            <BudgetField
              name="searchMaxSeconds"
              label="Max seconds (optional)"
              field="maxSeconds"
              min={1}
              {...{ section, settings, errors, dispatch }}
            />
            <BudgetField name="searchSeed" label="Seed" field="seed" min={0} {...{ section, settings, errors, dispatch }} />
          </div>
          <small className="hint">
            {STRATEGIES[settings.strategy].hint} The search stops at the trials or the seconds, whichever comes first.
          </small>
          <div className="search-space" data-testid="search-space">
            {searchRows(settings, modelType).map(({ param, row }) => (
              <ParamRowFields
                key={param.name}
                param={param}
                row={row}
                error={errors[`space.${param.name}`]}
                onChange={(change) => dispatch({ type: 'row', modelType, param, change })}
              />
            ))}
          </div>
          <FieldError error={errors.space} testId="search-error-space" />
        </>
      ) : null}
    </fieldset>
  );
}

/** One parameter: a switch to search it, then its range (numbers) or its choices (enums, switches). */
function ParamRowFields({
  param,
  row,
  error,
  onChange,
}: {
  param: SearchableParam;
  row: ParamRow;
  error: string | undefined;
  onChange: (change: Partial<ParamRow>) => void;
}) {
  const name = `search-${param.name}`;
  const invalid = error ? true : undefined;
  return (
    <div className="search-row" data-testid="search-param" data-param={param.name}>
      <label className="check" title={`default ${String(param.default)}`}>
        <input type="checkbox" name={name} checked={row.on} onChange={(e) => onChange({ on: e.target.checked })} />
        <code>{param.name}</code>
        <span className="muted small">{param.type}</span>
      </label>
      {!row.on ? null : param.type === 'choice' ? (
        <input
          className="search-values"
          name={`${name}-values`}
          aria-label={`${param.name} values`}
          value={row.values}
          aria-invalid={invalid}
          placeholder={param.options.join(',')}
          spellCheck={false}
          onChange={(e) => onChange({ values: e.target.value })}
        />
      ) : (
        <>
          {(['min', 'max'] as const).map((end) => (
            <input
              key={end}
              type="number"
              step="any"
              name={`${name}-${end}`}
              aria-label={`${param.name} ${end}`}
              placeholder={end}
              value={row[end]}
              aria-invalid={invalid}
              onChange={(e) => onChange({ [end]: e.target.value })}
            />
          ))}
          <label className="check small">
            <input type="checkbox" name={`${name}-log`} checked={row.log} onChange={(e) => onChange({ log: e.target.checked })} />
            log
          </label>
        </>
      )}
      {row.on ? <FieldError error={error} testId={`search-error-${param.name}`} /> : null}
    </div>
  );
}
