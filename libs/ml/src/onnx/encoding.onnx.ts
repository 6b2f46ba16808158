import type { DatasetEncoding } from '../encoding/encoded-dataset.builder';
import { restoreEncoder } from '../encoding/encoder.restore';
import type { ColumnEncoding, RawColumns, RawValue } from '../encoding/encoding.types';
import { hashBucket } from '../encoding/hashing.encoder';
import { categoryOf, numberOf } from '../encoding/raw-value.util';
import { MlError } from '../ml.error';
import { type OnnxAttribute, OnnxDataType, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from './onnx.proto';

/**
 * The fitted categorical preprocessing of a `DatasetEncoding` as ONNX nodes, so one onnxruntime
 * call takes raw values (strings included) and the model graph behind it sees exactly the encoded
 * feature columns `encodeDataset` would produce.
 *
 * Raw inputs ([N, 1] each, named as the raw column):
 * - one-hot / ordinal / hashing columns: `tensor(string)`; a missing value is fed as `""`
 *   (`ONNX_MISSING_STRING`), so an encoding whose training categories include `""` is refused;
 * - numeric / boolean columns: float32 (booleans as 0/1, NaN = missing), passed straight through
 *   (the encoded feature has the raw column's name);
 * - timestamp columns are not supported (epoch milliseconds do not fit float32).
 *
 * Ops (`ai.onnx.ml` `LabelEncoder`, opset ai.onnx.ml 3 → LabelEncoder-2):
 * - ordinal: string → float index, `""` and unknown → `default_float` NaN (the transform's NaN);
 * - one-hot: string → int64 category index (K categories; unknown → K = `__other__`, `""` → K+1 =
 *   missing), then `Equal` + `Cast` per output column: missing gives all zeros, or 1 in `#missing`;
 * - hashing: the recorded training vocabulary (`keepVocabulary: true`) → its FNV-1a bucket,
 *   anything else (`""` and every string not in the vocabulary) → -1, then `Equal` + `Cast` per
 *   bucket. ONNX has no string hash, so **an unseen string gives all zeros in the graph** while the
 *   TypeScript transform hashes it into its bucket: the two agree only on training-vocabulary
 *   strings and on missing values.
 */

/** How a missing categorical value is fed to a raw string input. */
export const ONNX_MISSING_STRING = '';

/** A raw graph input as recorded in the `atelier.raw_inputs` metadata. */
export interface RawOnnxInput {
  name: string;
  type: 'string' | 'float';
}

export interface EncodingGraph {
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  /** The raw graph inputs, one per encoded raw column, in encoding order. */
  inputs: OnnxValueInfo[];
  rawInputs: RawOnnxInput[];
  /** The tensors produced (or passed through), named exactly as `encoding.features`. */
  outputs: string[];
}

const PREFIX = 'atelier/encoding/';
const BATCH_DIM = 'N';

/** ONNX nodes turning raw columns into the encoded feature columns of `encoding` (see above). */
export function encodingGraph(encoding: DatasetEncoding): EncodingGraph {
  if (encoding?.version !== 1) throw new MlError('invalid_params', `unsupported encoding version ${String(encoding?.version)}`);
  const nodes: OnnxNode[] = [];
  const constants = new Map<number, OnnxTensor>();
  const inputs: OnnxValueInfo[] = [];
  const rawInputs: RawOnnxInput[] = [];
  const outputs: string[] = [];

  const indexConstant = (k: number): string => {
    let tensor = constants.get(k);
    if (tensor === undefined) {
      tensor = { name: `${PREFIX}int64/${k}`, dataType: OnnxDataType.INT64, dims: [], values: [k] };
      constants.set(k, tensor);
    }
    return tensor.name;
  };
  /** Equal(index, k) → Cast float for each output column k. */
  const indicatorColumns = (index: string, columns: { name: string; k: number }[]): void => {
    for (const { name, k } of columns) {
      const isK = `${index}==${k}`;
      nodes.push(node('Equal', [index, indexConstant(k)], isK));
      nodes.push(node('Cast', [isK], name, [{ name: 'to', type: 'int', value: OnnxDataType.FLOAT }]));
    }
  };

  encoding.columns.forEach((spec: ColumnEncoding, j) => {
    const columnNames = restoreEncoder(spec).columnNames;
    outputs.push(...columnNames);
    const internal = `${PREFIX}${j}/`;
    switch (spec.kind) {
      case 'numeric':
      case 'boolean':
        inputs.push({ name: spec.name, elemType: OnnxDataType.FLOAT, shape: [BATCH_DIM, 1] });
        rawInputs.push({ name: spec.name, type: 'float' });
        return;
      case 'timestamp':
        throw new MlError(
          'invalid_params',
          `column "${spec.name}": timestamp encodings cannot be part of the ONNX graph (epoch milliseconds do not fit float32); encode them before the call`,
        );
      case 'ordinal': {
        assertNoEmptyCategory(spec.name, spec.categories);
        addStringInput(spec.name, inputs, rawInputs);
        nodes.push(
          labelEncoder(spec.name, columnNames[0], [
            { name: 'keys_strings', type: 'strings', value: [...spec.categories, ONNX_MISSING_STRING] },
            { name: 'values_floats', type: 'floats', value: [...spec.categories.map((_, k) => k), NaN] },
            { name: 'default_float', type: 'float', value: NaN },
          ]),
        );
        return;
      }
      case 'one_hot': {
        assertNoEmptyCategory(spec.name, spec.categories);
        addStringInput(spec.name, inputs, rawInputs);
        const other = spec.categories.length;
        const missing = other + 1;
        const index = `${internal}index`;
        nodes.push(
          labelEncoder(spec.name, index, [
            { name: 'keys_strings', type: 'strings', value: [...spec.categories, ONNX_MISSING_STRING] },
            { name: 'values_int64s', type: 'ints', value: [...spec.categories.map((_, k) => k), missing] },
            { name: 'default_int64', type: 'int', value: other },
          ]),
        );
        // Columns: categories 0..K-1, `__other__` = K, then `#missing` = K+1 with missing: 'indicator'.
        indicatorColumns(
          index,
          columnNames.map((name, k) => ({ name, k })),
        );
        return;
      }
      case 'hashing': {
        const vocabulary = spec.vocabulary;
        if (vocabulary === undefined) {
          throw new MlError(
            'invalid_params',
            `column "${spec.name}": a hashing encoding needs its training vocabulary for ONNX (fit it with keepVocabulary: true)`,
          );
        }
        assertNoEmptyCategory(spec.name, vocabulary);
        addStringInput(spec.name, inputs, rawInputs);
        const index = `${internal}bucket`;
        nodes.push(
          labelEncoder(spec.name, index, [
            { name: 'keys_strings', type: 'strings', value: [...vocabulary, ONNX_MISSING_STRING] },
            { name: 'values_int64s', type: 'ints', value: [...vocabulary.map((v) => hashBucket(v, spec.buckets)), -1] },
            { name: 'default_int64', type: 'int', value: -1 },
          ]),
        );
        indicatorColumns(
          index,
          columnNames.map((name, k) => ({ name, k })),
        );
        return;
      }
      default:
        throw new MlError('invalid_params', `unknown column encoding "${String((spec as { kind: unknown }).kind)}"`);
    }
  });

  if (outputs.join('\u0000') !== encoding.features.join('\u0000')) {
    throw new MlError('invalid_params', 'encoding.features does not match the columns its encoders produce');
  }
  // A string input must not share a name with any encoded column; nothing may use the internal prefix.
  const passThrough = new Set(rawInputs.filter((r) => r.type === 'float').map((r) => r.name));
  const defined = [...rawInputs.map((r) => r.name), ...outputs.filter((name) => !passThrough.has(name))];
  const seen = new Set<string>();
  for (const name of defined) {
    if (seen.has(name) || name === '' || name.startsWith('atelier/')) {
      throw new MlError('invalid_params', `name "${name}" cannot be used in the ONNX encoding graph: empty, duplicated or reserved`);
    }
    seen.add(name);
  }
  return { nodes, initializers: [...constants.values()], inputs, rawInputs, outputs };
}

/** One raw graph input's feed: strings (`""` = missing) or float32 (NaN = missing). */
export type RawOnnxFeed = { name: string; type: 'string'; values: string[] } | { name: string; type: 'float'; values: Float32Array };

/**
 * Raw columns as the encoding graph's feeds, for serving and tests: categorical values become
 * `String(v)` (as the encoders see them) with `""` for missing; numbers and booleans become float32
 * with NaN for missing. Wrap each as an onnxruntime `Tensor(type === 'string' ? 'string' :
 * 'float32', values, [values.length, 1])`.
 */
export function rawOnnxFeeds(encoding: DatasetEncoding, raw: RawColumns): RawOnnxFeed[] {
  return encodingGraph(encoding).rawInputs.map(({ name, type }): RawOnnxFeed => {
    const column: readonly RawValue[] | undefined = raw[name];
    if (!Array.isArray(column)) throw new MlError('invalid_dataset', `raw column "${name}" is missing`);
    return type === 'string'
      ? { name, type, values: column.map((value) => categoryOf(value) ?? ONNX_MISSING_STRING) }
      : { name, type, values: Float32Array.from(column, (value, i) => numberOf(value, name, i)) };
  });
}

function addStringInput(name: string, inputs: OnnxValueInfo[], rawInputs: RawOnnxInput[]): void {
  inputs.push({ name, elemType: OnnxDataType.STRING, shape: [BATCH_DIM, 1] });
  rawInputs.push({ name, type: 'string' });
}

function assertNoEmptyCategory(name: string, categories: string[]): void {
  if (categories.includes(ONNX_MISSING_STRING)) {
    throw new MlError(
      'invalid_params',
      `column "${name}": the empty string is a fitted category, but the ONNX graph receives missing values as ""`,
    );
  }
}

function labelEncoder(input: string, output: string, attributes: OnnxAttribute[]): OnnxNode {
  return {
    opType: 'LabelEncoder',
    domain: 'ai.onnx.ml',
    name: `${PREFIX}labelencoder:${output}`,
    inputs: [input],
    outputs: [output],
    attributes,
  };
}

function node(opType: string, inputs: string[], output: string, attributes?: OnnxAttribute[]): OnnxNode {
  return { opType, name: `${PREFIX}${opType.toLowerCase()}:${output}`, inputs, outputs: [output], attributes };
}
