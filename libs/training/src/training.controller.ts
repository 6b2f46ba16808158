import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { z } from 'zod';

import { TrainingJobResponse, TrainingRequest } from '@atelier/contracts';
import { Endpoint, ZodPipe } from '@atelier/server';

import { TrainingService } from './training.service';

const tag = 'training';

@Controller('api/training-jobs')
export class TrainingController {
  constructor(private readonly service: TrainingService) {}

  @Post()
  @Endpoint({ tag, summary: 'Start a training job (queued; poll it for progress)', body: TrainingRequest, response: TrainingJobResponse, status: 202 })
  start(@Body(new ZodPipe(TrainingRequest)) body: TrainingRequest): Promise<TrainingJobResponse> {
    return this.service.start(body);
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

  @Post(':id/cancel')
  @Endpoint({ tag, summary: 'Cancel a queued or running job', response: TrainingJobResponse })
  cancel(@Param('id', new ZodPipe(z.uuid())) id: string): Promise<TrainingJobResponse> {
    return this.service.cancel(id);
  }
}
