import { Body, Controller, Get, Param, Post, Put, Req, Res, StreamableFile } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

import {
  AliasName,
  AliasResponse,
  CreateModelVersionRequest,
  MAX_INT32,
  ModelResponse,
  ModelVersionDetail,
  ModelVersionResponse,
  Name,
  SetAliasRequest,
  UploadModelVersionForm,
} from '@atelier/contracts';
import { Actor, BodyLimit, Endpoint, MiB, readUpload, ZodPipe } from '@atelier/server';

import { RegistryService } from './registry.service';

const tag = 'registry';
const VersionParam = z.coerce.number().int().min(1).max(MAX_INT32);
/** The largest .onnx file a version may have (its base64 in JSON takes a third more). */
const MAX_ARTIFACT_BYTES = 64 * MiB;
const AuditEntry = z.object({ action: z.string(), payload: z.unknown(), actor: z.string(), at: z.string() });

@Controller('api/models')
export class RegistryController {
  constructor(private readonly service: RegistryService) {}

  @Get()
  @Endpoint({ tag, summary: 'List models', response: z.array(ModelResponse) })
  list(): Promise<ModelResponse[]> {
    return this.service.listModels();
  }

  @Get(':name')
  @Endpoint({ tag, summary: 'Get a model with its aliases', response: ModelResponse })
  get(@Param('name', new ZodPipe(Name)) name: string): Promise<ModelResponse> {
    return this.service.getModel(name);
  }

  @Post(':name/versions')
  @BodyLimit(Math.ceil((MAX_ARTIFACT_BYTES * 4) / 3) + MiB)
  @Endpoint({
    tag,
    summary: 'Register a new version (numbered 1, 2, …) with its ONNX artifact',
    body: CreateModelVersionRequest,
    response: ModelVersionResponse,
    status: 201,
  })
  createVersion(
    @Param('name', new ZodPipe(Name)) name: string,
    @Body(new ZodPipe(CreateModelVersionRequest)) body: CreateModelVersionRequest,
    @Actor() actor: string,
  ): Promise<ModelVersionResponse> {
    return this.service.createVersion(name, body, actor);
  }

  @Post(':name/versions/upload')
  @Endpoint({
    tag,
    summary: 'Register a new version from an uploaded .onnx file; the signature is read from the graph unless given',
    upload: { file: 'file', fields: UploadModelVersionForm },
    response: ModelVersionResponse,
    status: 201,
  })
  async upload(
    @Param('name', new ZodPipe(Name)) name: string,
    @Req() request: FastifyRequest,
    @Actor() actor: string,
  ): Promise<ModelVersionResponse> {
    const { bytes, fields } = await readUpload(request, MAX_ARTIFACT_BYTES);
    return this.service.registerVersion(name, bytes, new ZodPipe(UploadModelVersionForm).transform(fields), actor);
  }

  @Get(':name/versions')
  @Endpoint({ tag, summary: 'List versions, newest first', response: z.array(ModelVersionResponse) })
  versions(@Param('name', new ZodPipe(Name)) name: string): Promise<ModelVersionResponse[]> {
    return this.service.listVersions(name);
  }

  @Get(':name/versions/:version')
  @Endpoint({ tag, summary: 'Get a version with metrics, lineage and training-data baseline', response: ModelVersionDetail })
  version(
    @Param('name', new ZodPipe(Name)) name: string,
    @Param('version', new ZodPipe(VersionParam)) version: number,
  ): Promise<ModelVersionDetail> {
    return this.service.getVersion(name, version);
  }

  @Get(':name/versions/:version/artifact')
  @Endpoint({ tag, summary: 'Download the ONNX artifact (its sha256 in the x-artifact-sha256 header)', binary: 'application/octet-stream' })
  async artifact(
    @Param('name', new ZodPipe(Name)) name: string,
    @Param('version', new ZodPipe(VersionParam)) version: number,
    @Res({ passthrough: true }) response: FastifyReply,
  ): Promise<StreamableFile> {
    const { bytes, sha256 } = await this.service.getArtifact(name, version);
    void response.header('x-artifact-sha256', sha256);
    return new StreamableFile(bytes, {
      type: 'application/octet-stream',
      length: bytes.length,
      disposition: `attachment; filename="${name}-v${version}.onnx"`,
    });
  }

  @Put(':name/aliases/:alias')
  @Endpoint({
    tag,
    summary: 'Point an alias (e.g. production) at a version; serving hot-loads it',
    body: SetAliasRequest,
    response: AliasResponse,
  })
  setAlias(
    @Param('name', new ZodPipe(Name)) name: string,
    @Param('alias', new ZodPipe(AliasName)) alias: string,
    @Body(new ZodPipe(SetAliasRequest)) body: SetAliasRequest,
    @Actor() actor: string,
  ): Promise<AliasResponse> {
    return this.service.setAlias(name, alias, body.version, actor);
  }

  @Get(':name/aliases/:alias')
  @Endpoint({ tag, summary: 'Resolve an alias to its version', response: ModelVersionDetail })
  alias(
    @Param('name', new ZodPipe(Name)) name: string,
    @Param('alias', new ZodPipe(AliasName)) alias: string,
  ): Promise<ModelVersionDetail> {
    return this.service.resolveAlias(name, alias);
  }

  @Get(':name/audit')
  @Endpoint({ tag, summary: 'Audit log of a model (versions registered, aliases moved)', response: z.array(AuditEntry) })
  audit(@Param('name', new ZodPipe(Name)) name: string) {
    return this.service.audit(name);
  }
}
