import { Body, Controller, Get, Param, Post, Sse } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { z } from 'zod';

import { TrainingJobResponse, TrainingPreviewResponse, TrainingRequest } from '@atelier/contracts';
import { Access, Endpoint, ZodPipe } from '@atelier/server';

import { TrainingService } from './training.service';
import { type JobMessage, jobStates } from './training-job.stream';

const tag = 'training';

@Controller('api/training-jobs')
export class TrainingController {
  constructor(private readonly service: TrainingService) {}

  @Post()
  @Endpoint({ tag, summary: 'Start a training job (queued; poll it for progress)', body: TrainingRequest, response: TrainingJobResponse, status: 202 })
  start(@Body(new ZodPipe(TrainingRequest)) body: TrainingRequest): Promise<TrainingJobResponse> {
    return this.service.start(body);
  }

  @Post('preview')
  @Access('read') // reads data, starts nothing
  @Endpoint({
    tag,
    summary: 'Preview what a training request would train on: label rows per slice, label balance, feature coverage, sample rows (no job)',
    body: TrainingRequest,
    response: TrainingPreviewResponse,
  })
  preview(@Body(new ZodPipe(TrainingRequest)) body: TrainingRequest): Promise<TrainingPreviewResponse> {
    return this.service.preview(body);
  }

  @Get()
  @Endpoint({ tag, summary: 'List recent training jobs, newest first', response: z.array(TrainingJobResponse) })
  list(): Promise<TrainingJobResponse[]> {
    return this.service.list();
  }

  @Get(':id')
  @Endpoint({ tag, summary: 'Get a training job with its progress and events', response: TrainingJobResponse })
  get(@Param('id', new ZodPipe(z.uuid())) id: string): Promise<TrainingJobResponse> {
    return this.service.get(id);
  }

  @Sse(':id/events')
  @Endpoint({
    tag,
    summary: 'Follow a training job as server-sent events: `job` events with the job as it changes (progress, events, trials), ending when the job does',
    binary: 'text/event-stream',
  })
  async events(@Param('id', new ZodPipe(z.uuid())) id: string): Promise<Observable<JobMessage>> {
    await this.service.get(id); // an unknown job is a 404, before the stream opens
    return jobStates(() => this.service.get(id));
  }

  @Post(':id/cancel')
  @Endpoint({ tag, summary: 'Cancel a queued or running job', response: TrainingJobResponse })
  cancel(@Param('id', new ZodPipe(z.uuid())) id: string): Promise<TrainingJobResponse> {
    return this.service.cancel(id);
  }
}
