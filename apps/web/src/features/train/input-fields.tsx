'use client';

import { type ReactNode, useEffect, useMemo, useRef, useState } from 'react';

import { expressionSyntaxProblem } from '@atelier/expression';

import { splitList } from '../../lib/format';
import { FieldError } from './budget-field';
import {
  type CategoricalOptions,
  defaultCategoricalOptions,
  type Encoding,
  encodingOption,
  ENCODINGS,
  type ExpressionProblem,
  toggleListed,
  type TransformRow,
} from './input-settings';

interface Column {
  name: string;
  dtype: string;
  description: string;
}

/**
 * A list of source columns: a checkbox per column of the source group, and the list as text
 * (comma-separated) for a name the group does not list. Checking a box adds the name to the text.
 */
export function ColumnPicker({
  legend,
  name,
  text,
  columns,
  hint,
  onChange,
  children,
}: {
  legend: string;
  name: string;
  text: string;
  columns: Column[];
  hint: string;
  onChange: (text: string) => void;
  children?: ReactNode;
}) {
  const listed = splitList(text);
  return (
    <fieldset className="field" data-testid={`${name}-picker`}>
      <legend>{legend}</legend>
      {columns.length > 0 ? (
        <div className="checks">
          {columns.map((column) => (
            <label key={column.name} className="check" title={column.description || column.dtype}>
              <input
                type="checkbox"
                name={`${name}-column`}
                value={column.name}
                checked={listed.includes(column.name)}
                onChange={(e) => onChange(toggleListed(text, column.name, e.target.checked))}
              />
              <code>{column.name}</code>
              <span className="muted small">{column.dtype}</span>
            </label>
          ))}
        </div>
      ) : null}
      <input
        value={text}
        onChange={(e) => onChange(e.target.value)}
        name={name}
        aria-label={`${legend}, comma-separated`}
        placeholder="column, other_column"
        spellCheck={false}
      />
      <small className="hint">{hint}</small>
      {children}
    </fieldset>
  );
}

/** A row per categorical column: its encoding and the encoding's option, with the contract's message beside it. */
export function CategoricalRows({
  columns,
  options,
  errors,
  onChange,
}: {
  columns: string;
  options: Record<string, CategoricalOptions>;
  errors: Record<string, string>;
  onChange: (column: string, options: CategoricalOptions) => void;
}) {
  const listed = [...new Set(splitList(columns))];
  if (listed.length === 0) return null;
  return (
    <div className="kv-list" data-testid="categorical-rows">
      {listed.map((column) => {
        const o = options[column] ?? defaultCategoricalOptions();
        const option = encodingOption(o.encoding);
        const error = Object.entries(errors).find(([key]) => key.startsWith(`${column}.`))?.[1];
        return (
          <div key={column} className="categorical-row" data-testid="categorical-row" data-column={column}>
            <code>{column}</code>
            <select
              name={`categorical-${column}-encoding`}
              aria-label={`${column} encoding`}
              value={o.encoding}
              title={ENCODINGS[o.encoding].hint}
              onChange={(e) => onChange(column, { ...o, encoding: e.target.value as Encoding })}
            >
              {(Object.keys(ENCODINGS) as Encoding[]).map((encoding) => (
                <option key={encoding} value={encoding}>
                  {ENCODINGS[encoding].label}
                </option>
              ))}
            </select>
            {option ? (
              <label className="check small">
                {option.label}
                <input
                  type="number"
                  step={1}
                  min={option.min ?? undefined}
                  max={option.max ?? undefined}
                  name={`categorical-${column}-${option.option}`}
                  value={o[option.option]}
                  aria-invalid={error ? true : undefined}
                  title={`default ${option.default}, ${option.min} to ${option.max}`}
                  onChange={(e) => onChange(column, { ...o, [option.option]: e.target.value })}
                />
              </label>
            ) : null}
            <span className="muted small">{ENCODINGS[o.encoding].hint}</span>
            <FieldError error={error} testId={`categorical-error-${column}`} />
          </div>
        );
      })}
    </div>
  );
}

/** What the API made of a transform: not asked yet (the rest of the form has problems), its problem, or sample values. */
export type TransformCheck =
  | { state: 'unchecked'; why: string }
  | { state: 'error'; problem: ExpressionProblem }
  | { state: 'ok'; values: Array<number | string | null> };

/**
 * Transform rows (name and expression), each expression checked as it is typed: its syntax here,
 * with the grammar the API parses with (`@atelier/expression`), its problem's position marked;
 * then, after a pause, by the API's preview (unknown columns, and its values on a few sample rows).
 */
export function TransformFields({
  rows,
  errors,
  check,
  onChange,
}: {
  rows: TransformRow[];
  /** by `<index>.<field>`, from `checkTransforms` */
  errors: Record<string, string>;
  check: (row: TransformRow) => Promise<TransformCheck>;
  onChange: (rows: TransformRow[]) => void;
}) {
  const set = (index: number, row: TransformRow) => onChange(rows.map((r, i) => (i === index ? row : r)));
  return (
    <fieldset className="field" data-testid="transform-fields">
      <legend>Transforms</legend>
      <div className="kv-list">
        {rows.map((row, index) => (
          <TransformRowFields
            key={index}
            index={index}
            row={row}
            error={errors[`${index}.name`] ?? errors[`${index}.expression`]}
            check={check}
            onChange={(r) => set(index, r)}
            onRemove={() => onChange(rows.filter((_, i) => i !== index))}
          />
        ))}
        <button
          type="button"
          className="button button-small"
          data-testid="add-transform"
          onClick={() => onChange([...rows, { name: '', expression: '' }])}
        >
          Add transform
        </button>
      </div>
      <small className="hint">A model input computed from source columns, e.g. log1p(distance); checked as you type.</small>
    </fieldset>
  );
}

const CHECK_AFTER_MS = 500;

function TransformRowFields({
  index,
  row,
  error,
  check,
  onChange,
  onRemove,
}: {
  index: number;
  row: TransformRow;
  error: string | undefined;
  check: (row: TransformRow) => Promise<TransformCheck>;
  onChange: (row: TransformRow) => void;
  onRemove: () => void;
}) {
  const [result, setResult] = useState<TransformCheck & { expression: string }>();
  // the latest `check` (it closes over the whole form) without restarting the timer on every render
  const latest = useRef(check);
  latest.current = check;
  const name = row.name.trim();
  const expression = row.expression.trim();
  // the grammar checked here as it is typed; the preview route is asked only for text that parses
  const syntax = useMemo(() => (expression ? expressionSyntaxProblem(expression) : null), [expression]);
  useEffect(() => {
    if (!name || !expression || error || syntax) return;
    let live = true;
    const timer = setTimeout(() => {
      void latest.current({ name, expression }).then((r) => {
        if (live) setResult({ ...r, expression });
      });
    }, CHECK_AFTER_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [name, expression, error, syntax]);
  // a result for an expression no longer in the field is stale
  const checked = result && result.expression === expression && !error ? result : undefined;
  const current: TransformCheck | undefined = syntax ? { state: 'error', problem: syntax } : checked;
  return (
    <div className="transform-row" data-testid="transform-row">
      <div className="kv-row">
        <input
          name={`transform-${index}-name`}
          aria-label="transform name"
          placeholder="name"
          value={row.name}
          spellCheck={false}
          onChange={(e) => onChange({ ...row, name: e.target.value })}
        />
        <span className="muted">=</span>
        <input
          name={`transform-${index}-expression`}
          aria-label="transform expression"
          placeholder="expression, e.g. log1p(distance)"
          value={row.expression}
          spellCheck={false}
          aria-invalid={current?.state === 'error' ? true : undefined}
          onChange={(e) => onChange({ ...row, expression: e.target.value })}
        />
        <button type="button" className="button button-small" onClick={onRemove} aria-label="remove transform">
          ×
        </button>
      </div>
      <FieldError error={error} testId={`transform-error-${index}`} />
      {current?.state === 'error' ? (
        <small className="field-error" data-testid={`transform-problem-${index}`} data-position={current.problem.position}>
          {current.problem.reason} at position {current.problem.position}:{' '}
          <code>
            {expression.slice(0, current.problem.position)}
            <mark>{expression.slice(current.problem.position, current.problem.position + 1) || ' '}</mark>
            {expression.slice(current.problem.position + 1)}
          </code>
        </small>
      ) : current?.state === 'ok' ? (
        <small className="hint" data-testid={`transform-ok-${index}`}>
          ✓ on sample rows:{' '}
          {current.values.map((v) => (v === null ? '—' : typeof v === 'number' ? +v.toPrecision(4) : v)).join(', ') || 'no rows'}
        </small>
      ) : current?.state === 'unchecked' ? (
        <small className="hint" data-testid={`transform-unchecked-${index}`}>
          Not checked yet: {current.why}
        </small>
      ) : null}
    </div>
  );
}
