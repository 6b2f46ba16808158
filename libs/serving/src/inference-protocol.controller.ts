import { Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

import {
  MAX_INT32,
  Name,
  OipError,
  OipInferRequest,
  OipInferResponse,
  OipModelMetadata,
  OipModelReady,
  OipReady,
  OipServerMetadata,
} from '@atelier/contracts';
import { Access, BodyLimit, Endpoint, MiB, shapeErrorsUnder, ZodPipe } from '@atelier/server';

import { HEADER_LENGTH, InferenceProtocolService } from './inference-protocol.service';

const tag = 'open-inference-protocol';
const VersionParam = z.coerce.number().int().min(1).max(MAX_INT32);
const INFER_BODY_LIMIT = 16 * MiB;

// the protocol's clients decode `{ "error": "…" }` only
shapeErrorsUnder('/v2', (_status, body) => ({ error: body.message }));

/** Open Inference Protocol v2 (KServe / Triton REST): the raw graph, every input given by the caller. */
@Access('predict', OipError)
@Controller('v2')
export class InferenceProtocolController {
  constructor(private readonly protocol: InferenceProtocolService) {}

  @Get()
  @Access('public')
  @Endpoint({ tag, errors: OipError, summary: 'Server metadata', response: OipServerMetadata })
  server(): OipServerMetadata {
    return this.protocol.server();
  }

  @Get('health/live')
  @Access('public')
  @Endpoint({ tag, errors: OipError, summary: 'Server liveness', response: OipReady.extend({ live: z.boolean() }).omit({ ready: true }) })
  live() {
    return { live: true };
  }

  @Get('health/ready')
  @Access('public')
  @Endpoint({
    tag,
    errors: OipError,
    summary: 'Server readiness: 200 when the stores serving needs answer, 503 otherwise',
    response: OipReady,
  })
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const ready = await this.protocol.ready();
    void reply.status(ready ? 200 : 503);
    return { ready };
  }

  @Get('models/:name')
  @Endpoint({ tag, errors: OipError, summary: 'Model metadata (the production alias), from the served graph', response: OipModelMetadata })
  metadata(@Param('name', new ZodPipe(Name)) name: string): Promise<OipModelMetadata> {
    return this.protocol.metadata(name);
  }

  @Get('models/:name/ready')
  @Endpoint({
    tag,
    errors: OipError,
    summary: 'Model readiness (the production alias): loads it when it is not loaded yet',
    response: OipModelReady,
  })
  modelReady(@Param('name', new ZodPipe(Name)) name: string) {
    return this.protocol.modelReady(name);
  }

  @Get('models/:name/versions/:version')
  @Endpoint({ tag, errors: OipError, summary: 'Model metadata of one version', response: OipModelMetadata })
  versionMetadata(
    @Param('name', new ZodPipe(Name)) name: string,
    @Param('version', new ZodPipe(VersionParam)) version: number,
  ): Promise<OipModelMetadata> {
    return this.protocol.metadata(name, version);
  }

  @Get('models/:name/versions/:version/ready')
  @Endpoint({ tag, errors: OipError, summary: 'Readiness of one version', response: OipModelReady })
  versionReady(@Param('name', new ZodPipe(Name)) name: string, @Param('version', new ZodPipe(VersionParam)) version: number) {
    return this.protocol.modelReady(name, version);
  }

  @Post('models/:name/infer')
  @BodyLimit(INFER_BODY_LIMIT, { raw: true })
  @Endpoint({
    tag,
    errors: OipError,
    summary: 'Infer with the production alias: JSON tensors, or the binary tensor extension',
    body: OipInferRequest,
    response: OipInferResponse,
  })
  infer(
    @Param('name', new ZodPipe(Name)) name: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<OipInferResponse | Buffer> {
    return this.answer(request, reply, name, undefined);
  }

  @Post('models/:name/versions/:version/infer')
  @BodyLimit(INFER_BODY_LIMIT, { raw: true })
  @Endpoint({ tag, errors: OipError, summary: 'Infer with one version', body: OipInferRequest, response: OipInferResponse })
  inferVersion(
    @Param('name', new ZodPipe(Name)) name: string,
    @Param('version', new ZodPipe(VersionParam)) version: number,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<OipInferResponse | Buffer> {
    return this.answer(request, reply, name, version);
  }

  /** A binary answer carries its JSON header's length in a header, as the extension specifies. */
  private async answer(request: FastifyRequest, reply: FastifyReply, name: string, version: number | undefined) {
    const { headers, body } = request;
    const answer = await this.protocol.infer(name, version, {
      body,
      headerLength: header(headers[HEADER_LENGTH]),
      contentEncoding: header(headers['content-encoding']),
    });
    if (answer.kind === 'json') return answer.response;
    void reply.header('content-type', 'application/octet-stream').header('Inference-Header-Content-Length', String(answer.headerLength));
    return answer.bytes;
  }
}

const header = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
