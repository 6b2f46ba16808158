import { Body, Controller, Delete, Get, Inject, Param, Post, Query, Req, StreamableFile } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';

import { ATELIER_CONFIG, type AtelierConfig } from '@atelier/config';
import {
  BatchJobResponse,
  BatchPredictionsPage,
  BatchPredictionsQuery,
  CreateBatchJobRequest,
  ErrorBody,
  ListBatchJobsQuery,
  UploadBatchJobForm,
} from '@atelier/contracts';
import { Access, Endpoint, openApiSchema, streamUpload, ZodPipe } from '@atelier/server';

import { outputLayout, predictionsParquet, stitchParquet } from './batch.output';
import { BatchRepository, type StoredRequest } from './batch.repository';
import { BatchJobsService } from './batch.service';
import { BATCH_ROWS, type BatchRows } from './batch-rows';

const tag = 'batch';
const JobId = z.uuid();

@Controller('api/batch-jobs')
export class BatchController {
  constructor(
    private readonly jobs: BatchJobsService,
    private readonly repository: BatchRepository,
    @Inject(BATCH_ROWS) private readonly rows: BatchRows,
    @Inject(ATELIER_CONFIG) private readonly config: AtelierConfig,
  ) {}

  @Post()
  @Endpoint({
    tag,
    summary: "Queue a batch scoring job: a model version scores a feature group's rows in a time window, features joined point-in-time",
    body: CreateBatchJobRequest,
    response: BatchJobResponse,
    status: 202,
  })
  create(@Body(new ZodPipe(CreateBatchJobRequest)) body: CreateBatchJobRequest): Promise<BatchJobResponse> {
    return this.jobs.create(body);
  }

  @Post('upload')
  @Endpoint({
    tag,
    summary:
      "Queue a batch scoring job over a file (CSV with a header row, or Parquet), streamed: every row checked and stored, or none; its features joined as of each row's timeColumn when it lacks them",
    upload: { file: 'file', fields: UploadBatchJobForm },
    response: BatchJobResponse,
    status: 202,
  })
  upload(@Req() request: FastifyRequest): Promise<BatchJobResponse> {
    // the fields sent before the file let it be read as it arrives; sent after it, it is copied to disk first
    return streamUpload(request, this.config.http.batchUploadLimitBytes, ({ file, filename, fields }) =>
      this.jobs.createFromFile(file, filename, new ZodPipe(UploadBatchJobForm).transform(fields)),
    );
  }

  @Get()
  @Endpoint({ tag, summary: 'List batch scoring jobs, newest first', query: ListBatchJobsQuery, response: z.array(BatchJobResponse) })
  list(@Query(new ZodPipe(ListBatchJobsQuery)) query: z.infer<typeof ListBatchJobsQuery>): Promise<BatchJobResponse[]> {
    return this.jobs.list(query);
  }

  @Get(':id')
  @Endpoint({ tag, summary: 'Get a batch scoring job and its progress', response: BatchJobResponse })
  get(@Param('id', new ZodPipe(JobId)) id: string): Promise<BatchJobResponse> {
    return this.jobs.get(id);
  }

  @Post(':id/cancel')
  @Endpoint({
    tag,
    summary: 'Cancel a queued or running batch job (shards already scored stay, tagged with the job)',
    response: BatchJobResponse,
  })
  cancel(@Param('id', new ZodPipe(JobId)) id: string): Promise<BatchJobResponse> {
    return this.jobs.cancel(id);
  }

  @Delete(':id')
  @Access('admin')
  @Endpoint({
    tag,
    summary: 'Delete a batch job that has ended, with its predictions and output (409 while it is queued or running)',
    status: 204,
  })
  @ApiResponse({ status: 404, description: 'no batch job with this id', schema: openApiSchema(ErrorBody) })
  @ApiResponse({ status: 409, description: 'the job is queued or running: cancel it first', schema: openApiSchema(ErrorBody) })
  remove(@Param('id', new ZodPipe(JobId)) id: string): Promise<void> {
    return this.jobs.remove(id);
  }

  @Get(':id/predictions')
  @Endpoint({
    tag,
    summary: "A page of a batch job's predictions, in shard and row order",
    query: BatchPredictionsQuery,
    response: BatchPredictionsPage,
  })
  predictions(
    @Param('id', new ZodPipe(JobId)) id: string,
    @Query(new ZodPipe(BatchPredictionsQuery)) query: z.infer<typeof BatchPredictionsQuery>,
  ): Promise<BatchPredictionsPage> {
    return this.jobs.predictions(id, query.offset, query.limit);
  }

  @Get(':id/output.parquet')
  @Endpoint({
    tag,
    summary: "A succeeded batch job's predictions as a Parquet file (409 before it has succeeded)",
    binary: 'application/vnd.apache.parquet',
  })
  async output(@Param('id', new ZodPipe(JobId)) id: string): Promise<StreamableFile> {
    const job = await this.jobs.succeeded(id);
    const request = job.request as unknown as StoredRequest;
    const layout = await outputLayout(request, this.rows);
    // the shards' row groups, encoded as they were scored; a job scored before they were kept is encoded from its rows now
    const stream =
      request.output && (await this.repository.outputsEncoded(id))
        ? stitchParquet(layout, this.repository.shardOutputs(id))
        : predictionsParquet(layout, (after, limit) => this.repository.predictionsAfter(id, after, limit));
    return new StreamableFile(stream, {
      type: 'application/vnd.apache.parquet',
      disposition: `attachment; filename="${job.modelName}-v${job.version}-${id}.parquet"`,
    });
  }
}
