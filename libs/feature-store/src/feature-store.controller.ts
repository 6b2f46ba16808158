import { Body, Controller, Get, Inject, Param, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';

import { ATELIER_CONFIG, type AtelierConfig } from '@atelier/config';
import {
  BackfillRequest,
  BackfillResponse,
  ConsumerLagResponse,
  CreateEntityRequest,
  CreateFeatureGroupRequest,
  EntityResponse,
  FeastOnlineFeaturesRequest,
  FeastOnlineFeaturesResponse,
  FeatureGroupResponse,
  FeatureGroupStatsResponse,
  FeatureLookupRequest,
  FeatureLookupResponse,
  ImportRowsForm,
  IngestRowsRequest,
  IngestRowsResponse,
  MaterializationResponse,
  MaterializeRequest,
  Name,
  OnlineFeaturesRequest,
  OnlineFeaturesResponse,
  RowPartitionRequest,
  RowPartitionResponse,
  TrainingSetRequest,
  TrainingSetResponse,
} from '@atelier/contracts';
import { Access, BodyLimit, Endpoint, MiB, streamUpload, ZodPipe } from '@atelier/server';

import { FeatureRowsConsumer } from './feature-rows.consumer';
import { FeatureStoreService } from './feature-store.service';
import { OnlineFeaturesService } from './online-features.service';
import { TrainingSetService } from './training-set.service';
import { WindowAggregationService } from './window-aggregation.service';

const tag = 'feature-store';

@Controller()
export class FeatureStoreController {
  constructor(
    private readonly service: FeatureStoreService,
    private readonly onlineFeatures: OnlineFeaturesService,
    private readonly trainingSets: TrainingSetService,
    private readonly aggregations: WindowAggregationService,
    private readonly stream: FeatureRowsConsumer,
    @Inject(ATELIER_CONFIG) private readonly config: AtelierConfig,
  ) {}

  @Get('api/feature-rows/consumer')
  @Endpoint({
    tag,
    summary: "How far streaming ingestion is behind: the feature store's consumer group on the feature-rows topic, per partition",
    response: ConsumerLagResponse,
  })
  streamLag(): Promise<ConsumerLagResponse> {
    return this.stream.lag();
  }

  @Post('api/entities')
  @Endpoint({ tag, summary: 'Create an entity (what features are keyed by)', body: CreateEntityRequest, response: EntityResponse, status: 201 })
  createEntity(@Body(new ZodPipe(CreateEntityRequest)) body: CreateEntityRequest): Promise<EntityResponse> {
    return this.service.createEntity(body);
  }

  @Get('api/entities')
  @Endpoint({ tag, summary: 'List entities', response: z.array(EntityResponse) })
  listEntities(): Promise<EntityResponse[]> {
    return this.service.listEntities();
  }

  @Post('api/feature-groups')
  @Endpoint({ tag, summary: 'Create a feature group', body: CreateFeatureGroupRequest, response: FeatureGroupResponse, status: 201 })
  createGroup(@Body(new ZodPipe(CreateFeatureGroupRequest)) body: CreateFeatureGroupRequest): Promise<FeatureGroupResponse> {
    return this.service.createGroup(body);
  }

  @Get('api/feature-groups')
  @Endpoint({ tag, summary: 'List feature groups', response: z.array(FeatureGroupResponse) })
  listGroups(): Promise<FeatureGroupResponse[]> {
    return this.service.listGroups();
  }

  @Get('api/feature-groups/:name')
  @Endpoint({ tag, summary: 'Get a feature group', response: FeatureGroupResponse })
  getGroup(@Param('name', new ZodPipe(Name)) name: string): Promise<FeatureGroupResponse> {
    return this.service.getGroup(name);
  }

  @Get('api/feature-groups/:name/stats')
  @Endpoint({ tag, summary: "A feature group's offline rows described: rows, entities, freshness, and each feature's count, missing share, mean/min/max or distinct values", response: FeatureGroupStatsResponse })
  groupStats(@Param('name', new ZodPipe(Name)) name: string): Promise<FeatureGroupStatsResponse> {
    return this.service.groupStats(name);
  }

  @Post('api/feature-groups/:name/rows')
  @BodyLimit(64 * MiB)
  @Endpoint({ tag, summary: 'Import rows into the offline store (a batch lands whole or not at all)', body: IngestRowsRequest, response: IngestRowsResponse, status: 201 })
  ingest(@Param('name', new ZodPipe(Name)) name: string, @Body(new ZodPipe(IngestRowsRequest)) body: IngestRowsRequest): Promise<IngestRowsResponse> {
    return this.service.ingest(name, body);
  }

  @Post('api/feature-groups/:name/partitions')
  @Access('read')
  @Endpoint({ tag, summary: "Cut a window of the group's rows into consecutive parts of about rowsPerPart rows (batch scoring shards)", body: RowPartitionRequest, response: RowPartitionResponse })
  partition(@Param('name', new ZodPipe(Name)) name: string, @Body(new ZodPipe(RowPartitionRequest)) body: RowPartitionRequest): Promise<RowPartitionResponse> {
    return this.trainingSets.partition(name, body);
  }

  @Post('api/feature-groups/:name/rows/upload')
  @Endpoint({
    tag,
    summary: 'Import a file of rows (CSV, Parquet or JSON Lines) into the offline store: streamed, every row checked, stored whole or not at all',
    upload: { file: 'file', fields: ImportRowsForm },
    response: IngestRowsResponse,
    status: 201,
  })
  importFile(@Param('name', new ZodPipe(Name)) name: string, @Req() request: FastifyRequest): Promise<IngestRowsResponse> {
    return streamUpload(request, this.config.http.importLimitBytes, ({ file, fields }) => this.service.importFile(name, file, new ZodPipe(ImportRowsForm).transform(fields)));
  }

  @Post('api/feature-groups/:name/backfill')
  @Endpoint({
    tag,
    summary:
      "Compute an aggregation group's rows from its source's offline rows (event times in [start, end), default all) and write each key's newest online",
    body: BackfillRequest,
    response: BackfillResponse,
  })
  backfill(
    @Param('name', new ZodPipe(Name)) name: string,
    @Body(new ZodPipe(BackfillRequest.optional())) body: BackfillRequest | undefined,
  ): Promise<BackfillResponse> {
    return this.aggregations.backfill(name, body ?? {});
  }

  @Post('api/feature-groups/:name/materializations')
  @Endpoint({ tag, summary: 'Queue a copy of the newest offline values to the online store', body: MaterializeRequest, response: MaterializationResponse, status: 202 })
  materialize(@Param('name', new ZodPipe(Name)) name: string, @Body(new ZodPipe(MaterializeRequest)) body: MaterializeRequest): Promise<MaterializationResponse> {
    return this.service.requestMaterialization(name, body);
  }

  @Get('api/materializations/:id')
  @Endpoint({ tag, summary: 'Get a materialization run', response: MaterializationResponse })
  getMaterialization(@Param('id', new ZodPipe(z.uuid())) id: string): Promise<MaterializationResponse> {
    return this.service.getMaterialization(id);
  }

  @Post('api/online-features')
  @Access('predict')
  @Endpoint({ tag, summary: 'Read features from the online store', body: OnlineFeaturesRequest, response: OnlineFeaturesResponse })
  online(@Body(new ZodPipe(OnlineFeaturesRequest)) body: OnlineFeaturesRequest): Promise<OnlineFeaturesResponse> {
    return this.onlineFeatures.get(body);
  }

  @Post('get-online-features')
  @Access('predict')
  @Endpoint({ tag, summary: 'Read online features (Feast feature-server shape)', body: FeastOnlineFeaturesRequest, response: FeastOnlineFeaturesResponse })
  feast(@Body(new ZodPipe(FeastOnlineFeaturesRequest)) body: FeastOnlineFeaturesRequest): Promise<FeastOnlineFeaturesResponse> {
    return this.onlineFeatures.getFeast(body);
  }

  @Post('api/feature-lookups')
  @Access('read')
  @BodyLimit(64 * MiB)
  @Endpoint({ tag, summary: 'Features as of given instants, from the offline store (point-in-time, within each TTL)', body: FeatureLookupRequest, response: FeatureLookupResponse })
  lookup(@Body(new ZodPipe(FeatureLookupRequest)) body: FeatureLookupRequest): Promise<FeatureLookupResponse> {
    return this.trainingSets.lookup(body);
  }

  @Post('api/training-sets')
  @Access('read')
  @Endpoint({ tag, summary: 'Build a point-in-time correct training set (columnar)', body: TrainingSetRequest, response: TrainingSetResponse })
  trainingSet(@Body(new ZodPipe(TrainingSetRequest)) body: TrainingSetRequest): Promise<TrainingSetResponse> {
    return this.trainingSets.build(body);
  }
}
