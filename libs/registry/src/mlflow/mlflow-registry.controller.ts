import { All, Body, Controller, Delete, Get, Patch, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController, ApiExcludeEndpoint } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';

import {
  MlflowAliasQuery,
  MlflowDeleteAliasRequest,
  MlflowDeleteModelVersionTagRequest,
  MlflowDeleteRegisteredModelTagRequest,
  MlflowDownloadUriResponse,
  MlflowEmptyResponse,
  MlflowErrorBody,
  MlflowGetLatestVersionsRequest,
  MlflowModelNameQuery,
  MlflowModelVersionQuery,
  MlflowModelVersionResponse,
  MlflowModelVersionsResponse,
  MlflowRegisteredModelResponse,
  MlflowSearchModelVersionsQuery,
  MlflowSearchModelVersionsResponse,
  MlflowSearchRegisteredModelsQuery,
  MlflowSearchRegisteredModelsResponse,
  MlflowSetAliasRequest,
  MlflowSetModelVersionTagRequest,
  MlflowSetRegisteredModelTagRequest,
  MlflowUpdateModelVersionRequest,
  MlflowUpdateRegisteredModelRequest,
} from '@atelier/contracts';
import { Access, Actor, Endpoint, type EndpointOptions, shapeErrorsUnder, ZodPipe } from '@atelier/server';

import { toMlflowErrorBody } from './mlflow-errors';
import { MlflowRegistryService } from './mlflow-registry.service';

// MLflow's client decodes `{ error_code, message }` only: every error under these prefixes (parsing,
// access checks and bodies refused before a route runs included) is sent in that shape
shapeErrorsUnder('/api/2.0/mlflow/', toMlflowErrorBody);
shapeErrorsUnder('/ajax-api/2.0/mlflow/', toMlflowErrorBody);

const tag = 'mlflow-model-registry';
const errors = MlflowErrorBody;
const doc = (options: Omit<EndpointOptions, 'tag' | 'errors'>) => Endpoint({ tag, errors, ...options });
const read = () => Access('read', errors);
const write = () => Access('write', errors);

// Query parameters are typed `z.infer<typeof Schema>`: typed by the schema's own name, the
// parameter's design type would be the zod object, which Swagger then takes for a class.

/**
 * MLflow's Model Registry REST API over Atelier's registry (see `MlflowRegistryService`): reads
 * for viewers, changes for editors, errors in MLflow's shape.
 */
@Controller('api/2.0/mlflow')
export class MlflowRegistryController {
  constructor(private readonly service: MlflowRegistryService) {}

  // ── registered models ──

  @Get('registered-models/get')
  @read()
  @doc({
    summary: 'Get a registered model (MLflow GetRegisteredModel)',
    query: MlflowModelNameQuery,
    response: MlflowRegisteredModelResponse,
  })
  getRegisteredModel(
    @Query(new ZodPipe(MlflowModelNameQuery)) query: z.infer<typeof MlflowModelNameQuery>,
  ): Promise<MlflowRegisteredModelResponse> {
    return this.service.getRegisteredModel(query.name);
  }

  @Get('registered-models/search')
  @read()
  @doc({
    summary: "Search registered models: filter on name and tags (name LIKE 'fl%' AND tags.team = 'ops'), order, pages",
    query: MlflowSearchRegisteredModelsQuery,
    response: MlflowSearchRegisteredModelsResponse,
  })
  searchRegisteredModels(
    @Query(new ZodPipe(MlflowSearchRegisteredModelsQuery)) query: z.infer<typeof MlflowSearchRegisteredModelsQuery>,
  ): Promise<MlflowSearchRegisteredModelsResponse> {
    return this.service.searchRegisteredModels(query);
  }

  @Patch('registered-models/update')
  @write()
  @doc({ summary: "Change a model's description", body: MlflowUpdateRegisteredModelRequest, response: MlflowRegisteredModelResponse })
  updateRegisteredModel(
    @Body(new ZodPipe(MlflowUpdateRegisteredModelRequest)) body: MlflowUpdateRegisteredModelRequest,
    @Actor() actor: string,
  ): Promise<MlflowRegisteredModelResponse> {
    return this.service.updateRegisteredModel(body.name, body.description ?? '', actor);
  }

  @Post('registered-models/set-tag')
  @write()
  @doc({ summary: 'Set a tag of a model', body: MlflowSetRegisteredModelTagRequest, response: MlflowEmptyResponse })
  setRegisteredModelTag(
    @Body(new ZodPipe(MlflowSetRegisteredModelTagRequest)) body: MlflowSetRegisteredModelTagRequest,
    @Actor() actor: string,
  ): Promise<MlflowEmptyResponse> {
    return this.service.setRegisteredModelTag(body.name, body.key, body.value, actor);
  }

  @Delete('registered-models/delete-tag')
  @write()
  @doc({ summary: 'Delete a tag of a model', body: MlflowDeleteRegisteredModelTagRequest, response: MlflowEmptyResponse })
  deleteRegisteredModelTag(
    @Body(new ZodPipe(MlflowDeleteRegisteredModelTagRequest)) body: MlflowDeleteRegisteredModelTagRequest,
    @Actor() actor: string,
  ): Promise<MlflowEmptyResponse> {
    return this.service.deleteRegisteredModelTag(body.name, body.key, actor);
  }

  @Get('registered-models/get-latest-versions')
  @read()
  @doc({
    summary: 'The newest version (every Atelier version is in the stage None)',
    query: MlflowGetLatestVersionsRequest,
    response: MlflowModelVersionsResponse,
  })
  getLatestVersions(
    @Query(new ZodPipe(MlflowGetLatestVersionsRequest)) query: z.infer<typeof MlflowGetLatestVersionsRequest>,
  ): Promise<MlflowModelVersionsResponse> {
    return this.service.getLatestVersions(query.name, query.stages);
  }

  // MLflow's client asks by POST first: a read all the same
  @Post('registered-models/get-latest-versions')
  @read()
  @doc({ summary: 'The newest version, asked by POST', body: MlflowGetLatestVersionsRequest, response: MlflowModelVersionsResponse })
  getLatestVersionsByPost(
    @Body(new ZodPipe(MlflowGetLatestVersionsRequest)) body: MlflowGetLatestVersionsRequest,
  ): Promise<MlflowModelVersionsResponse> {
    return this.service.getLatestVersions(body.name, body.stages);
  }

  // ── aliases ──

  @Post('registered-models/alias')
  @write()
  @doc({
    summary: 'Point an alias at a version: Atelier’s audited alias move; serving hot-loads it',
    body: MlflowSetAliasRequest,
    response: MlflowEmptyResponse,
  })
  setAlias(@Body(new ZodPipe(MlflowSetAliasRequest)) body: MlflowSetAliasRequest, @Actor() actor: string): Promise<MlflowEmptyResponse> {
    return this.service.setAlias(body.name, body.alias, body.version, actor);
  }

  @Delete('registered-models/alias')
  @write()
  @doc({ summary: 'Remove an alias (audited)', body: MlflowDeleteAliasRequest, response: MlflowEmptyResponse })
  deleteAlias(
    @Body(new ZodPipe(MlflowDeleteAliasRequest)) body: MlflowDeleteAliasRequest,
    @Actor() actor: string,
  ): Promise<MlflowEmptyResponse> {
    return this.service.deleteAlias(body.name, body.alias, actor);
  }

  @Get('registered-models/alias')
  @read()
  @doc({ summary: 'The version an alias points at (latest: the newest)', query: MlflowAliasQuery, response: MlflowModelVersionResponse })
  getVersionByAlias(@Query(new ZodPipe(MlflowAliasQuery)) query: z.infer<typeof MlflowAliasQuery>): Promise<MlflowModelVersionResponse> {
    return this.service.getVersionByAlias(query.name, query.alias);
  }

  // ── model versions ──

  @Get('model-versions/get')
  @read()
  @doc({ summary: 'Get a version', query: MlflowModelVersionQuery, response: MlflowModelVersionResponse })
  getModelVersion(
    @Query(new ZodPipe(MlflowModelVersionQuery)) query: z.infer<typeof MlflowModelVersionQuery>,
  ): Promise<MlflowModelVersionResponse> {
    return this.service.getModelVersion(query.name, query.version);
  }

  @Get('model-versions/search')
  @read()
  @doc({
    summary: "Search versions: filter on name, version_number, source_path and tags (name = 'x'), order, pages",
    query: MlflowSearchModelVersionsQuery,
    response: MlflowSearchModelVersionsResponse,
  })
  searchModelVersions(
    @Query(new ZodPipe(MlflowSearchModelVersionsQuery)) query: z.infer<typeof MlflowSearchModelVersionsQuery>,
  ): Promise<MlflowSearchModelVersionsResponse> {
    return this.service.searchModelVersions(query);
  }

  @Patch('model-versions/update')
  @write()
  @doc({ summary: "Change a version's description", body: MlflowUpdateModelVersionRequest, response: MlflowModelVersionResponse })
  updateModelVersion(
    @Body(new ZodPipe(MlflowUpdateModelVersionRequest)) body: MlflowUpdateModelVersionRequest,
    @Actor() actor: string,
  ): Promise<MlflowModelVersionResponse> {
    return this.service.updateModelVersion(body.name, body.version, body.description, actor);
  }

  @Post('model-versions/set-tag')
  @write()
  @doc({ summary: 'Set a tag of a version', body: MlflowSetModelVersionTagRequest, response: MlflowEmptyResponse })
  setModelVersionTag(
    @Body(new ZodPipe(MlflowSetModelVersionTagRequest)) body: MlflowSetModelVersionTagRequest,
    @Actor() actor: string,
  ): Promise<MlflowEmptyResponse> {
    return this.service.setModelVersionTag(body.name, body.version, body.key, body.value, actor);
  }

  @Delete('model-versions/delete-tag')
  @write()
  @doc({ summary: 'Delete a tag of a version', body: MlflowDeleteModelVersionTagRequest, response: MlflowEmptyResponse })
  deleteModelVersionTag(
    @Body(new ZodPipe(MlflowDeleteModelVersionTagRequest)) body: MlflowDeleteModelVersionTagRequest,
    @Actor() actor: string,
  ): Promise<MlflowEmptyResponse> {
    return this.service.deleteModelVersionTag(body.name, body.version, body.key, actor);
  }

  @Get('model-versions/get-download-uri')
  @read()
  @doc({ summary: "The version's artifact URI", query: MlflowModelVersionQuery, response: MlflowDownloadUriResponse })
  getDownloadUri(
    @Query(new ZodPipe(MlflowModelVersionQuery)) query: z.infer<typeof MlflowModelVersionQuery>,
  ): Promise<MlflowDownloadUriResponse> {
    return this.service.getDownloadUri(query.name, query.version);
  }

  // ── anything else under the prefix: MLflow's "no such endpoint" (or "not here"), which its client understands ──

  @All('*')
  @Access('public')
  @ApiExcludeEndpoint()
  unsupported(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    const { status, body } = this.service.unsupported(request.method, request.url);
    void reply.status(status).send(body);
  }
}

/** The same API under the prefix MLflow's web UI calls (`/ajax-api/2.0/mlflow/…`); documented once, above. */
@Controller('ajax-api/2.0/mlflow')
@ApiExcludeController()
export class MlflowAjaxRegistryController extends MlflowRegistryController {}
