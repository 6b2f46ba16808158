import {
  type ClassLabel,
  type ColumnNames,
  type ModelGraph,
  type ModelSignature,
  type OutputRoles,
  outputRolesOf,
  type ServingTask,
  type TensorElementType,
  type TensorFeed,
  tensorFeedsOf,
} from '@atelier/contracts';
import { describeOnnxType, type OnnxGraph, type OnnxValue } from '@atelier/ml';
import { badRequest } from '@atelier/server';

/**
 * The signature of a version, checked against (or, when none is declared, read from) its ONNX
 * graph: which graph inputs serving fills from which named values, and which outputs hold labels,
 * probabilities or values. Every disagreement is a 400 that names it; the result always carries
 * `tensors` and `roles`, so serving reads one shape.
 */
export function resolveSignature(graph: OnnxGraph, declared?: ModelSignature, columns?: ColumnNames): ModelSignature {
  if (declared && columns) throw badRequest('give "columns" or a signature with "tensors", not both');
  return declared ? checkSignature(graph, declared) : inferSignature(graph, columns ?? {});
}

export function toModelGraph(graph: OnnxGraph): ModelGraph {
  const value = (v: OnnxValue) => ({
    name: v.name,
    type: describeOnnxType(v.type),
    elementType: v.type.kind === 'tensor' ? v.type.elementType : null,
    shape: v.type.kind === 'tensor' ? v.type.shape : null,
  });
  return {
    irVersion: graph.irVersion,
    producer: [graph.producerName, graph.producerVersion].filter(Boolean).join(' '),
    opsets: graph.opsets,
    inputs: graph.inputs.map(value),
    outputs: graph.outputs.map(value),
    operators: graph.operators,
    metadata: graph.metadata,
    classLabels: graph.classLabels,
  };
}

const FEEDABLE = new Set<string>(['float', 'double', 'int64', 'int32', 'bool', 'string']);

function checkSignature(graph: OnnxGraph, declared: ModelSignature): ModelSignature {
  const feeds = tensorFeedsOf(declared);
  const graphInputs = new Map(graph.inputs.map((i) => [i.name, i]));
  const fed = new Set(feeds.map((f) => f.name));
  const unfed = graph.inputs.filter((i) => !fed.has(i.name)).map((i) => i.name);
  if (unfed.length > 0)
    throw badRequest(`the signature does not fill graph input${plural(unfed)} ${quoted(unfed)}; the graph takes ${describeInputs(graph)}`);
  const names = new Set(declared.inputs.map((i) => i.name));
  const tensors = feeds.map((feed): TensorFeed => {
    const input = graphInputs.get(feed.name);
    if (!input)
      throw badRequest(`the signature fills "${feed.name}", which is not an input of the graph; it takes ${describeInputs(graph)}`);
    const { elementType, rank, width } = feedable(input);
    if (elementType !== feed.elementType)
      throw badRequest(
        `the signature fills "${feed.name}" with ${feed.elementType} values; the graph takes ${describeOnnxType(input.type)}`,
      );
    if (width !== null && feed.columns.length !== width) {
      throw badRequest(
        `the signature fills "${feed.name}" with ${feed.columns.length} column${feed.columns.length === 1 ? '' : 's'}; the graph takes ${width} (${describeOnnxType(input.type)})`,
      );
    }
    const unknown = feed.columns.filter((c) => !names.has(c));
    if (unknown.length > 0) throw badRequest(`the columns ${quoted(unknown)} of "${feed.name}" are not among the signature's inputs`);
    return { ...feed, rank };
  });
  const outputs = new Set(graph.outputs.map((o) => o.name));
  const missing = declared.outputs.filter((o) => !outputs.has(o));
  if (missing.length > 0)
    throw badRequest(`the graph has no output${plural(missing)} ${quoted(missing)}; it answers ${quoted([...outputs])}`);
  const roles = outputRolesOf(declared);
  for (const name of [roles.label, roles.probabilities, roles.value]) {
    if (name !== null && !outputs.has(name))
      throw badRequest(`the signature reads output "${name}", which the graph does not have; it answers ${quoted([...outputs])}`);
  }
  assertClassCount(graph, roles);
  return { ...declared, tensors, roles };
}

function inferSignature(graph: OnnxGraph, columns: ColumnNames): ModelSignature {
  const unknownKeys = Object.keys(columns).filter((k) => !graph.inputs.some((i) => i.name === k));
  if (unknownKeys.length > 0)
    throw badRequest(`"columns" names ${quoted(unknownKeys)}, not inputs of the graph; it takes ${describeInputs(graph)}`);
  const tensors = graph.inputs.map((input): TensorFeed => {
    const { elementType, rank, width } = feedable(input);
    const given = columns[input.name];
    let names: string[];
    if (given) {
      if (width !== null && given.length !== width)
        throw badRequest(`"columns.${input.name}" names ${given.length} columns; the graph input has ${width}`);
      if (rank === 1 && given.length !== 1) throw badRequest(`"columns.${input.name}" must name one column: the graph input has shape [N]`);
      names = given;
    } else if (rank === 1 || width === 1) {
      names = [input.name];
    } else if (width === null) {
      throw badRequest(
        `graph input "${input.name}" (${describeOnnxType(input.type)}) has an unknown number of columns: name them in "columns.${input.name}"`,
      );
    } else {
      names = Array.from({ length: width }, (_, i) => `${input.name}_${i}`);
    }
    return { name: input.name, elementType, columns: names, rank };
  });
  const all = tensors.flatMap((t) => t.columns);
  const repeated = all.filter((c, i) => all.indexOf(c) !== i);
  if (repeated.length > 0)
    throw badRequest(`column names must be unique; ${quoted([...new Set(repeated)])} appear${repeated.length === 1 ? 's' : ''} twice`);
  const { roles, task } = inferRoles(graph);
  return {
    inputs: tensors.flatMap((t) =>
      t.columns.map((name) => ({
        name,
        source: 'request' as const,
        dtype: t.elementType === 'string' ? ('string' as const) : ('float' as const),
      })),
    ),
    onnxInputs: tensors.map((t) => t.name),
    outputs: graph.outputs.map((o) => o.name),
    task,
    tensors,
    roles,
    missingFeatures: 'impute',
  };
}

/** Classifiers: a label tensor and/or probabilities (a `[N, C]` tensor or ZipMap maps); regressors: a numeric tensor. */
function inferRoles(graph: OnnxGraph): { roles: OutputRoles; task: ServingTask } {
  const label = graph.outputs.find(
    (o) =>
      o.type.kind === 'tensor' && (o.type.elementType === 'int64' || o.type.elementType === 'string') && (o.type.shape?.length ?? 1) <= 2,
  );
  const probabilities =
    graph.outputs.find((o) => o !== label && (isZipMap(o) || (isFloatTensor(o) && widthOf(o) !== 1))) ??
    // a label beside one float column: P(positive) of a binary classifier (Atelier's own models)
    (label ? graph.outputs.find((o) => o !== label && isFloatTensor(o) && widthOf(o) === 1) : undefined);
  if (!label && !probabilities) {
    const value = graph.outputs.find(isFloatTensor);
    if (!value)
      throw badRequest(
        `the graph has no output serving can read (a float tensor, class labels or class probabilities); it answers ${describeOutputs(graph)}`,
      );
    return { roles: { label: null, probabilities: null, value: value.name, classes: null }, task: 'regression' };
  }
  const width = probabilities ? widthOf(probabilities) : null;
  const classes: ClassLabel[] | null =
    graph.classLabels ?? (width === 1 ? [0, 1] : width === null ? null : Array.from({ length: width }, (_, i) => i));
  if (classes && width !== null && width !== 1 && classes.length !== width) {
    throw badRequest(`the graph declares ${classes.length} classes but "${probabilities!.name}" has ${width} columns`);
  }
  return {
    roles: { label: label?.name ?? null, probabilities: probabilities?.name ?? null, value: null, classes },
    task: classes !== null && classes.length > 2 ? 'multiclass_classification' : 'binary_classification',
  };
}

/** Declared classes name the columns of a `[N, C]` probabilities output: one per column. */
function assertClassCount(graph: OnnxGraph, roles: OutputRoles): void {
  const output = graph.outputs.find((o) => o.name === roles.probabilities);
  const width = output ? widthOf(output) : null;
  if (roles.classes === null || width === null || width === 1 || roles.classes.length === width) return;
  throw badRequest(`the signature names ${roles.classes.length} classes but "${output!.name}" has ${width} columns`);
}

/** The element type, rank and (when fixed) column count of a graph input serving can fill. */
function feedable(input: OnnxValue): { elementType: TensorElementType; rank: 1 | 2; width: number | null } {
  if (input.type.kind !== 'tensor')
    throw badRequest(`graph input "${input.name}" is ${describeOnnxType(input.type)}; serving feeds tensors only`);
  if (!FEEDABLE.has(input.type.elementType))
    throw badRequest(`graph input "${input.name}" takes ${input.type.elementType} values; serving feeds ${[...FEEDABLE].join(', ')}`);
  const shape = input.type.shape ?? [null, 1];
  if (shape.length < 1 || shape.length > 2)
    throw badRequest(`graph input "${input.name}" has shape ${describeOnnxType(input.type)}; serving feeds [N] or [N, columns]`);
  const rank = shape.length as 1 | 2;
  const width = rank === 1 ? 1 : typeof shape[1] === 'number' ? shape[1] : null;
  return { elementType: input.type.elementType as TensorElementType, rank, width };
}

/** Columns of a `[N, C]` tensor output (1 for `[N]`), null when unknown or not a tensor. */
function widthOf(o: OnnxValue): number | null {
  if (o.type.kind !== 'tensor' || !o.type.shape) return null;
  if (o.type.shape.length === 1) return 1;
  return o.type.shape.length === 2 && typeof o.type.shape[1] === 'number' ? o.type.shape[1] : null;
}

function isFloatTensor(o: OnnxValue): boolean {
  return o.type.kind === 'tensor' && (o.type.elementType === 'float' || o.type.elementType === 'double');
}

function isZipMap(o: OnnxValue): boolean {
  return o.type.kind === 'sequence' && o.type.element.kind === 'map';
}

function describeInputs(graph: OnnxGraph): string {
  return graph.inputs.map((i) => `"${i.name}" ${describeOnnxType(i.type)}`).join(', ') || 'no inputs';
}

function describeOutputs(graph: OnnxGraph): string {
  return graph.outputs.map((o) => `"${o.name}" ${describeOnnxType(o.type)}`).join(', ');
}

const quoted = (names: string[]) => names.map((n) => `"${n}"`).join(', ');
const plural = (names: string[]) => (names.length === 1 ? '' : 's');
