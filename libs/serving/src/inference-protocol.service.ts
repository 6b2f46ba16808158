import { gunzipSync, inflateSync } from 'node:zlib';

import { Injectable } from '@nestjs/common';
import type { Tensor } from 'onnxruntime-node';

import {
  type InputValue,
  OipInferRequest,
  type OipInferResponse,
  type OipModelMetadata,
  type OipOutput,
  type OipServerMetadata,
  type OipTensorMetadata,
  type PredictionEvent,
} from '@atelier/contracts';
import { describeOnnxType, type OnnxValue } from '@atelier/ml';
import { badRequest, HealthRegistry } from '@atelier/server';

import { ModelCache, type ServedModel } from './model-cache';
import { readOutputs } from './model-tensors';
import { fromOrtTensor, oipDatatypeOf, oipDim, toOrtTensor } from './oip-tensors';
import type { PlainTensor } from './onnx-runner';
import { predictionIds } from './prediction-id';
import { PredictionLog } from './prediction-log';

/** The binary tensor extension's header: how many leading bytes of the body are the JSON request. */
export const HEADER_LENGTH = 'inference-header-content-length';

/** What the transport says about a request body. */
export interface InferBody {
  /** parsed JSON (application/json), or the bytes of any other or no content type */
  body: unknown;
  headerLength?: string;
  contentEncoding?: string;
}

/** An answer: JSON, or the binary extension's JSON header + raw output data. */
export type InferAnswer = { kind: 'json'; response: OipInferResponse } | { kind: 'binary'; headerLength: number; bytes: Buffer };

const MAX_INFLATED_BYTES = 64 * 1024 * 1024;

/**
 * The Open Inference Protocol v2 over Atelier's models: server and model metadata built from the
 * served graph, readiness, and inference on the raw graph (the caller gives every graph input),
 * with JSON tensors or the binary tensor extension.
 */
@Injectable()
export class InferenceProtocolService {
  constructor(
    private readonly cache: ModelCache,
    private readonly health: HealthRegistry,
    private readonly log: PredictionLog,
  ) {}

  server(): OipServerMetadata {
    return { name: 'atelier', version: '0.1.0', extensions: ['binary_tensor_data', 'model_repository_readonly'] };
  }

  async ready(): Promise<boolean> {
    return (await this.health.run()).status === 'ok';
  }

  async metadata(name: string, version?: number): Promise<OipModelMetadata> {
    const served = await this.served(name, version);
    return {
      name: served.detail.model,
      versions: [String(served.detail.version)],
      platform: 'onnxruntime_onnx',
      inputs: served.graph.inputs.map(tensorMetadata),
      outputs: served.graph.outputs.map(tensorMetadata),
    };
  }

  /** Ready once loaded: this loads the version (or the production alias's) when it is not yet. */
  async modelReady(name: string, version?: number): Promise<{ name: string; ready: boolean }> {
    const served = await this.served(name, version);
    return { name: served.detail.model, ready: true };
  }

  async infer(name: string, version: number | undefined, transport: InferBody): Promise<InferAnswer> {
    const { request, binary } = decodeRequest(transport);
    const served = await this.served(name, version);
    const feeds = feedsOf(served, request, binary);
    const out = await served.runner.run(feeds);
    const loggedIds = this.logPredictions(served, version === undefined ? 'production' : null, feeds, out);

    const allBinary = request.parameters?.binary_data_output === true;
    const wanted = request.outputs ?? served.graph.outputs.map((o) => ({ name: o.name, parameters: undefined }));
    const blobs: Buffer[] = [];
    const outputs: OipOutput[] = wanted.map((w) => {
      const tensor = out[served.outputNames.get(w.name) ?? w.name];
      if (!tensor)
        throw badRequest(`the model has no output "${w.name}"; it answers ${served.graph.outputs.map((o) => `"${o.name}"`).join(', ')}`);
      const asBinary = typeof w.parameters?.binary_data === 'boolean' ? w.parameters.binary_data : allBinary;
      const { output, bytes } = fromOrtTensor(w.name, tensor, asBinary);
      if (bytes) blobs.push(bytes);
      return output;
    });
    const response: OipInferResponse = {
      model_name: served.detail.model,
      model_version: String(served.detail.version),
      ...(request.id ? { id: request.id } : {}),
      // the ids outcomes are recorded against (POST /api/outcomes), one per row, comma-separated
      ...(loggedIds.length > 0 ? { parameters: { atelier_prediction_ids: loggedIds.join(',') } } : {}),
      outputs,
    };
    if (blobs.length === 0) return { kind: 'json', response };
    const header = Buffer.from(JSON.stringify(response), 'utf8');
    return { kind: 'binary', headerLength: header.length, bytes: Buffer.concat([header, ...blobs]) };
  }

  /**
   * Each row of a run in the prediction log, as `/api/predict` logs it: the values by the
   * signature's input names (read back from the tensors), the answer by the signature's roles.
   * Returns the rows' prediction ids; none when the answer has no number monitoring can use.
   */
  private logPredictions(
    served: ServedModel,
    alias: string | null,
    feeds: Record<string, Tensor>,
    out: Record<string, PlainTensor>,
  ): string[] {
    const rows = Number(Object.values(feeds)[0]?.dims[0] ?? 0);
    const answers = readOutputs(served.plan.outputs, out, rows);
    if (rows === 0 || !answers.every((a) => Number.isFinite(a.prediction))) return [];
    const inputs = namedInputs(served, feeds, rows);
    const { model, version } = served.detail;
    const at = new Date().toISOString();
    const ids = answers.map(() => predictionIds.next());
    const events: PredictionEvent[] = [];
    answers.forEach((a, r) => {
      if (!this.log.sampled()) return;
      const classes = a.probabilities ? { label: a.label, probabilities: a.probabilities } : {};
      events.push({
        type: 'prediction',
        schemaVersion: 1,
        predictionId: ids[r]!,
        model,
        version,
        alias,
        prediction: a.prediction,
        ...classes,
        inputs: inputs[r]!,
        entities: {},
        at,
      });
    });
    this.log.record(events);
    return ids;
  }

  private served(name: string, version?: number): Promise<ServedModel> {
    return version === undefined ? this.cache.byAlias(name, 'production') : this.cache.byVersion(name, version);
  }
}

/** The tensors of a run back as named values per row, by the signature's columns. */
function namedInputs(served: ServedModel, feeds: Record<string, Tensor>, rows: number): Array<Record<string, InputValue>> {
  const named = Array.from({ length: rows }, () => ({}) as Record<string, InputValue>);
  for (const feed of served.plan.feeds) {
    const data = feeds[feed.name]?.data as ArrayLike<number | bigint | string> | undefined;
    if (!data) continue;
    const width = feed.columns.length;
    for (let r = 0; r < rows; r++) {
      feed.columns.forEach((column, c) => {
        const v = data[feed.rank === 1 ? r : r * width + c];
        named[r]![column] = typeof v === 'string' ? v || null : Number.isFinite(Number(v)) ? Number(v) : null;
      });
    }
  }
  return named;
}

function tensorMetadata(value: OnnxValue): OipTensorMetadata {
  if (value.type.kind !== 'tensor') return { name: value.name, datatype: describeOnnxType(value.type), shape: [] };
  return {
    name: value.name,
    datatype: oipDatatypeOf(value.type.elementType) ?? value.type.elementType,
    shape: (value.type.shape ?? [-1]).map(oipDim),
  };
}

/** The JSON request and the binary section after it (binary tensor extension), inflated when compressed. */
function decodeRequest({ body, headerLength, contentEncoding }: InferBody): { request: OipInferRequest; binary: Buffer | null } {
  if (!Buffer.isBuffer(body)) {
    if (body === undefined || body === null) throw badRequest('the request has no body: send the inference request as JSON');
    return { request: OipInferRequest.parse(body), binary: null };
  }
  const bytes = inflate(body, contentEncoding);
  const length = headerLength === undefined ? bytes.length : Number(headerLength);
  if (!Number.isSafeInteger(length) || length <= 0 || length > bytes.length) {
    throw badRequest(`Inference-Header-Content-Length must be a byte count within the body (1–${bytes.length}); got ${headerLength}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8', 0, length));
  } catch {
    throw badRequest(
      headerLength === undefined
        ? 'the body is not JSON (binary tensors need the Inference-Header-Content-Length header)'
        : 'the JSON header of the request is not JSON',
    );
  }
  return { request: OipInferRequest.parse(json), binary: length < bytes.length ? bytes.subarray(length) : null };
}

function inflate(bytes: Buffer, encoding: string | undefined): Buffer {
  try {
    switch (encoding?.toLowerCase()) {
      case undefined:
      case 'identity':
        return bytes;
      case 'gzip':
        return gunzipSync(bytes, { maxOutputLength: MAX_INFLATED_BYTES });
      case 'deflate':
        return inflateSync(bytes, { maxOutputLength: MAX_INFLATED_BYTES });
      default:
        throw badRequest(`Content-Encoding "${encoding}" is not supported; use gzip, deflate or none`);
    }
  } catch (error) {
    if (error instanceof Error && error.name === 'DomainError') throw error;
    throw badRequest(`the body is not valid ${encoding} data, or inflates beyond ${MAX_INFLATED_BYTES} bytes`);
  }
}

/** Every graph input from the request: by name, binary slices taken in the order of the request's inputs. */
function feedsOf(served: ServedModel, request: OipInferRequest, binary: Buffer | null): Record<string, Tensor> {
  const graphInputs = new Map(served.graph.inputs.map((i) => [i.name, i]));
  const unknown = request.inputs.filter((i) => !graphInputs.has(i.name)).map((i) => i.name);
  if (unknown.length > 0)
    throw badRequest(`the model has no input ${unknown.map((n) => `"${n}"`).join(', ')}; it takes ${describeInputs(served)}`);
  const feeds: Record<string, Tensor> = {};
  let offset = 0;
  for (const input of request.inputs) {
    const size = input.parameters?.binary_data_size;
    let slice: Buffer | null = null;
    if (size !== undefined && size !== null) {
      if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
        throw badRequest(`input "${input.name}": binary_data_size must be a byte count`);
      if (!binary || offset + size > binary.length)
        throw badRequest(`input "${input.name}": binary_data_size ${size} runs past the binary data of the request`);
      slice = binary.subarray(offset, offset + size);
      offset += size;
    }
    const graphInput = graphInputs.get(input.name)!;
    if (graphInput.type.kind !== 'tensor')
      throw badRequest(`graph input "${input.name}" is ${describeOnnxType(graphInput.type)}; the protocol feeds tensors only`);
    feeds[input.name] = toOrtTensor(input, graphInput.type.elementType, graphInput.type.shape, slice);
  }
  const missing = [...graphInputs.keys()].filter((name) => !feeds[name]);
  if (missing.length > 0)
    throw badRequest(
      `input${missing.length === 1 ? '' : 's'} ${missing.map((n) => `"${n}"`).join(', ')} missing; the model takes ${describeInputs(served)}`,
    );
  if (binary && offset !== binary.length)
    throw badRequest(`the request carries ${binary.length} bytes of binary data; its inputs' binary_data_size add up to ${offset}`);
  return feeds;
}

function describeInputs(served: ServedModel): string {
  return served.graph.inputs.map((i) => `"${i.name}" ${describeOnnxType(i.type)}`).join(', ');
}
