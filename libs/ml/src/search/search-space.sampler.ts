import { MlError } from '../ml.error';
import type { Rng } from '../random/prng.util';
import type { ParamSpec, ParamValue, SearchParams, SearchSpace } from './search.types';

/**
 * Throws an `invalid_params` MlError naming the first parameter whose declaration cannot be
 * sampled. Search spaces arrive in job payloads, so a bad one must fail before any trial runs.
 */
export function assertSearchSpace(space: SearchSpace): void {
  const names = Object.keys(space);
  if (names.length === 0) throw new MlError('invalid_params', 'search space has no parameters');
  for (const name of names) assertParamSpec(name, space[name]);
}

function assertParamSpec(name: string, spec: ParamSpec): void {
  const fail = (why: string): never => {
    throw new MlError('invalid_params', `search space parameter "${name}": ${why}`);
  };
  switch (spec.type) {
    case 'float':
    case 'int': {
      const { min, max } = spec;
      if (!Number.isFinite(min) || !Number.isFinite(max)) fail(`min and max must be finite, got ${min}, ${max}`);
      if (min > max) fail(`min ${min} is greater than max ${max}`);
      if (spec.type === 'int' && !(Number.isInteger(min) && Number.isInteger(max))) {
        fail(`int bounds must be integers, got ${min}, ${max}`);
      }
      if (spec.log && !(min > 0)) fail(`log scale needs min > 0, got ${min}`);
      return;
    }
    case 'choice':
      if (!Array.isArray(spec.values) || spec.values.length === 0) fail('choice needs at least one value');
      return;
    default:
      return fail(`unknown type "${(spec as { type: unknown }).type}"`);
  }
}

/**
 * Draws one point of `space` from `rng`. Parameters are drawn in sorted name order, so the same
 * seed gives the same points whatever order the space was declared (or serialised) in.
 */
export function sampleSpace(space: SearchSpace, rng: Rng): SearchParams {
  assertSearchSpace(space);
  const params: SearchParams = {};
  for (const name of Object.keys(space).sort()) params[name] = sampleParam(space[name], rng);
  return params;
}

function sampleParam(spec: ParamSpec, rng: Rng): ParamValue {
  switch (spec.type) {
    case 'float':
      return spec.log ? Math.exp(uniform(Math.log(spec.min), Math.log(spec.max), rng)) : uniform(spec.min, spec.max, rng);
    case 'int': {
      // Sample the continuous range [min, max + 1) and floor, so each end is as likely as the middle.
      const x = spec.log ? Math.exp(uniform(Math.log(spec.min), Math.log(spec.max + 1), rng)) : uniform(spec.min, spec.max + 1, rng);
      return Math.min(spec.max, Math.max(spec.min, Math.floor(x)));
    }
    case 'choice':
      return spec.values[Math.floor(rng() * spec.values.length)];
  }
}

function uniform(min: number, max: number, rng: Rng): number {
  return min + (max - min) * rng();
}
