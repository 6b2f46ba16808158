import { z } from 'zod';

import { Name } from './common.contract';

export const PredictRequest = z
  .object({
    model: Name,
    /** serve the version behind this alias (default `production`) … */
    alias: Name.optional(),
    /** … or this exact version */
    version: z.number().int().positive().optional(),
    /** entity name → key, e.g. { airport: "ORD" } */
    entities: z.record(z.string(), z.string().min(1)).default({}),
    /** request-time features, e.g. { distance: 733, hour: 17 } */
    features: z.record(z.string(), z.union([z.number(), z.null()])).default({}),
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
  inputs: z.record(z.string(), z.number().nullable()),
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
