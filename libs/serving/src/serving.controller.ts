import { Body, Controller, Get, Post } from '@nestjs/common';
import { z } from 'zod';

import { BatchPredictResponse, isPlainPredictRequest, LoadedModel, PredictRequest, PredictResponse } from '@atelier/contracts';
import { Access, BodyLimit, Endpoint, MiB, ZodPipe } from '@atelier/server';

import { ModelCache } from './model-cache';
import { PredictionService } from './prediction.service';

const tag = 'serving';

@Controller('api')
export class ServingController {
  constructor(
    private readonly predictions: PredictionService,
    private readonly cache: ModelCache,
  ) {}

  @Post('predict')
  @Access('predict')
  @BodyLimit(16 * MiB)
  @Endpoint({
    tag,
    summary: 'Predict with a model by alias (default production) or version: one row, or many in "rows"',
    body: PredictRequest,
    response: z.union([PredictResponse, BatchPredictResponse]),
  })
  predict(@Body(new ZodPipe(PredictRequest, isPlainPredictRequest)) body: PredictRequest): Promise<PredictResponse | BatchPredictResponse> {
    return this.predictions.predict(body);
  }

  @Get('serving/models')
  @Endpoint({ tag, summary: 'Model versions loaded in this replica', response: z.array(LoadedModel) })
  loaded(): Promise<LoadedModel[]> {
    return this.cache.loaded();
  }
}
