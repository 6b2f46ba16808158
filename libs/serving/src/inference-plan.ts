import {
  type ClassLabel,
  type InputValue,
  type MissingFeaturePolicy,
  type ModelSignature,
  outputRolesOf,
  type ServingTask,
  type TensorFeed,
  tensorFeedsOf,
} from '@atelier/contracts';
import { compileExpression } from '@atelier/ml';

/** One model input read from the online store. */
export interface FeatureSlot {
  input: string;
  group: string;
  feature: string;
  entity: string;
}

/** One online-store read per row: a feature group keyed by one of the request's entities. */
export interface Lookup {
  group: string;
  entity: string;
  /** indexes into `features` of the slots this read fills */
  slots: number[];
}

export interface InferencePlan {
  features: FeatureSlot[];
  lookups: Lookup[];
  requestInputs: Array<{ name: string; dtype: 'float' | 'string' }>;
  transforms: Array<{ name: string; evaluate: (row: Record<string, number | null>) => number | null }>;
  /** the graph's inputs, each filled from named values in column order */
  feeds: TensorFeed[];
  /** values fed to int64/int32/bool graph inputs: these cannot be missing */
  integerColumns: Set<string>;
  outputs: OutputPlan;
  missingFeatures: MissingFeaturePolicy;
}

/** Where a run's answer is: the graph outputs to read (after a ZipMap is served as its tensor). */
export interface OutputPlan {
  task: ServingTask;
  label: string | null;
  probabilities: string | null;
  value: string | null;
  classes: ClassLabel[] | null;
}

/**
 * Everything serving needs to know about a signature, worked out once when a version loads:
 * which online-store reads a row takes, which request values it reads, the compiled transforms
 * (the same expressions training used) and the ONNX feeds.
 */
export function planInference(signature: ModelSignature, renamedOutputs: ReadonlyMap<string, string> = new Map()): InferencePlan {
  const features: FeatureSlot[] = [];
  const requestInputs: InferencePlan['requestInputs'] = [];
  const transforms: InferencePlan['transforms'] = [];
  for (const input of signature.inputs) {
    switch (input.source) {
      case 'feature': {
        const [group, feature] = splitRef(input.ref);
        features.push({ input: input.name, group, feature, entity: input.entity });
        break;
      }
      case 'request':
        requestInputs.push({ name: input.name, dtype: input.dtype });
        break;
      case 'transform': {
        const compiled = compileExpression(input.expression);
        transforms.push({
          name: input.name,
          evaluate: (row) => {
            const value = compiled.evaluate(row);
            return Number.isFinite(value) ? value : null;
          },
        });
        break;
      }
    }
  }
  const feeds = tensorFeedsOf(signature);
  const roles = outputRolesOf(signature);
  const output = (name: string | null) => (name === null ? null : (renamedOutputs.get(name) ?? name));
  return {
    features,
    lookups: lookupsOf(features),
    requestInputs,
    transforms,
    feeds,
    integerColumns: new Set(
      feeds.filter((f) => f.elementType === 'int64' || f.elementType === 'int32' || f.elementType === 'bool').flatMap((f) => f.columns),
    ),
    outputs: {
      task: signature.task,
      label: output(roles.label),
      probabilities: output(roles.probabilities),
      value: output(roles.value),
      classes: roles.classes,
    },
    missingFeatures: signature.missingFeatures ?? 'impute',
  };
}

function lookupsOf(features: FeatureSlot[]): Lookup[] {
  const byKey = new Map<string, Lookup>();
  features.forEach((slot, index) => {
    const key = `${slot.group}\u0000${slot.entity}`;
    const lookup = byKey.get(key) ?? { group: slot.group, entity: slot.entity, slots: [] };
    lookup.slots.push(index);
    byKey.set(key, lookup);
  });
  return [...byKey.values()];
}

function splitRef(ref: string): [string, string] {
  const colon = ref.indexOf(':');
  if (colon <= 0) throw new Error(`feature reference "${ref}" is not "group:feature"`);
  return [ref.slice(0, colon), ref.slice(colon + 1)];
}

/** A request value as the model takes it: numbers (booleans as 0/1) or, for string inputs, text. */
export function requestValue(value: unknown, dtype: 'float' | 'string'): InputValue {
  if (dtype === 'string') {
    if (typeof value === 'string') return value === '' ? null : value;
    return typeof value === 'number' ? String(value) : null;
  }
  return numeric(value);
}

export function numeric(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return null;
}
