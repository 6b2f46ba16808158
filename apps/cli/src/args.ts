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

/** A version number: 1, 2, … */
export function parseVersion(value: string): number {
  const version = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(version) || version < 1)
    throw new InvalidArgumentError('expected a version number: 1, 2, …');
  return version;
}

/** A positive number of seconds, e.g. `0.5`. */
export function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!NUMBER.test(value) || !(seconds > 0)) throw new InvalidArgumentError('expected a positive number of seconds');
  return seconds;
}

function splitPair(value: string, shape: string): [string, string] {
  const at = value.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError(`expected ${shape}`);
  return [value.slice(0, at).trim(), value.slice(at + 1)];
}
