import { z } from 'zod';

import { Name } from './common.contract';

/** A model input value: numbers, or strings for categorical inputs; null = missing. */
export const InputValue = z.union([z.number(), z.string().max(200), z.null()]);
export type InputValue = z.infer<typeof InputValue>;

export const PredictRequest = z
  .object({
    model: Name,
    /** serve the version behind this alias (default `production`) … */
    alias: Name.optional(),
    /** … or this exact version */
    version: z.number().int().positive().optional(),
    /** entity name → key, e.g. { airport: "ORD" } */
    entities: z.record(z.string(), z.string().min(1)).default({}),
    /** request-time features, e.g. { distance: 733, hour: 17, destination: "SFO" } */
    features: z.record(z.string(), InputValue).default({}),
  })
  .refine((r) => !(r.alias && r.version), { message: 'give an alias or a version, not both', path: ['alias'] });
export type PredictRequest = z.infer<typeof PredictRequest>;
export type PredictRequestInput = z.input<typeof PredictRequest>;

export const PredictResponse = z.object({
  predictionId: z.string().uuid(),
  prediction: z.number(),
  label: z.number().nullable(),
  model: z.string(),
  version: z.number().int(),
  alias: z.string().nullable(),
  /** the exact values given to the model, by input name */
  inputs: z.record(z.string(), InputValue),
});
export type PredictResponse = z.infer<typeof PredictResponse>;

export const LoadedModel = z.object({
  model: z.string(),
  version: z.number().int(),
  alias: z.string().nullable(),
  sha256: z.string(),
  loadedAt: z.string(),
});
export type LoadedModel = z.infer<typeof LoadedModel>;
