import { InvalidArgumentError } from 'commander';

import type { InputValue } from '@atelier/sdk';

/**
 * Parsers of option values, for commander's `argParser`: a bad value is an
 * `InvalidArgumentError`, which commander reports as a usage error (exit 2).
 */

/** `--entity airport=SFO`, repeatable: entity name → key. */
export function collectEntity(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const [name, key] = splitPair(value, 'entity=key');
  if (key === '') throw new InvalidArgumentError(`give "${name}" a key, e.g. ${name}=SFO`);
  return { ...previous, [name]: key };
}

/**
 * `--feature distance=337`, repeatable. A value that reads as a number is sent as one, `null`
 * as a missing value, a JSON string (`zip='"02134"'`) as that string, anything else as text.
 */
export function collectFeature(value: string, previous: Record<string, InputValue> = {}): Record<string, InputValue> {
  const [name, raw] = splitPair(value, 'name=value');
  return { ...previous, [name]: featureValue(raw) };
}

const NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

export function featureValue(raw: string): InputValue {
  if (raw === 'null') return null;
  if (NUMBER.test(raw)) return Number(raw);
  if (raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"')) {
    try {
      return JSON.parse(raw) as string;
    } catch {
      throw new InvalidArgumentError(`${raw} is not a valid JSON string`);
    }
  }
  return raw;
}

/** `--columns X=sepal_length,sepal_width`, repeatable: the column names of a multi-column graph input. */
export function collectColumns(value: string, previous: Record<string, string[]> = {}): Record<string, string[]> {
  const [input, list] = splitPair(value, 'input=a,b,c');
  const columns = list.split(',').map((c) => c.trim());
  if (columns.some((c) => c === ''))
    throw new InvalidArgumentError(`list the columns of "${input}" separated by commas, e.g. ${input}=a,b,c`);
  return { ...previous, [input]: columns };
}

/** `--join-key airport=origin`, repeatable: entity name → the source column holding its key. */
export function collectJoinKey(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const [entity, column] = splitPair(value, 'entity=column');
  if (column.trim() === '') throw new InvalidArgumentError(`give "${entity}" the column holding its key, e.g. ${entity}=origin`);
  return { ...previous, [entity]: column.trim() };
}

/** `--passthrough flight_id,tail_number`, repeatable: names in the order given, each once. */
export function collectNames(value: string, previous: string[] = []): string[] {
  const names = value.split(',').map((n) => n.trim());
  if (names.some((n) => n === '')) throw new InvalidArgumentError('list names separated by commas, e.g. a,b,c');
  return [...new Set([...previous, ...names])];
}

/** A version number: 1, 2, … */
export function parseVersion(value: string): number {
  const version = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(version) || version < 1)
    throw new InvalidArgumentError('expected a version number: 1, 2, …');
  return version;
}

/** A number, e.g. `0.7`, `-3` or `1e-4`. */
export function parseNumber(value: string): number {
  if (!NUMBER.test(value)) throw new InvalidArgumentError('expected a number');
  return Number(value);
}

/** A positive number of seconds, e.g. `0.5`. */
export function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!NUMBER.test(value) || !(seconds > 0)) throw new InvalidArgumentError('expected a positive number of seconds');
  return seconds;
}

/** A parser of whole numbers of at least `min`: `wholeNumber(0)` for an offset, `wholeNumber(1)` for a count. */
export function wholeNumber(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min)
      throw new InvalidArgumentError(`expected a whole number, ${min} or more`);
    return n;
  };
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_WITH_OFFSET = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * An instant, sent in UTC: an ISO 8601 time with an offset (`2024-01-31T06:00:00+02:00`), or a
 * date for its midnight UTC. A time without an offset is refused: which zone it meant is a guess.
 */
export function parseInstant(value: string): string {
  const parts = DATE.exec(value) ?? TIME_WITH_OFFSET.exec(value);
  const time = new Date(DATE.test(value) ? `${value}T00:00:00Z` : value);
  if (!parts || Number.isNaN(time.getTime()) || !isCalendarDate(Number(parts[1]), Number(parts[2]), Number(parts[3])))
    throw new InvalidArgumentError('expected a date (2024-01-31, midnight UTC) or a time with an offset (2024-01-31T06:00:00Z)');
  return time.toISOString();
}

/** `Date` rolls 2024-02-30 over into March instead of refusing it. */
function isCalendarDate(year: number, month: number, day: number): boolean {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function splitPair(value: string, shape: string): [string, string] {
  const at = value.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError(`expected ${shape}`);
  return [value.slice(0, at).trim(), value.slice(at + 1)];
}
