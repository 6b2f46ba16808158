import { MlError } from '../ml.error';
import { OnnxDataType, type OnnxGraph, type OnnxNode, type OnnxTensor } from './onnx.proto';

/** The graph outputs a partitioned model keeps: one of its models' outputs, chosen per row. */
export interface PartitionGraphs {
  /** the string input whose value picks the model (a raw input of the graphs, or added) */
  column: string;
  /** partition values, each with its model's graph; every graph has the same inputs and outputs */
  partitions: Array<{ value: string; graph: OnnxGraph }>;
  /** answers the rows whose value is missing or in no partition */
  global: OnnxGraph;
}

const PREFIX = 'atelier/partition/';

/**
 * One graph of several models that answers each row with its partition's model, or with the
 * global model when the row's `column` is missing or names no partition (Michelangelo's
 * partitioned models with a fallback). Each model keeps its own nodes and weights under a prefix
 * of its own; the rows are routed by `ai.onnx.ml` LabelEncoder (value → partition index, -1 for
 * none) and `Where` per output. Every model runs on every row — the price of one plain ONNX file
 * that any runtime serves — so the graph costs the sum of its models.
 */
export function partitionedGraph({ column, partitions, global }: PartitionGraphs): OnnxGraph {
  if (partitions.length === 0) throw new MlError('invalid_params', 'a partitioned model needs at least one partition');
  const values = partitions.map((p) => p.value);
  if (new Set(values).size !== values.length) throw new MlError('invalid_params', 'partition values must be distinct');
  const inputs = global.inputs.map((i) => i.name).join('\u0000');
  const outputs = global.outputs.map((o) => `${o.name}:${o.shape.length}`).join('\u0000');
  for (const { value, graph } of partitions) {
    if (graph.inputs.map((i) => i.name).join('\u0000') !== inputs || graph.outputs.map((o) => `${o.name}:${o.shape.length}`).join('\u0000') !== outputs) {
      throw new MlError('invalid_params', `the model of partition "${value}" has other inputs or outputs than the global model`);
    }
  }
  const shared = new Set(global.inputs.map((i) => i.name));
  const models = [...partitions.map((p) => p.graph), global];
  const renamed = models.map((graph, k) => prefixed(graph, `${PREFIX}m${k}/`, shared));

  const columnInput = global.inputs.find((i) => i.name === column);
  if (columnInput && columnInput.elemType !== OnnxDataType.STRING) {
    throw new MlError('invalid_params', `the partition column "${column}" is a ${columnInput.elemType} input; it must be a string`);
  }
  const index = `${PREFIX}index`;
  const nodes: OnnxNode[] = [
    {
      opType: 'LabelEncoder',
      domain: 'ai.onnx.ml',
      name: `${PREFIX}labelencoder`,
      inputs: [column],
      outputs: [index],
      attributes: [
        { name: 'keys_strings', type: 'strings', value: values },
        { name: 'values_int64s', type: 'ints', value: values.map((_, k) => k) },
        { name: 'default_int64', type: 'int', value: -1 },
      ],
    },
  ];
  const initializers: OnnxTensor[] = [{ name: `${PREFIX}flat`, dataType: OnnxDataType.INT64, dims: [1], values: [-1] }];
  partitions.forEach((_, k) => {
    initializers.push({ name: `${PREFIX}k${k}`, dataType: OnnxDataType.INT64, dims: [], values: [k] });
    nodes.push(node('Equal', [index, `${PREFIX}k${k}`], `${PREFIX}is${k}`));
    nodes.push(node('Reshape', [`${PREFIX}is${k}`, `${PREFIX}flat`], `${PREFIX}is${k}/flat`));
  });
  // per output, from the global model's answer: where the row is in partition k, that model's
  const routed = global.outputs.flatMap((output) => {
    const condition = (k: number) => (output.shape.length === 1 ? `${PREFIX}is${k}/flat` : `${PREFIX}is${k}`);
    const answer = (k: number) => `${PREFIX}m${k}/${output.name}`;
    let current = answer(partitions.length);
    return partitions.map((_, k) => {
      const out = k === partitions.length - 1 ? output.name : `${PREFIX}${output.name}/${k}`;
      const where = node('Where', [condition(k), answer(k), current], out);
      current = out;
      return where;
    });
  });
  return {
    name: global.name,
    docString: `answers with one of ${partitions.length} models by "${column}", else the global model`,
    inputs: columnInput ? global.inputs : [...global.inputs, partitionInput(column)],
    outputs: global.outputs,
    initializers: [...renamed.flatMap((g) => g.initializers), ...initializers],
    nodes: [...renamed.flatMap((g) => g.nodes), ...nodes, ...routed],
  };
}

/** The string input `[N, 1]` a partition column is fed as when it is no input of the models. */
export function partitionInput(column: string): OnnxGraph['inputs'][number] {
  return { name: column, elemType: OnnxDataType.STRING, shape: ['N', 1] };
}

/** The graph with every value but the shared inputs renamed under `prefix` (outputs included). */
function prefixed(graph: OnnxGraph, prefix: string, shared: Set<string>): OnnxGraph {
  const name = (value: string) => (shared.has(value) || value === '' ? value : `${prefix}${value}`);
  return {
    ...graph,
    initializers: graph.initializers.map((t) => ({ ...t, name: name(t.name) })),
    nodes: graph.nodes.map((n) => ({
      ...n,
      ...(n.name === undefined ? {} : { name: `${prefix}${n.name}` }),
      inputs: n.inputs.map(name),
      outputs: n.outputs.map(name),
    })),
    outputs: graph.outputs.map((o) => ({ ...o, name: name(o.name) })),
  };
}

function node(opType: string, inputs: string[], output: string): OnnxNode {
  return { opType, name: `${PREFIX}${opType.toLowerCase()}:${output}`, inputs, outputs: [output] };
}
