import { GbdtParams, LinearRegressionParams, LogisticRegressionParams, type ModelType, NeuralNetworkParams, UNSEARCHABLE } from '@atelier/contracts';

export type ParamValue = number | string | boolean;

type ParseResult = { success: boolean; error?: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> } };

/** What the form reads of one parameter's zod schema in the contract (without importing zod into the app). */
export interface FieldSchema {
  readonly def: { readonly type: string };
  safeParse(value: unknown): { success: boolean; data?: unknown; error?: { issues: ReadonlyArray<{ message: string }> } };
  unwrap?: () => FieldSchema;
  /** numbers: `safeint` for `.int()` */
  readonly format?: string | null;
  /** enums */
  readonly options?: readonly string[];
  readonly minValue?: number | null;
  readonly maxValue?: number | null;
}

export const PARAMS: Record<ModelType, { shape: object; safeParse(value: unknown): ParseResult }> = {
  logistic_regression: LogisticRegressionParams,
  linear_regression: LinearRegressionParams,
  gbdt: GbdtParams,
  neural_network: NeuralNetworkParams,
};

/** The seed, and the parameters that decide the task and so what the score means: `TrainingRequest` refuses them in a search space. */
const FIXED = UNSEARCHABLE;

export interface ParamBase {
  name: string;
  /** the contract's message for a value the parameter does not take, or undefined */
  problem(value: ParamValue): string | undefined;
}

/** A parameter a search may vary, as its schema in the contract describes it. */
export type SearchableParam =
  | (ParamBase & { type: 'float' | 'int'; default: number; min: number | null; max: number | null })
  | (ParamBase & { type: 'choice'; default: string | boolean; options: Array<string | boolean> });

/**
 * The hyper-parameters of a model type a search may vary, in the contract's order: its numbers
 * (a range) and its enums and switches (a list of choices). Lists (a network's hidden layers)
 * are not searchable: a choice holds single values.
 */
export function searchableParams(modelType: ModelType): SearchableParam[] {
  const shape = PARAMS[modelType].shape as Record<string, FieldSchema>;
  return Object.entries(shape).flatMap(([name, field]) => (FIXED.has(name) ? [] : paramOf(name, field)));
}

/** A scalar parameter (a number, an enum, a switch) as its schema describes it; none for a list. */
export function paramOf(name: string, field: FieldSchema): SearchableParam[] {
  const inner = field.def.type === 'default' && field.unwrap ? field.unwrap() : field;
  const fallback = field.safeParse(undefined).data;
  const problem = (value: ParamValue) => {
    const result = field.safeParse(value);
    return result.success ? undefined : (result.error?.issues[0]?.message ?? 'not allowed');
  };
  switch (inner.def.type) {
    case 'number':
      return [
        {
          name,
          type: inner.format === 'safeint' ? 'int' : 'float',
          default: typeof fallback === 'number' ? fallback : 0,
          min: inner.minValue ?? null,
          max: inner.maxValue ?? null,
          problem,
        },
      ];
    case 'enum': {
      const options = [...(inner.options ?? [])];
      return [{ name, type: 'choice', default: typeof fallback === 'string' ? fallback : (options[0] ?? ''), options, problem }];
    }
    case 'boolean':
      return [{ name, type: 'choice', default: fallback === true, options: [false, true], problem }];
    default:
      return [];
  }
}

/** A search space row as the form holds it: the text typed, checked only when the row is on. */
export interface ParamRow {
  on: boolean;
  min: string;
  max: string;
  log: boolean;
  /** a choice: the values, comma-separated */
  values: string;
}

/**
 * A row to start from: a decade either side of the default (within the parameter's bounds) on a
 * log scale, from 0 for a default of 0; every option of a choice.
 */
export function defaultRow(param: SearchableParam): ParamRow {
  if (param.type === 'choice') return { on: false, min: '', max: '', log: false, values: param.options.join(',') };
  const d = param.default;
  const clamp = (x: number) => Math.min(param.max ?? Infinity, Math.max(param.min ?? -Infinity, x));
  const round = (x: number) => (param.type === 'int' ? x : +x.toPrecision(6));
  const [low, high] = d > 0 ? [d / 10, d * 10] : [0, param.type === 'int' ? 10 : 1];
  const min = round(param.type === 'int' ? Math.ceil(clamp(low)) : clamp(low));
  const max = round(param.type === 'int' ? Math.floor(clamp(high)) : clamp(high));
  return { on: false, min: String(min), max: String(max), log: min > 0 && max >= 10 * min, values: '' };
}
