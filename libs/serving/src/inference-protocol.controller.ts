import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { Tensor } from 'onnxruntime-node';
import { z } from 'zod';

import { MAX_INT32, Name } from '@atelier/contracts';
import { Access, badRequest, BodyLimit, Endpoint, MiB, ZodPipe } from '@atelier/server';

import { ModelCache, type ServedModel } from './model-cache';

const tag = 'open-inference-protocol';

// Open Inference Protocol v2 (KServe / Triton REST): the raw model, inputs given by the caller.
const InferInput = z.object({
  name: z.string(),
  shape: z.array(z.number().int().nonnegative()),
  datatype: z.enum(['FP32', 'FP64', 'INT64', 'INT32', 'BYTES']),
  data: z.union([z.array(z.number()), z.array(z.string())]),
});
const InferRequest = z.object({ id: z.string().optional(), inputs: z.array(InferInput).min(1) });
type InferRequest = z.infer<typeof InferRequest>;
const InferResponse = z.object({
  model_name: z.string(),
  model_version: z.string(),
  id: z.string().optional(),
  outputs: z.array(z.object({ name: z.string(), shape: z.array(z.number()), datatype: z.string(), data: z.array(z.number()) })),
});
type InferResponse = z.infer<typeof InferResponse>;
const VersionParam = z.coerce.number().int().min(1).max(MAX_INT32);
const INFER_BODY_LIMIT = 16 * MiB;

@Access('predict')
@Controller('v2')
export class InferenceProtocolController {
  constructor(private readonly cache: ModelCache) {}

  @Get('health/live')
  @Access('public')
  live() {
    return { live: true };
  }

  @Get('health/ready')
  @Access('public')
  ready() {
    return { ready: true };
  }

  @Get('models/:name')
  @Endpoint({ tag, summary: 'Model metadata (the production alias)' })
  async metadata(@Param('name', new ZodPipe(Name)) name: string) {
    return toMetadata(await this.cache.byAlias(name, 'production'));
  }

  @Get('models/:name/versions/:version')
  @Endpoint({ tag, summary: 'Model metadata of one version' })
  async versionMetadata(@Param('name', new ZodPipe(Name)) name: string, @Param('version', new ZodPipe(VersionParam)) version: number) {
    return toMetadata(await this.cache.byVersion(name, version));
  }

  @Post('models/:name/infer')
  @BodyLimit(INFER_BODY_LIMIT)
  @Endpoint({ tag, summary: 'Infer with the production alias', body: InferRequest, response: InferResponse })
  async infer(@Param('name', new ZodPipe(Name)) name: string, @Body(new ZodPipe(InferRequest)) body: InferRequest): Promise<InferResponse> {
    return infer(await this.cache.byAlias(name, 'production'), body);
  }

  @Post('models/:name/versions/:version/infer')
  @BodyLimit(INFER_BODY_LIMIT)
  @Endpoint({ tag, summary: 'Infer with one version', body: InferRequest, response: InferResponse })
  async inferVersion(
    @Param('name', new ZodPipe(Name)) name: string,
    @Param('version', new ZodPipe(VersionParam)) version: number,
    @Body(new ZodPipe(InferRequest)) body: InferRequest,
  ): Promise<InferResponse> {
    return infer(await this.cache.byVersion(name, version), body);
  }
}

function toMetadata(served: ServedModel) {
  return {
    name: served.detail.model,
    versions: [String(served.detail.version)],
    platform: 'onnxruntime_onnx',
    inputs: served.plan.onnxInputs.map(({ name, dtype }) => ({ name, datatype: dtype === 'string' ? 'BYTES' : 'FP32', shape: [-1, 1] })),
    outputs: [
      { name: 'probability', datatype: 'FP32', shape: [-1, 1] },
      { name: 'label', datatype: 'INT64', shape: [-1, 1] },
    ],
  };
}

async function infer(served: ServedModel, request: InferRequest): Promise<InferResponse> {
  const given = new Map(request.inputs.map((i) => [i.name, i]));
  const feeds: Record<string, Tensor> = {};
  let rows: number | undefined;
  for (const { name, dtype } of served.plan.onnxInputs) {
    const isString = dtype === 'string';
    const input = given.get(name);
    if (!input) throw badRequest(`input "${name}" is missing; the model takes ${served.detail.signature.onnxInputs.join(', ')}`);
    const count = input.shape.reduce((a, b) => a * b, 1);
    if (count !== input.data.length) throw badRequest(`input "${name}": shape ${JSON.stringify(input.shape)} needs ${count} values, got ${input.data.length}`);
    rows ??= count;
    if (count !== rows) throw badRequest('every input must have the same number of rows');
    if (isString !== (input.datatype === 'BYTES')) {
      throw badRequest(`input "${name}" must be ${isString ? 'BYTES (strings)' : 'numeric'}`);
    }
    feeds[name] = isString
      ? new Tensor('string', (input.data as string[]).map(String), [count, 1])
      : new Tensor('float32', Float32Array.from(input.data as number[]), [count, 1]);
  }
  const out = await served.runner.run(feeds);
  return {
    model_name: served.detail.model,
    model_version: String(served.detail.version),
    id: request.id,
    outputs: Object.entries(out).map(([name, tensor]) => ({
      name,
      shape: [...tensor.dims],
      datatype: tensor.type === 'int64' ? 'INT64' : 'FP32',
      data: Array.from(tensor.data as ArrayLike<number | bigint>, Number),
    })),
  };
}
