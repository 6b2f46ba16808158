import type { BatchJobResponse, ModelVersionResponse, TrainingJobResponse } from '@atelier/sdk';

import { run } from './cli';
import type { Stream } from './context';

/** One request the CLI made to the fake platform. */
export interface Call {
  method: string;
  /** path and query */
  path: string;
  origin: string;
  headers: Record<string, string>;
  body: unknown;
}

type Answer = Response | object | undefined;

/**
 * An in-memory platform for unit specs: answers `METHOD /path` from `routes` (a value, a
 * `Response`, or a function of the call), 404 NOT_FOUND otherwise, and records every call.
 */
export function fakePlatform(routes: Record<string, Answer | ((call: Call) => Answer)>) {
  const calls: Call[] = [];
  const fetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(String(input));
    const call: Call = {
      method: init.method ?? 'GET',
      path: url.pathname + url.search,
      origin: url.origin,
      headers: { ...(init.headers as Record<string, string>) },
      body: typeof init.body === 'string' ? JSON.parse(init.body) : init.body instanceof FormData ? await formFields(init.body) : undefined,
    };
    calls.push(call);
    const route = routes[`${call.method} ${call.path}`];
    const answer = typeof route === 'function' ? route(call) : route;
    if (answer === undefined) return apiError(404, 'NOT_FOUND', `no route ${call.method} ${call.path}`);
    return answer instanceof Response ? answer : Response.json(answer, { status: call.method === 'POST' ? 201 : 200 });
  };
  return { fetch: fetch as typeof globalThis.fetch, calls };
}

/** A multipart body as the fake saw it: text fields as sent, each file as its name and base64 bytes. */
async function formFields(form: FormData): Promise<Record<string, unknown>> {
  const fields: Record<string, unknown> = {};
  const entries: Array<[string, FormDataEntryValue]> = [];
  form.forEach((value, name) => entries.push([name, value]));
  for (const [name, value] of entries) {
    fields[name] = typeof value === 'string' ? value : { file: value.name, base64: Buffer.from(await value.arrayBuffer()).toString('base64') };
  }
  return fields;
}

export function apiError(status: number, code: string, message: string, details?: unknown): Response {
  return Response.json({ code, message, ...(details === undefined ? {} : { details }), requestId: 'req-1' }, { status });
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one command line in memory: no process, no network, no terminal unless `tty`. */
export async function runCli(
  argv: string[],
  options: { fetch?: typeof fetch; env?: Record<string, string>; tty?: boolean; columns?: number; stdin?: string } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const stream = (write: (s: string) => void): Stream => ({ write, isTTY: options.tty ?? false, columns: options.columns });
  const code = await run(argv, {
    stdout: stream((s) => (stdout += s)),
    stderr: stream((s) => (stderr += s)),
    env: options.env ?? { ATELIER_URL: 'http://platform.test', ATELIER_API_KEY: 'atl_test' },
    fetch: options.fetch,
    sleep: async () => undefined,
    readStdin: async () => options.stdin ?? '',
  });
  return { code, stdout, stderr };
}

export const VERSION: ModelVersionResponse = {
  model: 'delays',
  version: 2,
  description: '',
  modelType: 'onnx',
  metrics: { auc: 0.71234, logloss: 0.5 },
  signature: {
    inputs: [{ name: 'distance', source: 'request', dtype: 'float' }],
    onnxInputs: ['distance'],
    outputs: ['probability', 'label'],
    task: 'binary_classification',
    missingFeatures: 'impute',
  },
  lineage: {
    trainingJobId: null,
    source: null,
    features: [],
    window: null,
    params: {},
    trainRows: null,
    validationRows: null,
    backend: null,
  },
  artifact: { uri: 'file://delays/2.onnx', sha256: 'ab'.repeat(32), bytes: 321 },
  graph: null,
  aliases: [],
  createdAt: '2001-01-31T23:59:30.000Z',
};

export function trainingJob(overrides: Partial<TrainingJobResponse> = {}): TrainingJobResponse {
  return {
    id: '7d7c2a52-3a2e-4d3c-9d5e-2b1f0c4a9e10',
    modelName: 'delays',
    modelType: 'logistic_regression',
    status: 'queued',
    progress: 0,
    request: {} as TrainingJobResponse['request'],
    events: [],
    backend: null,
    metrics: null,
    trials: [],
    modelVersion: null,
    error: null,
    createdAt: '2001-01-31T23:59:30.000Z',
    startedAt: null,
    finishedAt: null,
    ...overrides,
  };
}

export function batchJob(overrides: Partial<BatchJobResponse> = {}): BatchJobResponse {
  return {
    id: '3f5e1c9a-8b2d-4e6f-a1c3-5d7e9f0b2a4c',
    model: 'delays',
    version: 2,
    alias: 'production',
    status: 'queued',
    source: { group: 'flights', start: '2001-01-01T00:00:00.000Z', end: '2001-02-01T00:00:00.000Z' },
    joinKeys: {},
    passthrough: [],
    publish: false,
    shards: { total: 0, done: 0 },
    rows: { total: 0, scored: 0 },
    error: null,
    createdAt: '2001-01-31T23:59:30.000Z',
    startedAt: null,
    finishedAt: null,
    outputUrl: null,
    ...overrides,
  };
}
