import { z } from 'zod';

import { IsoTime, Name } from './common.contract';
import { FeatureRef } from './feature-store.contract';

export const ModelType = z.enum(['logistic_regression']);
export type ModelType = z.infer<typeof ModelType>;

export const LogisticRegressionParams = z.object({
  epochs: z.number().int().min(1).max(500).default(20),
  learningRate: z.number().positive().max(10).default(0.05),
  batchSize: z.number().int().min(1).max(65_536).default(1024),
  l2: z.number().min(0).max(10).default(0),
  seed: z.number().int().default(42),
});
export type LogisticRegressionParams = z.infer<typeof LogisticRegressionParams>;

/** A model input computed from other columns with an expression, e.g. `log1p(distance)`. */
export const TransformDefinition = z.object({
  name: Name,
  expression: z.string().min(1).max(500),
});
export type TransformDefinition = z.infer<typeof TransformDefinition>;

export const TrainingRequest = z
  .object({
    modelName: Name,
    description: z.string().max(500).default(''),
    modelType: ModelType.default('logistic_regression'),
    /** Label rows: the offline rows of this feature group inside the time window. */
    source: z.object({ group: Name }),
    window: z.object({
      start: IsoTime,
      /** rows before this instant train the model; rows from it on evaluate it */
      validationStart: IsoTime,
      end: IsoTime,
    }),
    /** entity name of a joined feature group → source column with its key */
    joinKeys: z.record(z.string(), z.string()).default({}),
    features: z.array(FeatureRef).max(200).default([]),
    /** source columns used as model inputs as they are; at prediction time the caller sends them */
    requestFeatures: z.array(Name).max(200).default([]),
    transforms: z.array(TransformDefinition).max(100).default([]),
    /** expression over source columns that is 1 for the positive class, e.g. `delay > 15` */
    label: z.string().min(1).max(500),
    params: LogisticRegressionParams.default(LogisticRegressionParams.parse({})),
    maxRows: z.number().int().positive().max(5_000_000).default(1_000_000),
  })
  .refine((r) => r.window.start < r.window.validationStart && r.window.validationStart < r.window.end, {
    message: 'the window must satisfy start < validationStart < end',
    path: ['window'],
  })
  .refine((r) => r.features.length + r.requestFeatures.length + r.transforms.length > 0, {
    message: 'name at least one feature, request feature or transform',
    path: ['features'],
  });
export type TrainingRequest = z.infer<typeof TrainingRequest>;
export type TrainingRequestInput = z.input<typeof TrainingRequest>;

export const TrainingJobStatus = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']);
export type TrainingJobStatus = z.infer<typeof TrainingJobStatus>;

export const TrainingJobEvent = z.object({
  at: IsoTime,
  message: z.string(),
  epoch: z.number().int().optional(),
  loss: z.number().optional(),
});
export type TrainingJobEvent = z.infer<typeof TrainingJobEvent>;

export const TrainingJobResponse = z.object({
  id: z.string(),
  modelName: z.string(),
  modelType: ModelType,
  status: TrainingJobStatus,
  /** 0..1 */
  progress: z.number(),
  request: TrainingRequest,
  events: z.array(TrainingJobEvent),
  backend: z.string().nullable(),
  metrics: z.record(z.string(), z.number()).nullable(),
  modelVersion: z.number().int().nullable(),
  error: z.string().nullable(),
  createdAt: IsoTime,
  startedAt: IsoTime.nullable(),
  finishedAt: IsoTime.nullable(),
});
export type TrainingJobResponse = z.infer<typeof TrainingJobResponse>;

/** Payload of a job on the `training` Bull queue. */
export const TrainingJobPayload = z.object({ jobId: z.string().uuid() });
export type TrainingJobPayload = z.infer<typeof TrainingJobPayload>;
