'use client';

import type { Dispatch } from 'react';

export type BudgetFieldName = 'trials' | 'maxSeconds' | 'seed';

/**
 * A budget field of the search or the AutoML section (trials, max seconds, seed), as typed, with
 * its problem beside it (test id `<section>-error-<field>`).
 */
export function BudgetField({
  section,
  name,
  label,
  field,
  min,
  max,
  settings,
  errors,
  dispatch,
}: {
  section: 'search' | 'automl';
  name: string;
  label: string;
  field: BudgetFieldName;
  min: number;
  max?: number;
  settings: Record<BudgetFieldName, string>;
  errors: Record<string, string>;
  dispatch: Dispatch<{ type: 'set'; field: BudgetFieldName; value: string }>;
}) {
  return (
    <label className="field">
      <span>{label}</span>
      <input
        type="number"
        name={name}
        min={min}
        max={max}
        step={field === 'maxSeconds' ? 'any' : 1}
        value={settings[field]}
        aria-invalid={errors[field] ? true : undefined}
        onChange={(e) => dispatch({ type: 'set', field, value: e.target.value })}
      />
      <FieldError error={errors[field]} testId={`${section}-error-${field}`} />
    </label>
  );
}

/** A field's problem, beside it. */
export function FieldError({ error, testId }: { error: string | undefined; testId: string }) {
  return error ? (
    <small className="field-error" data-testid={testId}>
      {error}
    </small>
  ) : null;
}
